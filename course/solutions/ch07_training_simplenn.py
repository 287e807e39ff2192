"""Reference solutions for chapter 7, "Training SimpleNN".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad.exercises import training


# Exercise 7.1: the tutorial's loop. zero_grad before backward, step after it.
def train(model, criterion, optimizer, X, y, epochs):
    losses = []
    for _ in range(epochs):
        outputs = model(X)  # forward: builds the graph
        loss = criterion(outputs, y)
        optimizer.zero_grad()  # forget the previous epoch's gradients
        loss.backward()  # fill .grad
        optimizer.step()  # move every parameter against its gradient
        losses.append(loss.item())
    return losses


# Exercise 7.2: make the shapes equal before comparing; (N, 1) == (N,) would
# broadcast to an (N, N) table.
def accuracy(probabilities, labels):
    predictions = (probabilities > 0.5).float().reshape(-1)
    return (predictions == labels).float().mean().item() * 100


# Which check each answer goes to.
ANSWERS = {
    training.check_train: (train,),
    training.check_accuracy: (accuracy,),
}

"""The tutorial's two programs as issue 3 gives them, written once for everything that runs them.

``tests/test_acceptance.py`` runs them in a fresh process with stepgrad's and PyTorch's
imports, ``bench/process.py`` times that process, and ``bench/seeds.py`` runs the text
once per seed. It lives in bench/ because the benchmarks run as plain scripts with only
bench/ on their path, while the tests already import from bench/.

    exec(STEPGRAD_IMPORTS + PROGRAM)   # prints the gradient line, then the accuracy line
"""

STEPGRAD_IMPORTS = """\
import stepgrad as torch
import stepgrad.nn as nn
import stepgrad.optim as optim
"""
PYTORCH_IMPORTS = """\
import torch
import torch.nn as nn
import torch.optim as optim
"""
# Exactly the text below its import lines (the comment and the tutorial's
# super(SimpleNN, self) included): the acceptance test runs what a learner would paste.
PROGRAM = """
x = torch.tensor([2.0], requires_grad=True)
y = x ** 2
y.backward()
print("Gradient of y with respect to x:", x.grad.item())   # Gradient of y with respect to x: 4.0

class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()
        self.fc1 = nn.Linear(2, 10)
        self.fc2 = nn.Linear(10, 1)
        self.sigmoid = nn.Sigmoid()
    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        x = self.sigmoid(x)
        return x

X = torch.tensor([[2, 4], [5, 7], [6, 5], [3, 1], [7, 7]], dtype=torch.float32)
y = torch.tensor([[0], [1], [1], [0], [1]], dtype=torch.float32)
model = SimpleNN()
criterion = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
for epoch in range(100):
    outputs = model(X)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
with torch.no_grad():
    predictions = model(X)
    predictions = (predictions > 0.5).float()
    accuracy = (predictions == y).float().mean()
    print(f'Accuracy: {accuracy.item()*100:.2f}%')
"""

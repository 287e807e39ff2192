"""Checks for chapter 7, "Training SimpleNN".

The learner's training loop is run on a freshly seeded network and data of
the tutorial's kind, and compared with the loop done right, and with the loop
done wrong on purpose: ``zero_grad()`` forgotten (the classic), gradients reset
between ``backward()`` and ``step()``, no ``step()`` at all. The accuracy
check knows the broadcasting trap: predictions of shape (N, 1) compared with
labels of shape (N,) give an (N, N) table of comparisons, whose mean is not
the accuracy.

    >>> from stepgrad.exercises import training
    >>> training.check_accuracy(lambda p, y: 75.0).status
    'correct'
"""

import numpy as np

from stepgrad import nn, optim
from stepgrad.autograd.grad_mode import no_grad
from stepgrad.creation import manual_seed, tensor
from stepgrad.dtypes import float32
from stepgrad.exercises.feedback import (
    Rejected,
    call_learner,
    close,
    correct,
    exercise,
    expect_number,
    wrong,
)
from stepgrad.tensor import Tensor

# ---------------------------------------------------------------------------
# Exercise 7.1: the training loop.
# ---------------------------------------------------------------------------

LOOP_SEED = 3
LOOP_EPOCHS = 15
LOOP_LR = 0.1
# Points like the tutorial's: class 1 where the two features are large.
LOOP_X = ((1, 2), (6, 7), (5, 6), (2, 1), (7, 5), (3, 3))
LOOP_Y = ((0,), (1,), (1,), (0,), (1,), (0,))


def loop_problem():
    """A freshly seeded (model, criterion, optimizer, X, y) for the check."""
    manual_seed(LOOP_SEED)
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())
    optimizer = optim.SGD(model.parameters(), lr=LOOP_LR)
    X = tensor(LOOP_X, dtype=float32)
    y = tensor(LOOP_Y, dtype=float32)
    return model, nn.BCELoss(), optimizer, X, y


def train_with(model, criterion, optimizer, X, y, epochs, *, order="right"):
    """The tutorial's loop (``order="right"``) or one of its classic misorderings.

    ``"no_zero_grad"`` never resets the gradients; ``"zero_after_backward"``
    resets them between backward and step; ``"no_step"`` never updates.
    Returns the loss of each epoch, as floats.
    """
    losses = []
    for _ in range(epochs):
        outputs = model(X)
        loss = criterion(outputs, y)
        if order in ("right", "no_step"):
            optimizer.zero_grad()
        loss.backward()
        if order == "zero_after_backward":
            optimizer.zero_grad()
        if order != "no_step":
            optimizer.step()
        losses.append(loss.item())
    return losses


def _parameters(model):
    return [p.data.astype(np.float64).copy() for p in model.parameters()]


def _run(order):
    model, criterion, optimizer, X, y = loop_problem()
    losses = train_with(model, criterion, optimizer, X, y, LOOP_EPOCHS, order=order)
    return losses, _parameters(model)


def _same_parameters(a, b):
    return all(x.shape == y.shape and np.allclose(x, y, rtol=1e-5, atol=1e-7) for x, y in zip(a, b))


def _as_losses(returned):
    if returned is None:
        raise Rejected(
            "train returned None. Collect loss.item() of every epoch in a list and return it.",
            "no_return",
        )
    try:
        values = [float(value) for value in returned]
    except (TypeError, ValueError, RuntimeError):
        raise Rejected(
            f"train should return a list of numbers (loss.item() per epoch), got "
            f"{type(returned).__name__}."
        ) from None
    if len(values) != LOOP_EPOCHS:
        raise Rejected(
            f"The check asked for {LOOP_EPOCHS} epochs and got {len(values)} losses back: "
            f"one loss per epoch, each recorded once.",
            "wrong_number_of_losses",
        )
    return values


@exercise("7.1", "the training loop")
def check_train(train):
    """Check ``train(model, criterion, optimizer, X, y, epochs) -> losses`` against the tutorial."""
    model, criterion, optimizer, X, y = loop_problem()
    start = _parameters(model)
    losses = _as_losses(call_learner(train, model, criterion, optimizer, X, y, LOOP_EPOCHS))
    mine = _parameters(model)
    right_losses, right = _run("right")
    if _same_parameters(mine, right):
        if not np.allclose(losses, right_losses, rtol=1e-5):
            return wrong(
                "The parameters end up right, but the losses you returned are not the loss of "
                "each epoch's forward pass: record loss.item() right after computing the loss.",
                mistake="wrong_losses",
            )
        return correct(
            f"Same parameters as the tutorial's loop after {LOOP_EPOCHS} epochs, loss "
            f"{right_losses[0]:.4f} -> {right_losses[-1]:.4f}: forward, zero_grad, backward, step."
        )
    if _same_parameters(mine, start):
        grads_left = [p.grad for p in model.parameters()]
        if all(grad is None for grad in grads_left):
            return wrong(
                "The parameters never changed, and no gradients are left: step() ran when "
                "there were no gradients. The gradients must be reset before backward() "
                "(zero_grad, backward, step), not between backward() and step().",
                mistake="step_without_gradients",
            )
        return wrong(
            "The parameters never changed: backward() only computes gradients; "
            "optimizer.step() is what moves the parameters.",
            mistake="no_step",
        )
    if _same_parameters(mine, _run("no_zero_grad")[1]):
        return wrong(
            "optimizer.zero_grad() is missing: each backward() adds its gradients to the "
            "ones still in .grad from every earlier epoch, so each step uses their running "
            "sum. Reset the gradients every epoch, before loss.backward().",
            mistake="forgotten_zero_grad",
        )
    return wrong(
        "After the loop your parameters differ from the tutorial's loop. Each epoch: "
        "outputs = model(X); loss = criterion(outputs, y); optimizer.zero_grad(); "
        "loss.backward(); optimizer.step()."
    )


# ---------------------------------------------------------------------------
# Exercise 7.2: accuracy as a percentage.
# ---------------------------------------------------------------------------

ACCURACY_PROBABILITIES = ((0.9,), (0.2,), (0.6,), (0.4,), (0.7,), (0.1,), (0.55,), (0.3,))
ACCURACY_LABELS = (1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0)  # shape (N,): the trap


def accuracy_data():
    """(probabilities of shape (8, 1), labels of shape (8,)), as float32 tensors."""
    return (
        tensor(ACCURACY_PROBABILITIES, dtype=float32),
        tensor(ACCURACY_LABELS, dtype=float32),
    )


def _percent(fraction):
    return 100.0 * float(fraction)


@exercise("7.2", "accuracy")
def check_accuracy(accuracy):
    """Check ``accuracy(probabilities, labels)``: the percentage of right predictions."""
    probabilities, labels = accuracy_data()
    with no_grad():
        answer = call_learner(accuracy, probabilities, labels)
    if isinstance(answer, Tensor):
        if answer.data.size != 1:
            raise Rejected(
                f"accuracy returned a tensor of shape {tuple(answer.shape)}; it should be one "
                f"number. Take .mean() of the right/wrong values (and .item() for a float).",
                "not_one_number",
            )
        answer = answer.item()
    mine = expect_number(answer, what="Your accuracy")
    p = np.asarray(ACCURACY_PROBABILITIES).reshape(-1)
    y = np.asarray(ACCURACY_LABELS)
    truth = _percent(np.mean((p > 0.5) == y))
    if close(mine, truth, rel=1e-6):
        return correct(
            f"{truth:.2f}%: each probability above 0.5 counts as class 1, and "
            f"{round(truth * len(y) / 100)} of the {len(y)} predictions match their label."
        )
    broadcast = _percent(np.mean((p[:, None] > 0.5) == y[None, :]))
    if close(mine, broadcast, rel=1e-6):
        return wrong(
            f"{mine:g}% is the broadcasting trap: predictions of shape (8, 1) compared with "
            f"labels of shape (8,) broadcast to an (8, 8) table that compares every "
            f"prediction with every label. Make the shapes equal first, e.g. "
            f"labels.reshape(-1, 1) or predictions.squeeze(1).",
            mistake="broadcast_comparison",
        )
    if close(mine, truth / 100):
        return wrong(
            f"{mine:g} is the fraction of right predictions; the exercise asks for a "
            f"percentage (multiply by 100).",
            mistake="fraction_not_percent",
        )
    raw = _percent(np.mean(p == y))
    if close(mine, raw) or close(mine, _percent(np.mean(p))):
        return wrong(
            "The probabilities have to become predictions first: 1 where the probability "
            "is above 0.5, else 0. Then compare with the labels.",
            mistake="no_threshold",
        )
    return wrong(
        "Threshold the probabilities at 0.5, compare with the labels (same shape!), and take "
        "the mean of the matches, times 100."
    )

"""Checks for chapter 5, "The autograd API".

The truth is stepgrad run on the exercise's own code (in the tests, finite
differences and derivations written out). Classic mistakes are recognised by
making them on purpose: a gradient expected on a tensor that does not require
one or on a non-leaf that was not retained, ``detach`` ignored, and in the
gradient-descent loop the forgotten ``zero_grad()`` (the gradients of all
earlier steps still in ``.grad``), an update recorded in the graph, a rebound
name instead of an in-place update.

    >>> from stepgrad.exercises import autograd_api
    >>> autograd_api.check_detached_gradient([1.0, 2.0, 3.0]).status
    'correct'
"""

import numpy as np

from stepgrad.autograd.grad_mode import no_grad
from stepgrad.creation import tensor
from stepgrad.exercises.feedback import (
    LearnerCodeFailed,
    Rejected,
    call_learner,
    correct,
    exercise,
    wrong,
)
from stepgrad.tensor import Tensor


def _as_values(answer, what):
    """``answer`` as a float64 array, or None for None; ``Rejected`` for anything else."""
    if answer is None:
        return None
    if isinstance(answer, Tensor):
        answer = answer.data
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise Rejected(
            f"{what} should be a list of numbers (or None), got {type(answer).__name__} {answer!r}."
        ) from None


def _matches(answer, truth):
    if answer is None or truth is None:
        return answer is None and truth is None
    return answer.shape == truth.shape and np.allclose(answer, truth, rtol=1e-6, atol=1e-9)


def _text(values):
    return "None" if values is None else str([float(f"{v:.6g}") for v in np.ravel(values)])


# ---------------------------------------------------------------------------
# Exercise 5.1: which tensors receive a .grad?
# ---------------------------------------------------------------------------

W_START = (1.0, 2.0)
X_DATA = (3.0, -1.0)


def where_gradients_land(retain=False):
    """The exercise's program: w (requires grad), x (data), y = w * x, loss = sum(y * y)."""
    w = tensor(list(W_START), requires_grad=True)
    x = tensor(list(X_DATA))
    y = w * x
    if retain:
        y.retain_grad()
    loss = (y * y).sum()
    loss.backward()
    return w, x, y


@exercise("5.1", "where gradients land")
def check_where_gradients_land(w_grad, x_grad, y_grad):
    """Check w.grad, x.grad and y.grad after the exercise's program (None where none)."""
    answers = [
        _as_values(answer, f"Your {name}")
        for answer, name in ((w_grad, "w_grad"), (x_grad, "x_grad"), (y_grad, "y_grad"))
    ]
    mine_w, mine_x, mine_y = answers
    w, x, y = where_gradients_land()
    truth_w, truth_x, truth_y = (
        None if t.grad is None else t.grad.data.astype(np.float64) for t in (w, x, y)
    )
    if _matches(mine_w, truth_w) and _matches(mine_x, truth_x) and _matches(mine_y, truth_y):
        return correct(
            f"w.grad = 2·y·x = {_text(truth_w)}; x does not require grad and y is not a leaf, "
            f"so neither keeps a .grad (y.retain_grad() would have kept y's)."
        )
    # What the gradients would be if every tensor kept one (computed, not assumed).
    x_tracked = tensor(list(X_DATA), requires_grad=True)
    w_again = tensor(list(W_START), requires_grad=True)
    ((w_again * x_tracked) * (w_again * x_tracked)).sum().backward()
    _, _, y_retained = where_gradients_land(retain=True)
    if mine_x is not None and _matches(mine_x, x_tracked.grad.data.astype(np.float64)):
        return wrong(
            f"x was created without requires_grad=True, so autograd never computes a gradient "
            f"for it: x.grad stays None (what you computed, {_text(mine_x)}, is what it would "
            f"hold if x required grad).",
            mistake="data_has_no_grad",
        )
    if mine_y is not None and _matches(mine_y, y_retained.grad.data.astype(np.float64)):
        return wrong(
            "y is not a leaf (it was computed by MulBackward), and backward keeps .grad only "
            "on leaves: y's gradient is used on the way and then dropped. y.grad is None "
            "unless y.retain_grad() was called before backward.",
            mistake="non_leaf_grad_kept",
        )
    if mine_w is None:
        return wrong("w requires grad and is a leaf, so backward fills w.grad.", "leaf_grad_none")
    if not _matches(mine_w, truth_w):
        return wrong(
            "w.grad is not right. loss = Σ (w·x)², so d loss/d w = 2·(w·x)·x, element by element."
        )
    return wrong("w.grad is right. For x and y, ask: does it require grad? Is it a leaf?")


# ---------------------------------------------------------------------------
# Exercise 5.2: the gradient through x * x.detach().
# ---------------------------------------------------------------------------

DETACH_X = (1.0, 2.0, 3.0)


@exercise("5.2", "a detached factor")
def check_detached_gradient(x_grad):
    """Check x.grad after (x * x.detach()).sum().backward() at x = [1, 2, 3]."""
    mine = _as_values(x_grad, "Your x.grad")
    if mine is None:
        raise Rejected(
            "x requires grad and is a leaf, so backward does fill x.grad: give its three numbers.",
            "leaf_grad_none",
        )
    x = tensor(list(DETACH_X), requires_grad=True)
    (x * x.detach()).sum().backward()
    truth = x.grad.data.astype(np.float64)
    if _matches(mine, truth):
        return correct(
            f"x.grad = {_text(truth)}: the detached copy is a constant, so x * c has "
            f"gradient c = x, half of what x * x would give."
        )
    both = tensor(list(DETACH_X), requires_grad=True)
    (both * both).sum().backward()
    if _matches(mine, both.grad.data.astype(np.float64)):
        return wrong(
            "That is the gradient of x * x, where both factors pass a gradient back. "
            "x.detach() is cut from the graph: backward treats it as a constant that "
            "happens to hold x's values, so only one factor passes a gradient.",
            mistake="detach_ignored",
        )
    if _matches(mine, np.zeros_like(truth)):
        return wrong(
            "detach() cuts only the copy from the graph; the other factor is x itself, "
            "which still passes a gradient back.",
            mistake="detach_blocks_everything",
        )
    return wrong("Think of x.detach() as a constant c with c = x: what is d(x·c)/dx?")


# ---------------------------------------------------------------------------
# Exercise 5.3: gradient descent by hand, with the gradient reset each step.
# ---------------------------------------------------------------------------

TARGET = (3.0, -1.0)
DESCENT_LR = 0.1
DESCENT_STEPS = 20


def descent_loss(w):
    """The loss the check minimises: the squared distance from w to (3, -1)."""
    return ((w - tensor(list(TARGET))) ** 2).sum()


def descend_with(w, loss_fn, lr, steps, *, reset=True, sign=1.0):
    """Gradient descent done right (the defaults), or with a mistake made on purpose.

    ``reset=False`` forgets to reset ``w.grad`` (a forgotten ``zero_grad()``);
    ``sign=-1`` climbs the loss instead of descending.
    """
    for _ in range(steps):
        loss = loss_fn(w)
        if reset:
            w.grad = None
        loss.backward()
        with no_grad():
            w -= sign * lr * w.grad


def _fresh_start():
    return tensor([0.0, 0.0], requires_grad=True)


def _after(**mistake):
    w = _fresh_start()
    descend_with(w, descent_loss, DESCENT_LR, DESCENT_STEPS, **mistake)
    return w.data.astype(np.float64)


_REBOUND_HINT = (
    "An assignment like w = w - lr * w.grad makes a new tensor and gives it the name w "
    "inside your function: the caller's tensor never moves, and the new one, made under "
    "no_grad(), does not even require grad. Update the tensor itself, in place: "
    "w -= lr * w.grad, inside no_grad()."
)


def _descent_failure(error):
    """A named hint for the errors a half-right descent loop raises, else None."""
    message = str(error)
    if isinstance(error, RuntimeError) and "in-place" in message and "leaf" in message:
        return wrong(
            "The update w -= lr * w.grad ran while autograd was recording, and autograd "
            "refuses to record an in-place change of a leaf it must differentiate. Put the "
            "update inside `with stepgrad.no_grad():`.",
            mistake="update_recorded",
        )
    if isinstance(error, RuntimeError) and "does not require grad" in message:
        return wrong(_REBOUND_HINT, mistake="rebound_not_updated")
    if isinstance(error, AttributeError) and "NoneType" in message:
        return wrong(
            "w.grad was None when you called a method on it. Before the first backward "
            "there is no gradient at all, so w.grad.zero_() fails on step 1: reset with "
            "w.grad = None instead (what optimizer.zero_grad() does), or check for None.",
            mistake="zeroed_missing_grad",
        )
    if isinstance(error, TypeError) and "NoneType" in message:
        return wrong(
            "w.grad was None at the update: the gradient was reset between backward() and "
            "the step. Reset it before backward (or after the step), never in between.",
            mistake="reset_before_step",
        )
    return None


@exercise("5.3", "gradient descent by hand")
def check_descend(descend):
    """Check ``descend(w, loss_fn, lr, steps)``: it must update the leaf w in place."""
    w = _fresh_start()
    start = w.data.copy()
    try:
        call_learner(descend, w, descent_loss, DESCENT_LR, DESCENT_STEPS)
    except LearnerCodeFailed as failure:
        named = _descent_failure(failure.error)
        if named is not None:
            return named
        raise
    mine = w.data.astype(np.float64)
    truth = _after()
    if _matches(mine, truth):
        return correct(
            f"After {DESCENT_STEPS} steps w = {_text(mine)}, closing in on (3, -1), and the "
            f"same numbers as a loop that resets w.grad before every backward."
        )
    if np.array_equal(w.data, start):
        return wrong(_REBOUND_HINT, mistake="rebound_not_updated")
    if _matches(mine, _after(reset=False)):
        return wrong(
            "w.grad is never reset, so every backward adds the new gradient to all the old "
            "ones and the step uses their running sum: the forgotten zero_grad(). Reset it "
            "each step (w.grad = None before loss.backward()).",
            mistake="forgotten_zero_grad",
        )
    if _matches(mine, _after(sign=-1.0)):
        return wrong(
            "The loss went up: you stepped along the gradient. The gradient points uphill; "
            "descend with w -= lr * w.grad.",
            mistake="ascent",
        )
    return wrong(
        f"After {DESCENT_STEPS} steps your w is {_text(mine)}, a correct loop gives "
        f"{_text(truth)}. Each step: compute the loss, reset w.grad, backward, then "
        f"w -= lr * w.grad inside no_grad()."
    )

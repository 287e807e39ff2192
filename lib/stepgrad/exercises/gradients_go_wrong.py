"""Checks for chapter 9, "When gradients go wrong".

Truths: the sigmoid's slope computed by autograd on a fine grid, gradient
norms computed with numpy from the check's own gradients, and Newton's step
from derivatives written out in closed form. Classic mistakes are recognised
by making them on purpose: a slope added instead of multiplied (or sigmoid's
value taken for its slope), each tensor clipped on its own or each value
clamped, small gradients scaled up, the Newton step upside down or replaced by
a gradient step, and ``create_graph=True`` forgotten.

    >>> from stepgrad.exercises import gradients_go_wrong
    >>> gradients_go_wrong.check_surviving_fraction(0.25**10).status
    'correct'
"""

import math

import numpy as np

from stepgrad.creation import tensor
from stepgrad.exercises.feedback import (
    LearnerCodeFailed,
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
# Exercise 9.1: how much gradient survives ten sigmoids?
# ---------------------------------------------------------------------------

LAYERS = 10


def largest_sigmoid_slope():
    """max over z of sigmoid'(z), by autograd on a fine grid (it is reached at z = 0)."""
    z = tensor(np.linspace(-6.0, 6.0, 1201), requires_grad=True)
    z.sigmoid().sum().backward()
    return float(z.grad.data.max())


@exercise("9.1", "what survives ten sigmoids")
def check_surviving_fraction(fraction):
    """Check the largest fraction of a gradient that passes through LAYERS sigmoids."""
    mine = expect_number(fraction, "Your fraction")
    slope = largest_sigmoid_slope()
    truth = slope**LAYERS
    if close(mine, truth, rel=1e-3):
        return correct(
            f"At most {slope:g} per sigmoid, so at most {slope:g}^{LAYERS} ≈ {truth:.3g} of the "
            f"gradient reaches the first layer: about one millionth."
        )
    if close(mine, slope, rel=1e-3):
        return wrong(
            f"{slope:g} is what passes through one sigmoid. The chain rule multiplies the "
            f"factors of all {LAYERS} layers.",
            mistake="one_layer_only",
        )
    if close(mine, slope * LAYERS, rel=1e-3):
        return wrong(
            "The chain rule multiplies the slopes of stacked functions; it does not add them.",
            mistake="added_not_multiplied",
        )
    if close(mine, 0.5**LAYERS, rel=1e-3):
        return wrong(
            "0.5 is sigmoid(0), the function's value. What flows back is its slope, "
            "sigmoid(z)·(1 − sigmoid(z)), whose largest value is smaller.",
            mistake="value_not_slope",
        )
    if close(mine, 1.0):
        return wrong(
            "A ReLU passes a gradient unchanged where it is active; a sigmoid never does. "
            "What is the largest slope of sigmoid?",
            mistake="relu_slope",
        )
    return wrong(
        "Find the largest slope of sigmoid (it is at z = 0), then multiply one such factor "
        f"per layer, {LAYERS} times."
    )


# ---------------------------------------------------------------------------
# Exercise 9.2: clip the gradients' total norm.
# ---------------------------------------------------------------------------

MAX_NORM = 8.5
LARGE_GRADIENTS = ([5.0, 12.0], [[84.0]])  # total norm sqrt(25 + 144 + 7056) = 85
SMALL_GRADIENTS = ([0.05, 0.12], [[0.84]])  # total norm 0.85, below MAX_NORM


def _parameters_with(gradients):
    parameters = []
    for values in gradients:
        parameter = tensor(np.zeros(np.shape(values)), requires_grad=True)
        parameter.grad = tensor(np.array(values, dtype=np.float64))
        parameters.append(parameter)
    return parameters


def _total_norm(gradients):
    return math.sqrt(sum(float((np.asarray(g, dtype=np.float64) ** 2).sum()) for g in gradients))


def clipped_by_total_norm(gradients, max_norm):
    """The gradients after clipping done right: one scale for all, only if the norm is too big."""
    total = _total_norm(gradients)
    scale = min(1.0, max_norm / total)
    return [np.asarray(g, dtype=np.float64) * scale for g in gradients]


def _clipped_each(gradients, max_norm):
    return [clipped_by_total_norm([g], max_norm)[0] for g in gradients]


def _clamped(gradients, max_norm):
    return [np.clip(np.asarray(g, dtype=np.float64), -max_norm, max_norm) for g in gradients]


def _scaled_to(gradients, max_norm):
    total = _total_norm(gradients)
    return [np.asarray(g, dtype=np.float64) * (max_norm / total) for g in gradients]


def _same(arrays, expected):
    return all(
        np.shape(a) == np.shape(e) and np.allclose(a, e, rtol=1e-6, atol=1e-12)
        for a, e in zip(arrays, expected)
    )


def _run_clipping(clip_grad_norm, gradients):
    parameters = _parameters_with(gradients)
    returned = call_learner(clip_grad_norm, parameters, MAX_NORM)
    after = []
    for parameter in parameters:
        if parameter.grad is None:
            raise Rejected(
                "After your function a parameter's .grad is None. Scale the gradients; "
                "do not remove them.",
                "grad_removed",
            )
        after.append(parameter.grad.data.astype(np.float64))
    return returned, after


@exercise("9.2", "clipping the gradient norm")
def check_clip_grad_norm(clip_grad_norm):
    """Check ``clip_grad_norm(parameters, max_norm)``: scales all .grad together, returns the norm."""
    returned, after = _run_clipping(clip_grad_norm, LARGE_GRADIENTS)
    if _same(after, [np.asarray(g, dtype=np.float64) for g in LARGE_GRADIENTS]):
        return wrong(
            "The gradients are unchanged. Their total norm is above max_norm, so each "
            "parameter's .grad must be multiplied by max_norm / total_norm (p.grad *= scale, "
            "or p.grad = p.grad * scale).",
            mistake="not_changed",
        )
    if _same(after, _clipped_each(LARGE_GRADIENTS, MAX_NORM)):
        return wrong(
            "You clipped each tensor by its own norm, which changes the direction of the whole "
            "gradient (one tensor shrinks more than another). Compute one norm over all the "
            "gradients together, sqrt of the sum of every squared entry, and one scale for all.",
            mistake="clipped_each_tensor",
        )
    if _same(after, _clamped(LARGE_GRADIENTS, MAX_NORM)):
        return wrong(
            "That clamps each value to [-max_norm, max_norm] (clipping by value). Clipping by "
            "norm keeps the direction: multiply every gradient by max_norm / total_norm.",
            mistake="clipped_values",
        )
    if not _same(after, clipped_by_total_norm(LARGE_GRADIENTS, MAX_NORM)):
        return wrong(
            "After clipping, the total norm of all gradients should be exactly max_norm, "
            "each one scaled by the same factor max_norm / total_norm."
        )
    _, small_after = _run_clipping(clip_grad_norm, SMALL_GRADIENTS)
    if _same(small_after, _scaled_to(SMALL_GRADIENTS, MAX_NORM)):
        return wrong(
            "Gradients whose total norm is already below max_norm were scaled up to it. "
            "Clipping only ever shrinks: scale by min(1, max_norm / total_norm).",
            mistake="scaled_up_small",
        )
    if not _same(small_after, clipped_by_total_norm(SMALL_GRADIENTS, MAX_NORM)):
        return wrong("Gradients whose total norm is below max_norm must be left as they are.")
    total = _total_norm(LARGE_GRADIENTS)
    if isinstance(returned, Tensor):
        returned = returned.item()
    if returned is None or not close(float(returned), total, rel=1e-6):
        return wrong(
            f"The gradients are clipped right. Return the total norm measured before "
            f"clipping, as torch.nn.utils.clip_grad_norm_ does (here {total:g}), so that a "
            f"training loop can log how large the gradients were.",
            mistake="wrong_return",
        )
    return correct(
        f"The total norm {total:g} is cut to {MAX_NORM:g}: every gradient is multiplied by "
        f"{MAX_NORM / total:g}, so the step keeps its direction; gradients already small are "
        f"left alone."
    )


# ---------------------------------------------------------------------------
# Exercise 9.3: one Newton step with autograd.grad.
# ---------------------------------------------------------------------------

NEWTON_START = 1.5


def quartic(x):
    """f(x) = x⁴ − 3x² + x, the function of chapter 9's Newton section."""
    return x**4 - 3 * x**2 + x


def quartic_slope(x):
    return 4 * x**3 - 6 * x + 1


def quartic_curvature(x):
    return 12 * x**2 - 6


@exercise("9.3", "a Newton step")
def check_newton_step(newton_step):
    """Check ``newton_step(f, x)``: x − f'(x)/f''(x), with both derivatives from autograd."""
    x = tensor(NEWTON_START, dtype="float64", requires_grad=True)
    try:
        result = call_learner(newton_step, quartic, x)
    except LearnerCodeFailed as failure:
        message = str(failure.error)
        if "does not require grad" in message:
            return wrong(
                "The second grad() found nothing to differentiate: the first derivative was "
                "computed without recording how it depends on x. Pass create_graph=True to "
                "the first grad() call.",
                mistake="no_create_graph",
            )
        if "second time" in message:
            return wrong(
                "The second grad() walked a graph that the first had already freed. With "
                "create_graph=True on the first call the graph is kept for the second.",
                mistake="graph_freed",
            )
        raise
    if isinstance(result, Tensor):
        result = result.item()
    mine = expect_number(result, "Your new x")
    slope, curvature = quartic_slope(NEWTON_START), quartic_curvature(NEWTON_START)
    truth = NEWTON_START - slope / curvature
    if close(mine, truth, rel=1e-9):
        return correct(
            f"f'(1.5) = {slope:g} and f''(1.5) = {curvature:g}, so x moves to {truth:.6f}; "
            f"a few more steps reach the minimum to machine precision."
        )
    if close(mine, NEWTON_START - slope, rel=1e-9):
        return wrong(
            "That is a gradient-descent step with learning rate 1. Newton divides the slope "
            "by the curvature f''(x): x − f'(x) / f''(x).",
            mistake="gradient_step",
        )
    if close(mine, NEWTON_START - curvature / slope, rel=1e-9):
        return wrong(
            "The fraction is upside down: the step is f'(x) / f''(x), slope over curvature.",
            mistake="ratio_inverted",
        )
    if close(mine, NEWTON_START + slope / curvature, rel=1e-9):
        return wrong(
            "Wrong direction: Newton's step subtracts f'(x) / f''(x).", mistake="wrong_sign"
        )
    return wrong(
        "Compute f'(x) with grad(f(x), x, create_graph=True), then f''(x) as the grad of that "
        "first derivative, and return x − f'(x) / f''(x) as a number."
    )

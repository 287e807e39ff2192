"""Checks for chapter 9, "When gradients go wrong".

Truths: the sigmoid's slope computed by autograd on a fine grid, gradient
norms computed with numpy from the check's own gradients, and a Hessian
written out in closed form. Classic mistakes are recognised by making them on
purpose: a slope added instead of multiplied (or sigmoid's value taken for its
slope), each tensor clipped on its own or each value clamped, small gradients
scaled up, the gradient (or the gradient times v, or the slope along v) given
for the Hessian-vector product, and ``create_graph=True`` forgotten.

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
# Exercise 9.3: a Hessian-vector product with autograd.grad.
# ---------------------------------------------------------------------------

HVP_POINT = (1.5, -0.5)
HVP_DIRECTION = (2.0, 1.0)


def saddle(x):
    """f(x) = x₀² x₁ + x₁³, the function of exercise 9.3."""
    return x[0] ** 2 * x[1] + x[1] ** 3


def saddle_gradient(x0, x1):
    return np.array([2 * x0 * x1, x0**2 + 3 * x1**2])


def saddle_hessian(x0, x1):
    return np.array([[2 * x1, 2 * x0], [2 * x0, 6 * x1]])


@exercise("9.3", "a Hessian-vector product")
def check_hessian_vector_product(hessian_vector_product):
    """Check ``hessian_vector_product(f, x, v)``: H(x) v, from two calls of autograd.grad."""
    x = tensor(list(HVP_POINT), dtype="float64", requires_grad=True)
    v = tensor(list(HVP_DIRECTION), dtype="float64")
    try:
        result = call_learner(hessian_vector_product, saddle, x, v)
    except LearnerCodeFailed as failure:
        message = str(failure.error)
        if "does not require grad" in message:
            return wrong(
                "The second grad() found nothing to differentiate: the gradient was computed "
                "without recording how it depends on x. Pass create_graph=True to the first "
                "grad() call.",
                mistake="no_create_graph",
            )
        if "second time" in message:
            return wrong(
                "The second grad() walked a graph that the first had already freed. With "
                "create_graph=True on the first call the graph is kept for the second.",
                mistake="graph_freed",
            )
        raise
    if isinstance(result, tuple | list) and len(result) == 1:
        result = result[0]
    if isinstance(result, Tensor):
        result = result.data
    try:
        mine = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise Rejected(
            f"Return the product as a tensor of two numbers, got {type(result).__name__}."
        ) from None
    point, direction = np.array(HVP_POINT), np.array(HVP_DIRECTION)
    gradient = saddle_gradient(*point)
    truth = saddle_hessian(*point) @ direction
    if mine.shape == truth.shape and np.allclose(mine, truth, rtol=1e-9):
        return correct(
            f"H(x)·v = {_text(truth)}: the gradient of (∇f · v), without ever building the "
            f"2 × 2 Hessian. For a model with a million parameters that is the difference "
            f"between two backward passes and a million of them."
        )
    if mine.shape == gradient.shape and np.allclose(mine, gradient, rtol=1e-9):
        return wrong(
            "That is the gradient ∇f(x), the first derivative. Differentiate once more: "
            "the gradient of (∇f · v) with respect to x.",
            mistake="gradient_not_product",
        )
    if mine.shape == gradient.shape and np.allclose(mine, gradient * direction, rtol=1e-9):
        return wrong(
            "That multiplies the gradient by v element by element. The product needs the "
            "second derivatives: take the gradient of (∇f · v), or pass grad_outputs=v to "
            "the second grad() call.",
            mistake="elementwise_product",
        )
    if mine.size == 1 and np.allclose(mine, gradient @ direction, rtol=1e-9):
        return wrong(
            "That is ∇f · v, the slope of f along v (one number). Its gradient with respect "
            "to x is the Hessian-vector product.",
            mistake="directional_derivative",
        )
    return wrong(
        "Take g = grad(f(x), x, create_graph=True)[0], then the gradient of (g * v).sum() "
        "with respect to x."
    )


def _text(values):
    return str([float(f"{v:.6g}") for v in np.ravel(values)])

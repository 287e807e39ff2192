"""Checks for chapter 6, "Your own operation".

The learner hands in a ``Function`` subclass. The check runs it as the engine
would, seeding backward with a gradient that is not all ones (so a backward
that ignores its upstream gradient cannot pass by luck), compares with the
derivative worked out in closed form, and runs ``gradcheck`` as the final
word. Wrong backwards are compared with the classic mistakes made on purpose:
the upstream gradient ignored, the power rule misapplied, the two gradients
of a two-input operation swapped, nothing saved for backward, one gradient
returned for two inputs.

    >>> from stepgrad.exercises import ___, custom_operations
    >>> custom_operations.check_cube(___).status
    'unanswered'
"""

import numpy as np

from stepgrad.autograd.function import Function
from stepgrad.autograd.gradcheck import GradcheckError, gradcheck
from stepgrad.creation import tensor
from stepgrad.exercises.feedback import (
    LearnerCodeFailed,
    NotAnswered,
    Rejected,
    _mentions_blank,
    call_learner,
    correct,
    exercise,
    wrong,
)

CUBE_AT = (-1.5, 0.5, 2.0)
CUBE_SEED = (2.0, -1.0, 0.5)  # d(loss)/d(output): not all ones, so upstream matters
HYPOT_A = ((3.0, -1.0), (0.5, 2.0), (-2.0, 1.5))  # (3, 2)
HYPOT_B = (4.0, -2.5)  # (2,): broadcast against HYPOT_A's rows
HYPOT_SEED = ((1.0, -2.0), (0.5, 1.5), (-1.0, 2.0))


def _function_class(answer, name):
    """``answer`` if it is a finished Function subclass, else ``Rejected`` or ``NotAnswered``."""
    if isinstance(answer, Function):
        raise Rejected(
            f"Pass the class {name} itself, not an instance: the check calls {name}.apply(...).",
            "instance_not_class",
        )
    if not (isinstance(answer, type) and issubclass(answer, Function)):
        raise Rejected(
            f"Expected a subclass of stepgrad.autograd.Function (class {name}(Function): ...), "
            f"got {_describe(answer)}.",
            "not_a_function_class",
        )
    for method in ("forward", "backward"):
        code = getattr(getattr(answer, method), "__code__", None)
        if code is not None and _mentions_blank(code):
            raise NotAnswered(f"{name}.{method} still contains ___")
    return answer


def _describe(answer):
    """What the learner handed in, without a memory address (a function's repr has one)."""
    name = getattr(answer, "__name__", None)
    kind = "a class" if isinstance(answer, type) else type(answer).__name__
    return f"{kind} named {name}" if name else f"{kind} {answer!r}"


def _apply_and_backward(function, inputs, seed, what):
    """Run ``function.apply(*inputs)`` and backward with ``seed``; the inputs' grads."""
    output = call_learner(function.apply, *inputs, what=f"Your {what}.forward")
    if not hasattr(output, "grad_fn") or output.grad_fn is None:
        raise Rejected(
            f"{what}.apply returned {type(output).__name__}, not a tensor in the graph. "
            f"forward must return a numpy array (the engine wraps it in a Tensor).",
            "no_graph_node",
        )
    call_learner(
        lambda: output.backward(gradient=tensor(np.asarray(seed))), what=f"Your {what}.backward"
    )
    return output, [None if x.grad is None else x.grad.data for x in inputs]


def _named_failure(failure, name, inputs_count):
    """A named hint for the errors half-written Functions raise, else None."""
    error, message = failure.error, str(failure.error)
    if isinstance(error, ValueError) and "not enough values to unpack" in message:
        return wrong(
            f"{name}.backward unpacked ctx.saved_tensors, but forward saved nothing. Call "
            f"ctx.save_for_backward(...) in forward with what backward needs.",
            mistake="nothing_saved",
        )
    if isinstance(error, RuntimeError) and "returned" in message and "gradient(s)" in message:
        return wrong(
            f"{name}.backward must return one gradient per forward argument: {inputs_count} "
            f"here, as a tuple, in the order of forward's arguments.",
            mistake="wrong_number_of_gradients",
        )
    return None


def _close(a, b):
    return a is not None and a.shape == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-9)


def _gradcheck_verdict(function, inputs, name):
    """None when gradcheck agrees, else a Verdict quoting its report."""
    try:
        gradcheck(function.apply, inputs)
    except GradcheckError as failure:
        return wrong(f"gradcheck disagrees with {name}.backward: {failure}")
    return None


# ---------------------------------------------------------------------------
# Exercise 6.1: the backward of Cube.
# ---------------------------------------------------------------------------


def _cube_inputs():
    return (tensor(np.array(CUBE_AT), requires_grad=True),)


@exercise("6.1", "the backward of a cube")
def check_cube(cube):
    """Check a Function ``Cube`` (forward x**3) by its gradients and by gradcheck."""
    cube = _function_class(cube, "Cube")
    x = np.array(CUBE_AT)
    seed = np.array(CUBE_SEED)
    try:
        output, (grad,) = _apply_and_backward(cube, _cube_inputs(), seed, "Cube")
    except LearnerCodeFailed as failure:
        named = _named_failure(failure, "Cube", 1)
        if named is not None:
            return named
        raise
    if not np.allclose(output.data, x**3):
        return wrong(f"Cube's forward gives {output.data.tolist()} at x = {list(CUBE_AT)}.")
    truth = seed * 3 * x**2  # upstream x d(x^3)/dx
    if _close(grad, truth):
        return _gradcheck_verdict(cube, _cube_inputs(), "Cube") or correct(
            "grad * 3x²: upstream times local, element by element, and gradcheck agrees."
        )
    if _close(grad, 3 * x**2):
        return wrong(
            "Your backward returns the local derivative 3x² alone. backward receives the "
            "gradient of the loss with respect to the output, grad; the chain rule "
            "multiplies by it: return grad * 3 * x**2.",
            mistake="local_only",
        )
    for mistaken, hint in (
        (seed * 3 * x, "d(x³)/dx is 3x², not 3x: the power rule lowers the exponent by one."),
        (seed * x**2, "d(x³)/dx is 3x²: the exponent comes down as a factor."),
        (seed * x**3, "That is the forward value times grad; the derivative of x³ is 3x²."),
    ):
        if _close(grad, mistaken):
            return wrong(hint, mistake="wrong_local_derivative")
    return wrong(
        f"With x = {list(CUBE_AT)} and grad = {list(CUBE_SEED)}, x.grad should be "
        f"grad * 3x² = {truth.tolist()}, yours is {None if grad is None else grad.tolist()}."
    )


# ---------------------------------------------------------------------------
# Exercise 6.2: a two-input operation, hypot(a, b) = sqrt(a² + b²).
# ---------------------------------------------------------------------------


def _hypot_inputs():
    a = tensor(np.array(HYPOT_A), requires_grad=True)
    b = tensor(np.array(HYPOT_B), requires_grad=True)
    return a, b


def _sum_rows(array):
    """A gradient for b (2,) from one of the output's shape (3, 2)."""
    return np.sum(array, axis=0)


@exercise("6.2", "an operation with two inputs")
def check_hypot(hypot):
    """Check a Function ``Hypot`` with hypot(a, b) = sqrt(a² + b²), b broadcast over a's rows."""
    hypot = _function_class(hypot, "Hypot")
    a, b = np.array(HYPOT_A), np.array(HYPOT_B)
    seed = np.array(HYPOT_SEED)
    try:
        output, (grad_a, grad_b) = _apply_and_backward(hypot, _hypot_inputs(), seed, "Hypot")
    except LearnerCodeFailed as failure:
        named = _named_failure(failure, "Hypot", 2)
        if named is not None:
            return named
        raise
    h = np.hypot(a, b)
    if output.data.shape != h.shape or not np.allclose(output.data, h):
        return wrong(
            "Hypot's forward is not sqrt(a² + b²): check it on a = 3, b = 4, which gives 5 "
            "(np.sqrt(a**2 + b**2) or np.hypot(a, b))."
        )
    true_a, true_b = seed * a / h, _sum_rows(seed * b / h)
    if _close(grad_a, true_a) and _close(grad_b, true_b):
        return _gradcheck_verdict(hypot, _hypot_inputs(), "Hypot") or correct(
            "grad · a/h and grad · b/h, one per input; the engine summed b's back over the "
            "rows it was broadcast along, and gradcheck agrees."
        )
    if _close(grad_a, seed * b / h) and _close(grad_b, _sum_rows(seed * a / h)):
        return wrong(
            "The two gradients are swapped: return them in the order of forward's "
            "arguments, (gradient for a, gradient for b). d h/d a = a/h.",
            mistake="swapped",
        )
    if _close(grad_a, a / h) and _close(grad_b, _sum_rows(b / h)):
        return wrong(
            "Your backward returns the local derivatives a/h and b/h alone; multiply each "
            "by the upstream gradient grad (the chain rule).",
            mistake="local_only",
        )
    if _close(grad_a, true_a):
        return wrong("The gradient for a is right; the one for b is not. d h/d b = b/h.")
    if _close(grad_b, true_b):
        return wrong("The gradient for b is right; the one for a is not. d h/d a = a/h.")
    return wrong(
        "h = sqrt(a² + b²), so d h/d a = a/h and d h/d b = b/h; backward returns "
        "(grad * a / h, grad * b / h). Save what you need in forward."
    )

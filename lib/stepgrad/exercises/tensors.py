"""Checks for chapter 4, "From scalars to tensors".

The truth is stepgrad's own backward on the same arrays (in the tests, finite
differences). Wrong answers are run against the classic mistakes made on
purpose: a matrix product's gradient without its transpose or with its factors
the wrong way round, and a broadcast gradient not summed back to its operand's
shape (or averaged, or summed too far).

    >>> from stepgrad.exercises import tensors
    >>> tensors.check_shapes((2, 4), (5, 3), (3, 4)).status
    'correct'
"""

import numpy as np

from stepgrad.creation import tensor
from stepgrad.exercises.feedback import Rejected, call_learner, correct, exercise, wrong
from stepgrad.functions.broadcast import unbroadcast
from stepgrad.tensor import Tensor


def as_array(answer, what):
    """``answer`` (a numpy array, a Tensor, nested lists) as a float64 array, or ``Rejected``."""
    if isinstance(answer, Tensor):
        answer = answer.data
    if answer is None:
        raise Rejected(f"{what} is None. Did you forget a return?", "no_return")
    try:
        array = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise Rejected(
            f"{what} should be an array of numbers, got {type(answer).__name__}."
        ) from None
    return array


def _same(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-9)


def _shape_text(shape):
    return str(tuple(shape))


# ---------------------------------------------------------------------------
# Exercise 4.1: predict three shapes.
# ---------------------------------------------------------------------------


def _as_shape(answer, what):
    if isinstance(answer, int) and not isinstance(answer, bool):
        answer = (answer,)
    try:
        shape = tuple(answer)
    except TypeError:
        raise Rejected(
            f"{what} should be a shape such as (2, 3), got {type(answer).__name__} {answer!r}."
        ) from None
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise Rejected(f"{what} should be a tuple of whole numbers such as (2, 3), got {answer!r}.")
    return tuple(int(n) for n in shape)


@exercise("4.1", "predict the shapes")
def check_shapes(product_shape, broadcast_shape, grad_shape):
    """Check the shapes of A @ B, x + b, and B.grad (A: (2, 3), B: (3, 4), x: (5, 1), b: (3,))."""
    product_shape = _as_shape(product_shape, "The shape of A @ B")
    broadcast_shape = _as_shape(broadcast_shape, "The shape of x + b")
    grad_shape = _as_shape(grad_shape, "The shape of B.grad")
    A = tensor(np.ones((2, 3)), requires_grad=True)
    B = tensor(np.ones((3, 4)), requires_grad=True)
    x, b = tensor(np.ones((5, 1))), tensor(np.ones(3))
    product = A @ B
    product.sum().backward()
    truths = (tuple(product.shape), tuple((x + b).shape), tuple(B.grad.shape))
    answers = (product_shape, broadcast_shape, grad_shape)
    if answers == truths:
        return correct(
            "(2, 3) @ (3, 4) keeps the outer sizes; (5, 1) + (3,) stretches both to (5, 3); "
            "and a gradient always has the shape of its own tensor, here B's."
        )
    if grad_shape == truths[0] and grad_shape != truths[2]:
        return wrong(
            f"B.grad has B's shape, {_shape_text(truths[2])}, not the product's: the "
            f"gradient says how the loss moves per element of B, one number for each.",
            mistake="grad_has_output_shape",
        )
    if product_shape != truths[0]:
        return wrong(
            "A @ B: the inner sizes (3 and 3) meet and disappear; the result has A's rows "
            "and B's columns."
        )
    if broadcast_shape != truths[1]:
        return wrong(
            "Line the shapes up from the right: (5, 1) against (3,). A missing leading "
            "dimension counts as size 1, and a size 1 stretches to match the other size."
        )
    return wrong(f"A gradient has the shape of its tensor; B is {_shape_text(B.shape)}.")


# ---------------------------------------------------------------------------
# Exercise 4.2: the gradient of a matrix product.
# ---------------------------------------------------------------------------


def matmul_cases():
    """(A, B, G) triples: square first (every mistake computes), then non-square."""
    rng = np.random.default_rng(4)
    square = [rng.integers(-3, 4, size=(3, 3)).astype(np.float64) for _ in range(3)]
    rectangular = (
        rng.integers(-3, 4, size=(2, 3)).astype(np.float64),
        rng.integers(-3, 4, size=(3, 4)).astype(np.float64),
        rng.integers(-3, 4, size=(2, 4)).astype(np.float64),
    )
    return [tuple(square), rectangular]


def matmul_gradients(A, B, G):
    """dL/dA and dL/dB for C = A @ B with dL/dC = G, by stepgrad's backward."""
    A_t, B_t = tensor(A, requires_grad=True), tensor(B, requires_grad=True)
    (A_t @ B_t).backward(gradient=tensor(G))
    return A_t.grad.data, B_t.grad.data


_MATMUL_MISTAKES = (
    (
        "swapped",
        lambda A, B, G: (A.T @ G, G @ B.T),
        "Both formulas are right but returned in the wrong order: return (dA, dB).",
    ),
    (
        "no_transpose",
        lambda A, B, G: (G @ B, A @ G),
        (
            "The transposes are missing. Match the shapes: dA must be (m, k) like A, and the "
            "only way to get that from G (m, n) and B (k, n) is G @ B.T; likewise A.T @ G."
        ),
    ),
    (
        "factors_reversed",
        lambda A, B, G: (B.T @ G, G @ A.T),
        (
            "The factors are in the wrong order: matrix products do not commute. Write one "
            "element out, dL/dA_ip = sum_j G_ij B_pj, and you get G @ B.T, with G on the left."
        ),
    ),
    (
        "results_transposed",
        lambda A, B, G: (B @ G.T, G.T @ A),
        (
            "Each result is the transpose of the gradient: it has the shape of A.T, not of A. "
            "The gradient with respect to A must line up with A, element by element."
        ),
    ),
)


def _pair(result):
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise Rejected(
            f"matmul_grads should return two arrays, (dA, dB), got {type(result).__name__}.",
            "not_a_pair",
        )
    return result


@exercise("4.2", "the gradient of a matrix product")
def check_matmul_grads(matmul_grads):
    """Check ``matmul_grads(A, B, G) -> (dA, dB)`` on square and rectangular matrices."""
    for A, B, G in matmul_cases():
        dA, dB = _pair(call_learner(matmul_grads, A.copy(), B.copy(), G.copy()))
        dA, dB = as_array(dA, "Your dA"), as_array(dB, "Your dB")
        true_dA, true_dB = matmul_gradients(A, B, G)
        if _same(dA, true_dA) and _same(dB, true_dB):
            continue
        for mistake, formulas, hint in _MATMUL_MISTAKES:
            try:
                mistaken = formulas(A, B, G)
            except ValueError:
                continue  # on rectangular matrices most mistakes cannot even be computed
            if all(map(_same, (dA, dB), mistaken)):
                return wrong(hint, mistake=mistake)
        for name, mine, truth, operand in (("dA", dA, true_dA, "A"), ("dB", dB, true_dB, "B")):
            if mine.shape != truth.shape:
                return wrong(
                    f"With A {_shape_text(A.shape)}, B {_shape_text(B.shape)} and G "
                    f"{_shape_text(G.shape)}, your {name} has shape {_shape_text(mine.shape)}; "
                    f"it must have {operand}'s shape, {_shape_text(truth.shape)}.",
                    mistake="wrong_shape",
                )
        right = "dA" if _same(dA, true_dA) else "dB" if _same(dB, true_dB) else None
        return wrong(
            (f"{right} is right, the other is not. " if right else "")
            + "Write one element of C = A @ B, C_ij = sum_p A_ip B_pj, and differentiate "
            "L with respect to A_ip and B_pj by the chain rule through every C_ij."
        )
    return correct(
        "dL/dA = G Bᵀ and dL/dB = Aᵀ G, on square and rectangular matrices: the same "
        "two products stepgrad's MatMul.backward computes."
    )


# ---------------------------------------------------------------------------
# Exercise 4.3: sum a broadcast gradient back to its operand's shape.
# ---------------------------------------------------------------------------

# (shape of the gradient, shape of the operand that was broadcast to it)
# Ordered so that each classic mistake shows first where it is unambiguous: returning the
# gradient unchanged fails the first case, forgetting the size-1 axes the second.
SUM_TO_SHAPE_CASES = (
    ((4, 3), (3,)),
    ((2, 4, 3), (4, 1)),
    ((4, 3), (1, 3)),
    ((4, 3), (4, 1)),
    ((4, 3), ()),
    ((4, 3), (4, 3)),
)


def _case_gradient(grad_shape, number):
    rng = np.random.default_rng(40 + number)
    return rng.integers(-4, 5, size=grad_shape).astype(np.float64)


def summed_axes(grad_shape, shape):
    """The axes of ``grad_shape`` that broadcasting created or stretched from size 1."""
    extra = len(grad_shape) - len(shape)
    stretched = [extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1]
    return tuple(range(extra)) + tuple(stretched)


def _sum_to_shape_mistakes(grad, shape):
    """(mistake, what the mistaken version returns, hint) for one case."""
    axes = summed_axes(grad.shape, shape)
    extra = grad.ndim - len(shape)
    count = int(np.prod([grad.shape[a] for a in axes])) if axes else 1
    truth = np.sum(grad, axis=axes).reshape(shape)
    leading_only = np.sum(grad, axis=tuple(range(extra))) if extra else grad
    dims_dropped = np.sum(grad, axis=axes)
    return (
        (
            "broadcast_not_summed",
            grad,
            (
                f"the result still has the output's shape {_shape_text(grad.shape)}, not the "
                f"operand's {_shape_text(shape)}: it was not summed back. Each element of the "
                f"operand was used once per position along the stretched axes, and, as for a "
                f"Value used twice, those contributions add up: sum over axes {axes}."
            ),
        ),
        (
            "averaged",
            truth / count,
            (
                "you averaged where you should sum. Every use of a broadcast element contributes "
                "its own share of the gradient, and shares add up (a value used twice gets both "
                "contributions, not their mean)."
            ),
        ),
        (
            "summed_everything",
            np.sum(grad),
            (
                "you summed over every axis, down to one number. Sum only over the axes "
                "broadcasting created or stretched; the others belong to distinct elements."
            ),
        ),
        (
            "size_one_axes_missed",
            leading_only,
            (
                f"you summed the leading axes broadcasting added, but not the axes where the "
                f"operand had size 1 and the output did not (here the operand is "
                f"{_shape_text(shape)}). Sum those too, keeping them as size 1 (keepdims=True)."
            ),
        ),
        (
            "kept_dims_dropped",
            dims_dropped,
            (
                f"the numbers are right but the shape is {_shape_text(dims_dropped.shape)} "
                f"instead of {_shape_text(shape)}: an axis where the operand had size 1 must "
                f"stay, with size 1. Use keepdims=True for those axes (or reshape at the end)."
            ),
        ),
    )


@exercise("4.3", "summing a broadcast gradient back")
def check_sum_to_shape(sum_to_shape):
    """Check ``sum_to_shape(grad, shape)`` against stepgrad's ``unbroadcast``."""
    for number, (grad_shape, shape) in enumerate(SUM_TO_SHAPE_CASES):
        grad = _case_gradient(grad_shape, number)
        mine = as_array(call_learner(sum_to_shape, grad.copy(), shape), "Your result")
        truth = unbroadcast(tensor(grad), shape).data
        if _same(mine, truth):
            continue
        for mistake, mistaken, hint in _sum_to_shape_mistakes(grad, shape):
            mistaken = np.asarray(mistaken)
            if not _same(mistaken, truth) and _same(mine, mistaken):
                return wrong(
                    f"Gradient {_shape_text(grad_shape)}, operand {_shape_text(shape)}: {hint}",
                    mistake,
                )
        return wrong(
            f"For a gradient of shape {_shape_text(grad_shape)} and an operand of shape "
            f"{_shape_text(shape)}, your result (shape {_shape_text(mine.shape)}) differs from "
            f"the sum over axes {summed_axes(grad_shape, shape)}, which should have shape "
            f"{_shape_text(truth.shape)}."
        )
    return correct(
        "Leading axes summed away, size-1 axes summed and kept, everything else left alone: "
        "that is unbroadcast, which the engine applies to every input of every operation."
    )

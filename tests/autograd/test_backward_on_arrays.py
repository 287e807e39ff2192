"""The plain backward pass runs array-safe formulas on bare numpy arrays (engine.run_backward).

Functions that set ``backward_on_arrays`` get arrays from ``loss.backward()`` and
Tensors whenever the backward is recorded or watched. Both routes must give the
same gradients for every built-in operation; the Tensor route is the one the
finite-difference and PyTorch tests of tests/tensor also check.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import stepgrad
from stepgrad.autograd import Function
from stepgrad.functions import elementwise, linalg, losses

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tensor"))
from tensor_numerics import output_weights
from tensor_op_cases import ALL_CASES, case_id

_rng = np.random.default_rng(7)
_probabilities = _rng.uniform(0.05, 0.95, (4, 3))
_targets = _rng.uniform(0.0, 1.0, (4, 3))

# The losses, with targets that require a gradient too (BCE's target derivative
# takes logarithms, which arrays and Tensors spell differently).
LOSS_CASES = [
    (
        f"{name} {reduction}",
        lambda m, p, y, loss=loss, reduction=reduction: loss(m, p, y, reduction),
        [_probabilities, _targets],
    )
    for name, loss in [
        ("mse", lambda m, p, y, r: m.nn.functional.mse_loss(p, y, reduction=r)),
        ("bce", lambda m, p, y, r: m.nn.functional.binary_cross_entropy(p, y, reduction=r)),
    ]
    for reduction in ("mean", "sum", "none")
]
CASES = ALL_CASES + LOSS_CASES

ARRAY_SAFE = [
    elementwise.Add,
    elementwise.Sub,
    elementwise.Mul,
    elementwise.Div,
    elementwise.Neg,
    elementwise.Pow,
    elementwise.Exp,
    elementwise.Log,
    elementwise.Sqrt,
    elementwise.ReLU,
    elementwise.Sigmoid,
    elementwise.Tanh,
    elementwise.Clamp,
    linalg.Linear,
    losses.MSELoss,
    losses.BCELoss,
    losses.CrossEntropyLoss,
]


def gradients(fn, arrays, dtype, route):
    """d(sum of weighted outputs)/d(input) for each input, by the plain pass or a recorded one."""
    inputs = [stepgrad.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    weights = stepgrad.tensor(output_weights(stepgrad, fn, arrays), dtype=dtype)
    total = (fn(stepgrad, *inputs) * weights).sum()
    if route == "arrays":
        total.backward()
        return [t.grad for t in inputs]
    return list(stepgrad.autograd.grad(total, inputs, create_graph=True, allow_unused=True))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_plain_pass_and_a_recorded_pass_give_the_same_gradients(case):
    _name, fn, arrays = case
    plain = gradients(fn, arrays, stepgrad.float64, "arrays")
    recorded = gradients(fn, arrays, stepgrad.float64, "tensors")
    for position, (mine, reference) in enumerate(zip(plain, recorded)):
        if reference is None:
            assert mine is None or not mine.data.any(), f"input {position}"
            continue
        assert type(mine) is stepgrad.Tensor and mine.grad_fn is None, f"input {position}"
        np.testing.assert_allclose(
            mine.data, reference.data, rtol=1e-12, atol=1e-15, err_msg=f"input {position}"
        )


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_plain_pass_keeps_each_gradient_in_its_inputs_dtype_and_shape(case):
    # float32 inputs: numpy may widen 0-d intermediate results (numpy 1.x), and
    # broadcasting may stretch them; .grad must come back as the input is.
    _name, fn, arrays = case
    for array, grad in zip(arrays, gradients(fn, arrays, stepgrad.float32, "arrays")):
        if grad is not None:
            assert grad.dtype == stepgrad.float32
            assert grad.shape == np.shape(array)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cross_entropy_gives_the_same_gradient_by_both_routes(reduction, dtype):
    # Its target is class indices, not a tensor that takes a gradient, so it is not
    # one of CASES. The plain pass takes the softmax from the forward's log-probabilities,
    # a recorded one computes it again from the logits: the same numbers.
    dtype = getattr(stepgrad, dtype)
    logits = _rng.normal(0.0, 3.0, (5, 4))
    target = stepgrad.tensor([0, 3, 1, 1, 2])
    weights = stepgrad.tensor(_rng.uniform(0.5, 2.0, 5 if reduction == "none" else ()), dtype=dtype)

    def gradient(route):
        x = stepgrad.tensor(logits, dtype=dtype, requires_grad=True)
        total = (stepgrad.nn.functional.cross_entropy(x, target, reduction) * weights).sum()
        if route == "arrays":
            total.backward()
            return x.grad
        (grad,) = stepgrad.autograd.grad(total, x, create_graph=True)
        return grad

    plain, recorded = gradient("arrays"), gradient("tensors")
    assert plain.dtype == dtype and plain.shape == (5, 4) and plain.grad_fn is None
    tolerance = 1e-12 if dtype == stepgrad.float64 else 1e-6
    np.testing.assert_allclose(plain.data, recorded.data, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("function", ARRAY_SAFE, ids=lambda f: f.__name__)
def test_the_array_safe_functions_are_the_ones_that_say_so(function):
    assert function.backward_on_arrays is True


def test_a_function_that_does_not_say_so_gets_tensors_in_the_plain_pass():
    seen = []

    class Cube(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**3

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            seen.append((type(grad), type(a)))
            return grad * 3 * a**2

    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    # Between two array-safe operations, so that arrays reach Cube and leave it.
    (Cube.apply(x * 2.0) * 1.0).sum().backward()
    assert seen == [(stepgrad.Tensor, stepgrad.Tensor)]
    np.testing.assert_allclose(x.grad.data, 3 * (2 * x.data) ** 2 * 2)  # d/dx (2x)^3


def test_a_hook_on_an_intermediate_tensor_gets_a_tensor_and_its_result_flows_on():
    x = stepgrad.tensor([1.0, -2.0], requires_grad=True)
    y = x * 3.0
    received = []

    def double(grad):
        received.append(type(grad))
        return grad * 2

    y.register_hook(double)
    y.relu().sum().backward()
    assert received == [stepgrad.Tensor]
    np.testing.assert_allclose(x.grad.data, [6.0, 0.0])  # relu' * 2 (hook) * 3


def test_two_leaves_that_receive_the_same_array_get_gradients_of_their_own():
    # Add's backward hands one array to both inputs; changing one .grad in place
    # must not change the other.
    a = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    b = stepgrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 10
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_an_input_changed_in_place_after_forward_is_still_caught_in_the_plain_pass():
    w = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    x = stepgrad.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    with stepgrad.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match=r"input 0 of MulBackward .* is at version 1"):
        y.backward()

"""Every binary operation, on shapes Hypothesis picks, gives each operand a gradient of its own
shape, equal to finite differences (broadcasting sums the gradient of a stretched operand)."""

import numpy as np
import pytest
import stepgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from stepgrad.autograd import gradcheck
from stepgrad.functions.broadcast import unbroadcast
from tensor_strategies import (
    bounded_away_from_zero,
    broadcastable_shape_pairs,
    float64_arrays,
    shapes,
)

BINARY_OPS = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "pow": lambda m, a, b: a.abs() ** b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "where": lambda m, a, b: m.where(a > 0, a, b),  # a is never near 0: no kink
}


def assert_gradients_match(fn, *arrays):
    inputs = tuple(stepgrad.tensor(a, dtype=stepgrad.float64, requires_grad=True) for a in arrays)
    assert gradcheck(lambda *tensors: fn(stepgrad, *tensors), inputs)
    fn(stepgrad, *inputs).sum().backward()
    for position, tensor in enumerate(inputs):
        assert tensor.grad.shape == tensor.shape, f"input {position}"


@pytest.mark.parametrize("op", BINARY_OPS.values(), ids=BINARY_OPS.keys())
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_binary_op_gradients_have_operand_shapes_and_match_finite_differences(op, data):
    shape_a, shape_b = data.draw(broadcastable_shape_pairs())
    a = data.draw(bounded_away_from_zero(shape_a))  # away from 0: |a| and a**b are smooth
    b = data.draw(bounded_away_from_zero(shape_b))
    if op is BINARY_OPS["maximum"]:
        b = b + 0.01  # bounded values of a and b can tie exactly; maximum has a kink there
    assert_gradients_match(op, a, b)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_unbroadcast_sums_a_gradient_back_to_the_operand_shape(data):
    operand_shape, other_shape = data.draw(broadcastable_shape_pairs())
    result_shape = np.broadcast_shapes(operand_shape, other_shape)
    grad = data.draw(float64_arrays(result_shape))
    reduced = unbroadcast(stepgrad.tensor(grad), operand_shape)
    # The independent truth: d/d(operand) of sum(grad * broadcast_to(operand)).
    expected = np.zeros(operand_shape)
    for index in np.ndindex(result_shape):
        source = tuple(
            0 if size == 1 else i
            for i, size in zip(index[len(index) - len(operand_shape) :], operand_shape)
        )
        expected[source] += grad[index]
    assert reduced.shape == operand_shape
    np.testing.assert_allclose(reduced.data, expected, rtol=1e-12, atol=1e-12)


def test_unbroadcast_returns_a_gradient_of_the_right_shape_unchanged():
    grad = stepgrad.ones(2, 3)
    assert unbroadcast(grad, (2, 3)) is grad


def test_unbroadcast_to_a_shape_that_does_not_broadcast_raises():
    with pytest.raises(
        ValueError, match=r"a gradient of shape \(2, 3\) cannot be summed to shape \(4,\)"
    ):
        unbroadcast(stepgrad.ones(2, 3), (4,))


def test_operands_whose_shapes_do_not_broadcast_raise_a_clear_error():
    a = stepgrad.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"Mul: the shapes \(3,\) and \(4,\) do not broadcast.*unsqueeze"
    ):
        a * stepgrad.ones(4)
    with (
        stepgrad.no_grad(),
        pytest.raises(RuntimeError, match=r"the shapes \(3,\) and \(4,\) do not broadcast"),
    ):
        a + stepgrad.ones(4)


@pytest.mark.parametrize("reduction", ["sum", "mean", "softmax", "log_softmax"])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_reductions_along_any_dimension_match_finite_differences(reduction, data):
    shape = data.draw(shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    values = data.draw(float64_arrays(shape))
    if reduction in ("sum", "mean"):
        keepdim = data.draw(st.booleans())
        fn = lambda m, x: getattr(x, reduction)(dim=dim, keepdim=keepdim)
    else:
        fn = lambda m, x: getattr(x, reduction)(dim)
    assert_gradients_match(fn, values)

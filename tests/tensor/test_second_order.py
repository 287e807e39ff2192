"""Backward formulas are differentiable: gradients of gradients (create_graph=True) are right.

For each op, d/dx of (grad(x) . v), a Hessian-vector product, is compared with
finite differences of the first-order gradient (itself checked against finite
differences elsewhere) and with PyTorch's double backward.
"""

import numpy as np
import pytest
import stepgrad
from tensor_numerics import (
    finite_difference_gradients,
    float64_array,
    input_directions,
    output_weights,
)
from tensor_op_cases import ALL_CASES, case_id


def first_order(m, fn, inputs, weights, create_graph):
    (fn(m, *inputs) * m.tensor(weights, dtype=m.float64)).sum().backward(create_graph=create_graph)
    grads = [t.grad for t in inputs]
    for t in inputs:
        t.grad = None
    return grads


def hessian_vector_products(m, fn, arrays):
    """d/d(inputs) of sum_i grad_i . v_i, with fixed random weights and directions."""
    inputs = [m.tensor(a, dtype=m.float64, requires_grad=True) for a in arrays]
    weights = output_weights(m, fn, arrays)
    grads = first_order(m, fn, inputs, weights, create_graph=True)
    total = sum(
        (g * m.tensor(v, dtype=m.float64)).sum()
        for g, v in zip(grads, input_directions(arrays))
        if g is not None and g.grad_fn is not None
    )
    if isinstance(total, int):  # every gradient is constant: all second derivatives are 0
        return [np.zeros_like(a) for a in arrays]
    total.backward()
    return [
        np.zeros_like(a) if t.grad is None else float64_array(m, t.grad)
        for t, a in zip(inputs, arrays)
    ]


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_hessian_vector_product_matches_finite_differences_of_the_gradient(case):
    _name, fn, arrays = case
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    weights = output_weights(stepgrad, fn, arrays)
    directions = input_directions(arrays)

    def gradient_dot_directions(*values):
        inputs = [stepgrad.tensor(v, requires_grad=True) for v in values]
        grads = first_order(stepgrad, fn, inputs, weights, create_graph=False)
        return sum(float((g.data * v).sum()) for g, v in zip(grads, directions) if g is not None)

    expected = finite_difference_gradients(gradient_dot_directions, arrays, eps=1e-5)
    actual = hessian_vector_products(stepgrad, fn, arrays)
    for position, (mine, numeric) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(mine, numeric, rtol=1e-4, atol=1e-6, err_msg=f"input {position}")


# PyTorch warns that backward(create_graph=True) makes a cycle through .grad; the test
# drops the tensors right after, so the warning says nothing about what is tested.
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_hessian_vector_product_matches_pytorch(case):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is the oracle for parity tests; not installed"
    )
    _name, fn, arrays = case
    ours = hessian_vector_products(stepgrad, fn, arrays)
    theirs = hessian_vector_products(torch, fn, arrays)
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(
            mine, reference, rtol=1e-9, atol=1e-11, err_msg=f"input {position}"
        )

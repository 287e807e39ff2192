"""autograd.grad(create_graph=True) differentiates every built-in op twice correctly.

The same cases as tests/tensor/test_second_order.py, which checks the backward()
route; here the Hessian-vector product is taken with two calls of autograd.grad
(the second with grad_outputs), and compared with central differences of the
first-order gradient and with torch.autograd.grad.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import stepgrad

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tensor"))
from tensor_numerics import (
    finite_difference_gradients,
    float64_array,
    input_directions,
    output_weights,
)
from tensor_op_cases import ALL_CASES, case_id


def hessian_vector_products_by_grad(m, fn, arrays):
    """d/d(inputs) of sum_i grad_i . v_i, where grad_i = d(fn . weights)/d(input i)."""
    inputs = [m.tensor(a, dtype=m.float64, requires_grad=True) for a in arrays]
    scalar = (fn(m, *inputs) * m.tensor(output_weights(m, fn, arrays), dtype=m.float64)).sum()
    grads = m.autograd.grad(scalar, inputs, create_graph=True, allow_unused=True)
    pairs = [
        (g, m.tensor(v, dtype=m.float64))
        for g, v in zip(grads, input_directions(arrays))
        if g is not None and g.requires_grad
    ]
    if not pairs:  # every gradient is constant: all second derivatives are 0
        return [np.zeros_like(a) for a in arrays]
    products = m.autograd.grad(
        [g for g, _ in pairs], inputs, grad_outputs=[v for _, v in pairs], allow_unused=True
    )
    return [
        np.zeros_like(a) if p is None else float64_array(m, p) for p, a in zip(products, arrays)
    ]


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_hessian_vector_product_by_grad_matches_finite_differences(case):
    _name, fn, arrays = case
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    weights = output_weights(stepgrad, fn, arrays)
    directions = input_directions(arrays)

    def gradient_dot_directions(*values):
        inputs = [stepgrad.tensor(v, requires_grad=True) for v in values]
        scalar = (fn(stepgrad, *inputs) * stepgrad.tensor(weights)).sum()
        grads = stepgrad.autograd.grad(scalar, inputs, allow_unused=True)
        return sum(float((g.data * v).sum()) for g, v in zip(grads, directions) if g is not None)

    expected = finite_difference_gradients(gradient_dot_directions, arrays, eps=1e-5)
    actual = hessian_vector_products_by_grad(stepgrad, fn, arrays)
    for position, (mine, numeric) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(mine, numeric, rtol=1e-4, atol=1e-6, err_msg=f"input {position}")


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_hessian_vector_product_by_grad_matches_pytorch(case):
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    _name, fn, arrays = case
    ours = hessian_vector_products_by_grad(stepgrad, fn, arrays)
    theirs = hessian_vector_products_by_grad(torch, fn, arrays)
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(
            mine, reference, rtol=1e-9, atol=1e-11, err_msg=f"input {position}"
        )

"""Values and gradients of every operation agree with PyTorch's (where PyTorch is installed).

The same case functions (tensor_op_cases.py) run once with ``m = stepgrad``
and once with ``m = torch``; both backpropagate the same random weights.
"""

import numpy as np
import pytest
import stepgrad
from tensor_op_cases import ALL_CASES, case_id

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for parity tests; not installed")


def run(m, fn, arrays, dtype, weights_seed=0):
    inputs = [m.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    output = fn(m, *inputs)
    weights = np.random.default_rng(weights_seed).uniform(0.5, 1.5, tuple(output.shape))
    (output * m.tensor(weights, dtype=dtype)).sum().backward()
    return output.detach().numpy(), [t.grad.numpy() for t in inputs], output.dtype


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_float64_values_and_gradients_match_pytorch(case):
    _name, fn, arrays = case
    ours, our_grads, _ = run(stepgrad, fn, arrays, stepgrad.float64)
    theirs, their_grads, _ = run(torch, fn, arrays, torch.float64)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    for position, (mine, reference) in enumerate(zip(our_grads, their_grads)):
        np.testing.assert_allclose(
            mine, reference, rtol=1e-10, atol=1e-12, err_msg=f"input {position}"
        )


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_float32_values_gradients_and_dtypes_match_pytorch(case):
    _name, fn, arrays = case
    ours, our_grads, our_dtype = run(stepgrad, fn, arrays, stepgrad.float32)
    theirs, their_grads, their_dtype = run(torch, fn, arrays, torch.float32)
    assert repr(our_dtype) == repr(their_dtype).replace("torch.", "stepgrad.")
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6)
    for position, (mine, reference) in enumerate(zip(our_grads, their_grads)):
        assert mine.dtype == np.float32, f"input {position}: gradient is {mine.dtype}"
        np.testing.assert_allclose(
            mine, reference, rtol=2e-4, atol=1e-5, err_msg=f"input {position}"
        )

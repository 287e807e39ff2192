"""Finite-difference gradients for the tensor tests: the independent truth for every op.

The analytic side runs stepgrad's backward on ``(fn(*inputs) * weights).sum()``
with random ``weights``, which checks the whole vector-Jacobian product rather
than one output at a time; the numeric side differentiates the same scalar by
central differences in float64, one input element at a time.
"""

import numpy as np
import stepgrad


def finite_difference_gradients(scalar_fn, arrays, eps=1e-6):
    """d scalar_fn(*arrays) / d arrays[i] for every i, by central differences."""
    gradients = []
    for array in arrays:
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            above = scalar_fn(*arrays)
            array[index] = saved - eps
            below = scalar_fn(*arrays)
            array[index] = saved
            gradient[index] = (above - below) / (2 * eps)
        gradients.append(gradient)
    return gradients


def assert_gradients_match_finite_differences(fn, *arrays, rtol=1e-5, atol=1e-7, seed=0):
    """Check stepgrad's gradients of ``fn(stepgrad, *tensors)`` against finite differences.

    ``arrays`` are float64 numpy arrays, one per tensor argument of ``fn``.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    inputs = [stepgrad.tensor(a, requires_grad=True) for a in arrays]
    output = fn(stepgrad, *inputs)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, output.shape)
    (output * stepgrad.tensor(weights)).sum().backward()

    def weighted_output(*values):
        with stepgrad.no_grad():
            result = fn(stepgrad, *(stepgrad.tensor(v) for v in values))
        return float((result.data * weights).sum())

    expected = finite_difference_gradients(weighted_output, arrays)
    for position, (tensor, numeric) in enumerate(zip(inputs, expected)):
        assert tensor.grad is not None, f"input {position} received no gradient"
        assert tensor.grad.shape == tensor.shape, (
            f"input {position}: gradient shape {tensor.grad.shape} != input shape {tensor.shape}"
        )
        np.testing.assert_allclose(
            tensor.grad.data, numeric, rtol=rtol, atol=atol, err_msg=f"input {position}"
        )

"""Numerics for the second-order tests (tests/tensor/test_second_order.py and
tests/autograd/test_grad_per_op.py): central finite differences of any scalar function
of arrays, and the fixed weights and directions of their Hessian-vector products.

(First-order gradients are checked with ``stepgrad.autograd.gradcheck``.)
"""

import numpy as np


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


def output_weights(m, fn, arrays):
    """Fixed random weights, one per element of ``fn``'s output (``m`` is stepgrad or torch):
    ``(fn(...) * weights).sum()`` is the scalar whose gradient is differentiated again."""
    with m.no_grad():
        shape = tuple(fn(m, *(m.tensor(a, dtype=m.float64) for a in arrays)).shape)
    return np.random.default_rng(0).uniform(0.5, 1.5, shape)


def input_directions(arrays):
    """Fixed random directions v_i, one per input, for the product sum_i grad_i . v_i."""
    return [
        np.random.default_rng(i + 1).uniform(0.5, 1.5, np.shape(a)) for i, a in enumerate(arrays)
    ]


def float64_array(m, tensor):
    """A gradient as a float64 numpy array, from stepgrad or torch."""
    # torch returns a lazily-zero tensor for some second derivatives, and wants force=True.
    tensor = tensor.detach()
    array = tensor.numpy(force=True) if m.__name__ == "torch" else tensor.numpy()
    return array.astype(np.float64)

"""Central finite differences of any scalar function of arrays, for the second-order tests.

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

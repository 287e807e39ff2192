"""Hypothesis strategies for tensor tests: shapes that broadcast, and well-behaved values."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def broadcastable_shape_pairs(max_dims=3, max_side=3):
    """Two shapes that numpy broadcasting accepts together, e.g. (2, 1, 3) and (4, 3)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, max_side=max_side
    ).map(lambda result: result.input_shapes)


def float64_arrays(shape, low=-2.0, high=2.0):
    return hnp.arrays(
        np.float64, shape, elements=st.floats(low, high, allow_nan=False, allow_infinity=False)
    )


def bounded_away_from_zero(shape):
    """Values with 0.25 <= |v| <= 2: safe divisors."""
    magnitudes = float64_arrays(shape, 0.25, 2.0)
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitudes, signs).map(lambda pair: pair[0] * pair[1])


shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)

"""Making tensors: from data, filled with a constant, counting, or random.

Random tensors come from one numpy Generator, ``default_generator``, which
``manual_seed`` resets, so a seeded program gives the same numbers every run
(they are not the numbers PyTorch draws for the same seed).

    >>> import stepgrad
    >>> stepgrad.manual_seed(0)
    >>> a = stepgrad.randn(2)
    >>> stepgrad.manual_seed(0)
    >>> bool((stepgrad.randn(2) == a).all())
    True
"""

import numpy as np

from stepgrad import dtypes
from stepgrad.tensor import Tensor, _make, _to_array

# One generator for the whole library (randn, rand, nn's initialisation). It is
# reseeded in place, so code that holds a reference to it sees the new seed.
# Seeded from the start, as PyTorch's default generator is: a program that never calls
# manual_seed still draws the same numbers on every run, so a course cell cannot change
# its output between two runs. The value is simply 0, the seed of manual_seed(0).
_DEFAULT_SEED = 0
default_generator = np.random.default_rng(_DEFAULT_SEED)


def manual_seed(seed):
    """Make every later random draw (randn, rand, layer initialisation) reproducible."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}.")
    default_generator.bit_generator.state = np.random.PCG64(int(seed)).state


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, an array).

    Python floats give float32, Python ints int64, bools bool; a numpy array
    keeps its dtype. As in PyTorch.

    >>> import stepgrad
    >>> stepgrad.tensor([[1, 2], [3, 4]]).dtype
    stepgrad.int64
    >>> stepgrad.tensor([1.5], requires_grad=True)
    tensor([1.5000], requires_grad=True)
    """
    array = _to_array(data, dtype, copy=True)
    return _leaf(array, requires_grad)


def from_numpy(array):
    """A tensor sharing ``array``'s memory (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy expects a numpy array, got {type(array).__name__}. "
            "Use stepgrad.tensor(...) for lists and numbers."
        )
    return Tensor(array)


def _leaf(array, requires_grad):
    result = _make(array)
    if requires_grad:
        result.requires_grad = True  # checks that the dtype is floating
    return result


def _size(size):
    """zeros(2, 3) and zeros((2, 3)) both mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = size[0]
    return tuple(int(n) for n in size)


def _float_dtype(dtype):
    return dtypes.default_float.numpy_dtype if dtype is None else dtypes.as_numpy_dtype(dtype)


def zeros(*size, dtype=None, requires_grad=False):
    return _leaf(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _leaf(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = _to_array(fill_value).dtype
    array = np.full(_size((size,)), fill_value, dtype=dtypes.as_numpy_dtype(dtype))
    return _leaf(array, requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def zeros_like(other, dtype=None, requires_grad=False):
    return _leaf(np.zeros_like(other.data, dtype=_like_dtype(other, dtype)), requires_grad)


def ones_like(other, dtype=None, requires_grad=False):
    return _leaf(np.ones_like(other.data, dtype=_like_dtype(other, dtype)), requires_grad)


def full_like(other, fill_value, dtype=None, requires_grad=False):
    array = np.full_like(other.data, fill_value, dtype=_like_dtype(other, dtype))
    return _leaf(array, requires_grad)


def rand_like(other, dtype=None, requires_grad=False):
    return rand(other.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)


def randn_like(other, dtype=None, requires_grad=False):
    return randn(other.shape, dtype=dtype or other.dtype, requires_grad=requires_grad)


def _like_dtype(other, dtype):
    return other.data.dtype if dtype is None else dtypes.as_numpy_dtype(dtype)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """start, start + step, ... up to (not including) end; int64 unless a float is given."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float | np.floating) for v in (start, end, step))
        dtype = dtypes.default_float if is_float else dtypes.int64
    return _leaf(np.arange(start, end, step).astype(dtypes.as_numpy_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return _leaf(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Samples from the standard normal distribution (float32 by default)."""
    numpy_dtype = _float_dtype(dtype)
    array = default_generator.standard_normal(_size(size), dtype=_generator_dtype(numpy_dtype))
    return _leaf(array.astype(numpy_dtype, copy=False), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Samples from the uniform distribution on [0, 1) (float32 by default)."""
    numpy_dtype = _float_dtype(dtype)
    array = default_generator.random(_size(size), dtype=_generator_dtype(numpy_dtype))
    return _leaf(array.astype(numpy_dtype, copy=False), requires_grad)


def _generator_dtype(numpy_dtype):
    # numpy's Generator draws float32 or float64 directly; other dtypes are cast.
    return numpy_dtype if numpy_dtype in (np.float32, np.float64) else np.float64


def randint(low, high=None, size=(), dtype=None):
    """Random integers in [low, high) (int64 by default)."""
    if high is None:
        low, high = 0, low
    array = default_generator.integers(low, high, size=_size((size,)))
    return _leaf(array.astype(dtypes.as_numpy_dtype(dtype or dtypes.int64)), False)


def randperm(n, dtype=None):
    """A random permutation of 0..n-1 (for shuffling a dataset)."""
    return _leaf(
        default_generator.permutation(n).astype(dtypes.as_numpy_dtype(dtype or dtypes.int64)), False
    )


def is_tensor(obj):
    return isinstance(obj, Tensor)

"""The element types a Tensor can hold, named as in PyTorch.

Each dtype wraps a numpy dtype. ``stepgrad.float32`` prints as
``stepgrad.float32`` and compares equal to itself only; ``as_numpy_dtype``
accepts a stepgrad dtype, a numpy dtype, or a Python type (float, int, bool),
as ``torch.tensor(..., dtype=...)`` does.

    >>> import stepgrad
    >>> stepgrad.tensor([1.0, 2.0]).dtype
    stepgrad.float32
    >>> stepgrad.float32.is_floating_point
    True
"""

import builtins

import numpy as np


class dtype:
    """One element type; its numpy counterpart is ``.numpy_dtype``."""

    __slots__ = ("is_floating_point", "name", "numpy_dtype")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy_dtype = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy_dtype.kind == "f"

    def __repr__(self):
        return f"stepgrad.{self.name}"

    def __reduce__(self):
        # Unpickle to the same object, so `is` and == keep working after copy/pickle.
        return (from_numpy_dtype, (self.numpy_dtype,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)

_BY_NUMPY = {
    d.numpy_dtype: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
}

# The type PyTorch picks for Python floats, and for float results of integer inputs.
default_float = float32


def from_numpy_dtype(numpy_dtype):
    """The stepgrad dtype of a numpy dtype (np.float32 -> stepgrad.float32)."""
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except KeyError:
        raise TypeError(
            f"stepgrad has no dtype for numpy's {np.dtype(numpy_dtype)}; use one of "
            f"{', '.join(d.name for d in _BY_NUMPY.values())}, for example "
            f"array.astype(np.float32)."
        ) from None


def as_numpy_dtype(requested):
    """The numpy dtype meant by ``requested``: a stepgrad dtype, numpy dtype or Python type."""
    if isinstance(requested, dtype):
        return requested.numpy_dtype
    if requested is float:
        return float64.numpy_dtype  # as torch: dtype=float means double
    if requested is int:
        return int64.numpy_dtype
    if requested is builtins.bool:
        return bool.numpy_dtype
    try:
        return from_numpy_dtype(requested).numpy_dtype
    except TypeError:
        raise TypeError(
            f"dtype={requested!r} is not a dtype stepgrad knows; use stepgrad.float32, "
            f"stepgrad.float64, stepgrad.int64 or stepgrad.bool."
        ) from None

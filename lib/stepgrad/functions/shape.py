"""Shape and indexing: operations that move, select or copy elements without changing them.

Their backward puts each gradient element back where its value came from:
the inverse reshape or permutation, zeros around a selected slice, pieces
of a concatenation.

    >>> import stepgrad
    >>> x = stepgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x[[0, 0, 2]].sum().backward()
    >>> x.grad
    tensor([2., 0., 1.])
"""

import numpy as np

from stepgrad.autograd.function import Function
from stepgrad.functions.broadcast import unbroadcast


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"shape {tuple(shape)} is invalid for input of size {a.size} (shape "
                f"{a.shape}): the new shape must hold exactly {a.size} elements."
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Transpose(Function):
    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(a, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims), None, None  # swapping twice is the identity


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims):
        if sorted(d % a.ndim for d in dims) != list(range(a.ndim)):
            raise RuntimeError(
                f"permute: dims {tuple(dims)} must name each of the tensor's {a.ndim} "
                f"dimensions exactly once."
            )
        inverse = [0] * a.ndim
        for position, d in enumerate(dims):
            inverse[d % a.ndim] = position
        ctx.inverse = tuple(inverse)
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(ctx.inverse), None  # the inverse permutation undoes it


class Unsqueeze(Function):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim), None


class Squeeze(Function):
    """Remove dimensions of size 1 (only ``dim``, if given; a no-op if its size is not 1)."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.shape = a.shape
        if dim is None:
            return np.squeeze(a)
        return np.squeeze(a, axis=dim) if a.shape[dim] == 1 else a.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Expand(Function):
    """Repeat size-1 dimensions (and add leading ones) without copying, as broadcasting does."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shape), None  # every copy's gradient adds up


class Index(Function):
    """``a[key]`` with ints, slices, None, ..., boolean masks and integer arrays."""

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        # Each selected element gets its gradient back; an element selected twice gets both.
        return IndexPut.apply(grad, ctx.shape, ctx.key), None


class IndexPut(Function):
    """Zeros of ``shape`` with ``values`` added at ``key``: the adjoint of indexing."""

    @staticmethod
    def forward(ctx, values, shape, key):
        ctx.key = key
        out = np.zeros(shape, dtype=values.dtype)
        if _selects_with_integer_arrays(key):
            np.add.at(out, key, values)  # repeated indices accumulate
        else:
            out[key] = values  # slices and masks select each element at most once
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None


def _selects_with_integer_arrays(key):
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(part, np.ndarray) and part.dtype.kind in "iu" for part in parts)


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim % arrays[0].ndim
        ctx.sizes = [a.shape[ctx.dim] for a in arrays]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        before = (slice(None),) * ctx.dim
        pieces, start = [], 0
        for size in ctx.sizes:
            pieces.append(grad[before + (slice(start, start + size),)])
            start += size
        return (None, *pieces)


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim % (arrays[0].ndim + 1)
        ctx.count = len(arrays)
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        before = (slice(None),) * ctx.dim
        return (None, *(grad[before + (i,)] for i in range(ctx.count)))


class Cast(Function):
    """The same values in another dtype; the gradient is cast back."""

    output_dtype_from_inputs = False  # the dtype asked for, not the inputs' (see Function)

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.input_dtype), None


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

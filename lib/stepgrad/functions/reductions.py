"""Reductions: operations that combine many elements into fewer.

Their backward spreads each output's gradient back over the elements that
produced it: ``sum`` copies it to each, ``mean`` divides it among them,
``max`` sends it to the element that won. ``softmax`` and ``log_softmax``
normalise along a dimension and live here because each output depends on a
whole row of inputs.

    >>> import stepgrad
    >>> x = stepgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.mean(dim=0).sum().backward()
    >>> x.grad
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
"""

import numpy as np

from stepgrad.autograd.function import Function
from stepgrad.tensor import Tensor


def _kept_shape(shape, dim):
    """``shape`` with the reduced dimensions kept as size 1 (what keepdim=True gives)."""
    if dim is None:
        return (1,) * len(shape)
    dims = (dim,) if isinstance(dim, int) else dim
    reduced = {d % len(shape) for d in dims}
    return tuple(1 if i in reduced else n for i, n in enumerate(shape))


def _spread(grad, shape, dim):
    """The gradient of a reduction's output, copied back over the reduced elements."""
    return grad.reshape(_kept_shape(shape, dim)).expand(shape)


class Sum(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.dim = a.shape, dim
        return a.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # Each input element adds to its sum with slope 1: it gets the sum's gradient.
        return _spread(grad, ctx.shape, ctx.dim), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.dim = a.shape, dim
        out = a.sum(axis=dim, keepdims=keepdim)
        ctx.count = a.size // max(out.size, 1)
        return out / ctx.count

    @staticmethod
    def backward(ctx, grad):
        # Each of the `count` averaged elements moves the mean by 1/count.
        return _spread(grad, ctx.shape, ctx.dim) / ctx.count, None, None


class MaxAll(Function):
    """The largest element. Ties share the gradient equally, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        out = a.max()
        winners = a == out
        ctx.share = (winners / winners.sum()).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor(ctx.share)


class MinAll(Function):
    """The smallest element. Ties share the gradient equally, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        out = a.min()
        winners = a == out
        ctx.share = (winners / winners.sum()).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor(ctx.share)


def _pick_along(ctx, a, dim, keepdim, arg_pick):
    """The elements ``arg_pick`` (argmax or argmin) chooses along ``dim``; remembers which."""
    index = np.expand_dims(arg_pick(a, axis=dim), dim)
    positions = np.arange(a.shape[dim]).reshape(
        [-1 if i == dim % a.ndim else 1 for i in range(a.ndim)]
    )
    ctx.chosen = positions == index  # one True per slice: the first winner, as argmax picks it
    ctx.dim, ctx.keepdim = dim, keepdim
    out = np.take_along_axis(a, index, axis=dim)
    return out if keepdim else np.squeeze(out, axis=dim)


def _send_to_chosen(ctx, grad):
    if not ctx.keepdim:
        grad = grad.unsqueeze(ctx.dim)
    return grad * Tensor(ctx.chosen)


class Max(Function):
    """The largest element along ``dim``; the gradient goes to the element argmax chose
    (the first, when there are ties)."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        return _pick_along(ctx, a, dim, keepdim, np.argmax)

    @staticmethod
    def backward(ctx, grad):
        return _send_to_chosen(ctx, grad), None, None


class Min(Function):
    """The smallest element along ``dim``; the gradient goes to the element argmin chose
    (the first, when there are ties)."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        return _pick_along(ctx, a, dim, keepdim, np.argmin)

    @staticmethod
    def backward(ctx, grad):
        return _send_to_chosen(ctx, grad), None, None


class Softmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        # Subtracting the row's maximum changes nothing mathematically and keeps exp from overflowing.
        out = a - a.max(axis=dim, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # d out_i / d a_j = out_i (delta_ij - out_j), applied to grad without building the matrix.
        return out * (grad - (grad * out).sum(dim=ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, a, dim):
        shifted = a - a.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # d out_i / d a_j = delta_ij - softmax_j, and softmax = exp(out).
        return grad - out.exp() * grad.sum(dim=ctx.dim, keepdim=True), None

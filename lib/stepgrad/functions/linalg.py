"""Linear algebra: the matrix product, and the linear layer as one operation.

>>> import stepgrad
>>> W = stepgrad.tensor([[1.0, 2.0]], requires_grad=True)
>>> x = stepgrad.tensor([[3.0, 4.0]])
>>> (x @ W.T).sum().backward()
>>> W.grad
tensor([[3., 4.]])
"""

import numpy as np

from stepgrad.autograd.function import Function


class MatMul(Function):
    """``a @ b`` as numpy defines it: 1-D vectors, 2-D matrices, and batches of matrices."""

    @staticmethod
    def forward(ctx, a, b):
        if not can_multiply(a.shape, b.shape):
            raise cannot_multiply_error(a.shape, b.shape)
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # A 1-D operand acts as a row (a) or column (b) matrix; make that explicit,
        # apply the matrix rule, then drop the extra dimension again.
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        if a.ndim == 1:
            grad = grad.unsqueeze(-2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            grad = grad.unsqueeze(-1)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = grad @ b2.mT  # d(AB)/dA applied to G: G B^T
            if a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if ctx.needs_input_grad[1]:
            grad_b = a2.mT @ grad  # A^T G
            if b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b  # batch dimensions are summed by the engine (unbroadcast)


class Linear(Function):
    """``x @ weight.T + bias`` in one step, as PyTorch's addmm: one graph node instead of three.

    ``weight`` has shape (out_features, in_features); ``bias`` (out_features,) or None.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x.dot(weight.T)  # x @ weight.T (see _matrix_product)
        if bias is not None:
            out += bias  # in place: out is a fresh array
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        grad_x = _matrix_product(grad, weight) if needs_x else None
        # Rows of x and grad are the samples (any leading dimensions flattened into one).
        rows = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        x_rows = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        grad_weight = _matrix_product(rows.T, x_rows) if needs_weight else None
        grad_bias = rows.sum(0) if needs_bias else None  # dim 0, positional: numpy calls it axis
        return grad_x, grad_weight, grad_bias


def _matrix_product(a, b):
    """``a @ b`` for a matrix ``b``: Tensors (a backward being recorded) or arrays.

    For arrays it is ``a.dot(b)``, the same product when ``b`` is a matrix, which
    numpy computes several times faster than ``@`` on the small matrices of a
    course model (``@`` goes through the general matmul machinery first).
    """
    return a.dot(b) if type(a) is np.ndarray else a @ b


def can_multiply(shape_a, shape_b):
    """Whether ``a @ b`` is defined: inner sizes agree (batch sizes are checked by numpy)."""
    if not shape_a or not shape_b:
        return False
    return shape_a[-1] == shape_b[-2 if len(shape_b) > 1 else 0]


def cannot_multiply_error(shape_a, shape_b):
    if not shape_a or not shape_b:
        return RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {shape_a} and "
            f"{shape_b}. Multiply by a 0-d tensor with * instead."
        )
    inner_b = shape_b[-2 if len(shape_b) > 1 else 0]
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, shape_a))} and "
        f"{'x'.join(map(str, shape_b))}): a @ b needs a's last size ({shape_a[-1]}) to equal "
        f"b's {'second-to-last' if len(shape_b) > 1 else 'only'} size ({inner_b}). "
        f"Transpose one operand (b.T) or check the shapes."
    )


def linear(x, weight, bias=None):
    """Apply a linear layer: ``x @ weight.T + bias`` (as torch.nn.functional.linear)."""
    if x.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear: the input's last dimension is {x.shape[-1]} but the weight expects "
            f"{weight.shape[-1]} features (weight shape {tuple(weight.shape)}, input shape "
            f"{tuple(x.shape)}). Check the layer's in_features against the data."
        )
    return Linear.apply(x, weight, bias)


# Linear's backward uses only what numpy arrays and Tensors share, so the plain backward
# pass runs it on bare arrays (see Function.backward_on_arrays). MatMul's needs
# unsqueeze and mT, which arrays do not have on every numpy we support.
Linear.backward_on_arrays = True

"""Elementwise operations: each output element depends on the same element of each input.

Every class states the forward rule (on numpy arrays) and, right below it,
the derivative (with Tensor operations, so it can be differentiated again).
Gradients may come back in the broadcast shape of the output; the engine
sums them back to each input's shape (see ``broadcast.unbroadcast``).

    >>> import stepgrad
    >>> x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.])
"""

import numpy as np

from stepgrad.autograd.function import Function
from stepgrad.tensor import where


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad  # d(a+b)/da = d(a+b)/db = 1


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad * b if ctx.needs_input_grad[0] else None  # d(ab)/da = b
        grad_b = grad * a if ctx.needs_input_grad[1] else None  # d(ab)/db = a
        return grad_a, grad_b


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b if ctx.needs_input_grad[0] else None  # d(a/b)/da = 1/b
        grad_b = -grad * a / (b * b) if ctx.needs_input_grad[1] else None  # d(a/b)/db = -a/b^2
        return grad_a, grad_b


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """a ** n for a plain number n (the exponent is not part of the graph)."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return a**exponent

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        n = ctx.exponent
        if n == 0:
            return grad * 0, None  # a**0 is constant (and n * a**-1 would be nan at a = 0)
        return grad * n * a ** (n - 1), None  # d(a^n)/da = n a^(n-1)


class PowTensor(Function):
    """a ** b with the exponent a tensor too."""

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            # d(a^b)/db = a^b ln a; taken as 0 where a <= 0 (ln a is undefined there).
            grad_b = grad * out * where(a > 0, a, 1.0).log()
        return grad_a, grad_b


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out  # the exponential is its own derivative


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (out * 2)  # d(sqrt a)/da = 1 / (2 sqrt a)


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sign()  # sign(0) = 0: the gradient at the kink is 0, as in PyTorch


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # slope 1 where the input was positive, else 0 (also at 0)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        # sigmoid(a) = exp(-log(1 + exp(-a))): never overflows, and stays accurate
        # for very negative a, where 1 / (1 + exp(-a)) would compute exp(-a) = inf.
        out = np.exp(-np.logaddexp(0, -a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)  # sigmoid' = sigmoid (1 - sigmoid)


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)  # tanh' = 1 - tanh^2


class Clamp(Function):
    """Limit values to [min, max] (either bound may be None)."""

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        out = a if low is None else np.maximum(a, low)
        return out if high is None else np.minimum(out, high)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # Slope 1 inside the bounds (bounds included, as PyTorch), 0 where clipped.
        if ctx.low is None:
            inside = a <= ctx.high
        elif ctx.high is None:
            inside = a >= ctx.low
        else:
            inside = (a >= ctx.low) & (a <= ctx.high)
        return grad * inside, None, None


class Where(Function):
    """Pick from ``a`` where ``condition`` holds, else from ``b``."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition = ctx.condition
        grad_a = where(condition, grad, 0.0) if ctx.needs_input_grad[1] else None
        grad_b = where(condition, 0.0, grad) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


class Maximum(Function):
    """The larger of a and b, elementwise; at ties each gets half the gradient, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share_a = where(a == b, 0.5, (a > b).to(grad.dtype))
        return grad * share_a, grad * (1 - share_a)


class Minimum(Function):
    """The smaller of a and b, elementwise; at ties each gets half the gradient, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share_a = where(a == b, 0.5, (a < b).to(grad.dtype))
        return grad * share_a, grad * (1 - share_a)


# These formulas use only what numpy arrays and Tensors share, so the plain backward
# pass runs them on bare arrays (see Function.backward_on_arrays). The others call
# where(), .sign() or .to(), which arrays do not have.
for _function in (Add, Sub, Mul, Div, Neg, Pow, Exp, Log, Sqrt, ReLU, Sigmoid, Tanh, Clamp):
    _function.backward_on_arrays = True

"""The top-level functions that mirror Tensor methods: ``stepgrad.relu(x)`` is ``x.relu()``.

As in PyTorch, where ``torch.relu(x)`` and ``x.relu()`` are the same operation.
``where``, ``cat`` and ``stack`` live in ``stepgrad.tensor``.

    >>> import stepgrad
    >>> stepgrad.relu(stepgrad.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""

from stepgrad.tensor import Tensor


def add(input, other):
    return _as_input(input) + other


def sub(input, other):
    return _as_input(input) - other


def mul(input, other):
    return _as_input(input) * other


def div(input, other):
    return _as_input(input) / other


def pow(input, exponent):
    return _as_input(input) ** exponent


def neg(input):
    return -_as_input(input)


def matmul(input, other):
    return _as_input(input) @ other


def exp(input):
    return _as_input(input).exp()


def log(input):
    return _as_input(input).log()


def sqrt(input):
    return _as_input(input).sqrt()


def abs(input):
    return _as_input(input).abs()


def relu(input):
    # A Tensor goes straight to the method (a model calls this every step).
    return input.relu() if type(input) is Tensor else _as_input(input).relu()


def sigmoid(input):
    return input.sigmoid() if type(input) is Tensor else _as_input(input).sigmoid()


def tanh(input):
    return _as_input(input).tanh()


def clamp(input, min=None, max=None):
    return _as_input(input).clamp(min, max)


clip = clamp


def maximum(input, other):
    return _as_input(input).maximum(other)


def minimum(input, other):
    return _as_input(input).minimum(other)


def softmax(input, dim):
    return _as_input(input).softmax(dim)


def log_softmax(input, dim):
    return _as_input(input).log_softmax(dim)


def sum(input, dim=None, keepdim=False):
    return _as_input(input).sum(dim, keepdim)


def mean(input, dim=None, keepdim=False):
    return _as_input(input).mean(dim, keepdim)


def max(input, dim=None, keepdim=False):
    return _as_input(input).max(dim, keepdim)


def min(input, dim=None, keepdim=False):
    return _as_input(input).min(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return _as_input(input).argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _as_input(input).argmin(dim, keepdim)


def reshape(input, shape):
    return _as_input(input).reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return _as_input(input).flatten(start_dim, end_dim)


def transpose(input, dim0, dim1):
    return _as_input(input).transpose(dim0, dim1)


def permute(input, dims):
    return _as_input(input).permute(dims)


def unsqueeze(input, dim):
    return _as_input(input).unsqueeze(dim)


def squeeze(input, dim=None):
    return _as_input(input).squeeze(dim)


def clone(input):
    return _as_input(input).clone()


def _as_input(value):
    if isinstance(value, Tensor):
        return value
    raise TypeError(
        f"expected a Tensor, got {type(value).__name__}. Make one first with stepgrad.tensor(...)."
    )

"""Loss functions, each one operation with its forward and backward side by side.

A loss could be built from smaller operations (log, multiply, mean), but one
fused operation is faster, and it can be written the numerically safe way:
binary cross-entropy clamps its logarithms at -100 as PyTorch does, the logits
version never exponentiates a large positive number, and cross-entropy takes
the log-softmax and picks each row's target class in one step.

``forward`` works on numpy arrays; ``backward`` is written with Tensor
operations, so that gradients of gradients work too. ``reduction`` is
'mean' (average over all elements), 'sum', or 'none' (one loss per element).

    >>> import stepgrad
    >>> from stepgrad.functions.losses import MSELoss
    >>> prediction = stepgrad.tensor([1.0, 3.0], requires_grad=True)
    >>> MSELoss.apply(prediction, stepgrad.tensor([0.0, 1.0]), "mean").item()   # (1 + 4) / 2
    2.5
"""

import numpy as np

from stepgrad.autograd import Function
from stepgrad.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")

# PyTorch's floors: log(0) becomes -100 instead of -inf (so the loss stays finite),
# and p * (1 - p) in the BCE gradient is kept above 1e-12 (so it never divides by 0).
# (A float32 0-d array: numpy combines it with an array about twice as fast as a
# Python float, and, being the narrowest float, it never widens the result.)
LOG_FLOOR = np.array(-100.0, dtype=np.float32)
BCE_EPSILON = 1e-12


def reduce(losses, reduction):
    """Combine per-element losses (a numpy array) as ``reduction`` says."""
    if reduction == "mean":
        # sum / count is what np.mean computes, without its Python-level overhead
        # (several microseconds, a tenth of a tutorial epoch's loss); add.reduce is
        # ndarray.sum without its Python wrapper.
        return np.asarray(np.add.reduce(losses, axis=None) / losses.size)
    if reduction == "sum":
        return np.asarray(np.add.reduce(losses, axis=None))
    return losses


def _log(x):
    """The natural logarithm of a Tensor or, in a backward pass on arrays, of an array."""
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _at_least(x, floor):
    """``x`` raised to ``floor`` where it is below, for a Tensor or an array (whose
    ``.clip`` goes through a slow Python wrapper in numpy)."""
    return x.clamp(min=floor) if isinstance(x, Tensor) else np.maximum(x, floor)


def per_element(grad_output, reduction, count):
    """The gradient that reaches each element's loss from the reduced loss.

    'none': each element's own gradient; 'sum': the same for all; 'mean': the
    same for all, divided by the number of elements averaged.
    """
    if reduction == "mean":
        return grad_output / count
    return grad_output


class MSELoss(Function):
    """Mean squared error: mean((input - target)^2).

    d/d input = 2 (input - target); d/d target is its negative.
    """

    @staticmethod
    def forward(ctx, input, target, reduction):
        difference = input - target
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.count = reduction, input.size
        return reduce(difference * difference, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad = per_element(grad_output, ctx.reduction, ctx.count) * (2 * (input - target))
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


class BCELoss(Function):
    """Binary cross-entropy of probabilities p against targets y in [0, 1]:
    -(y log p + (1 - y) log(1 - p)), each log clamped at -100.

    d/dp = (p - y) / (p (1 - p)), with p (1 - p) kept above 1e-12;
    d/dy = log(1 - p) - log(p).
    """

    @staticmethod
    def forward(ctx, input, target, reduction):
        # log(0) is the clamped case, not an error; a probability outside [0, 1]
        # gives NaN, which binary_cross_entropy turns into a clear error. numpy's
        # warnings about both are silenced for stepgrad's modules (stepgrad/__init__.py),
        # which costs nothing until one is raised; np.errstate here cost ~4% of a
        # tutorial epoch on every call.
        log_p = np.maximum(np.log(input), LOG_FLOOR)
        log_one_minus_p = np.maximum(np.log1p(-input), LOG_FLOOR)
        losses = (target - 1) * log_one_minus_p - target * log_p
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.count = reduction, input.size
        return reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad = per_element(grad_output, ctx.reduction, ctx.count)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = grad * (input - target) / _at_least(input * (1 - input), BCE_EPSILON)
        if ctx.needs_input_grad[1]:
            grad_target = grad * (_log(1 - input) - _log(input))
        return grad_input, grad_target, None


class BCEWithLogitsLoss(Function):
    """Binary cross-entropy of sigmoid(x) against y, computed from the logits x:
    max(x, 0) - x y + log(1 + exp(-|x|)), which never overflows.

    d/dx = sigmoid(x) - y; d/dy = -x.
    """

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.count = reduction, input.size
        losses = np.maximum(input, 0) - input * target + np.log1p(np.exp(-np.abs(input)))
        return reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad = per_element(grad_output, ctx.reduction, ctx.count)
        grad_input = grad * (input.sigmoid() - target) if ctx.needs_input_grad[0] else None
        grad_target = grad * -input if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


class CrossEntropyLoss(Function):
    """Softmax cross-entropy of logits (N, C) against class indices (N,):
    -log softmax(x)[i, target[i]] for each row i, computed as log-softmax.

    d/dx = softmax(x) - one_hot(target). The targets are not differentiable.
    """

    @staticmethod
    def forward(ctx, input, target, reduction):
        # Subtracting each row's maximum leaves log-softmax unchanged and keeps exp <= 1.
        shifted = input - input.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(log_probs, target[..., None], axis=-1)[..., 0]
        ctx.save_for_backward(input)
        ctx.log_probs = log_probs  # for a backward pass on arrays, see _softmax
        ctx.target = target
        ctx.reduction = reduction
        return reduce(-picked, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        classes = np.arange(ctx.log_probs.shape[-1])
        one_hot = (ctx.target[..., None] == classes).astype(ctx.log_probs.dtype)
        grad = per_element(grad_output, ctx.reduction, ctx.target.size)
        if ctx.reduction == "none":
            grad = grad[..., None]  # one gradient per row, shared by its C logits
        return grad * (_softmax(input, ctx.log_probs) - one_hot), None, None


def _softmax(input, log_probs):
    """softmax(input) over the last dimension, for CrossEntropyLoss's backward.

    For a Tensor (a backward being recorded) it is computed from ``input``, so that
    it can be differentiated again; for an array (the plain backward pass) it is
    exp of the log-probabilities the forward computed, which saves computing it
    again from the logits.
    """
    return input.softmax(dim=-1) if isinstance(input, Tensor) else np.exp(log_probs)


# These formulas use only what numpy arrays and Tensors share (and _log, _softmax), so the plain
# backward pass runs them on bare arrays (see Function.backward_on_arrays).
for _function in (MSELoss, BCELoss, CrossEntropyLoss):
    _function.backward_on_arrays = True

"""The functional forms of layers and losses, as ``torch.nn.functional``.

The classes in ``stepgrad.nn`` hold settings and parameters; the functions here
do the work. Each checks its input first, so that a wrong shape or dtype is
reported here, in words, rather than as a numpy error from deep inside.

    >>> import stepgrad
    >>> import stepgrad.nn.functional as F
    >>> F.mse_loss(stepgrad.tensor([1.0, 3.0]), stepgrad.tensor([0.0, 1.0])).item()
    2.5
"""

import math

import numpy as np

from stepgrad.functions import losses
from stepgrad.functions.linalg import linear as _linear
from stepgrad.tensor import Tensor

# --- layers and activations ------------------------------------------------------


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one operation (what ``nn.Linear`` computes)."""
    return _linear(input, weight, bias)


def relu(input):
    return input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softmax(input, dim):
    return input.softmax(dim=dim)


def log_softmax(input, dim):
    return input.log_softmax(dim=dim)


# --- losses ---------------------------------------------------------------------


def mse_loss(input, target, reduction="mean"):
    """Mean squared error between ``input`` and a ``target`` of the same shape."""
    _check_pair("mse_loss", input, target, reduction)
    return losses.MSELoss.apply(input, target, reduction)


def binary_cross_entropy(input, target, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` (after a sigmoid) against
    ``target`` labels, both with values in [0, 1] and of the same shape."""
    # The usual call passes four cheap tests; any other gets the full diagnosis.
    if not (
        type(input) is Tensor
        and type(target) is Tensor
        and input.data.shape == target.data.shape
        and reduction in losses.REDUCTIONS
    ):
        _check_pair("binary_cross_entropy", input, target, reduction)
    _check_target_probabilities(target)
    loss = losses.BCELoss.apply(input, target, reduction)
    # With targets in [0, 1], the loss is NaN exactly when some input lies outside
    # [0, 1] (its logarithm is NaN) or is NaN: checking the result costs almost
    # nothing, where checking every input costs two passes over it on every call.
    if np.isnan(loss.data).any() if reduction == "none" else math.isnan(loss.data):
        _check_probabilities("binary_cross_entropy", "input", input)
    return loss


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy of ``sigmoid(input)`` against ``target``, computed from the
    logits ``input`` directly: more accurate than a Sigmoid followed by BCELoss."""
    _check_pair("binary_cross_entropy_with_logits", input, target, reduction)
    return losses.BCEWithLogitsLoss.apply(input, target, reduction)


def cross_entropy(input, target, reduction="mean"):
    """Softmax cross-entropy of logits ``input`` (N, C) against class indices
    ``target`` (N,), integers in [0, C). One example: logits (C,), target ()."""
    _check_tensor("cross_entropy", "input", input)
    _check_tensor("cross_entropy", "target", target)
    _check_reduction(reduction)
    if input.ndim not in (1, 2):
        raise ValueError(
            f"cross_entropy expects logits of shape (N, C) (or (C,) for one example), "
            f"got shape {tuple(input.shape)}; reshape the logits to (N, C)"
        )
    if target.data.dtype.kind not in "iu":
        raise RuntimeError(
            f"expected target dtype to be Long (int64): cross_entropy takes class indices, "
            f"got a {target.data.dtype} target; make the labels integers with target.long(), "
            f"or build them with stepgrad.tensor(labels, dtype=stepgrad.int64)"
        )
    if target.ndim != input.ndim - 1 or target.shape != input.shape[:-1]:
        raise ValueError(
            f"Expected input batch_size to match target batch_size: cross_entropy needs one "
            f"class index per row of logits, so logits of shape {tuple(input.shape)} need a "
            f"target of shape {tuple(input.shape[:-1])}, got {tuple(target.shape)}"
        )
    classes = input.shape[-1]
    out_of_range = (target.data < 0) | (target.data >= classes)
    if out_of_range.any():
        bad = target.data[out_of_range].flat[0]
        raise IndexError(
            f"Target {bad} is out of bounds: class indices must lie in [0, {classes - 1}] "
            f"for logits with {classes} classes"
        )
    return losses.CrossEntropyLoss.apply(input, target.data, reduction)


# --- checks ---------------------------------------------------------------------


def _check_reduction(reduction):
    if reduction not in losses.REDUCTIONS:
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction: use 'mean', 'sum' or 'none'"
        )


def _check_tensor(function, role, value):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{function}(): {role} must be a stepgrad Tensor, not {type(value).__name__}; "
            f"wrap it with stepgrad.tensor(...)"
        )


def _check_pair(function, input, target, reduction):
    _check_tensor(function, "input", input)
    _check_tensor(function, "target", target)
    _check_reduction(reduction)
    if input.shape != target.shape:
        # PyTorch would broadcast (with a warning) and silently compare every
        # prediction with every target: a classic bug, so it is an error here.
        raise ValueError(
            f"{function}(): the target's shape {tuple(target.shape)} differs from the "
            f"input's shape {tuple(input.shape)}; give one target per prediction, for "
            f"example with target.reshape({tuple(input.shape)})"
        )
    if input.data.dtype.kind != "f":
        raise RuntimeError(
            f"{function}(): the input must be floating point, got {input.data.dtype}; "
            f"convert it with .float()"
        )
    if target.data.dtype != input.data.dtype:
        # numpy would quietly promote the loss (and every gradient) to the wider type.
        raise RuntimeError(
            f"{function}(): Found dtype {target.data.dtype} but expected "
            f"{input.data.dtype}: the target must have the input's dtype; convert it "
            f"with target.float() (or build it with dtype=stepgrad.{input.data.dtype})"
        )


# The last target found to hold probabilities, as (tensor, its array, its version): a
# training loop passes the same labels every epoch, and they need checking only once.
_checked_target = (None, None, None)


def _check_target_probabilities(target):
    global _checked_target
    tensor, values, version = _checked_target
    # Checked again when the tensor, its array or its version (any in-place change) differs.
    if target is tensor and target.data is values and target._version == version:
        return
    _check_probabilities("binary_cross_entropy", "target", target)
    _checked_target = (target, target.data, target._version)


def _check_probabilities(function, role, tensor):
    values = tensor.data
    if not values.size:
        return
    # min/max rather than a mask: two small reductions; NaN fails both comparisons.
    # The ufuncs' own reduce skips ndarray.min's Python wrapper (this runs on every call).
    if not (
        np.minimum.reduce(values, axis=None) >= 0 and np.maximum.reduce(values, axis=None) <= 1
    ):
        raise RuntimeError(
            f"all elements of {role} should be between 0 and 1: {function}() got values "
            f"from {values.min()} to {values.max()}. "
            + (
                "Pass probabilities (apply a sigmoid first), or use "
                "binary_cross_entropy_with_logits on the raw outputs."
                if role == "input"
                else "Targets are labels 0 or 1 (or probabilities between them)."
            )
        )

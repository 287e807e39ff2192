"""Initialisation of parameters in place, as ``torch.nn.init``.

Random values come from stepgrad's generator, so ``stepgrad.manual_seed(s)``
before a model is built makes its initial weights reproducible.

    >>> import stepgrad
    >>> from stepgrad.nn import init
    >>> w = stepgrad.zeros(3, 4)
    >>> init.kaiming_uniform_(w, a=5 ** 0.5) is w
    True
    >>> w.abs().max().item() < 1 / 4 ** 0.5     # bound = 1 / sqrt(fan_in)
    True
"""

import math

from stepgrad.autograd.grad_mode import no_grad


def calculate_gain(nonlinearity, param=None):
    """The factor PyTorch scales initial weights by for a given activation."""
    if nonlinearity in ("linear", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        negative_slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + negative_slope**2))
    raise ValueError(
        f"calculate_gain does not know the nonlinearity {nonlinearity!r}; "
        f"use 'linear', 'sigmoid', 'tanh', 'relu' or 'leaky_relu'"
    )


def fan_in_and_fan_out(tensor):
    """(inputs, outputs) of a weight stored as ``(out_features, in_features)``."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a weight with at least 2 dimensions, got shape "
            f"{tuple(tensor.shape)}"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


# Initialising changes a parameter in place, which autograd forbids on a leaf that
# requires grad unless no graph is being recorded: hence no_grad, as in PyTorch.


def uniform_(tensor, a=0.0, b=1.0):
    """Fill ``tensor`` with values drawn uniformly from [a, b) by stepgrad's generator."""
    with no_grad():
        return tensor.uniform_(a, b)


def constant_(tensor, value):
    with no_grad():
        return tensor.fill_(value)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He initialisation: uniform in (-bound, bound), bound = gain * sqrt(3 / fan).

    ``nn.Linear`` uses ``a=sqrt(5)``: gain = sqrt(2 / 6), so bound = 1 / sqrt(in_features).
    """
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot initialisation: uniform in (-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


__all__ = [
    "calculate_gain",
    "constant_",
    "fan_in_and_fan_out",
    "kaiming_uniform_",
    "ones_",
    "uniform_",
    "xavier_uniform_",
    "zeros_",
]

"""``Parameter``: a tensor that a Module registers as something to train.

It is an ordinary leaf Tensor that requires grad; being a Parameter only tells
``Module.__setattr__`` to file it under ``parameters()``.

    >>> import stepgrad
    >>> from stepgrad.nn import Parameter
    >>> w = Parameter(stepgrad.ones(2))
    >>> w
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    >>> isinstance(w, Parameter), isinstance(w, stepgrad.Tensor)
    (True, True)

Unlike PyTorch's, a Parameter here is not a subclass: ``Parameter(...)`` makes a
plain Tensor marked as a parameter, and ``isinstance`` looks for the mark. The
code that runs for every tensor of a graph (an operation's inputs, the backward
walk) then only ever meets one class, Tensor, which Python runs measurably
faster than a mix of two (about 3% of the tutorial's training step).
"""

import numpy as np

from stepgrad.tensor import Tensor


class _ParameterType(type):
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance._is_parameter


class Parameter(metaclass=_ParameterType):
    """A Tensor that is a module's trainable parameter (``requires_grad=True`` by default)."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            # Share the array, as torch.nn.Parameter(t) shares t's storage.
            data = data.data
        parameter = Tensor(data, requires_grad=requires_grad)
        parameter._is_parameter = True
        return parameter

"""``Parameter``: a tensor that a Module registers as something to train.

It is an ordinary leaf Tensor that requires grad; being a Parameter only tells
``Module.__setattr__`` to file it under ``parameters()``.

    >>> import stepgrad
    >>> from stepgrad.nn import Parameter
    >>> Parameter(stepgrad.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
"""

import numpy as np

from stepgrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's trainable parameter (``requires_grad=True`` by default)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            # Share the array, as torch.nn.Parameter(t) shares t's storage.
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

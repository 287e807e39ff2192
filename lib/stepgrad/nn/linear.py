"""``Linear``: the fully connected layer y = x W^T + b, as ``torch.nn.Linear``."""

import math

import numpy as np

from stepgrad.dtypes import as_numpy_dtype
from stepgrad.functions.linalg import Linear as LinearFunction
from stepgrad.nn import init
from stepgrad.nn.module import Module
from stepgrad.nn.parameter import Parameter
from stepgrad.tensor import Tensor


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features), b of shape (out_features,).

    Initialised as PyTorch does: every weight and bias uniform in
    (-1/sqrt(in_features), 1/sqrt(in_features)), drawn from stepgrad's seeded generator.

        >>> import stepgrad
        >>> layer = stepgrad.nn.Linear(2, 3)
        >>> layer(stepgrad.ones(4, 2)).shape
        (4, 3)
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
                raise TypeError(f"Linear({name}=...) must be a whole number >= 0, got {size!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = np.float32 if dtype is None else as_numpy_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh initial values, as PyTorch's Linear does when it is built."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        # The usual input passes with three comparisons; any other gets the full diagnosis.
        weight = self.weight
        if not (
            isinstance(input, Tensor)
            and input.data.shape[-1:] == weight.data.shape[1:]
            and input.data.dtype == weight.data.dtype
        ):
            self._check_input(input)
        return LinearFunction.apply(input, weight, self.bias)

    def _check_input(self, input):
        # A wrong width would otherwise surface as numpy's "matmul: mismatch in core
        # dimension", which names neither the layer nor the sizes.
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{self._describe()} expects a stepgrad Tensor, got {type(input).__name__}; "
                f"wrap the data with stepgrad.tensor(...)"
            )
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            raise RuntimeError(
                f"{self._describe()} expects inputs with {self.in_features} features (the "
                f"last dimension) but got an input of shape {tuple(shape)}, whose last "
                f"dimension is {shape[-1] if shape else 'missing'}; give it "
                f"{self.in_features} features, or build the layer as "
                f"Linear({shape[-1] if shape else '...'}, {self.out_features})"
            )
        if input.data.dtype != self.weight.data.dtype:
            raise RuntimeError(
                f"{self._describe()} has {self.weight.data.dtype} weights but got an input "
                f"of dtype {input.data.dtype}; the two must have the same dtype: "
                f"build the data with dtype=stepgrad.{self.weight.data.dtype} or convert "
                f"it with .float()"
            )

    def _describe(self):
        name = f" {self._path!r}" if self._path else ""
        return f"Linear layer{name} (in_features={self.in_features})"

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )

"""stepgrad: a small autograd library for learning how automatic differentiation works.

Two engines share one graph protocol (``stepgrad.graph``): ``Value`` for
scalars and ``Tensor`` for numpy arrays, whose API follows PyTorch's, so
``import stepgrad as torch`` runs the programs of the course.
"""

import warnings as _warnings

# As in PyTorch, arithmetic that reaches inf or nan does so silently: the value shows it, and
# autograd.detect_anomaly() names the operation. numpy's RuntimeWarning, printed from inside
# stepgrad's own source lines, would only alarm a learner. Only warnings raised in stepgrad's
# modules are silenced; the learner's own numpy code warns as usual.
_warnings.filterwarnings(
    "ignore", message=r".* encountered in ", category=RuntimeWarning, module=r"stepgrad(\.|$)"
)

# Tensor first: the autograd and Function modules import it.
from stepgrad.autograd import (
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from stepgrad.creation import (
    arange,
    default_generator,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from stepgrad.dtypes import (
    bool,
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from stepgrad.ops import (
    abs,
    add,
    argmax,
    argmin,
    clamp,
    clip,
    clone,
    div,
    exp,
    flatten,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
)
from stepgrad.scalar import Value
from stepgrad.serialization import load, save
from stepgrad.tensor import Tensor, cat, concatenate, stack, where

# PyTorch's other names for the same dtypes.
float = float32
double = float64
half = float16
long = int64
int = int32

__version__ = "0.1.0"

_SUBPACKAGES = ("nn", "optim", "viz", "exercises")


def __getattr__(name):
    # `stepgrad.nn` works after a plain `import stepgrad`, as `torch.nn` does, without
    # making every `import stepgrad` pay for importing nn, optim and the drawing code.
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"stepgrad.{name}")
    raise AttributeError(f"module 'stepgrad' has no attribute {name!r}")


__all__ = [
    "Tensor",
    "Value",
    "__version__",
    "abs",
    "add",
    "arange",
    "argmax",
    "argmin",
    "bool",
    "cat",
    "clamp",
    "clip",
    "clone",
    "concatenate",
    "default_generator",
    "div",
    "double",
    "dtype",
    "empty",
    "enable_grad",
    "exp",
    "eye",
    "flatten",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "gradcheck",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "is_tensor",
    "linspace",
    "load",
    "log",
    "log_softmax",
    "long",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "ones",
    "ones_like",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "reshape",
    "save",
    "set_grad_enabled",
    "sigmoid",
    "softmax",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "uint8",
    "unsqueeze",
    "where",
    "zeros",
    "zeros_like",
]

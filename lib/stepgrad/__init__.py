"""stepgrad: a small autograd library for learning how automatic differentiation works.

Two engines share one graph protocol (``stepgrad.graph``): ``Value`` for
scalars and ``Tensor`` for numpy arrays, whose API follows PyTorch's.
"""

from stepgrad.autograd import gradcheck
from stepgrad.scalar import Value

__version__ = "0.1.0"

__all__ = ["Value", "gradcheck", "__version__"]

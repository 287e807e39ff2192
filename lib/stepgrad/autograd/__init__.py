"""Autograd machinery for the tensor engine, and gradient checking for both engines."""

from stepgrad.autograd.gradcheck import GradcheckError, gradcheck

__all__ = ["GradcheckError", "gradcheck"]

"""Autograd for tensors: Function (the extension point), grad modes, backward, gradcheck.

- ``Function``: subclass it with ``forward(ctx, ...)`` and ``backward(ctx, grad)``
  to define a differentiable operation (every built-in op is one).
- ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``is_grad_enabled``.
- ``backward(tensor, ...)``: the same as ``tensor.backward(...)``.
- ``gradcheck``: compare a function's gradients with finite differences.
- ``functional``: ``jacobian``, ``jvp``, ``vjp`` of whole functions.
- ``graph_memory``: the nodes of a graph and the bytes they keep for backward.
- ``grad(outputs, inputs, ...)``: gradients returned instead of stored in ``.grad``;
  with ``create_graph=True``, differentiable again (second derivatives).
- ``detect_anomaly()``: backward stops at the operation that produced NaN or inf.
"""

import stepgrad.tensor  # noqa: F401 - defines Tensor before the modules below need it
from stepgrad.autograd.anomaly_mode import (
    AnomalyError,
    detect_anomaly,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from stepgrad.autograd.engine import grad, run_backward
from stepgrad.autograd.function import BackwardNode, Function
from stepgrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from stepgrad.autograd.gradcheck import GradcheckError, gradcheck
from stepgrad.autograd.memory import GraphMemory, graph_memory

from stepgrad.autograd import functional  # isort: skip - after the modules it builds on


def backward(tensor, grad_tensor=None, retain_graph=None, create_graph=False):
    """``tensor.backward(grad_tensor, retain_graph, create_graph)`` (as torch.autograd.backward)."""
    run_backward(tensor, grad_tensor, retain_graph, create_graph)


__all__ = [
    "AnomalyError",
    "BackwardNode",
    "Function",
    "GradcheckError",
    "GraphMemory",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "graph_memory",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "run_backward",
    "set_detect_anomaly",
    "set_grad_enabled",
]

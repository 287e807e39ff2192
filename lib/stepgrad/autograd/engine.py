"""Backward for tensors: the shared graph walk plus what tensors need around it.

The walk itself is ``stepgrad.graph.backward``, the same one the scalar
engine uses. This module prepares it (the seed gradient, grad mode for the
backward formulas) and settles what the walk leaves to the nodes: whether a
node frees what it saved (``retain_graph``), and how a gradient is stored in
``.grad``.

``run_backward(root, ..., observer=...)`` is the entry point for anything
that wants to watch the real backward pass step by step
(``stepgrad.viz.trace_backward``); ``Tensor.backward`` calls it without one.
"""

import numpy as np

from stepgrad import graph
from stepgrad.autograd import grad_mode
from stepgrad.tensor import Tensor, _make


class _Walk:
    """Settings of the backward pass in progress, read by nodes and leaves."""

    __slots__ = ("create_graph", "retain_graph", "stored_arrays")

    def __init__(self, retain_graph, create_graph):
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        # ids of arrays already kept in some .grad: a second tensor gets a copy,
        # so that changing one tensor's grad in place never changes another's.
        self.stored_arrays = set()


current_walk = None


def run_backward(root, gradient=None, retain_graph=None, create_graph=False, observer=None):
    """Backpropagate from ``root`` into ``.grad`` of the leaves it depends on.

    ``gradient`` is d(something)/d(root), required unless root has one element;
    ``observer(node, grad, contributions, pending)`` is passed to the walk
    (see ``stepgrad.graph.backward``). Returns the nodes in topological order.
    """
    global current_walk
    if not root._requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: "
            "nothing it was computed from requires a gradient. Create the inputs with "
            "requires_grad=True (or call .requires_grad_()), and make sure the forward "
            "pass did not run inside no_grad()."
        )
    if retain_graph is None:
        retain_graph = create_graph
    walk = _Walk(retain_graph, create_graph)
    seed = _seed(root, gradient, walk)
    previous_walk, previous_mode = current_walk, grad_mode.state.enabled
    current_walk = walk
    grad_mode.state.enabled = create_graph  # the backward formulas are recorded only if asked
    try:
        return graph.backward(root, seed, observer)
    finally:
        current_walk = previous_walk
        grad_mode.state.enabled = previous_mode


def _seed(root, gradient, walk):
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs: this tensor has "
                f"shape {tuple(root.shape)}. Reduce it to one number first (.sum() or "
                f".mean()), or pass backward(gradient=...) a tensor of shape "
                f"{tuple(root.shape)} holding d(something)/d(this tensor)."
            )
        data = root.data
        # np.array(1, dtype) is several times faster than np.ones_like for the usual 0-d loss.
        return _make(np.array(1, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype))
    if not isinstance(gradient, Tensor):
        gradient = _make(np.asarray(gradient, dtype=root.data.dtype))
    if gradient.shape != root.shape:
        raise RuntimeError(
            f"Mismatch in shape: gradient has a shape of {tuple(gradient.shape)} and the "
            f"tensor backward was called on has a shape of {tuple(root.shape)}. Pass a "
            f"gradient with exactly the tensor's shape."
        )
    if gradient.data.dtype != root.data.dtype:
        gradient = gradient.to(root.dtype)
    walk.stored_arrays.add(id(gradient.data))  # the caller's array: never store it as a .grad
    return gradient


def accumulate(tensor, grad):
    """Add ``grad`` into ``tensor.grad`` (the first time, store it)."""
    walk = current_walk
    if walk is None:
        walk = _Walk(retain_graph=True, create_graph=False)
    if not walk.create_graph:
        array = grad.data
        # Keep the array itself when it is fresh (most are: a matmul's result),
        # copy it when it may be shared (a view, the caller's seed, another tensor's grad).
        if array.base is not None or id(array) in walk.stored_arrays or grad.grad_fn is not None:
            array = array.copy()
            grad = _make(array)
        walk.stored_arrays.add(id(array))
    if tensor.grad is None:
        tensor.grad = grad
    else:
        tensor.grad = tensor.grad + grad

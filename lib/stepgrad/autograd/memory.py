"""What a graph holds: its operation nodes and the arrays they keep for backward.

Every recorded operation keeps what its backward formula will need: Mul keeps
both factors, Tanh its output, Linear its input and weight. Those arrays stay
alive as long as the graph does, which is why a training step needs far more
memory than a prediction under ``no_grad()`` (where nothing is recorded).

    >>> import stepgrad
    >>> x = stepgrad.ones(1000, requires_grad=True)  # float32: 4000 bytes
    >>> graph_memory((x * x).tanh().sum())
    GraphMemory(nodes=3, saved_arrays=2, saved_bytes=8000, activation_bytes=4000)

Mul saved x (once, though twice as a factor) and Tanh its output; Sum keeps
only a shape. ``activation_bytes`` is the part computed by the forward pass
(here tanh's output): the graph alone keeps it alive, while the data of
leaves (x, a model's parameters, its inputs) exists with or without a graph.
An array counts once however many nodes keep it, and a view counts as the
whole array it looks into, which it keeps alive. Backward frees
what nodes saved through ``save_for_backward`` (unless ``retain_graph=True``),
so the same measure taken afterwards shows what is left.

PyTorch has no such function; ``torch.autograd.graph.saved_tensors_hooks``
is how one watches the same arrays there.
"""

from typing import NamedTuple

import numpy as np

from stepgrad.tensor import Tensor

# Attributes every node has that are not something saved for backward.
_GRAPH_LINKS = ("inputs", "needs_input_grad")


class GraphMemory(NamedTuple):
    """How many operation nodes a graph has and what their saved arrays weigh."""

    nodes: int  # operations recorded (each a grad_fn, such as <MulBackward>)
    saved_arrays: int  # distinct arrays kept for backward
    saved_bytes: int  # their total size
    activation_bytes: int  # the part that is not the data of a leaf (computed in forward)


def graph_memory(root):
    """The nodes reachable from ``root`` (a Tensor) and the arrays they keep for backward."""
    if not isinstance(root, Tensor):
        raise TypeError(
            f"graph_memory needs a Tensor (the output of a computation, such as a loss), "
            f"got {type(root).__name__}. Values of the scalar engine keep no arrays."
        )
    nodes = []
    leaf_arrays = set()  # ids of the arrays that leaves hold
    seen = set()
    waiting = [root.grad_fn] if root.grad_fn is not None else []
    while waiting:  # iterative: deep graphs would overflow a recursive walk
        node = waiting.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        for tensor in node.inputs:
            if tensor.grad_fn is None:
                leaf_arrays.add(id(_memory_owner(tensor.data)))
            else:
                waiting.append(tensor.grad_fn)
    owners = {}
    for node in nodes:
        for array in _saved_arrays(node):
            owner = _memory_owner(array)
            owners[id(owner)] = owner
    return GraphMemory(
        nodes=len(nodes),
        saved_arrays=len(owners),
        saved_bytes=sum(owner.nbytes for owner in owners.values()),
        activation_bytes=sum(a.nbytes for key, a in owners.items() if key not in leaf_arrays),
    )


def _saved_arrays(node):
    """The arrays ``node`` keeps for its backward: saved tensors and array attributes."""
    try:
        saved = node.saved_tensors
    except RuntimeError:
        saved = ()  # backward has already freed them
    for item in saved:
        if isinstance(item, Tensor):
            yield item.data
    # What forward set on ctx for backward (ctx.mask = ...): arrays there count too.
    for name, value in vars(node).items():
        if name.startswith("_") or name in _GRAPH_LINKS:
            continue
        for item in value if isinstance(value, tuple | list) else (value,):
            if isinstance(item, np.ndarray):
                yield item


def _memory_owner(array):
    # A view keeps the array it looks into alive: count that array.
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array

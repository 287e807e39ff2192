"""The node protocol shared by both engines, and the one backward walk.

Every node of a computational graph, a scalar ``Value`` or a ``Tensor``,
answers the same few questions, and everything that walks a graph (backward,
the drawing code, the stepper, the exercise checks) asks only these:

    node.inputs   the nodes it was computed from; () for a leaf
    node.op       the name of the operation that made it; None for a leaf
    node.data     its value
    node.grad     its gradient

Two more hooks are for this module's walk only:

    node._seq               a number taken at creation (see below)
    node._backprop(grad)    one contribution per input (None where none is needed)
    node._accumulate(grad)  keep the gradient that reached this node; may return
                            a replacement that flows on instead (hooks)

Nodes must hash by identity (``object.__hash__``; Tensor keeps it although its
``==`` is elementwise), because the walk keeps the nodes it has seen in a set.

Example:
    >>> from stepgrad import Value
    >>> x = Value(3.0)
    >>> y = x * x
    >>> [n.data for n in topological_order(y)]
    [3.0, 9.0]
"""

from itertools import count
from operator import attrgetter

# Every node takes the next number when it is created. A node can only be made
# from nodes that already exist, so creation order is a topological order: inputs
# always have smaller numbers than the nodes computed from them.
creation_counter = count()

_creation_number = attrgetter("_seq")


def topological_order(root):
    """The nodes ``root`` depends on (and root itself), each after its inputs.

    Iterative on purpose: a recursive walk stops with RecursionError on a chain
    of a few thousand operations.
    """
    seen = {root}
    found = [root]
    for node in found:  # `found` grows while we read it
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
    found.sort(key=_creation_number)
    return found


def backward(root, seed, observer=None):
    """Apply the chain rule from ``root`` back to every node it depends on.

    ``seed`` is d(root)/d(root), normally 1. Gradients that arrive at a node
    from its several consumers are summed in ``pending`` before the node is
    processed, so every node passes on its complete gradient exactly once.

    ``observer(node, grad, contributions, pending)``, when given, is called
    after each node is processed: the gradient that reached it, what it sent
    to each input, and the gradients that have arrived so far at nodes still
    waiting (a dict keyed by ``id(node)``). ``stepgrad.viz.trace_backward`` is
    this walk with an observer.
    """
    order = topological_order(root)
    pending = {id(root): seed}
    for node in reversed(order):
        grad = pending.pop(id(node), None)
        if grad is None:
            continue  # no gradient flows here (nothing needed it)
        replaced = node._accumulate(grad)
        if replaced is not None:
            grad = replaced  # a hook (Tensor.register_hook) changed what flows on
        inputs = node.inputs
        contributions = node._backprop(grad) if inputs else ()
        for parent, contribution in zip(inputs, contributions):
            if contribution is None:
                continue
            key = id(parent)
            # A new sum, never `+=`: a contribution may be the very array
            # another input also received.
            pending[key] = pending[key] + contribution if key in pending else contribution
        if observer is not None:
            observer(node, grad, contributions, pending)
    return order

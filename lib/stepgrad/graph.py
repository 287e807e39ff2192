"""The node protocol shared by both engines, and the one backward walk.

Every node of a computational graph, a scalar ``Value`` or a ``Tensor``,
answers the same few questions, and everything that walks a graph (backward,
the drawing code, the stepper, the exercise checks) asks only these:

    node.inputs   the nodes it was computed from; () for a leaf
    node.op       the name of the operation that made it; None for a leaf
    node.data     its value
    node.grad     its gradient

More hooks are for this module's walk only. Every node has

    node._seq               a number taken at creation (see below)

and answers the chain rule in one of two ways. A Tensor returns what it sends:

    node._backprop(grad)    one contribution per input (None where none is needed)
    node._accumulate(grad)  keep the gradient that reached this node; may return
                            a replacement that flows on instead (hooks)
    node._keeps_grad        whether _accumulate has anything to do (a leaf that
                            requires grad, a retained or hooked tensor): most
                            nodes of a graph have not, and the walk skips the call

A Value, whose class sets ``_pushes_gradients = True``, adds what it sends
straight into its inputs, which saves the walk a dict lookup per edge and a
call per node on graphs of hundreds of thousands of scalars:

    node._arrived           None outside a backward pass. The pass sets it to 0.0
                            on every node it finds (that is its mark: no set of
                            seen nodes is needed), gathers the gradients arriving
                            there in it, and sets it back to None once the node
                            is processed
    node._push(grad)        add grad * d(node)/d(input) into each input's
                            ``_arrived``; return what was sent, one per input
    node._a, node._b        its inputs, read by the pass's search directly (the
                            ``inputs`` property makes a tuple each time it is
                            read); ``_b`` may instead hold the number a one-input
                            operation keeps (the n of x ** n), a float, or None

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
    found = _reachable(root)
    found.sort(key=_creation_number)
    return found


def _reachable(root):
    seen = {root}
    found = []
    to_visit = [root]
    while to_visit:
        node = to_visit.pop()
        found.append(node)
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                to_visit.append(parent)
    return found


def _topological_order_marking(root):
    """``topological_order`` for Values, marking each node found: ``_arrived = 0.0``.

    Marks in a slot are much faster to set and test than a set of tens of
    thousands of nodes is to grow, and the walk that follows needs every node's
    ``_arrived`` at 0.0 anyway. Only ``backward`` may search this way, because
    the mark is the pass's own (so one pass at a time: an observer must not start
    another). If the search is interrupted (Ctrl-C in a notebook), the marks are
    taken off again, or the next pass would miss those nodes.
    """
    root._arrived = 0.0
    found = []
    to_visit = [root]
    try:
        while to_visit:
            node = to_visit.pop()
            found.append(node)
            a = node._a
            if a is None:
                continue  # a leaf
            if a._arrived is None:
                a._arrived = 0.0
                to_visit.append(a)
            b = node._b
            if b is not None and b.__class__ is not float and b._arrived is None:
                b._arrived = 0.0
                to_visit.append(b)
    except BaseException:
        for node in found + to_visit:
            node._arrived = None
        raise
    # Depth first, most recent input first, finds the nodes nearly in reverse
    # creation order, which makes this sort cheap.
    found.sort(key=_creation_number)
    return found


def backward(root, seed, observer=None):
    """Apply the chain rule from ``root`` back to every node it depends on.

    ``seed`` is d(root)/d(root), normally 1. Nodes are processed outputs first
    (reverse topological order), so a node's consumers have all added their
    shares into its ``_arrived`` before its turn comes, and it passes on its
    complete gradient exactly once.

    ``observer(node, grad, contributions, waiting)``, when given, is called after
    each node is processed: the gradient that reached it, what it sent to each
    input, and ``waiting(other)``, the gradient that has arrived so far at a node
    not yet processed (None or 0.0 where nothing has). ``stepgrad.viz.trace_backward``
    is this walk with an observer.
    """
    if not getattr(root, "_pushes_gradients", False):
        order = topological_order(root)
        _walk_returning(order, root, seed, observer)  # Tensors
        return order
    order = _topological_order_marking(root)  # also sets every node's _arrived to 0.0
    root._arrived = seed
    try:
        for node in reversed(order):
            grad = node._arrived  # complete: every consumer has sent its share
            node._arrived = None  # done: unmarked for the next pass
            node.grad += grad
            contributions = node._push(grad)  # into each input's _arrived
            if observer is not None:
                observer(node, grad, contributions, _arrived_so_far)
    except BaseException:
        for node in order:  # a failed pass must not leak into the next one
            node._arrived = None
        raise
    return order


def _arrived_so_far(node):
    return node._arrived


def _walk_returning(order, root, seed, observer):
    """``backward`` for nodes that return their contributions (Tensor).

    The same walk, with the gradients on their way kept in a dict by node (nodes
    hash by identity), and room for hooks that replace the gradient flowing on.
    """
    pending = {root: seed}  # node -> sum of the gradients that reached it so far
    waiting = pending.get  # what the observer may ask: None where nothing has arrived

    for node in reversed(order):
        grad = pending.pop(node, None)
        if grad is None:
            continue  # no gradient flows here (nothing needed it)
        if node._keeps_grad:
            replaced = node._accumulate(grad)
            if replaced is not None:
                grad = replaced  # a hook (Tensor.register_hook) changed what flows on
        inputs = node.inputs
        if not inputs:  # a leaf: its gradient stops here
            if observer is not None:
                observer(node, grad, (), waiting)
            continue
        contributions = node._backprop(grad)
        for parent, contribution in zip(inputs, contributions):
            if contribution is None:
                continue
            if parent in pending:
                # A new sum, never `+=`: a contribution may be the very array
                # another input also received.
                pending[parent] = pending[parent] + contribution
            else:
                pending[parent] = contribution
        if observer is not None:
            observer(node, grad, contributions, waiting)

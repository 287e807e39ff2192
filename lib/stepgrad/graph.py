"""The node protocol shared by both engines, and the one backward walk.

Every node of a computational graph, a scalar ``Value`` or a ``Tensor``,
answers the same few questions, and everything that walks a graph (backward,
the drawing code, the stepper, the exercise checks) asks only these:

    node.inputs   the nodes it was computed from; () for a leaf
    node.op       the name of the operation that made it; None for a leaf
    node.data     its value
    node.grad     its gradient

More hooks are for this module's walk only. A Tensor has

    node._seq               a number taken at creation (see below)

and returns what it sends:

    node._backprop(grad)    one contribution per input (None where none is needed)
    node._accumulate(grad)  keep the gradient that reached this node; may return
                            a replacement that flows on instead (hooks)
    node._keeps_grad        whether _accumulate has anything to do (a leaf that
                            requires grad, a retained or hooked tensor): most
                            nodes of a graph have not, and the walk skips the call

A Value, whose class sets ``_pushes_gradients = True``, has the walk add what it
sends straight into its inputs' ``.grad``, with the chain rule written out in the
loop itself: no dict lookup per edge and no call per node but the operation's
own ``local_grads``, which matters on graphs of hundreds of thousands of scalars:

    node.grad               during a pass, also the search's mark: the search
                            marks each node it finds in its ``.grad`` (no set of
                            seen nodes and no slot of its own are needed). Once
                            the node is listed, the mark is a 0.0 that gathers
                            what arrives in this pass; a gradient from earlier
                            passes waits aside until the node's turn
    node._a, node._b        its inputs, read by the walk directly (the ``inputs``
                            property makes a tuple each time it is read); ``_b``
                            may instead hold the number a one-input operation
                            keeps (the n of x ** n), a float, or None
    node._op                the operation: ``_op.local_grads(a, b, out)`` gives
                            d(node)/d(input) for each input, from plain numbers

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

# Every Tensor takes the next number when it is created. A node can only be made
# from nodes that already exist, so creation order is a topological order: inputs
# always have smaller numbers than the nodes computed from them. (A Value has no
# number, which saves an int per node: its graph is ordered by a depth-first search.)
creation_counter = count()

_creation_number = attrgetter("_seq")


def topological_order(root):
    """The nodes ``root`` depends on (and root itself), each after its inputs.

    For Values: depth first, inputs in order. Each node comes after its first
    input with everything that input depends on, then its second input likewise;
    for a graph written as one expression, that is the order in which Python
    evaluated it. For Tensors: the order of creation. Iterative on purpose: a
    recursive walk stops with RecursionError on a chain of a few thousand
    operations.
    """
    if getattr(root, "_pushes_gradients", False):
        return _inputs_first(root)  # Values
    found = _reachable(root)
    found.sort(key=_creation_number)
    return found


def _inputs_first(root):
    """Depth first, inputs in order: a node is listed once all its inputs are."""
    order = []
    listed = set()
    opened = set()  # nodes whose inputs are being listed
    to_visit = [root]
    while to_visit:
        node = to_visit.pop()
        if node in listed:
            continue  # listed already, through another node it feeds
        inputs = node.inputs
        if inputs and node not in opened:
            opened.add(node)
            to_visit.append(node)  # again, once its inputs are listed
            to_visit.extend(reversed(inputs))  # the first input on top
        else:
            listed.add(node)
            order.append(node)
    return order


def _reachable(root):
    found = [root]
    seen = {root}
    for node in found:  # the list grows as it is read: each node found is looked at once
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
    return found


# A Value's .grad during a pass: _OPENED while its inputs are being listed, then
# _LISTED, a 0.0 that no other code holds (floats are always new objects when
# computed), so that the search can tell a node it listed from one it has not found.
_OPENED = object()
_LISTED = float("0")


def _inputs_first_marking(root):
    """``topological_order`` for Values, marking each node in its ``.grad``.

    The same order as ``_inputs_first``, found with marks instead of a set (much
    faster on tens of thousands of nodes), and returned with ``carried``: the
    gradients that nodes had from earlier passes (node -> gradient, only for nodes
    that had one; none after ``zero_grad()``). A listed node's ``.grad`` is
    ``_LISTED``, ready to gather this pass's gradient. Only ``backward`` may search
    this way, because the marks are the pass's own (so one pass at a time: an
    observer must not start another).
    """
    order = []
    carried = {}
    listed, opened = _LISTED, _OPENED
    to_visit = [root]  # nodes found, and opened nodes waiting for their inputs
    try:
        while to_visit:
            node = to_visit.pop()
            mark = node.grad
            if mark is opened:  # its inputs are listed now: list it
                order.append(node)
                node.grad = listed
                continue
            if mark is listed:
                continue  # listed already, through another node it feeds
            if mark:
                carried[node] = mark
            # Go down from a node just found through its first input not listed
            # yet, opening each node on the way; a leaf is listed at once. Each
            # node's earlier gradient is set aside when it is found. (The two
            # inputs are written out one after the other: a loop over them would
            # make a tuple per node.)
            while True:
                a = node._a
                if a is not None:
                    mark = a.grad
                    if mark is not listed:
                        if mark:
                            carried[a] = mark
                        if a._a is not None:
                            to_visit.append(node)
                            node.grad = opened
                            b = node._b
                            if b is not None and b.__class__ is not float:
                                to_visit.append(b)  # after a, with what a needs
                            node = a
                            continue
                        order.append(a)
                        a.grad = listed
                    b = node._b
                    if b is not None and b.__class__ is not float:
                        mark = b.grad
                        if mark is not listed:
                            if mark:
                                carried[b] = mark
                            if b._a is not None:
                                to_visit.append(node)
                                node.grad = opened
                                node = b
                                continue
                            order.append(b)
                            b.grad = listed
                order.append(node)  # a leaf, or all its inputs are listed
                node.grad = listed
                break
    except BaseException:
        # Stopped part way (Ctrl-C in a notebook): take the marks off again, or the
        # next pass would miss those nodes. (An opened node is on to_visit: it is put
        # there before it is marked.)
        _give_back(order + [n for n in to_visit if n.grad is opened], carried)
        raise
    return order, carried


def backward(root, seed, observer=None):
    """Apply the chain rule from ``root`` back to every node it depends on.

    ``seed`` is d(root)/d(root), normally 1. Nodes are processed outputs first
    (reverse topological order), so a node's consumers have all sent it their
    shares before its turn comes, and it passes on its complete gradient
    exactly once.

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
    # Every .grad now starts at 0.0; the earlier ones wait in carried.
    order, carried = _inputs_first_marking(root)
    root.grad = seed
    try:
        for node in reversed(order):
            grad = node.grad  # complete: every consumer has added its share
            if carried:
                earlier = carried.pop(node, None)
                if earlier is not None:
                    node.grad = earlier + grad  # gradients add up across passes
            # The chain rule: each input gets grad * d(node)/d(input), added to its .grad.
            a, b = node._a, node._b
            if a is not None:  # (a leaf's gradient stays where it is)
                if b is None or b.__class__ is float:  # one input (b: a number it keeps)
                    (da,) = node._op.local_grads(a.data, b, node.data)
                    a.grad += grad * da
                else:
                    da, db = node._op.local_grads(a.data, b.data, node.data)
                    a.grad += grad * da
                    b.grad += grad * db
            if observer is not None:
                observer(node, grad, _sent(node, grad), _arrived_so_far)
    except BaseException:
        # A failed pass must not leak into the next one: the nodes not processed
        # yet get their gradients from before it back.
        _give_back(order[: order.index(node)], carried)  # (Values compare by identity)
        raise
    return order


def _sent(node, grad):
    """What a Value sent each input in the walk: grad * d(node)/d(input), for observers."""
    return tuple(grad * local for local in node.local_grads())


def _arrived_so_far(node):
    return node.grad  # (0.0 where nothing has arrived yet)


def _give_back(nodes, carried):
    """Take a stopped Value pass's marks off ``nodes``, with their gradients from before it."""
    for node in nodes:
        node.grad = carried.get(node, 0.0)


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

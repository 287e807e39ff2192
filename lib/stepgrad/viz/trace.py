"""Recording the forward and backward passes step by step, as plain data.

``trace_backward(root)`` is not a second backward: it runs the engine's own
walk, ``stepgrad.graph.backward``, with an observer that writes down what the
walk did at each node. The pictures drawn from a trace can therefore never
disagree with the gradients the engine computes.

    >>> from stepgrad import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> steps = trace_backward(y)
    >>> [(c.local_grad, c.contribution) for c in steps[0].contributions]
    [(3.0, 3.0), (3.0, 3.0)]
    >>> x.grad
    6.0
"""

import numbers
from dataclasses import dataclass

import numpy as np

from stepgrad import graph
from stepgrad.viz.drawing import GraphTooLargeError
from stepgrad.viz.nodes import GraphIndex, as_array, is_tensor

DEFAULT_MAX_TRACE_NODES = 1000


@dataclass(frozen=True)
class Contribution:
    """What one backward step sent to one input.

    ``local_grad`` is d(node)/d(input) as the engine used it: a number for a
    Value; None for a Tensor, whose ``Function.backward`` computes the
    vector-Jacobian product directly without forming the local derivative
    (a Jacobian that would be far bigger than the gradient).
    ``contribution`` is what the input received: upstream x local for a Value,
    a numpy array for a Tensor (None for an input that needs no gradient).
    ``summed_axes`` is set when the input was broadcast in the forward pass: its
    gradient had the output's shape and was summed over these axes back to the
    input's shape (``()`` when no reduction happened).
    """

    input: object
    input_position: int
    slot: int
    local_grad: object
    contribution: object
    summed_axes: tuple = ()


@dataclass(frozen=True)
class BackwardStep:
    """One node processed by the backward walk.

    ``number`` counts from 1 in the order the engine processed the nodes;
    ``position`` is the node's place in the topological order (its drawing is
    named ``n<position>``); ``upstream`` is the complete gradient that reached
    it; ``grads`` maps every position to the gradient accumulated there so far in
    this pass, or None where nothing has arrived yet.
    """

    number: int
    node: object
    position: int
    upstream: object
    contributions: tuple
    grads: dict


@dataclass(frozen=True)
class ForwardStep:
    """One operation evaluated in the forward pass, in the order it ran."""

    number: int
    node: object
    position: int
    op: str
    input_positions: tuple
    input_values: tuple
    value: object


def trace_backward(root, *, max_nodes=DEFAULT_MAX_TRACE_NODES):
    """Run backward from ``root`` and return one ``BackwardStep`` per non-leaf node.

    Like ``root.backward()`` it adds into ``.grad`` (reset with ``zero_grad()``
    before tracing a graph that already has gradients); the ``grads`` of each
    step hold only what this pass delivered.
    """
    index = GraphIndex(root)
    _check_size(index, max_nodes, "trace_backward")
    position_of = {id(node): i for i, node in enumerate(index.order)}
    arrived = {}  # position -> complete gradient of each node processed so far
    reached = set()  # positions that have received a contribution in this pass
    steps = []

    def record(node, upstream, contributions, waiting):
        position = position_of[id(node)]
        arrived[position] = _snapshot(upstream)
        for parent, sent in zip(node.inputs, contributions):
            if sent is not None:
                reached.add(position_of[id(parent)])
        if not node.inputs:
            return  # a leaf only keeps its gradient; its value shows in the next step
        steps.append(
            BackwardStep(
                number=len(steps) + 1,
                node=node,
                position=position,
                upstream=arrived[position],
                contributions=_contributions(node, upstream, contributions, position_of),
                grads=_grads_so_far(index.order, arrived, reached, waiting),
            )
        )

    _run_engine_backward(root, record)
    if steps:
        # Leaves processed after the last operation: fold their final values in.
        last = steps[-1]
        final = {i: arrived.get(i, last.grads[i]) for i in last.grads}
        steps[-1] = BackwardStep(
            last.number, last.node, last.position, last.upstream, last.contributions, final
        )
    return steps


def trace_forward(root, *, max_nodes=DEFAULT_MAX_TRACE_NODES):
    """The operations that computed ``root``, one ``ForwardStep`` each, in an order they ran in.

    The topological order: every operation after its inputs. For Values, the
    first input's operations come first, which for a graph written as one
    expression is exactly Python's order of evaluation; for Tensors, the order
    of creation.
    """
    index = GraphIndex(root)
    _check_size(index, max_nodes, "trace_forward")
    steps = []
    for position, node in enumerate(index.order):
        if node.inputs:
            steps.append(
                ForwardStep(
                    number=len(steps) + 1,
                    node=node,
                    position=position,
                    op=str(node.op),
                    input_positions=tuple(index.position(p) for p in node.inputs),
                    input_values=tuple(_snapshot(p.data) for p in node.inputs),
                    value=_snapshot(node.data),
                )
            )
    return steps


def _run_engine_backward(root, observer):
    """Exactly what ``root.backward()`` runs, with ``observer`` attached."""
    if is_tensor(root):
        # The tensor engine wraps the shared walk (seed, grad mode, freeing saved
        # arrays); run_backward is its documented entry point for observers.
        from stepgrad.autograd.engine import run_backward

        run_backward(root, observer=observer)
    else:
        graph.backward(root, 1.0, observer=observer)


def _contributions(node, upstream, contributions, position_of):
    local_grads = node.local_grads() if hasattr(node, "local_grads") else None
    records = []
    for slot, (parent, sent) in enumerate(zip(node.inputs, contributions)):
        records.append(
            Contribution(
                input=parent,
                input_position=position_of[id(parent)],
                slot=slot,
                local_grad=None if local_grads is None else local_grads[slot],
                contribution=_snapshot(sent),
                summed_axes=_summed_axes(node, parent),
            )
        )
    return tuple(records)


def _summed_axes(node, parent):
    """Axes over which the gradient for ``parent`` was summed to undo broadcasting."""
    if not (is_tensor(node) and is_tensor(parent)):
        return ()
    out_shape, in_shape = node.data.shape, parent.data.shape
    if in_shape == out_shape:
        return ()
    try:
        broadcast = np.broadcast_shapes(in_shape, out_shape)
    except ValueError:
        return ()
    if broadcast != out_shape:
        return ()  # not broadcasting: the op changes shape itself (matmul, sum, ...)
    padded = (1,) * (len(out_shape) - len(in_shape)) + tuple(in_shape)
    return tuple(
        axis
        for axis, (size_in, size_out) in enumerate(zip(padded, out_shape))
        if axis < len(out_shape) - len(in_shape) or (size_in == 1 and size_out != 1)
    )


def _grads_so_far(order, arrived, reached, waiting):
    grads = {}
    for position, node in enumerate(order):
        if position in arrived:
            grads[position] = arrived[position]
        elif position in reached:
            grads[position] = _snapshot(waiting(node))  # the sum so far, from the walk
        else:
            grads[position] = None
    return grads


def _snapshot(value):
    """A value a record can keep: numbers as they are, gradients as numpy arrays.

    Copied, because the walk may go on adding into an array it handed us, and a
    record must not change after it was made.
    """
    if value is None or isinstance(value, numbers.Real):
        return value
    return np.array(as_array(value), copy=True)


def _check_size(index, max_nodes, function):
    if len(index) > max_nodes:
        raise GraphTooLargeError(
            f"{function}: the graph has {len(index)} nodes, more than max_nodes={max_nodes}. "
            f"A trace keeps every node's gradient at every step, which is meant for graphs "
            f"small enough to step through by eye. Trace a smaller expression, or call "
            f".backward() if you only need the gradients."
        )

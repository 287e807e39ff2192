"""The shared graph walk, on any node that answers the protocol of stepgrad.graph."""

from itertools import count

import pytest
from stepgrad import Value, graph

_numbers = count()


class Node:
    """The smallest node the walk accepts: inputs, _seq, _backprop, _accumulate.

    ``local`` holds d(this)/d(input) per input (None: no gradient needed there).
    Every node keeps the gradient that reaches it (``_keeps_grad``).
    """

    _keeps_grad = True

    def __init__(self, name, inputs=(), local=()):
        self.name = name
        self.inputs = tuple(inputs)
        self.local = tuple(local)
        self.grad = 0.0
        self._seq = next(_numbers)

    def _backprop(self, grad):
        return tuple(None if d is None else grad * d for d in self.local)

    def _accumulate(self, grad):
        self.grad += grad

    def __repr__(self):
        return self.name


def diamond():
    """a feeds b and c; d = f(b, c): the smallest graph with a shared node."""
    a = Node("a")
    b = Node("b", [a], [2.0])
    c = Node("c", [a], [3.0])
    d = Node("d", [b, c], [5.0, 7.0])
    return a, b, c, d


def test_topological_order_puts_every_node_after_its_inputs():
    *_, d = diamond()
    order = graph.topological_order(d)
    for node in order:
        for parent in node.inputs:
            assert order.index(parent) < order.index(node)


def test_topological_order_lists_a_shared_node_once():
    a, b, c, d = diamond()
    assert sorted(graph.topological_order(d), key=repr) == [a, b, c, d]


def test_topological_order_is_the_order_of_creation():
    # Deterministic: it does not depend on ids, hashing or set iteration order.
    a, b, c, d = diamond()
    assert graph.topological_order(d) == [a, b, c, d]


def test_topological_order_is_the_same_for_graphs_built_the_same_way():
    def build():
        x, y = Value(1.0, label="x"), Value(2.0, label="y")
        h = x * y
        return (h + x).tanh() * h

    first = [(n.op, n.data, n.label) for n in graph.topological_order(build())]
    second = [(n.op, n.data, n.label) for n in graph.topological_order(build())]
    assert first == second


def test_topological_order_of_values_lists_each_input_with_what_it_needs_first_input_first():
    x = Value(1.0, label="x")
    p = x * 2.0  # made first, but the second input of r
    q = x * 3.0
    r = q + p
    labels = [n.label or n.op or n.data for n in graph.topological_order(r)]
    # q's inputs (x, 3), q, then p's remaining input (2), p, then r
    assert labels == ["x", 3.0, "*", 2.0, "*", "+"]
    assert graph.topological_order(r)[2] is q


def test_topological_order_of_a_leaf_is_the_leaf():
    a = Node("a")
    assert graph.topological_order(a) == [a]


def test_backward_sums_the_contributions_reaching_a_shared_node():
    a, b, c, d = diamond()
    graph.backward(d, 1.0)
    # d(d)/d(a) = 5 * 2 + 7 * 3, by the chain rule along both paths
    assert (d.grad, b.grad, c.grad, a.grad) == (1.0, 5.0, 7.0, 31.0)


def test_backward_scales_everything_by_the_seed():
    a, *_, d = diamond()
    graph.backward(d, 2.0)
    assert a.grad == 62.0


def test_backward_sends_nothing_along_an_input_marked_none():
    a = Node("a")
    constant = Node("constant")
    b = Node("b", [a, constant], [4.0, None])
    graph.backward(b, 1.0)
    assert (a.grad, constant.grad) == (4.0, 0.0)


def test_the_observer_sees_each_node_once_outputs_first_with_its_complete_gradient():
    a, b, c, d = diamond()
    seen = []

    def observer(node, grad, contributions, waiting):
        seen.append((node, grad, contributions))

    graph.backward(d, 1.0, observer=observer)
    assert [s[0] for s in seen] == [d, c, b, a]
    by_node = {s[0]: s for s in seen}
    assert by_node[a][1] == 31.0  # summed before a was processed
    assert by_node[d][2] == (5.0, 7.0)  # what d sent to b and c
    assert by_node[a][2] == ()  # a leaf sends nothing


def test_the_observer_sees_gradients_waiting_at_nodes_not_yet_processed():
    a, b, c, d = diamond()
    waiting_after = {}

    def observer(node, grad, contributions, waiting):
        waiting_after[node.name] = {other.name: waiting(other) for other in (a, b, c)}

    graph.backward(d, 1.0, observer=observer)
    # After d: b and c wait, a has nothing yet. After c: b waits, and a holds
    # c's share (7 * 3).
    assert waiting_after["d"] == {"a": None, "b": 5.0, "c": 7.0}
    assert waiting_after["c"]["b"] == 5.0
    assert waiting_after["c"]["a"] == 21.0


def test_the_observer_sees_value_gradients_waiting_at_nodes_not_yet_processed():
    a = Value(2.0)
    b = a * 3.0
    c = a * 5.0
    d = b * c
    waiting_after = {}

    def observer(node, grad, contributions, waiting):
        if node is d:
            waiting_after["d"] = (waiting(b), waiting(c))
        if node is c:
            waiting_after["c"] = (waiting(b), waiting(a))

    graph.backward(d, 1.0, observer=observer)
    # d = b * c sends c = 10 to b and b = 6 to c; c = 5a then sends 6 * 5 to a.
    assert waiting_after["d"] == (10.0, 6.0)
    assert waiting_after["c"] == (10.0, 30.0)


def test_backward_on_values_is_this_walk():
    x = Value(3.0)
    y = x * x + x
    visited = []
    graph.backward(y, 1.0, observer=lambda node, *rest: visited.append(node))
    assert visited == graph.topological_order(y)[::-1]
    assert x.grad == pytest.approx(2 * 3.0 + 1)


def test_a_failed_pass_on_values_leaves_nothing_on_its_way_for_the_next_pass():
    x = Value(2.0)
    y = x * 3.0 + x
    calls = []

    def fail_after_the_output(node, *rest):
        calls.append(node)
        raise RuntimeError("observer failed")

    with pytest.raises(RuntimeError, match="observer failed"):
        graph.backward(y, 1.0, observer=fail_after_the_output)
    assert len(calls) == 1  # y sent its shares on, then the pass stopped
    y.zero_grad()
    y.backward()
    assert x.grad == 3.0 + 1.0  # only this pass's shares: none left over from the failed one


def test_a_failed_pass_on_values_gives_back_the_gradients_of_earlier_passes():
    x = Value(2.0)
    u = x * 3.0
    y = u + x
    x.grad, u.grad = 5.0, 7.0  # from earlier passes

    def fail_after_the_output(node, *rest):
        raise RuntimeError("observer failed")

    with pytest.raises(RuntimeError, match="observer failed"):
        graph.backward(y, 1.0, observer=fail_after_the_output)
    assert (x.grad, u.grad) == (5.0, 7.0)  # not processed: as they were before the pass
    y.backward()
    assert (x.grad, u.grad) == (5.0 + 3.0 + 1.0, 7.0 + 1.0)


def test_topological_order_in_the_middle_of_a_pass_keeps_what_has_arrived():
    x = Value(2.0)
    u = x * x
    y = u * 3.0 + u

    def search_again(node, *rest):
        graph.topological_order(y)  # marks nodes while gradients wait at them

    graph.backward(y, 1.0, observer=search_again)
    assert u.grad == 3.0 + 1.0
    assert x.grad == 2 * 2.0 * (3.0 + 1.0)


def test_backward_from_a_node_inside_a_graph_already_walked_starts_afresh():
    x = Value(2.0)
    u = x * 5.0
    y = u * u
    y.backward()  # dy/dx = 2u * 5 = 100
    u.backward()  # du/dx = 5, added on top
    assert x.grad == 100.0 + 5.0
    assert u.grad == 20.0 + 1.0


def test_a_search_stopped_halfway_leaves_no_marks_for_the_next_pass():
    # The search of a Value pass marks each node it finds. Stopped part way (by
    # Ctrl-C in a notebook, played here by an input that interrupts when looked
    # at), it must take its marks off, or the next pass would skip those nodes.
    class InterruptsWhenSearched:
        @property
        def grad(self):  # the search reads it to see whether the node is marked
            raise KeyboardInterrupt

    x = Value(2.0)
    y = (x * 3.0) * (x * 3.0)  # 9 x^2
    stopped = y * 1.0
    stopped._b = InterruptsWhenSearched()  # found after y, which is marked by then
    with pytest.raises(KeyboardInterrupt):
        stopped.backward()
    (y * 2.0).backward()
    assert x.grad == 2 * 18 * 2.0


def test_a_pass_failing_halfway_keeps_what_it_finished_and_gives_back_the_rest():
    x = Value(2.0)
    u = x * 3.0
    v = u * u  # dv/du = 2u = 12
    y = v + u
    x.grad, u.grad, v.grad = 5.0, 7.0, 11.0  # from earlier passes
    processed = []

    def fail_at_u(node, *rest):
        processed.append(node)
        if len(processed) == 2:  # y, then v: the walk stops after v sent u its share
            raise RuntimeError("observer failed")

    with pytest.raises(RuntimeError, match="observer failed"):
        graph.backward(y, 1.0, observer=fail_at_u)
    assert processed == [y, v]
    assert v.grad == 11.0 + 1.0  # processed: its earlier gradient plus this pass's
    assert (x.grad, u.grad) == (5.0, 7.0)  # not processed: as before the pass
    y.backward()  # a whole pass afterwards starts from there
    assert u.grad == 7.0 + 12.0 + 1.0
    assert x.grad == 5.0 + 3.0 * 13.0


def test_no_search_mark_is_left_in_a_gradient_after_a_pass():
    # The search marks Values in their .grad; a finished pass replaces every mark
    # with a gradient, also at nodes whose share is zero.
    x = Value(0.0)
    y = (x * 0.0).relu() + x * x
    order = graph.backward(y, 1.0)
    assert all(type(node.grad) is float for node in order)
    assert not any(node.grad is graph._LISTED for node in order)
    assert x.grad == 0.0

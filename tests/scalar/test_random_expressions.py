"""Random expression graphs (with shared nodes) pass gradcheck."""

from expression_strategies import programs
from hypothesis import assume, given, settings
from stepgrad import Value, gradcheck, graph


@settings(max_examples=300, deadline=None)
@given(programs())
def test_random_expression_gradients_match_finite_differences(program):
    values = [Value(a) for a in program.inputs]
    # A ReLU input within a step of 0 puts its kink between the finite-difference points.
    assume(program.kinks(values) > 1e-3)
    assert gradcheck(lambda *xs: program.run(xs), values)


@settings(max_examples=100, deadline=None)
@given(programs())
def test_random_expressions_are_walked_inputs_first_each_node_once(program):
    out = program.run([Value(a) for a in program.inputs])
    order = graph.topological_order(out)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert order[-1] is out
    for node in order:
        for parent in node.inputs:
            assert position[id(parent)] < position[id(node)]


@settings(max_examples=100, deadline=None)
@given(programs())
def test_random_expressions_are_walked_backward_in_reverse_topological_order(program):
    out = program.run([Value(a) for a in program.inputs])
    processed = []
    graph.backward(out, 1.0, observer=lambda node, *rest: processed.append(node))
    assert processed == graph.topological_order(out)[::-1]

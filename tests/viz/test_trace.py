"""trace_backward and trace_forward: the engine's own walk, written down step by step."""

import math

import numpy as np
import pytest
from conftest import micrograd_example
from hypothesis import given, settings
from hypothesis import strategies as st
from stepgrad import Value
from stepgrad.graph import topological_order
from stepgrad.viz import GraphTooLargeError, trace_backward, trace_forward

# --- random expression graphs, built twice from one recipe -------------------------------

OPERATIONS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "square": lambda a, b: a**2,
}

recipes = st.tuples(
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4),
    st.lists(
        st.tuples(
            st.sampled_from(sorted(OPERATIONS)), st.integers(0, 10**6), st.integers(0, 10**6)
        ),
        min_size=1,
        max_size=12,
    ),
)


def build(recipe):
    """The graph a recipe describes; operands picked among all nodes so far (so shared)."""
    leaves, operations = recipe
    nodes = [Value(v, label=f"x{i}") for i, v in enumerate(leaves)]
    for name, first, second in operations:
        nodes.append(OPERATIONS[name](nodes[first % len(nodes)], nodes[second % len(nodes)]))
    return nodes[-1]


@settings(max_examples=150, deadline=None)
@given(recipes)
def test_final_grads_of_the_trace_equal_those_of_backward_exactly(recipe):
    traced, plain = build(recipe), build(recipe)
    steps = trace_backward(traced)
    plain.backward()
    traced_order, plain_order = topological_order(traced), topological_order(plain)
    assert [n.grad for n in traced_order] == [n.grad for n in plain_order]
    if steps:
        assert [steps[-1].grads[i] for i in range(len(plain_order))] == [
            n.grad for n in plain_order
        ]


@settings(max_examples=150, deadline=None)
@given(recipes)
def test_there_is_one_step_per_non_leaf_node(recipe):
    root = build(recipe)
    non_leaves = [n for n in topological_order(root) if n.inputs]
    assert len(trace_backward(root)) == len(non_leaves)


@settings(max_examples=100, deadline=None)
@given(recipes)
def test_each_contribution_is_upstream_times_a_local_derivative_that_matches_finite_differences(
    recipe,
):
    root = build(recipe)
    for step in trace_backward(root):
        for c in step.contributions:
            assert c.contribution == step.upstream * c.local_grad
            # The local derivative, checked against a central difference of the node alone.
            if step.node.op == "relu" and abs(c.input.data) < 1e-3:
                continue  # the kink: no derivative to compare with
            estimate = _local_finite_difference(step.node, c.slot)
            assert math.isclose(c.local_grad, estimate, rel_tol=1e-4, abs_tol=1e-6)


# Each operation as a plain function of floats: a truth that does not use Value at all.
PLAIN = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "tanh": math.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)),
    "relu": lambda a: max(a, 0.0),
    "**2": lambda a: a**2,
}


def _local_finite_difference(node, slot, h=1e-6):
    """d(node)/d(its input at slot), the other operands held fixed (even x in x * x)."""
    operands = [p.data for p in node.inputs]

    def moved(shift):
        return [v + shift if i == slot else v for i, v in enumerate(operands)]

    function = PLAIN[node.op]
    return (function(*moved(h)) - function(*moved(-h))) / (2 * h)


def test_steps_follow_reverse_topological_order_from_the_output():
    loss, nodes = micrograd_example()
    steps = trace_backward(loss)
    assert [s.node for s in steps] == [loss, nodes["d"], nodes["e"]]
    assert [s.number for s in steps] == [1, 2, 3]


def test_records_hold_what_the_chain_rule_gives_by_hand():
    loss, nodes = micrograd_example()
    first, second, third = trace_backward(loss)
    assert first.upstream == 1.0
    # L = d * f: local derivatives f = -2 (for d) and d = 4 (for f)
    assert [(c.input, c.local_grad, c.contribution) for c in first.contributions] == [
        (nodes["d"], -2.0, -2.0),
        (nodes["f"], 4.0, 4.0),
    ]
    assert second.upstream == -2.0
    assert [c.contribution for c in second.contributions] == [-2.0, -2.0]  # + passes it on
    assert [c.contribution for c in third.contributions] == [6.0, -4.0]  # -2 * b, -2 * a


def test_grads_show_what_has_arrived_so_far_and_none_where_nothing_has():
    loss, _ = micrograd_example()
    first = trace_backward(loss)[0]
    # positions: a b e c d f L = 0..6; after the first step only d, f and L have gradients
    assert first.grads == {0: None, 1: None, 2: None, 3: None, 4: -2.0, 5: 4.0, 6: 1.0}


def test_a_node_used_twice_shows_two_contributions_that_add_up():
    x = Value(3.0, label="x")
    (step,) = trace_backward(x * x)
    # d(x*x)/dx = x + x: the product sends x = 3 along each of its two edges
    assert [(c.input, c.slot, c.local_grad, c.contribution) for c in step.contributions] == [
        (x, 0, 3.0, 3.0),
        (x, 1, 3.0, 3.0),
    ]
    assert step.grads[0] == 6.0


def test_a_node_reached_along_two_paths_collects_both_before_it_is_processed():
    a = Value(2.0, label="a")
    b = a * 3.0
    out = b + b.tanh()
    steps = trace_backward(out)
    processing_b = next(s for s in steps if s.node is b)
    # b receives 1 from + directly and 1 - tanh(6)^2 through tanh, by hand
    assert processing_b.upstream == pytest.approx(1.0 + (1.0 - math.tanh(6.0) ** 2))


def test_tracing_fills_grads_like_backward():
    loss, nodes = micrograd_example()
    trace_backward(loss)
    assert (nodes["a"].grad, nodes["b"].grad, nodes["c"].grad, nodes["f"].grad) == (6, -4, -2, 4)


def test_a_leaf_output_has_no_steps():
    assert trace_backward(Value(1.0)) == []


def test_records_do_not_change_when_the_graph_is_used_again():
    loss, _ = micrograd_example()
    steps = trace_backward(loss)
    loss.backward()  # adds into .grad again
    assert steps[-1].grads[0] == 6.0


def test_tracing_a_huge_graph_is_refused_with_advice():
    total = Value(0.0)
    for i in range(600):
        total = total + Value(float(i))
    with pytest.raises(GraphTooLargeError, match=r"1201 nodes.*call\s+\.backward\(\)"):
        trace_backward(total)


def test_trace_forward_lists_operations_in_evaluation_order():
    loss, nodes = micrograd_example()
    steps = trace_forward(loss)
    assert [(s.op, s.value) for s in steps] == [("*", -6.0), ("+", 4.0), ("*", -8.0)]
    assert steps[0].input_values == (2.0, -3.0)
    assert [s.node for s in steps] == [nodes["e"], nodes["d"], loss]


def test_trace_forward_does_not_touch_gradients():
    loss, _nodes = micrograd_example()
    trace_forward(loss)
    assert all(n.grad == 0.0 for n in topological_order(loss))


# --- tensors ---------------------------------------------------------------------------


@pytest.fixture
def stepgrad_tensors():
    pytest.importorskip("stepgrad.tensor", reason="the tensor engine is not there yet")
    import stepgrad

    return stepgrad


def broadcast_product(stepgrad):
    a = stepgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = stepgrad.tensor([1.0, 0.5, 2.0], requires_grad=True)
    return a, b, (a * b).sum()


def test_tensor_trace_ends_with_the_grads_of_backward(stepgrad_tensors):
    a, _b, out = broadcast_product(stepgrad_tensors)
    steps = trace_backward(out)
    a2, b2, out2 = broadcast_product(stepgrad_tensors)
    out2.backward()
    np.testing.assert_array_equal(steps[-1].grads[0], a2.grad.data)
    np.testing.assert_array_equal(steps[-1].grads[1], b2.grad.data)
    np.testing.assert_array_equal(a.grad.data, a2.grad.data)


def test_tensor_trace_records_the_reduction_of_a_broadcast_gradient(stepgrad_tensors):
    _a, _b, out = broadcast_product(stepgrad_tensors)
    _, product_step = trace_backward(out)
    to_a, to_b = product_step.contributions
    assert to_a.summed_axes == () and to_a.contribution.shape == (2, 3)
    # b (3,) was broadcast along axis 0 to (2, 3): its gradient is a summed over axis 0
    assert to_b.summed_axes == (0,)
    np.testing.assert_allclose(to_b.contribution, [5.0, 7.0, 9.0])
    assert to_a.local_grad is None  # a tensor's backward never forms the local derivative


@pytest.mark.parametrize(
    ("shape", "axes"),
    [((2, 1), (1,)), ((1, 3), (0,)), ((), (0, 1)), ((2, 3), ())],
)
def test_summed_axes_for_each_way_of_broadcasting(stepgrad_tensors, shape, axes):
    stepgrad = stepgrad_tensors
    a = stepgrad.tensor(np.ones((2, 3)), requires_grad=True)
    b = stepgrad.tensor(np.full(shape, 2.0), requires_grad=True)
    _, product_step = trace_backward((a * b).sum())
    assert product_step.contributions[1].summed_axes == axes
    assert product_step.contributions[1].contribution.shape == shape


def test_tensor_inputs_that_need_no_gradient_get_none(stepgrad_tensors):
    stepgrad = stepgrad_tensors
    w = stepgrad.tensor([[1.0, 2.0]], requires_grad=True)
    x = stepgrad.tensor([[3.0], [4.0]])
    _, matmul = trace_backward((w @ x).sum())
    assert matmul.contributions[1].contribution is None
    np.testing.assert_allclose(matmul.contributions[0].contribution, [[3.0, 4.0]])


def test_tensor_trace_matches_pytorch(stepgrad_tensors):
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    _a, _b, out = broadcast_product(stepgrad_tensors)
    steps = trace_backward(out)
    ta = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    tb = torch.tensor([1.0, 0.5, 2.0], requires_grad=True)
    (ta * tb).sum().backward()
    np.testing.assert_allclose(steps[-1].grads[0], ta.grad.numpy())
    np.testing.assert_allclose(steps[-1].grads[1], tb.grad.numpy())

"""Chapter 3's checks, given right answers and each classic wrong one."""

import math

import pytest
from stepgrad import Value
from stepgrad.exercises import backward_pass
from stepgrad.graph import topological_order


def central_slope(f, values, i, h=1e-6):
    up, down = list(values), list(values)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def iterative_topo_sort(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.inputs if parent not in seen)
    return order


def recursive_topo_sort(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.inputs:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def learners_backward(root):
    root.grad = 1.0
    for node in reversed(iterative_topo_sort(root)):
        for parent, local in zip(node.inputs, node.local_grads()):
            parent.grad += node.grad * local


# --- the graphs and the deliberate mistakes ---------------------------------------


def test_the_graphs_backward_agrees_with_finite_differences():
    def f(a, b):
        c = a * b
        return math.tanh((c + a) * c)

    root = backward_pass.diamond()
    root.backward()
    a, b = (node for node in topological_order(root) if not node.inputs)
    assert a.grad == pytest.approx(central_slope(f, [1.5, 0.5], 0), rel=1e-6)
    assert b.grad == pytest.approx(central_slope(f, [1.5, 0.5], 1), rel=1e-6)


def test_walk_without_mistakes_equals_backward():
    mine, reference = backward_pass.diamond(), backward_pass.diamond()
    backward_pass.walk_with_mistake(mine)
    reference.backward()
    assert [n.grad for n in topological_order(mine)] == pytest.approx(
        [n.grad for n in topological_order(reference)]
    )


def test_overwriting_keeps_one_path_of_a_value_used_twice():
    # f = x*y + x at x=2, y=3: overwritten, x keeps y (from the product, processed last).
    f = backward_pass.used_twice()
    backward_pass.walk_with_mistake(f, accumulate=False)
    x, y = (node for node in topological_order(f) if not node.inputs)
    assert (x.grad, y.grad) == (3.0, 2.0)


# --- 3.1 gradients by hand ----------------------------------------------------------


def test_gradients_by_hand_accepts_the_sum_over_both_paths():
    def f(x, y):
        return x * y + x

    dx = central_slope(f, [2.0, 3.0], 0)
    dy = central_slope(f, [2.0, 3.0], 1)
    assert backward_pass.check_gradients_by_hand(round(dx, 6), round(dy, 6)).status == "correct"


@pytest.mark.parametrize("dx", [3.0, 1.0])  # the product path alone, the sum path alone
def test_gradients_by_hand_names_one_path_kept_as_overwritten(dx):
    assert backward_pass.check_gradients_by_hand(dx, 2.0).mistake == "overwritten"


def test_gradients_by_hand_names_swapped_answers():
    assert backward_pass.check_gradients_by_hand(2.0, 4.0).mistake == "swapped"


def test_gradients_by_hand_says_which_one_is_wrong():
    feedback = backward_pass.check_gradients_by_hand(4.0, 5.0)
    assert "df/dx is right; df/dy is not" in feedback.message


# --- 3.2 a topological sort -----------------------------------------------------------


def test_topological_sort_accepts_an_iterative_sort():
    assert backward_pass.check_topological_sort(iterative_topo_sort).status == "correct"


def test_topological_sort_names_a_recursive_walk_that_breaks_on_a_deep_graph():
    # Correct on small graphs, so only the 5,000-node chain can catch it.
    small = backward_pass.diamond()
    assert [id(n) for n in recursive_topo_sort(small)] == [id(n) for n in topological_order(small)]
    feedback = backward_pass.check_topological_sort(recursive_topo_sort)
    assert feedback.mistake == "recursive_walk"
    assert "RecursionError" in feedback.message


def test_topological_sort_names_a_missing_visited_set():
    def no_visited(root):
        order = []
        for parent in root.inputs:
            order.extend(no_visited(parent))
        return [*order, root]

    assert backward_pass.check_topological_sort(no_visited).mistake == "duplicates"


def test_topological_sort_names_the_reversed_order():
    def root_first(root):
        return iterative_topo_sort(root)[::-1]

    assert backward_pass.check_topological_sort(root_first).mistake == "reversed"


def test_topological_sort_names_a_node_listed_before_its_input():
    def leaves_last(root):
        order = iterative_topo_sort(root)
        return [n for n in order if n.inputs] + [n for n in order if not n.inputs]

    feedback = backward_pass.check_topological_sort(leaves_last)
    assert feedback.mistake == "inputs_after"
    assert "comes before its input" in feedback.message


def test_topological_sort_names_missing_nodes():
    def no_leaves(root):
        return [n for n in iterative_topo_sort(root) if n.inputs]

    assert backward_pass.check_topological_sort(no_leaves).mistake == "missing_nodes"


def test_topological_sort_names_nodes_from_another_graph():
    def with_a_stranger(root):
        return [Value(0.0), *iterative_topo_sort(root)]

    assert backward_pass.check_topological_sort(with_a_stranger).mistake == "extra_nodes"


# --- 3.3 backward by hand ------------------------------------------------------------


def test_backward_accepts_the_accumulating_reverse_walk():
    assert backward_pass.check_backward(learners_backward).status == "correct"


def _walk_variant(**changes):
    def backward(root):
        settings = {"reverse": True, "accumulate": True, "upstream": True, "seed": True}
        settings.update(changes)
        order = iterative_topo_sort(root)
        if settings["seed"]:
            root.grad = 1.0
        for node in reversed(order) if settings["reverse"] else order:
            for parent, local in zip(node.inputs, node.local_grads()):
                share = node.grad * local if settings["upstream"] else local
                if settings["accumulate"]:
                    parent.grad += share
                else:
                    parent.grad = share

    return backward


@pytest.mark.parametrize(
    "changes, mistake",
    [
        ({"accumulate": False}, "overwritten"),
        ({"reverse": False}, "forward_order"),
        ({"upstream": False}, "local_only"),
        ({"seed": False}, "no_seed"),
    ],
)
def test_backward_names_classic_mistakes(changes, mistake):
    # The learner's walk uses its own sort, not the check's, and is still recognised.
    assert backward_pass.check_backward(_walk_variant(**changes)).mistake == mistake


def test_backward_names_recursion_on_the_deep_chain():
    def correct_but_recursive(root):
        root.grad = 1.0
        for node in reversed(recursive_topo_sort(root)):
            for parent, local in zip(node.inputs, node.local_grads()):
                parent.grad += node.grad * local

    assert backward_pass.check_backward(correct_but_recursive).mistake == "recursive_walk"


def test_backward_points_at_the_first_wrong_gradient_otherwise():
    def doubled(root):
        learners_backward(root)
        for node in topological_order(root):
            if not node.inputs:
                node.grad *= 2

    feedback = backward_pass.check_backward(doubled)
    assert feedback.status == "wrong" and feedback.mistake is None
    assert "x.grad is 8, stepgrad's backward() gives 4" in feedback.message

"""Chapter 2's checks, given right answers and each classic wrong one."""

import pytest
from stepgrad import Value
from stepgrad.exercises import computational_graph


def leaves_abc():
    return Value(1.5, label="a"), Value(-2.0, label="b"), Value(0.5, label="c")


def iterative_leaves(root):
    found, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.inputs)
            if not node.inputs:
                found.append(node)
    return found


# --- 2.1 build a graph -----------------------------------------------------------


def test_build_expression_accepts_the_graph():
    a, b, c = leaves_abc()
    assert computational_graph.check_build_expression((a + b) * (b - c)).status == "correct"


def test_build_expression_accepts_an_equivalent_arrangement():
    a, b, c = leaves_abc()
    f = a * b - a * c + b * b - b * c  # (a + b)(b - c) multiplied out
    assert computational_graph.check_build_expression(f).status == "correct"


def test_build_expression_leaves_the_learners_gradients_at_zero():
    a, b, c = leaves_abc()
    computational_graph.check_build_expression((a + b) * (b - c))
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)


def test_build_expression_names_a_plain_number():
    a, b, c = leaves_abc()
    f = (a.data + b.data) * (b.data - c.data)
    assert computational_graph.check_build_expression(f).mistake == "plain_number"


def test_build_expression_names_a_value_rebuilt_from_data():
    a, b, c = leaves_abc()
    f = Value((a.data + b.data) * (b.data - c.data))
    assert computational_graph.check_build_expression(f).mistake == "rebuilt_from_data"


def test_build_expression_names_an_input_copied_out_of_the_graph():
    a, b, c = leaves_abc()
    f = (a + b) * (b - c.data)
    feedback = computational_graph.check_build_expression(f)
    assert feedback.mistake == "detached_input"
    assert "does not reach c" in feedback.message


def test_build_expression_names_missing_parentheses():
    a, b, c = leaves_abc()
    assert computational_graph.check_build_expression(a + b * (b - c)).mistake == "precedence"


def test_build_expression_rejects_a_right_value_from_the_wrong_graph():
    # Same number, wrong formula: (a + b) * (b - c) = 1.25 here, and so is this.
    a, b, c = leaves_abc()
    f = a * 0.0 + b * 0.0 + c * 2.5
    assert f.data == pytest.approx((1.5 - 2.0) * (-2.0 - 0.5))
    feedback = computational_graph.check_build_expression(f)
    assert feedback.status == "wrong"
    assert "finite differences" in feedback.message


# --- 2.2 count the nodes ----------------------------------------------------------


def test_node_count_accepts_the_number_of_values_created():
    # Counted here by construction: x, y, then x*y, the constant -1, y*-1 and the sum.
    x, y = Value(3.0), Value(2.0)
    difference = x * y - y
    found, to_visit = {id(difference)}, [difference]  # every Value the result was made from
    while to_visit:
        for parent in to_visit.pop().inputs:
            if id(parent) not in found:
                found.add(id(parent))
                to_visit.append(parent)
    created = len(found)
    assert created == 6
    assert computational_graph.check_node_count(created).status == "correct"


@pytest.mark.parametrize(
    "count, mistake",
    [
        (4, "hidden_nodes"),  # x, y, *, - as written
        (7, "shared_counted_twice"),  # y counted for each use
        (5, "missed_constant"),  # no -1 leaf
        (3, "operations_only"),  # only the three operations
    ],
)
def test_node_count_names_classic_miscounts(count, mistake):
    assert computational_graph.check_node_count(count).mistake == mistake


# --- 2.3 find the leaves -------------------------------------------------------------


def test_find_leaves_accepts_an_iterative_walk():
    assert computational_graph.check_find_leaves(iterative_leaves).status == "correct"


def test_find_leaves_accepts_any_iterable_in_any_order():
    def as_reversed_tuple(root):
        return tuple(reversed(iterative_leaves(root)))

    assert computational_graph.check_find_leaves(as_reversed_tuple).status == "correct"


def test_find_leaves_names_duplicates_from_a_walk_without_a_visited_set():
    def without_visited(root):
        if not root.inputs:
            return [root]
        return [leaf for parent in root.inputs for leaf in without_visited(parent)]

    assert computational_graph.check_find_leaves(without_visited).mistake == "duplicates"


def test_find_leaves_names_non_leaves_in_the_result():
    def everything(root):
        return [root, *iterative_leaves(root)] if root.inputs else [root]

    assert computational_graph.check_find_leaves(everything).mistake == "included_non_leaves"


def test_find_leaves_names_a_walk_that_stops_after_one_level():
    def one_level(root):
        return [root] if not root.inputs else [p for p in root.inputs if not p.inputs]

    assert computational_graph.check_find_leaves(one_level).mistake == "one_level"


def test_find_leaves_names_a_leaf_root_left_out():
    def inputs_only(root):
        return [leaf for leaf in iterative_leaves(root) if leaf is not root]

    assert computational_graph.check_find_leaves(inputs_only).mistake == "root_leaf"


def test_find_leaves_names_a_forgotten_return():
    def no_return(root):
        iterative_leaves(root)

    assert computational_graph.check_find_leaves(no_return).mistake == "no_return"


def test_find_leaves_explains_leaves_missed_elsewhere():
    def labelled_only(root):
        return [leaf for leaf in iterative_leaves(root) if leaf.label]

    feedback = computational_graph.check_find_leaves(labelled_only)
    assert feedback.status == "wrong"
    assert "constants like the -1" in feedback.message

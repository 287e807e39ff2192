"""Checks for chapter 2, "The computational graph".

The truths here are the graphs themselves: the check walks the learner's graph
with ``stepgrad.graph.topological_order``, evaluates the formula on the leaves
it finds, and compares gradients from ``backward()`` with central differences.

    >>> from stepgrad.exercises import computational_graph
    >>> computational_graph.check_node_count(6).status
    'correct'
"""

from stepgrad.exercises.feedback import (
    Rejected,
    call_learner,
    close,
    correct,
    exercise,
    expect_number,
    wrong,
)
from stepgrad.graph import topological_order
from stepgrad.scalar import Value

# ---------------------------------------------------------------------------
# Exercise 2.1: build f = (a + b) * (b - c) as a graph of Values.
# ---------------------------------------------------------------------------

LEAF_LABELS = ("a", "b", "c")


def expression(a, b, c):
    """The formula of exercise 2.1, for numbers or Values: (a + b) * (b - c)."""
    return (a + b) * (b - c)


def _central_slopes(values):
    """d expression / d each input at ``values``, by central differences."""
    h = 1e-6
    slopes = []
    for i in range(len(values)):
        up = list(values)
        down = list(values)
        up[i] += h
        down[i] -= h
        slopes.append((expression(*up) - expression(*down)) / (2 * h))
    return slopes


@exercise("2.1", "build a graph")
def check_build_expression(f):
    """Check that ``f`` is the graph of (a + b) * (b - c) over leaves labelled a, b, c."""
    if not isinstance(f, Value):
        kind = type(f).__name__
        if isinstance(f, (int, float)):
            return wrong(
                f"f is a plain {kind}, so it has no graph. Combine the Values a, b and c "
                f"themselves, not their .data (or float()) numbers.",
                mistake="plain_number",
            )
        raise Rejected(f"f should be a Value built from a, b and c, got {kind} {f!r}.")
    if not f.inputs:
        return wrong(
            "f is a leaf: nothing records how it was computed. Creating Value(...) from a "
            "computed number starts a new graph; combine a, b and c directly.",
            mistake="rebuilt_from_data",
        )
    nodes = topological_order(f)
    leaves = {node.label: node for node in nodes if not node.inputs and node.label}
    missing = [label for label in LEAF_LABELS if label not in leaves]
    if missing:
        names = " and ".join(missing)
        return wrong(
            f"The graph of f does not reach {names}. Somewhere a number was copied out "
            f"(with .data or a new Value) instead of using the Value itself.",
            mistake="detached_input",
        )
    a, b, c = (leaves[label].data for label in LEAF_LABELS)
    if not close(f.data, expression(a, b, c)):
        if close(f.data, a + b * (b - c)):
            return wrong(
                "Multiplication binds before addition, so a + b * (b - c) is not "
                "(a + b) * (b - c). Put a + b in parentheses.",
                mistake="precedence",
            )
        return wrong(
            f"f is {f.data:g}, but (a + b) * (b - c) with a = {a:g}, b = {b:g}, c = {c:g} "
            f"is {expression(a, b, c):g}."
        )
    f.zero_grad()
    f.backward()
    slopes = _central_slopes([a, b, c])
    grads = [leaves[label].grad for label in LEAF_LABELS]
    f.zero_grad()  # leave the learner's graph as it was
    if not all(close(g, s, rel=1e-6, abs_tol=1e-6) for g, s in zip(grads, slopes)):
        return wrong(
            "The value is right but the graph is not the formula: gradients through it "
            "disagree with finite differences. Build f from a, b and c with + - * only."
        )
    leaf_count = sum(1 for node in nodes if not node.inputs)
    return correct(
        f"f = {f.data:g}, built from {len(nodes)} nodes, {leaf_count} of them leaves. "
        f"Draw it with draw_graph(f) to see them all."
    )


# ---------------------------------------------------------------------------
# Exercise 2.2: how many nodes does x * y - y make?
# ---------------------------------------------------------------------------


def node_count_expression():
    """The expression of exercise 2.2, built fresh: g = x * y - y."""
    x = Value(3.0, label="x")
    y = Value(2.0, label="y")
    return x * y - y


@exercise("2.2", "count the nodes")
def check_node_count(count):
    """Check the number of nodes in the graph of g = x * y - y."""
    count = expect_number(count, what="Your count")
    nodes = topological_order(node_count_expression())
    truth = len(nodes)
    leaves = [node for node in nodes if not node.inputs]
    operations = truth - len(leaves)
    written_leaves = sum(1 for node in leaves if node.label)  # x and y
    constants = len(leaves) - written_leaves
    if count == truth:
        return correct(
            f"{truth} nodes: x, y, the hidden constant -1, and {operations} operations, "
            f"because x * y - y runs as x * y + (y * -1)."
        )
    if count == written_leaves + 2:  # x, y and the two operators you can see
        return wrong(
            "That is what the formula shows, not what runs. Subtraction is built from "
            "other operations: a - b is a + (b * -1). Look for the hidden nodes.",
            mistake="hidden_nodes",
        )
    if count == truth + 1:
        return wrong(
            "One too many. y appears twice in the formula but is one node with two "
            "outgoing edges: a graph has one node per Value, however often it is used.",
            mistake="shared_counted_twice",
        )
    if count == truth - constants:
        return wrong(
            "One too few. The -1 that subtraction multiplies by is a node too: a leaf "
            "Value made from the number.",
            mistake="missed_constant",
        )
    if count == operations:
        return wrong(
            "You counted the operations only; the leaves (the Values you created, and "
            "constants) are nodes too.",
            mistake="operations_only",
        )
    return wrong(
        "Count every Value: the ones you create, the constants made for you, and one per "
        "operation. topological_order(g) lists them, if you want to check by code."
    )


# ---------------------------------------------------------------------------
# Exercise 2.3: find_leaves(root).
# ---------------------------------------------------------------------------


def _leaf_cases():
    """(description, root, its leaves), built fresh for each check."""
    single = Value(5.0, label="v")
    yield "a single Value", single, [single]

    a = Value(2.0, label="a")
    b = Value(-1.5, label="b")
    ab = a * b
    shared = (ab + a) * ab
    yield "(a*b + a) * (a*b)", shared, [a, b]

    x = Value(4.0, label="x")
    y = Value(1.0, label="y")
    difference = (x - y).tanh()
    # x - y runs as x + (y * -1), so the constant -1 is a leaf as well.
    leaves = [node for node in topological_order(difference) if not node.inputs]
    yield "tanh(x - y)", difference, leaves


@exercise("2.3", "find the leaves")
def check_find_leaves(find_leaves):
    """Check ``find_leaves(root)``: every leaf Value the root depends on, each once."""
    for description, root, truth in _leaf_cases():
        result = call_learner(find_leaves, root)
        if result is None:
            return wrong("find_leaves returned None. Did you forget the return?", "no_return")
        try:
            found = list(result)
        except TypeError:
            raise Rejected(
                f"find_leaves should return a list of Values, got {type(result).__name__}."
            ) from None
        if not all(isinstance(node, Value) for node in found):
            raise Rejected("find_leaves should return the leaf Values themselves.")
        found_ids = [id(node) for node in found]
        truth_ids = {id(node) for node in truth}
        if set(found_ids) == truth_ids and len(found_ids) > len(truth_ids):
            return wrong(
                f"In the graph of {description} a leaf appears more than once. A leaf "
                f"reached along two paths is still one node: keep a set of the nodes "
                f"already visited, and skip a node you have seen.",
                mistake="duplicates",
            )
        if any(node.inputs for node in found):
            return wrong(
                f"In the graph of {description} your list includes nodes that have inputs. "
                f"A leaf is a node with no inputs (node.inputs == ()).",
                mistake="included_non_leaves",
            )
        if set(found_ids) != truth_ids:
            direct = {id(node) for node in root.inputs if not node.inputs}
            if root.inputs and set(found_ids) == direct:
                return wrong(
                    f"In the graph of {description} you found only the leaves right next to "
                    f"the root. Keep walking: the inputs of inputs have inputs too.",
                    mistake="one_level",
                )
            if not root.inputs:
                return wrong(
                    "A Value with no inputs is itself a leaf, so find_leaves(v) for a single "
                    "Value v should return [v].",
                    mistake="root_leaf",
                )
            return wrong(
                f"In the graph of {description} you found {len(set(found_ids) & truth_ids)} "
                f"of the {len(truth_ids)} leaves. Walk from the root through every node's "
                f"inputs (constants like the -1 in x - y are leaves too)."
            )
    return correct("Every leaf, each once, including the constants Python operators create.")

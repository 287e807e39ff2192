"""Checks for chapter 3, "Backward, step by step".

The truth is stepgrad's own ``backward()`` run on an identical, freshly built
graph (and, in the tests, finite differences). The classic mistakes are
recognised by running them: this module can walk a graph with each mistake
made on purpose (gradients overwritten instead of accumulated, the wrong
order, the upstream gradient forgotten, no seed) and compare what that gives
with the learner's numbers. A recursive walk is caught on a 5,000-node chain.

    >>> from stepgrad.exercises import backward_pass
    >>> backward_pass.check_gradients_by_hand(4, 2).status
    'correct'
"""

import sys

from stepgrad.exercises.feedback import (
    LearnerCodeFailed,
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

CHAIN_LENGTH = 5000


# ---------------------------------------------------------------------------
# The graphs the checks use, built fresh each time so that two copies can be
# compared node by node (same builder, same graph, same topological order).
# ---------------------------------------------------------------------------


def used_twice():
    """f = x * y + x with x = 2, y = 3: x reaches f along two paths."""
    x = Value(2.0, label="x")
    y = Value(3.0, label="y")
    return x * y + x


def diamond():
    """tanh((a*b + a) * (a*b)) with a = 1.5, b = 0.5: two shared nodes, one deep."""
    a = Value(1.5, label="a")
    b = Value(0.5, label="b")
    c = a * b
    return ((c + a) * c).tanh()


def chain(length=CHAIN_LENGTH):
    """tanh(tanh(...tanh(0.5))): ``length`` nodes, each the input of the next."""
    node = Value(0.5, label="x")
    for _ in range(length - 1):
        node = node.tanh()
    return node


def walk_with_mistake(root, *, reverse=True, accumulate=True, upstream=True, seed=True):
    """Backward with one thing done wrong on purpose (the defaults do nothing wrong).

    ``accumulate=False`` overwrites a gradient instead of adding to it,
    ``reverse=False`` walks inputs before outputs, ``upstream=False`` passes on
    the local derivative alone, ``seed=False`` never sets d(root)/d(root) = 1.
    """
    order = topological_order(root)
    if reverse:
        order.reverse()
    if seed:
        root.grad = 1.0
    for node in order:
        for parent, local in zip(node.inputs, node.local_grads()):
            contribution = node.grad * local if upstream else local
            parent.grad = parent.grad + contribution if accumulate else contribution


def _too_deep(failure, advice):
    """The hint for learner code that ran out of stack on the deep chain; other errors go on."""
    if not isinstance(failure.error, RecursionError):
        raise failure
    return wrong(
        f"Right on small graphs, but on a chain of {CHAIN_LENGTH:,} nodes it stops with "
        f"RecursionError: each recursive call waits on the next, and Python allows only "
        f"{sys.getrecursionlimit():,} nested calls here. {advice} instead of calling "
        f"yourself once per node.",
        mistake="recursive_walk",
    )


def _grads(root):
    return [node.grad for node in topological_order(root)]


def _describe(node):
    return node.label or f"the {node.op} node"


# ---------------------------------------------------------------------------
# Exercise 3.1: gradients of f = x * y + x by hand.
# ---------------------------------------------------------------------------


@exercise("3.1", "gradients by hand")
def check_gradients_by_hand(dx, dy):
    """Check df/dx and df/dy for f = x * y + x at x = 2, y = 3."""
    dx = expect_number(dx, what="Your df/dx")
    dy = expect_number(dy, what="Your df/dy")
    f = used_twice()
    f.backward()
    x, y = (node for node in topological_order(f) if not node.inputs)
    if close(dx, x.grad) and close(dy, y.grad):
        return correct(
            f"df/dx = y + 1 = {x.grad:g}: x sends f two contributions, y = {y.data:g} "
            f"through the product and 1 through the sum, and they add."
        )
    if close(dx, y.grad) and close(dy, x.grad):
        return wrong("You have the right numbers in the wrong places: swap them.", "swapped")
    if close(dy, y.grad) and (close(dx, y.data) or close(dx, 1.0)):
        return wrong(
            f"df/dx = {dx:g} counts only one of the two paths from x to f. x is used twice "
            f"(in x * y and in + x), so its gradient is the sum of both contributions: "
            f"keeping only one is the bug of a gradient overwritten instead of accumulated.",
            mistake="overwritten",
        )
    if close(dy, y.grad):
        return wrong("df/dy is right; df/dx is not. Follow both paths from x to f.")
    if close(dx, x.grad):
        return wrong("df/dx is right; df/dy is not. y meets f only through x * y.")
    return wrong(
        "Use the chain rule on each path: f = m + x with m = x * y. df/dm = 1, dm/dx = y, "
        "dm/dy = x, and the direct path gives df/dx one more 1."
    )


# ---------------------------------------------------------------------------
# Exercise 3.2: topo_sort(root).
# ---------------------------------------------------------------------------


def _order_problem(order, root):
    """What is wrong with ``order`` as a topological order of ``root``'s graph, or None."""
    if order is None:
        return wrong("topo_sort returned None. Did you forget the return?", "no_return")
    try:
        order = list(order)
    except TypeError:
        raise Rejected(
            f"topo_sort should return a list of Values, got {type(order).__name__}."
        ) from None
    truth = topological_order(root)
    truth_ids = {id(node) for node in truth}
    ids = [id(node) for node in order]
    if len(set(ids)) < len(ids):
        return wrong(
            "Some nodes appear more than once. A node reached along two paths must be "
            "listed once: keep a set of the nodes already visited and skip them.",
            mistake="duplicates",
        )
    if set(ids) - truth_ids:
        return wrong("Your list has Values that the root does not depend on.", "extra_nodes")
    if set(ids) != truth_ids:
        return wrong(
            f"Your list has {len(set(ids))} of the {len(truth)} nodes. Every node the root "
            f"depends on belongs in it: the leaves, the root itself, and all in between.",
            mistake="missing_nodes",
        )
    position = {node_id: index for index, node_id in enumerate(ids)}
    if order and order[0] is root and len(order) > 1:
        return wrong(
            "The root comes first: that is the order backward walks in, the reverse of a "
            "topological order. topo_sort should list each node after its inputs.",
            mistake="reversed",
        )
    for node in order:
        for parent in node.inputs:
            if position[id(parent)] > position[id(node)]:
                return wrong(
                    f"{_describe(node)} comes before its input {_describe(parent)}. Add a "
                    f"node to the list only after all of its inputs are in it.",
                    mistake="inputs_after",
                )
    return None


@exercise("3.2", "a topological sort")
def check_topological_sort(topo_sort):
    """Check ``topo_sort(root)`` on small graphs, then on a 5,000-node chain."""
    for build in (used_twice, diamond):
        root = build()
        problem = _order_problem(call_learner(topo_sort, root), root)
        if problem is not None:
            return problem
    root = chain()
    try:
        order = call_learner(topo_sort, root)
    except LearnerCodeFailed as failure:
        return _too_deep(
            failure, "Walk with a list as your own stack (while stack: node = stack.pop() ...)"
        )
    problem = _order_problem(order, root)
    if problem is not None:
        return problem
    return correct(
        f"Inputs before outputs on every graph, and {CHAIN_LENGTH:,} nodes deep without "
        f"running out of stack."
    )


# ---------------------------------------------------------------------------
# Exercise 3.3: backward(root), written by the learner.
# ---------------------------------------------------------------------------

# (mistake, how walk_with_mistake makes it, the hint)
_WALK_MISTAKES = (
    (
        "overwritten",
        {"accumulate": False},
        (
            "A node used twice ends up with only one contribution: its gradient was "
            "overwritten (=) instead of accumulated (+=). Each consumer adds its share."
        ),
    ),
    (
        "forward_order",
        {"reverse": False},
        (
            "Nodes were processed inputs first, so each passed on its gradient before "
            "its consumers had sent it anything. Walk the topological order in reverse."
        ),
    ),
    (
        "local_only",
        {"upstream": False},
        (
            "Each input received only the local derivative. The chain rule multiplies it by "
            "the gradient that reached the node: node.grad * local."
        ),
    ),
    (
        "no_seed",
        {"seed": False},
        (
            "Every gradient is 0 because nothing set root.grad = 1 before the walk: "
            "d(root)/d(root) is where the chain starts."
        ),
    ),
)


def _compare_walk(backward, build):
    """A Verdict when the learner's walk on ``build()`` disagrees with stepgrad, else None."""
    root = build()
    call_learner(backward, root)
    learner = _grads(root)
    reference = build()
    reference.backward()
    differences = [
        (node, mine, truth)
        for node, mine, truth in zip(topological_order(root), learner, _grads(reference))
        if not close(mine, truth)
    ]
    if not differences:
        return None
    for mistake, settings, hint in _WALK_MISTAKES:
        mistaken = build()
        walk_with_mistake(mistaken, **settings)
        if all(close(mine, theirs) for mine, theirs in zip(learner, _grads(mistaken))):
            return wrong(hint, mistake=mistake)
    node, mine, truth = differences[0]
    return wrong(
        f"{_describe(node)}.grad is {mine:g}, stepgrad's backward() gives {truth:g}. For "
        f"each node in reverse topological order, add node.grad * local to each input's grad."
    )


@exercise("3.3", "backward by hand")
def check_backward(backward):
    """Check ``backward(root)`` against stepgrad's, on small graphs and a 5,000-node chain."""
    for build in (used_twice, diamond):
        problem = _compare_walk(backward, build)
        if problem is not None:
            return problem
    try:
        problem = _compare_walk(backward, chain)
    except LearnerCodeFailed as failure:
        return _too_deep(failure, "Walk a list (the topological order) with a loop")
    if problem is not None:
        return problem
    return correct(
        "Same gradients as stepgrad's backward(), shared nodes included, and it walks a "
        f"{CHAIN_LENGTH:,}-node chain. That loop is all that backward() is."
    )

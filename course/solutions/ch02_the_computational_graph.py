"""Reference solutions for chapter 2, "The computational graph".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad import Value
from stepgrad.exercises import computational_graph

# Exercise 2.1: combine the Values themselves; Python's operators build the graph.
a = Value(1.5, label="a")
b = Value(-2.0, label="b")
c = Value(0.5, label="c")
f = (a + b) * (b - c)

# Exercise 2.2: x * y - y runs as x * y + (y * -1). The nodes are x and y, the
# product x * y, the constant -1, the product y * -1, and the sum: 6. y is used
# twice but is one node.
node_count = 6


# Exercise 2.3: walk from the root with a list as a stack; the set of visited
# nodes makes a node reached along two paths count once.
def find_leaves(root):
    leaves = []
    visited = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
        if node.inputs:
            stack.extend(node.inputs)
        else:
            leaves.append(node)
    return leaves


# Which check each answer goes to.
ANSWERS = {
    computational_graph.check_build_expression: (f,),
    computational_graph.check_node_count: (node_count,),
    computational_graph.check_find_leaves: (find_leaves,),
}

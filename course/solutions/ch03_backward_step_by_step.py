"""Reference solutions for chapter 3, "Backward, step by step".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad.exercises import backward_pass
from stepgrad.graph import topological_order

# Exercise 3.1: f = x * y + x at x = 2, y = 3. x reaches f along two paths:
# through m = x * y (df/dm = 1, dm/dx = y = 3) and directly (1). They add.
df_dx = 3 + 1
df_dy = 2  # only through m: df/dm * dm/dy = 1 * x


# Exercise 3.2: depth-first, but with a list as the stack instead of recursion.
# Each node is pushed twice: first to visit its inputs, then (marked done) to
# be appended once they are all in the order.
def topo_sort(root):
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node.inputs:
            if parent not in visited:
                stack.append((parent, False))
    return order


# Exercise 3.3: seed the root, walk the order backwards, and let every node
# add upstream * local to each of its inputs (+=, never =).
def backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.inputs, node.local_grads()):
            parent.grad += node.grad * local


# Which check each answer goes to.
ANSWERS = {
    backward_pass.check_gradients_by_hand: (df_dx, df_dy),
    backward_pass.check_topological_sort: (topo_sort,),
    backward_pass.check_backward: (backward,),
}

"""Reference solutions for chapter 11, "What the graph costs".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad.exercises import graph_cost

# Exercise 11.1: x * w keeps x and w; exp keeps its output y; y * x keeps y and x.
# Distinct arrays: x, w, y, each 100 float32 numbers of 4 bytes.
saved_bytes = 3 * 100 * 4


# Exercise 11.2: cut before every step whose number is a multiple of k.
def unroll(cell, h, inputs, k):
    for t, x in enumerate(inputs):
        if t % k == 0:
            h = h.detach()
        h = cell(h, x)
    return h


# Exercise 11.3: the peak 36/s + s over the divisors of 36: 37, 20, 15, 13, 12, 13, 15, 20, 37.
segment_length = 6

# Which check each answer goes to.
ANSWERS = {
    graph_cost.check_saved_bytes: (saved_bytes,),
    graph_cost.check_truncated_unroll: (unroll,),
    graph_cost.check_best_segment: (segment_length,),
}

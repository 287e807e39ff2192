"""Reference solutions for chapter 10, "Forward mode and reverse mode".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad.dual import Dual
from stepgrad.exercises import forward_and_reverse

# Exercise 10.1: (3 + ε)³ = 27 + 27ε (3·3²·ε; the ε² and ε³ terms are 0), and
# -2(3 + ε) = -6 - 2ε. Together: 21 + 25ε.
value = 27 - 6
tangent = 27 - 2


# Exercise 10.2: pass i seeds input i with tangent 1 and every other input with 0,
# so the result's tangent is df/dx_i. One pass per input.
def forward_gradient(f, xs):
    gradient = []
    for i in range(len(xs)):
        inputs = [Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(xs)]
        gradient.append(f(*inputs).tangent)
    return gradient


# Exercise 10.3: forward mode pays one pass per input, reverse mode one backward
# pass per output.
loss_forward = 10_000
loss_reverse = 1
trajectory_forward = 1
trajectory_reverse = 500

# Which check each answer goes to.
ANSWERS = {
    forward_and_reverse.check_dual_by_hand: (value, tangent),
    forward_and_reverse.check_forward_gradient: (forward_gradient,),
    forward_and_reverse.check_pass_counts: (
        loss_forward,
        loss_reverse,
        trajectory_forward,
        trajectory_reverse,
    ),
}

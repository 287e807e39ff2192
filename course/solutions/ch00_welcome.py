"""Reference solutions for chapter 0, "Welcome".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad import Value
from stepgrad.exercises import welcome

# Exercise 0.1: y = x·x + 3x, so dy/dx = 2x + 3, and at x = 2 that is 4 + 3.
slope_at_2 = 2 * 2 + 3

# Exercise 0.2: build y from a Value, run backward once, read the gradient off x.
x = Value(2.0)
y = x * x + 3 * x
y.backward()
gradient = x.grad

# Which check each answer goes to.
ANSWERS = {
    welcome.check_slope_by_hand: (slope_at_2,),
    welcome.check_stepgrad_gradient: (gradient,),
}

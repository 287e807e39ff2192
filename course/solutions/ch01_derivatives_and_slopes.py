"""Reference solutions for chapter 1, "Derivatives and slopes".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad import Value
from stepgrad.exercises import derivatives

# Exercise 1.1: f(x) = 3x^2 - 4x + 1, so f'(x) = 6x - 4 and f'(2) = 12 - 4.
slope_at_2 = 6 * 2 - 4


# Exercise 1.2: look both ways from x; the two points are 2h apart.
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# Exercise 1.3: the bottom of the forward difference's V in the error plot.
# Larger steps suffer truncation (error about 6h), smaller ones round-off.
best_h = 1e-8

# Exercise 1.4: build y from x with Value operations, backward once, read x.grad.
# (1 - x) e^(-x) at x = 2 is -e^(-2): the curve is past its peak at x = 1.
x = Value(2.0)
y = x * (-x).exp()
y.backward()
gradient = x.grad

# Which check each answer goes to.
ANSWERS = {
    derivatives.check_slope_by_hand: (slope_at_2,),
    derivatives.check_central_difference: (central_difference,),
    derivatives.check_best_step: (best_h,),
    derivatives.check_stepgrad_gradient: (gradient,),
}

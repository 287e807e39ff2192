"""Reference solutions for chapter 6, "Your own operation".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

import numpy as np
from stepgrad.autograd import Function
from stepgrad.exercises import custom_operations


# Exercise 6.1: d(x^3)/dx = 3x^2, times the gradient that reached the output.
class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


# Exercise 6.2: save a, b and the output h; backward needs all three. The engine
# sums b's gradient back over the rows it was broadcast along.
class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        h = np.hypot(a, b)
        ctx.save_for_backward(a, b, h)
        return h

    @staticmethod
    def backward(ctx, grad):
        a, b, h = ctx.saved_tensors
        return grad * a / h, grad * b / h


# Which check each answer goes to.
ANSWERS = {
    custom_operations.check_cube: (Cube,),
    custom_operations.check_hypot: (Hypot,),
}

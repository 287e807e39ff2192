"""Reference solutions for chapter 5, "The autograd API".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

import stepgrad
from stepgrad.exercises import autograd_api

# Exercise 5.1: y = w * x = [3, -2]; loss = sum(y^2), so dloss/dy = 2y = [6, -4]
# and dloss/dw = 2y * x = [18, 4]. x does not require grad, so it gets no gradient;
# y is not a leaf, and was not retained, so its gradient is dropped after use.
w_grad = [18.0, 4.0]
x_grad = None
y_grad = None

# Exercise 5.2: x.detach() is a constant c = [1, 2, 3]; d(x * c)/dx = c.
detached_x_grad = [1.0, 2.0, 3.0]


# Exercise 5.3: reset, backward, then update in place with recording off.
def descend(w, loss_fn, lr, steps):
    for _ in range(steps):
        loss = loss_fn(w)
        w.grad = None  # forget the previous step's gradient (what zero_grad() does)
        loss.backward()
        with stepgrad.no_grad():
            w -= lr * w.grad


# Which check each answer goes to.
ANSWERS = {
    autograd_api.check_where_gradients_land: (w_grad, x_grad, y_grad),
    autograd_api.check_detached_gradient: (detached_x_grad,),
    autograd_api.check_descend: (descend,),
}

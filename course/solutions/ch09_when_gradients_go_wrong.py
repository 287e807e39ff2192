"""Reference solutions for chapter 9, "When gradients go wrong".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

import stepgrad
from stepgrad.exercises import gradients_go_wrong

# Exercise 9.1: sigmoid'(z) = s(1 - s) is largest at z = 0, where s = 1/2: 1/4.
# Ten layers multiply ten such factors (the weights aside).
surviving_fraction = 0.25**10


# Exercise 9.2: one norm over all gradients; one scale for all, never above 1.
def clip_grad_norm(parameters, max_norm):
    gradients = [p.grad for p in parameters if p.grad is not None]
    total_norm = sum((g**2).sum().item() for g in gradients) ** 0.5
    scale = min(1.0, max_norm / total_norm)
    for g in gradients:
        g *= scale
    return total_norm


# Exercise 9.3: the gradient recorded (create_graph=True), then the gradient of g . v.
def hessian_vector_product(f, x, v):
    (gradient,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (product,) = stepgrad.autograd.grad((gradient * v).sum(), x)
    return product


# Which check each answer goes to.
ANSWERS = {
    gradients_go_wrong.check_surviving_fraction: (surviving_fraction,),
    gradients_go_wrong.check_clip_grad_norm: (clip_grad_norm,),
    gradients_go_wrong.check_hessian_vector_product: (hessian_vector_product,),
}

"""Reference solutions for chapter 4, "From scalars to tensors".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

import numpy as np
from stepgrad.exercises import tensors

# Exercise 4.1: (2, 3) @ (3, 4): the inner 3s meet, the outer sizes stay.
# (5, 1) + (3,): line up from the right, (5, 1) against (1, 3), and stretch the 1s.
# A gradient has the shape of its own tensor: B is (3, 4).
product_shape = (2, 4)
broadcast_shape = (5, 3)
grad_shape = (3, 4)


# Exercise 4.2: dL/dA_ip = sum_j G_ij B_pj and dL/dB_pj = sum_i A_ip G_ij.
# The shapes confirm it: (m, n) @ (n, k) is A's (m, k); (k, m) @ (m, n) is B's (k, n).
def matmul_grads(A, B, G):
    return G @ B.T, A.T @ G


# Exercise 4.3: first the leading axes broadcasting added, then the axes where
# the operand had size 1, which stay as size 1.
def sum_to_shape(grad, shape):
    extra = grad.ndim - len(shape)
    grad = np.sum(grad, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return np.sum(grad, axis=stretched, keepdims=True)


# Which check each answer goes to.
ANSWERS = {
    tensors.check_shapes: (product_shape, broadcast_shape, grad_shape),
    tensors.check_matmul_grads: (matmul_grads,),
    tensors.check_sum_to_shape: (sum_to_shape,),
}

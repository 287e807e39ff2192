"""Second derivatives through the two built-in ops the per-op cases do not reach.

``Cast`` (``.double()``, ``.to(...)``) and ``IndexPut`` (the backward of indexing) only
move gradients, but their backward must itself be recorded so that ``create_graph=True``
sees them. The truth is the derivation in each test: for f = sum(c_i * x_i**3),
d2f/dx_i2 = 6 * c_i * x_i, so the Hessian-vector product is 6 * c * x * v.
"""

import numpy as np
import stepgrad

X = np.array([0.5, -1.0, 2.0])
V = np.array([1.0, 2.0, -1.0])


def hessian_vector_product(f, x, v):
    (grad,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (product,) = stepgrad.autograd.grad((grad * stepgrad.tensor(v, dtype=x.dtype)).sum(), x)
    return product.numpy()


def test_second_derivative_flows_through_a_dtype_cast():
    x = stepgrad.tensor(X, dtype=stepgrad.float32, requires_grad=True)
    product = hessian_vector_product(lambda x: (x.double() ** 3).sum(), x, V)
    assert product.dtype == np.float32  # the gradient is cast back to x's dtype
    np.testing.assert_allclose(product, 6 * X * V, rtol=1e-6)


def test_second_derivative_flows_through_the_backward_of_indexing_with_repeats():
    x = stepgrad.tensor(X, requires_grad=True)
    index = np.array([0, 2, 2])  # x[2] is selected twice, x[1] never
    times_selected = np.array([1, 0, 2])
    product = hessian_vector_product(lambda x: (x[index] ** 3).sum(), x, V)
    np.testing.assert_allclose(product, 6 * times_selected * X * V)

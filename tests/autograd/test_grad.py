"""stepgrad.autograd.grad, as torch.autograd.grad.

Truths: derivatives derived by hand in the tests, central differences on
float64 inputs, and PyTorch where it is installed.
"""

import numpy as np
import pytest
import stepgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from stepgrad.autograd import grad


def tensor(values, requires_grad=False):
    return stepgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def central_difference(f, x, h=1e-6):
    """d f(x) / dx for a scalar-valued numpy function f of a float64 array x."""
    derivative = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        derivative[index] = (f(up) - f(down)) / (2 * h)
    return derivative


def energy(m, x):
    """A scalar function with nonzero second derivatives: sum(tanh(x) * x**2) + sum(x)**2."""
    return (m.tanh(x) * x**2).sum() + x.sum() ** 2


def energy_gradient_numpy(x):
    # d/dx_i: (1 - tanh(x_i)^2) x_i^2 + 2 x_i tanh(x_i) + 2 sum(x)
    return (1 - np.tanh(x) ** 2) * x**2 + 2 * x * np.tanh(x) + 2 * x.sum()


finite_floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


# --- first order ------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 5), elements=finite_floats))
def test_grad_returns_the_gradient_derived_by_hand(values):
    x = tensor(values, requires_grad=True)
    (dx,) = grad(energy(stepgrad, x), x)
    np.testing.assert_allclose(dx.numpy(), energy_gradient_numpy(values), rtol=1e-10, atol=1e-10)


def test_grad_leaves_every_grad_attribute_untouched():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    x.grad = tensor([7.0, 7.0])
    grad((x * w).sum(), x)
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0])
    assert w.grad is None


def test_grad_accepts_a_single_tensor_or_sequences_and_returns_a_tuple():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    as_list = grad([y], [x, w], retain_graph=True)
    as_tuple = grad((y,), (w,))
    assert isinstance(as_list, tuple) and len(as_list) == 2
    np.testing.assert_array_equal(as_list[0].numpy(), [3.0, 4.0])  # d(x.w)/dx = w
    np.testing.assert_array_equal(as_list[1].numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(as_tuple[0].numpy(), [1.0, 2.0])


def test_grad_sums_over_several_outputs_weighted_by_grad_outputs():
    x = tensor([1.0, 2.0], requires_grad=True)
    y1, y2 = x**2, 3 * x
    (dx,) = grad([y1, y2], x, grad_outputs=[tensor([1.0, 10.0]), tensor([2.0, 2.0])])
    # 1 * 2x + 2 * 3, and 10 * 2x + 2 * 3, at x = [1, 2]
    np.testing.assert_array_equal(dx.numpy(), [8.0, 46.0])


def test_grad_of_a_non_leaf_input_is_the_gradient_at_that_tensor():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h**2).sum()
    (dh,) = grad(y, h)
    np.testing.assert_array_equal(dh.numpy(), [6.0, 12.0])  # 2h
    assert h.grad is None and x.grad is None


def test_grad_with_an_unused_input_fails_unless_allow_unused():
    x = tensor([1.0], requires_grad=True)
    unused = tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(
        RuntimeError,
        match=r"appears to not have been used in the graph.*inputs\[1\].*allow_unused=True",
    ):
        grad(y, [x, unused], retain_graph=True)
    dx, d_unused = grad(y, [x, unused], allow_unused=True)
    assert d_unused is None
    np.testing.assert_array_equal(dx.numpy(), [2.0])


def test_grad_of_an_input_that_does_not_require_grad_says_so():
    x = tensor([1.0], requires_grad=True)
    data = tensor([1.0])
    with pytest.raises(
        RuntimeError, match=r"does not require grad: inputs\[1\].*requires_grad=True"
    ):
        grad((x * data).sum(), [x, data])


def test_grad_of_an_output_that_does_not_require_grad_says_so():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"element 0 of tensors does not require grad.*outputs\[0\]"
    ):
        grad(tensor(1.0), x)


def test_grad_of_a_vector_output_needs_grad_outputs():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\)"):
        grad(x * 2, x)


def test_grad_with_the_wrong_number_of_grad_outputs_says_how_many():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one grad_output per output: got 2 .* 1 outputs"):
        grad(x.sum(), x, grad_outputs=[tensor(1.0), tensor(1.0)])


def test_grad_of_something_that_is_not_a_tensor_says_what_to_pass():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"inputs to be a Tensor or a non-empty list.*got ndarray"):
        grad(x.sum(), np.array([1.0]))


def test_grad_frees_the_graph_unless_retained():
    x = tensor([1.0], requires_grad=True)
    y = x.exp().sum()
    grad(y, x)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        grad(y, x)


def test_first_order_grad_is_not_part_of_a_graph():
    x = tensor([1.0, 2.0], requires_grad=True)
    (dx,) = grad((x**3).sum(), x)
    assert dx.grad_fn is None and not dx.requires_grad


# --- second order (create_graph=True) ----------------------------------------


@settings(max_examples=20, deadline=None)
@given(arrays(np.float64, st.integers(1, 4), elements=finite_floats))
def test_second_derivative_diagonal_matches_finite_differences_of_the_gradient(values):
    x = tensor(values, requires_grad=True)
    (dx,) = grad(energy(stepgrad, x), x, create_graph=True)
    # sum_i d/dx_j (dE/dx_i): the Hessian times a vector of ones.
    (hessian_times_ones,) = grad(dx.sum(), x)
    expected = central_difference(lambda v: energy_gradient_numpy(v).sum(), values)
    np.testing.assert_allclose(hessian_times_ones.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_second_derivative_of_a_scalar_function_matches_the_one_derived_by_hand():
    # f(x) = x^3 e^x: f' = (3x^2 + x^3) e^x, f'' = (6x + 6x^2 + x^3) e^x
    x = tensor(0.7, requires_grad=True)
    (first,) = grad(x**3 * x.exp(), x, create_graph=True)
    (second,) = grad(first, x)
    np.testing.assert_allclose(first.item(), (3 * 0.7**2 + 0.7**3) * np.exp(0.7), rtol=1e-12)
    np.testing.assert_allclose(
        second.item(), (6 * 0.7 + 6 * 0.7**2 + 0.7**3) * np.exp(0.7), rtol=1e-12
    )


def test_hessian_vector_product_matches_finite_differences():
    rng = np.random.default_rng(3)
    values, direction = rng.normal(size=4), rng.normal(size=4)
    x = tensor(values, requires_grad=True)
    (dx,) = grad(energy(stepgrad, x), x, create_graph=True)
    (hvp,) = grad(dx, x, grad_outputs=tensor(direction))
    expected = central_difference(lambda v: energy_gradient_numpy(v) @ direction, values)
    np.testing.assert_allclose(hvp.numpy(), expected, rtol=1e-6, atol=1e-6)


def gradient_penalty(m, weight_values, point_values):
    """A WGAN-GP style penalty: (|d critic / d point| - 1)^2, differentiated w.r.t. the weights."""
    weight = m.tensor(weight_values, dtype=m.float64, requires_grad=True)
    point = m.tensor(point_values, dtype=m.float64, requires_grad=True)
    critic = m.tanh(point @ weight).sum()
    (d_point,) = m.autograd.grad(critic, point, create_graph=True)
    penalty = ((d_point**2).sum(dim=1).sqrt() - 1) ** 2
    (d_weight,) = m.autograd.grad(penalty.mean(), weight)
    return d_weight


def gradient_penalty_numpy(weight, point):
    activation = np.tanh(point @ weight)
    d_point = (1 - activation**2)[:, None, :] * weight[None, :, :]
    d_point = d_point.sum(axis=2)
    return ((np.sqrt((d_point**2).sum(axis=1)) - 1) ** 2).mean()


GP_WEIGHT = np.random.default_rng(5).normal(size=(3, 2))
GP_POINT = np.random.default_rng(6).normal(size=(4, 3))


def test_gradient_penalty_matches_finite_differences():
    d_weight = gradient_penalty(stepgrad, GP_WEIGHT, GP_POINT)
    expected = central_difference(lambda w: gradient_penalty_numpy(w, GP_POINT), GP_WEIGHT)
    np.testing.assert_allclose(d_weight.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_gradient_penalty_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    ours = gradient_penalty(stepgrad, GP_WEIGHT, GP_POINT).numpy()
    theirs = gradient_penalty(torch, GP_WEIGHT, GP_POINT).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_hessian_vector_product_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    rng = np.random.default_rng(4)
    values, direction = rng.normal(size=5), rng.normal(size=5)

    def hvp(m):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        (dx,) = m.autograd.grad(energy(m, x), x, create_graph=True)
        (result,) = m.autograd.grad(dx, x, grad_outputs=m.tensor(direction, dtype=m.float64))
        return result.detach().numpy()

    np.testing.assert_allclose(hvp(stepgrad), hvp(torch), rtol=1e-10, atol=1e-12)


def test_newtons_method_with_second_derivatives_finds_the_minimum():
    # f(x) = x^4 - 3x^2 + x has a local minimum near x = 1.1309 (f'(x) = 4x^3 - 6x + 1 = 0).
    x = tensor(1.5, requires_grad=True)
    for _ in range(8):
        (slope,) = grad(x**4 - 3 * x**2 + x, x, create_graph=True)
        (curvature,) = grad(slope, x)
        with stepgrad.no_grad():
            x -= slope / curvature
    root = np.roots([4.0, 0.0, -6.0, 1.0])
    expected = root[np.argmin(abs(root - 1.13))].real
    np.testing.assert_allclose(x.item(), expected, rtol=1e-12)


def test_a_gradient_that_does_not_depend_on_the_input_has_zero_second_derivative_by_none():
    x = tensor([1.0, 2.0], requires_grad=True)
    (dx,) = grad((3 * x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(dx.numpy(), [3.0, 3.0])
    assert not dx.requires_grad  # as in PyTorch: nothing to differentiate again

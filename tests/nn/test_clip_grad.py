"""nn.utils.clip_grad_norm_, as in PyTorch.

Truths: norms computed with numpy in the tests, and PyTorch where installed.
"""

import math

import numpy as np
import pytest
import stepgrad
from stepgrad.nn.utils import clip_grad_norm_


def parameters_with(*gradients):
    parameters = []
    for values in gradients:
        parameter = stepgrad.tensor(np.zeros(np.shape(values)), requires_grad=True)
        parameter.grad = stepgrad.tensor(np.asarray(values, dtype=np.float64))
        parameters.append(parameter)
    return parameters


def test_large_gradients_are_scaled_together_to_max_norm():
    parameters = parameters_with([5.0, 12.0], [[84.0]])  # total norm 85
    total = clip_grad_norm_(parameters, max_norm=8.5)
    assert math.isclose(total.item(), 85.0)
    clipped = np.concatenate([p.grad.numpy().ravel() for p in parameters])
    np.testing.assert_allclose(clipped, np.array([5.0, 12.0, 84.0]) * 0.1, rtol=1e-6)
    assert math.isclose(np.linalg.norm(clipped), 8.5, rel_tol=1e-6)


def test_small_gradients_are_left_alone():
    parameters = parameters_with([0.3, 0.4])
    total = clip_grad_norm_(parameters, max_norm=1.0)
    assert math.isclose(total.item(), 0.5)
    np.testing.assert_array_equal(parameters[0].grad.numpy(), [0.3, 0.4])


def test_the_infinity_norm_is_the_largest_magnitude():
    parameters = parameters_with([1.0, -8.0], [2.0])
    total = clip_grad_norm_(parameters, max_norm=4.0, norm_type=math.inf)
    assert total.item() == 8.0
    np.testing.assert_allclose(parameters[0].grad.numpy(), [0.5, -4.0], rtol=1e-6)


def test_parameters_without_gradients_are_skipped():
    (with_grad,) = parameters_with([3.0, 4.0])
    without = stepgrad.tensor([1.0], requires_grad=True)
    assert math.isclose(clip_grad_norm_([with_grad, without], 1.0).item(), 5.0)
    assert without.grad is None


def test_a_non_finite_norm_raises_when_asked_to():
    parameters = parameters_with([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match=r"non-finite \(nan\).*detect_anomaly"):
        clip_grad_norm_(parameters, 1.0, error_if_nonfinite=True)


def test_a_norm_type_that_is_not_positive_says_what_to_use():
    with pytest.raises(ValueError, match=r"norm_type must be positive or inf, got 0.0"):
        clip_grad_norm_(parameters_with([1.0]), 1.0, norm_type=0)


def test_clipping_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    rng = np.random.default_rng(0)
    gradients = [rng.normal(size=(3, 4)) * 10, rng.normal(size=4)]
    ours = parameters_with(*gradients)
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in gradients]
    for parameter, values in zip(theirs, gradients):
        parameter.grad = torch.tensor(values)
    total_ours = clip_grad_norm_(ours, 2.0).item()
    total_theirs = torch.nn.utils.clip_grad_norm_(theirs, 2.0).item()
    assert math.isclose(total_ours, total_theirs, rel_tol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12)


def test_the_docstring_example_runs():
    import doctest

    from stepgrad.nn.utils import clip_grad

    assert doctest.testmod(clip_grad).failed == 0

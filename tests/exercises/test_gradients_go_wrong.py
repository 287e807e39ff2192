"""Chapter 9's checks, given right answers and each classic wrong one."""

import math

import numpy as np
import pytest
import stepgrad
from stepgrad.exercises import ___, gradients_go_wrong


def status_and_mistake(feedback):
    return feedback.status, feedback.mistake


# --- the truths the checks use, against derivations written here -------------------


def test_the_largest_sigmoid_slope_is_one_quarter():
    # sigmoid' = s (1 - s), largest at s = 1/2.
    assert math.isclose(gradients_go_wrong.largest_sigmoid_slope(), 0.25, rel_tol=1e-12)


def test_the_quartic_derivatives_match_finite_differences():
    h = 1e-5
    x = 1.5
    f = gradients_go_wrong.quartic
    slope = (f(x + h) - f(x - h)) / (2 * h)
    curvature = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
    assert math.isclose(gradients_go_wrong.quartic_slope(x), slope, rel_tol=1e-8)
    assert math.isclose(gradients_go_wrong.quartic_curvature(x), curvature, rel_tol=1e-5)


# --- 9.1: what survives ten sigmoids ----------------------------------------------


def test_surviving_fraction_right():
    assert gradients_go_wrong.check_surviving_fraction(0.25**10).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (0.25, "one_layer_only"),
        (2.5, "added_not_multiplied"),
        (0.5**10, "value_not_slope"),
        (1.0, "relu_slope"),
    ],
)
def test_surviving_fraction_names_each_classic_mistake(answer, mistake):
    feedback = gradients_go_wrong.check_surviving_fraction(answer)
    assert status_and_mistake(feedback) == ("wrong", mistake)


def test_surviving_fraction_blank_is_not_answered():
    assert gradients_go_wrong.check_surviving_fraction(___).status == "unanswered"


# --- 9.2: clipping the gradient norm ------------------------------------------------


def right_clip(parameters, max_norm):
    total = math.sqrt(sum(float((p.grad.data**2).sum()) for p in parameters))
    scale = min(1.0, max_norm / total)
    for p in parameters:
        p.grad = p.grad * scale
    return total


def clip_each(parameters, max_norm):
    for p in parameters:
        norm = math.sqrt(float((p.grad.data**2).sum()))
        p.grad = p.grad * min(1.0, max_norm / norm)
    return 0.0


def clamp_values(parameters, max_norm):
    for p in parameters:
        p.grad = p.grad.clamp(-max_norm, max_norm)
    return 0.0


def always_scale(parameters, max_norm):
    total = math.sqrt(sum(float((p.grad.data**2).sum()) for p in parameters))
    for p in parameters:
        p.grad = p.grad * (max_norm / total)
    return total


def forgets_to_return(parameters, max_norm):
    right_clip(parameters, max_norm)


def rebinds_only(parameters, max_norm):
    for p in parameters:
        grad = p.grad * 0.5  # a new tensor; p.grad is never changed
        del grad
    return 85.0


def test_the_right_clipping_halves_a_norm_of_13_to_6_5():
    parameters = [stepgrad.tensor([0.0, 0.0], requires_grad=True)]
    parameters[0].grad = stepgrad.tensor([5.0, 12.0])  # norm 13
    right_clip(parameters, 6.5)
    assert np.allclose(parameters[0].grad.data, [2.5, 6.0])


def test_clip_grad_norm_right():
    assert gradients_go_wrong.check_clip_grad_norm(right_clip).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (clip_each, "clipped_each_tensor"),
        (clamp_values, "clipped_values"),
        (always_scale, "scaled_up_small"),
        (forgets_to_return, "wrong_return"),
        (rebinds_only, "not_changed"),
    ],
)
def test_clip_grad_norm_names_each_classic_mistake(answer, mistake):
    feedback = gradients_go_wrong.check_clip_grad_norm(answer)
    assert status_and_mistake(feedback) == ("wrong", mistake)


def test_clip_grad_norm_that_removes_gradients_is_told_to_scale_them():
    def remove(parameters, max_norm):
        for p in parameters:
            p.grad = None

    feedback = gradients_go_wrong.check_clip_grad_norm(remove)
    assert status_and_mistake(feedback) == ("wrong", "grad_removed")


def test_clip_grad_norm_blank_is_not_answered():
    def unfinished(parameters, max_norm):
        return ___

    assert gradients_go_wrong.check_clip_grad_norm(unfinished).status == "unanswered"


# --- 9.3: a Newton step ----------------------------------------------------------------


def right_newton(f, x):
    (slope,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = stepgrad.autograd.grad(slope, x)
    return x.item() - slope.item() / curvature.item()


def newton_without_create_graph(f, x):
    (slope,) = stepgrad.autograd.grad(f(x), x)
    (curvature,) = stepgrad.autograd.grad(slope, x)
    return x.item() - slope.item() / curvature.item()


def gradient_step(f, x):
    (slope,) = stepgrad.autograd.grad(f(x), x)
    return x.item() - slope.item()


def inverted(f, x):
    (slope,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = stepgrad.autograd.grad(slope, x)
    return x.item() - curvature.item() / slope.item()


def wrong_sign(f, x):
    (slope,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = stepgrad.autograd.grad(slope, x)
    return x.item() + slope.item() / curvature.item()


def test_newton_step_right_returning_a_number_or_a_tensor():
    def as_tensor(f, x):
        (slope,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
        (curvature,) = stepgrad.autograd.grad(slope, x)
        return x - slope / curvature

    assert gradients_go_wrong.check_newton_step(right_newton).status == "correct"
    assert gradients_go_wrong.check_newton_step(as_tensor).status == "correct"


def test_newton_step_moves_to_the_value_derived_by_hand():
    # x = 1.5: f' = 4(3.375) - 9 + 1 = 5.5, f'' = 12(2.25) - 6 = 21.
    x = stepgrad.tensor(1.5, dtype=stepgrad.float64, requires_grad=True)
    assert math.isclose(right_newton(gradients_go_wrong.quartic, x), 1.5 - 5.5 / 21, rel_tol=1e-12)


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (newton_without_create_graph, "no_create_graph"),
        (gradient_step, "gradient_step"),
        (inverted, "ratio_inverted"),
        (wrong_sign, "wrong_sign"),
    ],
)
def test_newton_step_names_each_classic_mistake(answer, mistake):
    feedback = gradients_go_wrong.check_newton_step(answer)
    assert status_and_mistake(feedback) == ("wrong", mistake)


def test_newton_step_blank_is_not_answered():
    def unfinished(f, x):
        return ___

    assert gradients_go_wrong.check_newton_step(unfinished).status == "unanswered"

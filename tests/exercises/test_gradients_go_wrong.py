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


# --- 9.3: a Hessian-vector product ---------------------------------------------------


def right_hvp(f, x, v):
    (gradient,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    (product,) = stepgrad.autograd.grad((gradient * v).sum(), x)
    return product


def hvp_with_grad_outputs(f, x, v):
    (gradient,) = stepgrad.autograd.grad(f(x), x, create_graph=True)
    return stepgrad.autograd.grad(gradient, x, grad_outputs=v)


def hvp_without_create_graph(f, x, v):
    (gradient,) = stepgrad.autograd.grad(f(x), x)
    return stepgrad.autograd.grad((gradient * v).sum(), x)[0]


def gradient_only(f, x, v):
    return stepgrad.autograd.grad(f(x), x)[0]


def gradient_times_v(f, x, v):
    return stepgrad.autograd.grad(f(x), x)[0] * v


def slope_along_v(f, x, v):
    return (stepgrad.autograd.grad(f(x), x)[0] * v).sum()


def test_the_saddle_derivatives_match_finite_differences():
    h = 1e-5
    point = np.array(gradients_go_wrong.HVP_POINT)

    def f(values):
        return gradients_go_wrong.saddle(values)

    gradient = np.array([(f(point + h * e) - f(point - h * e)) / (2 * h) for e in np.eye(2)])
    hessian = np.array(
        [
            (
                gradients_go_wrong.saddle_gradient(*(point + h * e))
                - gradients_go_wrong.saddle_gradient(*(point - h * e))
            )
            / (2 * h)
            for e in np.eye(2)
        ]
    )
    np.testing.assert_allclose(gradients_go_wrong.saddle_gradient(*point), gradient, rtol=1e-8)
    np.testing.assert_allclose(gradients_go_wrong.saddle_hessian(*point), hessian, rtol=1e-8)


@pytest.mark.parametrize("answer", [right_hvp, hvp_with_grad_outputs])
def test_hessian_vector_product_right_either_way(answer):
    assert gradients_go_wrong.check_hessian_vector_product(answer).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (hvp_without_create_graph, "no_create_graph"),
        (gradient_only, "gradient_not_product"),
        (gradient_times_v, "elementwise_product"),
        (slope_along_v, "directional_derivative"),
    ],
)
def test_hessian_vector_product_names_each_classic_mistake(answer, mistake):
    feedback = gradients_go_wrong.check_hessian_vector_product(answer)
    assert status_and_mistake(feedback) == ("wrong", mistake)


def test_hessian_vector_product_blank_is_not_answered():
    def unfinished(f, x, v):
        return ___

    assert gradients_go_wrong.check_hessian_vector_product(unfinished).status == "unanswered"

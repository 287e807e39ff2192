"""Chapter 5's checks, given right answers and each classic wrong one."""

import numpy as np
import pytest
import stepgrad
from stepgrad.exercises import ___, autograd_api


def right_descend(w, loss_fn, lr, steps):
    for _ in range(steps):
        loss = loss_fn(w)
        w.grad = None
        loss.backward()
        with stepgrad.no_grad():
            w -= lr * w.grad


# --- the exercise programs, against derivations written here -----------------------


def test_where_gradients_land_program_gives_the_derived_gradient():
    # loss = sum((w x)^2): d/dw = 2 w x^2 = 2*1*9, 2*2*1.
    w, x, y = autograd_api.where_gradients_land()
    assert w.grad.tolist() == [18.0, 4.0]
    assert x.grad is None and y.grad is None


def test_descent_loss_has_its_minimum_at_the_stated_target():
    at_target = stepgrad.tensor(list(autograd_api.TARGET))
    assert autograd_api.descent_loss(at_target).item() == 0.0


def test_the_reference_descent_converges_towards_the_target():
    w = stepgrad.tensor([0.0, 0.0], requires_grad=True)
    autograd_api.descend_with(w, autograd_api.descent_loss, 0.1, 200)
    assert np.allclose(w.data, autograd_api.TARGET, atol=1e-5)


def test_a_forgotten_reset_gives_the_running_sum_of_gradients():
    # Step 1: grad = 2(w - t) = (-6, 2); step 2 uses the sum of step 1's and step 2's.
    w = stepgrad.tensor([0.0, 0.0], requires_grad=True)
    autograd_api.descend_with(w, autograd_api.descent_loss, 0.1, 2, reset=False)
    w1 = np.array([0.6, -0.2])
    g_sum = np.array([-6.0, 2.0]) + 2 * (w1 - np.array(autograd_api.TARGET))
    assert np.allclose(w.data, w1 - 0.1 * g_sum)


# --- 5.1 where gradients land ------------------------------------------------------


def test_where_gradients_land_accepts_the_right_answer():
    feedback = autograd_api.check_where_gradients_land([18, 4], None, None)
    assert feedback.status == "correct"


def test_where_gradients_land_names_a_gradient_given_to_data():
    # 2 (w x) w: what x.grad would be if x required grad.
    feedback = autograd_api.check_where_gradients_land([18, 4], [6, -8], None)
    assert feedback.mistake == "data_has_no_grad"


def test_where_gradients_land_names_a_non_leaf_gradient_kept():
    # 2 y: what y.grad would be after y.retain_grad().
    feedback = autograd_api.check_where_gradients_land([18, 4], None, [6, -4])
    assert feedback.mistake == "non_leaf_grad_kept"


def test_where_gradients_land_names_a_missing_leaf_gradient():
    feedback = autograd_api.check_where_gradients_land(None, None, None)
    assert feedback.mistake == "leaf_grad_none"


def test_where_gradients_land_rejects_a_wrong_w_grad():
    feedback = autograd_api.check_where_gradients_land([6, -4], None, None)
    assert feedback.status == "wrong" and "w.grad is not right" in feedback.message


def test_where_gradients_land_rejects_text_with_a_hint():
    feedback = autograd_api.check_where_gradients_land("18, 4", None, None)
    assert feedback.status == "wrong" and "list of numbers" in feedback.message


def test_where_gradients_land_waits_for_every_blank():
    assert autograd_api.check_where_gradients_land([18, 4], None, ___).status == "unanswered"


# --- 5.2 a detached factor ------------------------------------------------------------


def test_detached_gradient_accepts_the_constant_factor():
    # d(x * c)/dx = c, and c holds x's values.
    assert autograd_api.check_detached_gradient([1.0, 2.0, 3.0]).status == "correct"


def test_detached_gradient_accepts_a_tensor():
    answer = stepgrad.tensor([1.0, 2.0, 3.0])
    assert autograd_api.check_detached_gradient(answer).status == "correct"


@pytest.mark.parametrize(
    ("answer", "mistake"),
    [([2.0, 4.0, 6.0], "detach_ignored"), ([0.0, 0.0, 0.0], "detach_blocks_everything")],
)
def test_detached_gradient_names_classic_mistakes(answer, mistake):
    assert autograd_api.check_detached_gradient(answer).mistake == mistake


def test_detached_gradient_says_a_leaf_has_a_gradient():
    assert autograd_api.check_detached_gradient(None).mistake == "leaf_grad_none"


# --- 5.3 gradient descent by hand -------------------------------------------------------


def test_descend_accepts_a_loop_that_resets_the_gradient():
    assert autograd_api.check_descend(right_descend).status == "correct"


def test_descend_accepts_zeroing_in_place_after_the_step():
    def zero_after_step(w, loss_fn, lr, steps):
        for _ in range(steps):
            loss_fn(w).backward()
            with stepgrad.no_grad():
                w -= lr * w.grad
            w.grad.zero_()

    assert autograd_api.check_descend(zero_after_step).status == "correct"


def test_descend_names_a_forgotten_zero_grad():
    def never_reset(w, loss_fn, lr, steps):
        for _ in range(steps):
            loss_fn(w).backward()
            with stepgrad.no_grad():
                w -= lr * w.grad

    feedback = autograd_api.check_descend(never_reset)
    assert feedback.mistake == "forgotten_zero_grad"
    assert "zero_grad()" in feedback.message


def test_descend_names_an_update_outside_no_grad():
    def recorded(w, loss_fn, lr, steps):
        for _ in range(steps):
            w.grad = None
            loss_fn(w).backward()
            w -= lr * w.grad

    assert autograd_api.check_descend(recorded).mistake == "update_recorded"


def test_descend_names_a_rebound_name():
    def rebound(w, loss_fn, lr, steps):
        for _ in range(steps):
            w.grad = None
            loss_fn(w).backward()
            with stepgrad.no_grad():
                w = w - lr * w.grad

    assert autograd_api.check_descend(rebound).mistake == "rebound_not_updated"


def test_descend_names_a_rebound_name_when_only_one_step_runs():
    def one_rebound_step(w, loss_fn, lr, steps):
        loss_fn(w).backward()
        with stepgrad.no_grad():
            w = w - lr * w.grad

    assert autograd_api.check_descend(one_rebound_step).mistake == "rebound_not_updated"


def test_descend_names_zero_on_a_gradient_that_does_not_exist_yet():
    def zero_first(w, loss_fn, lr, steps):
        for _ in range(steps):
            w.grad.zero_()
            loss_fn(w).backward()
            with stepgrad.no_grad():
                w -= lr * w.grad

    assert autograd_api.check_descend(zero_first).mistake == "zeroed_missing_grad"


def test_descend_names_a_reset_between_backward_and_step():
    def reset_too_early(w, loss_fn, lr, steps):
        for _ in range(steps):
            loss_fn(w).backward()
            w.grad = None
            with stepgrad.no_grad():
                w -= lr * w.grad

    assert autograd_api.check_descend(reset_too_early).mistake == "reset_before_step"


def test_descend_names_gradient_ascent():
    def ascend(w, loss_fn, lr, steps):
        for _ in range(steps):
            w.grad = None
            loss_fn(w).backward()
            with stepgrad.no_grad():
                w += lr * w.grad

    assert autograd_api.check_descend(ascend).mistake == "ascent"


def test_descend_rejects_the_wrong_number_of_steps():
    def too_few(w, loss_fn, lr, steps):
        right_descend(w, loss_fn, lr, steps // 2)

    feedback = autograd_api.check_descend(too_few)
    assert feedback.status == "wrong" and feedback.mistake is None


def test_descend_waits_for_the_blank():
    def unfinished(w, loss_fn, lr, steps):
        return ___

    assert autograd_api.check_descend(unfinished).status == "unanswered"

"""Chapter 0's warm-up checks, given right answers and each classic wrong one."""

import pytest
from stepgrad import Value
from stepgrad.exercises import ___, welcome

# y = x·x + 3x at x = 2, derived here: y = 4 + 6 = 10, dy/dx = 2x + 3 = 7.
X = 2.0
Y = X * X + 3 * X
SLOPE = 2 * X + 3


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_the_exercise_function_is_what_the_notebook_states():
    assert welcome.WARM_UP_AT == X
    assert welcome.warm_up(X) == Y
    assert central(welcome.warm_up, X) == pytest.approx(SLOPE, rel=1e-8)


# --- 0.1 a slope by hand ----------------------------------------------------------


def test_slope_by_hand_accepts_the_derivative():
    assert welcome.check_slope_by_hand(SLOPE).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (Y, "value_not_slope"),  # the height of the curve
        (2 * X, "dropped_linear_term"),  # slope of x·x only
        (3, "dropped_square_term"),  # slope of 3x only
        (X + 3, "one_factor_only"),  # x·x differentiated as if one factor were constant
    ],
)
def test_slope_by_hand_names_classic_mistakes(answer, mistake):
    feedback = welcome.check_slope_by_hand(answer)
    assert feedback.status == "wrong" and feedback.mistake == mistake


def test_slope_by_hand_rejects_other_numbers_without_naming_a_mistake():
    feedback = welcome.check_slope_by_hand(6.5)
    assert feedback.status == "wrong" and feedback.mistake is None


def test_slope_by_hand_hint_does_not_give_the_answer_away():
    for answer in (Y, 2 * X, 3, X + 3, 6.5):
        assert "7" not in welcome.check_slope_by_hand(answer).message


def test_the_blank_is_not_answered_yet():
    feedback = welcome.check_slope_by_hand(___)
    assert feedback.status == "unanswered"
    assert repr(feedback).startswith("… Exercise 0.1 (a slope by hand): not answered yet.")


def test_a_string_gets_a_hint_instead_of_an_error():
    feedback = welcome.check_slope_by_hand("7")
    assert feedback.status == "wrong" and feedback.mistake == "not_a_number"


# --- 0.2 a gradient with stepgrad -----------------------------------------------


def test_stepgrad_gradient_accepts_the_gradient_stepgrad_computes():
    x = Value(X)
    y = x * x + 3 * x
    y.backward()
    assert x.grad == pytest.approx(SLOPE, rel=1e-12)
    assert welcome.check_stepgrad_gradient(x.grad).status == "correct"


def test_stepgrad_gradient_names_passing_the_value_object():
    assert welcome.check_stepgrad_gradient(Value(X)).mistake == "passed_value"


def test_stepgrad_gradient_names_a_missing_backward():
    assert welcome.check_stepgrad_gradient(0.0).mistake == "no_backward"


@pytest.mark.parametrize("times", [2, 3])
def test_stepgrad_gradient_names_backward_run_more_than_once(times):
    assert welcome.check_stepgrad_gradient(times * SLOPE).mistake == "backward_twice"


def test_stepgrad_gradient_names_x_data_instead_of_x_grad():
    assert welcome.check_stepgrad_gradient(X).mistake == "data_not_grad"


def test_stepgrad_gradient_names_y_data_instead_of_the_slope():
    assert welcome.check_stepgrad_gradient(Y).mistake == "value_not_slope"


def test_stepgrad_gradient_rejects_other_numbers_without_naming_a_mistake():
    feedback = welcome.check_stepgrad_gradient(6.5)
    assert feedback.status == "wrong" and feedback.mistake is None

"""Chapter 1's checks, given right answers and each classic wrong one."""

import math

import pytest
from stepgrad.exercises import derivatives


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- 1.1 a slope by hand: f(x) = 3x^2 - 4x + 1 at x = 2 ---------------------


def test_slope_by_hand_accepts_the_derivative():
    # f'(x) = 6x - 4, so f'(2) = 8 (derived here, not read from the check).
    assert derivatives.check_slope_by_hand(6 * 2 - 4).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (3 * 2**2 - 4 * 2 + 1, "value_not_slope"),  # f(2)
        (6 * 2, "dropped_linear_term"),  # slope of 3x^2 only
        (3 * 2 - 4, "power_rule_without_x"),  # d(x^2)/dx taken as 2
    ],
)
def test_slope_by_hand_names_classic_mistakes(answer, mistake):
    assert derivatives.check_slope_by_hand(answer).mistake == mistake


def test_slope_by_hand_rejects_other_numbers_without_naming_a_mistake():
    feedback = derivatives.check_slope_by_hand(7.5)
    assert feedback.status == "wrong" and feedback.mistake is None


def test_the_exercise_function_is_what_the_notebook_states():
    assert derivatives.quadratic(2.0) == 3 * 4 - 8 + 1


# --- 1.2 the central difference ------------------------------------------------


def test_central_difference_accepts_the_formula():
    assert derivatives.check_central_difference(central).status == "correct"


def test_central_difference_accepts_an_equivalent_arrangement():
    def central_difference(f, x, h):
        return 0.5 * (f(x + h) - f(x)) / h + 0.5 * (f(x) - f(x - h)) / h

    assert derivatives.check_central_difference(central_difference).status == "correct"


def test_the_cases_central_difference_is_checked_on_have_the_stated_exact_slopes():
    for f, x, exact in derivatives._DIFFERENCE_CASES:
        assert central(f, x, 1e-5) == pytest.approx(exact, rel=1e-8)


def test_forward_difference_where_central_was_asked_is_named():
    def central_difference(f, x, h):
        return (f(x + h) - f(x)) / h

    feedback = derivatives.check_central_difference(central_difference)
    assert feedback.mistake == "forward_difference"
    assert "forward difference" in feedback.message


def test_backward_difference_is_named():
    feedback = derivatives.check_central_difference(lambda f, x, h: (f(x) - f(x - h)) / h)
    assert feedback.mistake == "backward_difference"


def test_dividing_by_h_instead_of_2h_is_named():
    feedback = derivatives.check_central_difference(lambda f, x, h: (f(x + h) - f(x - h)) / h)
    assert feedback.mistake == "missing_half"


def test_ignoring_the_given_step_is_named():
    feedback = derivatives.check_central_difference(lambda f, x, h: central(f, x, 1e-5))
    assert feedback.mistake == "ignores_h"


def test_a_formula_tuned_to_one_function_fails():
    feedback = derivatives.check_central_difference(lambda f, x, h: math.exp(x))
    assert feedback.status == "wrong"


# --- 1.3 the best step ---------------------------------------------------------


def _errors():
    # Measured here, independently: forward difference of x^3 at 2 against 3 * 2^2.
    return {h: abs(((2 + h) ** 3 - 8) / h - 12) for h in derivatives.STEP_CHOICES}


def test_best_step_accepts_the_step_with_the_least_measured_error():
    errors = _errors()
    assert derivatives.check_best_step(min(errors, key=errors.get)).status == "correct"


def test_the_best_step_is_neither_the_largest_nor_the_smallest():
    # The point of the exercise: the error curve has a minimum inside the range.
    errors = _errors()
    best = min(errors, key=errors.get)
    assert min(derivatives.STEP_CHOICES) < best < max(derivatives.STEP_CHOICES)


def test_choosing_the_smallest_step_is_named_round_off():
    assert derivatives.check_best_step(min(derivatives.STEP_CHOICES)).mistake == "round_off"


def test_choosing_the_largest_step_is_named_truncation():
    assert derivatives.check_best_step(max(derivatives.STEP_CHOICES)).mistake == "truncation"


def test_a_step_not_on_the_list_is_rejected():
    feedback = derivatives.check_best_step(1e-6)
    assert feedback.mistake == "not_a_choice"
    assert "Pick h from the list" in feedback.message


# --- 1.4 a gradient with stepgrad -------------------------------------------------


def _exact():
    return central(lambda x: x * math.exp(-x), derivatives.DAMPED_AT, 1e-6)


def test_stepgrad_gradient_accepts_the_gradient():
    from stepgrad import Value

    x = Value(derivatives.DAMPED_AT)
    derivatives.damped(x).backward()
    assert x.grad == pytest.approx(_exact(), rel=1e-8)
    assert derivatives.check_stepgrad_gradient(x.grad).status == "correct"


def test_stepgrad_gradient_names_backward_called_twice():
    assert derivatives.check_stepgrad_gradient(2 * _exact()).mistake == "backward_twice"


def test_stepgrad_gradient_names_a_missing_backward():
    assert derivatives.check_stepgrad_gradient(0.0).mistake == "no_backward"


def test_stepgrad_gradient_names_the_value_instead_of_the_slope():
    y = derivatives.DAMPED_AT * math.exp(-derivatives.DAMPED_AT)
    assert derivatives.check_stepgrad_gradient(y).mistake == "value_not_slope"


def test_stepgrad_gradient_names_passing_the_value_object():
    from stepgrad import Value

    assert derivatives.check_stepgrad_gradient(Value(1.0)).mistake == "passed_value"

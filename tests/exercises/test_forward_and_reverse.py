"""Chapter 10's checks, given right answers and each classic wrong one."""

import math

import pytest
from stepgrad.dual import Dual
from stepgrad.exercises import ___, forward_and_reverse

# --- 10.1 a dual number by hand: f(x) = x^3 - 2x at x = 3 ------------------------------


def test_dual_by_hand_accepts_the_value_and_the_derivative():
    # f(3) = 27 - 6 = 21; f'(x) = 3x^2 - 2, so f'(3) = 25 (derived here).
    assert forward_and_reverse.check_dual_by_hand(21, 25).status == "correct"


@pytest.mark.parametrize(
    "value, tangent, mistake",
    [
        (25, 21, "value_and_tangent_swapped"),
        (21, 27, "linear_term_dropped"),  # the ε part of (3 + ε)^3 alone
        (21, 21, "tangent_is_value"),
    ],
)
def test_dual_by_hand_names_classic_mistakes(value, tangent, mistake):
    assert forward_and_reverse.check_dual_by_hand(value, tangent).mistake == mistake


def test_dual_by_hand_with_a_wrong_value_says_what_the_value_is():
    feedback = forward_and_reverse.check_dual_by_hand(20, 25)
    assert feedback.status == "wrong" and "f(3)" in feedback.message


def test_dual_by_hand_waits_for_both_blanks():
    assert forward_and_reverse.check_dual_by_hand(21, ___).status == "unanswered"


def test_dual_by_hand_refuses_text():
    feedback = forward_and_reverse.check_dual_by_hand("21", 25)
    assert feedback.mistake == "not_a_number"


def test_the_function_of_exercise_10_1_is_what_the_notebook_states():
    assert forward_and_reverse.cubic(3.0) == 3.0**3 - 2 * 3.0


# --- 10.2 a gradient in forward mode ------------------------------------------------------


def forward_gradient(f, xs):
    return [
        f(*[Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(xs)]).tangent
        for i in range(len(xs))
    ]


def test_forward_gradient_accepts_one_seeded_pass_per_input():
    assert forward_and_reverse.check_forward_gradient(forward_gradient).status == "correct"


def test_the_exercise_function_has_the_gradient_derived_by_hand():
    # f = ab + tanh(bc) - c^2/a:
    #   df/da = b + c^2/a^2, df/db = a + c(1 - tanh(bc)^2), df/dc = b(1 - tanh(bc)^2) - 2c/a
    a, b, c = forward_and_reverse.POINT
    sech2 = 1 - math.tanh(b * c) ** 2
    expected = [b + c**2 / a**2, a + c * sech2, b * sech2 - 2 * c / a]
    assert forward_gradient(forward_and_reverse.three_inputs, [a, b, c]) == pytest.approx(expected)


def test_forward_gradient_names_all_inputs_seeded_at_once():
    def all_seeded(f, xs):
        return [f(*[Dual(x, 1.0) for x in xs]).tangent for _ in xs]

    assert forward_and_reverse.check_forward_gradient(all_seeded).mistake == "all_inputs_seeded"


def test_forward_gradient_names_values_kept_instead_of_tangents():
    def values(f, xs):
        return [
            f(*[Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(xs)]).value
            for i in range(len(xs))
        ]

    assert forward_and_reverse.check_forward_gradient(values).mistake == "values_not_tangents"


def test_forward_gradient_names_duals_kept_instead_of_tangents():
    def duals(f, xs):
        return [f(*[Dual(x, 1.0 if k == i else 0.0) for k, x in enumerate(xs)]) for i in range(3)]

    assert forward_and_reverse.check_forward_gradient(duals).mistake == "duals_not_tangents"


def test_forward_gradient_names_reverse_mode_used_instead():
    from stepgrad import Value

    def by_backward(f, xs):
        leaves = [Value(x) for x in xs]
        f(*leaves).backward()
        return [leaf.grad for leaf in leaves]

    assert forward_and_reverse.check_forward_gradient(by_backward).mistake == "used_reverse_mode"


def test_forward_gradient_names_passes_beyond_one_per_input():
    def twice(f, xs):
        forward_gradient(f, xs)
        return forward_gradient(f, xs)

    assert forward_and_reverse.check_forward_gradient(twice).mistake == "too_many_passes"


def test_forward_gradient_rejects_a_list_of_the_wrong_length():
    feedback = forward_and_reverse.check_forward_gradient(lambda f, xs: [0.0])
    assert feedback.status == "wrong" and "list of 3 numbers" in feedback.message


def test_forward_gradient_turns_an_error_in_the_learners_code_into_a_hint():
    def broken(f, xs):
        return f(xs)  # forgot to unpack

    assert forward_and_reverse.check_forward_gradient(broken).mistake == "raised_error"


def test_forward_gradient_with_the_blank_is_not_answered_yet():
    def blank(f, xs):
        return ___

    assert forward_and_reverse.check_forward_gradient(blank).status == "unanswered"


# --- 10.3 which mode, how many passes ------------------------------------------------------


def test_pass_counts_accepts_one_pass_per_input_forward_and_per_output_backward():
    # Loss: 10,000 inputs, 1 output. Trajectory: 1 input, 500 outputs.
    feedback = forward_and_reverse.check_pass_counts(10_000, 1, 1, 500)
    assert feedback.status == "correct"


def test_pass_counts_names_the_modes_swapped():
    feedback = forward_and_reverse.check_pass_counts(1, 10_000, 500, 1)
    assert feedback.mistake == "modes_swapped"


def test_pass_counts_names_forward_passes_counted_as_backward_passes():
    feedback = forward_and_reverse.check_pass_counts(10_000, 2, 1, 1000)
    assert feedback.mistake == "counted_forward_in_reverse"


def test_pass_counts_rejects_other_numbers_with_a_question_to_ask():
    feedback = forward_and_reverse.check_pass_counts(100, 1, 1, 500)
    assert feedback.status == "wrong" and feedback.mistake is None

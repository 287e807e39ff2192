"""The shared machinery of the exercise checks: the blank, verdicts, learner errors."""

import pytest
from stepgrad.exercises.feedback import (
    Feedback,
    NotAnswered,
    ___,
    call_learner,
    correct,
    exercise,
    expect_number,
    wrong,
)
from stepgrad.scalar import Value


@exercise("9.9", "the answer")
def check_answer(answer):
    answer = expect_number(answer)
    if answer == 42:
        return correct("Well done.")
    return wrong("Think of a towel.", mistake="no_towel")


@exercise("9.8", "a function")
def check_function(function):
    return correct("ok") if call_learner(function, 2) == 4 else wrong("Double it.")


def test_the_blank_is_not_answered_yet():
    feedback = check_answer(___)
    assert feedback.status == "unanswered"
    assert "not answered yet" in repr(feedback)


def test_arithmetic_on_the_blank_is_still_not_answered():
    with pytest.raises(NotAnswered):
        ___ * 2
    with pytest.raises(NotAnswered):
        float(___)
    assert check_function(lambda x: ___ + x).status == "unanswered"


def test_a_function_that_returns_the_blank_is_not_answered():
    assert check_function(lambda x: ___).status == "unanswered"


def test_a_right_answer_is_correct_and_truthy():
    feedback = check_answer(42)
    assert feedback.status == "correct"
    assert feedback
    assert repr(feedback) == "✓ Exercise 9.9 (the answer): correct. Well done."


def test_a_wrong_answer_carries_its_hint_and_mistake_name():
    feedback = check_answer(41)
    assert not feedback
    assert feedback.mistake == "no_towel"
    assert repr(feedback) == "✗ Exercise 9.9 (the answer): not yet. Think of a towel."


def test_an_error_in_the_learners_code_becomes_a_hint_not_a_traceback():
    def double(x):
        return x / 0

    feedback = check_function(double)
    assert feedback.status == "wrong"
    assert feedback.mistake == "raised_error"
    assert "Your double stopped with ZeroDivisionError: division by zero" in feedback.message


def test_passing_the_result_instead_of_the_function_is_explained():
    feedback = check_function(4)
    assert feedback.status == "wrong"
    assert "Expected a function here, got int 4" in feedback.message


def test_a_value_where_a_number_is_expected_points_to_data_and_grad():
    feedback = check_answer(Value(42.0))
    assert feedback.mistake == "not_a_number"
    assert ".data" in feedback.message and ".grad" in feedback.message


def test_a_string_where_a_number_is_expected_is_rejected():
    feedback = check_answer("42")
    assert feedback.mistake == "not_a_number"
    assert "should be a number, got str '42'" in feedback.message


def test_html_output_escapes_the_message():
    feedback = Feedback("1.1", "a <b>", correct("x < y & z"))
    assert "a &lt;b&gt;" in feedback._repr_html_()
    assert "x &lt; y &amp; z" in feedback._repr_html_()


def test_the_check_keeps_its_exercise_number_and_title():
    assert (check_answer.number, check_answer.title) == ("9.9", "the answer")


def test_a_function_whose_body_is_still_the_blank_is_not_answered():
    def backward(root):
        ___  # noqa: B018 - the template's blank line, which computes nothing

    assert check_function(backward).status == "unanswered"


def test_a_blank_left_in_a_nested_function_is_found():
    def outer(x):
        def inner():
            return ___

        return x * 2

    assert check_function(outer).status == "unanswered"

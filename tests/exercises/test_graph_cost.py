"""Chapter 11's checks, given right answers and each classic wrong one."""

import numpy as np
import pytest
from stepgrad.exercises import ___, graph_cost

# --- 11.1 saved bytes by hand ---------------------------------------------------------------


def test_saved_bytes_accepts_each_array_counted_once():
    # x * w keeps x, w; exp keeps y; y * x keeps y, x: arrays x, w, y of 100 float32 each.
    assert graph_cost.check_saved_bytes(3 * 100 * 4).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (5 * 400, "shared_arrays_counted_twice"),  # x, w + y + y, x
        (2 * 400, "output_not_counted"),  # x and w only
        (3 * 100 * 8, "float64_sizes"),
        (400, "only_activations"),  # y alone
        (300, "numbers_not_bytes"),
    ],
)
def test_saved_bytes_names_classic_mistakes(answer, mistake):
    assert graph_cost.check_saved_bytes(answer).mistake == mistake


def test_saved_bytes_rejects_other_numbers_with_a_method():
    feedback = graph_cost.check_saved_bytes(1000)
    assert feedback.status == "wrong" and "node by node" in feedback.message


def test_the_exercise_program_is_what_the_notebook_states():
    z = graph_cost.saved_bytes_program()
    # z = sum(exp(x w) x) with x = w = 1: 100 e
    assert z.item() == pytest.approx(100 * np.e, rel=1e-6)


# --- 11.2 truncated backpropagation through time ----------------------------------------------


def cut_before_multiples_of_k(cell, h, inputs, k):
    for t, x in enumerate(inputs):
        if t % k == 0:
            h = h.detach()
        h = cell(h, x)
    return h


def test_truncated_unroll_accepts_cuts_before_steps_0_k_2k():
    feedback = graph_cost.check_truncated_unroll(cut_before_multiples_of_k)
    assert feedback.status == "correct"


def test_truncated_unroll_names_a_graph_never_cut():
    def never(cell, h, inputs, k):
        for x in inputs:
            h = cell(h, x)
        return h

    assert graph_cost.check_truncated_unroll(never).mistake == "never_detached"


def test_truncated_unroll_names_a_graph_cut_at_every_step():
    def every(cell, h, inputs, k):
        for x in inputs:
            h = cell(h.detach(), x)
        return h

    assert graph_cost.check_truncated_unroll(every).mistake == "detached_every_step"


def test_truncated_unroll_names_a_final_state_with_no_graph():
    def after(cell, h, inputs, k):
        for x in inputs:
            h = cell(h, x).detach()
        return h

    assert graph_cost.check_truncated_unroll(after).mistake == "no_graph"


def test_truncated_unroll_names_cuts_in_the_wrong_place():
    def late(cell, h, inputs, k):
        for t, x in enumerate(inputs):
            if (t + 1) % k == 0:
                h = h.detach()
            h = cell(h, x)
        return h

    assert graph_cost.check_truncated_unroll(late).mistake == "cut_in_the_wrong_place"


def test_truncated_unroll_names_changed_values():
    def reset(cell, h, inputs, k):
        for t, x in enumerate(inputs):
            if t % k == 0:
                h = h.detach() * 0  # a reset, not a cut
            h = cell(h, x)
        return h

    assert graph_cost.check_truncated_unroll(reset).mistake == "values_changed"


def test_truncated_unroll_with_the_blank_in_its_condition_is_not_answered_yet():
    def blank(cell, h, inputs, k):
        for _t, x in enumerate(inputs):
            if ___:
                h = h.detach()
            h = cell(h, x)
        return h

    assert graph_cost.check_truncated_unroll(blank).status == "unanswered"


def test_truncated_unroll_rejects_a_function_that_returns_no_tensor():
    feedback = graph_cost.check_truncated_unroll(lambda cell, h, inputs, k: None)
    assert feedback.status == "wrong" and "final hidden state" in feedback.message


# --- 11.3 the best segment length ----------------------------------------------------------------


def test_best_segment_accepts_the_square_root_of_the_depth():
    # 36/s + s over the divisors of 36: 37, 20, 15, 13, 12 (s = 6), 13, 15, 20, 37.
    assert graph_cost.check_best_segment(6).status == "correct"


@pytest.mark.parametrize(
    "answer, mistake", [(1, "segments_of_one"), (36, "one_segment"), (9, None), (4, None)]
)
def test_best_segment_names_classic_mistakes(answer, mistake):
    feedback = graph_cost.check_best_segment(answer)
    assert feedback.status == "wrong" and feedback.mistake == mistake


def test_best_segment_asks_for_a_divisor():
    feedback = graph_cost.check_best_segment(5)
    assert feedback.status == "wrong" and "divides 36" in feedback.message

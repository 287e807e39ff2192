"""Chapter 4's checks, given right answers and each classic wrong one."""

import numpy as np
import pytest
import stepgrad
from stepgrad.exercises import ___, tensors


def finite_difference_gradient(f, array, h=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        up, down = array.copy(), array.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


def learners_matmul_grads(A, B, G):
    return G @ B.T, A.T @ G


def learners_sum_to_shape(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# --- the truths the checks use ---------------------------------------------------


@pytest.mark.parametrize("case", range(len(tensors.matmul_cases())))
def test_matmul_gradients_agree_with_finite_differences(case):
    A, B, G = tensors.matmul_cases()[case]
    dA, dB = tensors.matmul_gradients(A, B, G)
    assert np.allclose(dA, finite_difference_gradient(lambda a: np.sum((a @ B) * G), A))
    assert np.allclose(dB, finite_difference_gradient(lambda b: np.sum((A @ b) * G), B))


def test_the_square_case_tells_every_matmul_mistake_apart():
    # On square matrices every mistaken formula computes, so only numbers can tell them
    # apart; the check relies on them all being different from the truth and each other.
    A, B, G = tensors.matmul_cases()[0]
    answers = [learners_matmul_grads(A, B, G)] + [
        f(A, B, G) for _, f, _ in tensors._MATMUL_MISTAKES
    ]
    flat = [np.concatenate([a.ravel(), b.ravel()]) for a, b in answers]
    for i in range(len(flat)):
        for j in range(i + 1, len(flat)):
            assert not np.allclose(flat[i], flat[j])


@pytest.mark.parametrize(("grad_shape", "shape"), tensors.SUM_TO_SHAPE_CASES)
def test_the_sum_to_shape_cases_are_real_broadcasts(grad_shape, shape):
    assert np.broadcast_shapes(grad_shape, shape) == grad_shape


# --- 4.1 predict the shapes ---------------------------------------------------------


def test_shapes_accepts_the_right_shapes():
    assert tensors.check_shapes((2, 4), (5, 3), (3, 4)).status == "correct"


def test_shapes_accepts_lists():
    assert tensors.check_shapes([2, 4], [5, 3], [3, 4]).status == "correct"


def test_shapes_names_a_gradient_given_the_outputs_shape():
    assert tensors.check_shapes((2, 4), (5, 3), (2, 4)).mistake == "grad_has_output_shape"


@pytest.mark.parametrize("wrong_answer", [((3, 3), (5, 3)), ((2, 4), (5, 1))])
def test_shapes_rejects_wrong_shapes(wrong_answer):
    assert tensors.check_shapes(*wrong_answer, (3, 4)).status == "wrong"


def test_shapes_rejects_a_non_shape_with_a_hint():
    feedback = tensors.check_shapes("2 by 4", (5, 3), (3, 4))
    assert feedback.status == "wrong" and "tuple" in feedback.message


def test_shapes_waits_for_the_blank():
    assert tensors.check_shapes(___, (5, 3), (3, 4)).status == "unanswered"


# --- 4.2 the gradient of a matrix product -------------------------------------------


def test_matmul_grads_accepts_the_formulas():
    assert tensors.check_matmul_grads(learners_matmul_grads).status == "correct"


def test_matmul_grads_accepts_tensors_and_einsum():
    def with_einsum(A, B, G):
        return stepgrad.tensor(np.einsum("ij,pj->ip", G, B)), np.einsum("ip,ij->pj", A, G)

    assert tensors.check_matmul_grads(with_einsum).status == "correct"


@pytest.mark.parametrize(
    ("answer", "mistake"),
    [
        (lambda A, B, G: (A.T @ G, G @ B.T), "swapped"),
        (lambda A, B, G: (G @ B, A @ G), "no_transpose"),
        (lambda A, B, G: (B.T @ G, G @ A.T), "factors_reversed"),
        (lambda A, B, G: (B @ G.T, G.T @ A), "results_transposed"),
    ],
)
def test_matmul_grads_names_classic_mistakes(answer, mistake):
    assert tensors.check_matmul_grads(answer).mistake == mistake


def test_matmul_grads_names_a_wrong_shape_on_rectangular_matrices():
    # Right on square matrices only: G @ B.T @ ... with the wrong factor count.
    def square_only(A, B, G):
        if A.shape[0] == A.shape[1] == B.shape[1]:
            return G @ B.T, A.T @ G
        return G @ B.T, G  # G is (m, n), B is (k, n)

    feedback = tensors.check_matmul_grads(square_only)
    assert feedback.mistake == "wrong_shape"
    assert "(3, 4)" in feedback.message


def test_matmul_grads_says_which_half_is_right():
    feedback = tensors.check_matmul_grads(lambda A, B, G: (G @ B.T, 2 * A.T @ G))
    assert feedback.status == "wrong" and feedback.message.startswith("dA is right")


def test_matmul_grads_asks_for_a_pair():
    feedback = tensors.check_matmul_grads(lambda A, B, G: G @ B.T)
    assert feedback.mistake == "not_a_pair"


def test_matmul_grads_waits_for_a_function_still_holding_the_blank():
    def unfinished(A, B, G):
        return ___

    assert tensors.check_matmul_grads(unfinished).status == "unanswered"


# --- 4.3 summing a broadcast gradient back ------------------------------------------


def test_sum_to_shape_accepts_a_correct_sum():
    assert tensors.check_sum_to_shape(learners_sum_to_shape).status == "correct"


def test_sum_to_shape_accepts_a_tensor_result():
    def via_tensors(grad, shape):
        return stepgrad.tensor(learners_sum_to_shape(grad, shape))

    assert tensors.check_sum_to_shape(via_tensors).status == "correct"


def test_sum_to_shape_names_a_broadcast_gradient_not_summed_back():
    feedback = tensors.check_sum_to_shape(lambda grad, shape: grad)
    assert feedback.mistake == "broadcast_not_summed"
    assert "(4, 3)" in feedback.message and "(3,)" in feedback.message


def test_sum_to_shape_names_an_average_instead_of_a_sum():
    def averaged(grad, shape):
        summed = learners_sum_to_shape(grad, shape)
        return summed * summed.size / grad.size

    assert tensors.check_sum_to_shape(averaged).mistake == "averaged"


def test_sum_to_shape_names_a_sum_over_everything():
    assert tensors.check_sum_to_shape(lambda grad, shape: grad.sum()).mistake == (
        "summed_everything"
    )


def test_sum_to_shape_names_size_one_axes_left_unsummed():
    def leading_axes_only(grad, shape):
        return grad.sum(axis=tuple(range(grad.ndim - len(shape))))

    assert tensors.check_sum_to_shape(leading_axes_only).mistake == "size_one_axes_missed"


def test_sum_to_shape_names_kept_dimensions_dropped():
    def without_keepdims(grad, shape):
        return learners_sum_to_shape(grad, shape).reshape(-1) if shape else grad.sum()

    assert tensors.check_sum_to_shape(without_keepdims).mistake == "kept_dims_dropped"


def test_sum_to_shape_turns_an_exception_into_a_hint():
    def broken(grad, shape):
        raise IndexError("tuple index out of range")

    feedback = tensors.check_sum_to_shape(broken)
    assert feedback.mistake == "raised_error" and "IndexError" in feedback.message


def test_sum_to_shape_asks_for_a_return_value():
    assert tensors.check_sum_to_shape(lambda grad, shape: None).mistake == "no_return"

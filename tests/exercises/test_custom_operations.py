"""Chapter 6's checks, given right answers and each classic wrong one."""

import numpy as np
import pytest
from stepgrad.autograd import Function
from stepgrad.exercises import ___, custom_operations


def cube_with(backward, save=True):
    """A Cube Function whose backward is ``backward(grad, x)``."""

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            if save:
                ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return backward(grad, x)

    return Cube


def hypot_with(backward):
    """A Hypot Function whose backward is ``backward(grad, a, b, h)``."""

    class Hypot(Function):
        @staticmethod
        def forward(ctx, a, b):
            h = np.sqrt(a**2 + b**2)
            ctx.save_for_backward(a, b, h)
            return h

        @staticmethod
        def backward(ctx, grad):
            a, b, h = ctx.saved_tensors
            return backward(grad, a, b, h)

    return Hypot


# --- the exercise data ----------------------------------------------------------------


def test_the_cube_seed_is_not_all_ones_so_upstream_matters():
    assert not np.allclose(custom_operations.CUBE_SEED, 1.0)


def test_the_hypot_inputs_broadcast_b_over_the_rows_of_a():
    a, b = np.array(custom_operations.HYPOT_A), np.array(custom_operations.HYPOT_B)
    assert a.shape == (3, 2) and b.shape == (2,)
    assert np.broadcast_shapes(a.shape, b.shape) == np.shape(custom_operations.HYPOT_SEED)


# --- 6.1 the backward of a cube ---------------------------------------------------------


def test_cube_accepts_upstream_times_three_x_squared():
    assert custom_operations.check_cube(cube_with(lambda g, x: g * 3 * x**2)).status == "correct"


def test_cube_names_the_upstream_gradient_ignored():
    feedback = custom_operations.check_cube(cube_with(lambda g, x: 3 * x**2))
    assert feedback.mistake == "local_only"


@pytest.mark.parametrize(
    "backward",
    [lambda g, x: g * 3 * x, lambda g, x: g * x**2, lambda g, x: g * x**3],
    ids=["3x", "x^2", "x^3"],
)
def test_cube_names_a_wrong_local_derivative(backward):
    assert custom_operations.check_cube(cube_with(backward)).mistake == "wrong_local_derivative"


def test_cube_names_nothing_saved_for_backward():
    feedback = custom_operations.check_cube(cube_with(lambda g, x: g * 3 * x**2, save=False))
    assert feedback.mistake == "nothing_saved"


def test_cube_rejects_an_instance_instead_of_the_class():
    instance = cube_with(lambda g, x: g * 3 * x**2)()
    assert custom_operations.check_cube(instance).mistake == "instance_not_class"


def test_cube_rejects_a_plain_function_without_a_memory_address():
    def cube(x):
        return x**3

    feedback = custom_operations.check_cube(cube)
    assert feedback.mistake == "not_a_function_class"
    assert "0x" not in feedback.message


def test_cube_rejects_a_wrong_forward():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    feedback = custom_operations.check_cube(Square)
    assert feedback.status == "wrong" and "forward" in feedback.message


def test_cube_waits_while_backward_still_holds_the_blank():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            return ___

    assert custom_operations.check_cube(Cube).status == "unanswered"


def test_cube_lets_gradcheck_have_the_last_word():
    # Right for the check's own upstream gradient, wrong for any other: only gradcheck,
    # which seeds one output element at a time, can see it.
    seed = np.array(custom_operations.CUBE_SEED)

    def backward(g, x):
        right_for_the_seed = g.data.shape == seed.shape and np.allclose(g.data, seed)
        return g * 3 * x**2 if right_for_the_seed else g * 3 * x

    feedback = custom_operations.check_cube(cube_with(backward))
    assert feedback.status == "wrong" and "gradcheck" in feedback.message


# --- 6.2 an operation with two inputs -------------------------------------------------------


def test_hypot_accepts_the_two_gradients():
    feedback = custom_operations.check_hypot(hypot_with(lambda g, a, b, h: (g * a / h, g * b / h)))
    assert feedback.status == "correct"


def test_hypot_accepts_a_forward_using_np_hypot():
    class Hypot(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return np.hypot(a, b)

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            h = (a**2 + b**2).sqrt()
            return grad * a / h, grad * b / h

    assert custom_operations.check_hypot(Hypot).status == "correct"


def test_hypot_names_swapped_gradients():
    feedback = custom_operations.check_hypot(hypot_with(lambda g, a, b, h: (g * b / h, g * a / h)))
    assert feedback.mistake == "swapped"


def test_hypot_names_the_upstream_gradient_ignored():
    feedback = custom_operations.check_hypot(hypot_with(lambda g, a, b, h: (a / h, b / h)))
    assert feedback.mistake == "local_only"


def test_hypot_names_one_gradient_for_two_inputs():
    feedback = custom_operations.check_hypot(hypot_with(lambda g, a, b, h: g * a / h))
    assert feedback.mistake == "wrong_number_of_gradients"


def test_hypot_says_which_gradient_is_right():
    feedback = custom_operations.check_hypot(hypot_with(lambda g, a, b, h: (g * a / h, g * a / h)))
    assert feedback.status == "wrong" and "for a is right" in feedback.message


def test_hypot_rejects_a_wrong_forward():
    class Sum(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    feedback = custom_operations.check_hypot(Sum)
    assert feedback.status == "wrong" and "forward" in feedback.message

"""gradcheck: passes on right gradients, and on a wrong one names the worst mismatch.

Wrong derivatives are injected into real operations (monkeypatch) or written as
a custom Function, so each failing case has a known culprit.
"""

import math

import pytest
import stepgrad
from stepgrad import Value, gradcheck, graph
from stepgrad import scalar as scalar_engine
from stepgrad.autograd import GradcheckError

# --- Values ----------------------------------------------------------------


def test_a_correct_function_of_values_passes():
    assert gradcheck(lambda x, y: (x * y + x.exp()).tanh() / y, (Value(0.3), Value(1.4))) is True


def test_a_single_value_need_not_be_wrapped_in_a_tuple():
    assert gradcheck(lambda x: x.sigmoid(), Value(0.2))


def test_gradcheck_is_stepgrad_autograd_gradcheck_and_fails_as_an_assertion():
    assert stepgrad.autograd.gradcheck is gradcheck
    assert issubclass(GradcheckError, AssertionError)


def test_a_wrong_local_derivative_is_reported_with_both_numbers(monkeypatch):
    # tanh's true slope is 1 - tanh^2; inject 1 - tanh instead.
    monkeypatch.setattr(
        scalar_engine.Tanh, "local_grads", staticmethod(lambda a, b, out: (1 - out,))
    )
    a = 0.5
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: x.tanh(), (Value(a),))
    message = str(failure.value)
    assert "with respect to input 0 (a Value with data 0.5)" in message
    assert f"is {1 - math.tanh(a):.6g} by backward" in message
    assert f"but {1 - math.tanh(a) ** 2:.6g} by finite differences" in message


def test_the_report_names_the_operation_whose_local_derivative_is_wrong(monkeypatch):
    monkeypatch.setattr(
        scalar_engine.Tanh, "local_grads", staticmethod(lambda a, b, out: (1 - out,))
    )
    with pytest.raises(GradcheckError, match=r"The operation 'tanh' .* looks wrong: .*local_grads"):
        gradcheck(lambda x, y: (x * y).tanh() + y.exp(), (Value(0.5), Value(0.7)))


def test_the_report_names_the_worst_input_and_which_operand_is_wrong(monkeypatch):
    # Right for the first operand of *, wrong (by 10x) for the second.
    monkeypatch.setattr(
        scalar_engine.Mul, "local_grads", staticmethod(lambda a, b, out: (b, 10 * a))
    )
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: x * y, (Value(2.0), Value(3.0)))
    message = str(failure.value)
    assert "input 1 (a Value with data 3)" in message
    assert "is 20 by backward, but 2 by finite differences" in message
    assert "respect to its second input is 20" in message


def test_a_wrong_chaining_is_told_apart_from_a_wrong_operation(monkeypatch):
    # Every local derivative is right, but the walk drops all but the first contribution.
    def walk_dropping_later_contributions(root, seed, observer=None):
        root.grad += seed
        for node in reversed(graph.topological_order(root)):
            if node.inputs:
                node.inputs[0].grad += node.grad * node.local_grads()[0]

    monkeypatch.setattr(graph, "backward", walk_dropping_later_contributions)
    with pytest.raises(GradcheckError, match=r"Every operation's local derivative matches"):
        gradcheck(lambda x: x * x, (Value(1.5),))


def test_raise_exception_false_returns_false_instead(monkeypatch):
    monkeypatch.setattr(scalar_engine.Exp, "local_grads", staticmethod(lambda a, b, out: (a,)))
    assert gradcheck(lambda x: x.exp(), (Value(1.0),), raise_exception=False) is False


def test_tolerances_decide_what_passes():
    # exp'(1) = e; an analytic error of 1e-3 relative passes rtol=1e-2 and fails rtol=1e-5.
    class SlightlyOffExp(scalar_engine.Exp):
        @staticmethod
        def local_grads(a, b, out):
            return (out * (1 + 1e-3),)

    def f(x):
        return scalar_engine._unary(SlightlyOffExp, x)

    assert gradcheck(f, (Value(1.0),), rtol=1e-2)
    with pytest.raises(GradcheckError):
        gradcheck(f, (Value(1.0),), rtol=1e-5, atol=0.0)


def test_inputs_keep_their_data_and_grad():
    x, y = Value(0.3), Value(-0.8)
    x.grad, y.grad = 5.0, -1.0
    gradcheck(lambda x, y: x * y.tanh(), (x, y))
    assert (x.data, x.grad, y.data, y.grad) == (0.3, 5.0, -0.8, -1.0)


def test_values_the_function_closes_over_keep_their_grad():
    w = Value(2.0)
    w.grad = 7.0
    gradcheck(lambda x: x * w, (Value(1.0),))
    assert w.grad == 7.0


def test_other_arguments_are_passed_through_unchanged():
    assert gradcheck(lambda x, n: x**n, (Value(1.5), 3))


def test_an_input_the_output_does_not_depend_on_has_gradient_zero_both_ways():
    assert gradcheck(lambda x, unused: x * 2.0, (Value(1.0), Value(4.0)))


def test_a_function_that_does_not_return_a_value_is_refused():
    with pytest.raises(
        TypeError, match=r"fn must return a Value computed from the inputs, got float"
    ):
        gradcheck(lambda x: x.data * 2, (Value(1.0),))


def test_a_function_undefined_a_step_away_says_so():
    # log is defined at 1e-7 but not at 1e-7 - 1e-6.
    with pytest.raises(
        GradcheckError, match=r"fn raised ValueError .* not defined a step of eps away"
    ):
        gradcheck(lambda x: x.log(), (Value(1e-7),))


def test_inputs_without_a_value_or_tensor_are_refused():
    with pytest.raises(TypeError, match=r"needs at least one Value or Tensor .*got float, int"):
        gradcheck(lambda a, b: a * b, (1.0, 2))


def test_a_non_positive_step_is_refused():
    with pytest.raises(ValueError, match=r"eps must be a small positive step, got 0"):
        gradcheck(lambda x: x * 2, (Value(1.0),), eps=0)


# --- Tensors ---------------------------------------------------------------


def float64_tensor(shape, seed, requires_grad=True):
    np = pytest.importorskip("numpy", reason="numpy is a course dependency")
    data = np.random.default_rng(seed).normal(size=shape)
    return stepgrad.tensor(data, dtype=stepgrad.float64, requires_grad=requires_grad)


def test_a_correct_tensor_function_with_a_matrix_output_passes():
    a, b = float64_tensor((2, 3), 0), float64_tensor((3, 2), 1)
    assert gradcheck(lambda a, b: (a @ b).tanh() * a.sum(), (a, b))


def test_a_scalar_tensor_output_passes():
    x = float64_tensor((4,), 2)
    assert gradcheck(lambda x: (x * x).sum(), (x,))


def test_float32_inputs_are_refused_with_the_fix():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)  # float32 by default, as in PyTorch
    with pytest.raises(
        TypeError,
        match=r"input 0 is stepgrad.float32, but finite differences need float64.*x.double\(\)",
    ):
        gradcheck(lambda x: x * 2, (x,))


def test_tensors_that_require_no_grad_are_not_checked_and_at_least_one_must():
    x = float64_tensor((3,), 3, requires_grad=False)
    with pytest.raises(ValueError, match=r"none of the input Tensors requires grad"):
        gradcheck(lambda x: x * 2, (x,))
    w = float64_tensor((3,), 4)
    assert gradcheck(lambda x, w: x * w, (x, w))


def test_a_wrong_tensor_backward_names_input_index_and_output_element():
    class WrongSquare(stepgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be grad * 2 * x

    x = stepgrad.tensor([[1.0, -2.0], [3.0, 0.5]], dtype=stepgrad.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: WrongSquare.apply(x), (x,))
    message = str(failure.value)
    # The largest error is at x = 3: analytic 3, numeric 6.
    assert "output element (1, 0) with respect to input 0 (shape (2, 2)) at index (1, 0)" in message
    assert "is 3 by backward, but 6 by finite differences" in message


def test_the_callers_tensors_keep_their_data_and_grad():
    x = float64_tensor((3,), 5)
    before = x.data.copy()
    gradcheck(lambda x: x.exp(), (x,))
    assert x.grad is None
    assert (x.data == before).all()


def test_mixing_values_and_tensors_is_refused():
    with pytest.raises(TypeError, match=r"mix of Values and Tensors"):
        gradcheck(lambda v, t: v, (Value(1.0), float64_tensor((2,), 6)))


def test_a_tensor_output_that_does_not_depend_on_the_inputs_has_a_zero_jacobian_both_ways():
    x = float64_tensor((3,), 7)
    constant = float64_tensor((2,), 8, requires_grad=False)
    assert gradcheck(lambda x: constant * 2.0, (x,))

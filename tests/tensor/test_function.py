"""stepgrad.autograd.Function: the extension point every built-in op uses, shaped like PyTorch's."""

import gc
import weakref

import numpy as np
import pytest
import stepgrad
from stepgrad.autograd import Function


class Cube(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a**3

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 3 * a**2


class ScaledSigmoid(Function):
    """scale * sigmoid(a), saving its output and a non-tensor argument."""

    @staticmethod
    def forward(ctx, a, scale):
        out = scale / (1 + np.exp(-a))
        ctx.save_for_backward(out)
        ctx.scale = scale
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out / ctx.scale), None


def test_a_custom_function_gives_the_derivative_its_backward_states():
    x = stepgrad.tensor([1.0, -2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0])  # 3x^2


def test_forward_receives_arrays_and_non_tensor_arguments_unchanged():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, factor, label):
            seen.update(a=type(a), factor=factor, label=label)
            return a * factor

        @staticmethod
        def backward(ctx, grad):
            seen["grad"] = type(grad)
            return grad * 2, None, None

    Probe.apply(stepgrad.tensor([1.0], requires_grad=True), 2, "x").sum().backward()
    assert seen == {"a": np.ndarray, "factor": 2, "label": "x", "grad": stepgrad.Tensor}


def test_the_grad_fn_is_named_after_the_function_and_holds_the_inputs():
    x = stepgrad.tensor([1.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward" == y.op
    assert repr(y.grad_fn) == "<CubeBackward>"
    assert y.inputs == (x,)


def test_saved_inputs_come_back_as_the_input_tensors_themselves():
    x = stepgrad.tensor([2.0], requires_grad=True)
    y = Cube.apply(x)
    (saved,) = y.grad_fn.saved_tensors
    assert saved is x


def test_a_saved_output_comes_back_connected_to_its_node():
    x = stepgrad.tensor([0.5], requires_grad=True)
    y = ScaledSigmoid.apply(x, 2.0)
    (saved,) = y.grad_fn.saved_tensors
    np.testing.assert_array_equal(saved.data, y.data)
    assert saved.grad_fn is y.grad_fn


def test_a_saved_output_and_a_non_tensor_argument_give_the_right_gradient():
    x = stepgrad.tensor([0.5], requires_grad=True)
    ScaledSigmoid.apply(x, 2.0).sum().backward()
    s = 1 / (1 + np.exp(-0.5))
    np.testing.assert_allclose(x.grad.data, [2.0 * s * (1 - s)])


def test_saving_the_output_creates_no_reference_cycle():
    gc.disable()
    try:
        y = ScaledSigmoid.apply(stepgrad.tensor([0.5], requires_grad=True), 1.0)
        alive = weakref.ref(y)
        del y
        assert alive() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_needs_input_grad_says_which_inputs_need_a_gradient():
    recorded = []

    class Record(Function):
        @staticmethod
        def forward(ctx, a, b, n):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            recorded.append(ctx.needs_input_grad)
            return grad, grad, None

    Record.apply(stepgrad.tensor(1.0, requires_grad=True), stepgrad.tensor(2.0), 3).backward()
    assert recorded == [(True, False, False)]


def test_a_gradient_in_the_broadcast_shape_is_summed_to_the_input_shape():
    class AddRow(Function):
        @staticmethod
        def forward(ctx, a, row):
            return a + row

        @staticmethod
        def backward(ctx, grad):
            return grad, grad  # the engine reduces grad to row's shape

    row = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    AddRow.apply(stepgrad.ones(3, 2), row).sum().backward()
    np.testing.assert_allclose(row.grad.data, [3.0, 3.0])


def test_returning_the_wrong_number_of_gradients_raises():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = stepgrad.tensor(1.0, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"WrongBackward: Wrong.backward returned 1 gradient\(s\), but forward took 2 argument\(s\)",
    ):
        Wrong.apply(x, x).backward()


def test_returning_a_gradient_of_an_impossible_shape_raises():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, grad):
            return stepgrad.ones(5)

    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"WrongBackward: Wrong.backward returned a gradient of shape \(5,\) for input 0, whose shape is \(2,\)",
    ):
        Wrong.apply(x).backward()


def test_none_as_a_gradient_sends_nothing_to_that_input():
    class OnlyFirst(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    a = stepgrad.tensor(1.0, requires_grad=True)
    b = stepgrad.tensor(1.0, requires_grad=True)
    OnlyFirst.apply(a, b).backward()
    assert a.grad.item() == 1.0 and b.grad is None


def test_nothing_is_recorded_under_no_grad():
    x = stepgrad.tensor([1.0], requires_grad=True)
    with stepgrad.no_grad():
        y = Cube.apply(x)
    assert y.grad_fn is None and not y.requires_grad


def test_an_integer_output_is_not_part_of_the_graph():
    class Round(Function):
        @staticmethod
        def forward(ctx, a):
            return np.round(a).astype(np.int64)

    y = Round.apply(stepgrad.tensor([1.4], requires_grad=True))
    assert y.grad_fn is None and y.dtype == stepgrad.int64


class TestGradientsOfGradients:
    """The backward formulas are Tensor operations, so create_graph=True records them."""

    def test_second_derivative_of_a_cube(self):
        x = stepgrad.tensor(2.0, requires_grad=True)
        Cube.apply(x).backward(create_graph=True)
        first = x.grad
        assert first.item() == 12.0 and first.grad_fn is not None  # 3x^2, still in a graph
        x.grad = None
        first.backward()
        assert x.grad.item() == 12.0  # d(3x^2)/dx = 6x

    @pytest.mark.parametrize(
        "fn, second_derivative",
        [
            (lambda x: x.sigmoid(), lambda s: s * (1 - s) * (1 - 2 * s)),
            (lambda x: x.tanh(), lambda t: -2 * t * (1 - t * t)),
            (lambda x: x.exp(), lambda e: e),
        ],
        ids=["sigmoid", "tanh", "exp"],
    )
    def test_second_derivative_through_a_saved_output(self, fn, second_derivative):
        x = stepgrad.tensor(0.3, dtype=stepgrad.float64, requires_grad=True)
        y = fn(x)
        y.backward(create_graph=True)
        first = x.grad
        x.grad = None
        first.backward()
        np.testing.assert_allclose(x.grad.item(), second_derivative(y.item()), rtol=1e-12)


def test_gradcheck_catches_a_wrong_backward():
    class WrongCube(Cube):
        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * 2 * a**2  # should be 3 a^2

    x = stepgrad.tensor([1.0, 2.0], dtype=stepgrad.float64, requires_grad=True)
    assert stepgrad.autograd.gradcheck(Cube.apply, (x,))
    with pytest.raises(stepgrad.autograd.GradcheckError):
        stepgrad.autograd.gradcheck(WrongCube.apply, (x,))


def test_grad_fn_name_is_a_method_and_next_functions_lead_backward_as_in_pytorch():
    w = stepgrad.tensor([2.0], requires_grad=True)
    x = stepgrad.tensor([3.0])
    y = (w * x).exp()
    assert y.grad_fn.name() == "ExpBackward"
    ((mul, index),) = y.grad_fn.next_functions
    assert (mul.name(), index) == ("MulBackward", 0)
    (leaf, _), (constant, _) = mul.next_functions
    assert leaf.name() == "AccumulateGrad" and leaf.variable is w
    assert constant is None  # x needs no gradient: backward never goes there

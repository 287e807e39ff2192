"""How backward behaves, as in PyTorch: accumulation, retained graphs, leaves, grad modes."""

import numpy as np
import pytest
import stepgrad
from stepgrad import tensor


def test_the_tutorial_first_program_gives_gradient_four():
    x = tensor([2.0], requires_grad=True)
    y = x**2
    y.backward()
    assert x.grad.item() == 4.0  # d(x^2)/dx = 2x = 4 at x = 2


def test_gradients_accumulate_across_backward_calls():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3 + 2 * 1.0, 3 + 2 * 2.0])  # 3 + 2x


def test_a_leaf_used_twice_receives_the_sum_of_both_paths():
    x = tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad.item() == 2 * 3.0 + 1


def test_backward_of_a_non_scalar_without_gradient_raises_like_pytorch():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()


def test_the_implicit_gradient_error_names_the_shape_and_the_ways_out():
    x = tensor([[1.0, 2.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(1, 2\).*\.sum\(\) or\s+\.mean\(\).*gradient="):
        (x * 2).backward()


def test_a_one_element_non_scalar_can_backward_implicitly():
    x = tensor([[2.0]], requires_grad=True)
    (x * 5).backward()
    assert x.grad.tolist() == [[5.0]]


def test_gradient_argument_weights_the_outputs():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(gradient=tensor([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad.data, [2.0, 0.0, -6.0])  # gradient * 2x


def test_gradient_argument_of_the_wrong_shape_raises():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: gradient has a shape of \(3,\)"):
        (x * 2).backward(gradient=tensor([1.0, 1.0, 1.0]))


def test_the_gradient_argument_is_not_aliased_by_a_leaf_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    seed = tensor([1.0, 1.0])
    x.reshape(2).backward(gradient=seed)
    x.grad.zero_()
    assert seed.tolist() == [1.0, 1.0]


def test_two_leaves_fed_the_same_gradient_do_not_share_it():
    a = tensor([1.0], requires_grad=True)
    b = tensor([1.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)
    assert b.grad.tolist() == [1.0]


def test_backward_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match=r"does not require grad and does not have a grad_fn"):
        (tensor([1.0]) * 2).sum().backward()


def test_second_backward_through_a_freed_graph_raises_a_clear_error():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(
        RuntimeError, match=r"backward through the graph a second time.*retain_graph=True"
    ):
        y.backward()


def test_the_freed_graph_error_names_the_operation():
    x = tensor(1.0, requires_grad=True)
    y = x.exp()
    y.backward()
    with pytest.raises(RuntimeError, match=r"^ExpBackward: "):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 2 * (2 * 3.0)


def test_reading_saved_tensors_after_backward_raises():
    x = tensor(1.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match=r"saved tensors after they were freed"):
        _ = y.grad_fn.saved_tensors


def test_non_leaf_grad_is_none_without_retain_grad():
    x = tensor([1.0], requires_grad=True)
    hidden = x * 2
    (hidden * 3).sum().backward()
    assert hidden.grad is None
    assert not hidden.is_leaf


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    hidden.retain_grad()
    (hidden * 3).sum().backward()
    np.testing.assert_allclose(hidden.grad.data, [3.0, 3.0])
    assert hidden.retains_grad


def test_retain_grad_on_a_tensor_without_grad_raises():
    with pytest.raises(
        RuntimeError, match=r"can't retain_grad on a tensor that has requires_grad=False"
    ):
        tensor([1.0]).retain_grad()


@pytest.mark.parametrize("dtype", [stepgrad.int64, stepgrad.int32, stepgrad.bool])
def test_only_floating_tensors_can_require_grad(dtype):
    with pytest.raises(
        RuntimeError, match=r"Only Tensors of floating point dtype can require gradients"
    ):
        tensor([1, 0], dtype=dtype, requires_grad=True)


def test_requires_grad_underscore_on_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match=r"this one is stepgrad.int64.*\.float\(\)"):
        tensor([1, 2]).requires_grad_()


def test_requires_grad_of_a_non_leaf_cannot_be_switched_off():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"only change requires_grad flags of leaf variables.*detach"
    ):
        (x * 2).requires_grad = False


def test_leaves_and_results_report_is_leaf_and_grad_fn():
    x = tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward"
    assert y.grad_fn.inputs[0] is x
    assert tensor([1.0]).is_leaf


def test_results_of_tensors_without_grad_do_not_require_grad():
    y = tensor([1.0]) * tensor([2.0])
    assert not y.requires_grad and y.grad_fn is None


def test_detach_cuts_the_graph_and_shares_values():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad
    assert np.shares_memory(d.data, y.data)


def test_a_detached_branch_receives_no_gradient():
    x = tensor(2.0, requires_grad=True)
    (x * x.detach()).backward()
    assert x.grad.item() == 2.0  # only the first factor is differentiated


def test_a_chain_of_100000_operations_backpropagates():
    x = tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_gradients_reach_only_what_requires_them():
    x = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    (x * data).sum().backward()
    assert data.grad is None
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


class TestGradMode:
    def test_no_grad_records_nothing(self):
        x = tensor([1.0], requires_grad=True)
        with stepgrad.no_grad():
            y = x * 2
            assert not stepgrad.is_grad_enabled()
        assert stepgrad.is_grad_enabled()
        assert not y.requires_grad and y.grad_fn is None

    def test_no_grad_as_a_decorator(self):
        @stepgrad.no_grad()
        def double(t):
            return t * 2

        assert not double(tensor([1.0], requires_grad=True)).requires_grad
        assert stepgrad.is_grad_enabled()

    def test_no_grad_restores_the_mode_after_an_exception(self):
        with pytest.raises(ValueError), stepgrad.no_grad():
            raise ValueError
        assert stepgrad.is_grad_enabled()

    def test_enable_grad_records_inside_no_grad(self):
        x = tensor([1.0], requires_grad=True)
        with stepgrad.no_grad(), stepgrad.enable_grad():
            y = x * 2
        assert y.requires_grad

    def test_set_grad_enabled_as_a_context_manager(self):
        x = tensor([1.0], requires_grad=True)
        with stepgrad.set_grad_enabled(False):
            y = x * 2
        assert not y.requires_grad and stepgrad.is_grad_enabled()

    def test_every_op_records_nothing_under_no_grad(self):
        x = tensor([[1.0, 2.0]], requires_grad=True)
        with stepgrad.no_grad():
            results = [x + 1, 1 - x, x / 2, -x, x**2, x @ x.T, x.exp(), x.sum(), x.T, x[0]]
        assert not any(r.requires_grad for r in results)

    def test_backward_leaves_grad_mode_as_it_was(self):
        x = tensor(1.0, requires_grad=True)
        (x * 2).backward()
        assert stepgrad.is_grad_enabled()


class TestInPlace:
    def test_in_place_on_a_leaf_requiring_grad_raises_like_pytorch(self):
        w = tensor([1.0], requires_grad=True)
        with pytest.raises(
            RuntimeError,
            match=r"a leaf Variable that requires grad is being used in an in-place operation \(add_\)",
        ):
            w.add_(1.0)

    @pytest.mark.parametrize(
        ("name", "update"),
        [
            ("sub_", lambda w: w.sub_(1.0)),
            ("mul_", lambda w: w.mul_(2.0)),
            ("div_", lambda w: w.div_(2.0)),
            ("zero_", lambda w: w.zero_()),
            ("fill_", lambda w: w.fill_(3.0)),
            ("clamp_", lambda w: w.clamp_(0.0, 1.0)),
            ("copy_", lambda w: w.copy_(tensor([5.0]))),
            ("__setitem__", lambda w: w.__setitem__(0, 2.0)),
        ],
        ids=["sub_", "mul_", "div_", "zero_", "fill_", "clamp_", "copy_", "setitem"],
    )
    def test_every_in_place_op_on_a_leaf_requiring_grad_raises_naming_itself(self, name, update):
        with pytest.raises(
            RuntimeError,
            match=rf"leaf Variable that requires grad is being used in an in-place operation \({name}\)",
        ):
            update(tensor([1.0], requires_grad=True))

    def test_in_place_updates_work_under_no_grad(self):
        w = tensor([1.0, 2.0], requires_grad=True)
        w.grad = tensor([10.0, 10.0])
        with stepgrad.no_grad():
            w -= 0.1 * w.grad
        np.testing.assert_allclose(w.data, [0.0, 1.0])
        assert w.is_leaf and w.requires_grad

    def test_in_place_ops_compute_what_their_names_say(self):
        t = tensor([1.0, 2.0])
        t.add_(1.0).mul_(3.0).sub_(tensor([1.0, 1.0])).div_(2.0)
        np.testing.assert_allclose(t.data, [(2 * 3 - 1) / 2, (3 * 3 - 1) / 2])
        t.add_(tensor([1.0, 1.0]), alpha=-2)
        np.testing.assert_allclose(t.data, [0.5, 2.0])
        assert t.zero_().tolist() == [0.0, 0.0]
        assert t.fill_(7).tolist() == [7.0, 7.0]

    def test_in_place_ops_bump_the_version_counter(self):
        t = tensor([1.0])
        before = t._version
        t.add_(1.0)
        t.mul_(2.0)
        t[0] = 3.0
        assert t._version == before + 3

    def test_in_place_on_a_non_leaf_in_a_graph_raises(self):
        x = tensor([1.0], requires_grad=True)
        y = x * 2
        with pytest.raises(
            RuntimeError,
            match=r"mul_: in-place operations on a tensor that is part of a recorded graph \(this one was computed by MulBackward\)",
        ):
            y.mul_(3)

    def test_an_in_place_result_that_cannot_keep_the_dtype_raises(self):
        counts = tensor([1, 2])
        with pytest.raises(
            RuntimeError,
            match=r"add_: the result has a different dtype than this tensor \(stepgrad.int64\)",
        ):
            counts.add_(0.5)


def test_no_grad_as_a_bare_decorator():
    @stepgrad.no_grad
    def double(t):
        return t * 2

    assert not double(tensor([1.0], requires_grad=True)).requires_grad


def test_assigning_a_tensor_that_requires_grad_into_another_raises():
    target = stepgrad.zeros(2)
    with pytest.raises(
        RuntimeError, match=r"__setitem__ with an operand that requires grad.*where"
    ):
        target[0] = tensor(1.0, requires_grad=True)


def test_an_in_place_op_with_an_operand_that_requires_grad_raises():
    total = stepgrad.zeros(2)
    with pytest.raises(RuntimeError, match=r"add_ with an operand that requires grad.*y = y \+ w"):
        total += tensor([1.0, 2.0], requires_grad=True)


def test_to_cpu_returns_the_tensor_itself():
    t = tensor([1.0])
    assert t.to("cpu") is t and t.cpu() is t

"""Tensor.register_hook, as in PyTorch: a hook sees the gradient and may replace it.

Truths: gradients derived by hand in each test, and PyTorch where installed.
"""

import numpy as np
import pytest
import stepgrad


def tensor(values, requires_grad=False):
    return stepgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def test_a_hook_on_a_leaf_sees_its_complete_gradient():
    x = tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda grad: seen.append(grad.numpy().copy()))
    (x * x + 3 * x).sum().backward()  # gradient summed from both uses: 2x + 3
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5.0, 7.0])


def test_a_hook_on_a_leaf_may_replace_what_is_stored_in_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: grad * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 40.0])


def test_a_hook_on_a_non_leaf_changes_what_flows_on_to_its_inputs():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda grad: grad * 0.5)
    (h**2).sum().backward()
    # d/dh = 2h = [6, 12], halved = [3, 6], times dh/dx = 3
    np.testing.assert_array_equal(x.grad.numpy(), [9.0, 18.0])
    assert h.grad is None  # a hook does not retain the non-leaf's gradient


def test_a_non_leaf_that_retains_grad_stores_the_hooked_gradient():
    x = tensor([1.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda grad: grad + 1)
    (h * 5).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [6.0])
    np.testing.assert_array_equal(x.grad.numpy(), [12.0])


def test_hooks_run_in_registration_order_each_seeing_the_previous_result():
    x = tensor([1.0], requires_grad=True)
    x.register_hook(lambda grad: grad + 1)
    x.register_hook(lambda grad: grad * 10)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [30.0])  # (2 + 1) * 10


def test_removing_the_handle_unregisters_the_hook():
    x = tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda grad: grad * 10)
    handle.remove()
    handle.remove()  # harmless twice
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0])


def test_the_handle_is_a_context_manager_that_removes_the_hook():
    x = tensor([1.0], requires_grad=True)
    with x.register_hook(lambda grad: grad * 10):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [22.0])  # 20, then 2 without the hook


def test_hooks_run_in_autograd_grad_too():
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: -grad)
    (dx,) = stepgrad.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(dx.numpy(), [-2.0, -4.0])
    assert x.grad is None


def test_a_hook_on_a_tensor_that_does_not_require_grad_is_refused():
    with pytest.raises(
        RuntimeError,
        match="cannot register a hook on a tensor that doesn't require gradient.*requires_grad=True",
    ):
        tensor([1.0]).register_hook(print)


def test_a_hook_that_is_not_callable_is_refused():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(
        TypeError, match="register_hook expects a function of the gradient, got int"
    ):
        x.register_hook(3)


def test_a_hook_returning_another_shape_says_which_shape_is_expected():
    x = tensor([1.0, 2.0], requires_grad=True)

    def summarize(grad):
        return grad.sum()

    x.register_hook(summarize)
    with pytest.raises(
        RuntimeError,
        match=r"hook 'summarize' .* shape \(2,\) returned a gradient of shape \(\).*return a tensor of shape \(2,\)",
    ):
        (x * x).sum().backward()


def test_a_hook_returning_something_that_is_not_a_gradient_is_refused_with_what_to_return():
    x = tensor([1.0, 2.0], requires_grad=True)

    def describe(grad):
        return "large"

    x.register_hook(describe)
    with pytest.raises(
        TypeError,
        match=r"hook 'describe' .* shape \(2,\) returned str 'large'.*not a gradient\. "
        r"Return a tensor of shape \(2,\).*or None",
    ):
        (x * x).sum().backward()


def test_hooks_die_with_their_tensor():
    from stepgrad.autograd.hooks import hooks_by_tensor

    x = tensor([1.0], requires_grad=True)
    key = id(x)
    x.register_hook(lambda grad: grad)
    assert key in hooks_by_tensor
    del x
    assert key not in hooks_by_tensor


def test_hooks_match_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")

    def run(m):
        x = m.tensor([1.0, -2.0, 3.0], dtype=m.float64, requires_grad=True)
        h = m.tanh(x) * x
        h.register_hook(lambda grad: grad.clamp(min=0.5))
        x.register_hook(lambda grad: grad * 2)
        (h**2).sum().backward()
        return x.grad.detach().numpy()

    np.testing.assert_allclose(run(stepgrad), run(torch), rtol=1e-12)

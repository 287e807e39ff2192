"""A tensor saved for backward and then changed in place makes backward fail, as in PyTorch.

Without the check, backward would compute the gradient from the new values:
the truth each test states is the error PyTorch raises, and the correct
gradient when the change comes after backward or goes to a copy.
"""

import numpy as np
import pytest
import stepgrad

MODIFIED = (
    r"one of the variables needed for gradient computation has been modified by an inplace "
    r"operation: "
)


def tensor(values, requires_grad=False):
    return stepgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def test_changing_a_saved_input_in_place_makes_backward_name_the_op_and_versions():
    w = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    loss = (w * data).sum()
    data.mul_(2)
    with pytest.raises(
        RuntimeError,
        match=MODIFIED + r"input 1 of MulBackward .* is at version 1; expected version 0 instead"
        r".*out-of-place operation.*\.clone\(\)",
    ):
        loss.backward()


def test_changing_a_saved_output_in_place_makes_backward_fail():
    x = tensor([0.5], requires_grad=True)
    y = x.exp()  # ExpBackward saves its output
    with stepgrad.no_grad():
        y.mul_(2)
    with pytest.raises(
        RuntimeError, match=MODIFIED + r"the output of ExpBackward .* version 1; expected version 0"
    ):
        y.sum().backward()


def test_the_expected_version_is_the_one_seen_when_the_op_saved_the_tensor():
    w = tensor([1.0], requires_grad=True)
    data = tensor([3.0])
    data.add_(1)  # version 1 before the forward pass: harmless
    loss = (w * data).sum()
    data.add_(1)
    data.add_(1)
    with pytest.raises(RuntimeError, match=r"is at version 3; expected version 1 instead"):
        loss.backward()


def test_changes_before_the_forward_pass_or_after_backward_are_fine():
    w = tensor([1.0], requires_grad=True)
    data = tensor([3.0])
    data.add_(1)
    loss = (w * data).sum()
    loss.backward()
    data.add_(1)
    np.testing.assert_array_equal(w.grad.numpy(), [4.0])


def test_a_parameter_changed_under_no_grad_before_backward_is_caught():
    w = tensor([2.0], requires_grad=True)
    loss = (w * w).sum()
    with stepgrad.no_grad():
        w.sub_(1)  # an optimizer step taken too early
    with pytest.raises(RuntimeError, match=MODIFIED + r"input 0 of MulBackward"):
        loss.backward()


def test_changing_a_clone_leaves_the_saved_tensor_intact():
    w = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    loss = (w * data.clone()).sum()
    data.mul_(2)
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 4.0])


def test_an_op_that_saves_nothing_does_not_mind_in_place_changes_of_its_input():
    w = tensor([1.0], requires_grad=True)
    data = tensor([3.0])
    loss = (w + data).sum()  # AddBackward needs neither input
    data.mul_(2)
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0])


def test_inside_detect_anomaly_the_message_also_names_the_line_that_created_the_op():
    w = tensor([1.0], requires_grad=True)
    data = tensor([3.0])
    with stepgrad.autograd.detect_anomaly():
        loss = (w * data).sum()
    data.mul_(2)
    with pytest.raises(
        RuntimeError,
        match=r"MulBackward was created at \S*test_version_counter\.py, line \d+: loss = \(w \* data\)\.sum\(\)",
    ):
        loss.backward()


def test_pytorch_raises_for_the_same_change():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    data = torch.tensor([3.0, 4.0])
    loss = (w * data).sum()
    data.mul_(2)
    with pytest.raises(
        RuntimeError, match=MODIFIED + r".* is at version 1; expected version 0 instead"
    ):
        loss.backward()


def test_a_change_through_a_detached_alias_of_a_saved_output_is_caught():
    # detach() shares the array, so y.detach().mul_(2) changes the y that SigmoidBackward
    # saved: its gradient y(1 - y) would be computed from the doubled values.
    x = tensor([0.0, 1.0], requires_grad=True)
    y = x.sigmoid()
    y.detach().mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED + r".*SigmoidBackward"):
        y.sum().backward()


def test_a_change_to_the_original_is_caught_when_its_detached_alias_was_saved():
    w = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    alias = data.detach()
    loss = (w * alias).sum()  # MulBackward saves alias, which shares data's array
    data.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED + r"input 1 of MulBackward"):
        loss.backward()


def test_an_alias_of_an_alias_shares_the_count_too():
    w = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    loss = (w * data).sum()
    data.detach().detach().zero_()
    with pytest.raises(RuntimeError, match=MODIFIED + r"input 1 of MulBackward"):
        loss.backward()


def test_changing_a_detached_copy_made_with_clone_is_harmless():
    w = tensor([1.0, 2.0], requires_grad=True)
    data = tensor([3.0, 4.0])
    loss = (w * data).sum()
    data.detach().clone().mul_(10)
    loss.backward()
    assert w.grad.tolist() == [3.0, 4.0]  # d/dw sum(w * data) = data, unchanged


def test_pytorch_also_catches_a_change_through_a_detached_alias():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here; it is not installed")
    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    y = x.sigmoid()
    y.detach().mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()

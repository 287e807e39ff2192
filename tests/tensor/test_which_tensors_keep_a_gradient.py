"""The backward walk keeps a gradient exactly where PyTorch does (Tensor._keeps_grad).

The walk asks each tensor whether it keeps what reaches it before calling
_accumulate; these are the ways a tensor comes to keep one, or stops.
"""

import numpy as np
import stepgrad


def test_a_leaf_made_to_require_grad_after_creation_keeps_its_gradient():
    x = stepgrad.tensor([1.0, 2.0])
    x.requires_grad_()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_a_leaf_that_stops_requiring_grad_receives_none():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    w = stepgrad.tensor([1.0, 1.0], requires_grad=True)
    x.requires_grad_(False)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.data, [1.0, 2.0])


def test_an_intermediate_tensor_keeps_its_gradient_only_when_retained():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    kept, dropped = x * 2.0, x * 3.0
    kept.retain_grad()
    (kept * dropped).sum().backward()
    np.testing.assert_array_equal(kept.grad.data, [3.0, 6.0])  # d/d(kept) = dropped
    assert dropped.grad is None


def test_a_leaf_whose_hook_was_removed_still_keeps_its_gradient():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda grad: grad * 100)
    handle.remove()
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_an_intermediate_tensor_with_a_hook_does_not_keep_a_gradient():
    x = stepgrad.tensor([1.0], requires_grad=True)
    y = x * 2.0
    seen = []
    y.register_hook(lambda grad: seen.append(grad.item()))
    (y * 5.0).sum().backward()
    assert seen == [5.0] and y.grad is None
    assert x.grad.item() == 10.0


def test_grad_of_an_intermediate_tensor_leaves_it_as_it_was():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    (dy,) = stepgrad.autograd.grad((y * y).sum(), y, retain_graph=True)
    np.testing.assert_array_equal(dy.data, [4.0, 8.0])
    (y * y).sum().backward()
    assert y.grad is None  # grad() borrowed retain_grad for its walk only

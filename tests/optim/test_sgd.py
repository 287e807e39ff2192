"""optim.SGD: PyTorch's update rule, checked against hand derivations and PyTorch."""

import numpy as np
import pytest
import stepgrad
from stepgrad import optim

SLOPE = np.array([3.0, -0.5])  # loss = SLOPE . w, so d loss / d w = SLOPE at every step


def linear_loss_steps(optimizer_factory, steps, start=(1.0, -2.0)):
    w = stepgrad.tensor(np.array(start), requires_grad=True)
    optimizer = optimizer_factory([w])
    for _ in range(steps):
        optimizer.zero_grad()
        (w * stepgrad.tensor(SLOPE)).sum().backward()
        optimizer.step()
    return w.detach().numpy()


def test_plain_sgd_moves_against_the_gradient_by_lr_times_it():
    w = linear_loss_steps(lambda p: optim.SGD(p, lr=0.1), steps=1)
    np.testing.assert_allclose(w, [1.0 - 0.1 * 3.0, -2.0 + 0.1 * 0.5])


def test_momentum_starts_with_the_gradient_then_adds_the_decayed_buffer():
    # buffer_1 = g, buffer_2 = 0.9 g + g: two steps move by lr (1 + 1.9) g.
    w = linear_loss_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), steps=2)
    np.testing.assert_allclose(w, np.array([1.0, -2.0]) - 0.1 * 2.9 * SLOPE)


def test_dampening_scales_the_new_gradient_after_the_first_step():
    # buffer_2 = 0.9 g + (1 - 0.5) g = 1.4 g: two steps move by lr (1 + 1.4) g.
    w = linear_loss_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5), steps=2)
    np.testing.assert_allclose(w, np.array([1.0, -2.0]) - 0.1 * 2.4 * SLOPE)


def test_nesterov_looks_ahead_along_the_buffer():
    # step 1: g + 0.9 g; step 2: g + 0.9 (1.9 g): in all lr (1.9 + 2.71) g.
    w = linear_loss_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), steps=2)
    np.testing.assert_allclose(w, np.array([1.0, -2.0]) - 0.1 * 4.61 * SLOPE)


def test_weight_decay_adds_decay_times_the_weight_to_the_gradient():
    start = np.array([1.0, -2.0])
    w = linear_loss_steps(lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), steps=1)
    np.testing.assert_allclose(w, start - 0.1 * (SLOPE + 0.5 * start))


def test_momentum_buffer_is_kept_per_parameter_in_state():
    w = stepgrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1, momentum=0.9)
    (2 * w).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(optimizer.state[w]["momentum_buffer"], [2.0])


def test_step_skips_parameters_without_a_gradient():
    used = stepgrad.tensor([1.0], requires_grad=True)
    unused = stepgrad.tensor([5.0], requires_grad=True)
    optimizer = optim.SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=1.0)
    (3 * used).sum().backward()
    optimizer.step()
    assert unused.item() == 5.0


def test_step_changes_the_leaf_in_place_and_records_no_graph():
    w = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    data = w.data
    optimizer = optim.SGD([w], lr=0.1)
    w.sum().backward()
    optimizer.step()
    assert w.data is data
    assert w.is_leaf and w.grad_fn is None and w.requires_grad


def test_step_keeps_float32_parameters_float32():
    w = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(2):
        (w * w).sum().backward()
        optimizer.step()
    assert w.dtype == stepgrad.float32


def test_zero_grad_sets_gradients_to_none_by_default():
    w = stepgrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    w.sum().backward()
    optimizer.zero_grad()
    assert w.grad is None


def test_zero_grad_without_set_to_none_leaves_zeros():
    w = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.detach().numpy(), [0.0, 0.0])


def test_forgetting_zero_grad_accumulates_gradients_across_steps():
    w = stepgrad.tensor([0.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=1.0)
    for _ in range(3):
        (2 * w).sum().backward()  # gradient 2 each time, added to what .grad holds
        optimizer.step()
    # steps of 2, 4 and 6
    assert w.item() == pytest.approx(-12.0)


def test_param_groups_can_have_their_own_learning_rate():
    a = stepgrad.tensor([1.0], requires_grad=True)
    b = stepgrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a + b).sum().backward()
    optimizer.step()
    assert (a.item(), b.item()) == pytest.approx((0.9, 0.5))


@pytest.mark.parametrize(
    "settings",
    [
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    ],
    ids=["momentum_and_weight_decay", "dampening", "nesterov"],
)
def test_several_sgd_steps_match_pytorch(compare_with_pytorch, settings):
    compare_with_pytorch("SGD", settings)


# --- bad input -------------------------------------------------------------------------------


def test_negative_learning_rate_is_rejected():
    with pytest.raises(ValueError, match=r"Invalid learning rate value: -0.1"):
        optim.SGD([stepgrad.zeros(1, requires_grad=True)], lr=-0.1)


def test_negative_momentum_is_rejected():
    with pytest.raises(ValueError, match=r"Invalid momentum value: -0.5"):
        optim.SGD([stepgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=-0.5)


def test_nesterov_without_momentum_is_rejected():
    with pytest.raises(ValueError, match=r"Nesterov momentum requires a momentum"):
        optim.SGD([stepgrad.zeros(1, requires_grad=True)], lr=0.1, nesterov=True)

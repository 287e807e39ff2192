"""optim.Adam: PyTorch's update rule, checked against hand derivations and PyTorch."""

import numpy as np
import pytest
import stepgrad
from stepgrad import optim

SLOPE = np.array([3.0, -0.5, 1e-3])  # loss = SLOPE . w: the same gradient at every step


def adam_on_constant_gradient(steps, **settings):
    w = stepgrad.tensor(np.zeros(3), requires_grad=True)  # float64, to see the rule exactly
    optimizer = optim.Adam([w], **settings)
    for _ in range(steps):
        optimizer.zero_grad()
        (w * stepgrad.tensor(SLOPE)).sum().backward()
        optimizer.step()
    return w.detach().numpy(), optimizer.state[w]


def test_first_adam_step_moves_every_parameter_by_about_lr_whatever_its_gradient():
    # m_hat = g and v_hat = g^2 after bias correction, so the step is lr g / (|g| + eps).
    w, _ = adam_on_constant_gradient(1, lr=0.01)
    np.testing.assert_allclose(w, -0.01 * SLOPE / (np.abs(SLOPE) + 1e-8), rtol=1e-12)


def test_adam_keeps_moving_by_lr_while_the_gradient_stays_the_same():
    # With a constant g, the bias-corrected averages stay g and g^2 at every step t.
    w, state = adam_on_constant_gradient(4, lr=0.01)
    np.testing.assert_allclose(w, -4 * 0.01 * SLOPE / (np.abs(SLOPE) + 1e-8), rtol=1e-9)
    assert state["step"] == 4


def test_adam_running_averages_follow_their_recurrences():
    _, state = adam_on_constant_gradient(2, lr=0.01, betas=(0.8, 0.9))
    # m_2 = 0.8 (0.2 g) + 0.2 g = 0.36 g; v_2 = 0.9 (0.1 g^2) + 0.1 g^2 = 0.19 g^2
    np.testing.assert_allclose(state["exp_avg"], 0.36 * SLOPE, rtol=1e-12)
    np.testing.assert_allclose(state["exp_avg_sq"], 0.19 * SLOPE**2, rtol=1e-12)


def test_adam_weight_decay_adds_decay_times_the_weight_to_the_gradient():
    w = stepgrad.tensor(np.array([2.0]), requires_grad=True)
    optimizer = optim.Adam([w], lr=0.01, weight_decay=0.5)
    (w * 0).sum().backward()  # zero gradient: only the decay term 0.5 * 2 = 1 remains
    optimizer.step()
    np.testing.assert_allclose(w.detach().numpy(), [2.0 - 0.01 * 1.0 / (1.0 + 1e-8)])


def test_adam_keeps_float32_parameters_float32():
    w = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.Adam([w], lr=0.01, weight_decay=0.01)
    (w * w).sum().backward()
    optimizer.step()
    assert w.dtype == stepgrad.float32


@pytest.mark.parametrize(
    "settings",
    [
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.02, "amsgrad": True},
    ],
    ids=["defaults", "betas_eps_and_weight_decay", "amsgrad"],
)
def test_several_adam_steps_match_pytorch(compare_with_pytorch, settings):
    compare_with_pytorch("Adam", settings)


def test_beta_of_one_or_more_is_rejected():
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 1 value: 1.0"):
        optim.Adam([stepgrad.zeros(1, requires_grad=True)], betas=(0.9, 1.0))


def test_negative_epsilon_is_rejected():
    with pytest.raises(ValueError, match=r"Invalid epsilon value: -1e-08"):
        optim.Adam([stepgrad.zeros(1, requires_grad=True)], eps=-1e-8)

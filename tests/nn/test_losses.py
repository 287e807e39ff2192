"""The loss functions: values against their definitions, gradients against finite
differences (gradcheck) and PyTorch, and the errors for bad input."""

import math

import numpy as np
import pytest
import stepgrad
import stepgrad.nn.functional as F
from stepgrad import nn
from stepgrad.autograd import gradcheck

REDUCTIONS = ["mean", "sum", "none"]
TORCH_REASON = "PyTorch is not installed: parity with it is checked only where it is"


def float64(array, requires_grad=False):
    return stepgrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def float32(array, requires_grad=False):
    return stepgrad.tensor(np.asarray(array, dtype=np.float32), requires_grad=requires_grad)


def labels(array):
    return stepgrad.tensor(np.asarray(array, dtype=np.int64))


# --- values against their definitions -------------------------------------------


def test_mse_loss_is_the_mean_of_squared_differences():
    loss = nn.MSELoss()(float32([1.0, 3.0, -2.0]), float32([0.0, 1.0, 1.0]))
    assert loss.item() == pytest.approx((1 + 4 + 9) / 3)


def test_sum_reduction_adds_what_mean_averages():
    prediction, target = float32([1.0, 3.0, -2.0]), float32([0.0, 1.0, 1.0])
    assert nn.MSELoss(reduction="sum")(prediction, target).item() == pytest.approx(14.0)


def test_none_reduction_keeps_one_loss_per_element():
    loss = nn.MSELoss(reduction="none")(float32([[1.0, 3.0]]), float32([[0.0, 1.0]]))
    assert loss.shape == (1, 2)
    np.testing.assert_allclose(loss.detach().numpy(), [[1.0, 4.0]])


def test_bce_loss_is_minus_the_log_likelihood_of_the_labels():
    loss = nn.BCELoss()(float32([0.8, 0.3]), float32([1.0, 0.0]))
    assert loss.item() == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2, rel=1e-6)


def test_bce_loss_clamps_the_log_at_minus_100_so_a_certain_mistake_costs_100():
    loss = nn.BCELoss(reduction="none")(float32([0.0, 1.0]), float32([1.0, 0.0]))
    np.testing.assert_array_equal(loss.detach().numpy(), [100.0, 100.0])


def test_bce_gradient_stays_finite_at_probability_zero():
    p = float32([0.0], requires_grad=True)
    nn.BCELoss()(p, float32([1.0])).backward()
    # PyTorch's rule: (p - y) / max(p (1 - p), 1e-12) = -1 / 1e-12
    assert p.grad.item() == pytest.approx(-1e12, rel=1e-6)


def test_bce_with_logits_equals_bce_of_the_sigmoid():
    logits, target = float64([-2.0, 0.5, 3.0]), float64([0.0, 1.0, 0.3])
    sigmoid = 1 / (1 + np.exp(-logits.detach().numpy()))
    y = target.detach().numpy()
    expected = np.mean(-(y * np.log(sigmoid) + (1 - y) * np.log(1 - sigmoid)))
    assert nn.BCEWithLogitsLoss()(logits, target).item() == pytest.approx(expected, rel=1e-12)


def test_bce_with_logits_is_exact_for_huge_logits():
    # For |x| large, the loss of a wrong sign is |x| (log(1 + e^|x|) ~ |x|); a
    # naive sigmoid followed by a log would give inf or the clamp value 100.
    logits = float32([1000.0, -1000.0], requires_grad=True)
    loss = nn.BCEWithLogitsLoss(reduction="none")(logits, float32([0.0, 1.0]))
    np.testing.assert_allclose(loss.detach().numpy(), [1000.0, 1000.0])
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.detach().numpy(), [1.0, -1.0])


def test_cross_entropy_is_minus_the_log_softmax_of_the_target_class():
    logits = [[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]
    targets = [2, 0]
    expected = []
    for row, target in zip(logits, targets):
        log_partition = math.log(sum(math.exp(value) for value in row))
        expected.append(log_partition - row[target])
    loss = nn.CrossEntropyLoss(reduction="none")(float64(logits), labels(targets))
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    loss = nn.CrossEntropyLoss()(float32([[1000.0, 0.0]]), labels([1]))
    assert loss.item() == pytest.approx(1000.0)


def test_cross_entropy_takes_one_example_without_a_batch_dimension():
    loss = nn.CrossEntropyLoss()(float64([0.0, 0.0, 0.0, 0.0]), labels(3))
    assert loss.item() == pytest.approx(math.log(4))


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = float64([[0.0, math.log(3.0)]], requires_grad=True)  # softmax = (1/4, 3/4)
    nn.CrossEntropyLoss()(logits, labels([0])).backward()
    np.testing.assert_allclose(logits.grad.detach().numpy(), [[0.25 - 1, 0.75]])


def test_float32_inputs_give_a_float32_loss_and_float32_gradients():
    p = float32([0.2, 0.9], requires_grad=True)
    loss = nn.BCELoss()(p, float32([0.0, 1.0]))
    loss.backward()
    assert loss.dtype == stepgrad.float32
    assert p.grad.dtype == stepgrad.float32


# --- gradients against finite differences -----------------------------------------

# Tighter than gradcheck's defaults: in float64 with eps = 1e-6, central differences
# are good to about 1e-9 here, so a gradient off by 0.01% still fails.
TIGHT = {"atol": 1e-7, "rtol": 1e-6}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_passes_gradcheck(rng, reduction):
    prediction = float64(rng.normal(size=(3, 4)), requires_grad=True)
    target = float64(rng.normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(
        lambda p, t: F.mse_loss(p, t, reduction=reduction), (prediction, target), **TIGHT
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss_passes_gradcheck(rng, reduction):
    # Away from 0 and 1, where the clamps would make the loss flat.
    probabilities = float64(rng.uniform(0.05, 0.95, size=(3, 4)), requires_grad=True)
    target = float64(rng.uniform(0.05, 0.95, size=(3, 4)), requires_grad=True)
    assert gradcheck(
        lambda p, t: F.binary_cross_entropy(p, t, reduction=reduction),
        (probabilities, target),
        **TIGHT,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_loss_passes_gradcheck(rng, reduction):
    logits = float64(rng.normal(scale=3.0, size=(3, 4)), requires_grad=True)
    target = float64(rng.uniform(0, 1, size=(3, 4)), requires_grad=True)
    assert gradcheck(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
        (logits, target),
        **TIGHT,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_loss_passes_gradcheck(rng, reduction):
    logits = float64(rng.normal(scale=2.0, size=(5, 3)), requires_grad=True)
    targets = labels(rng.integers(0, 3, size=5))
    assert gradcheck(lambda x: F.cross_entropy(x, targets, reduction=reduction), (logits,), **TIGHT)


# --- parity with PyTorch ----------------------------------------------------------


def _inputs_for(loss_name, rng):
    if loss_name == "bce":
        return rng.uniform(0.01, 0.99, size=(6, 2)), rng.uniform(0, 1, size=(6, 2))
    if loss_name == "cross_entropy":
        return rng.normal(scale=3.0, size=(6, 4)), rng.integers(0, 4, size=6)
    return rng.normal(scale=2.0, size=(6, 2)), rng.normal(size=(6, 2))


LOSS_PAIRS = {
    "mse": ("mse_loss", "mse_loss"),
    "bce": ("binary_cross_entropy", "binary_cross_entropy"),
    "bce_with_logits": ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits"),
    "cross_entropy": ("cross_entropy", "cross_entropy"),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss_name", sorted(LOSS_PAIRS))
def test_loss_value_and_gradients_match_pytorch(rng, loss_name, reduction):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    ours_name, theirs_name = LOSS_PAIRS[loss_name]
    input_array, target_array = _inputs_for(loss_name, rng)
    input_array = input_array.astype(np.float32)
    is_classes = loss_name == "cross_entropy"
    target_array = target_array if is_classes else target_array.astype(np.float32)

    ours_input = stepgrad.tensor(input_array, requires_grad=True)
    ours_target = stepgrad.tensor(target_array, requires_grad=not is_classes)
    ours = getattr(F, ours_name)(ours_input, ours_target, reduction=reduction)
    theirs_input = torch.tensor(input_array, requires_grad=True)
    theirs_target = torch.tensor(target_array, requires_grad=not is_classes)
    theirs = getattr(torch.nn.functional, theirs_name)(
        theirs_input, theirs_target, reduction=reduction
    )
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)

    upstream = rng.normal(size=ours.shape).astype(np.float32)
    ours.backward(stepgrad.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(
        ours_input.grad.detach().numpy(), theirs_input.grad.detach().numpy(), rtol=1e-4, atol=1e-6
    )
    if not is_classes:
        np.testing.assert_allclose(
            ours_target.grad.detach().numpy(),
            theirs_target.grad.detach().numpy(),
            rtol=1e-4,
            atol=1e-6,
        )


def test_bce_at_the_clamp_matches_pytorch():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    probabilities = np.array([0.0, 1.0, 1e-30, 0.5], dtype=np.float32)
    targets = np.array([1.0, 0.0, 0.3, 1.0], dtype=np.float32)
    ours_p = stepgrad.tensor(probabilities, requires_grad=True)
    ours = F.binary_cross_entropy(ours_p, stepgrad.tensor(targets), reduction="sum")
    ours.backward()
    theirs_p = torch.tensor(probabilities, requires_grad=True)
    theirs = torch.nn.functional.binary_cross_entropy(
        theirs_p, torch.tensor(targets), reduction="sum"
    )
    theirs.backward()
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)
    np.testing.assert_allclose(
        ours_p.grad.detach().numpy(), theirs_p.grad.detach().numpy(), rtol=1e-6
    )


# --- bad input ----------------------------------------------------------------------


def test_bce_loss_rejects_inputs_outside_zero_one_and_suggests_the_logits_loss():
    with pytest.raises(RuntimeError, match=r"all elements of input should be between 0 and 1"):
        nn.BCELoss()(float32([0.5, 1.5]), float32([1.0, 0.0]))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy_with_logits"):
        nn.BCELoss()(float32([-0.5]), float32([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("bad", [-1e-3, 1.001, np.inf])
def test_bce_loss_rejects_any_input_outside_zero_one_whatever_the_reduction(reduction, bad):
    with pytest.raises(RuntimeError, match=r"all elements of input should be between 0 and 1"):
        nn.BCELoss(reduction=reduction)(float32([0.5, bad]), float32([1.0, 0.0]))


def test_bce_loss_rejects_nan_inputs():
    with pytest.raises(RuntimeError, match=r"all elements of input should be between 0 and 1"):
        nn.BCELoss()(float32([np.nan]), float32([1.0]))


def test_bce_loss_rejects_targets_outside_zero_one():
    with pytest.raises(RuntimeError, match=r"all elements of target should be between 0 and 1"):
        nn.BCELoss()(float32([0.5, 0.5]), float32([1.0, 2.0]))


def test_bce_loss_checks_again_a_target_changed_in_place_after_a_good_call():
    target = float32([1.0, 0.0])
    nn.BCELoss()(float32([0.5, 0.5]), target)
    target.fill_(2.0)
    with pytest.raises(RuntimeError, match=r"all elements of target should be between 0 and 1"):
        nn.BCELoss()(float32([0.5, 0.5]), target)


def test_bce_loss_checks_again_a_target_given_new_data_after_a_good_call():
    target = float32([1.0, 0.0])
    nn.BCELoss()(float32([0.5, 0.5]), target)
    target.data = np.array([1.0, 3.0], dtype=np.float32)
    with pytest.raises(RuntimeError, match=r"all elements of target should be between 0 and 1"):
        nn.BCELoss()(float32([0.5, 0.5]), target)


def test_losses_reject_a_target_of_another_shape_instead_of_broadcasting():
    with pytest.raises(ValueError, match=r"target's shape \(5,\) differs from the input's shape"):
        nn.BCELoss()(float32(np.full((5, 1), 0.5)), float32(np.ones(5)))
    with pytest.raises(ValueError, match=r"target.reshape\(\(5, 1\)\)"):
        nn.MSELoss()(float32(np.zeros((5, 1))), float32(np.ones(5)))


def test_losses_reject_a_target_of_another_dtype():
    with pytest.raises(RuntimeError, match=r"Found dtype float64 but expected float32.*float\(\)"):
        nn.MSELoss()(float32([1.0]), float64([1.0]))


def test_losses_reject_an_integer_input():
    with pytest.raises(RuntimeError, match=r"input must be floating point, got int64"):
        nn.MSELoss()(labels([1]), labels([1]))


def test_losses_reject_inputs_that_are_not_tensors():
    with pytest.raises(TypeError, match=r"target must be a stepgrad Tensor, not list"):
        nn.MSELoss()(float32([1.0]), [1.0])


def test_loss_with_an_unknown_reduction_fails_when_built():
    with pytest.raises(ValueError, match=r"'average' is not a valid value for reduction"):
        nn.MSELoss(reduction="average")


def test_cross_entropy_rejects_float_targets_and_says_to_use_class_indices():
    with pytest.raises(RuntimeError, match=r"expected target dtype to be Long.*class indices"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3))), float32([0.0, 1.0]))


def test_cross_entropy_rejects_a_target_that_is_not_one_index_per_row():
    with pytest.raises(ValueError, match=r"need a target of shape \(2,\), got \(2, 3\)"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3))), labels(np.zeros((2, 3))))
    with pytest.raises(ValueError, match=r"need a target of shape \(2,\), got \(3,\)"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3))), labels([0, 1, 2]))


def test_cross_entropy_rejects_class_indices_out_of_range():
    with pytest.raises(IndexError, match=r"Target 3 is out of bounds.*\[0, 2\]"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3))), labels([0, 3]))
    with pytest.raises(IndexError, match=r"Target -1 is out of bounds"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3))), labels([-1, 0]))


def test_cross_entropy_rejects_logits_with_more_than_two_dimensions():
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\).*got shape \(2, 3, 4\)"):
        nn.CrossEntropyLoss()(float32(np.zeros((2, 3, 4))), labels(np.zeros((2, 4))))


# --- second derivatives (the backward formulas are differentiable) -----------------------

SECOND_ORDER_CASES = {
    "mse": (lambda x, t: F.mse_loss(x, t), lambda rng: rng.normal(size=(3, 2))),
    "bce": (
        lambda x, t: F.binary_cross_entropy(x, t),
        lambda rng: rng.uniform(0.1, 0.9, size=(3, 2)),
    ),
    "bce_with_logits": (
        lambda x, t: F.binary_cross_entropy_with_logits(x, t),
        lambda rng: rng.normal(size=(3, 2)),
    ),
    "cross_entropy": (
        lambda x, t: F.cross_entropy(x, t),
        lambda rng: rng.normal(size=(3, 4)),
    ),
}


def _target_for(name, rng, shape):
    if name == "cross_entropy":
        return labels(rng.integers(0, shape[1], size=shape[0]))
    return float64(rng.uniform(0, 1, size=shape))


def _gradient(loss_fn, x_array, target, create_graph=False):
    x = float64(x_array, requires_grad=True)
    loss_fn(x, target).backward(create_graph=create_graph)
    return x, x.grad


@pytest.mark.parametrize("name", sorted(SECOND_ORDER_CASES))
def test_hessian_vector_product_of_each_loss_matches_finite_differences(rng, name):
    loss_fn, make_input = SECOND_ORDER_CASES[name]
    x_array = make_input(rng)
    target = _target_for(name, rng, x_array.shape)
    direction = rng.normal(size=x_array.shape)

    x, grad = _gradient(loss_fn, x_array, target, create_graph=True)
    x.grad = None
    (grad * float64(direction)).sum().backward()
    hessian_times_direction = x.grad.detach().numpy()

    eps = 1e-6
    _, grad_plus = _gradient(loss_fn, x_array + eps * direction, target)
    _, grad_minus = _gradient(loss_fn, x_array - eps * direction, target)
    expected = (grad_plus.detach().numpy() - grad_minus.detach().numpy()) / (2 * eps)
    np.testing.assert_allclose(hessian_times_direction, expected, rtol=1e-5, atol=1e-7)

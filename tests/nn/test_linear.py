"""nn.Linear: what it computes, PyTorch's initialisation, and the errors for bad input."""

import math

import numpy as np
import pytest
import stepgrad
from stepgrad import nn
from stepgrad.autograd import gradcheck


def test_linear_computes_x_times_w_transposed_plus_b():
    layer = nn.Linear(3, 2)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    expected = x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(stepgrad.tensor(x)).detach().numpy(), expected, rtol=1e-6)


def test_linear_applies_to_the_last_dimension_of_a_batch_of_batches():
    layer = nn.Linear(3, 2)
    assert layer(stepgrad.ones(5, 4, 3)).shape == (5, 4, 2)


def test_linear_holds_weight_out_by_in_and_bias_out():
    layer = nn.Linear(2, 10)
    assert layer.weight.shape == (10, 2)
    assert layer.bias.shape == (10,)
    assert layer.weight.dtype == stepgrad.float32


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((1, 3), dtype=np.float32)
    np.testing.assert_allclose(
        layer(stepgrad.tensor(x)).detach().numpy(), x @ layer.weight.detach().numpy().T
    )


def test_linear_passes_gradcheck_for_input_weight_and_bias():
    layer = nn.Linear(3, 2, dtype=stepgrad.float64)
    x = stepgrad.tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=True)

    def through_layer(x, weight, bias):
        return nn.functional.linear(x, weight, bias)

    assert gradcheck(through_layer, (x, layer.weight, layer.bias))


# --- initialisation ---------------------------------------------------------------------


def test_initial_weights_and_biases_lie_within_one_over_root_fan_in():
    layer = nn.Linear(16, 50)
    bound = 1 / math.sqrt(16)
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_initial_weights_are_spread_uniformly_over_the_whole_interval():
    # Uniform on (-b, b): mean 0, variance b^2 / 3. With n = 250,000 draws the
    # standard error of the mean is b / sqrt(3 n) ~ 0.001 b: the tolerances are ~5 of those.
    stepgrad.manual_seed(0)
    weights = nn.Linear(250, 1000).weight.detach().numpy().astype(np.float64)
    bound = 1 / math.sqrt(250)
    assert abs(weights.mean()) < 0.006 * bound
    assert weights.var() == pytest.approx(bound**2 / 3, rel=0.01)
    assert weights.max() > 0.999 * bound and weights.min() < -0.999 * bound


def test_the_same_seed_builds_the_same_layer():
    stepgrad.manual_seed(7)
    first = nn.Linear(2, 10)
    stepgrad.manual_seed(7)
    second = nn.Linear(2, 10)
    np.testing.assert_array_equal(first.weight.detach().numpy(), second.weight.detach().numpy())
    np.testing.assert_array_equal(first.bias.detach().numpy(), second.bias.detach().numpy())


def test_different_seeds_build_different_layers():
    stepgrad.manual_seed(1)
    first = nn.Linear(2, 10).weight.detach().numpy()
    stepgrad.manual_seed(2)
    assert not np.array_equal(first, nn.Linear(2, 10).weight.detach().numpy())


def test_kaiming_uniform_bound_matches_pytorchs_formula():
    # gain for leaky_relu with slope a: sqrt(2 / (1 + a^2)); bound = gain * sqrt(3 / fan_in)
    a, fan_in = 0.3, 12
    expected = math.sqrt(2 / (1 + a * a)) * math.sqrt(3 / fan_in)
    weight = stepgrad.zeros(5000, fan_in)
    nn.init.kaiming_uniform_(weight, a=a)
    assert np.abs(weight.detach().numpy()).max() == pytest.approx(expected, rel=1e-3)


# --- bad input ----------------------------------------------------------------------------


class TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 10)
        self.fc2 = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc2(self.fc1(x))


def test_wrong_input_width_names_the_layer_and_both_sizes():
    with pytest.raises(
        RuntimeError,
        match=r"Linear layer 'fc1' \(in_features=2\) expects inputs with 2 features .* "
        r"shape \(5, 3\), whose last dimension is 3",
    ):
        TwoLayers()(stepgrad.zeros(5, 3))


def test_wrong_input_width_in_a_nested_model_gives_the_dotted_name():
    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = TwoLayers()

        def forward(self, x):
            return self.body(x)

    with pytest.raises(RuntimeError, match=r"Linear layer 'body.fc1'"):
        Outer()(stepgrad.zeros(5, 3))


def test_wrong_input_width_of_a_lone_layer_suggests_the_matching_layer():
    with pytest.raises(RuntimeError, match=r"or build the layer as Linear\(3, 4\)"):
        nn.Linear(2, 4)(stepgrad.zeros(1, 3))


def test_integer_input_is_rejected_with_the_dtypes_named():
    data = stepgrad.tensor([[2, 4], [5, 7]])  # ints: the classic missing dtype=float32
    with pytest.raises(
        RuntimeError, match=r"float32 weights but got an input of dtype int64.*\.float\(\)"
    ):
        nn.Linear(2, 1)(data)


def test_input_that_is_not_a_tensor_is_rejected():
    with pytest.raises(TypeError, match=r"expects a stepgrad Tensor, got ndarray"):
        nn.Linear(2, 1)(np.zeros((1, 2), dtype=np.float32))


def test_sizes_must_be_whole_numbers():
    with pytest.raises(TypeError, match=r"in_features=...\) must be a whole number >= 0, got 2.5"):
        nn.Linear(2.5, 1)


@pytest.mark.parametrize("shape", [(2,), (4, 2), (3, 4, 2)], ids=["one", "batch", "batches"])
def test_linear_values_and_gradients_match_pytorch(shape):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: parity is skipped")
    theirs = torch.nn.Linear(2, 3)
    ours = nn.Linear(2, 3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    our_x = stepgrad.tensor(x, requires_grad=True)
    their_x = torch.tensor(x, requires_grad=True)
    our_out, their_out = ours(our_x), theirs(their_x)
    np.testing.assert_allclose(our_out.detach().numpy(), their_out.detach().numpy(), rtol=1e-5)
    (our_out * our_out).sum().backward()
    (their_out * their_out).sum().backward()
    np.testing.assert_allclose(our_x.grad.numpy(), their_x.grad.numpy(), rtol=1e-5, atol=1e-6)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(
            getattr(ours, name).grad.numpy(),
            getattr(theirs, name).grad.numpy(),
            rtol=1e-5,
            atol=1e-6,
            err_msg=name,
        )

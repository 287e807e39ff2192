"""Activation layers and Sequential."""

from collections import OrderedDict

import numpy as np
import pytest
import stepgrad
from stepgrad import nn

VALUES = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=np.float64)


@pytest.mark.parametrize(
    "layer, formula",
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (nn.Tanh(), np.tanh),
        (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)),
        (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(axis=1, keepdims=True))),
    ],
    ids=lambda value: type(value).__name__,
)
def test_activation_layer_applies_its_formula(layer, formula):
    np.testing.assert_allclose(layer(stepgrad.tensor(VALUES)).detach().numpy(), formula(VALUES))


def test_activation_layers_have_no_parameters():
    assert list(nn.Sequential(nn.ReLU(), nn.Sigmoid(), nn.Tanh()).parameters()) == []


def test_sequential_feeds_each_output_to_the_next_layer():
    first, second = nn.Linear(2, 3), nn.Linear(3, 1)
    x = stepgrad.tensor([[1.0, -1.0]])
    expected = second(first(x).tanh()).detach().numpy()
    np.testing.assert_allclose(
        nn.Sequential(first, nn.Tanh(), second)(x).detach().numpy(), expected
    )


def test_sequential_names_layers_by_position_or_by_the_given_names():
    numbered = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(numbered.state_dict()) == ["0.weight", "0.bias"]
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]


def test_sequential_indexes_counts_iterates_and_slices_like_a_list():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    assert list(model[1:]) == layers[1:]


def test_sequential_append_adds_a_layer_at_the_end():
    model = nn.Sequential(nn.Linear(2, 3)).append(nn.Sigmoid())
    assert isinstance(model[1], nn.Sigmoid)


def test_sequential_rejects_something_that_is_not_a_module():
    with pytest.raises(TypeError, match=r"entry 1 is a function; use layers such as nn.Linear"):
        nn.Sequential(nn.Linear(2, 3), lambda x: x.tanh())


def test_sequential_index_out_of_range_says_how_many_layers_there_are():
    with pytest.raises(IndexError, match=r"index 5 is out of range for a Sequential of 2"):
        nn.Sequential(nn.Linear(2, 3), nn.ReLU())[5]


def test_relu_repr_shows_inplace_only_when_set():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"

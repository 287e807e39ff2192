"""nn.Parameter marks a plain Tensor; calling a module runs its class's forward."""

import copy

import numpy as np
import pytest
import stepgrad
from stepgrad import nn


def test_a_parameter_is_a_tensor_that_isinstance_recognises_as_a_parameter():
    p = nn.Parameter(stepgrad.ones(2))
    assert isinstance(p, nn.Parameter) and isinstance(p, stepgrad.Tensor)
    assert p.requires_grad and p.is_leaf


def test_an_ordinary_tensor_is_not_a_parameter():
    assert not isinstance(stepgrad.ones(2, requires_grad=True), nn.Parameter)
    assert not isinstance(np.ones(2), nn.Parameter)


def test_a_parameter_shares_the_array_of_the_tensor_it_is_made_from():
    t = stepgrad.zeros(3)
    p = nn.Parameter(t)
    p.data[0] = 5.0
    assert t.data[0] == 5.0


def test_a_deep_copy_of_a_parameter_is_a_parameter_with_its_own_array():
    p = nn.Parameter(stepgrad.ones(2))
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.requires_grad
    q.data += 1
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


def test_parameter_without_data_is_an_empty_float32_parameter():
    p = nn.Parameter()
    assert isinstance(p, nn.Parameter) and p.shape == (0,) and p.dtype == stepgrad.float32


class Double(nn.Module):
    def forward(self, x):
        return x * 2


class Triple(Double):
    def forward(self, x):
        return x * 3


class Inherits(Double):
    pass


@pytest.mark.parametrize(("module", "factor"), [(Double(), 2), (Triple(), 3), (Inherits(), 2)])
def test_calling_a_module_runs_the_forward_its_class_defines_or_inherits(module, factor):
    assert module(stepgrad.tensor([1.0])).item() == factor


def test_a_module_with_a_call_of_its_own_keeps_it():
    class Logged(nn.Module):
        def forward(self, x):
            return x

        def __call__(self, x):
            return "called"

    assert Logged()(stepgrad.ones(1)) == "called"

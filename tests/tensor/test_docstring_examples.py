"""The examples in the tensor engine's docstrings run and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "stepgrad.tensor",
    "stepgrad.ops",
    "stepgrad.creation",
    "stepgrad.dtypes",
    "stepgrad.autograd.function",
    "stepgrad.autograd.grad_mode",
    "stepgrad.functions.broadcast",
    "stepgrad.functions.elementwise",
    "stepgrad.functions.reductions",
    "stepgrad.functions.linalg",
    "stepgrad.functions.shape",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

"""The examples in the docstrings of grad, hooks and anomaly detection run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "stepgrad.autograd.engine",
    "stepgrad.autograd.hooks",
    "stepgrad.autograd.anomaly_mode",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    flags = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

"""Tensors print as PyTorch's do, with ``stepgrad.`` where PyTorch writes ``torch.``."""

import numpy as np
import pytest
import stepgrad


def test_a_leaf_requiring_grad_prints_requires_grad():
    assert repr(stepgrad.tensor([1.0, 2.0], requires_grad=True)) == (
        "tensor([1., 2.], requires_grad=True)"
    )


def test_a_result_prints_its_grad_fn():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"


def test_the_grad_fn_prints_its_name():
    x = stepgrad.tensor(1.0, requires_grad=True)
    assert repr((x + 1).grad_fn) == "<AddBackward>"


def test_str_is_repr():
    t = stepgrad.tensor([0.5])
    assert str(t) == repr(t) == "tensor([0.5000])"


def test_format_spec_formats_a_one_element_tensor_as_its_number():
    assert f"{stepgrad.tensor(0.123456):.2f}" == "0.12"


CASES = {
    "float scalar": lambda m: m.tensor(2.0),
    "integral floats": lambda m: m.tensor([-1.0, 0.0, 10.0]),
    "fractional floats": lambda m: m.tensor([[1.5, 2.0], [3.0, -4.25]]),
    "wide range": lambda m: m.tensor([1e-5, 1.0]),
    "large": lambda m: m.tensor([123456.7, 1.0]),
    "nan and inf": lambda m: m.tensor([1.0, float("nan"), float("inf")]),
    "int64": lambda m: m.tensor([1, 10, -3]),
    "int32": lambda m: m.zeros(3, dtype=m.int32),
    "bool": lambda m: m.tensor([True, False]),
    "float64": lambda m: m.tensor(np.linspace(0, 1, 30)),
    "3-d ints": lambda m: m.tensor(np.arange(24).reshape(2, 3, 4)),
    "summarised": lambda m: m.tensor(np.arange(2000.0).reshape(40, 50)),
    "empty": lambda m: m.tensor([]),
    "empty 2-d": lambda m: m.zeros(0, 3),
    "requires grad float64": lambda m: m.tensor(
        np.arange(6.0).reshape(2, 3) / 7, requires_grad=True
    ),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_repr_matches_pytorch(make):
    torch = pytest.importorskip("torch", reason="PyTorch's repr is the reference; not installed")
    assert repr(make(stepgrad)) == repr(make(torch)).replace("torch.", "stepgrad.")


def test_grad_fn_repr_matches_pytorch_without_the_version_digit():
    torch = pytest.importorskip("torch", reason="PyTorch's repr is the reference; not installed")
    ours = stepgrad.tensor([1.0, 2.0], requires_grad=True).exp().sum()
    theirs = torch.tensor([1.0, 2.0], requires_grad=True).exp().sum()
    assert repr(ours) == repr(theirs).replace("Backward0", "Backward")

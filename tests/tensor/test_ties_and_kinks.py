"""Where a derivative is not defined, stepgrad picks what PyTorch picks."""

import numpy as np
import pytest
import stepgrad
from stepgrad import tensor


def test_max_over_all_elements_shares_the_gradient_among_ties():
    x = tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]


def test_min_over_all_elements_shares_the_gradient_among_ties():
    x = tensor([[0.0, 4.0], [0.0, 0.0]], requires_grad=True)
    x.min().backward()
    np.testing.assert_allclose(x.grad.data, [[1 / 3, 0.0], [1 / 3, 1 / 3]])


def test_max_along_a_dimension_returns_values_and_indices():
    values, indices = tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]).max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype is stepgrad.int64


def test_max_along_a_dimension_sends_the_gradient_to_the_first_winner():
    x = tensor([[7.0, 0.0, 7.0]], requires_grad=True)
    x.max(dim=1).values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0]]


def test_relu_and_abs_have_gradient_zero_at_zero():
    x = tensor([0.0, 0.0], requires_grad=True)
    (x.relu()[0] + x.abs()[1]).backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_clamp_passes_the_gradient_at_its_bounds():
    x = tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clamp(-1.0, 1.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 0.0]


def test_maximum_splits_the_gradient_of_a_tie():
    a = tensor([1.0, 2.0], requires_grad=True)
    b = tensor([1.0, 0.0], requires_grad=True)
    stepgrad.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


CASES = {
    "max ties": (lambda m, x: x.max(), [1.0, 3.0, 3.0, 2.0]),
    "min ties": (lambda m, x: x.min(), [0.0, 4.0, 0.0]),
    "max dim ties": (lambda m, x: x.reshape(1, 3).max(dim=1).values, [7.0, 0.0, 7.0]),
    "relu at 0": (lambda m, x: x.relu(), [0.0, -1.0, 1.0]),
    "abs at 0": (lambda m, x: x.abs(), [0.0, -1.0, 1.0]),
    "clamp at bounds": (lambda m, x: x.clamp(-1.0, 1.0), [-1.0, 1.0, 2.0]),
    "maximum tie": (lambda m, x: m.maximum(x, m.tensor([1.0, 0.0, 5.0])), [1.0, 1.0, 1.0]),
    "sqrt then pow at 1": (lambda m, x: x.sqrt() ** 2, [1.0, 4.0, 9.0]),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_gradients_at_ties_and_kinks_match_pytorch(case):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is the oracle for parity tests; not installed"
    )
    fn, values = case
    ours = tensor(values, requires_grad=True)
    fn(stepgrad, ours).sum().backward()
    theirs = torch.tensor(values, requires_grad=True)
    fn(torch, theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy())

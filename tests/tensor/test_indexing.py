"""Indexing selects as numpy does, and sends each selected element's gradient back to it."""

import numpy as np
import pytest
import stepgrad
from stepgrad import tensor

VALUES = np.arange(12.0).reshape(3, 4)

KEYS = {
    "int": lambda m: 1,
    "negative int": lambda m: -1,
    "slice": lambda m: slice(1, None),
    "int and slice": lambda m: (0, slice(None, None, 2)),
    "None and ellipsis": lambda m: (None, Ellipsis, 1),
    "bool mask tensor": lambda m: m.tensor(VALUES) > 5,
    "bool mask numpy": lambda m: VALUES[:, 0] > 3,
    "int list": lambda m: [2, 0, 2],
    "int tensor": lambda m: m.tensor([2, 0, 2]),
    "int numpy array": lambda m: np.array([1, 1]),
    "int tensors per dim": lambda m: (m.tensor([0, 2]), m.tensor([3, 3])),
}


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_indexing_selects_what_numpy_selects(key):
    np.testing.assert_array_equal(tensor(VALUES)[key(stepgrad)].data, VALUES[_numpy_key(key)])


def _numpy_key(key):
    raw = key(stepgrad)
    if isinstance(raw, tuple):
        return tuple(part.data if isinstance(part, stepgrad.Tensor) else part for part in raw)
    return raw.data if isinstance(raw, stepgrad.Tensor) else raw


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_the_gradient_counts_how_often_each_element_was_selected(key):
    x = tensor(VALUES, requires_grad=True)
    x[key(stepgrad)].sum().backward()
    expected = np.zeros_like(VALUES)
    np.add.at(expected, _numpy_key(key), 1.0)  # an element picked twice gets 2
    np.testing.assert_array_equal(x.grad.data, expected)


def test_repeated_indices_accumulate_their_gradients():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x[tensor([0, 0, 0, 2])] * tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [1.0 + 2.0 + 3.0, 0.0, 4.0]


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_indexing_gradients_match_pytorch(key):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is the oracle for parity tests; not installed"
    )
    weights = np.random.default_rng(0).uniform(size=VALUES[_numpy_key(key)].shape)
    ours = tensor(VALUES, requires_grad=True)
    (ours[key(stepgrad)] * tensor(weights)).sum().backward()
    theirs = torch.tensor(VALUES, requires_grad=True)
    (theirs[key(torch)] * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy())


def test_an_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError, match=r"index 5 is out of bounds"):
        tensor([1.0, 2.0])[5]


def test_iterating_gives_the_rows():
    rows = list(tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]


def test_setitem_writes_into_a_tensor_without_grad():
    t = tensor([1.0, 2.0, 3.0])
    t[t > 1.5] = 0.0
    assert t.tolist() == [1.0, 0.0, 0.0]


class TestJoining:
    def test_cat_joins_along_an_existing_dimension(self):
        joined = stepgrad.cat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])])
        assert joined.tolist() == [[1, 2], [3, 4], [5, 6]]

    def test_stack_joins_along_a_new_dimension(self):
        assert stepgrad.stack([tensor([1, 2]), tensor([3, 4])], dim=1).tolist() == [[1, 3], [2, 4]]

    def test_cat_sends_each_piece_its_part_of_the_gradient(self):
        a = tensor([1.0], requires_grad=True)
        b = tensor([1.0, 1.0], requires_grad=True)
        (stepgrad.cat([a, b]) * tensor([1.0, 2.0, 3.0])).sum().backward()
        assert a.grad.tolist() == [1.0] and b.grad.tolist() == [2.0, 3.0]

    @pytest.mark.parametrize("join", [stepgrad.cat, stepgrad.stack])
    def test_joining_something_other_than_a_list_raises(self, join):
        with pytest.raises(TypeError, match=r"expects a list or tuple of tensors, got Tensor"):
            join(tensor([1.0, 2.0]))

    def test_cat_of_mismatched_shapes_raises(self):
        with pytest.raises(
            ValueError, match=r"dimensions except for the concatenation axis must match"
        ):
            stepgrad.cat([stepgrad.ones(2, 3), stepgrad.ones(2, 4)])

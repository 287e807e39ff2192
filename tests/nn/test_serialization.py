"""stepgrad.save / stepgrad.load of a model's state_dict as an .npz file."""

import numpy as np
import pytest
import stepgrad
from stepgrad import nn, optim
from stepgrad.serialization import load, save

X = stepgrad.tensor([[2, 4], [5, 7], [6, 5], [3, 1], [7, 7]], dtype=stepgrad.float32)
Y = stepgrad.tensor([[0], [1], [1], [0], [1]], dtype=stepgrad.float32)


def build():
    return nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())


def trained_model():
    stepgrad.manual_seed(0)
    model = build()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(20):
        loss = nn.BCELoss()(model(X), Y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_a_saved_and_reloaded_model_predicts_exactly_the_same(tmp_path):
    model = trained_model()
    path = tmp_path / "model.npz"
    save(model.state_dict(), path)
    stepgrad.manual_seed(1)  # the fresh model starts from other weights
    fresh = build()
    fresh.load_state_dict(load(path))
    np.testing.assert_array_equal(fresh(X).detach().numpy(), model(X).detach().numpy())


def test_save_writes_exactly_the_path_given(tmp_path):
    path = tmp_path / "weights.pth"  # PyTorch's usual suffix: no .npz is appended
    save(build().state_dict(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["weights.pth"]


def test_load_returns_the_entries_in_order_with_their_dtypes(tmp_path):
    model = build()
    save(model.state_dict(), tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert list(loaded) == list(model.state_dict())
    assert all(tensor.dtype == stepgrad.float32 for tensor in loaded.values())


def test_the_file_is_a_plain_numpy_archive(tmp_path):
    model = build()
    save(model.state_dict(), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as archive:
        np.testing.assert_array_equal(archive["0.weight"], model[0].weight.detach().numpy())


def test_loading_a_file_from_a_smaller_model_names_the_mis_shaped_entry(tmp_path):
    small = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())
    save(small.state_dict(), tmp_path / "small.npz")
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*\(4, 2\).*\(10, 2\)"):
        build().load_state_dict(load(tmp_path / "small.npz"))


def test_loading_a_file_with_a_missing_entry_names_it(tmp_path):
    state = build().state_dict()
    del state["2.bias"]
    save(state, tmp_path / "partial.npz")
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "2.bias"'):
        build().load_state_dict(load(tmp_path / "partial.npz"))


def test_save_rejects_a_model_and_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"stepgrad.save\(model.state_dict\(\), path\)"):
        save(build(), tmp_path / "m.npz")


def test_save_rejects_an_entry_that_is_not_a_tensor(tmp_path):
    with pytest.raises(TypeError, match=r"entry 'lr' is a float"):
        save({"lr": 0.1}, tmp_path / "m.npz")


def test_load_of_a_file_that_is_not_an_archive_says_so(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not weights")
    with pytest.raises(ValueError, match=r"not a file written by stepgrad.save"):
        load(path)


def test_load_of_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.npz")

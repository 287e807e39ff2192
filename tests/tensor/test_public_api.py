"""The names stepgrad exports are PyTorch's, and the functions equal their methods."""

import copy

import numpy as np
import pytest
import stepgrad

FUNCTIONS_AND_METHODS = {
    "relu": (),
    "sigmoid": (),
    "tanh": (),
    "exp": (),
    "log": (),
    "sqrt": (),
    "abs": (),
    "sum": (),
    "mean": (),
    "max": (),
    "min": (),
    "softmax": (1,),
    "log_softmax": (1,),
    "transpose": (0, 1),
    "unsqueeze": (0,),
    "squeeze": (),
    "flatten": (),
    "clone": (),
    "clamp": (0.6, 0.9),
}


@pytest.mark.parametrize("name, args", FUNCTIONS_AND_METHODS.items(), ids=FUNCTIONS_AND_METHODS)
def test_each_top_level_function_equals_the_tensor_method(name, args):
    x = stepgrad.tensor([[0.5, 1.0], [2.0, 0.25]])
    np.testing.assert_array_equal(
        getattr(stepgrad, name)(x, *args).data, getattr(x, name)(*args).data
    )


def test_the_binary_functions_equal_their_operators():
    a, b = stepgrad.tensor([[1.0, 2.0]]), stepgrad.tensor([[3.0], [4.0]])
    assert stepgrad.add(a, b).tolist() == (a + b).tolist()
    assert stepgrad.sub(a, b).tolist() == (a - b).tolist()
    assert stepgrad.mul(a, b).tolist() == (a * b).tolist()
    assert stepgrad.div(a, b).tolist() == (a / b).tolist()
    assert stepgrad.pow(a, 2).tolist() == (a**2).tolist()
    assert stepgrad.matmul(a, b).tolist() == (a @ b).tolist()


def test_a_top_level_function_given_a_list_says_to_make_a_tensor():
    with pytest.raises(
        TypeError, match=r"expected a Tensor, got list. Make one first with stepgrad.tensor"
    ):
        stepgrad.relu([1.0, -1.0])


def test_the_exported_names_exist_in_pytorch_too():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for names; not installed")
    ours = {name for name in stepgrad.__all__ if not name.startswith("_")}
    # The scalar engine; a numpy Generator (torch's is a torch.Generator); gradcheck
    # is also at the top so that it works for Values (torch has torch.autograd.gradcheck).
    only_ours = {"Value", "default_generator", "gradcheck"}
    assert {name for name in ours - only_ours if not hasattr(torch, name)} == set()


def test_subpackages_are_reachable_after_a_plain_import():
    import stepgrad.nn.linear

    assert stepgrad.nn.Linear is stepgrad.nn.linear.Linear
    assert hasattr(stepgrad.optim, "SGD")


def test_an_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match=r"module 'stepgrad' has no attribute 'nothing'"):
        _ = stepgrad.nothing


def test_deepcopy_of_a_leaf_copies_values_grad_and_requires_grad():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    x.grad = stepgrad.tensor([0.5, 0.5])
    copied = copy.deepcopy(x)
    copied.data[0] = 100.0
    assert x.tolist() == [1.0, 2.0] and copied.requires_grad and copied.grad.tolist() == [0.5, 0.5]


def test_deepcopy_of_a_non_leaf_raises_like_pytorch():
    x = stepgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)

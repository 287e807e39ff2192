"""What every optimizer checks about the parameters it is given."""

import pytest
import stepgrad
from stepgrad import nn, optim


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam])
def test_an_empty_parameter_list_is_rejected(optimizer_class):
    with pytest.raises(ValueError, match=r"optimizer got an empty parameter list"):
        optimizer_class([], lr=0.1)


def test_a_used_up_parameters_generator_is_explained():
    model = nn.Linear(2, 1)
    params = model.parameters()
    list(params)  # something read the generator first
    with pytest.raises(ValueError, match=r"model.parameters\(\) was already used up"):
        optim.SGD(params, lr=0.1)


def test_the_model_itself_is_rejected_with_the_fix():
    with pytest.raises(TypeError, match=r"given the model itself \(Linear\).*model.parameters\(\)"):
        optim.SGD(nn.Linear(2, 1), lr=0.1)


def test_a_single_tensor_is_rejected_with_the_fix():
    with pytest.raises(TypeError, match=r"but got a Tensor; write SGD\(\[tensor\], ...\)"):
        optim.SGD(stepgrad.zeros(2, requires_grad=True), lr=0.1)


def test_something_that_is_not_a_tensor_is_rejected():
    with pytest.raises(
        TypeError, match=r"can only optimize Tensors, but one of the params is float"
    ):
        optim.Adam([stepgrad.zeros(1, requires_grad=True), 0.5])


def test_a_non_leaf_tensor_is_rejected():
    w = stepgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)


def test_a_parameter_in_two_groups_is_rejected():
    w = stepgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"appear in more than one parameter group"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_a_plain_leaf_tensor_can_be_optimized_as_in_pytorch():
    w = stepgrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.5)
    (w * 2).sum().backward()
    optimizer.step()
    assert w.item() == pytest.approx(0.0)


def test_step_returns_the_loss_computed_by_the_closure():
    w = stepgrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == pytest.approx(1.0)
    assert w.item() == pytest.approx(0.8)

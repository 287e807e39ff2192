"""nn.Module: registration, walking a model, modes, state_dict, repr, and errors."""

import numpy as np
import pytest
import stepgrad
from stepgrad import nn

TORCH_REASON = "PyTorch is not installed: parity with it is checked only where it is"


def simple_nn_class(nn_module):
    """The tutorial's model, written once for stepgrad's nn and torch.nn alike."""

    class SimpleNN(nn_module.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn_module.Linear(2, 10)
            self.fc2 = nn_module.Linear(10, 1)
            self.sigmoid = nn_module.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.fc2(self.fc1(x).relu()))

    return SimpleNN


SimpleNN = simple_nn_class(nn)


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(stepgrad.ones(1))
        self.body = SimpleNN()
        self.head = nn.Sequential(nn.Linear(1, 3), nn.Tanh())


SIMPLE_NN_REPR = """SimpleNN(
  (fc1): Linear(in_features=2, out_features=10, bias=True)
  (fc2): Linear(in_features=10, out_features=1, bias=True)
  (sigmoid): Sigmoid()
)"""


# --- finding parameters -------------------------------------------------------------


def test_named_parameters_uses_dotted_names_in_the_order_layers_were_assigned():
    names = [name for name, _ in SimpleNN().named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_named_parameters_of_nested_models_prefix_every_level():
    names = [name for name, _ in Wrapper().named_parameters()]
    assert names == [
        "scale",
        "body.fc1.weight",
        "body.fc1.bias",
        "body.fc2.weight",
        "body.fc2.bias",
        "head.0.weight",
        "head.0.bias",
    ]


def test_named_parameters_match_pytorch_for_the_same_model():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    theirs = [name for name, _ in simple_nn_class(torch.nn)().named_parameters()]
    assert [name for name, _ in SimpleNN().named_parameters()] == theirs


def test_parameters_are_the_layers_own_tensors():
    model = SimpleNN()
    params = list(model.parameters())
    assert params[0] is model.fc1.weight
    assert params[3] is model.fc2.bias
    assert all(p.requires_grad and p.is_leaf for p in params)


def test_a_layer_used_twice_contributes_its_parameters_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2


def test_children_and_modules_walk_the_model_parents_first():
    model = Wrapper()
    assert [type(m).__name__ for m in model.children()] == ["SimpleNN", "Sequential"]
    assert [name for name, _ in model.named_modules()] == [
        "",
        "body",
        "body.fc1",
        "body.fc2",
        "body.sigmoid",
        "head",
        "head.0",
        "head.1",
    ]


def test_assigning_none_over_a_parameter_removes_it_from_parameters():
    layer = nn.Linear(2, 1)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_deleting_a_layer_unregisters_it():
    model = SimpleNN()
    del model.fc2
    assert [name for name, _ in model.named_parameters()] == ["fc1.weight", "fc1.bias"]


def test_plain_attributes_are_not_registered():
    model = SimpleNN()
    model.note = "trained on 5 points"
    model.cache = stepgrad.zeros(3)
    assert "cache" not in dict(model.named_parameters())
    assert "cache" not in model.state_dict()


def test_a_buffer_is_saved_in_state_dict_but_not_trained():
    model = SimpleNN()
    model.register_buffer("steps", stepgrad.zeros(1))
    assert "steps" in model.state_dict()
    assert "steps" not in dict(model.named_parameters())


# --- training helpers ----------------------------------------------------------------


def test_a_module_is_called_like_a_function_and_runs_forward():
    model = SimpleNN()
    x = stepgrad.tensor([[1.0, 2.0]])
    np.testing.assert_array_equal(model(x).detach().numpy(), model.forward(x).detach().numpy())


def test_zero_grad_sets_every_gradient_to_none():
    model = SimpleNN()
    model(stepgrad.ones(3, 2)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_without_set_to_none_fills_gradients_with_zeros():
    model = SimpleNN()
    model(stepgrad.ones(3, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    for param in model.parameters():
        np.testing.assert_array_equal(param.grad.detach().numpy(), np.zeros(param.shape))


def test_a_new_module_is_in_training_mode():
    assert SimpleNN().training


def test_eval_switches_every_submodule_to_evaluation_mode_and_train_back():
    model = Wrapper()
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_requires_grad_false_freezes_every_parameter():
    model = SimpleNN().requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_double_converts_parameters_to_float64():
    model = SimpleNN().double()
    assert all(p.dtype == stepgrad.float64 for p in model.parameters())
    assert model(stepgrad.ones(1, 2, dtype=stepgrad.float64)).dtype == stepgrad.float64


# --- state_dict --------------------------------------------------------------------------


def test_state_dict_lists_every_tensor_by_dotted_name_in_order():
    keys = list(Wrapper().state_dict())
    assert keys == [name for name, _ in Wrapper().named_parameters()]


def test_state_dict_keys_match_pytorch_for_the_same_model():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    assert list(SimpleNN().state_dict()) == list(simple_nn_class(torch.nn)().state_dict())


def test_state_dict_tensors_are_detached_but_share_the_parameters_data():
    model = SimpleNN()
    weight = model.state_dict()["fc1.weight"]
    assert not weight.requires_grad
    model.fc1.weight.data[0, 0] = 42.0
    assert weight.data[0, 0] == 42.0


def test_load_state_dict_copies_values_into_another_model():
    source, target = SimpleNN(), SimpleNN()
    result = target.load_state_dict(source.state_dict())
    for (name, ours), (_, theirs) in zip(target.named_parameters(), source.named_parameters()):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy(), err_msg=name)
    assert result.missing_keys == [] and result.unexpected_keys == []


def test_load_state_dict_keeps_the_parameter_objects_an_optimizer_holds():
    model = SimpleNN()
    weight = model.fc1.weight
    model.load_state_dict(SimpleNN().state_dict())
    assert model.fc1.weight is weight


def test_load_state_dict_accepts_weights_from_a_pytorch_model():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    theirs = simple_nn_class(torch.nn)()
    ours = SimpleNN()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.array([[2.0, 4.0], [5.0, 7.0]], dtype=np.float32)
    np.testing.assert_allclose(
        ours(stepgrad.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
    )


def test_load_state_dict_names_a_missing_entry_and_suggests_strict_false():
    state = SimpleNN().state_dict()
    del state["fc2.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "fc2.bias"') as error:
        SimpleNN().load_state_dict(state)
    assert "strict=False" in str(error.value)
    assert "for SimpleNN" in str(error.value)


def test_load_state_dict_names_an_unexpected_entry():
    state = SimpleNN().state_dict()
    state["fc3.weight"] = stepgrad.zeros(1)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "fc3.weight"'):
        SimpleNN().load_state_dict(state)


def test_load_state_dict_names_a_mis_shaped_entry_with_both_shapes():
    state = SimpleNN().state_dict()
    state["fc1.weight"] = stepgrad.zeros(10, 3)
    with pytest.raises(
        RuntimeError,
        match=r"(?s)size mismatch for fc1.weight: copying a param with shape \(10, 3\) from "
        r"checkpoint, the shape in current model is \(10, 2\).*different layer sizes",
    ):
        SimpleNN().load_state_dict(state)


def test_load_state_dict_leaves_the_model_unchanged_when_it_fails():
    model = SimpleNN()
    before = model.fc1.weight.detach().numpy().copy()
    state = SimpleNN().state_dict()
    state["fc2.weight"] = stepgrad.zeros(3, 3)
    with pytest.raises(RuntimeError):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model.fc1.weight.detach().numpy(), before)


def test_load_state_dict_with_strict_false_reports_what_did_not_match():
    state = SimpleNN().state_dict()
    del state["fc2.bias"]
    state["extra"] = stepgrad.zeros(1)
    result = SimpleNN().load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc2.bias"]
    assert result.unexpected_keys == ["extra"]


def test_load_state_dict_rejects_something_that_is_not_a_mapping():
    with pytest.raises(TypeError, match=r"expects a mapping from names to tensors .*got list"):
        SimpleNN().load_state_dict([1, 2])


# --- repr --------------------------------------------------------------------------------


def test_repr_lists_the_layers_like_pytorch():
    assert repr(SimpleNN()) == SIMPLE_NN_REPR


def test_repr_matches_pytorchs_for_nested_models():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)

    def build(nn_module):
        return nn_module.Sequential(
            nn_module.Linear(2, 3, bias=False),
            nn_module.ReLU(),
            nn_module.Sequential(nn_module.Tanh(), nn_module.Linear(3, 1)),
            nn_module.Sigmoid(),
            nn_module.BCELoss(),
        )

    assert repr(build(nn)) == repr(build(torch.nn))


def test_repr_of_a_parameter_says_parameter_containing():
    assert repr(nn.Parameter(stepgrad.ones(2))).startswith("Parameter containing:\ntensor(")


# --- errors -------------------------------------------------------------------------------


def test_forgetting_super_init_is_reported_when_a_layer_is_assigned():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 1)

    with pytest.raises(
        AttributeError,
        match=r"cannot assign module 'fc' before Module.__init__\(\) call.*"
        r"super\(\).__init__\(\) first thing in Forgetful.__init__",
    ):
        Forgetful()


def test_forgetting_super_init_is_reported_when_parameters_are_asked_for():
    class Forgetful(nn.Module):
        def __init__(self):
            pass

    with pytest.raises(AttributeError, match=r"Module.__init__ never ran.*super\(\).__init__"):
        list(Forgetful().parameters())


def test_a_module_without_forward_says_to_define_it():
    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match=r'\[Empty\] is missing the required "forward"'):
        Empty()(stepgrad.ones(1))


def test_assigning_a_plain_tensor_over_a_parameter_says_to_wrap_it():
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"parameter 'bias' of Linear: wrap it as nn.Parameter"):
        layer.bias = stepgrad.zeros(1)


def test_register_parameter_rejects_a_plain_tensor():
    with pytest.raises(TypeError, match=r"needs an nn.Parameter or None, got Tensor"):
        nn.Module().register_parameter("w", stepgrad.zeros(1))


def test_train_rejects_a_mode_that_is_not_a_bool():
    with pytest.raises(TypeError, match=r"train\(mode\) expects True or False, got 'eval'"):
        SimpleNN().train("eval")


def test_parameters_are_labelled_with_their_dotted_names_for_drawings():
    model = Wrapper()
    assert model.body.fc1.weight.label == "body.fc1.weight"
    assert model.scale.label == "scale"
    assert model.head[0].bias.label == "head.0.bias"


def test_a_lone_layer_labels_its_parameters_by_their_own_names():
    assert nn.Linear(2, 1).weight.label == "weight"


def test_add_module_rejects_something_that_is_not_a_module_and_says_what_to_pass():
    with pytest.raises(
        TypeError, match=r"add_module\('head', \.\.\.\) needs a Module, got int\. Pass a layer"
    ):
        nn.Module().add_module("head", 3)


def test_calculate_gain_names_the_nonlinearities_it_knows():
    with pytest.raises(
        ValueError, match=r"does not know the nonlinearity 'swish'; use 'linear', 'sigmoid'"
    ):
        nn.init.calculate_gain("swish")

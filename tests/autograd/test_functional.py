"""jacobian, jvp and vjp, as torch.autograd.functional.

Truths: Jacobians derived by hand in the tests, central differences on float64
inputs, and PyTorch's own functional API where it is installed.
"""

import doctest

import numpy as np
import pytest
import stepgrad
from stepgrad.autograd import functional
from stepgrad.autograd.functional import jacobian, jvp, vjp

rng = np.random.default_rng(7)
A = rng.normal(size=(3, 4))


def tensor(array):
    return stepgrad.tensor(np.asarray(array, dtype=np.float64))


def numeric_jacobian(f, arrays, h=1e-6):
    """J[i][j] = d(output i)/d(input j) by central differences, as float64 arrays."""

    def outputs(points):
        with stepgrad.no_grad():
            result = f(*[tensor(p) for p in points])
        result = result if isinstance(result, tuple) else (result,)
        return [r.data.astype(np.float64) for r in result]

    base = outputs(arrays)
    blocks = [[np.zeros(out.shape + np.shape(a)) for a in arrays] for out in base]
    for j, a in enumerate(arrays):
        for index in np.ndindex(np.shape(a)):
            plus = [np.array(p, dtype=np.float64) for p in arrays]
            minus = [np.array(p, dtype=np.float64) for p in arrays]
            plus[j][index] += h
            minus[j][index] -= h
            for i, (up, down) in enumerate(zip(outputs(plus), outputs(minus))):
                blocks[i][j][(Ellipsis, *index)] = (up - down) / (2 * h)
    return blocks


# name -> (function written with methods both stepgrad and PyTorch have, input arrays)
CASES = {
    "scalar to scalar": (lambda x: (x * x).exp(), [np.array(0.3)]),
    "vector to scalar": (lambda x: (x * x).sum().tanh(), [rng.normal(size=4)]),
    "vector to vector": (lambda x: x.tanh() * x.sum(), [rng.normal(size=3)]),
    "matrix to vector": (lambda x: x.sigmoid().sum(dim=1), [rng.normal(size=(2, 3))]),
    "matrix to matrix": (lambda x: x @ x.T, [rng.normal(size=(2, 3))]),
    "scalar to matrix": (lambda x: x.expand(2, 3).exp() * x + x * x, [np.array(0.8)]),
}

TWO_INPUTS_TWO_OUTPUTS = (
    lambda x, w: ((x @ w).tanh(), (x * x).sum()),
    [rng.normal(size=(2, 3)), rng.normal(size=(3, 4))],
)


def call(case):
    f, arrays = case
    inputs = tuple(tensor(a) for a in arrays)
    return f, arrays, inputs[0] if len(inputs) == 1 else inputs


# --- jacobian: shapes and conventions ----------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_has_the_output_shape_followed_by_the_input_shape(name):
    f, _arrays, x = call(CASES[name])
    out = f(x)
    assert tuple(jacobian(f, x).shape) == tuple(out.shape) + tuple(x.shape)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_matches_central_differences(name):
    f, arrays, x = call(CASES[name])
    (expected,) = numeric_jacobian(f, arrays)[0]
    assert np.allclose(jacobian(f, x).data, expected, rtol=1e-6, atol=1e-8)


def test_jacobian_of_a_linear_map_is_its_matrix():
    assert np.allclose(jacobian(lambda x: tensor(A) @ x, tensor(np.ones(4))).data, A)


def test_jacobian_of_squaring_each_element_is_diagonal_with_twice_the_input():
    x = np.array([1.0, -2.0, 3.0])
    assert np.array_equal(jacobian(lambda x: x * x, tensor(x)).data, np.diag(2 * x))


def test_jacobian_for_a_tuple_of_inputs_is_a_tuple_over_the_inputs():
    # f(x, y) = x * y (elementwise): d/dx = diag(y), d/dy = diag(x).
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    jx, jy = jacobian(lambda x, y: x * y, (tensor(x), tensor(y)))
    assert np.array_equal(jx.data, np.diag(y)) and np.array_equal(jy.data, np.diag(x))


def test_jacobian_for_a_tuple_of_outputs_is_a_tuple_over_the_outputs():
    # (2x, x.sum()): d/dx = 2 I and a row of ones.
    doubled, total = jacobian(lambda x: (2 * x, x.sum()), tensor([1.0, 2.0, 3.0]))
    assert np.array_equal(doubled.data, 2 * np.eye(3))
    assert np.array_equal(total.data, np.ones(3))


def test_jacobian_for_tuples_of_both_is_indexed_by_output_then_input():
    f, arrays = TWO_INPUTS_TWO_OUTPUTS
    blocks = jacobian(f, tuple(tensor(a) for a in arrays))
    expected = numeric_jacobian(f, arrays)
    for i in range(2):
        for j in range(2):
            assert np.allclose(blocks[i][j].data, expected[i][j], rtol=1e-6, atol=1e-8)


def test_jacobian_block_of_an_output_that_ignores_an_input_is_zeros():
    _jx, jy = jacobian(lambda x, y: x * 2, (tensor([1.0, 2.0]), tensor([5.0])))
    assert np.array_equal(jy.data, np.zeros((2, 1)))


def test_jacobian_of_an_output_that_does_not_require_grad_is_zeros():
    result = jacobian(lambda x: x.detach() * 2, tensor([1.0, 2.0]))
    assert np.array_equal(result.data, np.zeros((2, 2)))


def test_jacobian_keeps_the_inputs_dtype():
    x = stepgrad.tensor([1.0, 2.0])  # float32
    assert jacobian(lambda x: x * x, x).dtype == stepgrad.float32


# --- vjp -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_vjp_is_v_transposed_times_the_jacobian(name):
    f, arrays, x = call(CASES[name])
    J = numeric_jacobian(f, arrays)[0][0]
    out_shape = np.shape(f(x).data)
    v = rng.normal(size=out_shape)
    expected = np.tensordot(v, J, axes=len(out_shape))
    output, product = vjp(f, x, tensor(v))
    assert np.allclose(product.data, expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(output.data, f(x).data)


def test_vjp_of_a_scalar_output_with_v_none_is_the_gradient():
    # d/dx sum(x^3) = 3x^2
    x = np.array([1.0, -2.0, 0.5])
    _, gradient = vjp(lambda x: (x**3).sum(), tensor(x))
    assert np.allclose(gradient.data, 3 * x**2)


def test_vjp_for_tuples_has_one_product_per_input():
    f, arrays = TWO_INPUTS_TWO_OUTPUTS
    inputs = tuple(tensor(a) for a in arrays)
    v = (tensor(rng.normal(size=(2, 4))), tensor(1.5))
    outputs, products = vjp(f, inputs, v)
    J = numeric_jacobian(f, arrays)
    assert isinstance(outputs, tuple) and isinstance(products, tuple) and len(products) == 2
    for j in range(2):
        expected = np.tensordot(v[0].data, J[0][j], axes=2) + v[1].data * J[1][j]
        assert np.allclose(products[j].data, expected, rtol=1e-6, atol=1e-8)


def test_vjp_returns_outputs_cut_from_the_graph():
    output, product = vjp(lambda x: (x * x).sum(), tensor([1.0, 2.0]))
    assert output.grad_fn is None and not output.requires_grad
    assert product.grad_fn is None and not product.requires_grad


def test_vjp_with_respect_to_an_input_the_output_ignores_is_zeros():
    _, (_dx, dy) = vjp(lambda x, y: x.sum(), (tensor([1.0]), tensor([2.0, 3.0])))
    assert np.array_equal(dy.data, [0.0, 0.0])


# --- jvp -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_is_the_jacobian_times_v(name):
    f, arrays, x = call(CASES[name])
    J = numeric_jacobian(f, arrays)[0][0]
    v = rng.normal(size=np.shape(arrays[0]))
    expected = np.tensordot(J, v, axes=np.ndim(v))
    _output, product = jvp(f, x, tensor(v))
    assert np.allclose(product.data, expected, rtol=1e-6, atol=1e-8)
    assert tuple(product.shape) == tuple(f(x).shape)


def test_jvp_of_a_one_number_input_with_v_none_is_the_derivative():
    # d/dx (x^2 e^x) = (2x + x^2) e^x
    x = 0.7
    _, product = jvp(lambda x: x * x * x.exp(), tensor(x))
    assert product.item() == pytest.approx((2 * x + x**2) * np.exp(x))


def test_jvp_of_the_identity_is_v():
    v = tensor([3.0, -1.0])
    _, product = jvp(lambda x: x, tensor([1.0, 2.0]), v)
    assert np.array_equal(product.data, v.data)


def test_jvp_for_tuples_has_one_product_per_output():
    f, arrays = TWO_INPUTS_TWO_OUTPUTS
    inputs = tuple(tensor(a) for a in arrays)
    v = tuple(tensor(rng.normal(size=np.shape(a))) for a in arrays)
    _, products = jvp(f, inputs, v)
    J = numeric_jacobian(f, arrays)
    for i in range(2):
        expected = sum(np.tensordot(J[i][j], v[j].data, axes=2) for j in range(2))
        assert np.allclose(products[i].data, expected, rtol=1e-6, atol=1e-8)


def test_jvp_of_an_output_that_ignores_the_inputs_is_zeros():
    _, (moving, still) = jvp(lambda x: (x * 3, x.detach()), tensor([1.0, 2.0]), tensor([1.0, 1.0]))
    assert np.array_equal(moving.data, [3.0, 3.0]) and np.array_equal(still.data, [0.0, 0.0])


# --- side effects --------------------------------------------------------------------------


@pytest.mark.parametrize("function", [jacobian, jvp, vjp], ids=lambda f: f.__name__)
def test_the_callers_input_keeps_its_values_and_gets_no_grad(function):
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    arguments = (x,) if function is jacobian else (x, stepgrad.tensor([1.0, 1.0]))
    function(lambda x: x * x, *arguments)
    assert x.grad is None and x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("function", [jacobian, jvp, vjp], ids=lambda f: f.__name__)
def test_parameters_the_function_uses_keep_the_grad_they_had(function):
    weight = stepgrad.tensor([2.0, 3.0], requires_grad=True)
    weight.grad = stepgrad.tensor([10.0, 20.0])
    x = stepgrad.tensor([1.0, 2.0])
    arguments = (x,) if function is jacobian else (x, stepgrad.tensor([1.0, 1.0]))
    function(lambda x: (x * weight).tanh(), *arguments)
    assert weight.grad.tolist() == [10.0, 20.0]


# --- against PyTorch -----------------------------------------------------------------------


def torch_functional():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the functional API")
    from torch.autograd import functional

    return torch, functional


def as_numpy(result):
    if isinstance(result, tuple):
        return tuple(as_numpy(r) for r in result)
    return np.asarray(result.detach().numpy() if hasattr(result, "detach") else result.data)


def assert_same(mine, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(mine, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert_same(m, t)
        return
    assert not isinstance(mine, tuple)
    assert mine.shape == theirs.shape
    assert np.allclose(mine, theirs, rtol=1e-10, atol=1e-12)


ALL_CASES = {**CASES, "two inputs, two outputs": TWO_INPUTS_TWO_OUTPUTS}


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_jacobian_matches_pytorch_in_values_shapes_and_nesting(name):
    torch, functional = torch_functional()
    f, arrays = ALL_CASES[name]
    mine = jacobian(f, tuple(tensor(a) for a in arrays))
    theirs = functional.jacobian(f, tuple(torch.tensor(a) for a in arrays))
    assert_same(as_numpy(mine), as_numpy(theirs))


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_jvp_and_vjp_match_pytorch(name):
    torch, functional = torch_functional()
    f, arrays = ALL_CASES[name]
    mine_inputs = tuple(tensor(a) for a in arrays)
    torch_inputs = tuple(torch.tensor(a) for a in arrays)
    outputs = f(*torch_inputs)
    outputs_tuple = outputs if isinstance(outputs, tuple) else (outputs,)
    u = tuple(rng.normal(size=tuple(o.shape)) for o in outputs_tuple)
    v = tuple(rng.normal(size=np.shape(a)) for a in arrays)
    if not isinstance(outputs, tuple):
        u = u[0]
    if len(arrays) == 1:  # a single tensor, not a tuple, as most callers pass it
        mine_inputs, torch_inputs, v = mine_inputs[0], torch_inputs[0], v[0]

    def pair(vectors, make):
        return tuple(make(a) for a in vectors) if isinstance(vectors, tuple) else make(vectors)

    mine = vjp(f, mine_inputs, pair(u, tensor))
    theirs = functional.vjp(f, torch_inputs, pair(u, torch.tensor))
    assert_same(as_numpy(mine), as_numpy(theirs))
    mine = jvp(f, mine_inputs, pair(v, tensor))
    theirs = functional.jvp(f, torch_inputs, pair(v, torch.tensor))
    assert_same(as_numpy(mine), as_numpy(theirs))


# --- errors --------------------------------------------------------------------------------


def test_inputs_given_as_a_list_say_to_pass_a_tensor_or_a_tuple():
    with pytest.raises(TypeError, match=r"jacobian: the inputs must be a Tensor or a tuple"):
        jacobian(lambda x: x, [tensor([1.0])])


def test_a_number_among_the_inputs_is_named_by_its_position():
    with pytest.raises(TypeError, match=r"got float \(item 1 of the tuple\)"):
        vjp(lambda x, y: x, (tensor([1.0]), 2.0), tensor([1.0]))


def test_a_function_that_returns_a_number_is_refused():
    with pytest.raises(TypeError, match="outputs of the function must be a Tensor"):
        jacobian(lambda x: 3.0, tensor([1.0]))


def test_vjp_needs_v_when_the_output_has_several_numbers():
    with pytest.raises(
        RuntimeError, match=r"v can only be None .* Pass v with the shape\(s\) \(2,\)"
    ):
        vjp(lambda x: x * 2, tensor([1.0, 2.0]))


def test_jvp_needs_v_when_the_input_has_several_numbers():
    with pytest.raises(RuntimeError, match="v can only be None when the inputs"):
        jvp(lambda x: x.sum(), tensor([1.0, 2.0]))


def test_v_of_the_wrong_shape_is_refused_with_both_shapes():
    with pytest.raises(RuntimeError, match=r"mismatch in shape: v has .*\(3,\).* have \(2,\)"):
        vjp(lambda x: x * 2, tensor([1.0, 2.0]), tensor([1.0, 1.0, 1.0]))


def test_v_with_one_tensor_too_few_is_refused():
    with pytest.raises(RuntimeError, match="one tensor for each"):
        jvp(lambda x, y: x * y, (tensor([1.0]), tensor([2.0])), (tensor([1.0]),))


def test_create_graph_is_refused_with_what_to_do_instead():
    with pytest.raises(NotImplementedError, match=r"backward\(create_graph=True\) yourself"):
        jacobian(lambda x: x * x, tensor([1.0]), create_graph=True)


def test_forward_mode_strategy_is_refused_with_the_alternatives():
    with pytest.raises(ValueError, match="reverse mode only"):
        jacobian(lambda x: x * x, tensor([1.0]), strategy="forward-mode")


def test_strict_jacobian_names_the_output_and_the_input_it_ignores():
    with pytest.raises(RuntimeError, match="output 0 of the function does not depend on input 1"):
        jacobian(lambda x, y: x * 2, (tensor([1.0]), tensor([1.0])), strict=True)


def test_strict_vjp_refuses_an_output_cut_from_the_graph():
    with pytest.raises(RuntimeError, match="output 0 of the function does not require grad"):
        vjp(lambda x: x.detach().sum(), tensor([1.0]), strict=True)


def test_strict_vjp_names_an_input_the_outputs_ignore():
    with pytest.raises(RuntimeError, match="do not depend on input 1"):
        vjp(lambda x, y: x.sum(), (tensor([1.0]), tensor([1.0])), strict=True)


def test_strict_jvp_refuses_an_output_cut_from_the_graph():
    with pytest.raises(RuntimeError, match="output 1 of the function does not require grad"):
        jvp(lambda x: (x * 2, x.detach()), tensor([1.0]), tensor([1.0]), strict=True)


def test_the_docstring_examples_run():
    result = doctest.testmod(functional)
    assert result.attempted > 0 and result.failed == 0

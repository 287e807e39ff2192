"""Making tensors and keeping dtypes, with PyTorch's rules."""

import numpy as np
import pytest
import stepgrad
from stepgrad import tensor


class TestTensorFunction:
    def test_python_floats_give_float32(self):
        assert tensor([1.0, 2.0]).dtype == stepgrad.float32
        assert tensor(2.5).dtype is stepgrad.float32

    def test_python_ints_give_int64_and_bools_give_bool(self):
        assert tensor([[1, 2], [3, 4]]).dtype is stepgrad.int64
        assert tensor([True, False]).dtype is stepgrad.bool

    @pytest.mark.parametrize("numpy_dtype", [np.float64, np.float32, np.int32, np.int64, np.bool_])
    def test_a_numpy_array_keeps_its_dtype(self, numpy_dtype):
        assert tensor(np.zeros(3, dtype=numpy_dtype)).data.dtype == numpy_dtype

    def test_the_dtype_argument_converts(self):
        t = tensor([[2, 4], [5, 7]], dtype=stepgrad.float32)
        assert t.dtype is stepgrad.float32 and t.tolist() == [[2.0, 4.0], [5.0, 7.0]]

    def test_dtype_accepts_numpy_dtypes_and_python_types_as_pytorch_does(self):
        assert tensor([1], dtype=np.float64).dtype is stepgrad.float64
        assert tensor([1], dtype=float).dtype is stepgrad.float64  # torch: float means double
        assert tensor([1.7], dtype=int).dtype is stepgrad.int64

    def test_an_unknown_dtype_raises(self):
        with pytest.raises(TypeError, match=r"dtype='float8' is not a dtype stepgrad knows"):
            tensor([1.0], dtype="float8")

    def test_tensor_copies_a_numpy_array(self):
        source = np.array([1.0, 2.0])
        t = tensor(source)
        source[0] = 100.0
        assert t.tolist() == [1.0, 2.0]

    def test_from_numpy_shares_memory(self):
        source = np.array([1.0, 2.0])
        t = stepgrad.from_numpy(source)
        source[0] = 100.0
        assert t.tolist() == [100.0, 2.0]

    def test_a_list_of_one_element_tensors_becomes_a_tensor(self):
        assert tensor([tensor(1.0), tensor(2.0)]).tolist() == [1.0, 2.0]

    def test_data_that_is_not_numbers_raises(self):
        with pytest.raises(TypeError, match=r"could not make a tensor from str 'abc'"):
            tensor("abc")

    def test_requires_grad_makes_a_leaf_that_requires_grad(self):
        t = tensor([1.0], requires_grad=True)
        assert t.requires_grad and t.is_leaf and t.grad is None

    def test_dtype_reprs_name_stepgrad(self):
        assert repr(stepgrad.float32) == "stepgrad.float32"
        assert repr(tensor([1]).dtype) == "stepgrad.int64"
        assert stepgrad.float is stepgrad.float32 and stepgrad.long is stepgrad.int64


class TestCreationFunctions:
    @pytest.mark.parametrize("make", [stepgrad.zeros, stepgrad.ones, stepgrad.randn, stepgrad.rand])
    def test_sizes_as_arguments_or_a_tuple_give_float32(self, make):
        assert make(2, 3).shape == make((2, 3)).shape == (2, 3)
        assert make(2).dtype is stepgrad.float32

    def test_zeros_and_ones_hold_zeros_and_ones(self):
        assert stepgrad.zeros(2).tolist() == [0.0, 0.0]
        assert stepgrad.ones(2, dtype=stepgrad.int64).tolist() == [1, 1]

    def test_like_functions_keep_shape_and_dtype(self):
        source = tensor([[1, 2, 3]])
        assert stepgrad.zeros_like(source).tolist() == [[0, 0, 0]]
        assert stepgrad.ones_like(source).dtype is stepgrad.int64
        assert stepgrad.ones_like(tensor([1.0]), requires_grad=True).requires_grad

    def test_arange_counts_in_int64_or_float32(self):
        assert stepgrad.arange(4).tolist() == [0, 1, 2, 3]
        assert stepgrad.arange(4).dtype is stepgrad.int64
        assert stepgrad.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
        assert stepgrad.arange(0.0, 1.0, 0.5).dtype is stepgrad.float32

    def test_rand_draws_from_zero_to_one(self):
        values = stepgrad.rand(1000).data
        assert values.min() >= 0.0 and values.max() < 1.0

    def test_randn_draws_mean_zero_unit_variance(self):
        values = stepgrad.randn(20_000, dtype=stepgrad.float64).data
        assert abs(values.mean()) < 0.05 and abs(values.std() - 1) < 0.05

    def test_manual_seed_makes_draws_reproducible(self):
        stepgrad.manual_seed(3)
        first = stepgrad.randn(4).tolist() + stepgrad.rand(2).tolist()
        stepgrad.manual_seed(3)
        assert stepgrad.randn(4).tolist() + stepgrad.rand(2).tolist() == first

    def test_manual_seed_reseeds_the_generator_other_modules_hold(self):
        held = stepgrad.default_generator
        stepgrad.manual_seed(5)
        first = held.random()
        stepgrad.manual_seed(5)
        assert stepgrad.default_generator is held and held.random() == first

    @pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
    def test_manual_seed_rejects_what_is_not_a_non_negative_integer(self, seed):
        with pytest.raises(ValueError, match=r"manual_seed expects a non-negative integer"):
            stepgrad.manual_seed(seed)


class TestConversions:
    def test_item_gives_the_python_number(self):
        assert tensor([[4.0]]).item() == 4.0 and isinstance(tensor(3).item(), int)

    def test_item_of_several_elements_raises_like_pytorch(self):
        with pytest.raises(
            RuntimeError, match=r"a Tensor with 2 elements cannot be converted to Scalar"
        ):
            tensor([1.0, 2.0]).item()

    def test_tolist_gives_nested_python_lists(self):
        assert tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]

    def test_numpy_shares_the_array(self):
        t = tensor([1.0, 2.0])
        assert t.numpy() is t.data

    def test_numpy_of_a_tensor_requiring_grad_raises_like_pytorch(self):
        with pytest.raises(
            RuntimeError,
            match=r"Can't call numpy\(\) on Tensor that requires grad.*tensor.detach\(\).numpy\(\)",
        ):
            tensor([1.0], requires_grad=True).numpy()

    def test_float_converts_to_float32_and_keeps_the_gradient_path(self):
        x = tensor([1.0], dtype=stepgrad.float64, requires_grad=True)
        y = x.float()
        assert y.dtype is stepgrad.float32
        (y * 3).sum().backward()
        assert x.grad.dtype is stepgrad.float64 and x.grad.tolist() == [3.0]

    def test_bool_tensors_become_floats_for_accuracy(self):
        predictions = (tensor([[0.7], [0.2]]) > 0.5).float()
        assert predictions.dtype is stepgrad.float32
        assert (predictions == tensor([[1.0], [1.0]])).float().mean().item() == 0.5

    def test_bool_of_several_elements_raises_like_pytorch(self):
        with pytest.raises(
            RuntimeError, match=r"Boolean value of Tensor with more than one value is ambiguous"
        ):
            bool(tensor([1.0, 2.0]))

    def test_shape_attributes(self):
        t = tensor(np.zeros((2, 3, 4)))
        assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4) and t.size(1) == 3
        assert t.ndim == t.dim() == 3 and t.numel() == 24 and len(t) == 2


class TestDtypesAreKept:
    def test_float32_operations_stay_float32_and_so_do_their_gradients(self):
        x = tensor([[0.5, -1.0]], requires_grad=True)
        w = tensor([[0.1], [0.2]], requires_grad=True)
        y = ((x @ w).sigmoid() * 2.0 + 1 - x.exp() / 3.0) ** 2
        assert y.dtype is stepgrad.float32
        y.sum().backward()
        assert x.grad.dtype is stepgrad.float32 and w.grad.dtype is stepgrad.float32

    @pytest.mark.parametrize(
        "op",
        [
            lambda t: t * 2.5,
            lambda t: 2.5 * t,
            lambda t: t + 0.1,
            lambda t: t / 3.0,
            lambda t: 1.0 - t,
            lambda t: t**0.5,
            lambda t: t.sigmoid() * 0.5,
            lambda t: t.mean() * 100.0,
        ],
        ids=["mul", "rmul", "add", "div", "rsub", "pow", "sigmoid", "mean"],
    )
    @pytest.mark.parametrize("grad_mode", [True, False], ids=["recording", "no_grad"])
    def test_a_python_float_does_not_promote_a_0_d_float32(self, op, grad_mode):
        # On numpy 1.x, a 0-d float32 array times a Python float is float64.
        with stepgrad.set_grad_enabled(grad_mode):
            assert op(tensor(4.0, requires_grad=True)).dtype is stepgrad.float32

    def test_integer_tensors_with_float_numbers_give_float32_as_pytorch(self):
        assert (tensor([1, 2]) * 2.5).dtype is stepgrad.float32
        assert (tensor([1, 2]) / 2).dtype is stepgrad.float32
        assert tensor([1, 2]).exp().dtype is stepgrad.float32

    def test_integer_arithmetic_stays_integer(self):
        assert (tensor([1, 2]) + 1).dtype is stepgrad.int64
        assert (tensor([1, 2]) * tensor([3, 4])).tolist() == [3, 8]

    def test_mixing_float32_and_float64_tensors_gives_float64(self):
        assert (tensor([1.0]) + tensor([1.0], dtype=stepgrad.float64)).dtype is stepgrad.float64

    def test_comparisons_give_bool_tensors_without_grad(self):
        x = tensor([1.0, 2.0, 3.0], requires_grad=True)
        for result in (x > 2, x < 2, x >= 2, x <= 2, x == 2, x != 2):
            assert result.dtype is stepgrad.bool and not result.requires_grad
        assert (x > 1.5).tolist() == [False, True, True]
        assert (x == tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]

    def test_mean_of_an_integer_tensor_raises_like_pytorch(self):
        with pytest.raises(
            RuntimeError, match=r"mean\(\): could not infer output dtype.*\.float\(\)"
        ):
            tensor([1, 2]).mean()


class TestRandomFillInPlace:
    def test_uniform_fills_within_the_bounds_and_keeps_the_dtype(self):
        t = stepgrad.zeros(1000).uniform_(-0.5, 0.25)
        assert t.data.min() >= -0.5 and t.data.max() < 0.25 and t.dtype is stepgrad.float32

    def test_normal_fills_with_the_given_mean_and_std(self):
        t = stepgrad.zeros(20_000, dtype=stepgrad.float64).normal_(3.0, 0.5)
        assert abs(t.data.mean() - 3.0) < 0.02 and abs(t.data.std() - 0.5) < 0.02

    def test_fills_follow_manual_seed(self):
        stepgrad.manual_seed(7)
        first = stepgrad.zeros(3).uniform_().tolist()
        stepgrad.manual_seed(7)
        assert stepgrad.zeros(3).uniform_().tolist() == first

    def test_filling_a_parameter_needs_no_grad(self):
        w = stepgrad.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"leaf Variable that requires grad.*\(uniform_\)"):
            w.uniform_()
        with stepgrad.no_grad():
            w.uniform_()
        assert w.requires_grad and w.is_leaf


def test_ragged_nested_lists_raise_a_clear_error():
    with pytest.raises(ValueError, match=r"nested lists must be rectangular"):
        tensor([[1, 2], [3]])


def test_from_numpy_rejects_a_list_and_points_to_tensor():
    with pytest.raises(
        TypeError, match=r"from_numpy expects a numpy array, got list\. Use stepgrad\.tensor"
    ):
        stepgrad.from_numpy([1.0, 2.0])


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_joining_an_empty_list_says_the_list_was_empty(join):
    with pytest.raises(
        ValueError, match=join + r"\(\) expects a non-empty list of tensors, got an empty one"
    ):
        getattr(stepgrad, join)([])


def test_clamp_without_bounds_says_it_needs_min_or_max():
    with pytest.raises(ValueError, match=r"clamp needs at least one of min and max"):
        tensor([1.0, 2.0]).clamp()

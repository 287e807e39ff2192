"""graph_memory: the nodes of a graph and the bytes of the arrays they keep for backward.

Truths: counts made by hand in each test from what each operation's backward
needs, and PyTorch's saved-tensor hooks where PyTorch is installed.
"""

import doctest

import numpy as np
import pytest
import stepgrad
from stepgrad import Value, nn
from stepgrad.autograd import Function
from stepgrad.autograd import memory as memory_module
from stepgrad.autograd.memory import GraphMemory, graph_memory


def float32_leaf(*shape):
    return stepgrad.ones(*shape, requires_grad=True)


def test_a_leaf_holds_no_graph():
    assert graph_memory(float32_leaf(3)) == GraphMemory(0, 0, 0, 0)


def test_hand_count_of_a_small_graph():
    # y = x * w keeps x and w (12 bytes each: 3 float32); z = tanh(y) keeps its output
    # z (12 bytes); s = z.sum() keeps only a shape. 3 nodes, 3 arrays, 36 bytes, of which
    # z alone was computed by the forward pass (x and w are leaves).
    x, w = float32_leaf(3), float32_leaf(3)
    s = (x * w).tanh().sum()
    expected = GraphMemory(nodes=3, saved_arrays=3, saved_bytes=36, activation_bytes=12)
    assert graph_memory(s) == expected


def test_an_array_kept_by_several_nodes_counts_once():
    # a = x * x keeps x (twice, one array); b = a * x keeps a and x: arrays x and a.
    x = float32_leaf(4)
    a = x * x
    b = a * x
    assert graph_memory(b) == GraphMemory(2, saved_arrays=2, saved_bytes=32, activation_bytes=16)


def test_float64_numbers_weigh_eight_bytes_each():
    x = stepgrad.ones(5, dtype=stepgrad.float64, requires_grad=True)
    assert graph_memory(x.exp()).saved_bytes == 5 * 8  # exp keeps its output


def test_a_view_counts_as_the_whole_array_it_keeps_alive():
    # x[0] is a view into x's 10 x 10 array: Mul keeps that view, so all 400 bytes
    # stay alive, plus w (40 bytes). Indexing itself keeps no array.
    x, w = float32_leaf(10, 10), float32_leaf(10)
    assert graph_memory(x[0] * w) == GraphMemory(2, 2, saved_bytes=440, activation_bytes=0)


def test_a_linear_layer_keeps_its_input_and_its_weight():
    # Linear(4, 3) on a batch of 5: input 5 x 4 (80 bytes), weight 3 x 4 (48 bytes),
    # both leaves: no activation yet.
    layer = nn.Linear(4, 3)
    memory = graph_memory(layer(stepgrad.ones(5, 4)))
    assert memory == GraphMemory(nodes=1, saved_arrays=2, saved_bytes=80 + 48, activation_bytes=0)


def test_arrays_that_forward_sets_on_ctx_count_too():
    # max() keeps, as ctx.share, how the gradient is shared among the maxima: 4 float32.
    x = float32_leaf(4)
    assert graph_memory(x.max()) == GraphMemory(1, 1, saved_bytes=16, activation_bytes=16)


def test_arrays_a_custom_function_saves_count():
    class TimesCube(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a, a * a)  # a (input) and a new array a²
            return a**3

        @staticmethod
        def backward(ctx, grad):
            _a, square = ctx.saved_tensors
            return grad * 3 * square

    x = float32_leaf(6)
    assert graph_memory(TimesCube.apply(x)) == GraphMemory(1, 2, 2 * 24, activation_bytes=24)


def test_a_chain_of_tanh_keeps_one_output_per_layer():
    x = float32_leaf(100)
    y = x
    for _ in range(7):
        y = y.tanh()
    assert graph_memory(y) == GraphMemory(7, 7, saved_bytes=7 * 400, activation_bytes=7 * 400)


def test_a_deep_chain_is_measured_without_recursion():
    x = float32_leaf(1)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    assert graph_memory(y).nodes == 5000


def test_under_no_grad_nothing_is_recorded():
    x = float32_leaf(3)
    with stepgrad.no_grad():
        y = (x * x).tanh().sum()
    assert graph_memory(y) == GraphMemory(0, 0, 0, 0)


def test_detach_cuts_the_graph_before_it():
    # Only the Mul after the cut remains: it keeps the detached array (12 bytes) and w.
    # The detached tensor is a leaf of this graph.
    x, w = float32_leaf(3), float32_leaf(3)
    cut = (x * x).tanh().detach()
    assert graph_memory(cut * w) == GraphMemory(1, 2, saved_bytes=24, activation_bytes=0)


def test_backward_frees_the_saved_arrays_but_not_the_nodes():
    x, w = float32_leaf(3), float32_leaf(3)
    s = (x * w).tanh().sum()
    s.backward()
    assert graph_memory(s) == GraphMemory(
        nodes=3, saved_arrays=0, saved_bytes=0, activation_bytes=0
    )


def test_retain_graph_keeps_the_saved_arrays():
    x, w = float32_leaf(3), float32_leaf(3)
    s = (x * w).tanh().sum()
    s.backward(retain_graph=True)
    assert graph_memory(s).saved_bytes == 36


def test_measuring_does_not_change_what_backward_computes():
    x = stepgrad.tensor([0.5, -1.0], requires_grad=True)
    y = (x * x).tanh().sum()
    graph_memory(y)
    y.backward()
    # d/dx tanh(x²) = (1 - tanh(x²)²) 2x
    expected = (1 - np.tanh(x.data**2) ** 2) * 2 * x.data
    assert np.allclose(x.grad.data, expected)


def test_the_saved_bytes_of_a_small_network_match_pytorchs_saved_tensors():
    torch = pytest.importorskip("torch", reason="PyTorch's saved-tensor hooks are the oracle")
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=shape).astype(np.float32) for shape in [(8, 5), (6, 5), (1, 6)]]
    bias = np.zeros(6, np.float32)

    def network(F, x, w1, b1, w2):
        hidden = F.linear(x, w1, b1).tanh()
        return (F.linear(hidden, w2).sigmoid() * hidden[:, :1]).exp().sum()

    storages = {}

    def pack(t):
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    def leaf(module, a):
        return module.tensor(a, requires_grad=True)

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        x, w1, w2 = (leaf(torch, a) for a in arrays)
        network(torch.nn.functional, x, w1, leaf(torch, bias), w2)
    x, w1, w2 = (leaf(stepgrad, a) for a in arrays)
    mine = graph_memory(network(nn.functional, x, w1, leaf(stepgrad, bias), w2))
    assert (mine.saved_arrays, mine.saved_bytes) == (len(storages), sum(storages.values()))


def test_activations_grow_with_the_batch_and_parameters_do_not():
    # Linear(8, 8) then tanh: weight 256 bytes; per sample the input (a leaf, 32 bytes)
    # and tanh's output (an activation, 32 bytes).
    layer = nn.Linear(8, 8)
    for batch in (1, 10, 100):
        memory = graph_memory(layer(stepgrad.ones(batch, 8)).tanh())
        assert memory.saved_bytes == 256 + 64 * batch
        assert memory.activation_bytes == 32 * batch


def test_the_docstring_example_runs():
    result = doctest.testmod(memory_module)
    assert result.attempted > 0 and result.failed == 0


def test_a_value_is_refused_with_a_reason():
    with pytest.raises(TypeError, match="Values of the scalar engine keep no arrays"):
        graph_memory(Value(1.0))


def test_a_numpy_array_is_refused():
    with pytest.raises(TypeError, match="graph_memory needs a Tensor"):
        graph_memory(np.ones(3))

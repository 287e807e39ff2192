"""backward() on Values: shared nodes, accumulation, zero_grad, and very deep graphs."""

import math
import sys

import pytest
from stepgrad import Value, gradcheck


def test_a_value_used_twice_receives_both_contributions():
    x = Value(3.0)
    y = x * x  # dy/dx = x + x: one contribution through each side of the product
    y.backward()
    assert x.grad == 6.0


def test_a_shared_intermediate_node_passes_on_the_sum_of_what_reached_it():
    x = Value(0.5)
    h = x * 2.0
    y = h.tanh() + h.exp()  # h feeds two operations
    y.backward()
    dy_dh = (1 - math.tanh(1.0) ** 2) + math.exp(1.0)
    assert h.grad == pytest.approx(dy_dh, rel=1e-12)
    assert x.grad == pytest.approx(2 * dy_dh, rel=1e-12)
    assert gradcheck(lambda x: (x * 2.0).tanh() + (x * 2.0).exp(), (x,))


def test_backward_fills_every_node_of_the_graph_not_only_the_leaves():
    x = Value(2.0)
    u = x * 3.0
    y = u**2
    y.backward()
    assert (y.grad, u.grad, x.grad) == (1.0, 2 * 6.0, 2 * 6.0 * 3.0)


def test_gradients_add_up_across_backward_calls():
    x = Value(2.0)
    u = x * x
    y = u + x
    y.backward()
    y.backward()
    assert x.grad == 2 * (2 * 2.0 + 1)
    assert u.grad == 2 * 1.0
    assert y.grad == 2 * 1.0


def test_zero_grad_resets_every_value_the_output_depends_on():
    x, w = Value(2.0), Value(-1.0)
    y = (x * w).tanh()
    y.backward()
    y.zero_grad()
    assert [v.grad for v in (x, w, y)] == [0.0, 0.0, 0.0]
    y.backward()
    assert x.grad == pytest.approx(-1.0 * (1 - math.tanh(-2.0) ** 2), rel=1e-12)


def test_zero_grad_leaves_values_outside_the_graph_alone():
    x, other = Value(1.0), Value(5.0)
    (other * other).backward()
    y = x * 3.0
    y.backward()
    y.zero_grad()
    assert other.grad == 10.0


def test_a_value_that_does_not_reach_the_output_gets_no_gradient():
    x, unused = Value(1.0), Value(2.0)
    _ = unused * 4.0
    (x * 3.0).backward()
    assert unused.grad == 0.0


def test_backward_of_a_leaf_sets_its_own_gradient_to_one():
    x = Value(7.0)
    x.backward()
    assert x.grad == 1.0


def test_a_chain_of_a_million_operations_backpropagates_without_recursion():
    limit = sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    y.backward()  # a recursive walk would stop with RecursionError here
    # d/dx (x * c^n) = c^n, and c^n = exp(n ln c)
    assert x.grad == pytest.approx(math.exp(1_000_000 * math.log(1.000001)), rel=1e-9)
    assert sys.getrecursionlimit() == limit
    y.zero_grad()
    assert x.grad == 0.0


def test_a_subclass_of_value_is_an_input_like_any_value():
    class Weight(Value):
        pass

    x, w = Value(2.0), Weight(3.0)
    y = x * w  # dy/dx = w, dy/dw = x
    y.backward()
    assert (x.grad, w.grad) == (3.0, 2.0)

"""Tensors are nodes of the shared graph protocol, and backward is the shared walk."""

import numpy as np
import stepgrad
from stepgrad import graph
from stepgrad.autograd import run_backward


def small_graph():
    x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    x.label = "x"
    w = stepgrad.tensor([3.0, 4.0], requires_grad=True)
    product = x * w
    return x, w, product, product.sum()


def test_tensors_answer_the_protocol_questions():
    x, w, product, total = small_graph()
    assert total.inputs == (product,) and total.op == "SumBackward"
    assert product.inputs == (x, w) and product.op == "MulBackward"
    assert x.inputs == () and x.op is None and x.label == "x"
    assert product.label == ""
    assert isinstance(total.data, np.ndarray)


def test_topological_order_puts_inputs_before_results():
    x, w, product, total = small_graph()
    assert graph.topological_order(total) == [x, w, product, total]


def test_the_observer_sees_every_node_reached_with_its_gradient_and_contributions():
    x, w, product, total = small_graph()
    seen = []

    def observer(node, grad, contributions, pending):
        seen.append((node, grad.tolist(), [c.tolist() for c in contributions if c is not None]))

    run_backward(total, observer=observer)
    assert seen == [
        (total, 1.0, [[1.0, 1.0]]),
        (product, [1.0, 1.0], [[3.0, 4.0], [1.0, 2.0]]),  # d(xw)/dx = w, d(xw)/dw = x
        (w, [1.0, 2.0], []),
        (x, [3.0, 4.0], []),
    ]
    assert x.grad.tolist() == [3.0, 4.0] and w.grad.tolist() == [1.0, 2.0]


def test_backward_returns_the_same_gradients_with_or_without_an_observer():
    x, w, _, total = small_graph()
    total.backward()
    plain = (x.grad.tolist(), w.grad.tolist())
    x, w, _, total = small_graph()
    run_backward(total, observer=lambda *args: None)
    assert (x.grad.tolist(), w.grad.tolist()) == plain

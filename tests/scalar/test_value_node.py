"""What a Value shows about itself: data, grad, op, inputs, label, repr, slots."""

import pytest
from stepgrad import Value


def test_data_is_always_a_float_and_grad_starts_at_zero():
    v = Value(3)
    assert (v.data, type(v.data), v.grad) == (3.0, float, 0.0)


def test_a_value_you_create_is_a_leaf():
    v = Value(1.0, label="w")
    assert (v.op, v.inputs, v.label) == (None, (), "w")


def test_a_computed_value_has_an_empty_label_until_it_is_given_one():
    x = Value(2.0, label="x")
    h = x * 3.0
    assert (h.label, Value(1.0).label) == ("", "")
    h.label = "h"
    assert (h.label, x.label) == ("h", "x")


@pytest.mark.parametrize(
    "build, op",
    [
        (lambda x, y: x + y, "+"),
        (lambda x, y: x * y, "*"),
        (lambda x, y: x**y, "**"),
        (lambda x, y: x**2, "**2"),
        (lambda x, y: x**0.5, "**0.5"),
        (lambda x, y: x.exp(), "exp"),
        (lambda x, y: x.log(), "log"),
        (lambda x, y: x.tanh(), "tanh"),
        (lambda x, y: x.sigmoid(), "sigmoid"),
        (lambda x, y: x.relu(), "relu"),
    ],
)
def test_op_names_the_operation_that_made_the_value(build, op):
    assert build(Value(2.0), Value(3.0)).op == op


def test_inputs_are_the_operands_in_order():
    x, y = Value(2.0), Value(3.0)
    assert (x * y).inputs == (x, y)
    assert (y * x).inputs == (y, x)
    assert x.tanh().inputs == (x,)
    assert (x**3).inputs == (x,)  # the exponent is part of the operation, not an input


def test_a_number_operand_becomes_a_leaf_input_holding_it():
    x = Value(2.0)
    (left, right) = (5 - x).inputs  # 5 - x is 5 + (-x)
    assert (left.data, left.op) == (5.0, None)
    assert right.op == "*" and right.inputs[0] is x


def test_inputs_and_op_cannot_be_assigned():
    v = Value(1.0) + 1.0
    with pytest.raises(AttributeError):
        v.inputs = ()
    with pytest.raises(AttributeError):
        v.op = "*"


def test_a_value_has_no_per_instance_dict():
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.colour = "red"


def test_local_grads_are_the_derivatives_of_the_output_with_respect_to_each_input():
    x, y = Value(2.0), Value(5.0)
    assert (x * y).local_grads() == (5.0, 2.0)
    assert Value(1.0).local_grads() == ()


def test_repr_shows_data_then_grad_and_label_when_set():
    v = Value(2.5, label="x")
    assert repr(v) == "Value(data=2.5, label='x')"
    (v * 2).backward()
    assert repr(v) == "Value(data=2.5, grad=2, label='x')"


def test_float_of_a_value_is_its_data():
    assert float(Value(1.25)) == 1.25


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and len({a, b}) == 2

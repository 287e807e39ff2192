"""Every operation of Value: its result, and its gradient two independent ways.

Each case states the derivative as worked out by hand (the rule from calculus,
written in the test) and backward must give it; gradcheck must also agree, which
compares with central finite differences of the forward alone.
"""

import math

import pytest
from stepgrad import Value, gradcheck


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


# name, f on Values, f on floats, hand derivative(s) at the point, the point
ONE_INPUT = [
    ("neg", lambda x: -x, lambda a: -a, lambda a: -1.0, 1.3),
    ("square", lambda x: x**2, lambda a: a**2, lambda a: 2 * a, -1.3),
    ("cube", lambda x: x**3, lambda a: a**3, lambda a: 3 * a**2, 0.7),
    ("power -2", lambda x: x**-2, lambda a: a**-2, lambda a: -2 * a**-3, 1.7),
    ("power 0.5", lambda x: x**0.5, lambda a: a**0.5, lambda a: 0.5 * a**-0.5, 2.5),
    ("power 0", lambda x: x**0, lambda a: 1.0, lambda a: 0.0, 2.5),
    ("exp", lambda x: x.exp(), math.exp, math.exp, 0.4),
    ("log", lambda x: x.log(), math.log, lambda a: 1 / a, 0.4),
    ("tanh", lambda x: x.tanh(), math.tanh, lambda a: 1 - math.tanh(a) ** 2, -0.6),
    ("sigmoid", lambda x: x.sigmoid(), sigmoid, lambda a: sigmoid(a) * (1 - sigmoid(a)), 0.9),
    ("relu of a positive", lambda x: x.relu(), lambda a: max(a, 0.0), lambda a: 1.0, 0.8),
    ("relu of a negative", lambda x: x.relu(), lambda a: max(a, 0.0), lambda a: 0.0, -0.8),
]

TWO_INPUTS = [
    ("add", lambda x, y: x + y, lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("sub", lambda x, y: x - y, lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("mul", lambda x, y: x * y, lambda a, b: a * b, lambda a, b: (b, a)),
    ("div", lambda x, y: x / y, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    (
        "value ** value",
        lambda x, y: x**y,
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
    ),
]

# A number on one side: name, f(x), f on floats, hand derivative
WITH_A_NUMBER = [
    ("2 + x", lambda x: 2 + x, lambda a: 2 + a, lambda a: 1.0),
    ("x + 2", lambda x: x + 2, lambda a: a + 2, lambda a: 1.0),
    ("2 - x", lambda x: 2 - x, lambda a: 2 - a, lambda a: -1.0),
    ("x - 2", lambda x: x - 2, lambda a: a - 2, lambda a: 1.0),
    ("2 * x", lambda x: 2 * x, lambda a: 2 * a, lambda a: 2.0),
    ("x * 2", lambda x: x * 2, lambda a: a * 2, lambda a: 2.0),
    ("2 / x", lambda x: 2 / x, lambda a: 2 / a, lambda a: -2 / a**2),
    ("x / 2", lambda x: x / 2, lambda a: a / 2, lambda a: 0.5),
    ("2 ** x", lambda x: 2**x, lambda a: 2**a, lambda a: 2**a * math.log(2)),
    ("1.5 * x (float)", lambda x: 1.5 * x, lambda a: 1.5 * a, lambda a: 1.5),
]


def gradient_of(f, *points):
    xs = [Value(p) for p in points]
    out = f(*xs)
    out.backward()
    return out, [x.grad for x in xs]


@pytest.mark.parametrize(
    "name, f, f_float, derivative, a", ONE_INPUT, ids=[c[0] for c in ONE_INPUT]
)
def test_one_input_operation_matches_its_hand_derivative(name, f, f_float, derivative, a):
    out, (grad,) = gradient_of(f, a)
    assert out.data == pytest.approx(f_float(a), rel=1e-12)
    assert grad == pytest.approx(derivative(a), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "name, f, f_float, derivative, a", ONE_INPUT, ids=[c[0] for c in ONE_INPUT]
)
def test_one_input_operation_matches_finite_differences(name, f, f_float, derivative, a):
    assert gradcheck(f, (Value(a),))


@pytest.mark.parametrize(
    "name, f, f_float, derivatives", TWO_INPUTS, ids=[c[0] for c in TWO_INPUTS]
)
def test_two_input_operation_matches_its_hand_derivatives(name, f, f_float, derivatives):
    a, b = 1.7, -0.6
    out, grads = gradient_of(f, a, b)
    assert out.data == pytest.approx(f_float(a, b), rel=1e-12)
    assert grads == pytest.approx(derivatives(a, b), rel=1e-12)


@pytest.mark.parametrize(
    "name, f, f_float, derivatives", TWO_INPUTS, ids=[c[0] for c in TWO_INPUTS]
)
def test_two_input_operation_matches_finite_differences(name, f, f_float, derivatives):
    assert gradcheck(f, (Value(1.7), Value(-0.6)))


@pytest.mark.parametrize(
    "name, f, f_float, derivative", WITH_A_NUMBER, ids=[c[0] for c in WITH_A_NUMBER]
)
def test_a_number_on_either_side_works_and_gets_no_say_in_the_gradient(
    name, f, f_float, derivative
):
    a = 0.8
    out, (grad,) = gradient_of(f, a)
    assert out.data == pytest.approx(f_float(a), rel=1e-12)
    assert grad == pytest.approx(derivative(a), rel=1e-12)
    assert gradcheck(f, (Value(a),))


def test_sigmoid_is_exact_far_out_on_both_sides():
    # Written so that exp never overflows: no error, and the right limits.
    assert Value(800.0).sigmoid().data == 1.0
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30.0), rel=1e-12)


def test_relu_takes_zero_as_its_slope_at_zero_as_pytorch_does():
    _, (grad,) = gradient_of(lambda x: x.relu(), 0.0)
    assert grad == 0.0


def test_square_root_at_zero_has_an_infinite_slope_as_pytorch_gives():
    _, (grad,) = gradient_of(lambda x: x**0.5, 0.0)
    assert grad == math.inf


def test_power_zero_is_flat_even_at_zero():
    _, (grad,) = gradient_of(lambda x: x**0, 0.0)
    assert grad == 0.0


def test_negative_base_with_an_integer_exponent_is_allowed():
    out, (grad,) = gradient_of(lambda x: x**3, -2.0)
    assert out.data == -8.0
    assert grad == 12.0  # 3 * (-2)^2


def test_a_composite_expression_matches_the_chain_rule_written_out():
    # f(x, y) = tanh(x * y + exp(x)) / y
    a, b = 0.3, 1.4
    out, (dx, dy) = gradient_of(lambda x, y: (x * y + x.exp()).tanh() / y, a, b)
    inner = a * b + math.exp(a)
    slope = 1 - math.tanh(inner) ** 2
    assert out.data == pytest.approx(math.tanh(inner) / b, rel=1e-12)
    assert dx == pytest.approx(slope * (b + math.exp(a)) / b, rel=1e-12)
    assert dy == pytest.approx(slope * a / b - math.tanh(inner) / b**2, rel=1e-12)

"""Dual numbers: forward mode gives f'(x) from one forward pass.

Truths: derivatives written out in the tests, central differences, random
expression graphs checked by finite differences, and PyTorch's forward mode
where it is installed.
"""

import doctest
import math
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from stepgrad import Value, dual, scalar
from stepgrad.dual import Dual, derivative

# The random expression programs that test Value (tests/scalar), run here on Duals.
sys.path.insert(0, str(Path(__file__).with_name("scalar")))
from expression_strategies import programs


def central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def value_of(f):
    """f on plain floats, through Duals with tangent 0 (the number f computes)."""
    return lambda x: f(Dual(x)).value


# name -> (function of one Dual, a point where it is smooth)
ONE_INPUT = {
    "add a number": (lambda x: x + 2.5, 0.7),
    "number plus": (lambda x: 2.5 + x, 0.7),
    "subtract a number": (lambda x: x - 2.5, 0.7),
    "number minus": (lambda x: 2.5 - x, 0.7),
    "multiply by a number": (lambda x: x * -3.0, 0.7),
    "number times": (lambda x: -3.0 * x, 0.7),
    "divide by a number": (lambda x: x / 4.0, 0.7),
    "number over": (lambda x: 4.0 / x, 0.7),
    "negate": (lambda x: -x, 0.7),
    "square": (lambda x: x * x, 0.7),
    "power of a number": (lambda x: x**3, -1.3),
    "fractional power": (lambda x: x**0.5, 2.0),
    "negative power": (lambda x: x**-2, 1.5),
    "number to a Dual power": (lambda x: 2.0**x, 0.7),
    "Dual to a Dual power": (lambda x: x**x, 1.7),
    "exp": (lambda x: x.exp(), 0.7),
    "log": (lambda x: x.log(), 0.7),
    "tanh": (lambda x: x.tanh(), 0.7),
    "sigmoid": (lambda x: x.sigmoid(), -0.7),
    "relu, positive side": (lambda x: x.relu(), 0.7),
    "relu, negative side": (lambda x: x.relu(), -0.7),
}


# --- what a Dual is ---------------------------------------------------------------------


def test_a_dual_made_from_a_number_alone_is_a_constant():
    assert Dual(3.0).tangent == 0.0


def test_a_dual_holds_its_value_and_tangent_as_floats():
    d = Dual(3, 1)
    assert (d.value, d.tangent) == (3.0, 1.0)
    assert type(d.value) is float and type(d.tangent) is float


def test_a_dual_shows_its_value_and_tangent():
    assert repr(Dual(15.0, 8.0)) == "Dual(value=15, tangent=8)"


def test_a_dual_converts_to_its_value():
    assert float(Dual(2.5, 1.0)) == 2.5


# --- each operation's tangent -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ONE_INPUT))
def test_tangent_of_each_operation_matches_the_central_difference(name):
    f, x = ONE_INPUT[name]
    assert derivative(f, x) == pytest.approx(central_difference(value_of(f), x), rel=1e-6)


@pytest.mark.parametrize("name", sorted(ONE_INPUT))
def test_value_of_each_operation_matches_the_same_operation_on_value(name):
    f, x = ONE_INPUT[name]
    assert f(Dual(x, 1.0)).value == f(Value(x)).data


def test_the_product_rule_comes_out_of_multiplication():
    # d/dx (x e^x) = e^x + x e^x = (1 + x) e^x
    x = 0.3
    assert derivative(lambda x: x * x.exp(), x) == pytest.approx((1 + x) * math.exp(x))


def test_the_chain_rule_comes_out_of_composition():
    # d/dx tanh(x^2) = (1 - tanh(x^2)^2) * 2x
    x = 0.8
    expected = (1 - math.tanh(x**2) ** 2) * 2 * x
    assert derivative(lambda x: (x**2).tanh(), x) == pytest.approx(expected)


def test_relu_at_zero_has_tangent_zero_as_in_pytorch():
    assert derivative(lambda x: x.relu(), 0.0) == 0.0


def test_a_function_of_two_inputs_needs_one_pass_per_partial_derivative():
    # f(x, y) = x^2 y + y: df/dx = 2xy = 12, df/dy = x^2 + 1 = 10 at (3, 2).
    def f(x, y):
        return x * x * y + y

    assert f(Dual(3.0, 1.0), Dual(2.0, 0.0)).tangent == 12.0
    assert f(Dual(3.0, 0.0), Dual(2.0, 1.0)).tangent == 10.0


def test_a_tangent_other_than_one_scales_the_derivative():
    # Seeding x with tangent v gives f'(x) * v: a directional derivative.
    assert (Dual(2.0, 0.5) ** 3).tangent == 3 * 2.0**2 * 0.5


def test_derivative_of_a_function_that_returns_a_plain_number_is_zero():
    assert derivative(lambda x: 4.0, 1.0) == 0.0


# --- one derivative table, two modes ----------------------------------------------------


def test_dual_reads_the_derivative_table_of_value(monkeypatch):
    # Change tanh's rule in stepgrad.scalar and forward mode follows: there is no second copy.
    monkeypatch.setattr(scalar.Tanh, "local_grads", staticmethod(lambda a, _, out: (7.0,)))
    assert derivative(lambda x: x.tanh(), 0.3) == 7.0


def test_forward_and_reverse_mode_give_the_same_gradient_of_a_small_neuron():
    def neuron(x1, x2, w1, w2, b):
        return (x1 * w1 + x2 * w2 + b).tanh()

    point = [2.0, 0.0, -3.0, 1.0, 6.8813735870195432]
    leaves = [Value(a) for a in point]
    neuron(*leaves).backward()
    for i in range(len(point)):
        seeded = [Dual(a, 1.0 if k == i else 0.0) for k, a in enumerate(point)]
        assert neuron(*seeded).tangent == pytest.approx(leaves[i].grad, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(programs())
def test_random_expressions_have_tangents_that_match_finite_differences(program):
    values = [Value(a) for a in program.inputs]
    assume(program.kinks(values) > 1e-3)  # a ReLU kink between the probe points

    def at(points):
        return program.run([Value(a) for a in points]).data

    for i, a in enumerate(program.inputs):
        seeded = [Dual(b, 1.0 if k == i else 0.0) for k, b in enumerate(program.inputs)]
        tangent = program.run(seeded).tangent
        h = 1e-6
        plus = list(program.inputs)
        minus = list(program.inputs)
        plus[i], minus[i] = a + h, a - h
        assert tangent == pytest.approx((at(plus) - at(minus)) / (2 * h), rel=1e-4, abs=1e-6)


def test_tangents_match_pytorch_forward_mode():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for forward mode here")
    import torch.autograd.forward_ad as fwAD

    def f(x):
        return (x * x.exp() + 2.0 / x).tanh() + x.sigmoid() * x**3 - x.log()

    for x in (0.4, 1.1, 2.5):
        with fwAD.dual_level():
            primal = torch.tensor(x, dtype=torch.float64)
            out = f(fwAD.make_dual(primal, torch.tensor(1.0, dtype=torch.float64)))
            value, tangent = fwAD.unpack_dual(out)
        mine = f(Dual(x, 1.0))
        assert mine.value == pytest.approx(value.item(), rel=1e-12)
        assert mine.tangent == pytest.approx(tangent.item(), rel=1e-12)


# --- errors -------------------------------------------------------------------------------


def test_mixing_a_dual_with_a_value_says_they_are_separate_engines():
    with pytest.raises(TypeError, match="separate engines"):
        Dual(1.0, 1.0) + Value(2.0)


def test_combining_a_dual_with_text_says_what_works():
    with pytest.raises(TypeError, match="only Duals and real numbers"):
        Dual(1.0) * "2"


def test_a_dual_of_something_that_is_not_a_number_says_how_to_convert():
    with pytest.raises(TypeError, match=r"Dual\(\) needs a real number .* as its value"):
        Dual("3")


def test_a_tangent_that_is_not_a_number_is_refused():
    with pytest.raises(TypeError, match="as its tangent"):
        Dual(3.0, None)


def test_log_of_zero_says_where_log_is_defined():
    with pytest.raises(ValueError, match="only defined for positive numbers"):
        Dual(0.0, 1.0).log()


def test_division_by_a_zero_dual_is_refused():
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Dual(1.0, 1.0) / Dual(0.0)


def test_zero_to_a_negative_power_is_refused():
    with pytest.raises(ZeroDivisionError, match=r"0.0 \*\* -1 is undefined"):
        Dual(0.0, 1.0) ** -1


def test_a_negative_number_to_a_fractional_power_is_refused():
    with pytest.raises(ValueError, match="not a real number"):
        Dual(-2.0, 1.0) ** 0.5


def test_a_dual_exponent_needs_a_positive_base():
    with pytest.raises(ValueError, match="needs a positive base"):
        Dual(-2.0, 1.0) ** Dual(2.0)


def test_an_exponent_that_is_not_a_number_is_refused():
    with pytest.raises(TypeError, match="as the exponent"):
        Dual(2.0, 1.0) ** "2"


def test_an_overflowing_exp_says_the_float_limit():
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) is too large for a float"):
        Dual(1000.0, 1.0).exp()


def test_an_overflowing_power_says_the_float_limit():
    with pytest.raises(OverflowError, match=r"10.0 \*\* 400.0 is too large"):
        Dual(10.0, 1.0) ** 400


def test_derivative_of_a_function_that_returns_text_says_what_to_return():
    with pytest.raises(TypeError, match="needs f to return a Dual"):
        derivative(lambda x: "x", 1.0)


def test_the_docstring_examples_run():
    result = doctest.testmod(dual)
    assert result.attempted > 0 and result.failed == 0

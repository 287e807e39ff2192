"""Bad input to Value fails at once, with an error that says what happened and what to do."""

import pytest
from stepgrad import Value


@pytest.mark.parametrize(
    "bad, kind", [("3", "str"), (None, "NoneType"), ([1.0], "list"), (1j, "complex")]
)
def test_value_of_a_non_number_names_the_type_and_how_to_convert(bad, kind):
    with pytest.raises(TypeError, match=rf"Value\(\) needs a real number .*got {kind}"):
        Value(bad)


def test_value_of_a_bool_is_refused_as_it_is_probably_a_mistake():
    with pytest.raises(TypeError, match=r"Value\(\) needs a real number .*got bool True"):
        Value(True)


def test_value_of_a_value_says_to_use_it_directly():
    with pytest.raises(TypeError, match=r"Value\(\) got a Value .*use it directly"):
        Value(Value(1.0))


def test_numpy_numbers_are_accepted_as_real_numbers():
    np = pytest.importorskip("numpy", reason="numpy is a course dependency; checked where present")
    v = Value(np.float32(1.5))
    assert (v.data, type(v.data)) == (1.5, float)


@pytest.mark.parametrize("symbol, combine", [("+", lambda x: x + "1"), ("*", lambda x: "1" * x)])
def test_combining_a_value_with_a_non_number_names_the_operator(symbol, combine):
    with pytest.raises(TypeError, match=rf"cannot combine a Value with str '1' using '\{symbol}'"):
        combine(Value(1.0))


@pytest.mark.parametrize("data", [0.0, -2.0])
def test_log_of_a_non_positive_number(data):
    with pytest.raises(
        ValueError, match=rf"log is only defined for positive numbers, got log\({data}\)"
    ):
        Value(data).log()


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"0\.0 \*\* -1 is undefined .*divides by zero"):
        Value(0.0) ** -1


@pytest.mark.parametrize(
    "divide", [lambda x: x / 0, lambda x: x / Value(0.0), lambda x: 1 / (x * 0)]
)
def test_division_by_zero_says_where_to_look(divide):
    with pytest.raises(
        ZeroDivisionError, match=r"division by zero: .*Check where the divisor became 0"
    ):
        divide(Value(3.0))


def test_negative_number_to_a_fractional_power():
    with pytest.raises(
        ValueError, match=r"-2\.0 \*\* 0\.5: a negative number to a fractional power"
    ):
        Value(-2.0) ** 0.5


@pytest.mark.parametrize("base", [0.0, -2.0])
def test_value_to_a_value_power_needs_a_positive_base(base):
    with pytest.raises(
        ValueError, match=rf"Value \*\* Value needs a positive base, got base {base}"
    ):
        Value(base) ** Value(2.0)


def test_a_number_to_a_value_power_needs_a_positive_base():
    with pytest.raises(ValueError, match=r"needs a positive base, got base -2\.0"):
        (-2) ** Value(2.0)


def test_exp_overflow_suggests_a_stable_form():
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\) is too large for a float .*sigmoid"):
        Value(1000.0).exp()


@pytest.mark.parametrize(
    "power, shown",
    [
        (lambda: Value(10.0) ** 400, r"10\.0 \*\* 400"),
        (lambda: Value(2.0) ** Value(2000.0), r"2\.0 \*\* 2000\.0"),
    ],
)
def test_power_overflow_names_the_power(power, shown):
    with pytest.raises(OverflowError, match=rf"{shown} is too large for a float"):
        power()


@pytest.mark.parametrize("exponent", ["2", None, True])
def test_an_exponent_that_is_not_a_number(exponent):
    with pytest.raises(TypeError, match=r"v \*\* n needs a real number .* as the exponent"):
        Value(2.0) ** exponent


def test_a_failed_operation_leaves_no_half_built_node_behind():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    y = x * 2.0
    y.backward()
    assert x.grad == 2.0

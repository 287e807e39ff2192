"""Dual: forward-mode automatic differentiation for scalars.

A dual number carries two floats: a ``value`` and a ``tangent``, the rate at
which the value changes as one chosen input moves. Give the input the tangent
1 (dx/dx = 1) and every other number the tangent 0, compute as usual, and the
result's tangent is the derivative: ``f'(x)`` comes out of the same single
forward pass that computes ``f(x)``. No graph is kept.

Each operation uses the derivative table that ``Value`` uses: the op classes
of ``stepgrad.scalar`` (``Mul``, ``Tanh``, ...) with their ``local_grads``.
The two modes read the same local derivatives in opposite directions:

    forward mode (Dual):    tangent of out  = sum over inputs of  d(out)/d(in) * tangent of in
    reverse mode (Value):   grad of in     += d(out)/d(in) * grad of out

    >>> x = Dual(3.0, 1.0)  # x = 3, moving at rate 1
    >>> x * x + 2 * x
    Dual(value=15, tangent=8)
    >>> derivative(lambda x: x.tanh() * 4, 0.0)
    4.0

PyTorch's forward mode is ``torch.autograd.forward_ad`` (``make_dual``,
``unpack_dual``), where the value is called the primal.
"""

import numbers

from stepgrad.scalar import Add, Exp, Log, Mul, Pow, PowConstant, ReLU, Sigmoid, Tanh


class Dual:
    """A number ``value`` together with its rate of change ``tangent``.

    ``Dual(2.0, 1.0)`` is an input x = 2 that is being differentiated;
    ``Dual(2.0)`` (tangent 0) is a constant. Operations follow ``Value``'s.
    """

    __slots__ = ("tangent", "value")

    def __init__(self, value, tangent=0.0):
        self.value = _real_number(value, "value")
        self.tangent = _real_number(tangent, "tangent")

    # --- operations with their own derivative (from stepgrad.scalar) ----------

    def __add__(self, other):
        return _apply(Add, self, _as_dual(other, "+"))

    def __mul__(self, other):
        return _apply(Mul, self, _as_dual(other, "*"))

    def __pow__(self, exponent):
        if isinstance(exponent, Dual):
            if self.value <= 0:
                raise ValueError(
                    f"Dual ** Dual needs a positive base, got base {self.value!r}: the "
                    f"derivative with respect to the exponent is a**b * ln(a), and ln is only "
                    f"defined for positive numbers. Use a plain number exponent (d ** 2) if "
                    f"the exponent is a constant."
                )
            return _apply(Pow, self, exponent)
        n = _exponent(exponent)
        if self.value == 0 and n < 0:
            raise ZeroDivisionError(
                f"0.0 ** {n:g} is undefined (it divides by zero). Check where this Dual "
                f"became 0, or add a small epsilon before raising it to a negative power."
            )
        if self.value < 0 and not n.is_integer():
            raise ValueError(
                f"{self.value!r} ** {n:g}: a negative number to a fractional power is not a "
                f"real number."
            )
        return _apply(PowConstant, self, constant=n)

    def __rpow__(self, base):
        return _as_dual(base, "**") ** self

    def exp(self):
        return _apply(Exp, self)

    def log(self):
        if self.value <= 0:
            raise ValueError(
                f"log is only defined for positive numbers, got log({self.value!r}). If this "
                f"value can reach 0, clamp it first or add a small epsilon."
            )
        return _apply(Log, self)

    def tanh(self):
        return _apply(Tanh, self)

    def sigmoid(self):
        return _apply(Sigmoid, self)

    def relu(self):
        return _apply(ReLU, self)

    # --- written with the operations above, as in Value ---------------------

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_dual(other, "-"))

    def __truediv__(self, other):
        other = _as_dual(other, "/")
        if other.value == 0:
            raise ZeroDivisionError(
                f"division by zero: {self!r} / {other!r}. Check where the divisor became 0, "
                f"or add a small epsilon to it."
            )
        return self * other**-1

    def __radd__(self, other):
        return _as_dual(other, "+") + self

    def __rsub__(self, other):
        return _as_dual(other, "-") - self

    def __rmul__(self, other):
        return _as_dual(other, "*") * self

    def __rtruediv__(self, other):
        return _as_dual(other, "/") / self

    def __float__(self):
        return self.value

    def __repr__(self):
        return f"Dual(value={self.value:g}, tangent={self.tangent:g})"


def derivative(f, x):
    """f'(x) for a function of one number, from one forward pass with Duals.

    >>> derivative(lambda x: x**3, 2.0)
    12.0
    """
    result = f(Dual(x, 1.0))
    if isinstance(result, Dual):
        return result.tangent
    if isinstance(result, numbers.Real) and not isinstance(result, bool):
        return 0.0  # f gave back a plain number: it does not depend on x
    raise TypeError(
        f"derivative(f, x) needs f to return a Dual (or a number), got "
        f"{type(result).__name__} {result!r}. Build f's result from its argument with "
        f"+, -, *, /, ** and .exp(), .log(), .tanh(), .sigmoid(), .relu()."
    )


def _apply(op, a, b=None, constant=None):
    """``op`` on Duals a (and b): its value, and its tangent by the chain rule."""
    second = b.value if b is not None else constant
    try:
        value = op.forward(a.value, second)
        local = op.local_grads(a.value, second, value)
    except OverflowError:
        what = f"{op.name}({a.value!r})" if second is None else f"{a.value!r} ** {second!r}"
        raise OverflowError(
            f"{what} is too large for a float (the largest is about 1.8e308). Scale the input down."
        ) from None
    tangent = local[0] * a.tangent
    if b is not None:
        tangent += local[1] * b.tangent
    return Dual(value, tangent)


def _as_dual(x, symbol):
    """A Dual as it is; a plain number as a constant (tangent 0)."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = ""
        if type(x).__name__ == "Value":
            hint = (
                " Dual (forward mode) and Value (reverse mode) are separate engines: "
                "compute the whole function with one of them."
            )
        raise TypeError(
            f"cannot combine a Dual with {type(x).__name__} {x!r} using '{symbol}': only "
            f"Duals and real numbers (int, float) work here.{hint}"
        )
    return Dual(x)


def _real_number(x, what):
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"Dual() needs a real number (int or float) as its {what}, got "
            f"{type(x).__name__} {x!r}. Convert it first, for example Dual(float(x))."
        )
    return float(x)


def _exponent(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise TypeError(
            f"d ** n needs a real number (int or float) or a Dual as the exponent, got "
            f"{type(n).__name__} {n!r}."
        )
    return float(n)

"""Value: a scalar that remembers how it was computed.

Each operation below is a small class that states, side by side, its forward
rule and its local derivatives: how the output changes when each input moves a
little. ``backward()`` chains those local derivatives from the output back to
every input (see ``stepgrad.graph.backward``).

    >>> from stepgrad import Value
    >>> x = Value(2.0, label="x")
    >>> y = x**2
    >>> y.backward()
    >>> x.grad
    4.0

Subtraction, division and negation are built from the operations below, so
their derivatives need no code of their own.
"""

import math
import numbers

from stepgrad import graph

# ---------------------------------------------------------------------------
# The operations: forward and local derivatives together.
# ``local_grads(a, b, out)`` gets plain floats (b is None for one-input ops) and
# returns d(out)/d(input) for each input.
# ---------------------------------------------------------------------------


class Add:
    name = "+"

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def local_grads(a, b, out):
        return 1.0, 1.0


class Mul:
    name = "*"

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def local_grads(a, b, out):
        return b, a  # d(ab)/da = b, d(ab)/db = a


class Pow:
    """a ** b with both a and b Values."""

    name = "**"

    @staticmethod
    def forward(a, b):
        return a**b

    @staticmethod
    def local_grads(a, b, out):
        # d(a^b)/da = b a^(b-1);  d(a^b)/db = a^b ln a
        return b * a ** (b - 1), out * math.log(a)


class PowConstant:
    """a ** n with n a plain number, kept in the operation, not in the graph."""

    name = "**"

    @staticmethod
    def forward(a, n):
        return a**n

    @staticmethod
    def local_grads(a, n, out):
        if n == 0:
            return (0.0,)  # a ** 0 is 1 whatever a is: flat, even at a = 0
        if a == 0 and n < 1:
            return (math.inf,)  # vertical at 0, like sqrt (PyTorch also gives inf)
        return (n * a ** (n - 1),)


class Exp:
    name = "exp"

    @staticmethod
    def forward(a, _):
        return math.exp(a)

    @staticmethod
    def local_grads(a, _, out):
        return (out,)  # the exponential is its own derivative


class Log:
    name = "log"

    @staticmethod
    def forward(a, _):
        return math.log(a)

    @staticmethod
    def local_grads(a, _, out):
        return (1.0 / a,)


class Tanh:
    name = "tanh"

    @staticmethod
    def forward(a, _):
        return math.tanh(a)

    @staticmethod
    def local_grads(a, _, out):
        return (1.0 - out * out,)


class Sigmoid:
    name = "sigmoid"

    @staticmethod
    def forward(a, _):
        # Written so that exp never overflows, whatever the sign of a.
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def local_grads(a, _, out):
        return (out * (1.0 - out),)


class ReLU:
    name = "relu"

    @staticmethod
    def forward(a, _):
        return a if a > 0 else 0.0

    @staticmethod
    def local_grads(a, _, out):
        return (1.0 if a > 0 else 0.0,)  # at 0 we take 0, as PyTorch does


# ---------------------------------------------------------------------------
# The Value node
# ---------------------------------------------------------------------------


def _binary_operation(op, symbol):
    """The method for ``a <symbol> b``: ``op`` applied to the Value a and to b, recorded.

    A number b becomes a leaf Value. Value's ``__add__`` and ``__mul__`` are made
    here, one function each, rather than written as methods that call a shared
    helper: they run for nearly every node of every graph, and one call (with
    the op's ``forward`` looked up once, not per node) instead of two takes
    about a tenth off building a graph.
    """
    forward = op.forward

    def record(a, b):
        if b.__class__ is not Value and not isinstance(b, Value):
            b = _constant(b, symbol)
        out = _new_value(Value)
        out.data = forward(a.data, b.data)
        out.grad = 0.0
        out._op = op
        out._a = a
        out._b = b
        return out

    record.__doc__ = f"self {symbol} other, recorded in the graph as a {op.__name__} node."
    return record


class Value:
    """A float that records the operations applied to it.

    ``data`` is the number, ``grad`` is d(output)/d(this value) after
    ``backward()``, ``op`` and ``inputs`` say how it was made (None and () for
    values you create yourself), ``label`` is an optional name for drawings.
    """

    # Slots instead of a __dict__, and inputs in two slots instead of a tuple:
    # every extra object per node is more memory and more work for Python's
    # garbage collector on graphs with hundreds of thousands of nodes.
    # ``_a`` is the first input (None for a leaf); ``_b`` is the second input
    # Value, or for one-input operations the number they keep (the n of x ** n)
    # or None. There is no slot for the backward walk's marks (it marks nodes in
    # ``.grad``, see stepgrad.graph) and no creation number, which would be one
    # more object per node: six slots fit a Value in 80 bytes instead of 96. ``_label``
    # stays empty unless a label is given: an empty slot costs no write when a
    # Value is made, and the garbage collector, which looks at every filled slot
    # of every Value it tracks, skips it.
    __slots__ = ("_a", "_b", "_label", "_op", "data", "grad")

    _pushes_gradients = True  # see stepgrad.graph: the walk adds into each input's .grad

    def __init__(self, data, label=""):
        if type(data) is not float:
            data = _real_number(data)
        self.data = data
        self.grad = 0.0
        if label:
            self._label = label
        self._op = None
        self._a = None
        self._b = None

    @property
    def label(self):
        """An optional name, shown in drawings; "" when none was given."""
        return getattr(self, "_label", "")

    @label.setter
    def label(self, name):
        self._label = name

    # --- the node protocol (see stepgrad.graph) ---------------------------

    @property
    def inputs(self):
        """The Values this one was computed from, in order; () for a leaf."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None or b.__class__ is float:
            return (a,)  # b is the number a one-input operation keeps, if any
        return (a, b)

    @property
    def op(self):
        """The operation that made this Value ('+', '*', 'tanh', ...), or None."""
        if self._op is PowConstant:
            return f"**{_format_number(self._b)}"
        return None if self._op is None else self._op.name

    def local_grads(self):
        """d(self)/d(input) for each input, as the chain rule will use them."""
        if self._op is None:
            return ()
        b = self._b.data if isinstance(self._b, Value) else self._b
        return self._op.local_grads(self._a.data, b, self.data)

    # --- backward ---------------------------------------------------------

    def backward(self):
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(it).

        Gradients add up across calls, as in PyTorch: reset them with
        ``zero_grad()`` between two backward passes.
        """
        graph.backward(self, 1.0)

    def zero_grad(self):
        """Set ``.grad`` to 0 on this Value and every Value it depends on."""
        for node in graph.topological_order(self):
            node.grad = 0.0

    # --- operations ---------------------------------------------------------

    __add__ = _binary_operation(Add, "+")
    __mul__ = _binary_operation(Mul, "*")

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            if self.data <= 0:
                raise ValueError(
                    f"Value ** Value needs a positive base, got base "
                    f"{self.data!r}: its derivative with respect to the exponent "
                    f"is a**b * ln(a), and ln is only defined for positive "
                    f"numbers. Use a plain number exponent (v ** 2) if the "
                    f"exponent is a constant."
                )
            try:
                return _power(self, exponent)
            except OverflowError:
                raise _too_large(f"{self.data!r} ** {exponent.data!r}") from None
        exponent = _exponent(exponent)
        if self.data == 0 and exponent < 0:
            raise ZeroDivisionError(
                f"0.0 ** {_format_number(exponent)} is undefined (it divides by "
                f"zero). Check where this Value became 0, or add a small "
                f"epsilon before raising it to a negative power."
            )
        if self.data < 0 and not exponent.is_integer():
            raise ValueError(
                f"{self.data!r} ** {_format_number(exponent)}: a negative number "
                f"to a fractional power is not a real number."
            )
        try:
            return _unary(PowConstant, self, exponent)
        except OverflowError:
            raise _too_large(f"{self.data!r} ** {_format_number(exponent)}") from None

    def __rpow__(self, base):
        # number ** Value: the number becomes a leaf Value of its own.
        return _as_value(base, "**") ** self

    def exp(self):
        try:
            return _unary(Exp, self)
        except OverflowError:
            hint = " or use sigmoid() or tanh(), which never overflow"
            raise _too_large(f"exp({self.data!r})", hint) from None

    def log(self):
        if self.data <= 0:
            raise ValueError(
                f"log is only defined for positive numbers, got log({self.data!r}). "
                f"If this value can reach 0, clamp it first or add a small epsilon."
            )
        return _unary(Log, self)

    def tanh(self):
        return _unary(Tanh, self)

    def sigmoid(self):
        return _unary(Sigmoid, self)

    def relu(self):
        return _unary(ReLU, self)

    # Everything below is written with the operations above.

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other, "-"))

    def __truediv__(self, other):
        other = _as_value(other, "/")
        if other.data == 0:
            raise ZeroDivisionError(
                f"division by zero: {self.data!r} / {other!r}. Check where the "
                f"divisor became 0, or add a small epsilon to it."
            )
        return self * other**-1

    def __radd__(self, other):
        return _as_value(other, "+") + self

    def __rsub__(self, other):
        return _as_value(other, "-") - self

    def __rmul__(self, other):
        return _as_value(other, "*") * self

    def __rtruediv__(self, other):
        return _as_value(other, "/") / self

    def __float__(self):
        return self.data

    def __repr__(self):
        text = f"Value(data={_format_number(self.data)}"
        if self.grad:
            text += f", grad={_format_number(self.grad)}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"


_new_value = object.__new__  # a Value without running __init__: its checks are for users


_power = _binary_operation(Pow, "**")  # Value ** Value; __pow__ checks the base first


def _unary(op, a, constant=None):
    """``op`` applied to the Value a (and a number it keeps, such as n in a ** n), recorded."""
    out = _new_value(Value)
    out.data = op.forward(a.data, constant)
    out.grad = 0.0
    out._op = op
    out._a = a
    out._b = constant
    return out


def _too_large(what, hint=""):
    return OverflowError(
        f"{what} is too large for a float (the largest is about 1.8e308). Scale the "
        f"input down{hint}."
    )


def _as_value(x, symbol):
    return x if isinstance(x, Value) else _constant(x, symbol)


def _constant(x, symbol):
    """A number on one side of an operation, as a leaf Value."""
    if type(x) is float or type(x) is int:  # nearly every constant: made without __init__
        leaf = _new_value(Value)
        leaf.data = float(x)
        leaf.grad = 0.0
        leaf._op = leaf._a = leaf._b = None
        return leaf
    if not _is_real_number(x):
        raise TypeError(
            f"cannot combine a Value with {type(x).__name__} {x!r} using "
            f"'{symbol}': only Values and real numbers (int, float) work here."
        )
    return Value(x)


def _real_number(data):
    """``data`` for Value(data) as a float, or a TypeError that says how to make one."""
    if isinstance(data, Value):
        raise TypeError(
            f"Value() got a Value ({data!r}); use it directly, or pass "
            f"its number with Value(v.data)."
        )
    if not _is_real_number(data):
        raise TypeError(
            f"Value() needs a real number (int or float), got "
            f"{type(data).__name__} {data!r}. Convert it first, for "
            f"example Value(float(x))."
        )
    return float(data)


def _exponent(n):
    if not _is_real_number(n):
        raise TypeError(
            f"v ** n needs a real number (int or float) or a Value as the exponent, got "
            f"{type(n).__name__} {n!r}."
        )
    return float(n)


def _is_real_number(x):
    """int, float, or another real number type such as numpy's; not bool, which in
    arithmetic is usually a mistake."""
    # The exact-type test first: isinstance against an abstract class is slow, and
    # plain floats and ints are nearly every number that reaches here.
    if type(x) is float or type(x) is int:
        return True
    return not isinstance(x, bool) and isinstance(x, numbers.Real)


def _format_number(x):
    return f"{x:g}" if isinstance(x, float) else repr(x)

"""Check analytic gradients against central finite differences, as ``torch.autograd.gradcheck``.

Backward computes gradients from each operation's local derivative. Finite
differences compute them from the forward alone: nudge one input by ``eps``
either way and see how the output moves,

    d out / d x  ~  (f(x + eps) - f(x - eps)) / (2 eps)

Agreement is strong evidence that every local derivative on the way is right;
disagreement points at the input (and for Values, the operation) to look at.

    >>> from stepgrad import Value, gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh(), (Value(0.5), Value(-1.5)))
    True
"""

import math

from stepgrad import graph
from stepgrad.scalar import Value


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Whether backward's gradients of ``fn(*inputs)`` match finite differences.

    ``inputs`` is a Value or Tensor, or a tuple of them (other items are passed
    to ``fn`` unchanged). With Values, ``fn`` returns a Value. With Tensors,
    ``fn`` returns a Tensor of any shape and every Tensor that requires grad is
    checked, all of its elements against all of the output's (the Jacobian); such
    inputs must be float64, because float32 rounding (about 1e-7) swamps what a
    step of ``eps`` measures.

    An analytic value ``a`` passes against the numeric ``n`` when
    ``|a - n| <= atol + rtol * |n|``. Returns True, or raises GradcheckError
    naming the worst mismatch (False instead when ``raise_exception=False``).
    Inputs are left as they were: data, and for Values, grads.
    """
    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = tuple(inputs)
    if eps <= 0:
        raise ValueError(f"gradcheck: eps must be a small positive step, got {eps!r}.")
    if any(isinstance(x, Value) for x in inputs):
        mismatch = _check_values(fn, inputs, eps, atol, rtol)
    elif any(_is_tensor(x) for x in inputs):
        mismatch = _check_tensors(fn, inputs, eps, atol, rtol)
    else:
        raise TypeError(
            "gradcheck needs at least one Value or Tensor among the inputs to differentiate "
            f"with respect to, got {_describe_types(inputs)}."
        )
    if mismatch is None:
        return True
    if raise_exception:
        raise GradcheckError(mismatch)
    return False


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def _check_values(fn, inputs, eps, atol, rtol):
    if any(_is_tensor(x) for x in inputs):
        raise TypeError(
            "gradcheck: mix of Values and Tensors in inputs; check one engine at a time."
        )
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Value)]
    out = _call(fn, inputs, Value, "a Value")
    analytic = _value_gradients(out, [inputs[i] for i in checked])

    worst = None
    for position, i in enumerate(checked):
        x = inputs[i]
        numeric = _central_difference(fn, inputs, x, eps, f"input {i}")
        candidate = _Mismatch(i, (), (), analytic[position], numeric, atol, rtol)
        if candidate.excess > 0 and (worst is None or candidate.excess > worst.excess):
            worst = candidate
    if worst is None:
        return None
    return worst.explain(
        what=f"input {worst.input} (a Value with data {_num(inputs[worst.input].data)})",
        where="",
        hint=_suspect_operation(out, eps, atol, rtol),
    )


def _value_gradients(out, xs):
    """d out / d x for each x, by backward, leaving every existing .grad as it was."""
    nodes = graph.topological_order(out)
    saved = [node.grad for node in nodes]
    for node in nodes:
        node.grad = 0.0
    out.backward()
    # An input the output does not depend on is not in the graph: gradient 0.
    gradients = [x.grad if any(x is node for node in nodes) else 0.0 for x in xs]
    for node, grad in zip(nodes, saved):
        node.grad = grad
    return gradients


def _central_difference(fn, inputs, x, eps, name):
    original = x.data
    try:
        x.data = original + eps
        above = _call(fn, inputs, Value, "a Value", moved=f"{name} moved to {x.data!r}").data
        x.data = original - eps
        below = _call(fn, inputs, Value, "a Value", moved=f"{name} moved to {x.data!r}").data
    finally:
        x.data = original
    return (above - below) / (2 * eps)


def _suspect_operation(out, eps, atol, rtol):
    """The first operation (inputs first) whose local derivatives disagree with its forward."""
    for node in graph.topological_order(out):
        op = getattr(node, "_op", None)
        if op is None or not hasattr(op, "forward"):
            continue
        try:
            local = node.local_grads()
            numeric = _local_differences(node, op, eps)
        except (ArithmeticError, ValueError):
            continue  # the forward is not defined a step away: nothing to compare here
        for k, (a, n) in enumerate(zip(local, numeric)):
            if abs(a - n) > atol + rtol * abs(n):
                which = "first" if k == 0 else "second"
                return (
                    f"The operation '{node.op}' (output {_num(node.data)}) looks wrong: its "
                    f"local derivative with respect to its {which} input is {_num(a)}, but "
                    f"its own forward changes at a rate of {_num(n)} there. Check that "
                    f"operation's local_grads."
                )
    return (
        "Every operation's local derivative matches its own forward, so check how they "
        "are chained: a custom _backprop, or a Value used twice that receives only one "
        "of its contributions."
    )


def _local_differences(node, op, eps):
    a = node._a.data
    if isinstance(node._b, Value):
        b = node._b.data
        return (
            (op.forward(a + eps, b) - op.forward(a - eps, b)) / (2 * eps),
            (op.forward(a, b + eps) - op.forward(a, b - eps)) / (2 * eps),
        )
    return ((op.forward(a + eps, node._b) - op.forward(a - eps, node._b)) / (2 * eps),)


# ---------------------------------------------------------------------------
# Tensors
# ---------------------------------------------------------------------------


def _check_tensors(fn, inputs, eps, atol, rtol):
    import numpy as np

    from stepgrad.autograd.grad_mode import no_grad
    from stepgrad.tensor import Tensor

    checked = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    if not checked:
        raise ValueError(
            "gradcheck: none of the input Tensors requires grad, so there is nothing to "
            "check. Create the ones to differentiate with requires_grad=True."
        )
    for i in checked:
        if inputs[i].data.dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} is {inputs[i].dtype}, but finite differences need "
                f"float64: float32 rounding (about 1e-7 relative) swamps the change that a "
                f"step of eps={eps:g} makes. Pass it as x.double() (or create it with "
                f"dtype=stepgrad.float64)."
            )
    # Fresh leaves stand in for the inputs, so the caller's tensors keep their data and grad.
    args = list(inputs)
    for i in checked:
        with no_grad():
            args[i] = Tensor(inputs[i].data.copy())
        args[i].requires_grad_(True)

    out = _call(fn, args, Tensor, "a Tensor")
    shape = tuple(out.shape)
    outputs = out.data.size
    # Row j of the Jacobian: backward with a gradient that is 1 at output element j. An
    # output that no input requiring grad reaches has no graph: its Jacobian is all zeros.
    analytic = {i: np.zeros((outputs, args[i].data.size)) for i in checked}
    for j in range(outputs if out.requires_grad else 0):
        onehot = np.zeros(outputs)
        onehot[j] = 1.0
        for i in checked:
            args[i].grad = None
        out.backward(
            gradient=Tensor(onehot.reshape(shape).astype(out.data.dtype)), retain_graph=True
        )
        for i in checked:
            if args[i].grad is not None:
                analytic[i][j] = args[i].grad.data.reshape(-1)

    worst = None
    for i in checked:
        flat = args[i].data.reshape(-1)  # a view: writing it moves the input
        for k in range(flat.size):
            original = flat[k]
            try:
                flat[k] = original + eps
                with no_grad():
                    above = _call(fn, args, Tensor, "a Tensor").data.astype(np.float64)
                flat[k] = original - eps
                with no_grad():
                    below = _call(fn, args, Tensor, "a Tensor").data.astype(np.float64)
            finally:
                flat[k] = original
            column = ((above - below) / (2 * eps)).reshape(-1)
            for j in range(outputs):
                candidate = _Mismatch(
                    i,
                    np.unravel_index(k, args[i].data.shape),
                    np.unravel_index(j, shape) if shape else (),
                    analytic[i][j, k],
                    column[j],
                    atol,
                    rtol,
                )
                if candidate.excess > 0 and (worst is None or candidate.excess > worst.excess):
                    worst = candidate
    if worst is None:
        return None
    index = tuple(int(n) for n in worst.index)
    out_index = tuple(int(n) for n in worst.output_index)
    return worst.explain(
        what=f"input {worst.input} (shape {tuple(args[worst.input].shape)}) at index {index}",
        where=f" of output element {out_index}" if shape else "",
        hint=(
            "Check the backward of the operations between this input and that output: a "
            "wrong local derivative, a missing transpose, or a broadcast gradient not "
            "summed back to the input's shape."
        ),
    )


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------


class _Mismatch:
    """One compared element; ``excess`` > 0 when it is out of tolerance (larger is worse)."""

    def __init__(self, input, index, output_index, analytic, numeric, atol, rtol):
        self.input = input
        self.index = index
        self.output_index = output_index
        self.analytic = float(analytic)
        self.numeric = float(numeric)
        self.allowed = atol + rtol * abs(self.numeric)
        difference = abs(self.analytic - self.numeric)
        if math.isnan(difference):
            difference = math.inf  # a NaN on one side is the worst disagreement there is
        self.excess = difference / self.allowed if difference > self.allowed else 0.0

    def explain(self, what, where, hint):
        return (
            f"Gradient check failed: the gradient{where} with respect to {what} is "
            f"{_num(self.analytic)} by backward, but {_num(self.numeric)} by finite "
            f"differences (difference {_num(abs(self.analytic - self.numeric))}, allowed "
            f"{_num(self.allowed)}). {hint}"
        )


def _call(fn, args, kind, kind_name, moved=None):
    try:
        out = fn(*args)
    except Exception as error:
        if moved is None:
            raise
        raise GradcheckError(
            f"gradcheck: fn raised {type(error).__name__} ({error}) with {moved}: the "
            f"function is not defined a step of eps away from the input. Check at a point "
            f"further from the edge of its domain, or pass a smaller eps."
        ) from error
    if not isinstance(out, kind):
        raise TypeError(
            f"gradcheck: fn must return {kind_name} computed from the inputs, got "
            f"{type(out).__name__} {out!r}."
        )
    return out


def _is_tensor(x):
    try:
        from stepgrad.tensor import Tensor
    except ImportError:  # the scalar engine works on its own
        return False
    return isinstance(x, Tensor)


def _describe_types(inputs):
    return ", ".join(type(x).__name__ for x in inputs) or "no inputs"


def _num(x):
    return f"{x:.6g}"

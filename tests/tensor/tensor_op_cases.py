"""Every differentiable tensor operation, written once for both stepgrad and PyTorch.

Each case is ``(name, fn, inputs)``: ``fn(m, *tensors)`` uses only names that
stepgrad and torch share (``m`` is the module, ``stepgrad`` or ``torch``), and
``inputs`` are float64 arrays chosen away from kinks (|x| at 0, relu at 0,
clamp at its bounds, ties of max), where a derivative is not defined and
finite differences would disagree with any rule.
"""

import numpy as np

_rng = np.random.default_rng(1234)


def normal(*shape):
    return _rng.standard_normal(shape)


def positive(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def away_from(points, *shape):
    """Values at least 0.1 away from each of ``points`` (the op's kinks)."""
    values = _rng.uniform(-1.5, 1.5, shape)
    for point in points:
        near = np.abs(values - point) < 0.1
        values[near] = point + 0.1 * np.sign(values[near] - point + 1e-12) + 0.05
    return values


def distinct(*shape):
    """Values with no ties (max and min pick one element unambiguously)."""
    return _rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.3


def index_tensor(m, values, dtype=None):
    return m.tensor(np.asarray(values), dtype=dtype)


UNARY_CASES = [
    ("neg", lambda m, x: -x, [normal(3, 4)]),
    ("exp", lambda m, x: m.exp(x), [normal(3, 4)]),
    ("log", lambda m, x: m.log(x), [positive(3, 4)]),
    ("sqrt", lambda m, x: m.sqrt(x), [positive(3, 4)]),
    ("abs", lambda m, x: m.abs(x), [away_from([0.0], 3, 4)]),
    ("relu", lambda m, x: m.relu(x), [away_from([0.0], 3, 4)]),
    ("sigmoid", lambda m, x: m.sigmoid(x), [normal(3, 4) * 3]),
    ("tanh", lambda m, x: m.tanh(x), [normal(3, 4)]),
    ("pow 2", lambda m, x: x**2, [normal(3, 4)]),
    ("pow 3", lambda m, x: x**3, [normal(3, 4)]),
    ("pow 0.5", lambda m, x: x**0.5, [positive(3, 4)]),
    ("pow -1.5", lambda m, x: x**-1.5, [positive(3, 4)]),
    ("pow 0", lambda m, x: x**0, [normal(3, 4)]),
    ("number ** tensor", lambda m, x: 2.0**x, [normal(3, 4)]),
    ("clamp both", lambda m, x: m.clamp(x, -0.5, 0.5), [away_from([-0.5, 0.5], 3, 4)]),
    ("clamp min", lambda m, x: x.clamp(min=0.2), [away_from([0.2], 3, 4)]),
    ("clamp max", lambda m, x: x.clamp(max=-0.3), [away_from([-0.3], 3, 4)]),
    ("sum", lambda m, x: x.sum(), [normal(3, 4)]),
    ("sum dim", lambda m, x: x.sum(dim=1), [normal(3, 4)]),
    ("sum negative dim keepdim", lambda m, x: x.sum(-1, keepdim=True), [normal(3, 4)]),
    ("sum dims tuple", lambda m, x: m.sum(x, dim=(0, 2)), [normal(2, 3, 4)]),
    ("mean", lambda m, x: x.mean(), [normal(3, 4)]),
    ("mean dim", lambda m, x: m.mean(x, dim=0), [normal(3, 4)]),
    ("mean dims keepdim", lambda m, x: x.mean(dim=(1, 2), keepdim=True), [normal(2, 3, 4)]),
    ("max", lambda m, x: x.max(), [distinct(3, 4)]),
    ("min", lambda m, x: x.min(), [distinct(3, 4)]),
    ("max dim", lambda m, x: x.max(dim=1).values, [distinct(3, 4)]),
    ("max dim keepdim", lambda m, x: x.max(0, keepdim=True)[0], [distinct(3, 4)]),
    ("min dim", lambda m, x: m.min(x, dim=-1).values, [distinct(2, 3, 4)]),
    ("softmax", lambda m, x: m.softmax(x, dim=1), [normal(3, 4)]),
    ("softmax dim 0", lambda m, x: x.softmax(0), [normal(3, 4)]),
    ("log_softmax", lambda m, x: m.log_softmax(x, dim=-1), [normal(3, 4)]),
    ("log_softmax 3-d", lambda m, x: x.log_softmax(1), [normal(2, 3, 4)]),
    ("reshape", lambda m, x: x.reshape(4, 3), [normal(3, 4)]),
    ("reshape -1", lambda m, x: m.reshape(x, (2, -1)), [normal(3, 4)]),
    ("view", lambda m, x: x.view(12), [normal(3, 4)]),
    ("flatten", lambda m, x: x.flatten(1), [normal(2, 3, 4)]),
    ("transpose", lambda m, x: x.transpose(0, 2), [normal(2, 3, 4)]),
    ("T", lambda m, x: x.T, [normal(3, 4)]),
    ("mT", lambda m, x: x.mT, [normal(2, 3, 4)]),
    ("permute", lambda m, x: x.permute(2, 0, 1), [normal(2, 3, 4)]),
    ("unsqueeze", lambda m, x: x.unsqueeze(1), [normal(3, 4)]),
    ("unsqueeze -1", lambda m, x: m.unsqueeze(x, -1), [normal(3, 4)]),
    ("squeeze", lambda m, x: x.squeeze(), [normal(3, 1, 4, 1)]),
    ("squeeze dim", lambda m, x: x.squeeze(1), [normal(3, 1, 4)]),
    ("expand", lambda m, x: x.expand(2, 3, 4), [normal(3, 1)]),
    ("clone", lambda m, x: x.clone(), [normal(3, 4)]),
    ("index int", lambda m, x: x[1], [normal(3, 4)]),
    ("index negative int", lambda m, x: x[-1, 2], [normal(3, 4)]),
    ("index slice", lambda m, x: x[1:, ::2], [normal(3, 4)]),
    ("index ellipsis and None", lambda m, x: x[..., None, 1], [normal(2, 3, 4)]),
    ("index bool mask", lambda m, x: x[x > 0], [away_from([0.0], 3, 4)]),
    ("index int list", lambda m, x: x[[0, 2, 0]], [normal(3, 4)]),
    ("index int tensor repeated", lambda m, x: x[index_tensor(m, [2, 2, 1, 2])], [normal(3, 4)]),
    (
        "index int tensors per dim",
        lambda m, x: x[index_tensor(m, [0, 1, 0]), index_tensor(m, [3, 3, 3])],
        [normal(3, 4)],
    ),
]

# Binary operations: each appears with equal shapes and with broadcasting shapes.
BINARY_OPS = [
    ("add", lambda m, a, b: a + b, normal),
    ("sub", lambda m, a, b: a - b, normal),
    ("mul", lambda m, a, b: a * b, normal),
    ("div", lambda m, a, b: a / b, lambda *s: away_from([0.0], *s)),
    ("pow", lambda m, a, b: a**b, positive),
    ("maximum", lambda m, a, b: m.maximum(a, b), distinct),
    ("minimum", lambda m, a, b: m.minimum(a, b), distinct),
    ("where", lambda m, a, b: m.where(a > b, a, b), distinct),
    ("add method", lambda m, a, b: m.add(a, b), normal),
    ("mul method", lambda m, a, b: a.mul(b), normal),
]

SHAPE_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((1,), (2, 3)),
    ((), (3, 4)),
    ((2, 1, 4), (2, 3, 1)),
]


def _binary_inputs(make, shape_a, shape_b):
    if make is distinct:  # no ties anywhere between the two inputs
        values = distinct(int(np.prod(shape_a, dtype=int)) + int(np.prod(shape_b, dtype=int)))
        size_a = int(np.prod(shape_a, dtype=int))
        return [values[:size_a].reshape(shape_a), values[size_a:].reshape(shape_b)]
    return [make(*shape_a), make(*shape_b)]


BINARY_CASES = [
    (f"{name} {shape_a}x{shape_b}", fn, _binary_inputs(make, shape_a, shape_b))
    for name, fn, make in BINARY_OPS
    for shape_a, shape_b in SHAPE_PAIRS
]

SCALAR_OPERAND_CASES = [
    ("tensor + number", lambda m, x: x + 2.5, [normal(3)]),
    ("number + tensor", lambda m, x: 2.5 + x, [normal(3)]),
    ("tensor - number", lambda m, x: x - 1, [normal(3)]),
    ("number - tensor", lambda m, x: 1 - x, [normal(3)]),
    ("tensor * number", lambda m, x: x * -3.0, [normal(3)]),
    ("number * tensor", lambda m, x: 3 * x, [normal(3)]),
    ("tensor / number", lambda m, x: x / 4.0, [normal(3)]),
    ("number / tensor", lambda m, x: 1.0 / x, [away_from([0.0], 3)]),
]

MATMUL_CASES = [
    ("matmul 1-D @ 1-D", lambda m, a, b: a @ b, [normal(4), normal(4)]),
    ("matmul 2-D @ 1-D", lambda m, a, b: a @ b, [normal(3, 4), normal(4)]),
    ("matmul 1-D @ 2-D", lambda m, a, b: m.matmul(a, b), [normal(3), normal(3, 4)]),
    ("matmul 2-D @ 2-D", lambda m, a, b: a @ b, [normal(2, 3), normal(3, 4)]),
    ("matmul batched", lambda m, a, b: a @ b, [normal(5, 2, 3), normal(5, 3, 4)]),
    ("matmul batch broadcast", lambda m, a, b: a @ b, [normal(5, 2, 3), normal(3, 4)]),
    ("matmul batch 1 broadcast", lambda m, a, b: a @ b, [normal(2, 1, 2, 3), normal(4, 3, 2)]),
    ("matmul 1-D @ batched", lambda m, a, b: a @ b, [normal(3), normal(2, 3, 4)]),
    ("matmul batched @ 1-D", lambda m, a, b: a.matmul(b), [normal(2, 3, 4), normal(4)]),
]

JOIN_CASES = [
    ("cat dim 0", lambda m, a, b: m.cat([a, b]), [normal(2, 3), normal(4, 3)]),
    (
        "cat dim -1",
        lambda m, a, b, c: m.cat((a, b, c), dim=-1),
        [normal(2, 1), normal(2, 3), normal(2, 2)],
    ),
    ("stack dim 0", lambda m, a, b: m.stack([a, b]), [normal(2, 3), normal(2, 3)]),
    ("stack dim 2", lambda m, a, b: m.stack([a, b], dim=2), [normal(2, 3), normal(2, 3)]),
    (
        "stack dim -1 of 1-D",
        lambda m, a, b, c: m.stack([a, b, c], -1),
        [normal(4), normal(4), normal(4)],
    ),
]


def _linear(m, x, weight, bias=None):
    if m.__name__ == "torch":
        return m.nn.functional.linear(x, weight, bias)
    from stepgrad.functions.linalg import linear

    return linear(x, weight, bias)


LINEAR_CASES = [
    ("linear", _linear, [normal(5, 2), normal(3, 2), normal(3)]),
    ("linear without bias", _linear, [normal(5, 2), normal(3, 2)]),
    ("linear 1-D input", _linear, [normal(2), normal(3, 2), normal(3)]),
    ("linear 3-D input", _linear, [normal(4, 5, 2), normal(3, 2), normal(3)]),
]

COMPOSITE_CASES = [
    (
        "tutorial network",
        lambda m, x, w1, b1, w2, b2: m.sigmoid(m.relu(x @ w1.T + b1) @ w2.T + b2),
        [away_from([0.0], 5, 2), normal(4, 2), normal(4), normal(1, 4), normal(1)],
    ),
    ("x used twice", lambda m, x: x * x.exp() + x, [normal(3)]),
]

ALL_CASES = (
    UNARY_CASES
    + BINARY_CASES
    + SCALAR_OPERAND_CASES
    + MATMUL_CASES
    + JOIN_CASES
    + LINEAR_CASES
    + COMPOSITE_CASES
)


def case_id(case):
    return case[0]

"""Hypothesis strategies for random scalar expression graphs.

A program is a few input numbers and a list of steps; each step applies one
operation to earlier results (inputs or steps), chosen by index, so results are
reused: graphs come out as DAGs with shared nodes, not only trees.

    program.run(values)  builds the graph on Values and returns its output

Every operation is written so that it is defined and smooth wherever it can be
called (positive bases and log arguments, denominators away from 0, exponents
bounded), so gradcheck compares derivatives, not domain errors. ReLU is the
exception: its kink at 0 is real, and ``program.kinks(values)`` reports how
close any ReLU input came to it so that tests can skip those draws.
"""

from dataclasses import dataclass

from hypothesis import strategies as st


def _positive(v):
    return v * v + 0.5  # > 0 whatever v is


# name -> (number of operands, how it is built from Values and one constant c)
OPERATIONS = {
    "add": (2, lambda a, b, c: a + b),
    "sub": (2, lambda a, b, c: a - b),
    "mul": (2, lambda a, b, c: a * b),
    "div": (2, lambda a, b, c: a / _positive(b)),
    "pow_value": (2, lambda a, b, c: _positive(a) ** b.tanh()),
    "number_plus": (1, lambda a, b, c: c + a),
    "number_minus": (1, lambda a, b, c: c - a),
    "number_times": (1, lambda a, b, c: c * a),
    "number_over": (1, lambda a, b, c: c / _positive(a)),
    "number_pow": (1, lambda a, b, c: (abs(c) + 0.5) ** a.tanh()),
    "neg": (1, lambda a, b, c: -a),
    "square": (1, lambda a, b, c: a**2),
    "cube": (1, lambda a, b, c: a**3),
    "pow_fraction": (1, lambda a, b, c: _positive(a) ** c),
    "exp": (1, lambda a, b, c: a.tanh().exp()),
    "log": (1, lambda a, b, c: _positive(a).log()),
    "tanh": (1, lambda a, b, c: a.tanh()),
    "sigmoid": (1, lambda a, b, c: a.sigmoid()),
    "relu": (1, lambda a, b, c: a.relu()),
}


@dataclass
class Program:
    inputs: list
    steps: list  # (operation name, index of a, index of b, constant)

    def run(self, values):
        results = list(values)
        for name, i, j, constant in self.steps:
            _, build = OPERATIONS[name]
            results.append(build(results[i], results[j], constant))
        return results[-1]

    def kinks(self, values):
        """The smallest |input| of any ReLU in the graph (inf when there is none)."""
        results = list(values)
        closest = float("inf")
        for name, i, j, constant in self.steps:
            if name == "relu":
                closest = min(closest, abs(results[i].data))
            _, build = OPERATIONS[name]
            results.append(build(results[i], results[j], constant))
        return closest

    def __repr__(self):
        lines = [f"inputs {self.inputs}"]
        for k, (name, i, j, constant) in enumerate(self.steps, start=len(self.inputs)):
            lines.append(f"  r{k} = {name}(r{i}, r{j}, c={constant})")
        return "\n".join(lines)


def _earlier_result(available):
    """An index below ``available``, often one of the last two, so graphs grow deep as well as wide."""
    recent = st.integers(min_value=max(0, available - 2), max_value=available - 1)
    return st.one_of(recent, st.integers(min_value=0, max_value=available - 1))


numbers = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


@st.composite
def programs(draw, max_inputs=3, max_steps=10):
    """A random expression over 1..max_inputs inputs with 1..max_steps operations."""
    inputs = draw(st.lists(numbers, min_size=1, max_size=max_inputs))
    steps = []
    for k in range(draw(st.integers(min_value=1, max_value=max_steps))):
        available = len(inputs) + k
        name = draw(st.sampled_from(sorted(OPERATIONS)))
        i = draw(_earlier_result(available))
        j = draw(_earlier_result(available))
        constant = draw(numbers)
        steps.append((name, i, j, constant))
    return Program(inputs, steps)

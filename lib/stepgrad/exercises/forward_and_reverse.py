"""Checks for chapter 10, "Forward mode and reverse mode".

The truth is stepgrad itself run fresh inside each check: ``Dual`` for a
derivative carried forward, ``Value.backward()`` for a gradient. Classic
mistakes are recognised by computing them: value and tangent swapped, the
derivative of a term dropped, every input seeded at once (which gives one
directional derivative, not a gradient), the values returned instead of the
tangents, and the two modes' pass counts swapped.

    >>> from stepgrad.exercises import forward_and_reverse
    >>> forward_and_reverse.check_dual_by_hand(21, 25).status
    'correct'
"""

from stepgrad.dual import Dual
from stepgrad.exercises.feedback import (
    Rejected,
    call_learner,
    close,
    correct,
    exercise,
    expect_number,
    wrong,
)
from stepgrad.scalar import Value

# ---------------------------------------------------------------------------
# Exercise 10.1: f(x) = x^3 - 2x at x = 3, as a dual number, by hand.
# ---------------------------------------------------------------------------


def cubic(x):
    """The function of exercise 10.1: f(x) = x³ - 2x."""
    return x**3 - 2 * x


CUBIC_AT = 3.0


@exercise("10.1", "a dual number by hand")
def check_dual_by_hand(value, tangent):
    """Check f(3 + ε) = value + tangent·ε for f(x) = x³ - 2x."""
    value = expect_number(value, "Your value")
    tangent = expect_number(tangent, "Your tangent")
    truth = cubic(Dual(CUBIC_AT, 1.0))
    value_right = close(value, truth.value)
    tangent_right = close(tangent, truth.tangent)
    if value_right and tangent_right:
        return correct(
            f"f(3 + ε) = {truth.value:g} + {truth.tangent:g}ε: the ε part is f'(3) = 3·3² - 2, "
            f"carried along with the value instead of worked out afterwards."
        )
    if close(value, truth.tangent) and close(tangent, truth.value):
        return wrong(
            "Those are the right two numbers in the wrong places: the value is the part "
            "without ε (f(3) itself), the tangent is the number in front of ε.",
            mistake="value_and_tangent_swapped",
        )
    cube_only = (Dual(CUBIC_AT, 1.0) ** 3).tangent
    if value_right and close(tangent, cube_only):
        return wrong(
            f"{tangent:g} is the ε part of (3 + ε)³ alone. The term -2x contributes "
            f"-2(3 + ε) = -6 - 2ε: its ε part belongs in the tangent too.",
            mistake="linear_term_dropped",
        )
    if value_right and close(tangent, value):
        return wrong(
            "The tangent is not the value again. Expand (3 + ε)³ keeping only terms up to ε "
            "(ε² = 0), then add -2(3 + ε): collect what multiplies ε.",
            mistake="tangent_is_value",
        )
    if not value_right:
        return wrong("The value is f(3) = 3³ - 2·3: the part of the result without ε.")
    return wrong(
        "The value is right. For the tangent: (3 + ε)³ = 27 + 3·9·ε + (terms with ε², which "
        "are 0); then add -2(3 + ε)."
    )


# ---------------------------------------------------------------------------
# Exercise 10.2: a whole gradient in forward mode, one pass per input.
# ---------------------------------------------------------------------------


def three_inputs(a, b, c):
    """The function the check differentiates: three numbers in, one out."""
    return a * b + (b * c).tanh() - c**2 / a


POINT = (1.5, -0.5, 2.0)


class _CountingFunction:
    """``three_inputs`` that counts its calls and notes what kind of numbers it got."""

    def __init__(self):
        self.calls = 0
        self.kinds = set()

    def __call__(self, *args):
        self.calls += 1
        self.kinds.update(type(arg).__name__ for arg in args)
        return three_inputs(*args)


@exercise("10.2", "a gradient in forward mode")
def check_forward_gradient(forward_gradient):
    """Check ``forward_gradient(f, xs)``: every df/dx_i, with one Dual pass per input."""
    f = _CountingFunction()
    answer = call_learner(forward_gradient, f, list(POINT))
    if isinstance(answer, tuple):
        answer = list(answer)
    if not isinstance(answer, list) or len(answer) != len(POINT):
        raise Rejected(
            f"forward_gradient should return a list of {len(POINT)} numbers (one partial "
            f"derivative per input), got {type(answer).__name__} {answer!r}."
        )
    if "Value" in f.kinds:
        return wrong(
            "Your function fed Values to f, which is reverse mode (backward). This exercise "
            "is about forward mode: call f with Duals, one seeded input per pass.",
            mistake="used_reverse_mode",
        )
    if any(isinstance(a, Dual) for a in answer):
        raise Rejected(
            "Your list holds Duals. The derivative is each result's .tangent: keep that number.",
            "duals_not_tangents",
        )
    mine = [expect_number(a, f"Entry {i} of your list") for i, a in enumerate(answer)]
    leaves = [Value(x) for x in POINT]
    three_inputs(*leaves).backward()
    truth = [leaf.grad for leaf in leaves]
    if all(close(m, t, rel=1e-9, abs_tol=1e-12) for m, t in zip(mine, truth)):
        if f.calls > len(POINT):
            return wrong(
                f"The numbers are right, but f ran {f.calls} times. Forward mode needs one "
                f"pass per input: {len(POINT)} here.",
                mistake="too_many_passes",
            )
        return correct(
            f"{len(POINT)} passes, one per input, each seeding one tangent with 1. Reverse mode "
            f"got the same numbers from one forward and one backward pass."
        )
    everything = three_inputs(*(Dual(x, 1.0) for x in POINT)).tangent
    if all(close(m, everything) for m in mine):
        return wrong(
            f"Every entry is {everything:.6g}: all inputs were seeded with tangent 1 at once, so "
            f"each pass measured how f moves when all inputs move together (the sum of the "
            f"partial derivatives). Seed only input i in pass i; the others get tangent 0.",
            mistake="all_inputs_seeded",
        )
    value = three_inputs(*(Dual(x) for x in POINT)).value
    if all(close(m, value) for m in mine):
        return wrong(
            f"Every entry is {value:.6g}, the value of f. The derivative is the result's "
            f".tangent, not its .value.",
            mistake="values_not_tangents",
        )
    return wrong(
        "Not the gradient yet. In pass i, make input i Dual(x_i, 1.0) and every other input "
        "Dual(x_k, 0.0), call f(*inputs), and keep the result's .tangent."
    )


# ---------------------------------------------------------------------------
# Exercise 10.3: how many passes each mode needs for a whole Jacobian.
# ---------------------------------------------------------------------------

NETWORK_PARAMETERS = 10_000  # a loss: 10,000 inputs, 1 output
TRAJECTORY_POSITIONS = 500  # a simulation: 1 input (the launch speed), 500 outputs


def passes_needed(inputs, outputs):
    """(forward-mode passes, backward passes) for the whole Jacobian of f: R^inputs -> R^outputs.

    A forward-mode pass seeds one input and gives one column; a backward pass
    seeds one output and gives one row.
    """
    return inputs, outputs


@exercise("10.3", "which mode, how many passes")
def check_pass_counts(loss_forward, loss_reverse, trajectory_forward, trajectory_reverse):
    """Check the pass counts for the network's loss and for the trajectory."""
    answers = [
        expect_number(loss_forward, "Your loss_forward"),
        expect_number(loss_reverse, "Your loss_reverse"),
        expect_number(trajectory_forward, "Your trajectory_forward"),
        expect_number(trajectory_reverse, "Your trajectory_reverse"),
    ]
    truth = [
        *passes_needed(NETWORK_PARAMETERS, 1),
        *passes_needed(1, TRAJECTORY_POSITIONS),
    ]
    if answers == truth:
        return correct(
            f"The gradient of the loss costs {NETWORK_PARAMETERS:,} forward-mode passes but "
            f"one backward pass; the trajectory's derivatives cost one forward-mode pass but "
            f"{TRAJECTORY_POSITIONS} backward passes. Each mode pays once per input (forward) "
            f"or once per output (reverse)."
        )
    swapped = [truth[1], truth[0], truth[3], truth[2]]
    if answers == swapped:
        return wrong(
            "These are the two modes swapped. A forward-mode pass follows one input's "
            "tangent through the whole computation; a backward pass starts from one output.",
            mistake="modes_swapped",
        )
    if answers[1] == 2 or answers[3] == 2 * TRAJECTORY_POSITIONS:
        return wrong(
            "Count backward passes only: each backward needs the forward pass that built its "
            "graph, but one forward pass serves many backward passes (retain_graph=True).",
            mistake="counted_forward_in_reverse",
        )
    return wrong(
        "Ask for each mode: one pass gives me one column (forward: one input's effect on "
        "every output) or one row (reverse: every input's effect on one output). How many "
        "columns, how many rows?"
    )

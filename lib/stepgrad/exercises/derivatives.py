"""Checks for chapter 1, "Derivatives and slopes".

Every check compares with an independent truth: the slope stepgrad computes
with ``backward()``, or the exact derivative of a function whose derivative is
known in closed form. Wrong answers that match a classic mistake (a forward
difference where a central one was asked, a step so small that round-off
wins, backward called twice) are named in the hint.

    >>> from stepgrad.exercises import derivatives
    >>> derivatives.check_slope_by_hand(8).status
    'correct'
"""

import math

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


def slope(f, x):
    """d f / d x at ``x``, computed by stepgrad's backward pass."""
    x = Value(x)
    f(x).backward()
    return x.grad


# ---------------------------------------------------------------------------
# Exercise 1.1: the slope of f(x) = 3x^2 - 4x + 1 at x = 2, by hand.
# ---------------------------------------------------------------------------


def quadratic(x):
    """The function of exercise 1.1: f(x) = 3x^2 - 4x + 1."""
    return 3 * x**2 - 4 * x + 1


QUADRATIC_AT = 2.0


@exercise("1.1", "a slope by hand")
def check_slope_by_hand(answer):
    """Check the slope of f(x) = 3x^2 - 4x + 1 at x = 2, worked out by hand."""
    answer = expect_number(answer)
    x = QUADRATIC_AT
    truth = slope(quadratic, x)
    if close(answer, truth):
        return correct(f"f'(2) = 6·2 - 4 = {truth:g}: the curve climbs {truth:g} per unit step.")
    if close(answer, quadratic(x)):
        return wrong(
            f"{answer:g} is f(2), the height of the curve. The slope is how fast that "
            f"height changes: differentiate first, then put in x = 2.",
            mistake="value_not_slope",
        )
    if close(answer, slope(lambda v: 3 * v**2 + 1, x)):
        return wrong(
            "You have the slope of 3x² but not of the -4x term. A straight line -4x has "
            "slope -4 everywhere; add it.",
            mistake="dropped_linear_term",
        )
    if close(answer, 3 * 2 - 4):
        return wrong(
            "The power rule gives d(x²)/dx = 2x, so 3x² has slope 6x, which still depends "
            "on x. Put in x = 2 after differentiating.",
            mistake="power_rule_without_x",
        )
    return wrong(
        "Differentiate term by term (power rule: d(xⁿ)/dx = n·xⁿ⁻¹, constants "
        "have slope 0), then put in x = 2."
    )


# ---------------------------------------------------------------------------
# Exercise 1.2: central_difference(f, x, h).
# ---------------------------------------------------------------------------


def cube(x):
    """The function of the error plot and of exercises 1.2 and 1.3: f(x) = x^3."""
    return x**3


# (function, point, its exact derivative there). Two different functions, so a
# formula that only works for one of them does not pass. The exact derivatives
# are what tests/exercises compare the reference formula with.
_DIFFERENCE_CASES = (
    (math.exp, 1.0, math.exp(1.0)),
    (cube, 2.0, 12.0),
)
_NAMES = {math.exp: "exp(x)", cube: "x³"}
_STEPS = (0.1, 0.05, 1e-3)


def _difference_formulas(f, x, h):
    """The formulas a learner might write, by the name of the mistake they are."""
    return {
        "central": (f(x + h) - f(x - h)) / (2 * h),
        "forward_difference": (f(x + h) - f(x)) / h,
        "backward_difference": (f(x) - f(x - h)) / h,
        "missing_half": (f(x + h) - f(x - h)) / h,
    }


_DIFFERENCE_HINTS = {
    "forward_difference": (
        "This is the forward difference (f(x+h) - f(x)) / h. It works, but its error "
        "shrinks only like h. The central difference looks both ways: "
        "(f(x+h) - f(x-h)) / (2h), and its error shrinks like h²."
    ),
    "backward_difference": (
        "This is the backward difference (f(x) - f(x-h)) / h: one-sided, so its error "
        "shrinks only like h. Use both neighbours: (f(x+h) - f(x-h)) / (2h)."
    ),
    "missing_half": (
        "Your answers are twice the slope. The points x-h and x+h are 2h apart, so "
        "divide by 2h, not h."
    ),
}


@exercise("1.2", "the central difference")
def check_central_difference(central_difference):
    """Check ``central_difference(f, x, h)`` on two functions and three step sizes."""
    for f, x, _exact in _DIFFERENCE_CASES:
        results = {
            h: expect_number(
                call_learner(central_difference, f, x, h),
                what=f"central_difference(f, {x:g}, {h:g})",
            )
            for h in _STEPS
        }
        formulas = {h: _difference_formulas(f, x, h) for h in _STEPS}
        # The formulas the learner's numbers agree with at every step size.
        matches = [
            name
            for name in formulas[_STEPS[0]]
            if all(close(results[h], formulas[h][name]) for h in _STEPS)
        ]
        if matches == ["central"]:
            continue
        if matches:
            return wrong(_DIFFERENCE_HINTS[matches[0]], mistake=matches[0])
        first = results[_STEPS[0]]
        if all(close(result, first, rel=1e-12) for result in results.values()):
            return wrong(
                "Your function gives the same number whatever h is. Use the h it is given.",
                mistake="ignores_h",
            )
        h = _STEPS[0]
        return wrong(
            f"For f(x) = {_NAMES[f]} at x = {x:g} with h = {h:g} you return "
            f"{results[h]:.10g}; the central difference is {formulas[h]['central']:.10g}. "
            f"Evaluate f on both sides of x: (f(x+h) - f(x-h)) / (2h)."
        )
    return correct(
        "Its error shrinks like h²: halve h and the error drops about four times "
        "(a forward difference's only halves)."
    )


# ---------------------------------------------------------------------------
# Exercise 1.3: the best step for a forward difference of x^3 at 2.
# ---------------------------------------------------------------------------

STEP_CHOICES = (1e-1, 1e-4, 1e-8, 1e-12, 1e-15)


def forward_difference_error(h, f=cube, x=2.0):
    """|forward difference - exact slope| for ``f`` at ``x`` with step ``h``."""
    return abs((f(x + h) - f(x)) / h - slope(f, x))


@exercise("1.3", "the best step size")
def check_best_step(h):
    """Check which of ``STEP_CHOICES`` gives the forward difference of x³ at 2 its least error."""
    h = expect_number(h, what="Your step h")
    if not any(close(h, choice) for choice in STEP_CHOICES):
        choices = ", ".join(f"{choice:g}" for choice in STEP_CHOICES)
        raise Rejected(f"Pick h from the list: {choices}.", "not_a_choice")
    errors = {choice: forward_difference_error(choice) for choice in STEP_CHOICES}
    best = min(errors, key=errors.get)
    if close(h, best):
        return correct(
            f"With h = {best:g} the error is {errors[best]:.1e}: small enough that truncation "
            f"hardly matters, large enough that round-off does not swamp f(x+h) - f(x)."
        )
    if h < best:
        return wrong(
            f"With h = {h:g} the error is {errors[h]:.1e}, worse than with larger steps. When "
            f"h is tiny, f(x+h) and f(x) agree in almost every digit, and their difference "
            f"is mostly rounding noise, which dividing by h then magnifies (round-off error).",
            mistake="round_off",
        )
    return wrong(
        f"With h = {h:g} the error is {errors[h]:.1e}. The secant still cuts across the "
        f"curve: this is truncation error, which shrinks as h does. Try a smaller step.",
        mistake="truncation",
    )


# ---------------------------------------------------------------------------
# Exercise 1.4: a gradient with stepgrad.
# ---------------------------------------------------------------------------


def damped(x):
    """The function of exercise 1.4: f(x) = x · exp(-x)."""
    return x * (-x).exp()


DAMPED_AT = 2.0


@exercise("1.4", "a gradient with stepgrad")
def check_stepgrad_gradient(gradient):
    """Check d/dx [x · exp(-x)] at x = 2 as computed with stepgrad."""
    x = DAMPED_AT
    # The exact derivative, (1 - x) e^(-x), written out independently of stepgrad.
    truth = (1 - x) * math.exp(-x)
    if isinstance(gradient, Value):
        return wrong(
            "This is a Value, not a number. After y.backward(), the gradient sits in "
            "x.grad: pass that.",
            mistake="passed_value",
        )
    gradient = expect_number(gradient)
    if close(gradient, truth):
        return correct(
            f"dy/dx = (1 - x)·e^(-x) = {truth:.6f} at x = 2, and stepgrad got it "
            f"without a step size."
        )
    if gradient == 0.0:
        return wrong(
            "x.grad is still 0: it is only filled in when you call y.backward().",
            mistake="no_backward",
        )
    if close(gradient, 2 * truth) or close(gradient, 3 * truth):
        return wrong(
            "This is a whole multiple of the right gradient: backward() ran more than once on "
            "the same x, and gradients add up. Re-run the cell that creates x, then call "
            "backward() once.",
            mistake="backward_twice",
        )
    if close(gradient, x * math.exp(-x)):
        return wrong(
            "This is y itself (y.data), not its slope. Read x.grad after y.backward().",
            mistake="value_not_slope",
        )
    return wrong(
        f"Build y from x = Value({x}) with Value operations "
        f"(x * (-x).exp()), call y.backward(), then read x.grad."
    )

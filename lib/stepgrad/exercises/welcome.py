"""Checks for chapter 0, "Welcome": two warm-ups that show how the exercises work.

Both ask about y = x·x + 3x at x = 2: first its slope worked out by hand, then
the gradient stepgrad computes. The truth is always stepgrad's ``backward()``
on a graph built here, and each classic slip is recognised by computing it
(the height of the curve instead of its slope, a term left out, one factor of
x·x forgotten, ``backward()`` run twice).

    >>> from stepgrad.exercises import welcome
    >>> welcome.check_slope_by_hand(7).status
    'correct'
"""

from stepgrad.exercises.derivatives import slope
from stepgrad.exercises.feedback import close, correct, exercise, expect_number, wrong
from stepgrad.scalar import Value

WARM_UP_AT = 2.0


def warm_up(x):
    """The function of both exercises: y = x·x + 3x."""
    return x * x + 3 * x


def _height():
    """y itself at x = 2, computed on a fresh Value."""
    return warm_up(Value(WARM_UP_AT)).data


# ---------------------------------------------------------------------------
# Exercise 0.1: the slope of y = x·x + 3x at x = 2, by hand.
# ---------------------------------------------------------------------------


def _slips_by_hand(x):
    """The slopes a learner gets from the classic slips, by the name of each slip."""
    return {
        "value_not_slope": _height(),
        "dropped_linear_term": slope(lambda v: v * v, x),
        "dropped_square_term": slope(lambda v: 3 * v, x),
        # x·x differentiated as if only one of its factors moved with x.
        "one_factor_only": slope(lambda v: v * x + 3 * v, x),
    }


_HINTS_BY_HAND = {
    "value_not_slope": (
        "{answer:g} is y at x = 2, the height of the curve. The slope is how fast that "
        "height changes as x moves: differentiate first, then put in x = 2."
    ),
    "dropped_linear_term": (
        "You have the slope of x·x, but y also has the term 3x, which climbs 3 for every "
        "unit step of x. Add its slope."
    ),
    "dropped_square_term": (
        "You have the slope of 3x, but y also has the term x·x. Add its slope too."
    ),
    "one_factor_only": (
        "The 3x part is right, but x·x has both factors moving with x, so it changes twice "
        "as fast as you counted (power rule: d(x²)/dx = 2x)."
    ),
}


@exercise("0.1", "a slope by hand")
def check_slope_by_hand(answer):
    """Check the slope of y = x·x + 3x at x = 2, worked out on paper."""
    answer = expect_number(answer)
    x = WARM_UP_AT
    truth = slope(warm_up, x)
    if close(answer, truth):
        return correct(f"dy/dx = 2x + 3 = {truth:g} at x = 2. Now let stepgrad confirm it.")
    for mistake, slip in _slips_by_hand(x).items():
        if close(answer, slip):
            return wrong(_HINTS_BY_HAND[mistake].format(answer=answer), mistake=mistake)
    return wrong(
        "Take the two terms one at a time (power rule: d(xⁿ)/dx = n·xⁿ⁻¹), add their "
        "slopes, then put in x = 2."
    )


# ---------------------------------------------------------------------------
# Exercise 0.2: the same slope, computed by stepgrad.
# ---------------------------------------------------------------------------


def _gradient_after_repeated_backward(x, times):
    """What x.grad holds after ``times`` backward passes on one graph: gradients add up."""
    x = Value(x)
    y = warm_up(x)
    for _ in range(times):
        y.backward()
    return x.grad


@exercise("0.2", "a gradient with stepgrad")
def check_stepgrad_gradient(gradient):
    """Check dy/dx of y = x·x + 3x at x = 2 as stepgrad computes it (``x.grad``)."""
    x = WARM_UP_AT
    truth = slope(warm_up, x)
    if isinstance(gradient, Value):
        return wrong(
            "This is a Value, a whole node of the graph. After y.backward(), the number you "
            "want sits in x.grad: pass that.",
            mistake="passed_value",
        )
    gradient = expect_number(gradient)
    if close(gradient, truth):
        return correct(
            f"x.grad is {truth:g}, the slope you found by hand in 0.1: backward() did the "
            f"calculus for you."
        )
    if gradient == 0.0:
        return wrong(
            "x.grad is still 0: stepgrad fills it in only when you call y.backward().",
            mistake="no_backward",
        )
    if any(close(gradient, _gradient_after_repeated_backward(x, n)) for n in (2, 3)):
        return wrong(
            "This is a whole multiple of the gradient: backward() ran more than once on the "
            "same graph, and gradients add up. Run the whole answer cell again (it makes a "
            "fresh x), with backward() called once.",
            mistake="backward_twice",
        )
    if close(gradient, x):
        return wrong(
            "This is x.data, the value of x itself. The gradient is in x.grad.",
            mistake="data_not_grad",
        )
    if close(gradient, _height()):
        return wrong(
            "This is y.data, the value of y. Its slope with respect to x is in x.grad.",
            mistake="value_not_slope",
        )
    return wrong(
        "Build y from x = Value(2.0) with Value arithmetic (x * x + 3 * x), call "
        "y.backward() once, then read x.grad."
    )

"""What every exercise check shares: the blank ``___``, the verdicts, and the decorator.

A chapter module writes each check as a plain function that inspects the
learner's answer and returns ``correct(...)`` or ``wrong(..., mistake=...)``.
The ``@exercise`` decorator does the rest: it answers "not answered yet" while
the blank is still there, turns an exception raised by the learner's own code
into a hint instead of a traceback, and wraps the verdict in a ``Feedback``
that a notebook displays.

    >>> @exercise("0.1", "the answer")
    ... def check_answer(answer):
    ...     return correct("42 it is.") if answer == 42 else wrong("Try 42.")
    >>> check_answer(___)
    … Exercise 0.1 (the answer): not answered yet. Replace ___ with your answer, run that cell, then run this one again.
    >>> check_answer(41).status
    'wrong'
"""

import functools
import html
import math
import numbers
import types

CORRECT = "correct"
WRONG = "wrong"
UNANSWERED = "unanswered"


class NotAnswered(Exception):
    """The blank ``___`` was used in a computation: the exercise is not answered yet."""


class Placeholder:
    """The blank a learner replaces. Computing with it is still not an answer."""

    __slots__ = ()

    def __repr__(self):
        return "___"

    def _still_blank(self, *args, **kwargs):
        raise NotAnswered("the blank ___ is still in the answer")

    # Anything a learner might do with the blank while half-way through an
    # answer (``___ * 2``, ``float(___)``, ``for n in ___``) means "not yet",
    # not a confusing TypeError.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _still_blank
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __abs__ = _still_blank
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = __index__ = _still_blank
    __bool__ = __len__ = __iter__ = __getitem__ = __call__ = _still_blank


___ = Placeholder()


class Verdict:
    """A check's conclusion before it is labelled with its exercise."""

    __slots__ = ("message", "mistake", "status")

    def __init__(self, status, message, mistake=None):
        self.status = status
        self.message = message
        self.mistake = mistake


def correct(message):
    """The answer is right; ``message`` says what it shows."""
    return Verdict(CORRECT, message)


def wrong(message, mistake=None):
    """The answer is not right yet; ``message`` is the hint.

    ``mistake`` names a recognised classic mistake (for example
    ``"forward_difference"``), so tests and authors can tell them apart.
    """
    return Verdict(WRONG, message, mistake)


class Rejected(Exception):
    """Raised inside a check to give up early with a hint (see ``expect_number``)."""

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.verdict = wrong(message, mistake)


class LearnerCodeFailed(Exception):
    """The learner's function raised; ``error`` is what it raised."""

    def __init__(self, what, error):
        super().__init__(f"{what} stopped with {type(error).__name__}: {error}")
        self.what = what
        self.error = error


_HEADINGS = {
    CORRECT: ("✓", "correct"),
    WRONG: ("✗", "not yet"),
    UNANSWERED: ("…", "not answered yet"),
}
_COLOURS = {CORRECT: "#2e7d32", WRONG: "#c62828", UNANSWERED: "#757575"}


class Feedback:
    """What a check says about one answer; a notebook shows it as its output.

    ``status`` is ``"correct"``, ``"wrong"`` or ``"unanswered"``; ``mistake``
    names the classic mistake recognised, if any; ``bool(feedback)`` is True
    only when the answer is correct.
    """

    __slots__ = ("message", "mistake", "number", "status", "title")

    def __init__(self, number, title, verdict):
        self.number = number
        self.title = title
        self.status = verdict.status
        self.message = verdict.message
        self.mistake = verdict.mistake

    def __bool__(self):
        return self.status == CORRECT

    def __repr__(self):
        mark, heading = _HEADINGS[self.status]
        return f"{mark} Exercise {self.number} ({self.title}): {heading}. {self.message}"

    def _repr_html_(self):
        mark, heading = _HEADINGS[self.status]
        colour = _COLOURS[self.status]
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.3em 0.8em;">'
            f'<strong style="color: {colour};">{mark} Exercise {html.escape(self.number)} '
            f"({html.escape(self.title)}): {heading}.</strong> "
            f"{html.escape(self.message)}</div>"
        )


NOT_ANSWERED_MESSAGE = "Replace ___ with your answer, run that cell, then run this one again."


def exercise(number, title):
    """Make ``check_body(*answers) -> Verdict`` into a check a notebook calls.

    The check returns a ``Feedback``; it never raises because of the learner's
    answer. ``check.number`` and ``check.title`` say which exercise it checks.
    """

    def decorate(check_body):
        @functools.wraps(check_body)
        def check(*answers):
            if any(isinstance(answer, Placeholder) for answer in answers):
                verdict = Verdict(UNANSWERED, NOT_ANSWERED_MESSAGE)
            else:
                try:
                    verdict = check_body(*answers)
                except NotAnswered:
                    verdict = Verdict(UNANSWERED, NOT_ANSWERED_MESSAGE)
                except Rejected as rejection:
                    verdict = rejection.verdict
                except LearnerCodeFailed as failure:
                    verdict = wrong(
                        f"{failure}. Read the error, fix the cell above, and run both again.",
                        mistake="raised_error",
                    )
            return Feedback(number, title, verdict)

        check.number = number
        check.title = title
        return check

    return decorate


def call_learner(function, *args, what=None):
    """Call the learner's ``function``; whatever it raises becomes ``LearnerCodeFailed``.

    A function whose code still mentions ``___`` is not answered yet
    (``NotAnswered``), whether or not it would ever compute with it.
    """
    if not callable(function):
        raise Rejected(
            f"Expected a function here, got {type(function).__name__} {function!r}. "
            f"Pass the function itself, without calling it (no parentheses)."
        )
    code = getattr(function, "__code__", None)
    if code is not None and _mentions_blank(code):
        # A function whose body still says ___ may never compute with it (a bare
        # ``___`` line does nothing), but it is not finished.
        raise NotAnswered("the function still contains ___")
    try:
        result = function(*args)
    except NotAnswered:
        raise
    except Exception as error:
        name = getattr(function, "__name__", "<lambda>")
        what = what or ("Your function" if name == "<lambda>" else f"Your {name}")
        raise LearnerCodeFailed(what, error) from error
    if isinstance(result, Placeholder):
        raise NotAnswered("the function returned ___")
    return result


def _mentions_blank(code):
    """True when compiled code (or a function nested in it) refers to the name ``___``."""
    if "___" in code.co_names:
        return True
    return any(
        isinstance(const, types.CodeType) and _mentions_blank(const) for const in code.co_consts
    )


def expect_number(answer, what="Your answer"):
    """``answer`` as a float, or ``Rejected`` with a hint when it is not a plain number."""
    if isinstance(answer, Placeholder):
        raise NotAnswered("the blank ___ is still in the answer")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        kind = type(answer).__name__
        hint = " Use its .data (the number) or .grad (the gradient)." if kind == "Value" else ""
        raise Rejected(f"{what} should be a number, got {kind} {answer!r}.{hint}", "not_a_number")
    value = float(answer)
    if not math.isfinite(value):
        raise Rejected(f"{what} is {value}, not a finite number.", "not_finite")
    return value


def close(a, b, rel=1e-9, abs_tol=1e-12):
    """True when two floats agree to ``rel`` relative (or ``abs_tol`` absolute) error."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)

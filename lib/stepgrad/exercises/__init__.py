"""The checks that the course's exercises call, one module per chapter.

In a notebook, the learner replaces the blank ``___`` and runs the check:

    >>> from stepgrad.exercises import ___, derivatives
    >>> slope = ___
    >>> derivatives.check_slope_by_hand(slope)
    … Exercise 1.1 (a slope by hand): not answered yet. Replace ___ with your answer, run that cell, then run this one again.

A check returns a ``Feedback`` (shown as the cell's output): right, or wrong
with a hint that names the mistake when it is a classic one, or not answered
yet. ``course/README.md`` explains how to write a new one.
"""

from stepgrad.exercises.feedback import Feedback, ___

__all__ = ["Feedback", "___"]

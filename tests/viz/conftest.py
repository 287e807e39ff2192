"""Shared pieces for the stepgrad.viz tests: small graphs built by hand, and `dot`."""

import shutil

import pytest
from stepgrad import Value

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz); "
    "the tests that render SVG need it",
)


def micrograd_example():
    """L = (a*b + c) * f with a=2, b=-3, c=10, f=-2, labelled as in micrograd's lecture.

    By hand: e = -6, d = 4, L = -8; dL/dd = f = -2, dL/df = d = 4,
    dL/de = dL/dc = -2, dL/da = -2 * b = 6, dL/db = -2 * a = -4.
    """
    a, b, c, f = (Value(v, label=n) for v, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d}

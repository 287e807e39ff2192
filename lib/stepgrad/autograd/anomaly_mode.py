"""Anomaly detection: find the operation whose backward produced NaN or inf.

Inside ``detect_anomaly()``, every operation remembers the line of your code
that created it, and backward checks each gradient it computes. The first
one holding NaN or inf stops backward with an ``AnomalyError`` that names
the operation and that line::

    >>> import stepgrad
    >>> x = stepgrad.tensor([0.0, 1.0], requires_grad=True)
    >>> with stepgrad.autograd.detect_anomaly():
    ...     y = x.sqrt().sum()
    ...     y.backward()
    Traceback (most recent call last):
    ...
    stepgrad.autograd.anomaly_mode.AnomalyError: SqrtBackward returned inf values ...

Outside the block nothing is recorded or checked, so ordinary training pays
nothing for this. ``err.node`` is the tensor the operation produced, ready for
``stepgrad.viz.draw_graph(loss, highlight=[err.node])``.
"""

import functools
import linecache
import os
import sys

import numpy as np


class _AnomalyMode:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = False


state = _AnomalyMode()

_PACKAGE_DIRECTORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled():
    """True inside ``detect_anomaly()``."""
    return state.enabled


class set_detect_anomaly:
    """Turn anomaly detection on or off, as a call or a context manager."""

    def __init__(self, mode):
        self.previous = state.enabled
        state.enabled = bool(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        state.enabled = self.previous
        return False


class detect_anomaly:
    """Context manager (or decorator) that turns anomaly detection on inside it.

    Slower: each operation records where it was created, and each gradient is
    checked for NaN and inf. Use it to find a bug, not to train.
    """

    def __enter__(self):
        self.previous = state.enabled
        state.enabled = True

    def __exit__(self, *exc_info):
        state.enabled = self.previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def run_with_anomaly_detection(*args, **kwargs):
            with detect_anomaly():
                return fn(*args, **kwargs)

        return run_with_anomaly_detection


class CreationSite:
    """Where an operation was created: a short file name, a line number and its source text."""

    __slots__ = ("filename", "line", "lineno")

    def __init__(self, filename, lineno, line):
        self.filename = filename
        self.lineno = lineno
        self.line = line

    def __str__(self):
        where = f"{self.filename}, line {self.lineno}"
        return f"{where}: {self.line}" if self.line else where

    def __repr__(self):
        return f"CreationSite({self})"


def creation_site():
    """The innermost frame outside the stepgrad package: the user's line that made an operation."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIRECTORY):
        frame = frame.f_back
    if frame is None:  # made inside stepgrad itself (e.g. by a doctest runner)
        frame = sys._getframe(1)
    filename = frame.f_code.co_filename
    line = linecache.getline(filename, frame.f_lineno).strip()
    return CreationSite(_short_name(filename), frame.f_lineno, line)


def _short_name(filename):
    # Never an absolute path: error messages end up in notebooks and logs that must not
    # depend on where the course was checked out. A notebook cell is just that (its
    # execution count differs between a run in JupyterLab and one under nbval; the line
    # and its text identify it); a file is named by its path below the working
    # directory, else by its name.
    if _is_notebook_cell(filename):
        return "notebook cell"
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        relative = filename
    if relative.startswith(os.pardir) or os.path.isabs(relative):
        return os.path.basename(filename)
    return relative


def _is_notebook_cell(filename):
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    shell = ipython_module.get_ipython()
    # IPython's record of the files it compiled cells into (what its tracebacks read).
    cells = getattr(getattr(shell, "compile", None), "_filename_map", None)
    return bool(cells) and filename in cells


class AnomalyError(RuntimeError):
    """Backward produced NaN or inf. ``node`` is the tensor whose operation's backward did it;
    ``grad_fn`` that operation; ``site`` where it was created (a ``CreationSite``, or None)."""

    def __init__(self, message, node, site):
        super().__init__(message)
        self.node = node
        self.grad_fn = node.grad_fn
        self.site = site


def checking_observer(observer):
    """Wrap a backward observer so that each node's gradients are checked for NaN and inf."""

    def check_then_observe(node, grad, contributions, pending):
        for index, contribution in enumerate(contributions):
            if contribution is None:
                continue
            values = contribution.data
            if values.dtype.kind in "fc" and not np.isfinite(values).all():
                raise _anomaly_error(node, index, values)
        if observer is not None:
            observer(node, grad, contributions, pending)

    return check_then_observe


def _anomaly_error(node, index, values):
    grad_fn = node.grad_fn
    kind = "nan" if np.isnan(values).any() else "inf"
    site = getattr(grad_fn, "_creation_site", None)
    if site is None:
        where = (
            "It was created before anomaly detection was turned on, so its line is unknown: "
            "run the forward pass inside detect_anomaly() too."
        )
    else:
        where = f"It was created at {site}"
    message = (
        f"{grad_fn.name()} returned {kind} values in its {_ordinal(index)} output (the gradient "
        f"for its input {index}, shape {tuple(values.shape)}). {where}\n"
        f"Look there for a value outside the function's domain (log or division at 0, sqrt "
        f"of 0, exp of a large number) and keep it away from the edge, e.g. with "
        f".clamp(min=1e-7). err.node is the tensor this operation produced: "
        f"stepgrad.viz.draw_graph(loss, highlight=[err.node]) marks it."
    )
    return AnomalyError(message, node, site)


def _ordinal(index):
    return f"{index}{'th' if 10 <= index % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(index % 10, 'th')}"

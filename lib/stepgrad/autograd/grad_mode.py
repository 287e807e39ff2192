"""Grad mode: whether operations on tensors are being recorded for backward.

With grad mode off (inside ``no_grad()``), operations compute their values
and build no graph, which is what an optimizer's update or an evaluation
loop wants. ``backward()`` itself runs the backward formulas with grad mode
off, unless ``create_graph=True`` asks for the backward pass to be recorded
too (gradients of gradients).

    >>> import stepgrad
    >>> w = stepgrad.tensor([1.0], requires_grad=True)
    >>> with stepgrad.no_grad():
    ...     v = w * 2
    >>> v.requires_grad
    False
"""

import functools


class _GradMode:
    # One flag read by every operation: a plain attribute is the cheapest check.
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


state = _GradMode()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return state.enabled


class set_grad_enabled:
    """Turn recording on or off: as a call, a context manager, or a decorator.

    >>> import stepgrad
    >>> with stepgrad.set_grad_enabled(False):
    ...     stepgrad.is_grad_enabled()
    False
    """

    def __init__(self, mode):
        self.previous = state.enabled
        self.mode = mode
        state.enabled = mode

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        state.enabled = self.previous
        return False

    def __call__(self, fn):
        state.enabled = self.previous  # used as a decorator: nothing changes until fn runs
        mode = self.mode

        @functools.wraps(fn)
        def run_with_mode(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return run_with_mode


class _GradModeContext:
    """A context manager and decorator that sets grad mode to ``self.mode``."""

    mode = True

    def __new__(cls, fn=None):
        # Both @no_grad() and a bare @no_grad decorate, as in PyTorch.
        instance = super().__new__(cls)
        return instance if fn is None else instance(fn)

    def __init__(self, fn=None):
        pass

    def __enter__(self):
        self.previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc_info):
        state.enabled = self.previous
        return False

    def __call__(self, fn):
        mode = self.mode

        # What `with` does, written out: an optimizer's step() runs this every iteration.
        @functools.wraps(fn)
        def run_with_mode(*args, **kwargs):
            previous = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = previous

        return run_with_mode


class no_grad(_GradModeContext):
    """Record nothing inside this block (or decorated function).

    >>> import stepgrad
    >>> @stepgrad.no_grad()
    ... def evaluate(x):
    ...     return x * 2
    >>> evaluate(stepgrad.ones(2, requires_grad=True)).requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record operations again inside a ``no_grad`` block."""

    mode = True

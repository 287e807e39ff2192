"""Checks for chapter 8, "From stepgrad to PyTorch".

Both checks run on stepgrad alone, so they work where PyTorch is not
installed; where it is, ``check_portable_slope`` also runs the learner's
function on PyTorch and says so only if that fails. The classic mistakes:
parameters shared between two models instead of copied (training one then
moves the other), parameters replaced by tensors that no longer require grad,
and code that names ``stepgrad`` itself instead of the library it was given.

    >>> from stepgrad.exercises import ___, porting
    >>> porting.check_copy_parameters(___).status
    'unanswered'
"""

import importlib

import numpy as np

import stepgrad
from stepgrad import nn
from stepgrad.autograd.grad_mode import no_grad
from stepgrad.creation import manual_seed
from stepgrad.exercises.feedback import (
    LearnerCodeFailed,
    call_learner,
    close,
    correct,
    exercise,
    expect_number,
    wrong,
)

# ---------------------------------------------------------------------------
# Exercise 8.1: copy the parameters of one model into another.
# ---------------------------------------------------------------------------


def two_models():
    """Two networks of the tutorial's shape with different initial weights."""

    def build(seed):
        manual_seed(seed)
        return nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())

    return build(1), build(2)


def _values(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


@exercise("8.1", "copying parameters")
def check_copy_parameters(copy_parameters):
    """Check ``copy_parameters(source, target)``: target gets source's values, as copies."""
    source, target = two_models()
    target_parameters = dict(target.named_parameters())
    before = _values(target)
    call_learner(copy_parameters, source, target)
    wanted = _values(source)
    now = dict(target.named_parameters())
    if all(np.array_equal(now[name].data, before[name]) for name in before):
        return wrong(
            "target's parameters did not change. Copy each of source's values into the "
            "parameter of the same name in target.",
            mistake="nothing_copied",
        )
    for name, value in wanted.items():
        if not np.array_equal(now[name].data, value):
            return wrong(
                f"target's {name} does not hold source's values; copy every parameter, "
                f"matching them by name.",
                mistake="some_not_copied",
            )
    for name, parameter in now.items():
        if not parameter.requires_grad or parameter.grad_fn is not None:
            return wrong(
                f"target's {name} no longer requires grad, so training could not change it. "
                f"Copy the values into the existing parameters (p.copy_(...) inside "
                f"no_grad(), or target.load_state_dict(source.state_dict())) instead of "
                f"putting new tensors in their place.",
                mistake="parameters_lost_grad",
            )
    # Move every parameter of source; a copy must not follow.
    with no_grad():
        for parameter in source.parameters():
            parameter += 1.0
    followed = [name for name, value in wanted.items() if not np.array_equal(now[name].data, value)]
    if followed:
        replaced = any(now[name] is not target_parameters[name] for name in now)
        how = (
            "target now holds source's very Parameter objects"
            if replaced
            else "target's parameters share their arrays with source's"
        )
        return wrong(
            f"Changing source also changed target ({', '.join(followed)}): {how}. Two "
            f"models that share parameters are one model; training one trains the other. "
            f"Copy the values: with no_grad(), target_parameter.copy_(source_parameter), or "
            f"target.load_state_dict(source.state_dict()).",
            mistake="shared_not_copied",
        )
    return correct(
        "target holds source's values in its own parameters: the two models start equal "
        "and then train independently. That is how chapter 8 starts PyTorch from "
        "stepgrad's weights."
    )


# ---------------------------------------------------------------------------
# Exercise 8.2: a slope computed with whichever library is passed in.
# ---------------------------------------------------------------------------


def _cubic(t):
    return t**3 - 2 * t


def _bump(t):
    return (t * 0.5).tanh() * t


SLOPE_CASES = (
    (_cubic, 1.5, 3 * 1.5**2 - 2),  # d/dt (t^3 - 2t) = 3t^2 - 2
    (_bump, -2, None),  # an integer x0; slope worked out below
)


def _bump_slope(x):
    # d/dt [t tanh(t/2)] = tanh(t/2) + t (1 - tanh(t/2)^2) / 2
    th = np.tanh(x / 2)
    return th + x * (1 - th**2) / 2


def _pytorch():
    """The torch module when it is installed, else None."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def _named_slope_failure(failure):
    error, message = failure.error, str(failure.error)
    if "floating point" in message and "require" in message:
        return wrong(
            "x0 can be an integer (the check passes -2), and an integer tensor cannot "
            "require grad. Make it a float: torch.tensor(float(x0), requires_grad=True).",
            mistake="integer_tensor",
        )
    if "does not require grad" in message:
        return wrong(
            "backward() found nothing to differentiate: create x with requires_grad=True.",
            mistake="no_requires_grad",
        )
    if isinstance(error, AttributeError) and "NoneType" in message:
        return wrong(
            "x.grad was None: call backward() on f(x) before reading x.grad, and give x "
            "requires_grad=True.",
            mistake="no_backward",
        )
    return None


def _slopes_with(library, slope):
    results = []
    for f, x0, exact in SLOPE_CASES:
        value = call_learner(slope, library, f, x0, what="Your slope")
        if hasattr(value, "item") and not isinstance(value, (int, float)):
            value = value.item()
        results.append(
            (expect_number(value, what="Your slope"), _bump_slope(x0) if exact is None else exact)
        )
    return results


@exercise("8.2", "code for either library")
def check_portable_slope(slope):
    """Check ``slope(torch, f, x0)``, which must use only the library it is given."""
    code = getattr(slope, "__code__", None)
    if code is not None and "stepgrad" in code.co_names:
        return wrong(
            "Your function names stepgrad itself, so it would still run stepgrad when handed "
            "PyTorch. Use only its first argument, torch: torch.tensor(...).",
            mistake="hard_wired_library",
        )
    try:
        results = _slopes_with(stepgrad, slope)
    except LearnerCodeFailed as failure:
        named = _named_slope_failure(failure)
        if named is not None:
            return named
        raise
    for mine, exact in results:
        if not close(mine, exact, rel=1e-5, abs_tol=1e-6):
            return wrong(
                f"Your slope is {mine:.6g}, the exact one {exact:.6g}. Make x a tensor that "
                f"requires grad, compute f(x), call backward(), and return x.grad.item()."
            )
    pytorch = _pytorch()
    if pytorch is not None:
        try:
            on_pytorch = _slopes_with(pytorch, slope)
        except LearnerCodeFailed as failure:
            return wrong(f"Right on stepgrad, but on PyTorch: {failure}.", "fails_on_pytorch")
        if not all(close(mine, exact, rel=1e-5, abs_tol=1e-6) for mine, exact in on_pytorch):
            return wrong("Right on stepgrad, but PyTorch gives other slopes.", "fails_on_pytorch")
    return correct(
        "The same lines give the slope on whichever library is passed in: only the name "
        "torch changes, exactly as the tutorial's programs only change their imports."
    )

"""Chapter 8's checks, given right answers and each classic wrong one; and chapter 8
itself, which must pass strict nbval where PyTorch is not installed."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import stepgrad
from stepgrad.exercises import ___, porting

ROOT = Path(__file__).resolve().parents[2]
CHAPTER_8 = "course/08_from_stepgrad_to_pytorch.ipynb"


def load_copy(source, target):
    target.load_state_dict(source.state_dict())


def portable_slope(torch, f, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    f(x).backward()
    return x.grad.item()


# --- the exercise data, against derivations written here ------------------------------


def test_the_two_models_start_different():
    source, target = porting.two_models()
    assert not all(
        np.array_equal(a.data, b.data) for a, b in zip(source.parameters(), target.parameters())
    )


@pytest.mark.parametrize(("f", "x0", "exact"), porting.SLOPE_CASES)
def test_the_slope_cases_have_the_stated_slopes(f, x0, exact):
    exact = porting._bump_slope(x0) if exact is None else exact
    h = 1e-6

    def value(x):
        return f(stepgrad.tensor(x, dtype=stepgrad.float64)).item()

    central = (value(x0 + h) - value(x0 - h)) / (2 * h)
    assert central == pytest.approx(exact, rel=1e-6)


# --- 8.1 copying parameters ----------------------------------------------------------------


def test_copy_parameters_accepts_load_state_dict():
    assert porting.check_copy_parameters(load_copy).status == "correct"


def test_copy_parameters_accepts_copy_under_no_grad():
    def copy_each(source, target):
        with stepgrad.no_grad():
            for mine, theirs in zip(target.parameters(), source.parameters()):
                mine.copy_(theirs)

    assert porting.check_copy_parameters(copy_each).status == "correct"


def test_copy_parameters_names_shared_arrays():
    def share_arrays(source, target):
        for mine, theirs in zip(target.parameters(), source.parameters()):
            mine.data = theirs.data

    feedback = porting.check_copy_parameters(share_arrays)
    assert feedback.mistake == "shared_not_copied"
    assert "share their arrays" in feedback.message


def test_copy_parameters_names_shared_parameter_objects():
    def share_parameters(source, target):
        for index in (0, 2):
            target[index].weight = source[index].weight
            target[index].bias = source[index].bias

    feedback = porting.check_copy_parameters(share_parameters)
    assert feedback.mistake == "shared_not_copied"
    assert "Parameter objects" in feedback.message


def test_copy_parameters_names_nothing_copied():
    assert porting.check_copy_parameters(lambda source, target: None).mistake == "nothing_copied"


def test_copy_parameters_names_a_parameter_left_out():
    def weights_only(source, target):
        with stepgrad.no_grad():
            for index in (0, 2):
                target[index].weight.copy_(source[index].weight)

    assert porting.check_copy_parameters(weights_only).mistake == "some_not_copied"


def test_copy_parameters_waits_for_the_blank():
    def unfinished(source, target):
        return ___

    assert porting.check_copy_parameters(unfinished).status == "unanswered"


# --- 8.2 code for either library -------------------------------------------------------------


def test_portable_slope_accepts_code_that_uses_only_its_argument():
    assert porting.check_portable_slope(portable_slope).status == "correct"


def test_portable_slope_accepts_a_one_element_tensor():
    def returns_grad(torch, f, x0):
        x = torch.tensor(float(x0), requires_grad=True)
        f(x).backward()
        return x.grad

    assert porting.check_portable_slope(returns_grad).status == "correct"


def test_portable_slope_names_code_hard_wired_to_stepgrad():
    def hard_wired(torch, f, x0):
        x = stepgrad.tensor(float(x0), requires_grad=True)
        f(x).backward()
        return x.grad.item()

    assert porting.check_portable_slope(hard_wired).mistake == "hard_wired_library"


def test_portable_slope_names_an_integer_tensor():
    def integer(torch, f, x0):
        x = torch.tensor(x0, requires_grad=True)
        f(x).backward()
        return x.grad.item()

    assert porting.check_portable_slope(integer).mistake == "integer_tensor"


def test_portable_slope_names_a_missing_requires_grad():
    def untracked(torch, f, x0):
        x = torch.tensor(float(x0))
        f(x).backward()
        return x.grad.item()

    assert porting.check_portable_slope(untracked).mistake == "no_requires_grad"


def test_portable_slope_names_a_missing_backward():
    def no_backward(torch, f, x0):
        x = torch.tensor(float(x0), requires_grad=True)
        f(x)
        return x.grad.item()

    assert porting.check_portable_slope(no_backward).mistake == "no_backward"


def test_portable_slope_rejects_a_coarse_finite_difference():
    # Central difference with h = 0.1: off by h^2 = 0.01 on the cubic.
    def coarse(torch, f, x0):
        h = 0.1
        up, down = torch.tensor(float(x0) + h), torch.tensor(float(x0) - h)
        return (f(up).item() - f(down).item()) / (2 * h)

    feedback = porting.check_portable_slope(coarse)
    assert feedback.status == "wrong" and feedback.mistake is None


def test_portable_slope_also_runs_on_pytorch_where_it_is_installed():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: nothing to run on")

    def stepgrad_only(lib, f, x0):
        if lib is torch:
            raise RuntimeError("written for stepgrad alone")
        return portable_slope(lib, f, x0)

    assert porting.check_portable_slope(stepgrad_only).mistake == "fails_on_pytorch"


# --- chapter 8 without PyTorch ------------------------------------------------------------------


def test_chapter_8_passes_strict_nbval_where_pytorch_is_not_installed(tmp_path):
    pytest.importorskip("nbval", reason="nbval runs the notebook")
    # A package named torch whose import fails, first on the path: as if not installed.
    hidden = tmp_path / "torch"
    hidden.mkdir()
    (hidden / "__init__.py").write_text('raise ImportError("PyTorch is hidden for this test")\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT / "lib")]))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", CHAPTER_8],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]

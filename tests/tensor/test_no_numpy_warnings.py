"""Arithmetic that reaches inf or nan is silent, as in PyTorch; the learner's own numpy still warns."""

import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "lib"


def _run(program):
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(LIB), "PATH": ""},
    )


def test_dividing_a_tensor_by_zero_gives_inf_without_a_warning():
    result = _run("import stepgrad; print(stepgrad.tensor([1.0, -1.0]) / 0)")
    assert result.stdout.strip() == "tensor([inf, -inf])"
    assert result.stderr == ""


def test_log_of_zero_in_a_backward_pass_prints_no_warning():
    program = (
        "import stepgrad\n"
        "x = stepgrad.tensor([0.0, 1.0], requires_grad=True)\n"
        "x.log().sum().backward()\n"
        "print(x.grad)\n"
    )
    result = _run(program)
    assert result.stdout.strip() == "tensor([inf, 1.])"
    assert result.stderr == ""


def test_the_learners_own_numpy_code_still_warns():
    result = _run("import stepgrad, numpy as np; np.array([1.0]) / 0")
    assert "RuntimeWarning" in result.stderr

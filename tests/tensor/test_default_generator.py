"""Without manual_seed, random draws are still the same on every run, as in PyTorch."""

import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "lib"

PROGRAM = "import stepgrad; print(stepgrad.randn(3).tolist())"


def _draw_in_fresh_process():
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(LIB), "PATH": ""},
    )
    return result.stdout


def test_two_fresh_processes_draw_the_same_numbers_without_manual_seed():
    assert _draw_in_fresh_process() == _draw_in_fresh_process()


def test_save_and_load_are_top_level_names_as_in_pytorch():
    import stepgrad
    from stepgrad import serialization

    assert stepgrad.save is serialization.save
    assert stepgrad.load is serialization.load


def test_the_default_seed_is_that_of_manual_seed_zero():
    import stepgrad

    first = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(LIB), "PATH": ""},
    ).stdout
    stepgrad.manual_seed(0)
    assert first.strip() == str(stepgrad.randn(3).tolist())

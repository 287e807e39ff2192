"""Issue 3's acceptance program: the tutorial's two programs, run on stepgrad with
only their import lines changed, and the seeds study behind docs/seeds.md."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The program text and the seeds study live in bench/, which the benchmarks share.
sys.path.insert(0, str(ROOT / "bench"))

from tutorial_program import PROGRAM, PYTORCH_IMPORTS, STEPGRAD_IMPORTS

TORCH_REASON = "PyTorch is not installed: the comparison with it runs only where it is"


def run_program(imports):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "lib"))
    finished = subprocess.run(
        [sys.executable, "-c", imports + PROGRAM],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_the_tutorial_programs_print_the_tutorials_results_on_stepgrad():
    assert run_program(STEPGRAD_IMPORTS).splitlines() == [
        "Gradient of y with respect to x: 4.0",
        "Accuracy: 100.00%",
    ]


def test_the_same_program_text_runs_on_pytorch():
    pytest.importorskip("torch", reason=TORCH_REASON)
    lines = run_program(PYTORCH_IMPORTS).splitlines()
    assert lines[0] == "Gradient of y with respect to x: 4.0"
    assert re.fullmatch(r"Accuracy: \d+\.\d\d%", lines[1])


# --- the seeds study (bench/seeds.py, docs/seeds.md) ----------------------------------


@pytest.fixture(scope="module")
def seeds_study():
    import seeds

    return seeds


@pytest.fixture(scope="module")
def stepgrad_successes(seeds_study):
    return seeds_study.successful_seeds("stepgrad")


def figures_in_note():
    note = (ROOT / "docs" / "seeds.md").read_text(encoding="utf-8")
    return {
        library: int(count)
        for library, count in re.findall(r"^\| (\w+) \| (\d+) \|", note, re.MULTILINE)
    }


def test_a_seed_reproduces_the_same_training_exactly(seeds_study):
    import stepgrad
    import stepgrad.nn
    import stepgrad.optim

    def final_weights(seed):
        stepgrad.manual_seed(seed)
        model = stepgrad.nn.Linear(2, 3)
        optimizer = stepgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = stepgrad.randn(8, 2)
        for _ in range(5):
            optimizer.zero_grad()
            model(x).tanh().sum().backward()
            optimizer.step()
        return model.weight.detach().numpy().copy()

    assert (final_weights(3) == final_weights(3)).all()
    assert not (final_weights(3) == final_weights(4)).all()
    modules = seeds_study._modules("stepgrad")
    first = [seeds_study.tutorial_accuracy(*modules, seed=5) for _ in range(2)]
    assert first[0] == first[1]


def test_the_note_gives_stepgrads_count_as_recomputed_now(stepgrad_successes):
    assert figures_in_note()["stepgrad"] == len(stepgrad_successes)


def test_stepgrad_reaches_full_accuracy_at_least_as_often_as_pytorch(
    seeds_study, stepgrad_successes
):
    pytest.importorskip("torch", reason=TORCH_REASON)
    pytorch_successes = seeds_study.successful_seeds("torch")
    assert figures_in_note()["PyTorch"] == len(pytorch_successes)
    assert len(stepgrad_successes) >= len(pytorch_successes)

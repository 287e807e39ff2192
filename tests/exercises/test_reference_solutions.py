"""Every exercise can be solved: each reference solution passes its check.

The solutions live beside the course (``course/solutions/``), one module per
chapter, each with an ``ANSWERS`` dict from check to the arguments it is
called with. The notebooks must call exactly the checks that have answers.
"""

import importlib
import importlib.util
import json
import re
from pathlib import Path

import pytest
from stepgrad import exercises

COURSE = Path(__file__).resolve().parents[2] / "course"
SOLUTIONS = sorted((COURSE / "solutions").glob("ch[0-9][0-9]_*.py"))


def load(path):
    spec = importlib.util.spec_from_file_location(f"solutions_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers():
    for path in SOLUTIONS:
        for check, arguments in load(path).ANSWERS.items():
            yield pytest.param(check, arguments, id=f"{path.stem}:{check.__name__}")


def checks_in(module):
    # Functions only: a module such as numpy also has an attribute called `number`.
    return {
        value
        for value in vars(module).values()
        if callable(value) and not isinstance(value, type) and hasattr(value, "number")
    }


def test_there_are_solutions_to_run():
    assert SOLUTIONS, f"no solution modules found in {COURSE / 'solutions'}"


@pytest.mark.parametrize("check, arguments", list(answers()))
def test_reference_solution_passes_its_check(check, arguments):
    feedback = check(*arguments)
    assert feedback.status == "correct", repr(feedback)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_every_check_of_the_chapter_has_a_reference_solution(path):
    answered = load(path).ANSWERS
    modules = {check.__module__ for check in answered}
    assert len(modules) == 1, f"{path.name} answers checks of several chapters: {modules}"
    chapter = importlib.import_module(modules.pop())
    missing = checks_in(chapter) - set(answered)
    assert not missing, f"no reference solution for {sorted(c.__name__ for c in missing)}"


def notebook_check_calls(notebook):
    """(module, check name) for every ``module.check_...(`` call in the code cells."""
    cells = json.loads(notebook.read_text())["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return set(re.findall(r"\b(\w+)\.(check_\w+)\(", code))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_the_chapters_notebook_calls_exactly_the_answered_checks(path):
    notebook = COURSE / f"{path.stem.removeprefix('ch')}.ipynb"  # ch01_x.py -> 01_x.ipynb
    called = {name for _module, name in notebook_check_calls(notebook)}
    answered = {check.__name__ for check in load(path).ANSWERS}
    assert called == answered


def test_exercises_package_exposes_the_blank():
    assert repr(exercises.___) == "___"

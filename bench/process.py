"""Benchmark 2 of issue 8: the tutorial's script as a whole process, import included.

What a learner waits for after clicking "Run": a new Python process starts,
imports the library, runs the tutorial's two programs (the gradient of x**2, then
100 epochs of SimpleNN) and prints their results. The same script runs with
stepgrad's imports and with PyTorch's; the hand-written numpy version of the
training is measured too, as a reference for how little the work itself costs.

Also measured: ``import stepgrad`` alone in a fresh process (numpy's import
included, since stepgrad needs it), and numpy's import alone for comparison.

    python bench/process.py           # print the table
"""

import os
import sys

import common
from tutorial_program import PROGRAM, PYTORCH_IMPORTS, STEPGRAD_IMPORTS

BENCHMARK = "tutorial script as a whole process, import included"
IMPORT_BENCHMARK = "import in a fresh process"

# The training part by hand in numpy (bench/tutorial.py's model), weights drawn as
# PyTorch draws them: uniform in +-1/sqrt(fan_in).
NUMPY_PROGRAM = """
import numpy as np
from tutorial import NumpySimpleNN, POINTS, LABELS
rng = np.random.default_rng(0)
def uniform(fan_in, *shape):
    bound = 1 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)
model = NumpySimpleNN(uniform(2, 10, 2), uniform(2, 10), uniform(10, 1, 10), uniform(10, 1))
X = np.array(POINTS, dtype=np.float32)
y = np.array(LABELS, dtype=np.float32)
for epoch in range(100):
    loss = model.train_epoch(X, y)
print(f"loss after 100 epochs: {loss:.4f}")
"""
IMPORT_PROGRAM = """
import time
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""


def _python(code):
    return [sys.executable, "-c", code]


def run(quick=False):
    """Wall time of each script as a new process, and of the imports on their own."""
    repeats = 2 if quick else 8
    torch_every = 2  # PyTorch's script takes seconds: run it every other round
    env = common.environment_with_library()
    numpy_env = dict(env, PYTHONPATH=os.pathsep.join([str(common.BENCH), env["PYTHONPATH"]]))
    torch_name = f"PyTorch {common.torch_version()}"
    # name: (command, environment, how its output must start, so a broken script can't look fast)
    scripts = {
        "stepgrad": (_python(STEPGRAD_IMPORTS + PROGRAM), env, "Accuracy: "),
        torch_name: (_python(PYTORCH_IMPORTS + PROGRAM), env, "Accuracy: "),
        "numpy by hand (training only, for reference)": (
            _python(NUMPY_PROGRAM),
            numpy_env,
            "loss after 100 epochs",
        ),
        "import stepgrad (numpy's import included)": (_import("stepgrad"), env, ""),
        "import numpy": (_import("numpy"), env, ""),
    }
    if not common.torch_version():
        del scripts[torch_name]
    times = {name: [] for name in scripts}
    # Round by round, so that a change in the machine's load falls on every script alike.
    for round_number in range(repeats):
        for name, (command, environment, expected) in scripts.items():
            if name == torch_name and round_number % torch_every:
                continue
            seconds, last = common.time_commands(command, 1, environment)
            if not last.startswith(expected):
                raise RuntimeError(f"{name}: the script ended with {last!r}, not {expected!r}...")
            # The imports are timed inside the process: interpreter start-up excluded.
            times[name] += [float(last)] if name.startswith("import") else seconds

    rows = [
        common.row(BENCHMARK, name, seconds, "s", 1)
        for name, seconds in times.items()
        if not name.startswith("import")
    ]
    if not common.torch_version():
        rows.insert(1, common.missing_row(BENCHMARK, "PyTorch", common.TORCH_MISSING))
    rows = common.add_ratios(rows, torch_name)
    rows += [
        common.row(IMPORT_BENCHMARK, name, seconds, "s", 1)
        for name, seconds in times.items()
        if name.startswith("import")
    ]
    return rows


def _import(module):
    return _python(IMPORT_PROGRAM.format(module=module))


if __name__ == "__main__":
    print(common.format_table(run()))

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

import sys

import common

BENCHMARK = "tutorial script as a whole process, import included"
IMPORT_BENCHMARK = "import in a fresh process"

STEPGRAD_IMPORTS = """\
import stepgrad as torch
import stepgrad.nn as nn
import stepgrad.optim as optim
"""
PYTORCH_IMPORTS = """\
import torch
import torch.nn as nn
import torch.optim as optim
"""
# The tutorial's two programs, below their import lines (as in tests/test_acceptance.py).
PROGRAM = """
x = torch.tensor([2.0], requires_grad=True)
y = x ** 2
y.backward()
print("Gradient of y with respect to x:", x.grad.item())

class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()
        self.fc1 = nn.Linear(2, 10)
        self.fc2 = nn.Linear(10, 1)
        self.sigmoid = nn.Sigmoid()
    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        x = self.sigmoid(x)
        return x

X = torch.tensor([[2, 4], [5, 7], [6, 5], [3, 1], [7, 7]], dtype=torch.float32)
y = torch.tensor([[0], [1], [1], [0], [1]], dtype=torch.float32)
model = SimpleNN()
criterion = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
for epoch in range(100):
    outputs = model(X)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
with torch.no_grad():
    predictions = model(X)
    predictions = (predictions > 0.5).float()
    accuracy = (predictions == y).float().mean()
    print(f'Accuracy: {accuracy.item()*100:.2f}%')
"""
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
    repeats = 2 if quick else 10
    torch_repeats = 1 if quick else 5
    env = common.environment_with_library()
    rows = []

    # The tutorial script. Its own output is checked, so a broken script cannot look fast.
    times, last = common.time_commands(_python(STEPGRAD_IMPORTS + PROGRAM), repeats, env)
    _expect(last, "Accuracy: ", "stepgrad")
    rows.append(common.row(BENCHMARK, "stepgrad", times, "s", 1))
    if common.torch_version():
        times, last = common.time_commands(_python(PYTORCH_IMPORTS + PROGRAM), torch_repeats, env)
        _expect(last, "Accuracy: ", "PyTorch")
        rows.append(common.row(BENCHMARK, f"PyTorch {common.torch_version()}", times, "s", 1))
    else:
        rows.append(common.missing_row(BENCHMARK, "PyTorch", common.TORCH_MISSING))
    numpy_env = dict(env, PYTHONPATH=f"{common.BENCH}:{env['PYTHONPATH']}")
    times, last = common.time_commands(_python(NUMPY_PROGRAM), repeats, numpy_env)
    _expect(last, "loss after 100 epochs", "numpy")
    rows.append(
        common.row(BENCHMARK, "numpy by hand (training only, for reference)", times, "s", 1)
    )
    rows = common.add_ratios(rows, f"PyTorch {common.torch_version()}")

    # The imports alone, timed inside the new process (interpreter start-up excluded).
    import_rows = [
        _import_row("stepgrad", "import stepgrad (numpy's import included)", repeats, env),
        _import_row("numpy", "import numpy", repeats, env),
    ]
    return rows + import_rows


def _import_row(module, label, repeats, env):
    seconds = []
    for _ in range(repeats):
        _, last = common.time_commands(_python(IMPORT_PROGRAM.format(module=module)), 1, env)
        seconds.append(float(last))
    return common.row(IMPORT_BENCHMARK, label, seconds, "s", 1)


def _expect(line, start, engine):
    if not line.startswith(start):
        raise RuntimeError(f"the {engine} script ended with {line!r} instead of {start!r}...")


if __name__ == "__main__":
    print(common.format_table(run()))

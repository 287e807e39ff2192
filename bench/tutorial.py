"""Benchmark 1 of issue 8: the tutorial's training epoch, in microseconds.

The tutorial's SimpleNN (Linear 2-10, ReLU, Linear 10-1, Sigmoid) on its five
points, BCELoss, SGD with lr 0.1. One epoch is what the tutorial's loop does:
forward, loss, zero_grad, backward, step. Each repeat trains 100 epochs from the
same initial weights, as the tutorial does, so every repeat does the same work.

Three ways to run it:
- stepgrad;
- the same model written by hand in numpy: the forward formulas and the gradient
  formulas of the same operations (Linear, ReLU, Linear, Sigmoid, BCELoss),
  no autograd. Whatever a numpy-backed engine adds, it adds on top of these
  numpy calls, so this is the floor;
- PyTorch CPU, with one thread and with its default threads, in a process of its
  own (importing PyTorch slows down everything else in a process).

    python bench/tutorial.py          # print the table
"""

import common
import numpy as np

EPOCHS = 100  # per repeat: the tutorial's training run
LEARNING_RATE = 0.1
SEED = 0
BENCHMARK = "tutorial SimpleNN, one epoch (forward, BCE, zero_grad, backward, SGD step)"
# The same epoch with the backward itself recorded (issue 6: gradients of gradients must
# not cost the first-order backward its speed, so both are measured in one run).
CREATE_GRAPH_BENCHMARK = "tutorial SimpleNN, one epoch with loss.backward(create_graph=True)"

POINTS = [[2, 4], [5, 7], [6, 5], [3, 1], [7, 7]]
LABELS = [[0], [1], [1], [0], [1]]

# PyTorch's BCELoss clamps each log at -100 and keeps p (1 - p) above 1e-12 in its
# gradient; the hand-written model does the same so that all three compute one thing.
LOG_FLOOR = -100.0
BCE_EPSILON = 1e-12


class NumpySimpleNN:
    """The tutorial's SimpleNN and its training epoch, written by hand in numpy.

    The parameters are float32 arrays with PyTorch's shapes (weight: out x in).
    ``gradients`` applies the chain rule operation by operation, the same
    operations an engine runs, so the result can be checked against stepgrad's.
    """

    def __init__(self, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
        self.parameters = {
            "fc1.weight": np.array(fc1_weight, dtype=np.float32),
            "fc1.bias": np.array(fc1_bias, dtype=np.float32),
            "fc2.weight": np.array(fc2_weight, dtype=np.float32),
            "fc2.bias": np.array(fc2_bias, dtype=np.float32),
        }

    def loss_and_gradients(self, x, y):
        """The mean BCE loss and d(loss)/d(parameter) for every parameter."""
        w1, b1 = self.parameters["fc1.weight"], self.parameters["fc1.bias"]
        w2, b2 = self.parameters["fc2.weight"], self.parameters["fc2.bias"]
        # forward
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0)
        z2 = h @ w2.T + b2
        p = 1 / (1 + np.exp(-z2))
        log_p = np.maximum(np.log(p), LOG_FLOOR)
        log_one_minus_p = np.maximum(np.log1p(-p), LOG_FLOOR)
        loss = ((y - 1) * log_one_minus_p - y * log_p).sum() / y.size
        # backward, one operation at a time
        one_minus_p = 1 - p
        grad_p = (p - y) / np.maximum(p * one_minus_p, BCE_EPSILON) / y.size  # BCE, mean
        grad_z2 = grad_p * p * one_minus_p  # sigmoid' = p (1 - p)
        grad_h = grad_z2 @ w2
        grad_z1 = grad_h * (z1 > 0)  # ReLU passes the gradient where its input was positive
        gradients = {
            "fc2.weight": grad_z2.T @ h,
            "fc2.bias": grad_z2.sum(axis=0),
            "fc1.weight": grad_z1.T @ x,
            "fc1.bias": grad_z1.sum(axis=0),
        }
        return loss, gradients

    def train_epoch(self, x, y, learning_rate=LEARNING_RATE):
        # zero_grad has nothing to do: the gradients are fresh arrays each epoch.
        loss, gradients = self.loss_and_gradients(x, y)
        for name, parameter in self.parameters.items():
            parameter -= learning_rate * gradients[name]
        return loss


def build_simple_nn(torch, nn):
    """The tutorial's SimpleNN class, built from ``torch`` and ``nn`` (stepgrad's or PyTorch's)."""

    class SimpleNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 10)
            self.fc2 = nn.Linear(10, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            x = torch.relu(self.fc1(x))
            x = self.fc2(x)
            x = self.sigmoid(x)
            return x

    return SimpleNN()


class EngineTutorial(common.StartsFromSameWeights):
    """The tutorial's model, data, loss and optimizer in stepgrad or PyTorch, with the
    epoch split into its phases (for the profile) and a reset to the initial weights."""

    def __init__(self, torch, nn, optim, seed=SEED):
        torch.manual_seed(seed)
        self.torch = torch
        self.model = build_simple_nn(torch, nn)
        self.X = torch.tensor(POINTS, dtype=torch.float32)
        self.y = torch.tensor(LABELS, dtype=torch.float32)
        self.criterion = nn.BCELoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.remember_starting_weights()
        self.outputs = self.loss = None

    def epoch(self):
        outputs = self.model(self.X)
        loss = self.criterion(outputs, self.y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def epoch_create_graph(self):
        """The epoch with its backward recorded: each ``.grad`` gets a graph of its own.
        zero_grad sets ``.grad`` to None next epoch, so each epoch's graph is freed."""
        outputs = self.model(self.X)
        loss = self.criterion(outputs, self.y)
        self.optimizer.zero_grad()
        loss.backward(create_graph=True)
        self.optimizer.step()

    # The same epoch in phases, for time_phases.
    def forward(self):
        self.outputs = self.model(self.X)

    def compute_loss(self):
        self.loss = self.criterion(self.outputs, self.y)

    def zero_grad(self):
        self.optimizer.zero_grad()

    def backward(self):
        self.loss.backward()

    def step(self):
        self.optimizer.step()

    def phases(self):
        return [
            ("forward", self.forward),
            ("loss", self.compute_loss),
            ("zero_grad", self.zero_grad),
            ("backward", self.backward),
            ("step", self.step),
        ]

    def numpy_twin(self):
        """The hand-written numpy model with this model's current weights."""
        weights = {name: p.detach().numpy() for name, p in self.model.named_parameters()}
        return NumpySimpleNN(
            weights["fc1.weight"], weights["fc1.bias"], weights["fc2.weight"], weights["fc2.bias"]
        )


def stepgrad_tutorial(seed=SEED):
    import stepgrad
    import stepgrad.nn
    import stepgrad.optim

    return EngineTutorial(stepgrad, stepgrad.nn, stepgrad.optim, seed)


def _numpy_candidate(engine):
    initial = engine.numpy_twin()
    model = engine.numpy_twin()
    x = np.array(POINTS, dtype=np.float32)
    y = np.array(LABELS, dtype=np.float32)

    def reset():
        for name, parameter in model.parameters.items():
            parameter[...] = initial.parameters[name]

    return lambda: model.train_epoch(x, y), reset


def _epoch_candidate(engine):
    return engine.epoch, engine.reset


def _create_graph_candidate(engine):
    return engine.epoch_create_graph, engine.reset


# --- workers (each runs in a fresh process) ----------------------------------------------


def measure_stepgrad_and_numpy(repeats, warmup=2):
    """Seconds per epoch of stepgrad and of the hand-written numpy model, side by side, and
    of stepgrad's epoch with ``backward(create_graph=True)`` taking turns with them; plus
    stepgrad's epoch split into phases."""
    common.use_library_from_checkout()
    engine = stepgrad_tutorial()
    times = common.time_side_by_side(
        {
            "stepgrad": _epoch_candidate(engine),
            "numpy by hand": _numpy_candidate(engine),
            "create_graph": _create_graph_candidate(engine),
        },
        repeats,
        EPOCHS,
        warmup,
    )
    create_graph = times.pop("create_graph")
    phases = common.time_phases(engine.phases(), engine.reset, max(2, repeats // 3), EPOCHS)
    return {"times": times, "create_graph": create_graph, "phases": phases}


def measure_torch(repeats, warmup=2):
    """Seconds per epoch of PyTorch CPU with one thread and with its default threads."""
    import torch

    default_threads = torch.get_num_threads()
    engine = EngineTutorial(torch, torch.nn, torch.optim)
    times = {}
    for threads in (1, default_threads):
        torch.set_num_threads(threads)
        label = f"PyTorch {torch.__version__}, {threads} thread{'s' if threads > 1 else ''}"
        if threads == default_threads:
            label += " (default)"
        measured = common.time_side_by_side(
            {label: _epoch_candidate(engine), "create_graph": _create_graph_candidate(engine)},
            repeats,
            EPOCHS,
            warmup,
        )
        times[label] = measured[label]
        if threads == 1:
            create_graph = {label: measured["create_graph"]}
    torch.set_num_threads(default_threads)
    phases = common.time_phases(engine.phases(), engine.reset, max(2, repeats // 3), EPOCHS)
    return {"times": times, "create_graph": create_graph, "phases": phases}


def profile_stepgrad(epochs=2000, top=12):
    """cProfile of stepgrad's epoch: the functions that take the most time of their own."""
    common.use_library_from_checkout()
    engine = stepgrad_tutorial()
    engine.epoch()  # warm-up: first calls fill caches

    def training_run():  # the tutorial's 100 epochs from the initial weights, as in run()
        engine.reset()
        for _ in range(EPOCHS):
            engine.epoch()

    return common.profile(training_run, max(1, epochs // EPOCHS), top, units_per_call=EPOCHS)


# --- the benchmark ----------------------------------------------------------------------


def run(quick=False):
    """Measure every engine; returns the table's rows, each with its ratio to numpy."""
    rounds, repeats = (1, 3) if quick else (3, 15)
    calls = [("tutorial:measure_stepgrad_and_numpy", {"repeats": repeats})]
    if common.torch_version():
        calls.append(("tutorial:measure_torch", {"repeats": repeats}))
    results = common.spawn_in_rounds(calls, rounds)
    ours = results[0]
    rows = [common.row(BENCHMARK, engine, s, "us", 1e6) for engine, s in ours["times"].items()]
    rows[0]["phases"] = common.medians(ours["phases"], 1e6)
    if common.torch_version():
        theirs = results[1]
        for engine, seconds in theirs["times"].items():
            rows.append(common.row(BENCHMARK, engine, seconds, "us", 1e6))
        rows[-1]["phases"] = common.medians(theirs["phases"], 1e6)
    else:
        rows.append(common.missing_row(BENCHMARK, "PyTorch", common.TORCH_MISSING))
    common.add_ratios(rows, "numpy by hand")
    first_order = {row["engine"]: row for row in rows if "error" not in row}
    rows.append(_create_graph_row("stepgrad", ours["create_graph"], first_order["stepgrad"]))
    if common.torch_version():
        [(engine, seconds)] = results[1]["create_graph"].items()
        rows.append(_create_graph_row(engine, seconds, first_order[engine]))
    return rows


def _create_graph_row(engine, seconds, first_order):
    """The create_graph epoch's row, its ratio to the first-order epoch measured beside it."""
    row = common.row(CREATE_GRAPH_BENCHMARK, engine, seconds, "us", 1e6)
    row["ratio"] = row["median"] / first_order["median"]
    row["ratio_to"] = f"{engine}, first-order backward"
    return row


if __name__ == "__main__":
    print(common.format_table(run()))

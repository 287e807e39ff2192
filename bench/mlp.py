"""Benchmark 3 of issue 8: an MLP 784-256-10 training step, in milliseconds.

Linear 784-256, ReLU, Linear 256-10, softmax cross-entropy against class labels,
SGD (lr 0.01), float32, on random inputs and labels (seeded), at batch 256 and
batch 4096. One step: forward, loss, zero_grad, backward, SGD update. Every
repeat starts from the same initial weights.

Side by side: stepgrad; the same model by hand in numpy (the forward and gradient
formulas of the same operations, no autograd: the floor for a numpy engine); and
PyTorch CPU with its default threads, in a process of its own.

    python bench/mlp.py               # print the table
"""

import common
import numpy as np

SIZES = (784, 256, 10)
BATCHES = (256, 4096)
LEARNING_RATE = 0.01
SEED = 0


def benchmark_name(batch, one_thread=False):
    name = f"MLP 784-256-10, softmax cross-entropy, SGD, float32, batch {batch}: one step"
    return name + (", one thread (BLAS and PyTorch)" if one_thread else "")


# numpy's BLAS on one thread, for the comparison that the machine's other load cannot
# distort: on a shared 2-core machine, two BLAS threads wait for each other's core.
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def make_data(batch, seed=SEED):
    """Random float32 inputs (batch, 784) and int64 labels in 0..9, the same for every engine."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, SIZES[0]), dtype=np.float32)
    labels = rng.integers(0, SIZES[-1], size=batch, dtype=np.int64)
    return x, labels


class NumpyMLP:
    """The MLP and its training step written by hand in numpy.

    Parameters have PyTorch's shapes (weight: out x in). ``loss_and_gradients``
    applies the chain rule operation by operation: Linear, ReLU, Linear, and
    cross-entropy as one operation (log-softmax and picking the label's entry).
    """

    def __init__(self, parameters):
        self.parameters = {
            name: np.array(value, dtype=np.float32) for name, value in parameters.items()
        }

    def loss_and_gradients(self, x, labels):
        w1, b1 = self.parameters["0.weight"], self.parameters["0.bias"]
        w2, b2 = self.parameters["2.weight"], self.parameters["2.bias"]
        batch = len(labels)
        rows = np.arange(batch)
        # forward
        z1 = x @ w1.T
        z1 += b1
        h = np.maximum(z1, 0)
        logits = h @ w2.T
        logits += b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - shifted[rows, labels]).sum() / batch
        # backward: d(loss)/d(logits) = (softmax - one_hot) / batch
        grad_logits = exp / total
        grad_logits[rows, labels] -= 1
        grad_logits /= batch
        grad_h = grad_logits @ w2
        grad_h *= z1 > 0  # ReLU passes the gradient where its input was positive
        gradients = {
            "2.weight": grad_logits.T @ h,
            "2.bias": grad_logits.sum(axis=0),
            "0.weight": grad_h.T @ x,  # the input needs no gradient: none is computed
            "0.bias": grad_h.sum(axis=0),
        }
        return loss, gradients

    def train_step(self, x, labels, learning_rate=LEARNING_RATE):
        loss, gradients = self.loss_and_gradients(x, labels)
        for name, parameter in self.parameters.items():
            parameter -= learning_rate * gradients[name]
        return loss


class EngineMLP(common.StartsFromSameWeights):
    """The MLP with its data, loss and optimizer in stepgrad or PyTorch."""

    def __init__(self, torch, nn, optim, batch, seed=SEED):
        torch.manual_seed(seed)
        self.torch = torch
        self.model = nn.Sequential(
            nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2])
        )
        x, labels = make_data(batch, seed)
        self.x = torch.tensor(x)
        self.labels = torch.tensor(labels)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.remember_starting_weights()
        self.outputs = self.loss = None

    def step(self):
        loss = self.criterion(self.model(self.x), self.labels)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def phases(self):
        def forward():
            self.outputs = self.model(self.x)

        def compute_loss():
            self.loss = self.criterion(self.outputs, self.labels)

        return [
            ("forward", forward),
            ("loss", compute_loss),
            ("zero_grad", self.optimizer.zero_grad),
            ("backward", lambda: self.loss.backward()),
            ("step", self.optimizer.step),
        ]

    def numpy_twin(self):
        """The hand-written numpy model with this model's current weights, and its data."""
        weights = {name: p.detach().numpy() for name, p in self.model.named_parameters()}
        return NumpyMLP(weights), self.x.numpy(), self.labels.numpy()


def stepgrad_mlp(batch, seed=SEED):
    import stepgrad
    import stepgrad.nn
    import stepgrad.optim

    return EngineMLP(stepgrad, stepgrad.nn, stepgrad.optim, batch, seed)


def _settings(batch, quick):
    """(repeats, steps per repeat, warm-up repeats) for one round."""
    if quick:
        return 1, 1, 0
    return (12, 8, 2) if batch <= 256 else (10, 1, 2)  # per round (run() does 2)


# --- workers (each runs in a fresh process) ----------------------------------------------


def measure_stepgrad_and_numpy(batches, quick=False):
    """Seconds per step of stepgrad and of the numpy model side by side, plus stepgrad's
    phases: ``{batch: {"times": {engine: [...]}, "phases": {...}}}``."""
    common.use_library_from_checkout()
    results = {}
    for batch in batches:
        engine = stepgrad_mlp(batch)
        model, x, labels = engine.numpy_twin()
        initial, _, _ = engine.numpy_twin()

        def reset_numpy(model=model, initial=initial):
            for name, parameter in model.parameters.items():
                parameter[...] = initial.parameters[name]

        def numpy_step(model=model, x=x, labels=labels):
            model.train_step(x, labels)

        repeats, number, warmup = _settings(batch, quick)
        times = common.time_side_by_side(
            {"stepgrad": (engine.step, engine.reset), "numpy by hand": (numpy_step, reset_numpy)},
            repeats,
            number,
            warmup,
        )
        phases = common.time_phases(engine.phases(), engine.reset, max(1, repeats // 4), number)
        results[batch] = {"times": times, "phases": phases}
    return results


def measure_torch(batches, quick=False, threads=None):
    """Seconds per step of PyTorch CPU with ``threads`` threads (None: its default):
    ``{batch: {engine: [...]}}``."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    count = torch.get_num_threads()
    label = f"PyTorch {torch.__version__}, {count} thread{'s' if count > 1 else ''}"
    label += " (default)" if threads is None else ""
    results = {}
    for batch in batches:
        engine = EngineMLP(torch, torch.nn, torch.optim, batch)
        repeats, number, warmup = _settings(batch, quick)
        candidates = {label: (engine.step, engine.reset)}
        results[batch] = common.time_side_by_side(candidates, repeats, number, warmup)
    return results


def profile_stepgrad(batch=256, steps=30, top=12):
    """cProfile of stepgrad's training step: the functions that take the most time of their own."""
    common.use_library_from_checkout()
    engine = stepgrad_mlp(batch)
    engine.step()  # warm-up
    return common.profile(engine.step, steps, top)


# --- the benchmark ----------------------------------------------------------------------


def run(quick=False, batches=BATCHES, one_thread=True):
    """Measure every engine at each batch size, with the machine's default threads and,
    when ``one_thread``, with one thread for everyone; rows with their ratio to numpy."""
    rows = []
    for single in (False, True) if one_thread else (False,):
        rows += _measure(quick, batches, single)
    return rows


def _measure(quick, batches, single):
    rounds = 1 if quick else 2
    arguments = {"batches": list(batches), "quick": quick}
    if single:
        arguments["environment"] = ONE_BLAS_THREAD
    calls = [("mlp:measure_stepgrad_and_numpy", arguments)]
    if common.torch_version():
        calls.append(("mlp:measure_torch", {**arguments, "threads": 1 if single else None}))
    results = common.spawn_in_rounds(calls, rounds)
    rows = []
    for batch in batches:
        name = benchmark_name(batch, single)
        ours = results[0][str(batch)]  # JSON keys are strings
        group = [common.row(name, engine, s, "ms", 1e3) for engine, s in ours["times"].items()]
        if not single:
            group[0]["phases"] = common.medians(ours["phases"], 1e3)
        if common.torch_version():
            times = results[1][str(batch)]
            group += [common.row(name, engine, s, "ms", 1e3) for engine, s in times.items()]
        else:
            group.append(common.missing_row(name, "PyTorch", common.TORCH_MISSING))
        rows += common.add_ratios(group, "numpy by hand")
    return rows


if __name__ == "__main__":
    print(common.format_table(run()))

"""Benchmark 4 of issue 8: the scalar engine, side by side with micrograd.

Two workloads, each measured in fresh Python processes that import only what the
course imports (numpy and the engine under test), because the cost of Python's
garbage collector grows with every object the process holds:

- one training step of an MLP 2-16-16-1 (ReLU neurons) on 100 two-dimensional
  points with a max-margin loss plus L2 regularisation: forward over all points,
  zero_grad, backward, SGD update; about 66,000 nodes. Consecutive steps, medians.
- backward through a chain of 1,000,000 operations (y = y * c).

The training steps run in five rounds, each engine in a process of its own per round,
one after the other, so that a change in the machine's load falls on every engine.
The model code below is written once and run with each engine's Value class.
Times are process CPU time, with wall-clock medians beside them: the engines run
one after another in their own processes, and on a shared machine CPU time is the
figure that other processes disturb least.
micrograd (``pip install micrograd``) is a benchmark peer only, never a
dependency of stepgrad; it is measured as shipped and with the garbage
collector switched off during the step.

    python bench/scalar.py            # full run, prints a table
    python bench/scalar.py --quick    # fewer repeats, for a smoke test

``run()`` returns the rows for ``bench/run.py``.
"""

import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

POINTS = 100
LAYERS = [16, 16, 1]
CHAIN_OPS = 1_000_000
SEED = 1337


# ---------------------------------------------------------------------------
# The shared model: micrograd's demo MLP, with the Value class passed in.
# ---------------------------------------------------------------------------


class Neuron:
    def __init__(self, value, nin, rng, nonlin=True):
        self.w = [value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, value, nin, nout, rng, nonlin):
        self.neurons = [Neuron(value, nin, rng, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, value, nin, nouts, seed=SEED):
        rng = random.Random(seed)  # same weights for every engine
        sizes = [nin] + nouts
        self.layers = [
            Layer(value, sizes[i], sizes[i + 1], rng, nonlin=i != len(nouts) - 1)
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def make_moons(n, seed=SEED, noise=0.1):
    """Two interleaving half circles, labels -1 and +1 (as in micrograd's demo)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    half = n // 2
    angle_out = np.linspace(0, np.pi, half)
    angle_in = np.linspace(0, np.pi, n - half)
    X = np.concatenate(
        [
            np.stack([np.cos(angle_out), np.sin(angle_out)], axis=1),
            np.stack([1 - np.cos(angle_in), 0.5 - np.sin(angle_in)], axis=1),
        ]
    )
    X += rng.normal(scale=noise, size=X.shape)
    y = np.concatenate([-np.ones(half), np.ones(n - half)])
    return X.tolist(), y.tolist()


def loss_of(model, X, y, alpha=1e-4):
    """Mean hinge loss over the points plus alpha * (sum of squared parameters)."""
    scores = [model(x) for x in X]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(model, X, y, learning_rate):
    loss = loss_of(model, X, y)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss.data


# ---------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line.
# ---------------------------------------------------------------------------


def load_value(engine):
    if engine == "stepgrad":
        sys.path.insert(0, str(REPO / "lib"))
        from stepgrad import Value

        return Value
    from micrograd_peer import load_micrograd_value

    return load_micrograd_value()


def count_nodes(root):
    """Nodes reachable from root, for either engine (iteratively: no recursion limit)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        parents = node.inputs if hasattr(node, "inputs") else node._prev
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def mlp_worker(engine, steps, warmup, collector):
    """Time consecutive training steps; collector is 'on' or 'off-during-step'."""
    import numpy  # noqa: F401  (the course always has numpy loaded)

    value = load_value(engine)
    X, y = make_moons(POINTS)
    model = MLP(value, 2, LAYERS)
    nodes = count_nodes(loss_of(model, X, y))
    times, walls, losses, collecting = [], [], [], []
    collector_time = _collector_clock()
    for step in range(warmup + steps):
        learning_rate = 1.0 - 0.9 * step / (warmup + steps)
        if collector == "off-during-step":
            gc.disable()
        collector_time["seconds"] = 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        loss = train_step(model, X, y, learning_rate)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        in_collector = collector_time["seconds"]
        if collector == "off-during-step":
            gc.enable()
            gc.collect()  # free this step's cycles outside the timed region
        if step >= warmup:
            times.append(cpu)
            walls.append(wall)
            collecting.append(in_collector)
        losses.append(loss)
    return {
        "times": times,
        "walls": walls,
        "collecting": collecting,
        "nodes": nodes,
        "losses": losses,
    }


def _collector_clock():
    """CPU time spent in Python's garbage collector, summed in ``["seconds"]``."""
    clock = {"seconds": 0.0, "started": 0.0}

    def on_collection(phase, info):
        if phase == "start":
            clock["started"] = time.process_time()
        else:
            clock["seconds"] += time.process_time() - clock["started"]

    gc.callbacks.append(on_collection)
    return clock


def memory_worker(engine):
    """Bytes allocated per node while building the MLP's loss graph (tracemalloc)."""
    import tracemalloc

    import numpy  # noqa: F401

    value = load_value(engine)
    X, y = make_moons(POINTS)
    model = MLP(value, 2, LAYERS)
    gc.collect()
    nodes_before = len(model.parameters())
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    loss = loss_of(model, X, y)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    allocated = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    nodes = count_nodes(loss) - nodes_before
    return {"bytes_per_node": allocated / nodes, "nodes": nodes}


def chain_worker(engine, ops, repeats):
    """Build y = x * c * c * ... (ops multiplications) and time backward."""
    import numpy  # noqa: F401

    value = load_value(engine)
    builds, backwards, walls = [], [], []
    for _ in range(repeats):
        start = time.process_time()
        x = value(0.5)
        y = x
        for _ in range(ops):
            y = y * 1.000001
        built, built_wall = time.process_time(), time.perf_counter()
        try:
            y.backward()
        except RecursionError:
            return {"error": f"RecursionError in backward on a chain of {ops:,} operations"}
        done, done_wall = time.process_time(), time.perf_counter()
        builds.append(built - start)
        backwards.append(done - built)
        walls.append(done_wall - built_wall)
        expected = 1.000001**ops
        assert abs(x.grad - expected) <= 1e-9 * expected, (x.grad, expected)
        del x, y
    return {"build": builds, "backward": backwards, "walls": walls}


def profile_stepgrad(steps=5, top=12):
    """cProfile of stepgrad's MLP training step (as ``bench/common.py`` reports profiles)."""
    from common import profile

    value = load_value("stepgrad")
    X, y = make_moons(POINTS)
    model = MLP(value, 2, LAYERS)
    train_step(model, X, y, 0.01)  # warm-up
    return profile(lambda: train_step(model, X, y, 0.01), steps, top)


WORKERS = {"mlp": mlp_worker, "memory": memory_worker, "chain": chain_worker}


# ---------------------------------------------------------------------------
# The parent: spawn workers, summarise into rows, print a table.
# ---------------------------------------------------------------------------


def _spawn(worker, **kwargs):
    import subprocess

    command = [sys.executable, __file__, "--worker", json.dumps({"worker": worker, **kwargs})]
    result = subprocess.run(command, check=False, capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark worker {worker} {kwargs} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _row(benchmark, engine, times, unit, scale, walls=None):
    """A row of CPU-time statistics (and the wall-clock median when measured)."""
    values = [t * scale for t in times]
    row = {
        "benchmark": benchmark,
        "engine": engine,
        "clock": "process CPU time",
        "unit": unit,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "repeats": len(values),
    }
    if walls:
        row["wall_median"] = statistics.median(walls) * scale
    return row


def micrograd_available():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from micrograd_peer import micrograd_version

    return micrograd_version()


def spawn_in_rounds(calls, rounds, spawner):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import spawn_in_rounds

    return spawn_in_rounds(calls, rounds, spawner)


def run(quick=False):
    """Measure everything; return a list of row dicts (benchmark, engine, unit, median, ...)."""
    rounds = 1 if quick else 5
    steps = 5 if quick else 8  # per round
    shipped_steps = 2 if quick else 7
    chain_ops = 100_000 if quick else CHAIN_OPS
    chain_repeats = 1 if quick else 5
    peer = micrograd_available()
    rows = []

    # The steps compared with each other run in rounds of fresh processes, one engine
    # after the other, so that a change in the machine's load, or one process's unlucky
    # memory layout, falls on every engine alike.
    def step(engine, collector):
        return ("mlp", {"engine": engine, "steps": steps, "warmup": 3, "collector": collector})

    calls = [step("stepgrad", "on"), step("stepgrad", "off-during-step")]
    if peer:
        calls.append(step("micrograd", "off-during-step"))
    ours, ours_off, *theirs_off = spawn_in_rounds(calls, rounds, spawner=_spawn)
    mem_ours = _spawn("memory", engine="stepgrad")
    mlp = f"scalar MLP 2-16-16-1, {POINTS} points, one step (~{ours['nodes']:,} nodes)"
    rows.append(_row(mlp, "stepgrad, GC on", ours["times"], "ms", 1e3, ours["walls"]))
    rows.append(_row(mlp, "  of which in the collector", ours["collecting"], "ms", 1e3))
    rows.append(
        _row(mlp, "stepgrad, GC off during step", ours_off["times"], "ms", 1e3, ours_off["walls"])
    )
    if peer:
        theirs_off = theirs_off[0]
        theirs = _spawn("mlp", engine="micrograd", steps=shipped_steps, warmup=1, collector="on")
        mem_theirs = _spawn("memory", engine="micrograd")
        _check_same_losses(ours, theirs_off)
        off = f"micrograd {peer}, GC off during step"
        rows.append(_row(mlp, off, theirs_off["times"], "ms", 1e3, theirs_off["walls"]))
        shipped = f"micrograd {peer} as shipped (GC on)"
        rows.append(_row(mlp, shipped, theirs["times"], "ms", 1e3, theirs["walls"]))
        reference = statistics.median(theirs_off["times"]) * 1e3
        for row in rows:
            if "collector" in row["engine"]:
                continue  # a part of the step above it, not a step of its own
            row["ratio"] = row["median"] / reference
            row["ratio_to"] = "micrograd, GC off during step"
    memory = "bytes per node (tracemalloc, MLP loss graph)"
    rows.append(_memory_row(memory, "stepgrad", mem_ours))
    if peer:
        rows.append(_memory_row(memory, f"micrograd {peer}", mem_theirs))
        rows[-2]["ratio"] = mem_ours["bytes_per_node"] / mem_theirs["bytes_per_node"]
        rows[-2]["ratio_to"] = "micrograd"
        rows[-1]["ratio"] = 1.0

    chain = _spawn("chain", engine="stepgrad", ops=chain_ops, repeats=chain_repeats)
    name = f"chain of {chain_ops:,} ops (y = y * c)"
    rows.append(_row(f"{name}: backward", "stepgrad", chain["backward"], "s", 1, chain["walls"]))
    rows.append(_row(f"{name}: build, GC on", "stepgrad", chain["build"], "s", 1))
    if peer:
        short = _spawn("chain", engine="micrograd", ops=1000, repeats=1)
        if "error" in short:
            rows.append(
                {
                    "benchmark": f"{name}: backward",
                    "engine": f"micrograd {peer}",
                    "error": short["error"],
                }
            )
    return rows


def _memory_row(benchmark, engine, result):
    value = result["bytes_per_node"]
    return {
        "benchmark": benchmark,
        "engine": engine,
        "unit": "bytes",
        "median": value,
        "min": value,
        "max": value,
        "repeats": 1,
        "nodes": result["nodes"],
    }


def _check_same_losses(ours, theirs):
    """The two engines run the same model on the same data: their losses must agree."""
    for a, b in zip(ours["losses"], theirs["losses"]):
        if abs(a - b) > 1e-9 * max(1.0, abs(b)):
            raise RuntimeError(f"stepgrad and micrograd disagree on the loss: {a!r} vs {b!r}")


def format_table(rows):
    """Rows grouped by benchmark: engine, median (min-max), wall-clock median, ratio."""
    lines = []
    for benchmark in dict.fromkeys(row["benchmark"] for row in rows):
        lines.append(benchmark)
        for row in rows:
            if row["benchmark"] != benchmark:
                continue
            if "error" in row:
                lines.append(f"  {row['engine']:<40} {row['error']}")
                continue
            unit = row["unit"]
            spread = f"({row['min']:.4g}-{row['max']:.4g})"
            wall = f"wall {row['wall_median']:.4g} {unit}" if "wall_median" in row else ""
            ratio = f"{row['ratio']:.2f}x" if "ratio" in row else ""
            lines.append(
                f"  {row['engine']:<40} {row['median']:>8.4g} {unit:<5} {spread:<20} "
                f"{wall:<16} {ratio:>6}"
            )
    return "\n".join(lines)


def main(argv):
    if argv[:1] == ["--worker"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        task = json.loads(argv[1])
        worker = WORKERS[task.pop("worker")]
        print(json.dumps(worker(**task)))
        return
    rows = run(quick="--quick" in argv)
    print("Times are process CPU time (the machines are shared): median (min-max), with the")
    print("wall-clock median beside it. Ratios are to micrograd (with its collector off for")
    print("the step times), measured in the same run.\n")
    print(format_table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])

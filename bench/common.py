"""What every benchmark shares: timing, fresh worker processes, the machine, and the table.

Timing: each engine is timed over several *repeats*, each repeat running the
workload ``number`` times after a ``reset`` (untimed) that puts the model back to
its initial weights. Engines measured in one process take turns repeat by repeat,
so a slow minute on the machine hits them all alike. Warm-up repeats are run and
discarded first. A row reports the median over repeats and the min-max spread.

Workers: a measurement that must not share a process with another (PyTorch's
import makes Python's garbage collector slower for everything else in the process)
runs in a fresh interpreter through ``spawn("module:function", **kwargs)``, which
prints its result as one JSON line.

    >>> rows = [row("tutorial epoch", "numpy", [20e-6, 21e-6, 25e-6], "us", 1e6)]
    >>> rows[0]["median"]
    21.0
"""

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LIB = REPO / "lib"

# Set on some processors because older OpenBLAS builds crash or compute wrong results
# there; they slow a current numpy. We benchmark the machine as it is and record them.
BLAS_ENVIRONMENT = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)


# --- timing ------------------------------------------------------------------------------


def time_side_by_side(candidates, repeats, number, warmup=2):
    """Seconds per call of each candidate, one entry per repeat.

    ``candidates`` maps a name to ``(run_once, reset)``: ``reset()`` runs untimed
    before each repeat, then ``run_once()`` runs ``number`` times in the timed region.
    Candidates take turns repeat by repeat. Returns ``{name: [seconds per call, ...]}``.
    """
    times = {name: [] for name in candidates}
    for repeat in range(warmup + repeats):
        for name, (run_once, reset) in candidates.items():
            reset()
            start = time.perf_counter()
            for _ in range(number):
                run_once()
            elapsed = time.perf_counter() - start
            if repeat >= warmup:
                times[name].append(elapsed / number)
    return times


def time_phases(phases, reset, repeats, number):
    """Seconds per call of each phase of one workload (e.g. forward, backward), per repeat.

    ``phases`` is a list of ``(name, function)`` run in order, ``number`` times per
    repeat; each phase is timed on its own (so their sum is a little above the whole).
    Returns ``{name: [seconds per call, ...]}``.
    """
    times = {name: [] for name, _ in phases}
    clock = time.perf_counter
    for _ in range(repeats):
        reset()
        spent = dict.fromkeys(times, 0.0)
        for _ in range(number):
            for name, function in phases:
                start = clock()
                function()
                spent[name] += clock() - start
        for name, values in times.items():
            values.append(spent[name] / number)
    return times


def medians(times, scale=1):
    """``{name: median of the values}`` for ``{name: [values]}``, times ``scale``."""
    return {name: statistics.median(values) * scale for name, values in times.items()}


def time_commands(command, repeats, env=None):
    """Wall-clock seconds of running ``command`` (a list) as a new process, per repeat.

    The command must succeed; its last line of output is returned with the times,
    so the caller can check the process computed what it should.
    """
    times = []
    last_line = ""
    for _ in range(repeats):
        start = time.perf_counter()
        finished = subprocess.run(
            command, check=False, capture_output=True, text=True, env=env, cwd=REPO
        )
        times.append(time.perf_counter() - start)
        if finished.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{finished.stderr}")
        last_line = (finished.stdout.strip().splitlines() or [""])[-1]
    return times, last_line


def collected(function):
    """Run ``function`` after a full garbage collection, so one workload's garbage is
    not collected on another's clock."""

    def run(*args, **kwargs):
        gc.collect()
        return function(*args, **kwargs)

    return run


# --- rows: what a measurement reports ------------------------------------------------------


def row(benchmark, engine, seconds, unit, scale, **extra):
    """One line of the results table: median and min-max of ``seconds`` times ``scale``."""
    values = [s * scale for s in seconds]
    return {
        "benchmark": benchmark,
        "engine": engine,
        "unit": unit,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "repeats": len(values),
        **extra,
    }


def missing_row(benchmark, engine, reason):
    """A row for a peer that could not be measured here (e.g. PyTorch not installed)."""
    return {"benchmark": benchmark, "engine": engine, "error": reason}


def find_row(rows, benchmark, engine):
    """The measured row whose benchmark and engine contain the given texts, or None."""
    for candidate in rows:
        if benchmark in candidate["benchmark"] and engine in candidate["engine"]:
            return None if "error" in candidate else candidate
    return None


# --- fresh worker processes -----------------------------------------------------------


def spawn(target, environment=None, **kwargs):
    """Call ``module:function`` (a module in bench/) with ``kwargs`` in a fresh Python
    process (with ``environment`` added to os.environ) and return what it returned
    (anything JSON can carry)."""
    command = [sys.executable, str(BENCH / "common.py"), "--call", target, json.dumps(kwargs)]
    env = dict(os.environ, **(environment or {}))
    finished = subprocess.run(
        command, check=False, capture_output=True, text=True, cwd=REPO, env=env
    )
    if finished.returncode != 0:
        raise RuntimeError(f"benchmark worker {target}({kwargs}) failed:\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def spawn_in_rounds(calls, rounds, spawner=None):
    """Run the workers ``calls`` (a list of ``(target, kwargs)`` for ``spawn``, or for
    ``spawner`` when given) one after the other, ``rounds`` times over, and merge each
    one's results over the rounds (lists of times are joined). A change in the machine's
    load during the run then falls on every engine alike, even on engines measured in
    different processes."""
    spawner = spawner or spawn
    merged = [None] * len(calls)
    for _ in range(rounds):
        for index, (target, kwargs) in enumerate(calls):
            result = spawner(target, **kwargs)
            merged[index] = result if merged[index] is None else _joined(merged[index], result)
    return merged


def _joined(first, second):
    """Two rounds' results as one: lists joined, dicts key by key, anything else (a count
    of nodes, a version) the same in every round and kept once."""
    if isinstance(first, dict):
        return {key: _joined(value, second[key]) for key, value in first.items()}
    if isinstance(first, list):
        return first + second
    if first != second:
        raise RuntimeError(f"a worker's result changed between rounds: {first!r} vs {second!r}")
    return first


def _serve_call(target, arguments):
    module_name, function_name = target.split(":")
    module = __import__(module_name)
    result = getattr(module, function_name)(**json.loads(arguments))
    print(json.dumps(result))


def use_library_from_checkout():
    """Import stepgrad from this checkout's lib/ (the benchmark measures the code here)."""
    if str(LIB) not in sys.path:
        sys.path.insert(0, str(LIB))


def environment_with_library():
    """os.environ for a child process that imports stepgrad from this checkout."""
    paths = [str(LIB)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def torch_version():
    """The installed PyTorch version without importing it (the import alone costs seconds)."""
    from importlib import metadata

    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


TORCH_MISSING = "PyTorch is not installed (pip install torch==2.13.0 for the side-by-side run)"


# --- the machine ----------------------------------------------------------------------


def machine():
    """What the figures were measured on: CPU, cores, Python, numpy, BLAS, PyTorch."""
    import numpy

    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": numpy.__version__,
        "blas": blas_description(),
        "torch": torch_version() or "not installed",
        "blas environment": ", ".join(
            f"{name}={os.environ[name]}" for name in BLAS_ENVIRONMENT if name in os.environ
        )
        or "none set",
    }
    return info


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_description():
    """The BLAS numpy calls, its version, kernel and threads (threadpoolctl when installed,
    else what numpy reports about its build)."""
    try:
        import numpy
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            pool = pools[0]
            return (
                f"{pool.get('internal_api')} {pool.get('version')}, "
                f"kernel {pool.get('architecture')}, {pool.get('num_threads')} threads"
            )
    except ImportError:
        pass
    import numpy

    try:
        config = numpy.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (from numpy's build configuration)"
    except (TypeError, KeyError):  # numpy 1.x: show_config has no mode
        return "see numpy.show_config()"


# --- the profile ----------------------------------------------------------------------


def profile(function, calls, top=12, units_per_call=1):
    """Where ``function``'s time goes, by cProfile: the ``top`` functions by own time.

    Returns ``{"total": seconds per unit under the profiler, "functions": [...]}``,
    each function with its calls, own time and cumulative time per unit of work
    (one call of ``function`` does ``units_per_call`` units, e.g. 100 epochs).
    cProfile adds a cost to every Python call, so it overstates small functions a
    little: read the shares, not the absolute times.
    """
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        function()
    profiler.disable()
    stats = pstats.Stats(profiler)
    units = calls * units_per_call
    functions = [
        {
            "function": _function_label(filename, line, name),
            "calls": primitive_calls / units,
            "own": own / units,
            "cumulative": cumulative / units,
        }
        for (filename, line, name), (primitive_calls, _, own, cumulative, _) in stats.stats.items()
    ]
    functions.sort(key=lambda entry: entry["own"], reverse=True)
    return {"total": stats.total_tt / units, "functions": functions[:top]}


def _function_label(filename, line, name):
    if filename == "~":  # a built-in: cProfile names it like {method 'sum' of ...}
        return name
    path = Path(filename).as_posix()
    for marker in ("/stepgrad/", "/numpy/", "/torch/", "/bench/"):
        if marker in path:
            path = marker.strip("/") + "/" + path.split(marker, 1)[1]
            break
    else:
        path = Path(filename).name
    return f"{name} ({path}:{line})"


# --- the table --------------------------------------------------------------------------


def format_table(rows):
    """Rows grouped by benchmark: median, min-max and the ratio to the row named in ratio_to."""
    lines = []
    current = None
    for entry in rows:
        if entry["benchmark"] != current:
            current = entry["benchmark"]
            lines.append("")
            lines.append(current)
        if "error" in entry:
            lines.append(f"  {entry['engine']:<44} {entry['error']}")
            continue
        spread = f"{_number(entry['min'])}-{_number(entry['max'])}"
        ratio = f"{entry['ratio']:.2f}x {entry.get('ratio_to', '')}" if "ratio" in entry else ""
        lines.append(
            f"  {entry['engine']:<44} {_number(entry['median']):>9} {entry['unit']:<5}"
            f" {spread:>19} {ratio}"
        )
    return "\n".join(lines)


def _number(value):
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def add_ratios(rows, reference_engine):
    """Give each row of ``rows`` its ratio to the row whose engine is ``reference_engine``."""
    reference = next(
        (r for r in rows if r["engine"] == reference_engine and "error" not in r), None
    )
    if reference is None:
        return rows
    for entry in rows:
        if "error" not in entry and entry is not reference:
            entry["ratio"] = entry["median"] / reference["median"]
            entry["ratio_to"] = reference_engine
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--call"]:
        use_library_from_checkout()
        sys.path.insert(0, str(BENCH))
        _serve_call(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(machine(), indent=2))


class StartsFromSameWeights:
    """For an engine workload (stepgrad or PyTorch): every repeat starts from the same weights.

    Call ``remember_starting_weights()`` once the model exists; ``reset()`` puts them back.
    Needs ``self.torch`` (the library) and ``self.model``.
    """

    def remember_starting_weights(self):
        self.initial = {name: p.detach().clone() for name, p in self.model.named_parameters()}

    def reset(self):
        with self.torch.no_grad():
            for name, parameter in self.model.named_parameters():
                parameter.copy_(self.initial[name])

"""Benchmark 5 of issue 8: the wall time of executing every notebook of the course.

Each notebook in ``course/`` runs top to bottom in a fresh kernel, kernel start
included (what "Restart Kernel and Run All Cells" costs a learner), one after
the other. They run in a temporary copy of ``course/``, so the committed
notebooks and their stored outputs are never touched.

    python bench/course.py            # print the table
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import common

BENCHMARK = "the course: executing every notebook (kernel start included)"
EACH_BENCHMARK = "the course: each notebook (kernel start included)"
COURSE = common.REPO / "course"
CELL_TIMEOUT = 600  # seconds; a cell that hangs fails the run instead of stalling it


def notebooks():
    """The course's notebooks, in chapter order."""
    return sorted(COURSE.glob("*.ipynb"))


def execute_all(names=None):
    """Seconds to execute each notebook (by file name), in a temporary copy of course/."""
    import nbformat
    from nbclient import NotebookClient

    # The kernel inherits this environment: it must import stepgrad from this checkout.
    os.environ.update(common.environment_with_library())
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="stepgrad-course-") as scratch:
        copy = Path(scratch) / "course"
        shutil.copytree(COURSE, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in sorted(copy.glob("*.ipynb")):
            if names is not None and path.name not in names:
                continue
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                timeout=CELL_TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": str(copy)}},
            )
            start = time.perf_counter()
            client.execute()
            seconds[path.name] = time.perf_counter() - start
    return seconds


def run(quick=False):
    """One full run of the course (all notebooks); quick runs the first notebook only."""
    names = [notebooks()[0].name] if quick else None
    seconds = common.spawn("course:execute_all", names=names)
    total = sum(seconds.values())
    label = f"all {len(seconds)} notebooks, one after the other"
    rows = [common.row(BENCHMARK, label, [total], "s", 1)]
    rows += [common.row(EACH_BENCHMARK, name, [s], "s", 1) for name, s in seconds.items()]
    return rows


if __name__ == "__main__":
    print(common.format_table(run()))

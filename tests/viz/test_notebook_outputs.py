"""stepgrad.viz in a real notebook: executed, stored, then checked by strict nbval.

nbval compares text/plain, text/html, image/svg+xml and streams, ignores display
updates and cannot handle clear_output. These tests execute a small notebook the way
the course's notebooks are executed (nbclient), then run `pytest --nbval` on it with
the two normalisations the course's sanitize file needs for viz outputs:

- every SVG element (Graphviz releases lay out graphs differently), and
- the base64 data of PNG images written inside HTML (the live loss plot's picture).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import requires_dot

nbformat = pytest.importorskip("nbformat", reason="nbformat is needed to write the notebook")
nbclient = pytest.importorskip("nbclient", reason="nbclient is needed to execute the notebook")
pytest.importorskip("nbval", reason="nbval is the validator these tests run")
pytest.importorskip("ipykernel", reason="a Jupyter kernel is needed to execute the notebook")

LIB = Path(__file__).resolve().parents[2] / "lib"

SANITIZE = r"""
[graphviz-svg-layout]
regex: (?s)<svg\b.*?</svg>
replace: <svg/>

[png-inside-html]
regex: data:image/png;base64,[A-Za-z0-9+/=]+
replace: data:image/png;base64,...
"""

CELLS = {
    "imports": (
        "import numpy as np\n"
        "from stepgrad import Value\n"
        "from stepgrad.viz import (draw_graph, backward_stepper, forward_stepper, LiveLossPlot,\n"
        "    plot_decision_boundary, GradientNormRecorder, plot_gradient_flow)"
    ),
    "graph": (
        "x = Value(2.0, label='x')\ny = x * x + x\ny.label = 'y'\ny.backward()\ndraw_graph(y)"
    ),
    "stepper": "a = Value(2.0, label='a'); b = Value(-3.0, label='b')\nbackward_stepper(a * b + a)",
    "strip": "forward_stepper(a * b + a, static=True)",
    "live": (
        "w = Value(0.0, label='w')\n"
        "recorder = GradientNormRecorder({'w': w})\n"
        "with LiveLossPlot(every=5) as plot:\n"
        "    for epoch in range(20):\n"
        "        w.grad = 0.0\n"
        "        loss = (w - 3.0) ** 2\n"
        "        loss.backward()\n"
        "        recorder.record()\n"
        "        w.data -= 0.1 * w.grad\n"
        "        plot.add(loss)\n"
        "print(f'final loss {loss.data:.4f}')"
    ),
    "flow": "plot_gradient_flow(recorder)",
    "boundary": (
        "X = np.array([[0., 0.], [1., 1.], [0., 1.], [1., 0.]])\n"
        "plot_decision_boundary(lambda p: p[:, 0], X, np.array([0, 1, 0, 1]))"
    ),
}


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory):
    """The notebook of CELLS, executed by a kernel of this Python, saved with its outputs."""
    folder = tmp_path_factory.mktemp("viz-notebook")
    spec = folder / "kernels" / "stepgrad-viz-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "stepgrad viz test",
                "language": "python",
            }
        )
    )
    environment = {
        "JUPYTER_PATH": str(folder),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(LIB), os.environ.get("PYTHONPATH")])),
    }
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(source) for source in CELLS.values()]
        )
        notebook.metadata["kernelspec"] = {
            "name": "stepgrad-viz-test",
            "display_name": "stepgrad viz test",
            "language": "python",
        }
        nbclient.NotebookClient(
            notebook,
            kernel_name="stepgrad-viz-test",
            timeout=120,
            resources={"metadata": {"path": str(folder)}},
        ).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    path = folder / "viz.ipynb"
    nbformat.write(notebook, path)
    (folder / "sanitize.cfg").write_text(SANITIZE)
    return path


def outputs_of(notebook_path, cell):
    notebook = nbformat.read(notebook_path, as_version=4)
    return notebook.cells[list(CELLS).index(cell)].outputs


@pytest.fixture(scope="module")
def nbval_results(executed_notebook):
    """Strict nbval over the executed notebook and over a copy with one graph changed.

    The changed copy is the control: it shows that nbval really compares what a
    graph's output says. Both run in one pytest process (one start-up, one kernel each).
    """
    notebook = nbformat.read(executed_notebook, as_version=4)
    graph = notebook.cells[list(CELLS).index("graph")].outputs[0]
    graph.data["text/plain"] = graph.data["text/plain"].replace("grad 5.0000", "grad 4.0000")
    nbformat.write(notebook, executed_notebook.parent / "changed.ipynb")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "sanitize.cfg",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(executed_notebook.parent),
            "-v",
            "viz.ipynb",
            "changed.ipynb",
        ],
        cwd=executed_notebook.parent,
        env={**os.environ, "PYTHONPATH": str(LIB)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    # -v lists one line per cell, such as "viz::ipynb::Cell 3 PASSED   [ 42%]"
    found = re.findall(
        r"^(viz|changed)\S*::Cell (\d+) (PASSED|FAILED)", result.stdout, re.MULTILINE
    )
    outcomes = {(notebook, int(cell)): outcome for notebook, cell, outcome in found}
    return result, outcomes


@requires_dot
def test_a_graph_is_stored_as_svg_with_its_dot_source_as_text(executed_notebook):
    (output,) = outputs_of(executed_notebook, "graph")
    assert set(output.data) == {"image/svg+xml", "text/plain"}
    assert output.data["text/plain"].startswith("// graph: 3 nodes, 4 edges\ndigraph stepgrad {")
    assert output.data["image/svg+xml"].startswith("<svg")


@requires_dot
def test_the_stepper_is_stored_as_widget_strip_and_fixed_text(executed_notebook):
    (output,) = outputs_of(executed_notebook, "stepper")
    assert set(output.data) == {
        "application/vnd.jupyter.widget-view+json",
        "text/html",
        "text/plain",
    }
    assert output.data["text/plain"] == "<backward pass: 3 frames>"
    assert output.data["text/html"].count("stepgrad-strip-step") == 3


@requires_dot
def test_the_live_loss_plot_leaves_one_picture_in_the_saved_notebook(executed_notebook):
    outputs = outputs_of(executed_notebook, "live")
    pictures = [o for o in outputs if o.output_type == "display_data"]
    assert len(pictures) == 1
    assert pictures[0].data["text/plain"] == "<live loss plot>"
    assert "image/png" in pictures[0].data
    # the loss before the last of 20 updates: 9 * 0.64 ** 19, by hand (see test_plots)
    assert [o.text for o in outputs if o.output_type == "stream"] == [
        f"final loss {9 * 0.64**19:.4f}\n"
    ]


@requires_dot
def test_the_executed_notebook_passes_strict_nbval(nbval_results):
    result, outcomes = nbval_results
    mine = [outcomes.get(("viz", cell)) for cell in range(len(CELLS))]
    assert mine == ["PASSED"] * len(CELLS), result.stdout[-3000:]


@requires_dot
def test_nbval_catches_a_graph_that_changed(nbval_results):
    result, outcomes = nbval_results
    changed = [outcomes.get(("changed", cell)) for cell in range(len(CELLS))]
    expected = ["PASSED"] * len(CELLS)
    expected[list(CELLS).index("graph")] = "FAILED"
    assert changed == expected, result.stdout[-3000:]

"""Executing a notebook twice stores the same widget ids (tools/settle_executed_notebooks.py)."""

import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import settle_executed_notebooks

VIEW = settle_executed_notebooks.WIDGET_VIEW
STATE = settle_executed_notebooks.WIDGET_STATE


def executed_notebook_text():
    """A notebook as nbconvert stores it: a box holding a slider, with fresh random ids."""
    box, slider = uuid.uuid4().hex, uuid.uuid4().hex
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [{"data": {VIEW: {"model_id": box}}, "output_type": "display_data"}],
            }
        ],
        "metadata": {
            "widgets": {
                STATE: {
                    "state": {
                        box: {"state": {"children": [f"IPY_MODEL_{slider}"]}},
                        slider: {"state": {"value": 3}},
                    }
                }
            }
        },
    }
    return json.dumps(notebook), (box, slider)


def test_two_executions_with_different_random_ids_store_the_same_text():
    first, _ = executed_notebook_text()
    second, _ = executed_notebook_text()
    assert first != second
    assert settle_executed_notebooks.stabilise(
        first, "x.ipynb"
    ) == settle_executed_notebooks.stabilise(second, "x.ipynb")


def test_references_between_widgets_are_renamed_with_the_widgets():
    text, (box, slider) = executed_notebook_text()
    notebook = json.loads(settle_executed_notebooks.stabilise(text, "x.ipynb"))
    state = notebook["metadata"]["widgets"][STATE]["state"]
    new_box, new_slider = list(state)
    assert box not in state and slider not in state
    assert state[new_box]["state"]["children"] == [f"IPY_MODEL_{new_slider}"]
    assert notebook["cells"][0]["outputs"][0]["data"][VIEW]["model_id"] == new_box


def test_stabilising_twice_changes_nothing():
    text, _ = executed_notebook_text()
    once = settle_executed_notebooks.stabilise(text, "x.ipynb")
    assert settle_executed_notebooks.stabilise(once, "x.ipynb") == once


def test_the_committed_course_is_stored_settled():
    for path in sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert settle_executed_notebooks.settle(text, path.name) == text, (
            f"{path.name} stores random widget ids or split streams: "
            f"run `make execute NB=course/{path.name}`"
        )


def test_the_ids_do_not_depend_on_the_order_of_the_saved_state():
    text, _ = executed_notebook_text()
    notebook = json.loads(text)
    state = notebook["metadata"]["widgets"][STATE]["state"]
    notebook["metadata"]["widgets"][STATE]["state"] = dict(reversed(list(state.items())))
    reordered = json.dumps(notebook)
    renamed = json.loads(settle_executed_notebooks.stabilise(reordered, "x.ipynb"))
    expected = json.loads(settle_executed_notebooks.stabilise(text, "x.ipynb"))
    assert set(renamed["metadata"]["widgets"][STATE]["state"]) == set(
        expected["metadata"]["widgets"][STATE]["state"]
    )
    assert renamed["cells"] == expected["cells"]


def test_text_printed_in_several_flushes_is_stored_as_one_stream_output():
    def stream(name, text):
        return {"output_type": "stream", "name": name, "text": text}

    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    stream("stdout", "epoch 1\n"),
                    stream("stdout", ["epoch 2", "\n"]),
                    stream("stderr", "careful\n"),
                    stream("stdout", "done\n"),
                ],
            }
        ]
    }
    outputs = settle_executed_notebooks.join_streams(notebook)["cells"][0]["outputs"]
    assert outputs == [
        stream("stdout", "epoch 1\nepoch 2\n"),
        stream("stderr", "careful\n"),
        stream("stdout", "done\n"),
    ]

"""Executing a notebook twice stores the same widget ids (tools/stable_widget_ids.py)."""

import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import stable_widget_ids

VIEW = stable_widget_ids.WIDGET_VIEW
STATE = stable_widget_ids.WIDGET_STATE


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
    assert stable_widget_ids.stabilise(first, "x.ipynb") == stable_widget_ids.stabilise(
        second, "x.ipynb"
    )


def test_references_between_widgets_are_renamed_with_the_widgets():
    text, (box, slider) = executed_notebook_text()
    notebook = json.loads(stable_widget_ids.stabilise(text, "x.ipynb"))
    state = notebook["metadata"]["widgets"][STATE]["state"]
    new_box, new_slider = list(state)
    assert box not in state and slider not in state
    assert state[new_box]["state"]["children"] == [f"IPY_MODEL_{new_slider}"]
    assert notebook["cells"][0]["outputs"][0]["data"][VIEW]["model_id"] == new_box


def test_stabilising_twice_changes_nothing():
    text, _ = executed_notebook_text()
    once = stable_widget_ids.stabilise(text, "x.ipynb")
    assert stable_widget_ids.stabilise(once, "x.ipynb") == once


def test_the_committed_course_stores_stable_widget_ids():
    for path in sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert stable_widget_ids.stabilise(text, path.name) == text, (
            f"{path.name} stores random widget ids: run `make execute NB=course/{path.name}`"
        )


def test_the_ids_do_not_depend_on_the_order_of_the_saved_state():
    text, _ = executed_notebook_text()
    notebook = json.loads(text)
    state = notebook["metadata"]["widgets"][STATE]["state"]
    notebook["metadata"]["widgets"][STATE]["state"] = dict(reversed(list(state.items())))
    reordered = json.dumps(notebook)
    renamed = json.loads(stable_widget_ids.stabilise(reordered, "x.ipynb"))
    expected = json.loads(stable_widget_ids.stabilise(text, "x.ipynb"))
    assert set(renamed["metadata"]["widgets"][STATE]["state"]) == set(
        expected["metadata"]["widgets"][STATE]["state"]
    )
    assert renamed["cells"] == expected["cells"]

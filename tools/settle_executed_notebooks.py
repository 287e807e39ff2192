"""Make an executed notebook's stored bytes the same on every run.

Two things vary between executions that say nothing about the course:
- ipywidgets names every widget model with a random uuid, so each run rewrote every
  stepper's id in its outputs and saved widget state. Each id is replaced by one derived
  from the notebook's name and the model's place in the notebook.
- printed text arrives in as many stream outputs as the kernel happened to flush; runs of
  stream outputs of the same name are joined into one.

    python tools/settle_executed_notebooks.py course/03_backward_step_by_step.ipynb ...
"""

import hashlib
import json
import re
import sys
from pathlib import Path

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # also inside "IPY_MODEL_<id>"


def stable_id(notebook_name, number):
    """The id of the ``number``-th widget model of a notebook: 32 hex digits, like a uuid's."""
    return hashlib.sha256(f"{notebook_name}:{number}".encode()).hexdigest()[:32]


def widget_model_ids(notebook):
    """Every widget model id a notebook stores, in an order that does not depend on the ids.

    Displayed widgets come in the order of the cells, each followed by the models it refers
    to (``IPY_MODEL_<id>``: children, layouts, styles), depth first; models nothing reaches
    come last, ordered by what they refer to. Dict order is no guide: nbformat sorts keys.
    """
    states = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    states = states.get("state", {})
    ids = []

    def visit(model_id):
        if model_id in ids:
            return
        ids.append(model_id)
        text = json.dumps(states.get(model_id, {}), sort_keys=True)
        for referenced in re.findall(r"IPY_MODEL_([0-9a-f]{32})", text):
            visit(referenced)

    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])

    def described_by_position(model_id):
        # A model nothing reaches (a link between two widgets) is known by what it refers to,
        # named by position, never by the random ids themselves.
        text = json.dumps(states[model_id], sort_keys=True)
        return MODEL_ID.sub(
            lambda m: str(ids.index(m.group(0))) if m.group(0) in ids else "?", text
        )

    unreached = [model_id for model_id in states if model_id not in ids]
    for model_id in sorted(unreached, key=described_by_position):
        visit(model_id)
    return ids


def stabilise(text, notebook_name):
    """The notebook's JSON text with every widget model id replaced by its stable id."""
    ids = widget_model_ids(json.loads(text))
    renamed = {old: stable_id(notebook_name, number) for number, old in enumerate(ids)}
    return MODEL_ID.sub(lambda match: renamed.get(match.group(0), match.group(0)), text)


def join_streams(notebook):
    """Join each run of stream outputs of one name (stdout, stderr) into one output."""
    for cell in notebook.get("cells", []):
        joined = []
        for output in cell.get("outputs", []):
            previous = joined[-1] if joined else None
            if (
                previous is not None
                and output.get("output_type") == "stream" == previous.get("output_type")
                and output.get("name") == previous.get("name")
            ):
                previous["text"] = _text(previous["text"]) + _text(output["text"])
            else:
                joined.append(output)
        if "outputs" in cell:
            cell["outputs"] = joined
    return notebook


def _text(text):
    return "".join(text) if isinstance(text, list) else text


def settle(text, notebook_name):
    """The notebook's text with stable widget ids and joined streams, as nbformat writes it."""
    import nbformat

    notebook = join_streams(nbformat.reads(stabilise(text, notebook_name), as_version=4))
    # Written back as nbformat writes (keys sorted), so the renamed models' order in the
    # file does not keep the order of the random ids they replaced.
    return nbformat.writes(notebook) + "\n"


def main(paths):
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        new = settle(text, path.name)
        if new != text:
            path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

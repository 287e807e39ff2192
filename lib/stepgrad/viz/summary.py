"""Drawing a graph too big to draw node by node: one box per group of similar nodes.

A scalar network builds thousands of Values per example. Drawn one by one,
Graphviz would take minutes and nobody could read the result. Here nodes are
grouped by layer and by operation: a node's layer is the number of activation
functions (tanh, relu, sigmoid, ...) on the way to it from the inputs, so a
multilayer perceptron reads as "layer 0: 32 x '*', 32 x '+', 16 x 'tanh';
layer 1: ...". A leaf belongs to the layer of the first node that uses it.

``draw_graph`` calls ``draw_summary`` when a graph has more than ``max_nodes``
nodes (unless told ``summarize=False``).
"""

import re

import graphviz

from stepgrad.viz import palette
from stepgrad.viz.drawing import (
    GraphTooLargeError,
    _escape,
    add_legend,
    new_drawing,
)
from stepgrad.viz.nodes import format_number, is_tensor

ACTIVATIONS = {"tanh", "relu", "sigmoid", "gelu", "softmax", "logsoftmax", "leakyrelu", "elu"}


def _operation_name(op):
    """'ReluBackward0' -> 'relu', 'tanh' -> 'tanh'."""
    name = re.sub(r"backward\d*$", "", str(op).lower())
    return re.sub(r"[^a-z]", "", name)


def layers(index, included):
    """Position -> layer number for the nodes at ``included``."""
    keep = set(included)
    layer = {}
    for i in included:
        node = index.order[i]
        if not node.inputs:
            continue
        after = [
            layer[p] + (_operation_name(parent.op) in ACTIVATIONS)
            for parent in node.inputs
            if (p := index.position(parent)) in keep and parent.inputs
        ]
        layer[i] = max(after, default=0)
    users = index.consumers()
    for i in included:
        if i not in layer:  # a leaf: the layer of its first user
            used_by = [layer[u] for u in users[i] if u in layer]
            layer[i] = min(used_by, default=0)
    return layer


def draw_summary(index, included, options, max_nodes):
    """A GraphDrawing with one node per (layer, kind, operation) group."""
    layer = layers(index, included)
    group_of = {}
    members = {}  # group key -> count, in the order groups are first met
    for i in included:
        node = index.order[i]
        kind = index.kind(node)
        if kind == "output":
            key = ("output",)
        elif kind == "op":
            key = (layer[i], kind, str(node.op))
        else:
            key = (layer[i], kind)
        group_of[i] = key
        members[key] = members.get(key, 0) + 1
    if len(members) > max_nodes:
        raise GraphTooLargeError(
            f"Even grouped by layer and operation, the graph ending in {index.root!r} "
            f"has {len(members)} groups, more than max_nodes={max_nodes}. Draw a part of "
            f"it with inputs=[...], or build the graph for a smaller example."
        )
    names = {key: f"g{number}" for number, key in enumerate(members)}

    edge_counts = {}
    keep = set(included)
    for i in included:
        for parent in index.order[i].inputs:
            p = index.position(parent)
            if p in keep:
                pair = (group_of[p], group_of[i])
                edge_counts[pair] = edge_counts.get(pair, 0) + 1

    summary = f"<graph summary: {len(included)} nodes in {len(members)} groups>"
    drawing = new_drawing(options, summary.strip("<>"))
    drawing.summary = summary
    for key, count in members.items():
        kind = "output" if key == ("output",) else key[1]
        drawing.node(
            names[key],
            graphviz.nohtml(
                "\\n".join(_escape(line) for line in _group_lines(key, count, index, options))
            ),
            **{**palette.NODE_KINDS[kind], "class": f"stepgrad-kind-{kind} stepgrad-group"},
        )
    for (source, target), count in edge_counts.items():
        if count > 1:
            drawing.edge(names[source], names[target], label=f"{count} edges")
        else:
            drawing.edge(names[source], names[target])
    if options.legend:
        add_legend(drawing, [k for k in palette.NODE_KINDS if any(_kind(g) == k for g in members)])
    return drawing


def _kind(key):
    return "output" if key == ("output",) else key[1]


def _group_lines(key, count, index, options):
    if key == ("output",):
        root = index.root
        lines = ["output"] + ([index.name(root)] if index.name(root) else [])
        if root.inputs:
            lines.append(str(root.op))
        if options.show_data and not is_tensor(root):
            lines.append(f"data {format_number(root.data, options.precision)}")
        return lines
    layer_number, kind = key[0], key[1]
    if kind == "op":
        what = f"{count} \u00d7 {key[2]}"
    else:
        what = f"{count} {palette.KIND_NAMES[kind]}{'s' if count != 1 else ''}"
    return [f"layer {layer_number}", what]

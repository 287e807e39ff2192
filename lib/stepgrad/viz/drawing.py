"""Drawing a computational graph with Graphviz.

``draw_graph(root)`` returns a ``graphviz.Digraph`` (a ``GraphDrawing``) with
one node per Value or Tensor and one edge per use of an input. Building it
needs only the Python package; turning it into SVG or PNG needs Graphviz's
``dot`` program, and only then is its absence an error.

    >>> from stepgrad import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x
    >>> y.backward()
    >>> drawing = draw_graph(y)
    >>> drawing.summary
    '<graph: 2 nodes, 2 edges>'
"""

import itertools
import json
import re
from dataclasses import dataclass, field

import graphviz

from stepgrad.viz import palette
from stepgrad.viz.nodes import (
    GraphIndex,
    as_array,
    format_array,
    format_number,
    is_tensor,
    require_node,
    shape_text,
)

DEFAULT_MAX_NODES = 200
RANKDIRS = ("LR", "TB", "RL", "BT")

INSTALL_GRAPHVIZ = (
    "Graphviz's 'dot' program was not found on the PATH. stepgrad builds the graph "
    "description without it, but needs 'dot' to turn it into a picture. Install "
    "Graphviz with one of:\n"
    "    conda install -c conda-forge graphviz      (conda or mamba environments)\n"
    "    sudo apt-get install graphviz              (Debian, Ubuntu)\n"
    "    brew install graphviz                      (macOS with Homebrew)\n"
    "then restart the kernel (or the Python process). Without it you can still "
    "read the graph as text: print(drawing.source)."
)


class DotNotFoundError(graphviz.ExecutableNotFound):
    """Rendering was asked for, but Graphviz's ``dot`` program is not installed."""

    def __init__(self):
        RuntimeError.__init__(self, INSTALL_GRAPHVIZ)


class GraphTooLargeError(ValueError):
    """The graph has more nodes than can be drawn readably (see ``max_nodes``)."""


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that notebooks show as SVG with a stable text form.

    In a notebook it displays as SVG (``image/svg+xml``) plus ``text/plain``
    holding the DOT source, which is byte-identical for the same graph on any
    machine and any Graphviz release; the SVG layout is not (see ``svg``).
    ``summary`` is a one-line description such as ``<graph: 7 nodes, 6 edges>``.
    """

    summary = "<graph>"
    # Set by ``pin_layout``: positions are given, so Graphviz only draws (neato -n2).
    pinned = False

    def __repr__(self):
        return self.summary

    def copy(self):
        duplicate = super().copy()
        duplicate.summary = self.summary
        duplicate.pinned = self.pinned
        return duplicate

    def pipe(self, *args, **kwargs):
        if self.pinned:
            kwargs.setdefault("neato_no_op", 2)
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as missing:
            raise DotNotFoundError() from missing

    def render(self, *args, **kwargs):
        if self.pinned:
            kwargs.setdefault("neato_no_op", 2)
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as missing:
            raise DotNotFoundError() from missing

    def svg(self):
        """The drawing as an SVG element, without Graphviz's version comments.

        Only the layout (coordinates and sizes) still differs between Graphviz
        releases; the text, the order of the elements and the CSS classes do not.
        """
        return clean_svg(self.pipe(format="svg", encoding="utf-8"))

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return {"image/svg+xml": self.svg(), "text/plain": self.source}


_SVG_PREAMBLE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->\s*", re.DOTALL)


def clean_svg(svg):
    """Keep only the ``<svg>`` element: no XML prolog, doctype or comments.

    The comments name the Graphviz release that drew the picture, which would
    make stored notebook outputs differ from machine to machine.
    """
    return _SVG_PREAMBLE.sub("", svg).strip() + "\n"


@dataclass(frozen=True)
class DrawingOptions:
    """The choices a teacher makes about how a graph looks."""

    show_data: bool = True
    show_grads: bool = True
    precision: int = 4
    rankdir: str = "LR"
    legend: bool = False

    def __post_init__(self):
        if self.rankdir not in RANKDIRS:
            raise ValueError(
                f"rankdir={self.rankdir!r} is not a Graphviz direction; use 'LR' "
                f"(left to right) or 'TB' (top to bottom), or 'RL', 'BT'."
            )
        if isinstance(self.precision, bool) or not isinstance(self.precision, int):
            raise TypeError(
                f"precision must be a whole number of decimals such as 4, got "
                f"{type(self.precision).__name__} {self.precision!r}."
            )
        if not 0 <= self.precision <= 12:
            raise ValueError(
                f"precision={self.precision} decimals is outside 0..12; 4 is a good "
                f"choice for drawings."
            )


@dataclass
class Scene:
    """What one picture of a walk through the graph adds to the plain drawing.

    ``states``: position -> 'done' / 'current' / 'waiting';
    ``grads``: position -> gradient to show instead of ``node.grad`` (None: none yet);
    ``edge_labels``: (position of the consumer, input slot) -> text on that edge;
    ``hidden``: positions drawn invisibly, so the layout stays put while a graph grows.
    """

    states: dict = field(default_factory=dict)
    grads: dict | None = None
    edge_labels: dict = field(default_factory=dict)
    hidden: frozenset = frozenset()
    highlight: frozenset = frozenset()
    layout: "Layout | None" = None


@dataclass(frozen=True)
class Layout:
    """Where Graphviz put every node, edge and edge label of one drawing.

    Several pictures of one graph (the frames of a stepper) drawn with the same
    layout keep every node in place, whatever their labels say at each step.
    """

    bounding_box: str
    nodes: dict  # node name -> {"pos", "width", "height"}
    edges: dict  # (tail name, head name) -> [{"pos", and "lp" if labelled}, ...] in DOT order

    @classmethod
    def of(cls, drawing):
        """Lay ``drawing`` out once with dot and keep the result."""
        laid_out = json.loads(drawing.pipe(format="json0", encoding="utf-8"))
        objects = laid_out.get("objects", [])
        nodes = {
            item["name"]: {key: item[key] for key in ("pos", "width", "height")}
            for item in objects
            if "pos" in item
        }
        edges = {}
        # Graphviz lists edges by tail, not in DOT order; edges between the same two
        # nodes keep their DOT order, so (tail, head, occurrence) finds each one.
        for item in laid_out.get("edges", []):
            key = (objects[item["tail"]]["name"], objects[item["head"]]["name"])
            edges.setdefault(key, []).append({k: item[k] for k in ("pos", "lp") if k in item})
        return cls(laid_out["bb"], nodes, edges)

    def edge(self, tail, head, occurrence):
        return dict(self.edges[(tail, head)][occurrence])


def draw_graph(
    root,
    *,
    params=None,
    show_data=True,
    show_grads=True,
    precision=4,
    rankdir="LR",
    highlight=(),
    inputs=None,
    legend=False,
    max_nodes=DEFAULT_MAX_NODES,
    summarize="auto",
):
    """Draw the computational graph that ends in ``root``; returns a ``graphviz.Digraph``.

    - ``params``: names for parameters, a dict or ``(name, node)`` pairs such as
      ``model.named_parameters()``, so they show as ``fc1.weight``.
    - ``show_data``, ``show_grads``, ``precision``: what each node's label shows.
    - ``rankdir``: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
    - ``highlight``: nodes drawn with a thick vermillion border.
    - ``inputs``: draw only what lies between these nodes and ``root``.
    - ``legend``: add a small key to the kinds of node.
    - ``max_nodes``, ``summarize``: past ``max_nodes`` nodes, ``"auto"`` draws
      one box per group of similar nodes (``True`` always does); ``False``
      raises ``GraphTooLargeError`` with advice on drawing less.

    >>> from stepgrad import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> draw_graph(a * b, rankdir="TB", legend=True).summary
    '<graph: 3 nodes, 2 edges>'
    """
    options = DrawingOptions(show_data, show_grads, precision, rankdir, legend)
    if summarize not in ("auto", True, False):
        raise ValueError(f"summarize must be 'auto', True or False, got {summarize!r}.")
    index = GraphIndex(root, params)
    included = nodes_between(index, inputs)
    scene = Scene(highlight=frozenset(_positions_of(index, highlight, "highlight")))
    if summarize is True or len(included) > max_nodes:
        if summarize is False:
            raise GraphTooLargeError(_too_large_message(root, len(included), max_nodes))
        from stepgrad.viz.summary import draw_summary  # summary.py builds on this module

        return draw_summary(index, included, options, max_nodes)
    return render_scene(index, included, options, scene)


def nodes_between(index, inputs):
    """Positions of the nodes on a path from any of ``inputs`` to the root (all if None)."""
    if inputs is None:
        return list(range(len(index)))
    chosen = set(_positions_of(index, inputs, "inputs"))
    if not chosen:
        raise ValueError("inputs=[] leaves nothing to draw; pass the nodes to start from.")
    reached = set()
    for i, node in enumerate(index.order):
        if i in chosen or any(index.position(parent) in reached for parent in node.inputs):
            reached.add(i)
    return sorted(reached)


def _positions_of(index, nodes, argument):
    positions = []
    for node in nodes:
        require_node(node, f"each entry of {argument}=")
        if node not in index:
            raise ValueError(
                f"{argument}= contains {node!r}, which the graph ending in {index.root!r} "
                f"does not depend on. Pass nodes that the output was computed from."
            )
        positions.append(index.position(node))
    return positions


def _too_large_message(root, count, max_nodes):
    return (
        f"The graph ending in {root!r} has {count} nodes, more than max_nodes={max_nodes}: "
        f"laid out by Graphviz it would take minutes and be unreadable. Draw less: "
        f"pass inputs=[...] to keep only what lies between some inputs and the output, "
        f"build the graph for one example or a smaller layer, or pass summarize=True "
        f"for one box per group of similar nodes. Raising max_nodes draws them all."
    )


def new_drawing(options, comment):
    drawing = GraphDrawing("stepgrad", comment=comment)
    drawing.attr(rankdir=options.rankdir, fontname=palette.FONT, bgcolor="white")
    drawing.attr("node", fontname=palette.FONT, fontsize="12")
    drawing.attr("edge", fontname=palette.FONT, fontsize="11", color="#444444")
    return drawing


def render_scene(index, included, options, scene):
    """The Digraph for the nodes at positions ``included``, styled by ``scene``."""
    keep = set(included)
    nodes = [index.order[i] for i in included]
    edges = [
        (index.position(parent), i, slot)
        for i, node in zip(included, nodes)
        for slot, parent in enumerate(node.inputs)
        if index.position(parent) in keep
    ]
    summary = f"<graph: {len(nodes)} nodes, {len(edges)} edges>"
    drawing = new_drawing(options, summary.strip("<>"))
    drawing.summary = summary

    for i, node in zip(included, nodes):
        kind = index.kind(node)
        attributes = dict(palette.NODE_KINDS[kind])
        classes = [f"stepgrad-kind-{kind}"]
        state = scene.states.get(i)
        if state is not None:
            attributes.update(palette.NODE_STATES[state])
            classes.append(f"stepgrad-{state}")
        if i in scene.highlight:
            attributes.update(palette.HIGHLIGHT)
            classes.append("stepgrad-highlight")
        if i in scene.hidden:
            attributes["style"] = "invis"
            classes.append("stepgrad-hidden")
        grad = node.grad if scene.grads is None else scene.grads.get(i)
        attributes["class"] = " ".join(classes)
        if scene.layout is not None:
            attributes.update(scene.layout.nodes[f"n{i}"])
        drawing.node(f"n{i}", node_label(index, node, options, grad), **attributes)

    seen = {}
    for parent, child, slot in edges:
        attributes = {}
        if scene.layout is not None:
            occurrence = seen.get((parent, child), 0)
            seen[(parent, child)] = occurrence + 1
            attributes = scene.layout.edge(f"n{parent}", f"n{child}", occurrence)
        classes = []
        state = scene.states.get(child)
        if state is not None:
            attributes.update(palette.EDGE_STATES[state])
            classes.append(f"stepgrad-edge-{state}")
        label = scene.edge_labels.get((child, slot))
        if label is not None:
            attributes["label"] = graphviz.nohtml(_escape(label))
            attributes["fontcolor"] = "#000000"
        if child in scene.hidden or parent in scene.hidden:
            attributes["style"] = "invis"
        if classes:
            attributes["class"] = " ".join(classes)
        drawing.edge(f"n{parent}", f"n{child}", **attributes)

    if scene.layout is not None:
        drawing.engine = "neato"
        drawing.pinned = True
        drawing.attr(bb=scene.layout.bounding_box)
    elif options.legend:
        kinds = {index.kind(node) for node in nodes}
        present = [k for k in palette.NODE_KINDS if k in kinds]
        add_legend(drawing, present, set(scene.states.values()))
    return drawing


def node_label(index, node, options, grad):
    """The lines of text inside a node: name, operation, data, gradient."""
    precision = options.precision
    lines = []
    name = index.name(node)
    if name:
        lines.append(name)
    if node.inputs:
        lines.append(str(node.op))
    if is_tensor(node):
        lines.append(f"{shape_text(node.data.shape)} {node.data.dtype}")
        if not node.inputs and getattr(node, "requires_grad", False) is True:
            lines.append("requires_grad")
        if options.show_data:
            values = format_array(node.data, precision)
            if values is not None:
                lines.extend(values.split("\n"))
        # A tensor that needs no gradient never gets one: say nothing rather than "none".
        if options.show_grads and grad is not None:
            array = as_array(grad)
            values = format_array(array, precision)
            lines.extend(("grad " + (values or shape_text(array.shape))).split("\n"))
    else:
        if options.show_data:
            lines.append(f"data {format_number(node.data, precision)}")
        if options.show_grads:
            lines.append("grad " + ("\u2014" if grad is None else format_number(grad, precision)))
    return graphviz.nohtml("\\n".join(_escape(line) for line in lines))


def _escape(text):
    # A backslash would start a Graphviz escape sequence such as \n.
    return str(text).replace("\\", "\\\\")


LEGEND_STATES = {
    "done": "done",
    "current": "current step",
    "waiting": "waiting",
}

# While stepping, the fill shows the state, so the key shows the kinds by shape alone.
_SHAPE_ONLY = {"style": "filled", "fillcolor": "#FFFFFF", "color": "#000000"}


def add_legend(drawing, kinds, states=()):
    """A small key: one sample node per kind of node and per step state."""
    shapes_only = bool(states)
    names = []
    with drawing.subgraph(name="cluster_legend") as key:
        key.attr(label="legend", fontsize="10", style="rounded", color="#8C8C8C")
        key.attr("node", fontsize="10", height="0.3", margin="0.08,0.03")
        for kind in kinds:
            attributes = dict(palette.NODE_KINDS[kind])
            if shapes_only:
                attributes.update(_SHAPE_ONLY)
            names.append(f"legend_{kind}")
            key.node(
                names[-1],
                palette.KIND_NAMES[kind],
                **attributes,
                _attributes={"class": "stepgrad-legend"},
            )
        for state in ("done", "current", "waiting"):
            if state in states:
                names.append(f"legend_{state}")
                attributes = {"shape": "box", **palette.NODE_STATES[state]}
                key.node(
                    names[-1],
                    LEGEND_STATES[state],
                    **attributes,
                    _attributes={"class": "stepgrad-legend"},
                )
        # Invisible edges keep the key in one short row (or column with rankdir=TB).
        for first, second in itertools.pairwise(names):
            key.edge(first, second, style="invis")


def legend_drawing(kinds=tuple(palette.NODE_KINDS), states=(), rankdir="LR"):
    """The key on its own, for pictures that show several drawings of one graph."""
    drawing = new_drawing(DrawingOptions(rankdir=rankdir), "legend")
    drawing.summary = "<legend>"
    drawing.attr(ranksep="0.15", nodesep="0.1", margin="0")
    add_legend(drawing, kinds, states)
    return drawing

"""Stepping through a backward (or forward) pass on the drawn graph.

Each step of a trace becomes a ``Frame``: the graph with done / current /
waiting nodes, the edges being traversed labelled ``upstream x local =
contribution``, and one sentence saying what happened. A ``Stepper`` widget
shows one frame at a time in JupyterLab; where no kernel runs (nbconvert HTML,
GitHub) the same object shows every frame as a static strip.

    >>> from stepgrad import Value
    >>> x = Value(3.0, label="x")
    >>> frames = backward_frames(x * x)
    >>> print(frames[0].explanation)  # doctest: +NORMALIZE_WHITESPACE
    Step 1 of 1: backward starts at the output, the * node, with gradient 1.0000
    (the output's derivative with respect to itself), and passes it on times each
    local derivative: x gets 1.0000 \u00d7 3.0000 = 3.0000, x gets 1.0000 \u00d7 3.0000 =
    3.0000. x is used 2 times here, so the parts add up to 6.0000.
"""

import html
from dataclasses import replace

import ipywidgets as widgets

from stepgrad.viz import palette
from stepgrad.viz.drawing import (
    DrawingOptions,
    GraphTooLargeError,
    Layout,
    Scene,
    legend_drawing,
    render_scene,
)
from stepgrad.viz.nodes import (
    GraphIndex,
    format_grad_inline,
    format_number,
    is_tensor,
    shape_text,
)
from stepgrad.viz.trace import trace_backward, trace_forward

DEFAULT_MAX_STEPPER_NODES = 60


class _SharedLayout:
    """One dot layout for all frames of a walk, made the first time a frame is drawn.

    Laid out once from a picture with every label in place (all gradients, all
    edge labels), then every frame is drawn at those positions: nodes stay put
    from step to step, whatever their labels say.
    """

    def __init__(self, index, options, reference_scene):
        self._arguments = (index, options, reference_scene)
        self._layout = None

    def get(self):
        if self._layout is None:
            index, options, scene = self._arguments
            self._layout = Layout.of(render_scene(index, range(len(index)), options, scene))
        return self._layout


class Frame:
    """One picture of a walk: the graph in some state, and one sentence about it.

    ``drawing`` is the plain Digraph (DOT, no layout needed); ``svg()`` draws it
    at the positions shared by all frames of the walk (this needs ``dot``).
    """

    def __init__(self, index, options, scene, explanation, layout, current=None):
        self.scene = scene
        self.explanation = explanation
        self.current = current  # position of the current node, if any
        self.drawing = render_scene(index, range(len(index)), options, scene)
        self._arguments = (index, options)
        self._layout = layout
        self._svg = None

    def __repr__(self):
        return f"<frame: {self.explanation[:60]}...>"

    def svg(self):
        if self._svg is None:
            index, options = self._arguments
            scene = replace(self.scene, layout=self._layout.get())
            self._svg = render_scene(index, range(len(index)), options, scene).svg()
        return self._svg


def backward_frames(root, *, params=None, precision=4, rankdir="LR", max_nodes=None):
    """One frame per step of ``trace_backward(root)``, then one showing the result."""
    index = _stepping_index(root, params, max_nodes)
    options = DrawingOptions(show_grads=True, precision=precision, rankdir=rankdir)
    steps = trace_backward(root)
    everything = list(range(len(index)))
    if not steps:
        scene = Scene()
        text = "The output is a leaf: there is nothing to step through."
        return [Frame(index, options, scene, text, _SharedLayout(index, options, scene))]

    users = index.consumers()
    pictures = []  # (scene, explanation, current position)
    previous_grads = dict.fromkeys(everything)
    processed = set()
    for step in steps:
        processed.add(step.position)
        scene = Scene(
            states=_backward_states(index, processed, step.position, users),
            grads=step.grads,
            edge_labels={
                (step.position, c.slot): _chain_rule_label(step, c, precision)
                for c in step.contributions
                if c.contribution is not None
            },
        )
        text = _explain_backward(index, step, len(steps), previous_grads, precision)
        pictures.append((scene, text, step.position))
        previous_grads = step.grads

    final = steps[-1].grads
    text = _explain_result(index, final, precision)
    pictures.append((Scene(states=dict.fromkeys(everything, "done"), grads=final), text, None))

    # Every edge is labelled in exactly one step; the layout leaves room for all labels.
    all_labels = {
        key: label for scene, _, _ in pictures for key, label in scene.edge_labels.items()
    }
    reference = Scene(states=dict.fromkeys(everything, "done"), grads=final, edge_labels=all_labels)
    layout = _SharedLayout(index, options, reference)
    return [
        Frame(index, options, scene, text, layout, current) for scene, text, current in pictures
    ]


def forward_frames(root, *, params=None, precision=4, rankdir="LR", max_nodes=None):
    """The graph growing op by op: one frame for the inputs, then one per operation."""
    index = _stepping_index(root, params, max_nodes)
    options = DrawingOptions(show_grads=False, precision=precision, rankdir=rankdir)
    steps = trace_forward(root)
    count = len(index)
    layout = _SharedLayout(index, options, Scene(states=dict.fromkeys(range(count), "done")))
    # The inputs are there from the start (in the topological order they may come
    # after an operation that does not use them); operations not computed yet are
    # drawn invisibly.
    leaves = [i for i, node in enumerate(index.order) if not node.inputs]
    operations = frozenset(range(count)).difference(leaves)
    start = Scene(states=dict.fromkeys(leaves, "done"), hidden=operations)
    inputs = ", ".join(_named_value(index, index.order[i], precision) for i in leaves)
    text = f"Before any operation runs, the graph holds only its inputs: {inputs}."
    frames = [Frame(index, options, start, text, layout)]
    for step in steps:
        states = dict.fromkeys(leaves, "done")
        states.update(dict.fromkeys(range(step.position), "done"))
        states[step.position] = "current"
        hidden = operations.difference(range(step.position + 1))
        scene = Scene(states=states, hidden=hidden)
        text = _explain_forward(index, step, len(steps), precision)
        frames.append(Frame(index, options, scene, text, layout, step.position))
    return frames


def _stepping_index(root, params, max_nodes):
    index = GraphIndex(root, params)
    limit = DEFAULT_MAX_STEPPER_NODES if max_nodes is None else max_nodes
    if len(index) > limit:
        raise GraphTooLargeError(
            f"The graph ending in {root!r} has {len(index)} nodes, more than max_nodes="
            f"{limit}: too many steps to follow by eye, and each step is a new drawing. "
            f"Step through a smaller expression (one neuron, one example), or pass "
            f"max_nodes={len(index)} if you really want all of them."
        )
    return index


def _backward_states(index, processed, current, users):
    states = {}
    for i, node in enumerate(index.order):
        if i == current:
            states[i] = "current"
        elif node.inputs:
            states[i] = "done" if i in processed else "waiting"
        else:
            # A leaf is done once every node that uses it has sent its share.
            done = all(u in processed for u in users[i])
            states[i] = "done" if done and users[i] else "waiting"
    return states


def _chain_rule_label(step, contribution, precision):
    if contribution.local_grad is not None:
        return (
            f"{format_number(step.upstream, precision)} \u00d7 "
            f"{format_number(contribution.local_grad, precision)} = "
            f"{format_number(contribution.contribution, precision)}"
        )
    shape = shape_text(getattr(contribution.contribution, "shape", ()))
    if contribution.summed_axes:
        axes = ", ".join(str(a) for a in contribution.summed_axes)
        return f"grad {shape_text(step.node.data.shape)} \u2192 sum over axis {axes} \u2192 {shape}"
    return f"grad {shape}"


def _explain_backward(index, step, total, previous_grads, precision):
    node = step.node
    name = index.describe(node, precision)
    upstream = format_grad_inline(step.upstream, precision)
    if step.number == 1:
        text = (
            f"Step 1 of {total}: backward starts at the output, {name}, with gradient "
            f"{upstream} (the output's derivative with respect to itself)"
        )
    else:
        text = f"Step {step.number} of {total}: {name} has its whole gradient, {upstream}"
    contributions = [c for c in step.contributions if c.contribution is not None]
    if not contributions:
        return text + "; none of its inputs needs a gradient."
    if all(c.local_grad is not None for c in contributions):
        sends = ", ".join(
            f"{index.describe(c.input, precision)} gets "
            f"{upstream} \u00d7 {format_number(c.local_grad, precision)} = "
            f"{format_number(c.contribution, precision)}"
            for c in contributions
        )
        text += f", and passes it on times each local derivative: {sends}."
    else:
        text += ". " + _explain_tensor_sends(index, node, contributions, precision)
    return text + _accumulation_note(index, step, contributions, previous_grads, precision)


def _explain_result(index, final, precision):
    leaves = [i for i, node in enumerate(index.order) if not node.inputs]
    reached = [i for i in leaves if final[i] is not None]
    held = ", ".join(
        f"{index.describe(index.order[i], precision)}: {format_grad_inline(final[i], precision)}"
        for i in reached[:6]
    )
    text = f"Done: the walk is over, and the inputs hold their gradients: {held}"
    if len(reached) > 6:
        text += f" and {len(reached) - 6} more"
    needless = len(leaves) - len(reached)
    if needless:
        text += f" ({needless} input{'s' if needless > 1 else ''} needed no gradient)"
    return text + "."


def _explain_tensor_sends(index, node, contributions, precision):
    parts = []
    for c in contributions:
        target = index.describe(c.input, precision)
        shape = shape_text(getattr(c.contribution, "shape", ()))
        if c.summed_axes:
            axes = ", ".join(str(a) for a in c.summed_axes)
            parts.append(
                f"{target} was broadcast to {shape_text(node.data.shape)} in the forward "
                f"pass, so its gradient is summed over axis {axes} back to its shape {shape}"
            )
        else:
            parts.append(f"{target} gets a gradient of shape {shape}")
    return f"Its backward ({node.op}) passes it on: " + "; ".join(parts) + "."


def _accumulation_note(index, step, contributions, previous_grads, precision):
    notes = []
    seen = set()
    for c in contributions:
        target = c.input_position
        if target in seen:
            continue
        seen.add(target)
        uses = sum(1 for other in contributions if other.input_position == target)
        name = index.describe(c.input, precision)
        now = format_grad_inline(step.grads[target], precision)
        if uses > 1:
            notes.append(f" {name} is used {uses} times here, so the parts add up to {now}.")
        elif previous_grads.get(target) is not None:
            before = format_grad_inline(previous_grads[target], precision)
            notes.append(f" {name} already held {before} from another use, so it now holds {now}.")
    return "".join(notes)


def _named_value(index, node, precision):
    name = index.name(node)
    if is_tensor(node):
        shape = shape_text(node.data.shape)
        return f"{name} {shape}" if name else f"a tensor of shape {shape}"
    value = format_number(node.data, precision)
    return f"{name} = {value}" if name else value


def _explain_forward(index, step, total, precision):
    op = step.op.removesuffix("Backward")
    inputs = " and ".join(_named_value(index, p, precision) for p in step.node.inputs)
    result = _named_value(index, step.node, precision)
    return f"Step {step.number} of {total}: {op} takes {inputs}, and gives {result}."


# ---------------------------------------------------------------------------
# Showing frames: interactively (a widget) or all at once (a static strip)
# ---------------------------------------------------------------------------


def _inline(svg):
    # Scale down to the width of the page instead of overflowing it.
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def _legend_html(legend):
    return f'<div class="stepgrad-legend">{_inline(legend.svg())}</div>\n' if legend else ""


def strip_html(frames, legend=None):
    """Every frame, each graph above its explanation, as one HTML block."""
    figures = []
    for number, frame in enumerate(frames, start=1):
        figures.append(
            f'<figure class="stepgrad-strip-step" data-step="{number}" '
            f'style="margin:0 0 16px 0;padding:8px;border:1px solid #BBBBBB;">\n'
            f'<div class="stepgrad-strip-graph">{_inline(frame.svg())}</div>\n'
            f'<figcaption class="stepgrad-explanation-text">{html.escape(frame.explanation)}'
            f"</figcaption>\n</figure>"
        )
    return (
        '<div class="stepgrad-strip">\n' + _legend_html(legend) + "\n".join(figures) + "\n</div>\n"
    )


class StepStrip:
    """All frames at once; what to show where no kernel runs the widget."""

    def __init__(self, frames, title, legend=None):
        self.frames = frames
        self.title = title
        self.legend = legend

    def __repr__(self):
        return f"<{self.title}: {len(self.frames)} frames>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return {"text/html": strip_html(self.frames, self.legend), "text/plain": repr(self)}


class Stepper(widgets.VBox):
    """Play, Previous, Next and a slider over frames; one SVG redrawn per step.

    Shown in JupyterLab it is interactive. Its display data also carries a
    static strip of every frame (``text/html``) for viewers without a kernel,
    and a fixed ``text/plain``.
    """

    def __init__(self, frames, title, legend=None):
        self.frames = frames
        self.title = title
        self.legend = legend
        count = len(frames)
        self.play = widgets.Play(
            value=1, min=1, max=count, step=1, interval=1800, description="Play", show_repeat=False
        )
        self.slider = widgets.IntSlider(
            value=1, min=1, max=count, step=1, description="Step", continuous_update=True
        )
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.previous_button = widgets.Button(
            description="Previous", icon="step-backward", tooltip="Go back one step"
        )
        self.next_button = widgets.Button(
            description="Next", icon="step-forward", tooltip="Go forward one step"
        )
        self.previous_button.add_class("stepgrad-previous")
        self.next_button.add_class("stepgrad-next")
        self.graph = widgets.HTML()
        self.graph.add_class("stepgrad-stepper-graph")
        self.explanation = widgets.HTML()
        self.explanation.add_class("stepgrad-stepper-explanation")
        self.previous_button.on_click(lambda _: self.go_to(self.slider.value - 1))
        self.next_button.on_click(lambda _: self.go_to(self.slider.value + 1))
        self.slider.observe(self._show_selected, names="value")
        controls = widgets.HBox([self.play, self.previous_button, self.next_button, self.slider])
        key = widgets.HTML(_legend_html(legend))
        key.add_class("stepgrad-legend")
        super().__init__([controls, key, self.graph, self.explanation])
        self.add_class("stepgrad-stepper")
        self._show(1)

    @property
    def step(self):
        """The number of the frame shown, from 1."""
        return self.slider.value

    def go_to(self, number):
        self.slider.value = min(max(number, 1), len(self.frames))

    def _show_selected(self, change):
        self._show(change["new"])

    def _show(self, number):
        frame = self.frames[number - 1]
        self.graph.value = _inline(frame.svg())
        self.explanation.value = (
            f'<p class="stepgrad-explanation-text">{html.escape(frame.explanation)}</p>'
        )
        self.previous_button.disabled = number <= 1
        self.next_button.disabled = number >= len(self.frames)

    def __repr__(self):
        return f"<{self.title}: {len(self.frames)} frames>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = strip_html(self.frames, self.legend)
        return bundle


def backward_stepper(root, *, params=None, static=False, precision=4, rankdir="LR", max_nodes=None):
    """Step through ``root``'s backward pass: a widget, or with ``static=True`` a strip.

    It runs the real backward (through ``trace_backward``), so gradients add into
    ``.grad`` as ``root.backward()`` would; the frames show only this pass.

    >>> from stepgrad import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> backward_stepper(a * b + a)
    <backward pass: 3 frames>
    """
    frames = backward_frames(
        root, params=params, precision=precision, rankdir=rankdir, max_nodes=max_nodes
    )
    legend = _legend(root, params, ("done", "current", "waiting"))
    return (StepStrip if static else Stepper)(frames, "backward pass", legend)


def forward_stepper(root, *, params=None, static=False, precision=4, rankdir="LR", max_nodes=None):
    """Watch the graph of ``root`` grow op by op: a widget, or with ``static=True`` a strip."""
    frames = forward_frames(
        root, params=params, precision=precision, rankdir=rankdir, max_nodes=max_nodes
    )
    legend = _legend(root, params, ("done", "current"))
    return (StepStrip if static else Stepper)(frames, "forward pass", legend)


def _legend(root, params, states):
    index = GraphIndex(root, params)
    present = {index.kind(node) for node in index.order}
    return legend_drawing([k for k in palette.NODE_KINDS if k in present], states)

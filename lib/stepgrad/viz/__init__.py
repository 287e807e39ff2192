"""See autograd work: graph drawings, passes you can step through, training plots.

Drawing (Graphviz; needs the ``dot`` program only when a picture is made):

    draw_graph(root, params=None, show_data=True, show_grads=True, precision=4,
               rankdir="LR", highlight=(), inputs=None, legend=False,
               max_nodes=200, summarize="auto")          -> GraphDrawing (a graphviz.Digraph)

Tracing (the engine's own backward walk with an observer; plain records):

    trace_backward(root) -> [BackwardStep, ...]   one per non-leaf node
    trace_forward(root)  -> [ForwardStep, ...]    one per operation, in evaluation order

Stepping (ipywidgets in JupyterLab; a static strip of every step elsewhere):

    backward_stepper(root, params=None, static=False, precision=4, rankdir="LR")
    forward_stepper(root, params=None, static=False, precision=4, rankdir="LR")

Training plots (matplotlib):

    LiveLossPlot(every=10)                          with ... as plot: plot.add(loss)
    plot_decision_boundary(predict, X, y)           -> FigureImage
    GradientNormRecorder(model.named_parameters())  recorder.record() after backward()
    plot_gradient_flow(recorder)                    -> FigureImage

What a notebook stores (so nbval can compare it on any machine):
- a ``GraphDrawing`` shows as ``image/svg+xml`` (Graphviz's version comments
  removed; only the layout differs between Graphviz releases) and
  ``text/plain`` holding the DOT source, which is byte-identical everywhere;
- a stepper shows as the widget, plus ``text/html`` (the static strip of every
  step, each SVG inline) and a fixed ``text/plain`` such as
  ``<backward pass: 4 frames>``;
- plots show as ``image/png`` with a fixed ``text/plain`` such as
  ``<decision boundary: 5 points>``; the live loss plot also as ``text/html``
  (``<div class="stepgrad-loss-plot"><img src="data:image/png;base64,...">``)
  and ``text/plain`` ``<live loss plot>``, updated through one display handle.

Hooks for browser tests and styling (stable CSS classes):
- every drawn node is an SVG ``<g class="node ...">`` with ``stepgrad-kind-input``,
  ``-parameter``, ``-op`` or ``-output``; its ``<title>`` is ``n<position>``
  (its place in the topological order) and its ``<text>`` elements are its label;
- while stepping, nodes also carry ``stepgrad-done``, ``stepgrad-current`` (the
  highlighted node: ``g.node.stepgrad-current``) or ``stepgrad-waiting``,
  and edges ``stepgrad-edge-done`` / ``-current`` / ``-waiting``; the edges of the
  current step are labelled ``upstream x local = contribution``;
  ``draw_graph(highlight=...)`` nodes carry ``stepgrad-highlight``;
- the stepper widget: container ``stepgrad-stepper``; buttons
  ``button.stepgrad-previous`` / ``button.stepgrad-next`` (descriptions
  "Previous" / "Next"); the graph ``stepgrad-stepper-graph`` (inline SVG); the
  key ``stepgrad-legend``; the sentence ``stepgrad-stepper-explanation``, whose
  text is in ``p.stepgrad-explanation-text``;
- the live loss plot: ``div.stepgrad-loss-plot img``;
- the static strip: ``div.stepgrad-strip`` holding one
  ``figure.stepgrad-strip-step`` (``data-step="1"``, ...) per step, each with
  ``div.stepgrad-strip-graph`` (inline SVG) and
  ``figcaption.stepgrad-explanation-text``.

Colours come from the Okabe-Ito palette and every distinction they make is
repeated by a shape, border or line style (see ``stepgrad.viz.palette``).
"""

from stepgrad.viz.drawing import (
    DotNotFoundError,
    GraphDrawing,
    GraphTooLargeError,
    draw_graph,
)
from stepgrad.viz.plots import (
    FigureImage,
    GradientNormRecorder,
    LiveLossPlot,
    plot_decision_boundary,
    plot_gradient_flow,
    use_course_style,
)
from stepgrad.viz.stepper import Stepper, StepStrip, backward_stepper, forward_stepper
from stepgrad.viz.trace import (
    BackwardStep,
    Contribution,
    ForwardStep,
    trace_backward,
    trace_forward,
)

__all__ = [
    "BackwardStep",
    "Contribution",
    "DotNotFoundError",
    "FigureImage",
    "ForwardStep",
    "GradientNormRecorder",
    "GraphDrawing",
    "GraphTooLargeError",
    "LiveLossPlot",
    "StepStrip",
    "Stepper",
    "backward_stepper",
    "draw_graph",
    "forward_stepper",
    "plot_decision_boundary",
    "plot_gradient_flow",
    "trace_backward",
    "trace_forward",
    "use_course_style",
]

"""Training plots with matplotlib: a live loss curve, a decision boundary, gradient flow.

Every figure has a title and labelled axes, fits a notebook column, and uses
colours from the Okabe-Ito palette together with a second cue (marker shape,
line style). Figures are closed as soon as they are drawn, so a training loop
that plots never piles up open figures.

    >>> plot = LiveLossPlot(every=10)
    >>> for epoch in range(30):
    ...     plot.add(1.0 / (epoch + 1))
    >>> plot.close()
    >>> plot.losses[-1]
    0.03333333333333333
"""

import base64
import io
import numbers
from contextlib import contextmanager
from html import escape

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stepgrad.viz import palette
from stepgrad.viz.nodes import as_array, parameter_names, require_node

COLUMN_SIZE = (6.4, 3.6)  # inches: about 640 x 360 pixels, the width of a notebook column
READABLE = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def use_course_style():
    """Style every later matplotlib figure as the course's own plots are styled.

    Text sizes readable in a notebook column, a light grid, and a colour cycle
    from the colour-blind-safe palette (pair colours with ``PLOT_DASHES`` or
    markers, so that lines stay apart in grey too). Call it once, in a
    notebook's first cell:

    >>> from stepgrad.viz import use_course_style
    >>> use_course_style()
    """
    from cycler import cycler

    matplotlib.rcParams.update(READABLE)
    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=palette.PLOT_COLOURS)


@contextmanager
def _readable_style():
    with matplotlib.rc_context(READABLE):
        yield


def _new_figure(figsize=COLUMN_SIZE):
    """A figure outside pyplot: nothing to close, nothing shown twice by the inline backend."""
    figure = Figure(figsize=figsize, dpi=100)
    # Fixed margins: an automatic layout would cost more than drawing the plot itself.
    figure.subplots_adjust(left=0.13, right=0.97, bottom=0.15, top=0.9)
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure):
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class FigureImage:
    """A finished figure as a PNG picture that any notebook viewer shows.

    Returned by the plotting functions below: it displays as ``image/png`` with
    a fixed ``text/plain`` (so nbval, which skips PNG, compares only that text),
    and ``.figure`` is the matplotlib Figure for anyone who wants to change it.
    """

    def __init__(self, figure, description):
        self.figure = figure
        self.description = description

    def __repr__(self):
        return f"<{self.description}>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        png = base64.b64encode(figure_png(self.figure)).decode("ascii")
        return {"image/png": png, "text/plain": repr(self)}


def as_float(loss):
    """A loss as a Python float, from a number, a Value, a one-element Tensor or array."""
    if isinstance(loss, numbers.Real):
        return float(loss)
    if not isinstance(loss, np.ndarray):  # float(array) is deprecated in numpy
        try:
            return float(loss)
        except TypeError:
            pass
    array = as_array(loss)
    if array.size != 1:
        raise ValueError(
            f"a loss must be one number, got an array of shape {array.shape}. Reduce it "
            f"first, for example with .mean()."
        )
    return float(array.reshape(-1)[0])


class LiveLossPlot:
    """A loss curve that redraws in place while a training loop runs.

    In a notebook the figure is shown once, through a display handle, and
    redrawn in place every ``every`` steps and when the loop ends; the saved
    notebook keeps one picture, the final one. (No ``clear_output``: nbval
    cannot check it.) Outside a notebook it only records the losses.

        with LiveLossPlot(every=10) as plot:
            for epoch in range(100):
                ...
                plot.add(loss)

    The ``text/plain`` form stays ``<live loss plot>`` from the first picture to
    the last, and the ``text/html`` form differs only in the PNG's base64 data:
    nbval ignores display updates and compares the first picture of a run with
    the last one stored.
    """

    def __init__(self, every=10, *, title="Training loss", xlabel="epoch", ylabel="loss"):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"every must be a whole number of steps, at least 1, got {every!r}: "
                f"the plot is redrawn once every `every` calls to add()."
            )
        self.every = every
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.steps = []
        self.losses = []
        self._png = None
        self._handle = None
        self._closed = False
        self._figure = None  # made at the first redraw, then only its data changes

    def add(self, loss, step=None):
        """Record one loss (a number, Value or one-element Tensor); redraw every ``every``."""
        if self._closed:
            raise RuntimeError(
                "this LiveLossPlot is closed; create a new one for another training run."
            )
        self.steps.append(len(self.steps) if step is None else step)
        self.losses.append(as_float(loss))
        if len(self.losses) == 1 or len(self.losses) % self.every == 0:
            self._redraw()

    def close(self):
        """Draw the final curve (the picture the saved notebook keeps)."""
        if not self._closed:
            self._redraw()
            self._closed = True
            self._figure = None  # the PNG is kept; the figure is no longer needed

    def __enter__(self):
        self._show()
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def figure(self):
        """The curve as it is now, as a matplotlib Figure."""
        if self._figure is None:
            with _readable_style():
                self._figure = _new_figure()
                axes = self._figure.add_subplot()
                axes.plot([], [], color=palette.OKABE_ITO["blue"], linewidth=2)
                axes.plot(
                    [], [], marker="o", color=palette.OKABE_ITO["vermillion"], linestyle="none"
                )
                axes.set_title(self.title)
                axes.set_xlabel(self.xlabel)
                axes.set_ylabel(self.ylabel)
        axes = self._figure.axes[0]
        curve, last = axes.lines
        curve.set_data(self.steps, self.losses)
        if self.losses:
            last.set_data(self.steps[-1:], self.losses[-1:])
            last.set_label(f"last: {self.losses[-1]:.4g}")
            axes.legend(loc="upper right")
        axes.relim()
        axes.autoscale_view()
        return self._figure

    def __repr__(self):
        return "<live loss plot>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if self._png is None:
            self._png = figure_png(self.figure())
        png = base64.b64encode(self._png).decode("ascii")
        # The HTML form gives the picture a class a page (or a browser test) can find.
        html = (
            f'<div class="stepgrad-loss-plot"><img alt="{escape(self.title)}" '
            f'src="data:image/png;base64,{png}"/></div>'
        )
        return {"text/html": html, "image/png": png, "text/plain": repr(self)}

    def _redraw(self):
        self._png = figure_png(self.figure())
        if self._handle is None:
            self._show()
        elif self._handle is not False:
            self._handle.update(self)

    def _show(self):
        if self._handle is not None:
            return
        self._handle = _display_handle(self) or False


def _display_handle(obj):
    """Display ``obj`` in the running notebook and return its handle; None elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None  # a script or a terminal: nothing can update a picture in place
    return display(obj, display_id=True)


def plot_decision_boundary(
    predict, X, y, *, threshold=0.5, resolution=150, title="Decision boundary", padding=0.5
):
    """The regions a 2-D binary classifier assigns to each class, with the data points.

    ``predict`` takes an (N, 2) float array of points and returns N scores
    (probabilities, or anything compared with ``threshold``), as a numpy array,
    a Tensor or a list, for example ``lambda p: model(stepgrad.tensor(p))``.

    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> plot_decision_boundary(lambda p: p.sum(axis=1) / 2, X, y)
    <decision boundary: 2 points>
    """
    X = np.asarray(as_array(X), dtype=float)
    y = np.asarray(as_array(y)).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary draws 2-D data: X must have shape (N, 2), got "
            f"{X.shape}. Pick two features, or plot a projection."
        )
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels; give one label each.")
    labels = set(np.unique(y).tolist())
    if not labels <= {0, 1}:
        raise ValueError(f"y must hold the classes 0 and 1, got the labels {sorted(labels)}.")

    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = np.asarray(as_array(predict(points)), dtype=float).reshape(-1)
    if scores.size != len(points):
        raise ValueError(
            f"predict returned {scores.size} scores for {len(points)} points; it must "
            f"return one score per row of its (N, 2) input."
        )
    scores = scores.reshape(grid_x.shape)

    with _readable_style():
        figure = _new_figure(figsize=(5.6, 4.4))
        axes = figure.add_subplot()
        # Light versions of the two class colours, so the points stay visible on top.
        regions = matplotlib.colors.ListedColormap(
            [palette.tint(style["color"], 0.25) for style in palette.CLASS_STYLES]
        )
        axes.contourf(
            grid_x,
            grid_y,
            (scores >= threshold).astype(float),
            levels=[-0.5, 0.5, 1.5],
            cmap=regions,
        )
        axes.contour(grid_x, grid_y, scores, levels=[threshold], colors="black", linewidths=1.5)
        for label, style in enumerate(palette.CLASS_STYLES):
            chosen = y == label
            axes.scatter(
                X[chosen, 0],
                X[chosen, 1],
                s=60,
                edgecolors="black",
                linewidths=0.8,
                color=style["color"],
                marker=style["marker"],
                label=style["label"],
                zorder=3,
            )
        axes.plot([], [], color="black", linewidth=1.5, label=f"boundary (score = {threshold:g})")
        axes.legend(loc="best")
        axes.set_title(title)
        axes.set_xlabel("feature 1 (x[:, 0])")
        axes.set_ylabel("feature 2 (x[:, 1])")
        axes.grid(False)
    return FigureImage(figure, f"decision boundary: {len(X)} points")


class GradientNormRecorder:
    """Records each parameter's gradient norm, step by step, for ``plot_gradient_flow``.

    ``params``: a dict or ``(name, parameter)`` pairs, e.g. ``model.named_parameters()``.
    Call ``record()`` after ``backward()`` and before ``zero_grad()``.

    >>> from stepgrad import Value
    >>> w = Value(3.0)
    >>> recorder = GradientNormRecorder({"w": w})
    >>> (w * w).backward(); recorder.record()
    >>> recorder.norms["w"]
    [6.0]
    """

    def __init__(self, params):
        items = params.items() if isinstance(params, dict) else list(params)
        self.parameters = []
        for item in items:
            name, parameter = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
            require_node(parameter, "each parameter")
            self.parameters.append(
                (name or parameter_names([parameter]).get(id(parameter)), parameter)
            )
        for number, (name, parameter) in enumerate(self.parameters):
            if not name:
                self.parameters[number] = (f"parameter {number}", parameter)
        if not self.parameters:
            raise ValueError("GradientNormRecorder needs at least one parameter to watch.")
        self.steps = []
        self.norms = {name: [] for name, _ in self.parameters}

    def record(self, step=None):
        """Store the L2 norm of every parameter's ``.grad`` now (nan where there is none)."""
        self.steps.append(len(self.steps) if step is None else step)
        for name, parameter in self.parameters:
            grad = parameter.grad
            norm = float("nan") if grad is None else float(np.linalg.norm(as_array(grad)))
            self.norms[name].append(norm)


def plot_gradient_flow(recorder, *, title="Gradient flow", log_scale=True):
    """Each parameter's gradient norm over training: vanishing or exploding shows at a glance."""
    if not recorder.steps:
        raise ValueError(
            "the recorder holds no steps yet: call recorder.record() after each backward()."
        )
    with _readable_style():
        figure = _new_figure()
        axes = figure.add_subplot()
        for number, (name, values) in enumerate(recorder.norms.items()):
            axes.plot(
                recorder.steps,
                values,
                label=name,
                linewidth=2,
                color=palette.PLOT_COLOURS[number % len(palette.PLOT_COLOURS)],
                linestyle=palette.PLOT_DASHES[number % len(palette.PLOT_DASHES)],
            )
        positive = [v for values in recorder.norms.values() for v in values if v > 0]
        if log_scale and positive:
            axes.set_yscale("log")
        axes.set_title(title)
        axes.set_xlabel("step")
        axes.set_ylabel("gradient norm (L2)")
        axes.legend(loc="best", ncols=2 if len(recorder.norms) > 4 else 1)
    return FigureImage(figure, f"gradient flow: {len(recorder.norms)} parameters")

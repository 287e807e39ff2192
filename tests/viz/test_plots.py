"""Training plots: the artists they hold, their text for notebooks, and no figure leaks."""

import base64

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from stepgrad import Value
from stepgrad.viz import (
    FigureImage,
    GradientNormRecorder,
    LiveLossPlot,
    plot_decision_boundary,
    plot_gradient_flow,
    plots,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RecordingHandle:
    """Stands in for IPython's DisplayHandle: counts the in-place updates."""

    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj._repr_mimebundle_())


@pytest.fixture
def notebook_display(monkeypatch):
    shown = []
    handle = RecordingHandle()

    def display(obj):
        shown.append(obj._repr_mimebundle_())
        return handle

    monkeypatch.setattr(plots, "_display_handle", display)
    return shown, handle


def train_one_weight(epochs, on_step, w=None):
    """Gradient descent on (w - 3)^2 from w = 0, lr 0.1; calls on_step(loss, w) each epoch."""
    w = Value(0.0, label="w") if w is None else w
    for _ in range(epochs):
        w.grad = 0.0
        loss = (w - 3.0) ** 2
        loss.backward()
        on_step(loss, w)
        w.data -= 0.1 * w.grad
    return w


def test_live_loss_plot_records_every_loss():
    plot = LiveLossPlot(every=5)
    train_one_weight(10, lambda loss, w: plot.add(loss))
    # (w - 3)^2 with w_k = 3 - 3 * 0.8^k, by hand: the loss is 9 * 0.64^k
    np.testing.assert_allclose(plot.losses, [9 * 0.64**k for k in range(10)])
    assert plot.steps == list(range(10))


def test_the_curve_has_a_line_through_the_losses_a_title_and_axis_labels():
    plot = LiveLossPlot(every=5)
    for loss in (3.0, 2.0, 1.5):
        plot.add(loss)
    axes = plot.figure().axes[0]
    line = axes.lines[0]
    assert list(line.get_xdata()) == [0, 1, 2] and list(line.get_ydata()) == [3.0, 2.0, 1.5]
    assert axes.get_title() == "Training loss"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("epoch", "loss")


def test_live_plot_shows_once_then_updates_in_place_at_most_every_n_steps(notebook_display):
    shown, handle = notebook_display
    with LiveLossPlot(every=5) as plot:
        train_one_weight(20, lambda loss, w: plot.add(loss))
    assert len(shown) == 1  # one output in the notebook
    # redrawn after the 1st add and every 5th (5, 10, 15, 20), and once when the loop ends
    assert len(handle.updates) == 6


def test_every_update_keeps_the_same_text_and_kinds_of_output(notebook_display):
    shown, handle = notebook_display
    with LiveLossPlot(every=2) as plot:
        for loss in (1.0, 0.5, 0.25):
            plot.add(loss)
    for bundle in shown + handle.updates:
        assert set(bundle) == {"text/html", "image/png", "text/plain"}
        assert bundle["text/plain"] == "<live loss plot>"
        assert bundle["text/html"].startswith('<div class="stepgrad-loss-plot"><img ')
        assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


def test_outside_a_notebook_the_live_plot_only_records():
    plot = LiveLossPlot(every=1)
    plot.add(1.0)
    plot.close()
    assert plot._handle is False and plot.losses == [1.0]


def test_adding_to_a_closed_plot_is_refused():
    plot = LiveLossPlot()
    plot.close()
    with pytest.raises(RuntimeError, match="closed; create a new one"):
        plot.add(1.0)


@pytest.mark.parametrize("every", [0, -3, 2.5, True])
def test_every_must_be_a_positive_whole_number(every):
    with pytest.raises(ValueError, match="every must be a whole number of steps, at least 1"):
        LiveLossPlot(every=every)


def test_a_loss_can_be_a_value_a_number_or_a_one_element_array():
    plot = LiveLossPlot()
    plot.add(Value(2.5))
    plot.add(np.float32(1.5))
    plot.add(np.array([[0.5]]))
    assert plot.losses == [2.5, 1.5, 0.5]


def test_a_loss_with_several_elements_is_refused_with_advice():
    with pytest.raises(ValueError, match=r"one number, got an array of shape \(3,\).*mean\(\)"):
        LiveLossPlot().add(np.array([1.0, 2.0, 3.0]))


def test_a_tensor_loss_is_accepted():
    pytest.importorskip("stepgrad.tensor", reason="the tensor engine is not there yet")
    import stepgrad

    plot = LiveLossPlot()
    plot.add(stepgrad.tensor(0.75))
    assert plot.losses == [0.75]


# --- decision boundary -----------------------------------------------------------------

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
LABELS = np.array([0, 0, 0, 1, 1])


def above_the_diagonal(points):
    return (points[:, 0] + points[:, 1] > 1.5).astype(float)  # a known boundary: x + y = 1.5


def test_decision_boundary_draws_each_class_with_its_own_marker():
    image = plot_decision_boundary(above_the_diagonal, X, LABELS)
    axes = image.figure.axes[0]
    points = [c for c in axes.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in points] == [3, 2]
    assert [c.get_label() for c in points] == ["class 0", "class 1"]
    markers = {c.get_paths()[0].vertices.shape for c in points}
    assert len(markers) == 2  # a circle and a triangle, not only two colours


def test_decision_boundary_has_title_labels_and_the_boundary_line():
    axes = plot_decision_boundary(above_the_diagonal, X, LABELS).figure.axes[0]
    assert axes.get_title() == "Decision boundary"
    assert axes.get_xlabel() and axes.get_ylabel()
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert "boundary (score = 0.5)" in legend


def test_decision_boundary_accepts_scores_shaped_n_by_1():
    image = plot_decision_boundary(lambda p: above_the_diagonal(p)[:, None], X, LABELS)
    assert isinstance(image, FigureImage)


def test_decision_boundary_shows_in_a_notebook_as_png_with_a_fixed_text():
    bundle = plot_decision_boundary(above_the_diagonal, X, LABELS)._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert bundle["text/plain"] == "<decision boundary: 5 points>"
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


def test_decision_boundary_refuses_data_that_is_not_two_dimensional():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(5, 3\)"):
        plot_decision_boundary(above_the_diagonal, np.ones((5, 3)), LABELS)


def test_decision_boundary_refuses_labels_other_than_0_and_1():
    with pytest.raises(ValueError, match=r"classes 0 and 1, got the labels \[0, 2\]"):
        plot_decision_boundary(above_the_diagonal, X, np.array([0, 2, 0, 2, 0]))


def test_decision_boundary_refuses_a_predict_that_returns_the_wrong_number_of_scores():
    with pytest.raises(ValueError, match="one score per row"):
        plot_decision_boundary(lambda p: np.zeros(3), X, LABELS)


# --- gradient flow ---------------------------------------------------------------------


def test_the_recorder_keeps_each_gradient_norm():
    w = Value(0.0, label="w")
    recorder = GradientNormRecorder({"w": w})
    train_one_weight(3, lambda loss, w: recorder.record(), w)
    # d/dw (w - 3)^2 = 2(w - 3): 6, 4.8, 3.84 by hand
    np.testing.assert_allclose(recorder.norms["w"], [6.0, 4.8, 3.84])


def test_gradient_flow_draws_one_line_per_parameter_told_apart_by_dash_and_colour():
    a, b = Value(1.0), Value(2.0)
    recorder = GradientNormRecorder([("layer1.w", a), ("layer2.w", b)])
    for _ in range(4):
        a.grad, b.grad = 0.0, 0.0
        (a * b * b).backward()
        recorder.record()
    axes = plot_gradient_flow(recorder).figure.axes[0]
    assert [line.get_label() for line in axes.lines] == ["layer1.w", "layer2.w"]
    first, second = axes.lines
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_color() != second.get_color()
    assert axes.get_yscale() == "log"
    assert axes.get_title() == "Gradient flow" and axes.get_ylabel() == "gradient norm (L2)"


def test_tensor_parameters_are_recorded_by_their_names():
    nn = pytest.importorskip("stepgrad.nn", reason="the tensor engine's nn is not there yet")
    import stepgrad

    model = nn.Linear(2, 1)
    recorder = GradientNormRecorder(model.named_parameters())
    model(stepgrad.tensor([[3.0, 4.0]])).sum().backward()
    recorder.record()
    # d(out)/d(weight) = x = [3, 4] (norm 5), d(out)/d(bias) = 1, by hand
    assert list(recorder.norms) == ["weight", "bias"]
    assert recorder.norms["weight"] == pytest.approx([5.0])
    assert recorder.norms["bias"] == pytest.approx([1.0])


def test_a_parameter_without_a_gradient_is_recorded_as_nan():
    recorder = GradientNormRecorder({"unused": Value(1.0)})
    recorder.parameters[0][1].grad = None  # as a tensor that no backward has reached
    recorder.record()
    assert np.isnan(recorder.norms["unused"][0])


def test_plotting_an_empty_recorder_says_what_to_do():
    recorder = GradientNormRecorder({"w": Value(1.0)})
    with pytest.raises(ValueError, match=r"call recorder.record\(\) after each backward"):
        plot_gradient_flow(recorder)


def test_a_recorder_needs_parameters():
    with pytest.raises(ValueError, match="at least one parameter"):
        GradientNormRecorder([])


# --- no figure is left open ---------------------------------------------------------------


def test_a_training_loop_with_every_plot_leaves_no_figure_open():
    assert plt.get_fignums() == []
    w = Value(0.0, label="w")
    recorder = GradientNormRecorder({"w": w})
    with LiveLossPlot(every=3) as plot:
        for _ in range(30):
            w.grad = 0.0
            loss = (w - 3.0) ** 2
            loss.backward()
            recorder.record()
            plot.add(loss)
            w.data -= 0.1 * w.grad
    plot_gradient_flow(recorder)._repr_mimebundle_()
    plot_decision_boundary(above_the_diagonal, X, LABELS)._repr_mimebundle_()
    assert plt.get_fignums() == []


def test_use_course_style_gives_later_figures_readable_text_and_the_safe_palette():
    import matplotlib
    from stepgrad.viz import palette, use_course_style

    with matplotlib.rc_context():
        use_course_style()
        colours = [entry["color"] for entry in matplotlib.rcParams["axes.prop_cycle"]]
        assert colours == palette.PLOT_COLOURS
        assert matplotlib.rcParams["font.size"] >= 10
        assert matplotlib.rcParams["axes.titlesize"] > matplotlib.rcParams["font.size"]

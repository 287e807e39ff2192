"""The stepper: frames of a walk, the widget that shows them, and the static strip."""

import re

import pytest
from conftest import micrograd_example, requires_dot
from stepgrad import Value
from stepgrad.viz import GraphTooLargeError, Stepper, StepStrip, backward_stepper, forward_stepper
from stepgrad.viz.stepper import backward_frames, forward_frames


def node_line(source, position):
    return next(line for line in source.splitlines() if line.lstrip().startswith(f"n{position} ["))


def state_of(source, position):
    return re.search(r"stepgrad-(done|current|waiting)", node_line(source, position)).group(1)


# --- frames: plain DOT, no dot program needed ------------------------------------------


def test_one_backward_frame_per_step_and_one_for_the_result():
    loss, _ = micrograd_example()  # 3 operations
    assert len(backward_frames(loss)) == 4


def test_the_first_backward_frame_is_at_the_output():
    loss, _ = micrograd_example()  # positions a b e c d f L = 0..6
    source = backward_frames(loss)[0].drawing.source
    # L is processed; f, used only by L, now holds its final gradient; the rest wait.
    states = [state_of(source, i) for i in range(7)]
    assert states == ["waiting", "waiting", "waiting", "waiting", "waiting", "done", "current"]


def test_done_current_and_waiting_follow_the_walk():
    loss, _ = micrograd_example()
    source = backward_frames(loss)[1].drawing.source  # processing d (position 4)
    states = [state_of(source, i) for i in range(7)]
    assert states == ["waiting", "waiting", "waiting", "done", "current", "done", "done"]


def test_states_differ_by_border_as_well_as_fill():
    loss, _ = micrograd_example()
    source = backward_frames(loss)[1].drawing.source
    done, current, waiting = node_line(source, 6), node_line(source, 4), node_line(source, 0)
    assert "dashed" in waiting and "dashed" not in done and "dashed" not in current
    assert "penwidth=4" in current and "penwidth=4" not in done


def test_the_edges_of_the_current_step_carry_the_chain_rule_product():
    loss, _ = micrograd_example()
    source = backward_frames(loss)[0].drawing.source
    # L = d * f with upstream 1: d gets 1 x f = -2, f gets 1 x d = 4 (by hand)
    assert 'n4 -> n6 [label="1.0000 \u00d7 -2.0000 = -2.0000"' in source
    assert 'n5 -> n6 [label="1.0000 \u00d7 4.0000 = 4.0000"' in source
    assert source.count("stepgrad-edge-current") == 2


def test_explanations_say_what_each_step_did():
    loss, _ = micrograd_example()
    texts = [frame.explanation for frame in backward_frames(loss)]
    assert texts[0].startswith(
        "Step 1 of 3: backward starts at the output, L, with gradient 1.0000"
    )
    assert "d gets 1.0000 \u00d7 -2.0000 = -2.0000" in texts[0]
    assert texts[2].startswith("Step 3 of 3: e has its whole gradient, -2.0000")
    assert texts[3] == (
        "Done: the walk is over, and the inputs hold their gradients: a: 6.0000, b: -4.0000, "
        "c: -2.0000, f: 4.0000."
    )


def test_a_shared_node_shows_both_contributions_and_their_sum():
    x = Value(3.0, label="x")
    first = backward_frames(x * x)[0]
    assert first.drawing.source.count('label="1.0000 \u00d7 3.0000 = 3.0000"') == 2
    assert "x is used 2 times here, so the parts add up to 6.0000." in first.explanation


def test_a_gradient_arriving_by_a_second_path_is_explained_as_adding_up():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    frames = backward_frames(a * b + a)
    # a gets 1 from + first, then b = -3 from *: it holds 1 - 3 = -2
    assert "a already held 1.0000 from another use, so it now holds -2.0000." in (
        frames[1].explanation
    )


def test_frames_show_the_gradients_of_that_moment_not_the_final_ones():
    loss, _ = micrograd_example()
    first = backward_frames(loss)[0].drawing.source
    assert "grad \u2014" in node_line(first, 0)  # nothing has reached a yet
    assert "grad 4.0000" in node_line(first, 5)  # f got d = 4


def test_forward_frames_grow_the_graph_op_by_op():
    loss, _ = micrograd_example()
    frames = forward_frames(loss)
    assert len(frames) == 4  # the inputs, then 3 operations
    first, second = frames[0].drawing.source, frames[1].drawing.source
    assert "style=invis" in node_line(first, 2)  # e is not computed yet
    # every input is there from the start, also c and f, listed after e (positions 3, 5)
    assert all(state_of(first, i) == "done" for i in (0, 1, 3, 5))
    assert frames[0].explanation == (
        "Before any operation runs, the graph holds only its inputs: a = 2.0000, "
        "b = -3.0000, c = 10.0000, f = -2.0000."
    )
    assert state_of(second, 2) == "current" and "invis" not in node_line(second, 2)
    assert "style=invis" in node_line(second, 4)  # nor d
    assert (
        frames[1].explanation
        == "Step 1 of 3: * takes a = 2.0000 and b = -3.0000, and gives e = -6.0000."
    )


def test_stepping_a_graph_too_big_to_follow_is_refused_with_advice():
    total = Value(0.0)
    for i in range(40):
        total = total + Value(float(i))
    with pytest.raises(GraphTooLargeError, match="81 nodes.*smaller expression"):
        backward_frames(total)


def test_tensor_frames_show_the_reduction_to_the_input_shape():
    pytest.importorskip("stepgrad.tensor", reason="the tensor engine is not there yet")
    import stepgrad

    a = stepgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = stepgrad.tensor([1.0, 0.5, 2.0], requires_grad=True)
    a.label, b.label = "a", "b"
    frames = backward_frames((a * b).sum())
    assert (
        "b was broadcast to (2, 3) in the forward pass, so its gradient is summed over "
        "axis 0 back to its shape (3,)" in frames[1].explanation
    )
    assert "grad (2, 3) \u2192 sum over axis 0 \u2192 (3,)" in frames[1].drawing.source


def test_the_result_frame_names_inputs_that_needed_no_gradient():
    pytest.importorskip("stepgrad.tensor", reason="the tensor engine is not there yet")
    import stepgrad

    w = stepgrad.tensor([[1.0, 2.0]], requires_grad=True)
    w.label = "w"
    x = stepgrad.tensor([[3.0], [4.0]])
    result = backward_frames((w @ x).sum())[-1].explanation
    # d(w @ x)/dw = x^T, by hand; x itself needs no gradient
    assert result == (
        "Done: the walk is over, and the inputs hold their gradients: w: [[3.0000, 4.0000]] "
        "(1 input needed no gradient)."
    )


# --- the widget and the strip: these draw, so they need dot ----------------------------


def current_node(svg):
    """The <title> (n<position>) of the node drawn as current in an SVG."""
    match = re.search(r'class="node [^"]*stepgrad&#45;current[^"]*">\s*<title>(n\d+)</title>', svg)
    return match.group(1)


@requires_dot
def test_the_widget_builds_and_steps_without_a_browser():
    loss, _ = micrograd_example()
    stepper = backward_stepper(loss)
    assert isinstance(stepper, Stepper) and stepper.step == 1
    assert current_node(stepper.graph.value) == "n6"
    text_before = stepper.explanation.value
    stepper.next_button.click()
    assert stepper.step == 2
    assert current_node(stepper.graph.value) == "n4"
    assert stepper.explanation.value != text_before
    stepper.previous_button.click()
    assert current_node(stepper.graph.value) == "n6"


@requires_dot
def test_previous_and_next_are_disabled_at_the_ends():
    loss, _ = micrograd_example()
    stepper = backward_stepper(loss)
    assert stepper.previous_button.disabled and not stepper.next_button.disabled
    stepper.slider.value = 4
    assert stepper.next_button.disabled and not stepper.previous_button.disabled
    stepper.go_to(99)
    assert stepper.step == 4


@requires_dot
def test_the_widget_carries_the_css_hooks_the_browser_test_finds():
    loss, _ = micrograd_example()
    stepper = backward_stepper(loss)
    assert "stepgrad-stepper" in stepper._dom_classes
    assert "stepgrad-next" in stepper.next_button._dom_classes
    assert stepper.next_button.description == "Next"
    assert "stepgrad-stepper-explanation" in stepper.explanation._dom_classes
    assert '<p class="stepgrad-explanation-text">Step 1 of 3' in stepper.explanation.value
    assert "stepgrad-stepper-graph" in stepper.graph._dom_classes


@requires_dot
def test_the_widget_displays_with_a_static_strip_and_a_fixed_text():
    loss, _ = micrograd_example()
    bundle = backward_stepper(loss)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "<backward pass: 4 frames>"
    strip = bundle["text/html"]
    assert strip.count('<figure class="stepgrad-strip-step"') == 4
    assert strip.count("<svg") == 5  # four frames and the legend
    assert "Step 2 of 3: d has its whole gradient" in strip


@requires_dot
def test_static_true_gives_only_the_strip():
    loss, _ = micrograd_example()
    strip = forward_stepper(loss, static=True)
    assert isinstance(strip, StepStrip)
    bundle = strip._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "<forward pass: 4 frames>"


@requires_dot
def test_nodes_stay_in_place_from_frame_to_frame():
    loss, _ = micrograd_example()

    def positions(svg):
        found = re.findall(r"<title>(n\d+)</title>\s*<\w+ [^>]*?(?:points|cx)=\"([^\"]+)\"", svg)
        return dict(found)

    frames = backward_frames(loss)
    layouts = [positions(frame.svg()) for frame in frames]
    assert len(layouts[0]) == 7
    assert all(layout == layouts[0] for layout in layouts)


@requires_dot
def test_the_strip_svgs_have_no_graphviz_version_comments():
    loss, _ = micrograd_example()
    html = backward_stepper(loss, static=True)._repr_mimebundle_()["text/html"]
    assert "<!--" not in html and "<?xml" not in html

"""draw_graph: what the DOT says, that it never changes for the same graph, and its options."""

import os
import re
import subprocess
import sys

import graphviz
import pytest
from conftest import micrograd_example, requires_dot
from stepgrad import Value
from stepgrad.viz import DotNotFoundError, GraphDrawing, GraphTooLargeError, draw_graph


def node_lines(source):
    return [line for line in source.splitlines() if re.match(r"\s*n\d+ \[", line)]


def edge_lines(source):
    return [line for line in source.splitlines() if re.match(r"\s*n\d+ -> n\d+", line)]


def label_of(source, name):
    match = re.search(rf"\b{name} \[label=\"(.*?)\"", source)
    return match.group(1).split("\\n")


def test_draw_graph_returns_a_graphviz_digraph():
    loss, _ = micrograd_example()
    assert isinstance(draw_graph(loss), graphviz.Digraph)


def test_one_node_per_value_and_one_edge_per_use_of_an_input():
    loss, _ = micrograd_example()  # 4 leaves, 3 operations with 2 inputs each
    source = draw_graph(loss).source
    assert len(node_lines(source)) == 7
    assert len(edge_lines(source)) == 6


def test_a_value_used_twice_gets_two_edges():
    x = Value(3.0)
    source = draw_graph(x * x).source
    assert edge_lines(source) == ["\tn0 -> n1", "\tn0 -> n1"]


def test_labels_show_name_operation_data_and_the_grads_after_backward():
    loss, _nodes = micrograd_example()
    loss.backward()
    source = draw_graph(loss).source
    # positions inputs first: a b e c d f L -> n0 .. n6; gradients derived by hand
    assert label_of(source, "n0") == ["a", "data 2.0000", "grad 6.0000"]
    assert label_of(source, "n1") == ["b", "data -3.0000", "grad -4.0000"]
    assert label_of(source, "n2") == ["e", "*", "data -6.0000", "grad -2.0000"]
    assert label_of(source, "n6") == ["L", "*", "data -8.0000", "grad 1.0000"]


def test_same_graph_built_twice_gives_byte_identical_dot():
    first, _ = micrograd_example()
    second, _ = micrograd_example()  # new objects: other ids
    first.backward()
    second.backward()
    assert draw_graph(first, legend=True).source == draw_graph(second, legend=True).source


def test_dot_has_no_memory_addresses():
    loss, _ = micrograd_example()
    assert "0x" not in draw_graph(loss).source


def test_kinds_differ_by_shape_as_well_as_colour():
    loss, nodes = micrograd_example()
    source = draw_graph(loss, params={"weight f": nodes["f"]}).source
    kinds = {
        kind: line
        for line in node_lines(source)
        for kind in ("input", "parameter", "op", "output")
        if f"stepgrad-kind-{kind}" in line
    }
    shapes = {kind: re.search(r"shape=(\w+)", line).group(1) for kind, line in kinds.items()}
    fills = {kind: re.search(r'fillcolor="(#\w+)"', line).group(1) for kind, line in kinds.items()}
    assert "peripheries=2" in kinds["parameter"]  # the parameter's own cue: a double border
    assert len(set(shapes.values()) | {"double border"}) == 4  # box, ellipse, octagon + border
    assert len(set(fills.values())) == 4


def test_params_name_the_parameters():
    loss, nodes = micrograd_example()
    source = draw_graph(loss, params=[("layer.weight", nodes["f"])]).source
    assert label_of(source, "n5")[0] == "layer.weight"
    assert "stepgrad-kind-parameter" in node_lines(source)[5]


def test_params_accepts_a_dict_and_model_named_parameters():
    nn = pytest.importorskip("stepgrad.nn", reason="the tensor engine's nn is not there yet")
    import stepgrad

    model = nn.Linear(2, 1)
    out = model(stepgrad.tensor([[1.0, 2.0]])).sum()
    from_pairs = draw_graph(out, params=model.named_parameters()).source
    from_dict = draw_graph(out, params=dict(model.named_parameters())).source
    assert from_pairs == from_dict
    assert '"weight\\n(1, 2) float32' in from_pairs
    assert '"bias\\n(1,) float32' in from_pairs


def test_show_grads_false_hides_the_gradients():
    loss, _ = micrograd_example()
    loss.backward()
    source = draw_graph(loss, show_grads=False).source
    assert all("grad" not in " ".join(label_of(source, f"n{i}")) for i in range(7))


def test_precision_sets_the_decimals():
    x = Value(2.0, label="x")
    assert label_of(draw_graph(x * 3.14159, precision=2).source, "n2")[1:] == [
        "data 6.28",
        "grad 0.00",
    ]


def test_rankdir_top_to_bottom():
    loss, _ = micrograd_example()
    assert "rankdir=TB" in draw_graph(loss, rankdir="TB").source


def test_unknown_rankdir_is_refused_with_the_choices():
    loss, _ = micrograd_example()
    with pytest.raises(ValueError, match="rankdir='up'.*use 'LR'.*'TB'"):
        draw_graph(loss, rankdir="up")


def test_precision_must_be_a_whole_number():
    loss, _ = micrograd_example()
    with pytest.raises(TypeError, match="precision must be a whole number of decimals"):
        draw_graph(loss, precision=2.5)


def test_highlight_marks_the_chosen_nodes_with_a_thick_border():
    loss, nodes = micrograd_example()
    source = draw_graph(loss, highlight=[nodes["e"]]).source
    highlighted = [line for line in node_lines(source) if "stepgrad-highlight" in line]
    assert len(highlighted) == 1 and highlighted[0].lstrip().startswith("n2 ")
    assert "penwidth=4" in highlighted[0]


def test_inputs_keeps_only_what_lies_between_them_and_the_output():
    loss, nodes = micrograd_example()
    source = draw_graph(loss, inputs=[nodes["c"]]).source
    # c -> d -> L: a, b, e and f are not on a path from c
    assert [line.split()[0] for line in node_lines(source)] == ["n3", "n4", "n6"]
    assert len(edge_lines(source)) == 2


def test_inputs_that_the_output_does_not_depend_on_are_refused():
    loss, _ = micrograd_example()
    stranger = Value(1.0, label="stranger")
    with pytest.raises(ValueError, match="does not depend on.*Pass nodes that the output"):
        draw_graph(loss, inputs=[stranger])


def test_root_must_be_a_node():
    with pytest.raises(TypeError, match="root must be a node.*got float 3.0"):
        draw_graph(3.0)


def test_legend_shows_each_kind_present():
    loss, _ = micrograd_example()
    source = draw_graph(loss, legend=True).source
    assert "subgraph cluster_legend" in source
    for name in ("legend_input", "legend_op", "legend_output"):
        assert name in source
    assert "legend_parameter" not in source  # no parameter in this graph


def test_summary_counts_nodes_and_edges():
    loss, _ = micrograd_example()
    drawing = draw_graph(loss)
    assert drawing.summary == "<graph: 7 nodes, 6 edges>"
    assert repr(drawing) == "<graph: 7 nodes, 6 edges>"
    assert drawing.source.startswith("// graph: 7 nodes, 6 edges\n")


def test_tensor_nodes_show_shape_dtype_requires_grad_and_small_values():
    pytest.importorskip("stepgrad.tensor", reason="the tensor engine is not there yet")
    import stepgrad

    w = stepgrad.tensor([[1.0, 2.0]], requires_grad=True)
    x = stepgrad.tensor([[3.0], [4.0]])
    out = (w @ x).sum()
    out.backward()
    source = draw_graph(out, params={"w": w}).source
    assert label_of(source, "n0") == [
        "w",
        "(1, 2) float32",
        "requires_grad",
        "[[1.0000, 2.0000]]",
        "grad [[3.0000, 4.0000]]",  # d(w @ x)/dw = x^T, by hand
    ]
    assert label_of(source, "n1") == ["(2, 1) float32", "[[3.0000]", " [4.0000]]"]
    assert "stepgrad-kind-input" in node_lines(source)[1]  # needs no grad: an input


def chain_sum(terms):
    """total = 0 + a_0*b_0 + ... : 1 + 4 * terms nodes."""
    total = Value(0.0)
    for i in range(terms):
        total = total + Value(float(i)) * Value(2.0)
    return total


def test_past_max_nodes_the_drawing_groups_similar_nodes():
    drawing = draw_graph(chain_sum(300))
    # By hand: 601 leaves, 300 products, 299 sums below the output, the output.
    assert drawing.summary == "<graph summary: 1201 nodes in 4 groups>"
    source = drawing.source
    assert "layer 0\\n601 inputs" in source
    assert "layer 0\\n300 \u00d7 *" in source
    assert "layer 0\\n299 \u00d7 +" in source
    assert 'label="600 edges"' in source  # leaves into the products


def test_a_summary_starts_a_new_layer_after_each_activation():
    inputs = [Value(float(i)) for i in range(3)]
    hidden = [sum((x * Value(0.5) for x in inputs), Value(0.0)).tanh() for _ in range(30)]
    out = sum((h * Value(0.1) for h in hidden), Value(0.0))
    source = draw_graph(out, max_nodes=50).source
    assert "layer 0\\n30 \u00d7 tanh" in source
    assert "layer 1\\n30 \u00d7 *" in source


def test_summary_is_deterministic():
    assert draw_graph(chain_sum(100)).source == draw_graph(chain_sum(100)).source


def test_summarize_false_stops_with_advice_on_drawing_less():
    with pytest.raises(GraphTooLargeError, match=r"401 nodes, more than max_nodes=200.*inputs=\["):
        draw_graph(chain_sum(100), summarize=False)


def test_summarize_true_groups_even_a_small_graph():
    loss, _ = micrograd_example()
    # By hand: the 4 leaves, the product e, the sum d (all layer 0), the output L.
    assert draw_graph(loss, summarize=True).summary == "<graph summary: 7 nodes in 4 groups>"


@requires_dot
def test_renders_to_svg_without_graphviz_version_comments():
    loss, _ = micrograd_example()
    svg = draw_graph(loss).svg()
    assert svg.startswith("<svg")
    assert "<!--" not in svg and "<?xml" not in svg and "graphviz version" not in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"a", "data 2.0000", "L"} <= set(texts)
    assert svg.count('class="node') == 7


@requires_dot
def test_notebook_display_is_svg_plus_the_dot_source_as_text():
    loss, _ = micrograd_example()
    drawing = draw_graph(loss)
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == drawing.source
    assert bundle["image/svg+xml"].startswith("<svg")


@requires_dot
def test_svg_carries_the_css_classes_of_each_kind():
    loss, _ = micrograd_example()
    svg = draw_graph(loss).svg().replace("&#45;", "-")
    for kind in ("input", "op", "output"):
        assert f"stepgrad-kind-{kind}" in svg


@pytest.fixture
def no_dot_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))


def test_drawing_needs_no_dot_until_a_picture_is_asked_for(no_dot_on_path):
    loss, _ = micrograd_example()
    drawing = draw_graph(loss)
    assert "digraph" in drawing.source


def test_without_dot_rendering_says_how_to_install_graphviz(no_dot_on_path):
    loss, _ = micrograd_example()
    drawing = draw_graph(loss)
    with pytest.raises(DotNotFoundError) as raised:
        drawing.svg()
    message = str(raised.value)
    assert "'dot' program was not found" in message
    assert "conda install -c conda-forge graphviz" in message
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert isinstance(raised.value, graphviz.ExecutableNotFound)


def test_without_dot_notebook_display_raises_the_same_clear_error(no_dot_on_path):
    loss, _ = micrograd_example()
    with pytest.raises(DotNotFoundError, match="Install Graphviz"):
        draw_graph(loss)._repr_mimebundle_()


def test_without_dot_render_to_a_file_raises_the_clear_error(no_dot_on_path, tmp_path):
    loss, _ = micrograd_example()
    with pytest.raises(DotNotFoundError):
        draw_graph(loss).render(tmp_path / "graph", format="png")


def test_importing_viz_works_without_dot(tmp_path):
    environment = {**os.environ, "PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import stepgrad.viz; print('imported')"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


def test_a_copy_keeps_its_summary():
    loss, _ = micrograd_example()
    drawing = draw_graph(loss)
    duplicate = drawing.copy()
    assert isinstance(duplicate, GraphDrawing)
    assert duplicate.summary == drawing.summary and duplicate.source == drawing.source

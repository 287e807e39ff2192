"""The benchmarks in bench/ still run, and their hand-written numpy floor computes what stepgrad
computes (so a ratio against it compares the same work).

No timing is asserted here: speed is measured by `make bench`. Each workload runs once
at tiny repeat counts, so a benchmark that no longer runs fails here, not on the day
someone wants the figures.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import common
import mlp
import process
import run
import scalar
import tutorial

import course

# float32 throughout: sums of a few hundred products agree to about 1e-6 relative.
TOLERANCE = {"rtol": 1e-4, "atol": 1e-6}


def stepgrad_gradients(model):
    return {name: p.grad.numpy() for name, p in model.named_parameters()}


def stepgrad_weights(model):
    return {name: p.detach().numpy() for name, p in model.named_parameters()}


# --- the hand-written floor computes what stepgrad computes -------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_hand_written_tutorial_model_has_stepgrads_loss_and_gradients(seed):
    engine = tutorial.stepgrad_tutorial(seed)
    hand = engine.numpy_twin()
    engine.forward()
    engine.compute_loss()
    engine.backward()
    loss, gradients = hand.loss_and_gradients(engine.X.numpy(), engine.y.numpy())
    np.testing.assert_allclose(loss, engine.loss.item(), **TOLERANCE)
    for name, grad in stepgrad_gradients(engine.model).items():
        np.testing.assert_allclose(gradients[name], grad, **TOLERANCE, err_msg=name)


def test_hand_written_tutorial_model_trains_like_stepgrad_for_100_epochs():
    engine = tutorial.stepgrad_tutorial()
    hand = engine.numpy_twin()
    x, y = engine.X.numpy(), engine.y.numpy()
    for _ in range(tutorial.EPOCHS):
        engine.epoch()
        hand.train_epoch(x, y)
    for name, weight in stepgrad_weights(engine.model).items():
        np.testing.assert_allclose(hand.parameters[name], weight, **TOLERANCE, err_msg=name)


def test_hand_written_tutorial_gradient_matches_finite_differences():
    # An independent check of the hand derivation itself, in float64.
    engine = tutorial.stepgrad_tutorial(3)
    hand = engine.numpy_twin()
    hand.parameters = {name: p.astype(np.float64) for name, p in hand.parameters.items()}
    x = np.array(tutorial.POINTS, dtype=np.float64)
    y = np.array(tutorial.LABELS, dtype=np.float64)
    _, gradients = hand.loss_and_gradients(x, y)
    step = 1e-6
    for name, parameter in hand.parameters.items():
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            parameter[index] = original + step
            above, _ = hand.loss_and_gradients(x, y)
            parameter[index] = original - step
            below, _ = hand.loss_and_gradients(x, y)
            parameter[index] = original
            slope = (above - below) / (2 * step)
            assert gradients[name][index] == pytest.approx(slope, rel=1e-5, abs=1e-8), name


def test_hand_written_mlp_has_stepgrads_loss_and_gradients():
    engine = mlp.stepgrad_mlp(batch=32)
    hand, x, labels = engine.numpy_twin()
    loss = engine.criterion(engine.model(engine.x), engine.labels)
    loss.backward()
    hand_loss, gradients = hand.loss_and_gradients(x, labels)
    np.testing.assert_allclose(hand_loss, loss.item(), **TOLERANCE)
    for name, grad in stepgrad_gradients(engine.model).items():
        np.testing.assert_allclose(gradients[name], grad, **TOLERANCE, err_msg=name)


def test_hand_written_mlp_step_updates_weights_like_stepgrad():
    engine = mlp.stepgrad_mlp(batch=32)
    hand, x, labels = engine.numpy_twin()
    for _ in range(3):
        engine.step()
        hand.train_step(x, labels)
    for name, weight in stepgrad_weights(engine.model).items():
        np.testing.assert_allclose(hand.parameters[name], weight, **TOLERANCE, err_msg=name)


def test_mlp_benchmark_trains_in_float32():
    engine = mlp.stepgrad_mlp(batch=8)
    hand, x, _ = engine.numpy_twin()
    assert x.dtype == np.float32
    assert {p.dtype for p in hand.parameters.values()} == {np.dtype(np.float32)}
    assert {p.data.dtype for p in engine.model.parameters()} == {np.dtype(np.float32)}


# --- every workload still runs ------------------------------------------------------------


def measured(rows):
    return {row["engine"].strip() for row in rows if "error" not in row}


def assert_sensible(rows):
    for row in rows:
        if "error" in row:
            continue
        assert 0 < row["min"] <= row["median"] <= row["max"], row
        assert row["repeats"] >= 1


def test_tutorial_benchmark_times_stepgrad_numpy_and_pytorch_when_installed():
    rows = tutorial.run(quick=True)
    assert_sensible(rows)
    engines = measured(rows)
    assert {"stepgrad", "numpy by hand"} <= engines
    pytorch_rows = [row for row in rows if "PyTorch" in row["engine"]]
    if common.torch_version():
        assert any("1 thread" in row["engine"] for row in pytorch_rows)
        assert any("(default)" in row["engine"] for row in pytorch_rows)
    else:
        assert "not installed" in pytorch_rows[0]["error"]


def test_tutorial_benchmark_times_the_create_graph_epoch_against_the_first_order_one():
    rows = tutorial.run(quick=True)
    assert_sensible(rows)
    create_graph = [row for row in rows if row["benchmark"] == tutorial.CREATE_GRAPH_BENCHMARK]
    assert create_graph[0]["engine"] == "stepgrad"
    assert create_graph[0]["ratio_to"] == "stepgrad, first-order backward"
    assert len(create_graph) == (2 if common.torch_version() else 1)


def test_create_graph_epoch_records_the_backward():
    engine = tutorial.stepgrad_tutorial()
    engine.epoch_create_graph()
    assert all(p.grad.requires_grad for p in engine.model.parameters())


def test_create_graph_epoch_trains_like_the_first_order_epoch():
    # Recording the backward changes what is kept, not the gradients or the update.
    first_order, recorded = tutorial.stepgrad_tutorial(), tutorial.stepgrad_tutorial()
    for _ in range(3):
        first_order.epoch()
        recorded.epoch_create_graph()
    recorded_weights = stepgrad_weights(recorded.model)
    for name, weight in stepgrad_weights(first_order.model).items():
        np.testing.assert_allclose(recorded_weights[name], weight, **TOLERANCE, err_msg=name)


def test_process_benchmark_times_the_script_and_the_import():
    rows = process.run(quick=True)
    assert_sensible(rows)
    assert "stepgrad" in measured(rows)
    assert any(row["benchmark"] == process.IMPORT_BENCHMARK for row in rows)


def test_mlp_benchmark_times_every_engine_at_both_batch_sizes_and_on_one_thread():
    rows = mlp.run(quick=True)
    assert_sensible(rows)
    for batch in mlp.BATCHES:
        for one_thread in (False, True):
            name = mlp.benchmark_name(batch, one_thread)
            engines = {row["engine"] for row in rows if row["benchmark"] == name}
            assert {"stepgrad", "numpy by hand"} <= engines, name


def test_scalar_benchmark_runs():
    rows = scalar.run(quick=True)
    assert_sensible(rows)
    assert any("stepgrad" in engine for engine in measured(rows))


def test_rounds_join_the_times_and_keep_what_every_round_agrees_on():
    first = {"times": [1.0, 2.0], "nodes": 68, "losses": [0.5]}
    second = {"times": [3.0], "nodes": 68, "losses": [0.5]}
    assert common._joined(first, second) == {
        "times": [1.0, 2.0, 3.0],
        "nodes": 68,
        "losses": [0.5, 0.5],
    }
    with pytest.raises(RuntimeError, match="changed between rounds: 68 vs 70"):
        common._joined(first, {**second, "nodes": 70})


def test_course_benchmark_executes_a_notebook_without_touching_the_committed_one():
    first = course.notebooks()[0]
    before = first.read_bytes()
    rows = course.run(quick=True)
    assert_sensible(rows)
    assert first.read_bytes() == before


def test_profile_names_the_functions_that_take_the_time():
    result = common.spawn("tutorial:profile_stepgrad", epochs=20, top=5)
    assert len(result["functions"]) == 5
    assert any("stepgrad/" in entry["function"] for entry in result["functions"])


# --- the report --------------------------------------------------------------------------


def timing_rows(stepgrad_us, numpy_us, pytorch_us):
    return [
        common.row(tutorial.BENCHMARK, "stepgrad", [stepgrad_us], "us", 1),
        common.row(tutorial.BENCHMARK, "numpy by hand", [numpy_us], "us", 1),
        common.row(tutorial.BENCHMARK, "PyTorch 2.13.0, 1 thread", [pytorch_us], "us", 1),
        common.row(tutorial.BENCHMARK, "PyTorch 2.13.0, 2 threads", [pytorch_us * 2], "us", 1),
    ]


def verdicts(rows):
    return {check["target"]: check.get("verdict") for check in run.targets(rows)}


def test_targets_pass_within_the_limits_against_the_fastest_peer():
    # 40 / 100 = 0.4 <= 0.5 against the faster PyTorch; 40 / 20 = 2.0 <= 2.5.
    result = verdicts(timing_rows(stepgrad_us=40, numpy_us=20, pytorch_us=100))
    assert result["tutorial epoch <= 0.5x PyTorch"] == "PASS"
    assert result["tutorial epoch <= 2.5x numpy by hand"] == "PASS"


def test_targets_miss_beyond_the_limits():
    # 60 / 100 = 0.6 > 0.5; 60 / 20 = 3.0 > 2.5 (the slower PyTorch, 200, does not count).
    result = verdicts(timing_rows(stepgrad_us=60, numpy_us=20, pytorch_us=100))
    assert result["tutorial epoch <= 0.5x PyTorch"] == "MISS"
    assert result["tutorial epoch <= 2.5x numpy by hand"] == "MISS"


def test_a_verdict_says_when_the_machine_was_too_busy_for_its_median_to_be_trusted():
    rows = timing_rows(stepgrad_us=40, numpy_us=20, pytorch_us=100)
    rows[0] = common.row(tutorial.BENCHMARK, "stepgrad", [40, 80, 90], "us", 1)  # median 2x min
    checks = {check["target"]: check for check in run.targets(rows)}
    assert "noisy" in checks["tutorial epoch <= 2.5x numpy by hand"]["margin"]
    assert "noisy" not in verdicts_margin(timing_rows(40, 20, 100))


def verdicts_margin(rows):
    return " ".join(check.get("margin", "") for check in run.targets(rows))


def test_a_target_without_measurements_is_not_measured_rather_than_passed():
    checks = run.targets([])
    assert checks
    assert all(check["measured"] == "not measured" for check in checks)
    assert all("verdict" not in check for check in checks)


def test_quick_run_writes_results_with_the_targets_and_the_machine(tmp_path):
    output = tmp_path / "RESULTS.md"
    assert run.main(["--quick", "--only", "tutorial", "--output", str(output)]) == 0
    text = output.read_text()
    assert "## Targets (issue 8)" in text
    assert "tutorial epoch <= 2.5x numpy by hand" in text
    assert f"### {tutorial.CREATE_GRAPH_BENCHMARK}" in text
    assert "OPENBLAS_CORETYPE" in text
    assert "numpy" in text and "BLAS" in text

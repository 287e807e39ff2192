"""detect_anomaly(): backward stops at the op whose backward produced NaN or inf, naming the line
of user code that created it.

Truths: where NaN first appears follows from the calculus in each test
(d log(p)/dp = 1/p is 0/0 times an upstream 0 at p = 0 ... see each test).
"""

import os
import warnings

import numpy as np
import pytest
import stepgrad
from stepgrad.autograd import AnomalyError, detect_anomaly, is_anomaly_enabled


def tensor(values, requires_grad=False):
    return stepgrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


@pytest.fixture(autouse=True)
def _quiet_numpy():
    # log(0) and 0/0 warn in numpy; the tests are about the error that follows.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def cross_entropy_of_a_zero_probability():
    probabilities = tensor([0.0, 1.0], requires_grad=True)
    targets = tensor([0.0, 1.0])
    log_probabilities = probabilities.log()
    # log(0) = -inf in the forward pass; its backward is upstream / p = 0 / 0 = nan.
    loss = -(targets * log_probabilities).sum()
    return probabilities, log_probabilities, loss


def test_backward_producing_nan_names_the_op_and_the_line_that_created_it():
    with detect_anomaly():
        _, log_probabilities, loss = cross_entropy_of_a_zero_probability()
        with pytest.raises(AnomalyError) as caught:
            loss.backward()
    message = str(caught.value)
    assert message.startswith("LogBackward returned nan values in its 0th output")
    assert "test_anomaly_mode.py, line " in message
    assert "log_probabilities = probabilities.log()" in message
    assert ".clamp(min=1e-7)" in message
    assert caught.value.node is log_probabilities
    assert caught.value.grad_fn is log_probabilities.grad_fn


def test_the_error_is_a_runtime_error_as_in_pytorch():
    assert issubclass(AnomalyError, RuntimeError)


def test_the_location_is_never_an_absolute_path():
    with detect_anomaly():
        _, _, loss = cross_entropy_of_a_zero_probability()
        with pytest.raises(AnomalyError) as caught:
            loss.backward()
    # Below the working directory: the path from there; elsewhere: the file name only.
    filename = caught.value.site.filename
    assert not os.path.isabs(filename)
    assert filename.endswith("test_anomaly_mode.py")


def test_infinity_is_caught_too():
    x = tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        root = x.sqrt()  # d sqrt(x)/dx = 1 / (2 sqrt(x)) is inf at 0
        with pytest.raises(AnomalyError, match=r"^SqrtBackward returned inf values") as caught:
            root.sum().backward()
    assert caught.value.node is root


def test_without_detect_anomaly_backward_silently_gives_nan():
    probabilities, _, loss = cross_entropy_of_a_zero_probability()
    loss.backward()
    assert np.isnan(probabilities.grad.numpy()[0])


def test_an_op_created_before_detect_anomaly_is_named_without_a_line():
    _, _, loss = cross_entropy_of_a_zero_probability()
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"created before anomaly detection was turned on"),
    ):
        loss.backward()


def test_the_op_created_inside_a_library_call_is_located_at_the_users_line():
    layer = stepgrad.nn.Linear(2, 1)
    with stepgrad.no_grad():
        layer.weight.fill_(float("inf"))
    with detect_anomaly():
        out = layer(stepgrad.tensor([[1.0, 0.0]], requires_grad=True))
        with pytest.raises(AnomalyError) as caught:
            (out * 0).sum().backward()
    assert "out = layer(stepgrad.tensor([[1.0, 0.0]], requires_grad=True))" in str(caught.value)


def test_detect_anomaly_is_off_outside_the_block_and_works_as_a_decorator():
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def inside():
        return is_anomaly_enabled()

    assert inside()
    with detect_anomaly():
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_ordinary_forward_passes_record_no_creation_site():
    x = tensor([1.0], requires_grad=True)
    assert (x * 2).grad_fn._creation_site is None


def test_the_node_can_be_highlighted_in_the_drawing():
    pytest.importorskip("graphviz", reason="the drawing needs the graphviz package")
    from stepgrad.viz import draw_graph

    with detect_anomaly():
        _, _, loss = cross_entropy_of_a_zero_probability()
        with pytest.raises(AnomalyError) as caught:
            loss.backward(retain_graph=True)
    svg = draw_graph(loss, highlight=[caught.value.node]).source
    assert "LogBackward" in svg
    assert svg.count("stepgrad-highlight") == 1

"""Chapter 7's checks, given right answers and each classic wrong one."""

import numpy as np
import pytest
from stepgrad.exercises import ___, training


def tutorial_loop(model, criterion, optimizer, X, y, epochs):
    losses = []
    for _ in range(epochs):
        outputs = model(X)
        loss = criterion(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# --- the check's problem, against numbers derived here -------------------------------


def test_the_loop_problem_is_seeded():
    first = [p.data.copy() for p in training.loop_problem()[0].parameters()]
    second = [p.data.copy() for p in training.loop_problem()[0].parameters()]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_the_loop_problems_first_loss_is_binary_cross_entropy():
    model, criterion, _, X, y = training.loop_problem()
    p = model(X).data.astype(np.float64)
    labels = y.data.astype(np.float64)
    by_hand = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    assert criterion(model(X), y).item() == pytest.approx(by_hand, rel=1e-5)


def test_the_right_loop_lowers_the_loss_and_the_mistakes_differ_from_it():
    right_losses, right = training._run("right")
    assert right_losses[-1] < right_losses[0]
    for order in ("no_zero_grad", "zero_after_backward", "no_step"):
        assert not training._same_parameters(training._run(order)[1], right)


def test_the_accuracy_data_holds_the_broadcasting_trap():
    probabilities, labels = training.accuracy_data()
    assert probabilities.shape == (8, 1) and labels.shape == (8,)


# --- 7.1 the training loop ------------------------------------------------------------


def test_train_accepts_the_tutorials_loop():
    assert training.check_train(tutorial_loop).status == "correct"


def test_train_accepts_zero_grad_at_the_end_of_each_epoch():
    def reset_last(model, criterion, optimizer, X, y, epochs):
        losses = []
        for _ in range(epochs):
            loss = criterion(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        return losses

    assert training.check_train(reset_last).status == "correct"


def test_train_accepts_model_zero_grad_and_tensors_as_losses():
    def with_model_zero_grad(model, criterion, optimizer, X, y, epochs):
        losses = []
        for _ in range(epochs):
            loss = criterion(model(X), y)
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
        return losses

    assert training.check_train(with_model_zero_grad).status == "correct"


def test_train_names_a_forgotten_zero_grad():
    def no_reset(model, criterion, optimizer, X, y, epochs):
        losses = []
        for _ in range(epochs):
            loss = criterion(model(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    feedback = training.check_train(no_reset)
    assert feedback.mistake == "forgotten_zero_grad"
    assert "zero_grad()" in feedback.message


def test_train_names_a_reset_between_backward_and_step():
    def reset_in_between(model, criterion, optimizer, X, y, epochs):
        losses = []
        for _ in range(epochs):
            loss = criterion(model(X), y)
            loss.backward()
            optimizer.zero_grad()
            optimizer.step()
            losses.append(loss.item())
        return losses

    assert training.check_train(reset_in_between).mistake == "step_without_gradients"


def test_train_names_a_missing_step():
    def no_step(model, criterion, optimizer, X, y, epochs):
        losses = []
        for _ in range(epochs):
            loss = criterion(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            losses.append(loss.item())
        return losses

    assert training.check_train(no_step).mistake == "no_step"


def test_train_names_losses_that_are_not_the_epochs_losses():
    def losses_after_step(model, criterion, optimizer, X, y, epochs):
        losses = tutorial_loop(model, criterion, optimizer, X, y, epochs)
        return [value / 2 for value in losses]

    assert training.check_train(losses_after_step).mistake == "wrong_losses"


def test_train_asks_for_one_loss_per_epoch():
    def last_loss_only(model, criterion, optimizer, X, y, epochs):
        return tutorial_loop(model, criterion, optimizer, X, y, epochs)[-1:]

    assert training.check_train(last_loss_only).mistake == "wrong_number_of_losses"


def test_train_asks_for_the_return():
    def no_return(model, criterion, optimizer, X, y, epochs):
        tutorial_loop(model, criterion, optimizer, X, y, epochs)

    assert training.check_train(no_return).mistake == "no_return"


def test_train_rejects_a_different_learning_schedule_without_naming_a_mistake():
    def half_the_epochs(model, criterion, optimizer, X, y, epochs):
        losses = tutorial_loop(model, criterion, optimizer, X, y, epochs // 2)
        return losses + losses[-1:] * (epochs - len(losses))

    feedback = training.check_train(half_the_epochs)
    assert feedback.status == "wrong" and feedback.mistake is None


def test_train_waits_for_the_blank():
    def unfinished(model, criterion, optimizer, X, y, epochs):
        return ___

    assert training.check_train(unfinished).status == "unanswered"


# --- 7.2 accuracy ------------------------------------------------------------------------


def right_accuracy(probabilities, labels):
    predictions = (probabilities > 0.5).float().reshape(-1)
    return (predictions == labels).float().mean().item() * 100


def test_accuracy_accepts_the_percentage_of_matching_predictions():
    # Predictions 1,0,1,0,1,0,1,0 against labels 1,0,0,0,1,1,1,0: six of eight match.
    assert training.check_accuracy(right_accuracy).status == "correct"
    assert right_accuracy(*training.accuracy_data()) == pytest.approx(75.0)


def test_accuracy_accepts_a_one_element_tensor():
    def as_tensor(probabilities, labels):
        predictions = (probabilities.squeeze(1) > 0.5).float()
        return (predictions == labels).float().mean() * 100

    assert training.check_accuracy(as_tensor).status == "correct"


def test_accuracy_names_the_broadcast_comparison():
    def broadcast(probabilities, labels):
        return ((probabilities > 0.5).float() == labels).float().mean().item() * 100

    assert training.check_accuracy(broadcast).mistake == "broadcast_comparison"


def test_accuracy_names_a_fraction_instead_of_a_percentage():
    def fraction(probabilities, labels):
        return right_accuracy(probabilities, labels) / 100

    assert training.check_accuracy(fraction).mistake == "fraction_not_percent"


def test_accuracy_names_probabilities_compared_without_a_threshold():
    def no_threshold(probabilities, labels):
        return (probabilities.reshape(-1) == labels).float().mean().item() * 100

    assert training.check_accuracy(no_threshold).mistake == "no_threshold"


def test_accuracy_rejects_a_tensor_of_many_numbers():
    def per_point(probabilities, labels):
        return (probabilities.reshape(-1) > 0.5).float() == labels

    assert training.check_accuracy(per_point).mistake == "not_one_number"

"""What a learner must see in each chapter, for the browser tests: one line per notebook.

``node_labels`` are texts that must appear as labels in a graph drawing (SVG ``<text>``
elements, compared whole) after Run All; ``stepper`` says the chapter shows a stepper (its
first one is clicked through); ``loss_plot`` that it trains with the live loss plot. Every chapter is opened and run,
so every chapter needs its line: a notebook missing from this table fails
``test_every_chapter_of_the_course_is_listed``, and a listed one not written yet is skipped
with that reason.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    notebook: str
    node_labels: tuple[str, ...] = ()
    stepper: bool = False
    loss_plot: bool = False


CHAPTERS = [
    Chapter("00_welcome.ipynb"),
    Chapter("01_derivatives_and_slopes.ipynb"),
    Chapter(
        "02_the_computational_graph.ipynb",
        node_labels=("x", "w", "b", "*", "+", "sigmoid", "data 0.6225"),
        stepper=True,
    ),
    Chapter(
        "03_backward_step_by_step.ipynb",
        node_labels=("x", "w", "b", "sigmoid", "grad 1.0000"),
        stepper=True,
    ),
    Chapter(
        "04_from_scalars_to_tensors.ipynb",
        # d/dx sum(x**2) = 2x at x = [1, 2, 3]
        node_labels=(
            "PowBackward",
            "SumBackward",
            "grad [2.0000, 4.0000, 6.0000]",
            "MatMulBackward",
        ),
        stepper=True,
    ),
    Chapter(
        "05_the_autograd_api.ipynb",
        # w * x with w = [1, -2, 0.5], x = [3, 1, 4]; squared and summed: 9 + 4 + 4
        node_labels=("MulBackward", "PowBackward", "SumBackward", "17.0000", "a.detach()"),
    ),
    Chapter(
        "06_your_own_operation.ipynb",
        # softplus(x) = log(1 + e**x) at x = [-2, 0, 3]
        node_labels=("ExpBackward", "LogBackward", "SoftplusBackward", "[0.1269, 0.6931, 3.0486]"),
        stepper=True,
    ),
    Chapter(
        "07_training_simplenn.ipynb",
        node_labels=("fc1.weight", "fc1.bias", "fc2.weight", "LinearBackward", "BCELossBackward"),
        stepper=True,
        loss_plot=True,
    ),
    Chapter("08_from_stepgrad_to_pytorch.ipynb"),
    Chapter(
        "09_when_gradients_go_wrong.ipynb",
        # the anomaly's graph (LogBackward of 1 - sigmoid(30) = 0), and the first layer reached
        node_labels=("LogBackward", "SigmoidBackward", "0.weight", "TanhBackward"),
    ),
    # Chapters 10 and 11 teach with plots and tables, not graph drawings: Run All must
    # still finish without an error output.
    Chapter("10_forward_and_reverse_mode.ipynb"),
    Chapter("11_what_the_graph_costs.ipynb"),
]

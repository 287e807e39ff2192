"""Checks for chapter 11, "What the graph costs".

The truth is ``stepgrad.autograd.graph_memory`` run on graphs built inside the
checks, and the recurrent loop run without any cut. Classic mistakes are
recognised by computing them: an array counted once per node that keeps it,
a saved output forgotten, float64 sizes, a graph never cut or cut at every
step, and segment lengths that store as much as no checkpointing at all.

    >>> from stepgrad.exercises import graph_cost
    >>> graph_cost.check_saved_bytes(1200).status
    'correct'
"""

import numpy as np

from stepgrad.autograd.memory import graph_memory
from stepgrad.creation import ones, tensor
from stepgrad.exercises.feedback import (
    Rejected,
    call_learner,
    close,
    correct,
    exercise,
    expect_number,
    wrong,
)
from stepgrad.tensor import Tensor

# ---------------------------------------------------------------------------
# Exercise 11.1: the bytes a small graph keeps, counted by hand.
# ---------------------------------------------------------------------------

SIZE = 100  # x and w hold 100 float32 numbers each


def saved_bytes_program():
    """The exercise's program: y = exp(x * w), z = sum(y * x), with x, w float32 leaves."""
    x = ones(SIZE, requires_grad=True)
    w = ones(SIZE, requires_grad=True)
    y = (x * w).exp()
    return (y * x).sum()


@exercise("11.1", "saved bytes by hand")
def check_saved_bytes(saved_bytes):
    """Check the bytes the exercise's graph keeps for backward."""
    answer = expect_number(saved_bytes, "Your saved_bytes")
    truth = graph_memory(saved_bytes_program()).saved_bytes
    if close(answer, truth):
        return correct(
            f"{truth:,} bytes: x and w (400 each) for the first product, exp's output y "
            f"(400) for exp, and y and x again for the second product, each array counted once."
        )
    array = SIZE * 4
    if close(answer, 5 * array):
        return wrong(
            "That counts x once for each node that keeps it (and y too). An array shared by "
            "two nodes is kept once in memory: count each array once.",
            mistake="shared_arrays_counted_twice",
        )
    if close(answer, 2 * array):
        return wrong(
            "Which array does exp keep for its backward? d exp(u)/du = exp(u): its own output, "
            "y. That is an array of 100 numbers too.",
            mistake="output_not_counted",
        )
    if close(answer, truth * 2):
        return wrong(
            "stepgrad.ones makes float32 tensors, as PyTorch's torch.ones does: 4 bytes per "
            "number, not 8.",
            mistake="float64_sizes",
        )
    if close(answer, array):
        return wrong(
            "That is the activation alone (y). x and w are leaves, but the products keep them "
            "for backward too, and saved bytes count every array kept.",
            mistake="only_activations",
        )
    if close(answer, truth / 4):
        return wrong("That counts numbers. Each float32 number takes 4 bytes.", "numbers_not_bytes")
    return wrong(
        "Go node by node: what does each backward formula need? Mul needs both factors, exp "
        "its output, sum only a shape. Then count each distinct array once, 4 bytes a number."
    )


# ---------------------------------------------------------------------------
# Exercise 11.2: cut a long recurrent chain every k steps.
# ---------------------------------------------------------------------------

HIDDEN = 4


def recurrent_cell():
    """A small recurrent cell h' = tanh(h Wᵀ + x u) with W and u requiring grad."""
    rng = np.random.default_rng(11)
    weight = tensor(rng.normal(0.0, 0.5, (HIDDEN, HIDDEN)), requires_grad=True)
    u = tensor(rng.normal(0.0, 0.5, (1, HIDDEN)), requires_grad=True)

    def cell(h, x):
        return (h @ weight.T + x * u).tanh()

    return cell


def recurrent_inputs(steps):
    rng = np.random.default_rng(12)
    return [tensor(rng.normal(size=(2, 1))) for _ in range(steps)]


def _unrolled_steps(unroll, steps, k):
    """Run the learner's unroll; return (its final h, how many steps its graph spans)."""
    cell = recurrent_cell()
    inputs = recurrent_inputs(steps)
    start = tensor(np.zeros((2, HIDDEN)))
    per_step = graph_memory(cell(start, inputs[0])).nodes
    h = call_learner(unroll, cell, start, inputs, k, what="Your unroll")
    if not isinstance(h, Tensor):
        raise Rejected(f"unroll should return the final hidden state h, got {type(h).__name__}.")
    return h, graph_memory(h).nodes / per_step


def _full_run(steps):
    cell = recurrent_cell()
    h = tensor(np.zeros((2, HIDDEN)))
    for x in recurrent_inputs(steps):
        h = cell(h, x)
    return h


STEPS = 12


@exercise("11.2", "truncated backpropagation through time")
def check_truncated_unroll(unroll):
    """Check ``unroll(cell, h, inputs, k)``: same values, the graph cut before steps 0, k, 2k, ..."""
    spans = {}
    for k in (5, 4):
        h, spans[k] = _unrolled_steps(unroll, STEPS, k)
        if tuple(h.shape) != (2, HIDDEN) or not np.allclose(h.data, _full_run(STEPS).data):
            return wrong(
                "The final h does not hold the values of the uncut loop. detach() must not change "
                "any number: keep h = h.detach() (same values, no history) and apply the cell "
                "once per input.",
                mistake="values_changed",
            )
    expected = {k: (STEPS - 1) % k + 1 for k in spans}  # steps since the last cut
    if spans == expected:
        return correct(
            f"With k = 5 the final graph spans {expected[5]} steps (10 and 11), with k = 4 it "
            f"spans {expected[4]}: memory is bounded by k steps however long the sequence."
        )
    if all(span == 0 for span in spans.values()):
        return wrong(
            "The final h has no graph at all, so no gradient could reach the weights. Cut the "
            "history before a step (h = h.detach()), not after the last one, and do not run "
            "the loop under no_grad().",
            mistake="no_graph",
        )
    if all(span == STEPS for span in spans.values()):
        return wrong(
            f"The graph spans all {STEPS} steps: it was never cut. Before step t, when t is a "
            f"multiple of k, replace h by h.detach().",
            mistake="never_detached",
        )
    if all(span == 1 for span in spans.values()):
        return wrong(
            "The graph spans a single step: h was detached before every step, so backward "
            "could never reach more than one step back. Detach only when t is a multiple of k.",
            mistake="detached_every_step",
        )
    return wrong(
        f"The final graph spans {spans[5]:g} steps with k = 5 and {spans[4]:g} with k = 4; "
        f"cutting before steps 0, k, 2k, ... gives {expected[5]} and {expected[4]}. Check "
        f"where in the loop you detach.",
        mistake="cut_in_the_wrong_place",
    )


# ---------------------------------------------------------------------------
# Exercise 11.3: the segment length that needs the least memory.
# ---------------------------------------------------------------------------

LAYERS = 36


def peak_activations(layers, segment):
    """Layers' worth of activations at the peak: kept boundaries plus one recomputed segment."""
    return layers // segment + segment


@exercise("11.3", "the best segment length")
def check_best_segment(segment):
    """Check the segment length (a divisor of 36) with the smallest checkpointing peak."""
    answer = expect_number(segment, "Your segment length")
    if not answer.is_integer() or answer < 1 or LAYERS % answer:
        raise Rejected(
            f"The segments split {LAYERS} layers into equal pieces: give a whole number that "
            f"divides {LAYERS} (1, 2, 3, 4, 6, 9, 12, 18 or 36)."
        )
    answer = int(answer)
    lengths = [s for s in range(1, LAYERS + 1) if LAYERS % s == 0]
    best = min(lengths, key=lambda s: peak_activations(LAYERS, s))
    peak = peak_activations(LAYERS, answer)
    if answer == best:
        return correct(
            f"{LAYERS // best} boundaries kept plus {best} layers recomputed: a peak of {peak} "
            f"layers' activations instead of {LAYERS}, for one extra forward pass. The best "
            f"length is about the square root of the depth."
        )
    if answer == 1:
        return wrong(
            f"Segments of one layer keep every layer's output as a boundary: {peak} layers' "
            f"worth, no better than storing everything. Longer segments keep fewer boundaries.",
            mistake="segments_of_one",
        )
    if answer == LAYERS:
        return wrong(
            f"One segment keeps almost nothing during the forward pass, but backward "
            f"recomputes the whole network at once: the peak is {peak} layers again.",
            mistake="one_segment",
        )
    return wrong(
        f"With segments of {answer}: {LAYERS // answer} boundaries + {answer} recomputed = "
        f"{peak} layers' activations at the peak. Another length gives less: try a few."
    )

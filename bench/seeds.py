"""How often does the tutorial's SimpleNN reach 100.00% accuracy, over seeds 0..49?

Trains the tutorial's program (SimpleNN, BCELoss, SGD lr 0.1, 100 epochs on the
five points) once per seed, with ``manual_seed(seed)`` before the model is
built, in stepgrad and, when it is installed, in PyTorch. The two libraries
draw their initial weights from the same distribution but from different
random streams, so the same seed gives different weights in each: what is
compared is how often each reaches 100.00%, not which seeds.

    PYTHONPATH=lib python3 bench/seeds.py                       # print the figures
    PYTHONPATH=lib python3 bench/seeds.py --write docs/seeds.md # and write the note

``tests/test_acceptance.py`` recomputes these figures and checks the note.
"""

import argparse
import math
import platform
import sys

from tutorial_program import PROGRAM

SEEDS = range(50)
COMMAND = "PYTHONPATH=lib python3 bench/seeds.py --write docs/seeds.md"
FULL_ACCURACY = "Accuracy: 100.00%"


def tutorial_accuracy(torch, nn, optim, seed):
    """The tutorial's program with ``torch.manual_seed(seed)`` before the model is
    built; ``torch``, ``nn`` and ``optim`` are stepgrad's or PyTorch's modules.
    Returns the accuracy line the program prints, e.g. 'Accuracy: 100.00%'."""
    printed = []
    # Seeding before the whole text is seeding before the model: nothing above
    # `model = SimpleNN()` draws a random number.
    torch.manual_seed(seed)
    exec(  # noqa: S102 - the text is our own constant, run as a learner would run it
        PROGRAM,
        {
            "__name__": "tutorial_program",
            "torch": torch,
            "nn": nn,
            "optim": optim,
            "print": lambda *parts: printed.append(" ".join(map(str, parts))),
        },
    )
    return printed[-1]


def accuracies(library, seeds=SEEDS):
    """{seed: the accuracy line the program prints} with ``library`` ('stepgrad' or 'torch')."""
    torch, nn, optim = _modules(library)
    return {seed: tutorial_accuracy(torch, nn, optim, seed) for seed in seeds}


def successful_seeds(library, seeds=SEEDS):
    """The seeds for which the program prints 'Accuracy: 100.00%' with ``library``."""
    return [seed for seed, line in accuracies(library, seeds).items() if line == FULL_ACCURACY]


def _modules(library):
    if library == "stepgrad":
        import stepgrad
        import stepgrad.nn
        import stepgrad.optim

        return stepgrad, stepgrad.nn, stepgrad.optim
    import torch
    import torch.nn
    import torch.optim

    return torch, torch.nn, torch.optim


def _versions():
    import numpy

    parts = [f"Python {platform.python_version()}", f"numpy {numpy.__version__}"]
    try:
        import torch

        parts.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)


def _note(results):
    lines = [
        "# How often the tutorial's SimpleNN reaches 100.00% accuracy",
        "",
        "The tutorial's program (SimpleNN: Linear 2-10, ReLU, Linear 10-1, Sigmoid; BCELoss;",
        "SGD with lr 0.1; 100 epochs on the five points) was run once per seed 0..49, with",
        "`manual_seed(seed)` called just before the model is built, in stepgrad and in PyTorch.",
        "",
        "| library | seeds reaching 100.00% (of 50) | seeds that did not (their accuracy) |",
        "| --- | --- | --- |",
    ]
    for library, lines_by_seed in results.items():
        successes = [seed for seed, line in lines_by_seed.items() if line == FULL_ACCURACY]
        misses = [
            f"{seed} ({line.removeprefix('Accuracy: ')})"
            for seed, line in lines_by_seed.items()
            if line != FULL_ACCURACY
        ]
        lines.append(f"| {library} | {len(successes)} | {', '.join(misses) or 'none'} |")
    lines += [
        "",
        "Both libraries draw every initial weight and bias uniformly from",
        "(-1/sqrt(fan_in), 1/sqrt(fan_in)) and apply the same update rule, but from different",
        "random streams: one seed gives different weights in each, so the two rows",
        "count how often training succeeds, not which seeds succeed.",
        "",
        _chance_remark(results),
        "",
        f"Produced by `{COMMAND}` ({_versions()}).",
        "`tests/test_acceptance.py` recomputes both counts, checks them against this table,",
        "and checks that stepgrad's count is at least PyTorch's.",
        "",
    ]
    return "\n".join(lines)


def _chance_remark(results):
    # Each seed is a draw with the same success probability in both libraries if
    # they train equally well; the spread of a count of 50 such draws shows how
    # large a gap chance alone produces.
    counts = [sum(line == FULL_ACCURACY for line in lines.values()) for lines in results.values()]
    rate = sum(counts) / (len(counts) * len(SEEDS))
    spread = math.sqrt(len(SEEDS) * rate * (1 - rate))
    return (
        f"How big a gap chance makes: at the pooled success rate of {rate:.0%}, a count "
        f"out of {len(SEEDS)} seeds has a standard deviation of {spread:.1f}, so a "
        f"difference of a few seeds says nothing about which library trains better. "
        f"What the test guards is that stepgrad's count does not fall below PyTorch's."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", metavar="PATH", help="also write the note to PATH")
    args = parser.parse_args(argv)
    results = {"stepgrad": accuracies("stepgrad")}
    try:
        results["PyTorch"] = accuracies("torch")
    except ImportError:
        print("PyTorch is not installed: only stepgrad's count is measured.", file=sys.stderr)
    note = _note(results)
    print(note)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as file:
            file.write(note)


if __name__ == "__main__":
    main()

"""micrograd, the benchmark peer of stepgrad's scalar engine.

micrograd (https://github.com/karpathy/micrograd, ``pip install micrograd``) is
measured as shipped: its ``Value`` runs the very model code that stepgrad's does
(see ``bench/scalar.py``). It is never a dependency of stepgrad; when it is not
installed, the benchmark says so and measures stepgrad alone.
"""

from importlib import metadata


def micrograd_version():
    """The installed micrograd version, or None when micrograd is not installed."""
    try:
        return metadata.version("micrograd")
    except metadata.PackageNotFoundError:
        return None


def load_micrograd_value():
    """micrograd's Value class, untouched."""
    try:
        from micrograd.engine import Value
    except ImportError as error:
        raise RuntimeError(
            "micrograd is not installed; install it for the side-by-side benchmark "
            "with `python -m pip install micrograd` (it is a benchmark peer only)."
        ) from error
    return Value

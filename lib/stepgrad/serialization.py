"""Saving and loading a model's weights: ``stepgrad.save`` and ``stepgrad.load``.

As in PyTorch, one saves a model's ``state_dict()`` (its tensors by name) and
loads it into a freshly built model with ``load_state_dict``. The file is a
numpy ``.npz`` archive, one array per name, readable without stepgrad:

    >>> import stepgrad, stepgrad.nn as nn
    >>> model = nn.Linear(2, 1)
    >>> stepgrad.save(model.state_dict(), "linear.npz")          # doctest: +SKIP
    >>> fresh = nn.Linear(2, 1)
    >>> fresh.load_state_dict(stepgrad.load("linear.npz"))       # doctest: +SKIP
"""

import zipfile
from collections import OrderedDict

import numpy as np

from stepgrad.tensor import Tensor


def save(state_dict, path):
    """Write a mapping of names to tensors (or numpy arrays) to ``path`` as ``.npz``.

    The file is written at exactly ``path``; numpy's habit of appending ``.npz``
    is avoided so that ``load(path)`` finds what ``save(..., path)`` wrote.
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(
            f"stepgrad.save stores a mapping from names to tensors, got "
            f"{type(state_dict).__name__}; to save a model write "
            f"stepgrad.save(model.state_dict(), path)"
        )
    arrays = OrderedDict()
    for name, value in state_dict.items():
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(name, str) or not isinstance(value, np.ndarray):
            raise TypeError(
                f"stepgrad.save: entry {name!r} is a {type(value).__name__}; every entry "
                f"must be a tensor (or numpy array) under a string name"
            )
        arrays[name] = value
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def load(path):
    """Read a file written by ``save``: an ordered dict of names to tensors."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(
            f"stepgrad.load could not read {str(path)!r}: it is not a file written by "
            f"stepgrad.save (a numpy .npz archive) ({error})"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(  # noqa: TRY004 - the file's content is wrong, not an argument's type
            f"stepgrad.load expects a .npz archive written by stepgrad.save, but "
            f"{str(path)!r} holds a single array; save a state_dict with stepgrad.save"
        )
    with archive:
        return OrderedDict((name, Tensor(archive[name])) for name in archive.files)

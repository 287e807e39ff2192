"""Tensor hooks: functions that see (and may replace) a tensor's gradient during backward.

``tensor.register_hook(fn)`` calls ``fn(grad)`` when the gradient of
``tensor`` has been summed from all its uses, before it is stored in
``.grad`` or passed on to the tensors it was computed from. If ``fn``
returns a tensor, that is the gradient from then on::

    >>> import stepgrad
    >>> x = stepgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> handle = x.register_hook(lambda grad: grad * 10)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([20., 40.])
    >>> handle.remove()

Hooks are kept here, keyed by the tensor's id, rather than on every tensor:
an ordinary backward then pays one check of an (empty) dict per node.
"""

import itertools
import weakref

import numpy as np

# id(tensor) -> {handle id: hook}. An entry is removed when its tensor dies,
# before the id can be reused by another tensor.
hooks_by_tensor = {}

_handle_ids = itertools.count()


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, tensor_id, handle_id):
        self.tensor_id = tensor_id
        self.id = handle_id

    def remove(self):
        """Unregister the hook (calling it twice is harmless)."""
        hooks = hooks_by_tensor.get(self.tensor_id)
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
        return False


def register_hook(tensor, hook):
    """Register ``hook(grad)`` on ``tensor``; see ``Tensor.register_hook``."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "cannot register a hook on a tensor that doesn't require gradient: no gradient "
            "will ever reach it. Create it with requires_grad=True (or call .requires_grad_()) "
            "before computing from it."
        )
    if not callable(hook):
        raise TypeError(
            f"register_hook expects a function of the gradient, got {type(hook).__name__}. "
            f"Pass e.g. lambda grad: print(grad.norm())."
        )
    key = id(tensor)
    hooks = hooks_by_tensor.get(key)
    if hooks is None:
        hooks = hooks_by_tensor[key] = {}
        weakref.finalize(tensor, hooks_by_tensor.pop, key, None)
    handle = RemovableHandle(key, next(_handle_ids))
    hooks[handle.id] = hook
    return handle


def run_hooks(tensor, grad):
    """Call the hooks of ``tensor`` in the order they were registered; the last gradient wins."""
    from stepgrad.tensor import Tensor, _make

    for hook in list(hooks_by_tensor.get(id(tensor), {}).values()):
        result = hook(grad)
        if result is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(result, Tensor):
            try:
                result = _make(np.asarray(result, dtype=tensor.data.dtype))
            except (TypeError, ValueError):
                raise TypeError(
                    f"hook '{name}' registered on a tensor of shape {tuple(tensor.shape)} "
                    f"returned {type(result).__name__} {result!r:.40}, which is not a gradient. "
                    f"Return a tensor of shape {tuple(grad.shape)} (for example grad * 2), "
                    f"or None to keep the gradient unchanged."
                ) from None
        if result.shape != grad.shape:
            raise RuntimeError(
                f"hook '{name}' registered on a tensor of shape {tuple(tensor.shape)} returned "
                f"a gradient of shape {tuple(result.shape)}. A hook may change the gradient's "
                f"values, not its shape: return a tensor of shape {tuple(grad.shape)}, or None "
                f"to keep the gradient unchanged."
            )
        grad = result
    return grad

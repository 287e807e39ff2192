"""Gradient clipping by total norm, as ``torch.nn.utils.clip_grad_norm_``."""

import math

import numpy as np

from stepgrad.tensor import Tensor, _make


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients of ``parameters`` together so that their total norm is at most ``max_norm``.

    The total norm is taken over all gradients as if they were one vector; if it
    exceeds ``max_norm``, every ``.grad`` is multiplied in place by the same factor
    ``max_norm / (total_norm + 1e-6)``, so the step keeps its direction. Returns the
    total norm measured before clipping (a 0-d tensor), as PyTorch does.

    >>> import stepgrad
    >>> w = stepgrad.tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = stepgrad.tensor([30.0, 40.0])
    >>> clip_grad_norm_([w], max_norm=5.0)
    tensor(50.)
    >>> w.grad
    tensor([3., 4.])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    gradients = [p.grad for p in parameters if p.grad is not None]
    norm_type = float(norm_type)
    if not gradients:
        return _make(np.array(0.0, dtype=np.float32))
    dtype = gradients[0].data.dtype
    if norm_type == math.inf:
        total = max(float(np.abs(g.data).max(initial=0.0)) for g in gradients)
    elif norm_type > 0:
        total = sum(
            float((np.abs(g.data.astype(np.float64)) ** norm_type).sum()) for g in gradients
        )
        total = total ** (1.0 / norm_type)
    else:
        raise ValueError(
            f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}. Use 2.0 "
            f"(the Euclidean norm, the default) or float('inf') (the largest magnitude)."
        )
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({total}), so it cannot be clipped. Find where the NaN or inf "
            f"comes from (run backward inside stepgrad.autograd.detect_anomaly()), or set "
            f"error_if_nonfinite=False to scale anyway."
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for gradient in gradients:
            gradient.data *= np.asarray(scale, dtype=gradient.data.dtype)
    return _make(np.array(total, dtype=dtype))

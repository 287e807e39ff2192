"""Helpers for training, as ``torch.nn.utils``: ``clip_grad_norm_``."""

from stepgrad.nn.utils.clip_grad import clip_grad_norm_

__all__ = ["clip_grad_norm_"]

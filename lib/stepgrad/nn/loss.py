"""Loss modules: ``criterion = nn.BCELoss(); loss = criterion(outputs, targets)``.

Each holds its ``reduction`` and calls the matching function of
``stepgrad.nn.functional``: 'mean' (the default) averages the per-element
losses, 'sum' adds them, 'none' returns them all.
"""

from stepgrad.nn import functional as F
from stepgrad.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        # Checked here, when the loss is built, rather than at its first use.
        F._check_reduction(reduction)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error: mean((input - target)^2)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (the output of a Sigmoid) against 0/1 targets."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one, from raw scores (logits); numerically stable."""

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,)."""

    def forward(self, input, target):
        return F.cross_entropy(input, target, reduction=self.reduction)

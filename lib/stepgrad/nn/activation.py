"""Activation layers: modules that apply one elementwise function and hold no parameters."""

from stepgrad.nn.module import Module


class ReLU(Module):
    """max(x, 0), elementwise. ``inplace=True`` is accepted for compatibility with
    PyTorch code; the result is always a new tensor."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return input.relu()

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise: squashes any number into (0, 1)."""

    def forward(self, input):
        return input.sigmoid()


class Tanh(Module):
    """tanh(x), elementwise: squashes any number into (-1, 1)."""

    def forward(self, input):
        return input.tanh()


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``: turns scores into probabilities."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return input.softmax(dim=-1 if self.dim is None else self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return input.log_softmax(dim=-1 if self.dim is None else self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"

"""Optimizers that update a model's parameters from their gradients, as ``torch.optim``.

>>> import stepgrad
>>> import stepgrad.optim as optim
>>> model = stepgrad.nn.Linear(2, 1)
>>> optimizer = optim.SGD(model.parameters(), lr=0.1)
"""

from stepgrad.optim.adam import Adam
from stepgrad.optim.optimizer import Optimizer
from stepgrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]

"""Neural-network building blocks, named and behaving as in ``torch.nn``.

>>> import stepgrad.nn as nn
>>> nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())
Sequential(
  (0): Linear(in_features=2, out_features=10, bias=True)
  (1): ReLU()
  (2): Linear(in_features=10, out_features=1, bias=True)
  (3): Sigmoid()
)
"""

from stepgrad.nn import functional, init
from stepgrad.nn.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from stepgrad.nn.container import Sequential
from stepgrad.nn.linear import Linear
from stepgrad.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from stepgrad.nn.module import Module
from stepgrad.nn.parameter import Parameter

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]

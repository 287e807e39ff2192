"""The differentiable operations, each a Function with forward and backward side by side.

- ``elementwise``: + - * / **, exp, log, sqrt, abs, relu, sigmoid, tanh, clamp, where, ...
- ``reductions``: sum, mean, max, min, softmax, log_softmax
- ``linalg``: matmul and linear (x @ W.T + b as one operation)
- ``shape``: reshape, transpose, permute, squeeze, unsqueeze, expand, indexing, cat, stack, casts
- ``broadcast``: ``unbroadcast``, which sums a gradient back to its input's shape
"""

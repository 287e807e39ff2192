"""unbroadcast: the gradient of a broadcast operand, summed back to its own shape.

When numpy broadcasts ``a + b`` with ``a`` of shape (3,) and ``b`` of shape
(2, 3), each element of ``a`` is used twice, once per row, so its gradient is
the sum of the two rows' gradients. In general: sum over the leading
dimensions broadcasting added, and over every dimension where the operand had
size 1 but the result did not. The engine does this for every input of every
operation, so no Function's backward has to.

    >>> import stepgrad
    >>> grad = stepgrad.ones(2, 3)
    >>> unbroadcast(grad, (3,))
    tensor([2., 2., 2.])
    >>> unbroadcast(grad, (2, 1))
    tensor([[3.],
            [3.]])
"""


def unbroadcast(grad, shape):
    """Sum ``grad`` (a Tensor) over the dimensions broadcasting stretched, to get ``shape``."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad  # the common case costs one comparison
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != g for n, g in zip(shape, grad.shape[extra:])):
        raise ValueError(
            f"a gradient of shape {tuple(grad.shape)} cannot be summed to shape {shape}: "
            f"that shape does not broadcast to it."
        )
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    return grad

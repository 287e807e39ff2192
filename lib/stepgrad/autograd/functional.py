"""Jacobians and Jacobian products of whole functions, as ``torch.autograd.functional``.

For a function ``f`` from input tensors (n numbers in all) to output tensors
(m numbers), the Jacobian J holds every d(output number)/d(input number):

- ``vjp(f, inputs, v)``: vᵀJ, the gradient of the number <v, f(inputs)>.
  One backward pass, whatever n is: the gradient of a loss is a vjp with v = 1.
- ``jvp(f, inputs, v)``: J v, how the outputs move when the inputs move along v.
- ``jacobian(f, inputs)``: all m × n numbers, one backward pass per output number.

Reverse mode (backward) computes vᵀJ directly. For J v, stepgrad uses the
"double-vjp trick": g(u) = uᵀJ is linear in u, so its own vjp with v is
(Jᵀ)ᵀ v = J v. That takes two backward passes, the first one recorded
(``create_graph=True``) so that the second can go through it.

    >>> import stepgrad
    >>> from stepgrad.autograd.functional import jacobian
    >>> jacobian(lambda x: x**2, stepgrad.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])

Each function works on fresh leaves made from ``inputs`` (the caller's
tensors are not changed) and returns results cut from any graph. Other
leaves that f uses (a model's parameters) keep the ``.grad`` they had.
``create_graph=True`` (differentiating the results again) is not supported.
"""

import numpy as np

from stepgrad.graph import topological_order
from stepgrad.tensor import Tensor


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀJ)``: the outputs and the vector-Jacobian product.

    ``inputs`` is a Tensor or a tuple of Tensors; ``v`` has the outputs' shapes
    (it may be None when func returns one number). The product has the shape
    of ``inputs``: a tuple exactly when ``inputs`` is one. With ``strict=True``
    an input that the outputs do not depend on is an error instead of zeros.

    >>> import stepgrad
    >>> x = stepgrad.tensor([1.0, 2.0])
    >>> vjp(lambda x: x * x, x, stepgrad.tensor([1.0, 10.0]))[1]
    tensor([ 2., 40.])
    """
    inputs_is_tuple, leaves, outputs_is_tuple, outputs = _run(func, inputs, create_graph, "vjp")
    cotangents = _vectors(v, outputs, outputs_is_tuple, "vjp", "outputs of the function")
    if strict:
        _refuse_constant_outputs(outputs, "vjp")
    grads = _gradients(outputs, cotangents, leaves)
    if strict:
        for j, grad in enumerate(grads):
            if grad is None:
                raise RuntimeError(
                    f"vjp(strict=True): the outputs of the function do not depend on input {j}, "
                    f"so its vjp is zero by construction. Pass strict=False to get zeros."
                )
    products = tuple(_or_zeros(grad, leaf) for grad, leaf in zip(grads, leaves))
    return _shaped(outputs, outputs_is_tuple), _shaped(products, inputs_is_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the outputs and the Jacobian-vector product.

    ``v`` has the inputs' shapes (it may be None when ``inputs`` is one
    number). The product has the shape of the outputs: a tuple exactly when
    func returns one. Computed with two backward passes (the double-vjp trick,
    see the module's docstring). With ``strict=True`` an output that does not
    depend on the inputs is an error instead of zeros.

    >>> import stepgrad
    >>> x = stepgrad.tensor([1.0, 2.0])
    >>> jvp(lambda x: x * x, x, stepgrad.tensor([1.0, 10.0]))[1]
    tensor([ 2., 40.])
    """
    inputs_is_tuple, leaves, outputs_is_tuple, outputs = _run(func, inputs, create_graph, "jvp")
    tangents = _vectors(v, leaves, inputs_is_tuple, "jvp", "inputs")
    if strict:
        _refuse_constant_outputs(outputs, "jvp")
    # g(u) = uᵀJ, recorded: u is a leaf, so the backward formulas are recorded as
    # functions of it. Any value of u would do, since g is linear in u.
    dummies = tuple(_make_leaf(np.zeros_like(out.data)) for out in outputs)
    grads = _gradients(outputs, dummies, leaves, create_graph=True)
    reached = [(grad, tangent) for grad, tangent in zip(grads, tangents) if grad is not None]
    if reached:
        # The vjp of g with v: (Jᵀ)ᵀ v = J v, one output tensor at a time into the dummies' grads.
        products = _gradients(*zip(*reached), dummies)
    else:
        products = [None] * len(dummies)
    if strict:
        for i, product in enumerate(products):
            if product is None:
                raise RuntimeError(
                    f"jvp(strict=True): output {i} of the function does not depend on the "
                    f"inputs, so its jvp is zero by construction. Pass strict=False to get zeros."
                )
    products = tuple(_or_zeros(p, out) for p, out in zip(products, outputs))
    return _shaped(outputs, outputs_is_tuple), _shaped(products, outputs_is_tuple)


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """Every d(output)/d(input) of ``func`` at ``inputs``, one backward pass per output number.

    For one input and one output, a Tensor of shape ``output.shape + input.shape``.
    For a tuple of inputs, a tuple over the inputs; for a tuple of outputs, a
    tuple over the outputs; for both, ``J[i][j]`` is output i by input j.
    ``vectorize`` is accepted and changes nothing (rows are computed one by one);
    only ``strategy="reverse-mode"`` exists. With ``strict=True`` an output that
    does not depend on an input is an error instead of zeros.

    >>> import stepgrad
    >>> jacobian(lambda x: x.sum() * x, stepgrad.tensor([1.0, 2.0]))
    tensor([[4., 1.],
            [2., 5.]])
    """
    if strategy != "reverse-mode":
        raise ValueError(
            f"jacobian(strategy={strategy!r}): stepgrad computes Jacobians in reverse mode only "
            f"(one backward pass per output number). Leave strategy='reverse-mode'; for J v "
            f"use jvp, and for forward mode on scalars stepgrad.dual.Dual."
        )
    inputs_is_tuple, leaves, outputs_is_tuple, outputs = _run(
        func, inputs, create_graph, "jacobian"
    )
    blocks = []
    for i, out in enumerate(outputs):
        # One block per input, filled row by row: row k is the gradient of output number k.
        row_blocks = [np.zeros((out.data.size, *leaf.shape), leaf.data.dtype) for leaf in leaves]
        reached = [False] * len(leaves)
        if out.requires_grad:
            for k in range(out.data.size):
                one_hot = np.zeros(out.data.size, out.data.dtype)
                one_hot[k] = 1
                grads = _gradients((out,), (Tensor(one_hot.reshape(out.shape)),), leaves)
                for j, grad in enumerate(grads):
                    if grad is not None:
                        row_blocks[j][k] = grad.data
                        reached[j] = True
        if strict and not all(reached):
            j = reached.index(False)
            raise RuntimeError(
                f"jacobian(strict=True): output {i} of the function does not depend on input "
                f"{j}, so that block of the Jacobian is zero by construction. Pass strict=False "
                f"to get zeros."
            )
        blocks.append(
            tuple(
                Tensor(block.reshape(tuple(out.shape) + tuple(leaf.shape)))
                for block, leaf in zip(row_blocks, leaves)
            )
        )
    if not inputs_is_tuple:
        blocks = [row[0] for row in blocks]
    return tuple(blocks) if outputs_is_tuple else blocks[0]


# ---------------------------------------------------------------------------
# The one backward pass all three are made of
# ---------------------------------------------------------------------------


def _gradients(outputs, cotangents, leaves, create_graph=False):
    """d/d(leaves) of sum_k <outputs[k], cotangents[k]>, by one backward pass.

    A list with one gradient per leaf, None where the outputs do not reach it.
    ``leaves`` are leaves this module made; every other leaf that the outputs
    depend on (a model's parameters) gets back the ``.grad`` it had before.
    """
    total = None
    for out, cotangent in zip(outputs, cotangents):
        if out.requires_grad:
            term = (out * cotangent).sum()
            total = term if total is None else total + term
    if total is None:
        return [None] * len(leaves)
    mine = {id(leaf) for leaf in leaves}
    others = [
        (node, node.grad)
        for node in topological_order(total)
        if node.is_leaf and node.requires_grad and id(node) not in mine
    ]
    for leaf in leaves:
        leaf.grad = None
    # retain_graph: jacobian walks the same graph once per output number.
    total.backward(retain_graph=True, create_graph=create_graph)
    for node, grad in others:
        node.grad = grad
    grads = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    return grads


# ---------------------------------------------------------------------------
# Arguments in, results out, with torch.autograd.functional's conventions
# ---------------------------------------------------------------------------


def _as_tuple(value, what, name):
    """``(was it a tuple, the tensors as a tuple)``, or a TypeError naming the culprit."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for index, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f" (item {index} of the tuple)" if is_tuple else ""
            raise TypeError(
                f"{name}: the {what} must be a Tensor or a tuple of Tensors, got "
                f"{type(item).__name__}{where}. Wrap numbers with stepgrad.tensor(...)."
            )
    return is_tuple, items


def _run(func, inputs, create_graph, name):
    """func on fresh leaves made from ``inputs``: (inputs_is_tuple, leaves, outputs_is_tuple, outputs)."""
    if create_graph:
        raise NotImplementedError(
            f"{name}(create_graph=True) is not supported in stepgrad: its results are always "
            f"cut from the graph. To differentiate a gradient again, call "
            f".backward(create_graph=True) yourself and use the .grad it leaves."
        )
    inputs_is_tuple, tensors = _as_tuple(inputs, "inputs", name)
    leaves = tuple(_make_leaf(tensor.data) for tensor in tensors)
    outputs_is_tuple, outputs = _as_tuple(func(*leaves), "outputs of the function", name)
    return inputs_is_tuple, leaves, outputs_is_tuple, outputs


def _make_leaf(array):
    # detach() shares the array, as PyTorch's functional API does; nothing writes to it.
    return Tensor(array).detach().requires_grad_()


def _vectors(v, like, like_is_tuple, name, what):
    """``v`` checked against the tensors it pairs with (one per tensor, same shapes)."""
    if v is None:
        if len(like) != 1 or like[0].data.size != 1:
            raise RuntimeError(
                f"{name}: v can only be None when the {what} are a single tensor with a single "
                f"element. Pass v with the shape(s) {_shapes(like)}."
            )
        return (Tensor(np.ones_like(like[0].data)),)
    v_is_tuple, vectors = _as_tuple(v, "v", name)
    if v_is_tuple != like_is_tuple or len(vectors) != len(like):
        raise RuntimeError(
            f"{name}: v must match the {what}, one tensor for each: expected the shape(s) "
            f"{_shapes(like)}, got {_shapes(vectors)}."
        )
    for vector, tensor in zip(vectors, like):
        if vector.shape != tensor.shape:
            raise RuntimeError(
                f"{name}: mismatch in shape: v has the shape(s) {_shapes(vectors)} but the "
                f"{what} have {_shapes(like)}. Give v exactly these shapes."
            )
    return tuple(vector.detach().to(tensor.dtype) for vector, tensor in zip(vectors, like))


def _shapes(tensors):
    shapes = [tuple(t.shape) for t in tensors]
    return shapes[0] if len(shapes) == 1 else tuple(shapes)


def _refuse_constant_outputs(outputs, name):
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"{name}(strict=True): output {i} of the function does not require grad: it was "
                f"not computed from the inputs (or was detached). Pass strict=False to get zeros."
            )


def _or_zeros(grad, like):
    return Tensor(np.zeros_like(like.data)) if grad is None else grad.detach()


def _shaped(tensors, is_tuple):
    tensors = tuple(t.detach() for t in tensors)
    return tensors if is_tuple else tensors[0]

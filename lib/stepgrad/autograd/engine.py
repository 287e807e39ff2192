"""Backward for tensors: the shared graph walk plus what tensors need around it.

The walk itself is ``stepgrad.graph.backward``, the same one the scalar
engine uses. This module prepares it (the seed gradient, grad mode for the
backward formulas) and settles what the walk leaves to the nodes: whether a
node frees what it saved (``retain_graph``), and how a gradient is stored in
``.grad``.

``run_backward(root, ..., observer=...)`` is the entry point for anything
that wants to watch the real backward pass step by step
(``stepgrad.viz.trace_backward``); ``Tensor.backward`` calls it without one.

``grad(outputs, inputs, ...)`` is the same walk in capture mode: the
gradients that reach ``inputs`` are returned instead of stored in ``.grad``.
"""

import numpy as np

from stepgrad import graph
from stepgrad.autograd import anomaly_mode, grad_mode
from stepgrad.tensor import Tensor, _make


class _Walk:
    """Settings of the backward pass in progress, read by nodes and leaves."""

    __slots__ = ("captured", "create_graph", "on_arrays", "retain_graph", "stored_arrays")

    def __init__(self, retain_graph, create_graph, captured=None, on_arrays=False):
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        # Gradients flow as bare numpy arrays (see run_backward); else as Tensors.
        self.on_arrays = on_arrays
        # For grad(): id(input) -> its gradient (None until one arrives). Nothing is
        # stored in any .grad while this is set.
        self.captured = captured
        # ids of arrays already kept in some .grad: a second tensor gets a copy,
        # so that changing one tensor's grad in place never changes another's.
        self.stored_arrays = set()


current_walk = None


def run_backward(
    root, gradient=None, retain_graph=None, create_graph=False, observer=None, _captured=None
):
    """Backpropagate from ``root`` into ``.grad`` of the leaves it depends on.

    ``gradient`` is d(something)/d(root), required unless root has one element;
    ``observer(node, grad, contributions, pending)`` is passed to the walk
    (see ``stepgrad.graph.backward``). Returns the nodes in topological order.
    """
    global current_walk
    if not root._requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: "
            "nothing it was computed from requires a gradient. Create the inputs with "
            "requires_grad=True (or call .requires_grad_()), and make sure the forward "
            "pass did not run inside no_grad()."
        )
    if retain_graph is None:
        retain_graph = create_graph
    if anomaly_mode.state.enabled:
        observer = anomaly_mode.checking_observer(observer)
    # The plain pass, loss.backward(), records nothing and nobody watches it, so the
    # gradients flow between nodes as bare numpy arrays, and the Functions whose
    # backward formulas mean the same on arrays run on them directly
    # (Function.backward_on_arrays): a Tensor around every intermediate result would
    # only cost time. Whoever looks at the gradients on the way (an observer such as
    # the stepper or detect_anomaly, grad(), create_graph) gets Tensors, as always.
    on_arrays = observer is None and not create_graph and _captured is None
    walk = _Walk(retain_graph, create_graph, _captured, on_arrays)
    seed = _seed(root, gradient, walk)
    previous_walk, previous_mode = current_walk, grad_mode.state.enabled
    current_walk = walk
    grad_mode.state.enabled = create_graph  # the backward formulas are recorded only if asked
    try:
        return graph.backward(root, seed, observer)
    finally:
        current_walk = previous_walk
        grad_mode.state.enabled = previous_mode


def _seed(root, gradient, walk):
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs: this tensor has "
                f"shape {tuple(root.shape)}. Reduce it to one number first (.sum() or "
                f".mean()), or pass backward(gradient=...) a tensor of shape "
                f"{tuple(root.shape)} holding d(something)/d(this tensor)."
            )
        data = root.data
        # np.array(1, dtype) is several times faster than np.ones_like for the usual 0-d loss.
        seed = np.array(1, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        return seed if walk.on_arrays else _make(seed)
    if not isinstance(gradient, Tensor):
        gradient = _make(np.asarray(gradient, dtype=root.data.dtype))
    if gradient.shape != root.shape:
        raise RuntimeError(
            f"Mismatch in shape: gradient has a shape of {tuple(gradient.shape)} and the "
            f"tensor backward was called on has a shape of {tuple(root.shape)}. Pass a "
            f"gradient with exactly the tensor's shape."
        )
    if gradient.data.dtype != root.data.dtype:
        gradient = gradient.to(root.dtype)
    walk.stored_arrays.add(id(gradient.data))  # the caller's array: never store it as a .grad
    return gradient.data if walk.on_arrays else gradient


def accumulate(tensor, grad):
    """Add ``grad`` (a Tensor, or an array in a pass on arrays) into ``tensor.grad``
    (the first time, store it)."""
    walk = current_walk
    if walk is not None and walk.on_arrays and not isinstance(grad, Tensor):
        # The plain pass, and almost every gradient: an array (or the numpy scalar two
        # 0-d arrays add up to), kept as it is when fresh (most are, such as a matmul's
        # result), copied when it may be shared (a view, the caller's seed, an array
        # another tensor's .grad already holds).
        array = grad if type(grad) is np.ndarray else np.asarray(grad)
        stored = walk.stored_arrays
        if array.base is not None or id(array) in stored:
            array = array.copy()
        stored.add(id(array))
        grad = _make(array)
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        return
    if walk is None:
        walk = _Walk(retain_graph=True, create_graph=False)
    captured = walk.captured
    if captured is not None:
        key = id(tensor)
        if key in captured:
            previous = captured[key]
            captured[key] = grad if previous is None else previous + grad
        return
    if not walk.create_graph:
        array = grad.data
        # Keep the array itself when it is fresh, copy it when it may be shared (see above).
        if array.base is not None or id(array) in walk.stored_arrays or grad.grad_fn is not None:
            array = array.copy()
            grad = _make(array)
        walk.stored_arrays.add(id(array))
    if tensor.grad is None:
        tensor.grad = grad
    else:
        tensor.grad = tensor.grad + grad


def accumulate_with_hooks(tensor, grad):
    """Run ``tensor``'s hooks on ``grad``, store the result as usual, and return it to flow on."""
    if not isinstance(grad, Tensor):  # a pass on arrays: hooks get the Tensor they expect
        grad = _make(np.asarray(grad))
    grad = hooks.run_hooks(tensor, grad)
    if tensor._retains_grad or (tensor.grad_fn is None and tensor._requires_grad):
        accumulate(tensor, grad)
    return grad


def grad(
    outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than stored.

    As ``torch.autograd.grad``: ``outputs`` and ``inputs`` are tensors or sequences
    of tensors; ``grad_outputs`` holds d(something)/d(output) for each output
    (needed for outputs with more than one element). Returns a tuple with one
    gradient per input; no ``.grad`` is changed. With ``create_graph=True`` the
    gradients are themselves part of a graph, so they can be differentiated again.

    >>> import stepgrad
    >>> x = stepgrad.tensor(3.0, requires_grad=True)
    >>> (dy_dx,) = stepgrad.autograd.grad(x**3, x, create_graph=True)
    >>> dy_dx
    tensor(27., grad_fn=<MulBackward>)
    >>> stepgrad.autograd.grad(dy_dx, x)
    (tensor(18.),)
    """
    outputs = _as_tensor_tuple(outputs, "outputs")
    inputs = _as_tensor_tuple(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = (
            tuple(grad_outputs) if isinstance(grad_outputs, list | tuple) else (grad_outputs,)
        )
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(
                f"grad requires one grad_output per output: got {len(grad_outputs)} "
                f"grad_outputs for {len(outputs)} outputs. Pass a list with one tensor (or "
                f"None, for a one-element output) per output."
            )
    for index, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors does not require grad: inputs[{index}] "
                f"(shape {tuple(tensor.shape)}). Its gradient would always be zero. Create it "
                f"with requires_grad=True before computing the outputs from it, or leave it out."
            )
    for index, tensor in enumerate(outputs):
        if not tensor.requires_grad:
            raise RuntimeError(
                f"element {index} of tensors does not require grad and does not have a grad_fn: "
                f"outputs[{index}] was not computed from any tensor that requires grad. Compute "
                f"it from the inputs (outside no_grad()), or leave it out of outputs."
            )
    if retain_graph is None:
        retain_graph = create_graph
    captured = {id(tensor): None for tensor in inputs}
    # Non-leaf inputs keep their gradient only when retained: retain them during the walk.
    borrowed = [(t, t._keeps_grad) for t in inputs if t.grad_fn is not None and not t._retains_grad]
    for tensor, _ in borrowed:
        tensor._retains_grad = tensor._keeps_grad = True
    try:
        last = len(outputs) - 1
        for index, (output, grad_output) in enumerate(zip(outputs, grad_outputs)):
            # Every walk but the last keeps the graph: the outputs may share parts of it.
            keep = retain_graph or index < last
            run_backward(output, grad_output, keep, create_graph, _captured=captured)
    finally:
        for tensor, keeps_grad in borrowed:
            tensor._retains_grad = False
            tensor._keeps_grad = keeps_grad
    results = []
    for index, tensor in enumerate(inputs):
        gradient = captured[id(tensor)]
        if gradient is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors appears to not have been used in the graph: "
                f"inputs[{index}] (shape {tuple(tensor.shape)}) does not reach any output. Set "
                f"allow_unused=True to get None as its gradient, or check that the outputs "
                f"were computed from it (a detach() on the way cuts the graph)."
            )
        if gradient is not None and not create_graph and gradient.grad_fn is None:
            gradient = _make(
                gradient.data.copy() if gradient.data.base is not None else gradient.data
            )
        results.append(gradient)
    return tuple(results)


def _as_tensor_tuple(value, name):
    if isinstance(value, Tensor):
        return (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(t, Tensor) for t in value):
        return tuple(value)
    raise TypeError(
        f"grad expects {name} to be a Tensor or a non-empty list or tuple of Tensors, got "
        f"{type(value).__name__}. Write e.g. stepgrad.autograd.grad(loss, [w, b])."
    )


from stepgrad.autograd import hooks

"""Function: the one way to define a differentiable operation, as in PyTorch.

A Function states an operation's forward rule and its backward rule side by
side::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):            # numpy arrays in, a numpy array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):           # a Tensor in, one Tensor (or None) per input out
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    y = Mul.apply(x, w)

``forward`` receives each Tensor argument as its numpy array (``.data``) and
every other argument unchanged. ``backward`` receives d(loss)/d(output) as a
Tensor and returns one gradient per forward argument (None for arguments
that are not tensors or need no gradient). It is written with Tensor
operations, so that the backward pass can itself be differentiated
(``create_graph=True``); the ordinary backward runs it with grad mode off,
where those operations cost little more than the numpy calls.
Shapes: a gradient may keep the broadcast shape of the output; the engine
sums it back to each input's shape (``stepgrad.functions.broadcast.unbroadcast``).

The ``ctx`` passed to both methods is the graph node itself (``y.grad_fn``,
printed as ``<MulBackward>``): it holds the inputs, what forward saved, and
any attribute forward sets on it for backward (``ctx.dim = dim``).
"""

import weakref

import numpy as np

from stepgrad.autograd import grad_mode
from stepgrad.tensor import (
    Tensor,
    _make,
    _new_tensor,
    _next_seq,
    _settle_dtype,
    broadcast_error,
    in_place_changes,
)

_grad_mode = grad_mode.state


class BackwardNode:
    """What an operation leaves in the graph: ``grad_fn`` of its output, ``ctx`` of its Function.

    ``function`` is the Function that made it; ``inputs`` are the Tensor
    arguments of the forward call, in order; ``needs_input_grad`` says, per
    forward argument, whether backward must compute its gradient. Forward may
    set any other attribute for backward. ``name()`` says which operation it
    is ('MulBackward'), as in PyTorch.

    Every node is of this one class (PyTorch has a class per operation): code
    that runs for every node, such as the backward walk, then reads the same
    attributes of the same class each time, which Python does fastest.
    """

    function = None  # set by Function.apply
    # Defaults that most nodes keep, so that apply() need not set them on each one.
    _saved = ()  # what save_for_backward kept; None once backward has freed it
    _output = None  # a weak reference to the output Tensor (see _saved_output)
    _input_positions = None  # positions of the Tensor arguments, when some are not Tensors
    _saved_versions = None  # each input's _version when forward saved; None: all were 0
    _creation_site = None  # where the user's code created this node, in detect_anomaly() only
    _in_place_changes_at_forward = -1  # see tensor.in_place_changes; set when forward saves

    def save_for_backward(self, *arrays):
        """Keep arrays for backward: the forward's inputs or its output.

        They come back in backward as Tensors from ``ctx.saved_tensors``: an
        input comes back as that input Tensor, the output as a Tensor whose
        grad_fn is this node, so both stay connected to the graph and the
        backward formula can be differentiated again. Any other array comes
        back as a constant Tensor.
        """
        self._saved = arrays

    @property
    def saved_tensors(self):
        """The arrays given to ``save_for_backward``, as Tensors (see there).

        In a backward pass on arrays (see ``Function.backward_on_arrays``), the
        arrays themselves, after the same check that none was changed in place.
        """
        saved = self._saved
        if saved is None:
            raise RuntimeError(_freed_message(self))
        walk = _engine.current_walk
        if walk is not None and walk.on_arrays and self.function.backward_on_arrays:
            if in_place_changes.count != self._in_place_changes_at_forward:
                self._check_saved_arrays(saved)  # something changed in place: was it ours?
            return saved
        self._check_saved_arrays(saved)  # changed in place since: the formula would be wrong
        inputs = self.inputs
        output = self._saved_output()
        tensors = []
        for array in saved:
            if output is not None and array is output.data:
                tensors.append(output)
                continue
            for tensor in inputs:
                if tensor.data is array:
                    tensors.append(tensor)
                    break
            else:
                is_array = isinstance(array, np.ndarray | np.generic)
                tensors.append(_make(np.asarray(array)) if is_array else array)
        return tuple(tensors)

    def _check_saved_arrays(self, saved):
        """Raise if an input or the output whose array forward saved was changed in place since."""
        inputs = self.inputs
        versions = self._saved_versions
        output = self._saved_output()
        for array in saved:
            if output is not None and array is output.data:
                if output._version != 0:
                    raise RuntimeError(_modified_message(self, "the output", output, 0))
                continue
            for index, tensor in enumerate(inputs):
                if tensor.data is array:
                    expected = 0 if versions is None else versions[index]
                    if tensor._version != expected:
                        raise RuntimeError(
                            _modified_message(self, f"input {index}", tensor, expected)
                        )
                    break

    def _saved_output(self):
        # The output Tensor, while it lives: a saved array that is its data comes back as
        # it, so that this node appears once in a graph of gradients (create_graph=True).
        # A weak reference: the output already refers to this node (a cycle otherwise). A
        # backward pass reaches a node through its output, so there it always lives.
        reference = self._output
        return None if reference is None else reference()

    def name(self):
        """The operation's name, e.g. 'MulBackward' (a method, as PyTorch's ``grad_fn.name()``)."""
        return f"{self.function.__name__}Backward"

    @property
    def next_functions(self):
        """Where backward goes next, as in PyTorch: one ``(node, 0)`` pair per Tensor input.

        The node is the input's ``grad_fn``; for a leaf that requires grad, an
        ``AccumulateGrad`` holding it as ``.variable``; None for an input that needs no
        gradient.
        """
        return tuple((_next_function(tensor), 0) for tensor in self.inputs)

    def _backprop(self, grad_output):
        """Run the Function's backward and shape its result for the graph walk.

        Returns one gradient per Tensor input (None where none is needed),
        summed back to the input's shape and cast to its dtype: numpy arrays in a
        pass on arrays (see ``Function.backward_on_arrays``), Tensors otherwise.
        """
        if self._saved is None:
            raise RuntimeError(_freed_message(self))
        walk = _engine.current_walk
        function = self.function
        # In a pass on arrays, what reaches a node may be either kind (a hook returns a
        # Tensor; two 0-d arrays add up to a numpy scalar): give the formula its kind.
        if walk is None or not walk.on_arrays:
            kind = Tensor
        elif function.backward_on_arrays:
            kind = np.ndarray
            if type(grad_output) is not np.ndarray:
                grad_output = _as_array(grad_output)
        else:
            kind = np.ndarray
            if type(grad_output) is not Tensor:
                grad_output = _make(_as_array(grad_output))
        grads = function.backward(self, grad_output)
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(self.needs_input_grad):
            raise RuntimeError(
                f"{self.name()}: {function.__name__}.backward returned {len(grads)} "
                f"gradient(s), but forward took {len(self.needs_input_grad)} argument(s). "
                f"Return one gradient per forward argument, None for those that need none."
            )
        positions = self._input_positions
        if positions is not None:  # some forward arguments were not tensors: skip their slots
            grads = tuple([grads[position] for position in positions])
        if walk is None or not walk.retain_graph:
            self._saved = None  # free what forward kept; a second backward now fails clearly
        # Most gradients already have the input's kind, shape and dtype (the very dtype
        # object, so `is` settles it), and then go on as they are.
        if kind is np.ndarray:
            for tensor, grad in zip(self.inputs, grads):
                if grad is not None and (
                    type(grad) is not np.ndarray
                    or not tensor._requires_grad
                    or grad.shape != tensor.data.shape
                    or grad.dtype is not tensor.data.dtype
                ):
                    return self._fit_to_inputs(grads, kind)
            return grads
        for tensor, grad in zip(self.inputs, grads):
            if grad is not None and (
                type(grad) is not Tensor
                or not tensor._requires_grad
                or grad.data.shape != tensor.data.shape
                or grad.data.dtype is not tensor.data.dtype
            ):
                return self._fit_to_inputs(grads, kind)
        return grads

    def _fit_to_inputs(self, grads, kind):
        """One gradient per input (None where none is needed), each fitted to its input."""
        contributions = []
        for index, (tensor, grad) in enumerate(zip(self.inputs, grads)):
            if grad is not None and tensor._requires_grad:
                grad = self._fit_to_input(index, tensor, grad, kind)
            else:
                grad = None
            contributions.append(grad)
        return contributions

    def _fit_to_input(self, index, tensor, grad, kind=None):
        """``grad`` (a Tensor, an array or a number) as a gradient of the input's shape
        (summed over broadcast) and dtype: a Tensor, or an array if ``kind`` says so."""
        if isinstance(grad, np.ndarray):
            grad = _make(grad)
        elif not isinstance(grad, Tensor):
            grad = _make(np.asarray(grad, dtype=tensor.data.dtype))
        if grad.data.shape != tensor.data.shape:
            grad = _reduce_to_shape(self, index, grad, tensor.data.shape)
        if grad.data.dtype != tensor.data.dtype:
            grad = grad.to(tensor.dtype)
        return grad.data if kind is np.ndarray else grad

    def __repr__(self):
        return f"<{self.name()}>"


class Function:
    """Base class of every differentiable operation; subclass it and call ``apply``.

    >>> import numpy as np
    >>> import stepgrad
    >>> from stepgrad.autograd import Function
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         ctx.save_for_backward(a)
    ...         return a**3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (a,) = ctx.saved_tensors
    ...         return grad * 3 * a**2
    >>> x = stepgrad.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)
    """

    # numpy widens some results where PyTorch does not (a 0-d float32 array times a
    # Python float is float64 on numpy 1.x). With this True, a float output gets
    # the widest float dtype of the Tensor inputs (float32 if none is float).
    output_dtype_from_inputs = True

    # In the plain backward pass (``loss.backward()``: nothing recorded, nobody
    # watching), a Function with this True gets its gradient and saved_tensors as
    # bare numpy arrays instead of Tensors, and may return arrays: its formula must
    # use only what arrays and Tensors share (arithmetic, @, comparisons, .T,
    # .reshape, .sum(dim), .clip, .ndim, .shape). It saves a Tensor around every
    # intermediate result. Left False (the default, and right for your own
    # Functions), backward always works on Tensors.
    backward_on_arrays = False

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args):
        """Run forward on the arguments' arrays; record a graph node when a gradient is needed."""
        node = BackwardNode()
        node.function = cls
        arrays = []
        inputs = []
        needs_input_grad = []
        versions = []  # each input's _version now, for backward to tell an in-place change
        positions = None  # where the Tensor arguments are, once some argument is not one
        for arg in args:
            if isinstance(arg, Tensor):
                if positions is not None:
                    positions.append(len(arrays))
                arrays.append(arg.data)
                inputs.append(arg)
                needs_input_grad.append(arg._requires_grad)
                versions.append(arg._version)
            else:
                if positions is None:
                    positions = list(range(len(arrays)))  # every argument so far
                arrays.append(arg)
                needs_input_grad.append(False)
        record = True in needs_input_grad and _grad_mode.enabled
        node.inputs = inputs = tuple(inputs)
        node.needs_input_grad = tuple(needs_input_grad) if record else (False,) * len(args)
        if record and positions is not None:
            node._input_positions = tuple(positions)
        try:
            returned = cls.forward(node, *arrays)
        except ValueError as error:
            if len(inputs) < 2:
                raise
            raise broadcast_error(cls.__name__, inputs[0], inputs[1], error) from None
        # numpy gives scalars, not arrays, for 0-d results (and may widen the dtype).
        out = returned if type(returned) is np.ndarray else np.asarray(returned)
        dtype = out.dtype
        # Identity first: the usual result has its input's very dtype object.
        if (
            inputs
            and dtype is not inputs[0].data.dtype
            and dtype != inputs[0].data.dtype
            and cls.output_dtype_from_inputs
        ):
            out = _settle_dtype(out, inputs)
            dtype = out.dtype
        if not record or dtype.kind != "f":
            return _make(out)  # nothing to differentiate: the node is dropped here
        # _make(out, node), inlined: this runs for every recorded operation.
        result = _new_tensor(Tensor)
        result.data = out
        result._seq = _next_seq()
        result.grad_fn = node
        result.inputs = inputs
        result._requires_grad = True
        saved = node._saved
        if saved:
            node._in_place_changes_at_forward = in_place_changes.count
            if any(versions):  # all 0 (before any in-place change): nothing to keep
                node._saved_versions = versions
            node._output = weakref.ref(result)  # see _saved_output
            if out is not returned:  # forward saved the number numpy gave: keep the array
                node._saved = tuple([out if array is returned else array for array in saved])
        if _anomaly_mode.enabled:  # off by default: ordinary forward passes record no frames
            node._creation_site = creation_site()
        return result


def _as_array(grad):
    return grad.data if isinstance(grad, Tensor) else np.asarray(grad)


def _reduce_to_shape(node, index, grad, shape):
    try:
        return unbroadcast(grad, shape)
    except ValueError as error:
        raise RuntimeError(
            f"{node.name()}: {node.function.__name__}.backward returned a gradient of shape "
            f"{tuple(grad.shape)} for input {index}, whose shape is {tuple(shape)}. {error}"
        ) from None


def _modified_message(node, which, tensor, expected_version):
    site = node._creation_site
    where = f" {node.name()} was created at {site}." if site is not None else ""
    return (
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {which} of {node.name()} (a {tensor.dtype} tensor of shape "
        f"{tuple(tensor.shape)}) is at version {tensor._version}; expected version "
        f"{expected_version} instead. {node.name()} saved it for backward, and it was changed "
        f"in place afterwards, so its gradient would be computed from the wrong values.{where} "
        f"Use an out-of-place operation (x = x * 2 instead of x.mul_(2)), or pass x.clone() "
        f"to {node.name()}'s operation so it keeps its own copy."
    )


def _freed_message(node):
    return (
        f"{node.name()}: trying to backward through the graph a second time (or to read "
        f"saved tensors after they were freed). Backward frees what each operation saved "
        f"once it has used it. Call .backward(retain_graph=True) the first time if you need "
        f"to backward through the same graph again, or recompute the forward pass."
    )


# Imported last: these modules import this one.
from stepgrad.autograd import engine as _engine
from stepgrad.autograd.anomaly_mode import creation_site
from stepgrad.autograd.anomaly_mode import state as _anomaly_mode
from stepgrad.functions.broadcast import unbroadcast


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad: backward ends there."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def _next_function(tensor):
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    return AccumulateGrad(tensor) if tensor.requires_grad else None

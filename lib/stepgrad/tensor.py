"""Tensor: a numpy array that remembers how it was computed.

A Tensor holds its values in ``data`` (a numpy array). When it is computed
from tensors that require a gradient, it also holds ``grad_fn``, the graph
node of the operation that made it (``<MulBackward>``), whose ``inputs`` are
the tensors it was made from. ``backward()`` walks those nodes from the
output back to the leaves and leaves d(output)/d(leaf) in each leaf's ``.grad``.

    >>> import stepgrad
    >>> x = stepgrad.tensor([2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y
    tensor(13., grad_fn=<SumBackward>)
    >>> y.backward()
    >>> x.grad
    tensor([4., 6.])

Every differentiable method here calls one ``Function`` from
``stepgrad.functions``; that class is where the operation's derivative is
written. Arithmetic has a shortcut: when grad mode is off (inside
``no_grad()``, and while backward runs), it calls numpy directly, because no
graph is being recorded and the Function machinery would only cost time.
"""

import copy
import numbers
import weakref
from collections import namedtuple

import numpy as np

from stepgrad import dtypes, graph

_next_seq = graph.creation_counter.__next__

# What max(dim=...) and min(dim=...) return, as in PyTorch.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


class Tensor:
    """An n-dimensional array of numbers with reverse-mode automatic differentiation.

    ``Tensor(data)`` converts like ``stepgrad.tensor(data)`` but keeps a numpy
    array it is given instead of copying it; most code calls ``stepgrad.tensor``.
    """

    # Slots for what every tensor sets when it is made, because tensors are made for
    # every operation and slots are the cheapest attributes to set and read. What most
    # tensors never change is a class attribute below instead: an operation's output
    # does not pay for setting it, and the few tensors that change it (parameters
    # receive .grad, an in-place change counts a version) keep their own value in a
    # small __dict__ made only for them.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_requires_grad",
        "_seq",
        "data",
        "grad_fn",
        "inputs",  # the node protocol's inputs: grad_fn.inputs, or () for a leaf (kept in step)
    )
    grad = None
    label = ""
    _retains_grad = False
    _version = 0  # counts in-place changes (see _bump_version)
    _aliases = None  # set by detach(): weak references to every tensor sharing this array
    _is_parameter = False  # made by nn.Parameter (see there)
    # Whether the backward walk must call _accumulate here (see stepgrad.graph): set for
    # leaves that require grad, retained tensors and tensors with hooks.
    _keeps_grad = False

    # The graph walk asks every root this (see stepgrad.graph): Tensors return what they send.
    _pushes_gradients = False

    # numpy must leave `array * tensor` to Tensor.__rmul__ instead of converting the tensor.
    __array_ufunc__ = None

    def __init__(self, data, dtype=None, requires_grad=False):
        if isinstance(data, Tensor):
            array = data.data if dtype is None else data.data.astype(dtypes.as_numpy_dtype(dtype))
        else:
            array = _to_array(data, dtype, copy=False)
        self.data = array
        self.grad_fn = None
        self.inputs = ()
        self._requires_grad = False
        self._seq = _next_seq()
        if requires_grad:
            self.requires_grad = True

    # --- the node protocol (see stepgrad.graph) -----------------------------

    # ``inputs``, the tensors the operation that made this one took (() for a leaf),
    # is a slot set with grad_fn: the graph walks read it for every node.

    @property
    def op(self):
        """The name of the operation that made this tensor ('MulBackward'), None for a leaf."""
        return None if self.grad_fn is None else self.grad_fn.name()

    def _backprop(self, grad):
        return self.grad_fn._backprop(grad)

    def _accumulate(self, grad):
        if _hooks_by_tensor and id(self) in _hooks_by_tensor:
            return _engine.accumulate_with_hooks(self, grad)  # may replace what flows on
        if self.grad_fn is None:
            if self._requires_grad:
                _engine.accumulate(self, grad)
        elif self._retains_grad:
            _engine.accumulate(self, grad)

    # --- autograd attributes ------------------------------------------------

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded so a gradient can reach it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables: this tensor was "
                f"computed by {self.op}. To use its value without a gradient, take "
                "t.detach() instead."
            )
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients; this one is "
                f"{self.dtype}. Create it with a float dtype, e.g. "
                f"stepgrad.tensor(..., dtype=stepgrad.float32), or convert it with .float()."
            )
        self._requires_grad = bool(flag) or self.grad_fn is not None
        if self.grad_fn is None:
            self._keeps_grad = self._requires_grad or id(self) in _hooks_by_tensor

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return this tensor."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors not computed by a recorded operation (their .grad is kept)."""
        return self.grad_fn is None

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError(
                    "can't retain_grad on a tensor that has requires_grad=False: no gradient "
                    "will reach it. Set requires_grad=True on the leaves it comes from."
                )
            return  # leaves keep their gradient anyway
        self._retains_grad = self._keeps_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient during backward; returns a handle.

        If the hook returns a tensor, that replaces the gradient (in ``.grad`` and
        in what flows on to the tensors this one was computed from).
        ``handle.remove()`` unregisters it. See ``stepgrad.autograd.hooks``.

        >>> import stepgrad
        >>> x = stepgrad.tensor([1.0, -1.0], requires_grad=True)
        >>> handle = x.register_hook(lambda grad: grad.clamp(min=0))
        >>> (3 * x).sum().backward()
        >>> x.grad
        tensor([3., 3.])
        """
        handle = _hooks.register_hook(self, hook)
        self._keeps_grad = True  # the walk must now call _accumulate here, for the hook
        return handle

    def detach(self):
        """The same values, cut from the graph (shares the array, as in PyTorch).

        The two tensors share one version count too: an in-place change through
        either is seen by a backward that saved the other.
        """
        detached = _make(self.data)
        group = self._aliases
        if group is None:
            group = self._aliases = [weakref.ref(self)]
        group.append(weakref.ref(detached))
        detached._aliases = group
        return detached

    def _bump_version(self):
        """Count an in-place change, on this tensor and on every tensor sharing its array."""
        in_place_changes.count += 1
        self._version += 1
        group = self._aliases  # None for almost every tensor
        if group is not None:
            for reference in group:
                alias = reference()
                if alias is not None and alias is not self:
                    alias._version += 1

    def detach_(self):
        """Cut this tensor from the graph in place, making it a leaf."""
        self.grad_fn = None
        self.inputs = ()
        self._requires_grad = self._keeps_grad = False
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is needed when this tensor has more than one element: it
        holds d(something)/d(self), and backward computes d(something)/d(leaf).
        The graph's saved values are freed afterwards unless ``retain_graph``.

        >>> import stepgrad
        >>> x = stepgrad.tensor([2.0], requires_grad=True)
        >>> (x**2).backward(gradient=stepgrad.tensor([1.0]))
        >>> x.grad
        tensor([4.])
        """
        _engine.run_backward(self, gradient, retain_graph, create_graph)

    # --- shape, dtype and conversions ---------------------------------------

    @property
    def shape(self):
        return self.data.shape

    def size(self, dim=None):
        """The shape, or the length of one dimension."""
        return self.data.shape if dim is None else self.data.shape[dim]

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self.data.dtype)

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    @property
    def device(self):
        return "cpu"  # stepgrad runs on numpy, on the CPU only

    def cpu(self):
        return self

    def contiguous(self):
        return self

    def item(self):
        """The one number in this tensor, as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar: "
                f"item() needs exactly one element, this tensor has shape {tuple(self.shape)}. "
                f"Index one element first (t[0]) or reduce it (t.sum())."
            )
        return self.data.item()

    def tolist(self):
        """The values as (nested) Python lists of Python numbers."""
        return self.data.tolist()

    def numpy(self):
        """The underlying numpy array (shared, not copied)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad: the array would leave the "
                "graph without saying so. Use tensor.detach().numpy() instead."
            )
        return self.data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError(
                "Can't convert a Tensor that requires grad to a numpy array. "
                "Use tensor.detach().numpy() instead."
            )
        return self.data if dtype is None else self.data.astype(dtype)

    def to(self, dtype):
        """This tensor converted to ``dtype`` (itself if it already has it); differentiable.

        ``.to("cpu")`` returns the tensor itself: stepgrad runs on the CPU only, and
        PyTorch code moves tensors to a device this way.
        """
        if dtype == "cpu":
            return self
        numpy_dtype = dtypes.as_numpy_dtype(dtype)
        if self.data.dtype == numpy_dtype:
            return self
        return shape_ops.Cast.apply(self, numpy_dtype)

    def type(self, dtype=None):
        if dtype is None:
            return f"stepgrad.{self.dtype.name}"
        return self.to(dtype)

    def float(self):
        """This tensor as float32."""
        return self.to(dtypes.float32)

    def double(self):
        """This tensor as float64."""
        return self.to(dtypes.float64)

    def long(self):
        """This tensor as int64 (no gradient flows through)."""
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def clone(self):
        """A copy with its own array; gradients flow back to this tensor."""
        return shape_ops.Clone.apply(self)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it has no first dimension to count.")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number; use .item().")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{tuple(self.shape)}). Use .any() or .all() to say which you mean."
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    def __format__(self, spec):
        if self.data.ndim == 0 and spec:
            return format(self.data.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__  # by identity, as in PyTorch (== is elementwise)

    def __repr__(self):
        return _tensor_repr(self)

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol. Deep-copy t.detach() instead."
            )
        copied = type(self).__new__(type(self))
        copied.data = self.data.copy()
        copied.grad_fn = None
        copied.inputs = ()
        copied._requires_grad = self._requires_grad
        copied._seq = _next_seq()
        # What this tensor set for itself (label, version, attributes a subclass adds),
        # except what must not be shared: the copy has its own array, so no aliases,
        # and its own gradient.
        for name, value in self.__dict__.items():
            if name not in ("_aliases", "grad"):
                setattr(copied, name, copy.deepcopy(value, memo))
        if self.grad is not None:
            copied.grad = _make(self.grad.data.copy())
        memo[id(self)] = copied
        return copied

    # --- arithmetic ---------------------------------------------------------
    # Each operator either calls numpy directly (grad mode off: no graph can be
    # recorded) or calls its Function (see stepgrad.functions.elementwise).

    def __add__(self, other):
        if not _grad_mode.enabled and (type(other) in _PLAIN_OPERANDS or _is_number(other)):
            return _quick_binary(np.add, self, other)
        return elementwise.Add.apply(self, _as_tensor(other, self))

    def __radd__(self, other):
        if not _grad_mode.enabled and (type(other) in _NUMBERS or _is_number(other)):
            return _quick_reflected(np.add, self, other)
        return _as_tensor(other, self).__add__(self)

    def __sub__(self, other):
        if not _grad_mode.enabled and (type(other) in _PLAIN_OPERANDS or _is_number(other)):
            return _quick_binary(np.subtract, self, other)
        return elementwise.Sub.apply(self, _as_tensor(other, self))

    def __rsub__(self, other):
        if not _grad_mode.enabled and (type(other) in _NUMBERS or _is_number(other)):
            return _quick_reflected(np.subtract, self, other)
        return _as_tensor(other, self).__sub__(self)

    def __mul__(self, other):
        if not _grad_mode.enabled and (type(other) in _PLAIN_OPERANDS or _is_number(other)):
            return _quick_binary(np.multiply, self, other)
        return elementwise.Mul.apply(self, _as_tensor(other, self))

    def __rmul__(self, other):
        if not _grad_mode.enabled and (type(other) in _NUMBERS or _is_number(other)):
            return _quick_reflected(np.multiply, self, other)
        return _as_tensor(other, self).__mul__(self)

    def __truediv__(self, other):
        if not _grad_mode.enabled and (type(other) in _PLAIN_OPERANDS or _is_number(other)):
            return _quick_binary(np.true_divide, self, other)
        return elementwise.Div.apply(self, _as_tensor(other, self))

    def __rtruediv__(self, other):
        if not _grad_mode.enabled and (type(other) in _NUMBERS or _is_number(other)):
            return _quick_reflected(np.true_divide, self, other)
        return _as_tensor(other, self).__truediv__(self)

    def __neg__(self):
        if not _grad_mode.enabled:
            return _make(-self.data)
        return elementwise.Neg.apply(self)

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            return elementwise.PowTensor.apply(self, exponent)
        if not _is_number(exponent):
            return NotImplemented
        if not _grad_mode.enabled:
            return _quick(self.data**exponent, self, exponent)
        return elementwise.Pow.apply(self, exponent)

    def __rpow__(self, base):
        return _as_tensor(base, self).__pow__(self)

    def __matmul__(self, other):
        if type(other) is not Tensor:
            other = _as_tensor(other, self)
        if not _grad_mode.enabled:
            try:
                return _quick(self.data @ other.data, self, other)
            except ValueError:
                raise linalg.cannot_multiply_error(self.data.shape, other.data.shape) from None
        return linalg.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return _as_tensor(other, self).__matmul__(self)

    def add(self, other):
        return self + other

    def sub(self, other):
        return self - other

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def neg(self):
        return -self

    def pow(self, exponent):
        return self**exponent

    def matmul(self, other):
        return self @ other

    # --- comparisons: bool tensors, never part of the graph ------------------

    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other):
        return _compare(np.logical_and, self, other)

    def __or__(self, other):
        return _compare(np.logical_or, self, other)

    def __xor__(self, other):
        return _compare(np.logical_xor, self, other)

    def __invert__(self):
        if self.data.dtype != np.bool_:
            raise TypeError("~ is only defined for bool tensors here; use -t to negate numbers.")
        return _make(~self.data)

    def logical_not(self):
        return _make(np.logical_not(self.data))

    def any(self):
        return _make(np.asarray(self.data.any()))

    def all(self):
        return _make(np.asarray(self.data.all()))

    def sign(self):
        """-1, 0 or 1 per element; its derivative is 0 everywhere, so no graph is kept."""
        return _make(np.sign(self.data))

    def argmax(self, dim=None, keepdim=False):
        return _make(np.asarray(np.argmax(self.data, axis=dim, keepdims=keepdim)))

    def argmin(self, dim=None, keepdim=False):
        return _make(np.asarray(np.argmin(self.data, axis=dim, keepdims=keepdim)))

    # --- elementwise functions ----------------------------------------------

    def exp(self):
        return elementwise.Exp.apply(self)

    def log(self):
        return elementwise.Log.apply(self)

    def sqrt(self):
        return elementwise.Sqrt.apply(self)

    def abs(self):
        return elementwise.Abs.apply(self)

    def __abs__(self):
        return elementwise.Abs.apply(self)

    def relu(self):
        return elementwise.ReLU.apply(self)

    def sigmoid(self):
        return elementwise.Sigmoid.apply(self)

    def tanh(self):
        return elementwise.Tanh.apply(self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp needs at least one of min and max.")
        if not _grad_mode.enabled:
            data = self.data if min is None else np.maximum(self.data, min)
            return _quick(data if max is None else np.minimum(data, max), self, None)
        return elementwise.Clamp.apply(self, min, max)

    clip = clamp

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (as torch.Tensor.where)."""
        return where(condition, self, other)

    # --- reductions ---------------------------------------------------------

    def sum(self, dim=None, keepdim=False):
        if not _grad_mode.enabled:
            data = self.data
            if data.dtype.kind == "f":  # add.reduce skips sum()'s Python wrapper
                total = np.add.reduce(data, _dims(dim), None, None, keepdim)
            else:
                total = data.sum(axis=_dims(dim), keepdims=keepdim)
            return _quick(total, self, None)
        return reductions.Sum.apply(self, _dims(dim), keepdim)

    def mean(self, dim=None, keepdim=False):
        if self.data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be a floating point "
                f"dtype, got {self.dtype}. Convert first with .float()."
            )
        return reductions.Mean.apply(self, _dims(dim), keepdim)

    def max(self, dim=None, keepdim=False):
        """The largest element; with ``dim``, (values, indices) along that dimension."""
        if isinstance(dim, Tensor):
            return elementwise.Maximum.apply(self, dim)
        if dim is None:
            return reductions.MaxAll.apply(self)
        values = reductions.Max.apply(self, dim, keepdim)
        return ValuesIndices(values, self.argmax(dim, keepdim))

    def min(self, dim=None, keepdim=False):
        """The smallest element; with ``dim``, (values, indices) along that dimension."""
        if isinstance(dim, Tensor):
            return elementwise.Minimum.apply(self, dim)
        if dim is None:
            return reductions.MinAll.apply(self)
        values = reductions.Min.apply(self, dim, keepdim)
        return ValuesIndices(values, self.argmin(dim, keepdim))

    def maximum(self, other):
        return elementwise.Maximum.apply(self, _as_tensor(other, self))

    def minimum(self, other):
        return elementwise.Minimum.apply(self, _as_tensor(other, self))

    def softmax(self, dim):
        return reductions.Softmax.apply(self, dim)

    def log_softmax(self, dim):
        return reductions.LogSoftmax.apply(self, dim)

    # --- shape and indexing -------------------------------------------------

    def reshape(self, *shape):
        shape = _shape_argument(shape)
        if shape == self.data.shape:
            return self if self.grad_fn is None and not self._requires_grad else _view(self)
        return shape_ops.Reshape.apply(self, shape)

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self.data.shape
        if not shape:
            return self.reshape(1)
        start = start_dim % len(shape)
        end = end_dim % len(shape)
        flat = int(np.prod(shape[start : end + 1]))
        return self.reshape(shape[:start] + (flat,) + shape[end + 1 :])

    def transpose(self, dim0, dim1):
        return shape_ops.Transpose.apply(self, dim0, dim1)

    @property
    def T(self):
        if self.data.ndim < 2:
            return self
        if not _grad_mode.enabled:
            return _make(self.data.T)
        if self.data.ndim == 2:
            return shape_ops.Transpose.apply(self, 0, 1)
        return shape_ops.Permute.apply(self, tuple(range(self.data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def t(self):
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.data.ndim}D.")
        return self.T

    def permute(self, *dims):
        return shape_ops.Permute.apply(self, _shape_argument(dims))

    def unsqueeze(self, dim):
        return shape_ops.Unsqueeze.apply(self, dim)

    def squeeze(self, dim=None):
        return shape_ops.Squeeze.apply(self, dim)

    def expand(self, *sizes):
        sizes = _shape_argument(sizes)
        lead = len(sizes) - self.data.ndim
        shape = tuple(
            self.data.shape[i - lead] if size == -1 else size for i, size in enumerate(sizes)
        )
        return shape_ops.Expand.apply(self, shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def __getitem__(self, key):
        return shape_ops.Index.apply(self, _index_key(key))

    # --- in-place operations --------------------------------------------------
    # They change ``data`` and bump ``_version`` (so a change to a tensor that
    # backward still needs can be detected).

    def __setitem__(self, key, value):
        self._check_inplace("__setitem__", value)
        self.data[_index_key(key)] = value.data if isinstance(value, Tensor) else value
        self._bump_version()

    def add_(self, other, alpha=1):
        return self._inplace("add_", np.add, other if alpha == 1 else _data(other) * alpha)

    def sub_(self, other, alpha=1):
        return self._inplace("sub_", np.subtract, other if alpha == 1 else _data(other) * alpha)

    def mul_(self, other):
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other):
        return self._inplace("div_", np.true_divide, other)

    def pow_(self, exponent):
        return self._inplace("pow_", np.power, exponent)

    def neg_(self):
        return self._inplace("neg_", np.multiply, -1)

    def clamp_(self, min=None, max=None):
        self._check_inplace("clamp_")
        np.clip(self.data, min, max, out=self.data)
        self._bump_version()
        return self

    def zero_(self):
        # Not fill_(0): an error about this call must name zero_, the method the learner wrote.
        self._check_inplace("zero_")
        self.data.fill(0)
        self._bump_version()
        return self

    def fill_(self, value):
        self._check_inplace("fill_")
        self.data.fill(_data(value))
        self._bump_version()
        return self

    def copy_(self, source):
        self._check_inplace("copy_")
        np.copyto(self.data, _data(source), casting="same_kind")
        self._bump_version()
        return self

    def uniform_(self, a=0.0, b=1.0):
        self._check_inplace("uniform_")
        self.data[...] = creation.default_generator.uniform(a, b, self.data.shape)
        self._bump_version()
        return self

    def normal_(self, mean=0.0, std=1.0):
        self._check_inplace("normal_")
        self.data[...] = creation.default_generator.normal(mean, std, self.data.shape)
        self._bump_version()
        return self

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def _inplace(self, name, ufunc, other):
        self._check_inplace(name, other)
        try:
            ufunc(self.data, _data(other), out=self.data, casting="same_kind")
        except TypeError as error:  # numpy's UFuncTypeError, e.g. a float into an int tensor
            raise RuntimeError(
                f"{name}: the result has a different dtype than this tensor ({self.dtype}) "
                f"and cannot be stored in it ({error}). Use the out-of-place form instead."
            ) from None
        self._bump_version()
        return self

    def _check_inplace(self, name, other=None):
        if not _grad_mode.enabled:
            return
        if isinstance(other, Tensor) and other._requires_grad:
            raise RuntimeError(
                f"{name} with an operand that requires grad: stepgrad does not record "
                f"in-place operations, so no gradient would reach that operand. Use the "
                f"out-of-place form (y = y + w), or stepgrad.where, cat or stack to assemble "
                f"a result."
            )
        if not self._requires_grad:
            return
        if self.grad_fn is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}). Changing a leaf in place would hide the change from autograd. "
                f"Update parameters inside `with stepgrad.no_grad():`, or use the out-of-place "
                f"form (x = x + ...)."
            )
        raise RuntimeError(
            f"{name}: in-place operations on a tensor that is part of a recorded graph (this "
            f"one was computed by {self.op}) are not supported by stepgrad. Use the "
            f"out-of-place form (y = y + ...), or run the update inside no_grad()."
        )


# ---------------------------------------------------------------------------
# Making tensors quickly and converting operands
# ---------------------------------------------------------------------------

_new_tensor = object.__new__


class _Counter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0


# In-place changes to any tensor so far. A graph node notes it when forward saves arrays;
# if it is unchanged when backward reads them (almost always), none of them can have
# been changed in place, and backward skips checking each one's version.
in_place_changes = _Counter()


def _make(array, grad_fn=None):
    """A Tensor around ``array`` (no copy, no checks): how operations make their outputs."""
    tensor = _new_tensor(Tensor)
    tensor.data = array
    tensor._seq = _next_seq()
    tensor.grad_fn = grad_fn
    if grad_fn is None:
        tensor.inputs = ()
        tensor._requires_grad = False
    else:
        tensor.inputs = grad_fn.inputs
        tensor._requires_grad = True
    return tensor


def _view(tensor):
    # reshape to the same shape must still give a new graph node, so that the
    # result can be drawn and retained separately: a Reshape with no effect.
    return shape_ops.Reshape.apply(tensor, tensor.data.shape)


# Operand types that take the no-graph shortcut without asking _is_number (the usual ones).
_NUMBERS = frozenset((float, int))
_PLAIN_OPERANDS = frozenset((Tensor, float, int))


def _is_number(value):
    return type(value) is float or type(value) is int or isinstance(value, numbers.Number)


def _data(value):
    return value.data if isinstance(value, Tensor) else value


def _quick(result, a, b):
    """Wrap a numpy result computed without the graph, with PyTorch's dtype."""
    if type(result) is not np.ndarray or result.dtype != a.data.dtype:  # rare: one test
        result = _settle_quick_dtype(result, a, b)
    return _make(result)


def _settle_quick_dtype(result, a, b):
    result = np.asarray(result)
    if result.dtype != a.data.dtype:
        result = _settle_dtype(result, (a, b) if isinstance(b, Tensor) else (a,))
    return result


def _quick_reflected(ufunc, a, number):
    """``ufunc(number, a)`` on the array, for ``2 - t`` and the like when no graph is recorded."""
    result = ufunc(number, a.data)  # the ufunc itself: ndarray's reflected operator costs more
    if type(result) is not np.ndarray or result.dtype != a.data.dtype:
        result = _settle_quick_dtype(result, a, number)
    return _make(result)


def _quick_binary(ufunc, a, b):
    """``ufunc(a, b)`` on the arrays, for arithmetic when no graph is recorded."""
    try:
        result = ufunc(a.data, b.data if type(b) is Tensor else b)
    except ValueError as error:
        raise broadcast_error(ufunc.__name__, a, b, error) from None
    # _quick inlined: this runs for every arithmetic operation of every backward formula.
    if type(result) is not np.ndarray or result.dtype != a.data.dtype:
        result = _settle_quick_dtype(result, a, b)
    # _make(result) inlined, for the same reason: one Python call fewer per operation.
    tensor = _new_tensor(Tensor)
    tensor.data = result
    tensor._seq = _next_seq()
    tensor.grad_fn = None
    tensor.inputs = ()
    tensor._requires_grad = False
    return tensor


def broadcast_error(operation, a, b, error):
    """The error for operands whose shapes do not broadcast (or numpy's own, for others)."""
    if "broadcast" not in str(error):
        return error
    shape_a, shape_b = np.shape(a.data if isinstance(a, Tensor) else a), np.shape(_data(b))
    return RuntimeError(
        f"{operation}: the shapes {shape_a} and {shape_b} do not broadcast. Compared from "
        f"the last dimension backwards, each pair of sizes must be equal or one of them 1. "
        f"Reshape or unsqueeze one operand (for example b.unsqueeze(-1)) so they line up."
    )


def _settle_dtype(result, inputs):
    """Give a float result the dtype PyTorch would: the widest float input, else float32.

    numpy sometimes widens where PyTorch does not: on numpy 1.x a 0-d float32
    array times a Python float is float64, and integer inputs to exp or
    division give float64 where PyTorch gives float32.
    """
    if result.dtype.kind != "f":
        return result
    widest = None
    for tensor in inputs:
        kind_dtype = tensor.data.dtype
        if kind_dtype.kind == "f" and (widest is None or kind_dtype.itemsize > widest.itemsize):
            widest = kind_dtype
    target = dtypes.default_float.numpy_dtype if widest is None else widest
    return result if result.dtype == target else result.astype(target)


def _as_tensor(value, like):
    """``value`` as a Tensor; a Python number takes ``like``'s dtype where PyTorch would."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return _make(value)
    if isinstance(value, bool | np.bool_):
        return _make(np.asarray(value, dtype=np.bool_))
    kind = like.data.dtype.kind
    if isinstance(value, numbers.Integral):
        numpy_dtype = np.int64 if kind == "b" else like.data.dtype
    elif isinstance(value, numbers.Real):
        numpy_dtype = like.data.dtype if kind == "f" else dtypes.default_float.numpy_dtype
    else:
        raise TypeError(
            f"cannot combine a Tensor with {type(value).__name__} {value!r}: use a Tensor, a "
            f"numpy array or a Python number."
        )
    return _make(np.asarray(value, dtype=numpy_dtype))


def _compare(ufunc, a, b):
    if isinstance(b, Tensor):
        b = b.data
    elif not (isinstance(b, np.ndarray) or _is_number(b)):
        return NotImplemented
    result = ufunc(a.data, b)
    return _make(result if type(result) is np.ndarray else np.asarray(result))


def _dims(dim):
    if dim is None or isinstance(dim, int):
        return dim
    return tuple(dim)


def _shape_argument(shape):
    """reshape(2, 3) and reshape((2, 3)) both mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = shape[0]
    return tuple(int(size) for size in shape)


def _index_key(key):
    """An index as numpy understands it: tensors and lists inside become arrays."""
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, list):
        return np.asarray(key)
    if isinstance(key, tuple):
        return tuple(_index_key(part) for part in key)
    return key


def _to_array(data, dtype=None, copy=True):
    """Convert tensor() data to an array with PyTorch's dtype rules."""
    if dtype is not None:
        numpy_dtype = dtypes.as_numpy_dtype(dtype)
        if isinstance(data, np.ndarray) and not copy:
            return data.astype(numpy_dtype, copy=False)
        return np.array(_plain(data), dtype=numpy_dtype)
    if isinstance(data, np.ndarray | np.generic):
        array = np.array(data, copy=True) if copy else np.asarray(data)
        dtypes.from_numpy_dtype(array.dtype)  # raises a clear error for unsupported dtypes
        return array
    try:
        array = np.array(_plain(data))
    except ValueError:
        raise ValueError(
            f"could not make a tensor from {data!r}: nested lists must be rectangular (every "
            f"row the same length, every row of rows the same shape). Pad or trim the rows."
        ) from None
    if array.dtype.kind == "f":
        return array.astype(dtypes.default_float.numpy_dtype)  # Python floats are float32
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "b":
        return array
    raise TypeError(
        f"could not make a tensor from {type(data).__name__} {data!r}: tensor() takes numbers, "
        f"(nested) lists or tuples of numbers, numpy arrays, or tensors."
    )


def _plain(data):
    """Replace tensors inside lists by their arrays, so numpy can read the nest."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, list | tuple) and any(
        isinstance(item, Tensor | list | tuple) for item in data
    ):
        return [_plain(item) for item in data]
    return data


# ---------------------------------------------------------------------------
# repr, following PyTorch's printing rules
# ---------------------------------------------------------------------------

_DTYPES_NOT_SHOWN = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def _tensor_repr(tensor):
    if tensor._is_parameter:
        return "Parameter containing:\n" + _plain_tensor_repr(tensor)
    return _plain_tensor_repr(tensor)


def _plain_tensor_repr(tensor):
    prefix = "tensor("
    array = tensor.data
    suffixes = []
    if array.size == 0 and array.ndim != 1:
        suffixes.append(f"size={tuple(array.shape)}")
    if array.dtype not in _DTYPES_NOT_SHOWN or (array.size == 0 and array.dtype != np.float32):
        suffixes.append(f"dtype={tensor.dtype!r}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn={tensor.grad_fn!r}")
    elif tensor._requires_grad:
        suffixes.append("requires_grad=True")
    body = "[]" if array.size == 0 else _format_values(array, len(prefix))
    return prefix + ", ".join([body, *suffixes]) + ")"


def _format_values(array, indent):
    formatter = _float_formatter(array) if array.dtype.kind == "f" else None
    if formatter is None:
        width = max(len(str(v)) for v in _shown_values(array))
        formatter = {"all": lambda v: str(v).rjust(width)}
    text = np.array2string(
        array,
        separator=", ",
        prefix=" " * indent,
        formatter=formatter,
        threshold=1000,
        edgeitems=3,
        max_line_width=80,
    )
    return text.replace(", ...,", ",  ...,")  # PyTorch marks skipped columns with " ..."


def _shown_values(array):
    flat = array.reshape(-1)
    if flat.size > 1000:  # only the printed corners matter for widths, as in PyTorch
        flat = np.concatenate([flat[:3], flat[-3:]])
    return flat.tolist() if array.dtype.kind != "b" else [bool(v) for v in flat]


def _float_formatter(array):
    values = np.asarray(_shown_values(array), dtype=np.float64)
    finite = values[np.isfinite(values) & (values != 0)]
    mode = "int"
    if finite.size:
        largest, smallest = np.abs(finite).max(), np.abs(finite).min()
        integral = bool(np.all(finite == np.ceil(finite)))
        too_wide = largest / smallest > 1000.0 or largest > 1.0e8
        if integral:
            mode = "sci" if too_wide else "int"
        else:
            mode = "sci" if too_wide or smallest < 1.0e-4 else "fixed"

    def plain(value):
        if mode == "sci":
            return f"{value:.4e}"
        if mode == "int":
            return f"{value:.0f}" + ("" if np.isnan(value) or np.isinf(value) else ".")
        return f"{value:.4f}"

    shown = values[np.isfinite(values)]  # nan and inf do not widen the columns, as in PyTorch
    width = max((len(plain(v)) for v in shown), default=1)
    return {"float_kind": lambda v: plain(v).rjust(width)}


# ---------------------------------------------------------------------------
# Top-level functions that take tensors (stepgrad.where, stepgrad.cat, ...)
# ---------------------------------------------------------------------------


def where(condition, input, other):
    """``input`` where ``condition`` is True, else ``other``; gradients flow to both."""
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        like = _make(np.asarray(input, dtype=dtypes.default_float.numpy_dtype))
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(
            f"where expected condition to be a boolean tensor, got {condition.dtype}. "
            f"Compare first, e.g. stepgrad.where(x > 0, x, 0)."
        )
    return elementwise.Where.apply(condition, _as_tensor(input, like), _as_tensor(other, like))


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    tensors = _tensor_sequence(tensors, "cat")
    return shape_ops.Cat.apply(dim, *tensors)


concatenate = cat


def stack(tensors, dim=0):
    """Join tensors of equal shape along a new dimension."""
    tensors = _tensor_sequence(tensors, "stack")
    return shape_ops.Stack.apply(dim, *tensors)


def _tensor_sequence(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, list | tuple):
        raise TypeError(
            f"{name}() expects a list or tuple of tensors, got {type(tensors).__name__}. "
            f"Write stepgrad.{name}([a, b], dim=0)."
        )
    if not tensors:
        raise ValueError(
            f"{name}() expects a non-empty list of tensors, got an empty one. "
            "Check the loop that collects them."
        )
    return [t if isinstance(t, Tensor) else _make(np.asarray(t)) for t in tensors]


# Imported last: the autograd and Function modules import Tensor from this module.
from stepgrad import creation
from stepgrad.autograd import engine as _engine
from stepgrad.autograd import grad_mode
from stepgrad.autograd import hooks as _hooks
from stepgrad.functions import elementwise, linalg, reductions
from stepgrad.functions import shape as shape_ops

_grad_mode = grad_mode.state
_hooks_by_tensor = _hooks.hooks_by_tensor

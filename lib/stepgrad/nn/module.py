"""``Module``, the base of every layer and model, as in ``torch.nn.Module``.

A Module is an object whose attributes may be Parameters (the tensors an
optimizer changes) and other Modules (its children). Assigning one of those to
an attribute registers it, which is all ``parameters()``, ``state_dict()`` and
``zero_grad()`` need to find every tensor of a whole model.

Example:
    >>> import stepgrad.nn as nn
    >>> class Tiny(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x)
    >>> [name for name, _ in Tiny().named_parameters()]
    ['fc.weight', 'fc.bias']
"""

from collections import OrderedDict, namedtuple

import numpy as np

from stepgrad.autograd.grad_mode import no_grad
from stepgrad.nn.parameter import Parameter
from stepgrad.tensor import Tensor

# What load_state_dict(strict=False) returns, with PyTorch's field names.
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])

# Attributes every Module has once Module.__init__ has run; reading one of them
# before that means a subclass forgot to call super().__init__().
_REGISTRIES = ("_parameters", "_buffers", "_modules", "training")


class Module:
    """Base class of layers and models: subclass it, assign layers in
    ``__init__`` (after ``super().__init__()``) and write ``forward``."""

    def __init__(self):
        # object.__setattr__ because our own __setattr__ files values into these.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        # The dotted name under which this module was last registered in a parent
        # (such as "fc1"); error messages use it to say which layer failed.
        object.__setattr__(self, "_path", None)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" method: '
            f"define forward(self, x) in {type(self).__name__} to say what the model computes"
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Calling a module runs its forward, and nothing else (stepgrad has no module
        # hooks), so a class's own forward can be its __call__: one Python call fewer
        # per layer, every step. (A forward assigned to an instance is not seen then:
        # override forward in a subclass instead.)
        if "forward" in cls.__dict__ and "__call__" not in cls.__dict__:
            cls.__call__ = cls.__dict__["forward"]

    # --- registration -----------------------------------------------------------

    def __setattr__(self, name, value):
        # Registered values are also kept as ordinary attributes, so that reading
        # self.fc1 in forward is a plain attribute lookup (PyTorch goes through
        # __getattr__ and a dict, which costs time on every call).
        if isinstance(value, (Parameter, Module)) and "_modules" not in self.__dict__:
            kind = "parameter" if isinstance(value, Parameter) else "module"
            raise AttributeError(
                f"cannot assign {kind} {name!r} before Module.__init__() call: "
                f"call super().__init__() first thing in {type(self).__name__}.__init__"
            )
        if isinstance(value, Parameter):
            self._forget(name)
            self._parameters[name] = value
            if not value.label:
                value.label = f"{self._path}.{name}" if self._path else name
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
            value._set_path(name)
        elif "_modules" in self.__dict__:
            if name in self._parameters:
                if value is not None:
                    raise TypeError(
                        f"cannot assign a {type(value).__name__} as parameter {name!r} of "
                        f"{type(self).__name__}: wrap it as nn.Parameter(...) or assign None"
                    )
                self._parameters[name] = None
            elif name in self._buffers:
                self._buffers[name] = value
            elif name in self._modules:
                if value is not None:
                    raise TypeError(
                        f"cannot assign a {type(value).__name__} as child module {name!r} of "
                        f"{type(self).__name__}: assign a Module or None"
                    )
                self._modules[name] = None
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if "_modules" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def __getattr__(self, name):
        # Only reached when ordinary lookup failed.
        if name in _REGISTRIES:
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r} because Module.__init__ "
                f"never ran: call super().__init__() first thing in "
                f"{type(self).__name__}.__init__"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _forget(self, name):
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)

    def _set_path(self, name):
        # Called bottom-up as models are built: a child gets its name when its
        # parent assigns it, and gets the parent's prefix when the parent is
        # assigned in turn. Parameters take the same dotted names as labels, so
        # that a drawing of any graph names them "fc1.weight" without being told.
        for subname, module in self.named_modules():
            path = f"{name}.{subname}" if subname else name
            object.__setattr__(module, "_path", path)
            for param_name, param in module._parameters.items():
                if param is not None:
                    param.label = f"{path}.{param_name}"

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter, or None for an absent one such as a
        disabled bias) under ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter({name!r}, ...) needs an nn.Parameter or None, "
                f"got {type(param).__name__}: wrap the tensor as nn.Parameter(tensor)"
            )
        if param is None:
            self._forget(name)
            self._parameters[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name, tensor):
        """Add a tensor that belongs in ``state_dict()`` but is not trained
        (PyTorch uses these for running statistics)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer({name!r}, ...) needs a Tensor or None, got {type(tensor).__name__}"
            )
        self._forget(name)
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Register ``module`` as a child called ``name`` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module({name!r}, ...) needs a Module, got {type(module).__name__}. "
                "Pass a layer such as nn.Linear(2, 3), or None to leave the slot empty."
            )
        if module is None:
            self._forget(name)
            self._modules[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, module)

    # --- walking the model ------------------------------------------------------

    def named_children(self):
        """(name, module) for each direct child, in the order they were assigned."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("") and every module inside it,
        parents before children, each module once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module.named_children()
            ]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) for every parameter, such as ``("fc1.weight", W)``.
        A parameter shared by two layers is listed once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse=True):
        """Every Parameter of the model: what an optimizer is given."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True):
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn):
        """Call ``fn(module)`` on every child (recursively), then on self; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- training helpers -------------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Reset the gradient of every parameter: to None (the default, as in
        PyTorch), or to zeros in place with ``set_to_none=False``."""
        reset_grads(self.parameters(), set_to_none)

    def train(self, mode=True):
        """Put this module and all inside it in training mode (``mode=False``:
        evaluation mode). Returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects True or False, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: the same as ``train(False)``. Returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch gradient tracking of every parameter on or off (freezing a model)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def double(self):
        """Convert every parameter and buffer to float64 in place (for gradcheck)."""
        return self._cast(np.float64)

    def float(self):
        """Convert every parameter and buffer to float32 in place."""
        return self._cast(np.float32)

    def _cast(self, dtype):
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.data.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad = tensor.grad.detach()
                    tensor.grad.data = tensor.grad.data.astype(dtype)
        return self

    # --- saving and loading -----------------------------------------------------

    def state_dict(self, prefix="", keep_vars=False):
        """An ordered mapping from dotted names to this model's tensors (parameters,
        then buffers, module by module, as PyTorch orders them). The tensors are
        detached but share data with the model, as in PyTorch: save them with
        ``stepgrad.save(model.state_dict(), path)``."""
        entries = OrderedDict()
        for module_name, module in self.named_modules(prefix):
            dot = f"{module_name}." if module_name else ""
            for registry in (module._parameters, module._buffers):
                for name, tensor in registry.items():
                    if tensor is not None:
                        entries[dot + name] = tensor if keep_vars else tensor.detach()
        return entries

    def load_state_dict(self, state_dict, strict=True):
        """Copy the values of ``state_dict`` into this model's parameters and buffers.

        Raises RuntimeError naming every missing, unexpected or mis-shaped entry.
        With ``strict=False`` missing and unexpected entries are allowed and
        returned as ``(missing_keys, unexpected_keys)``; shapes must still match.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(
                f"load_state_dict expects a mapping from names to tensors (such as what "
                f"stepgrad.load returns), got {type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        mismatched = []
        for name, tensor in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value.data if isinstance(value, Tensor) else value
            if not isinstance(value, np.ndarray):
                raise TypeError(
                    f"state_dict entry {name!r} is a {type(value).__name__}; "
                    f"expected a Tensor or a numpy array"
                )
            if value.shape != tensor.data.shape:
                mismatched.append(
                    f"size mismatch for {name}: copying a param with shape {value.shape} "
                    f"from checkpoint, the shape in current model is {tensor.data.shape}."
                )
        problems = list(mismatched)
        if strict:
            if unexpected:
                problems.insert(0, "Unexpected key(s) in state_dict: " + _quoted(unexpected) + ".")
            if missing:
                problems.insert(0, "Missing key(s) in state_dict: " + _quoted(missing) + ".")
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(problems)
                + "\n"
                + _load_advice(bool(mismatched), strict and bool(missing or unexpected))
            )
        with no_grad():
            for name, tensor in own.items():
                if name in state_dict:
                    # In place, as in PyTorch: whoever holds this parameter (an
                    # optimizer, a layer that shares it) sees the loaded values.
                    tensor.copy_(state_dict[name])
        return IncompatibleKeys(missing, unexpected)

    # --- printing ---------------------------------------------------------------

    def extra_repr(self):
        """The text inside the parentheses of this module's repr; layers override it."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = type(self).__name__ + "("
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        elif lines:
            text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def reset_grads(tensors, set_to_none=True):
    """What ``zero_grad`` does to each tensor, for ``Module`` and ``Optimizer`` alike:
    ``.grad`` becomes None, or zeros with ``set_to_none=False``."""
    for tensor in tensors:
        if set_to_none:
            tensor.grad = None
        elif tensor.grad is not None:
            if tensor.grad.grad_fn is not None:
                tensor.grad = tensor.grad.detach()
            # A fresh array rather than zeroing in place: the engine may hand one
            # gradient array to several tensors, and only this one is being reset.
            tensor.grad.data = np.zeros_like(tensor.grad.data)


def _indent(text, spaces):
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _quoted(names):
    return ", ".join(f'"{name}"' for name in names)


def _load_advice(shapes_differ, keys_differ):
    advice = []
    if shapes_differ:
        advice.append(
            "The file was saved from a model with different layer sizes: build the model "
            "with the sizes it was trained with before loading."
        )
    if keys_differ:
        advice.append(
            "The names in the file do not match this model's (compare "
            "model.state_dict().keys() with the file's keys); to load only the entries "
            "that match, pass strict=False."
        )
    return " ".join(advice)

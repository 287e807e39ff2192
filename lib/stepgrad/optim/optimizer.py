"""``Optimizer``: what every optimizer shares, as ``torch.optim.Optimizer``.

An optimizer holds the parameters it updates in ``param_groups`` (each group a
dict of parameters and their settings, such as ``lr``) and any per-parameter
memory in ``state`` (a momentum buffer, Adam's running averages). Subclasses
write ``update(param, grad, state, group)``, one parameter at a time; ``step``
runs it for every parameter that has a gradient, with gradient recording off.
"""

from stepgrad.autograd.grad_mode import enable_grad, no_grad
from stepgrad.nn.module import Module, reset_grads
from stepgrad.tensor import Tensor


class Optimizer:
    """Base class: subclasses give their defaults and write ``update``."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = {}
        self.param_groups = []
        for group in _param_groups(type(self).__name__, params):
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add parameters with their own settings, such as a different ``lr``."""
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        name = type(self).__name__
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(param).__name__}; give {name} model.parameters() or a list of "
                    f"tensors that require grad"
                )
            if param.grad_fn is not None:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor: {name} was given a tensor computed "
                    f"by {param.grad_fn.name()}; give it the leaf tensors (parameters) "
                    f"the computation started from"
                )
        known = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(param) in known for param in params):
            raise ValueError(
                "some parameters appear in more than one parameter group; give each "
                "parameter to one group only"
            )
        filled = dict(self.defaults)
        filled.update(group)
        filled["params"] = params
        self.param_groups.append(filled)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of the last backward: ``.grad`` becomes None (the
        default, as in PyTorch) or zeros (``set_to_none=False``). Call it before
        each ``backward()``, because backward adds to what ``.grad`` holds."""
        for group in self.param_groups:
            reset_grads(group["params"], set_to_none)

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient, once.

        ``closure``, if given, recomputes and returns the loss (some optimizers
        need it); its value is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states, update = self.state, self.update  # looked up once, not per parameter
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is not None:
                    state = states.get(param)
                    if state is None:
                        state = states[param] = {}
                    update(param, grad.data, state, group)
                    # Count the change, as every in-place operation does, so that a
                    # graph that saved this parameter can tell it was changed.
                    param._bump_version()
        return loss

    def update(self, param, grad, state, group):
        """Change ``param.data`` in place, given its gradient (a numpy array)."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"


def _param_groups(name, params):
    # The classic mistakes get their own messages: the model instead of
    # model.parameters(), one tensor instead of a list, a used-up generator.
    if isinstance(params, Tensor):
        raise TypeError(
            f"params argument given to the optimizer should be an iterable of Tensors or "
            f"dicts, but got a Tensor; write {name}([tensor], ...)"
        )
    if isinstance(params, Module):
        raise TypeError(
            f"{name} was given the model itself ({type(params).__name__}); "
            f"give it the model's parameters: {name}(model.parameters(), ...)"
        )
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"params argument given to the optimizer should be an iterable of Tensors or "
            f"dicts, but got {type(params).__name__}; give {name} model.parameters()"
        ) from None
    if not params:
        raise ValueError(
            "optimizer got an empty parameter list: the model has no parameters, or "
            "model.parameters() was already used up (it is a generator and can be read "
            "once); call model.parameters() again when building the optimizer"
        )
    if isinstance(params[0], dict):
        return params
    return [{"params": params}]


def check_hyperparameter(name, value, low=0.0, high=None):
    """Raise ValueError unless low <= value (< high): a negative learning rate or
    a momentum of 1 would make training diverge without saying why."""
    if not isinstance(value, (int, float)) or value < low or (high is not None and value >= high):
        bounds = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"Invalid {name} value: {value!r}; it must be a number {bounds}")

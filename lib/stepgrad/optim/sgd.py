"""Stochastic gradient descent, with the update rule of ``torch.optim.SGD``."""

from stepgrad.optim.optimizer import Optimizer, check_hyperparameter


class SGD(Optimizer):
    """param -= lr * g, where g is the gradient, optionally with weight decay and momentum:

    g = grad + weight_decay * param
    buffer = g                                   at the first step
    buffer = momentum * buffer + (1 - dampening) * g   after that
    g = buffer            (or g + momentum * buffer with nesterov=True)
    param = param - lr * g

    >>> import stepgrad
    >>> w = stepgrad.tensor([1.0], requires_grad=True)
    >>> (3 * w).sum().backward()
    >>> stepgrad.optim.SGD([w], lr=0.1).step()
    >>> round(w.item(), 6)      # 1 - 0.1 * 3
    0.7
    """

    def __init__(
        self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False
    ):
        check_hyperparameter("learning rate", lr)
        check_hyperparameter("momentum", momentum)
        check_hyperparameter("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.data
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param.data -= group["lr"] * grad

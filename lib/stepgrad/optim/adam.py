"""Adam, with the update rule of ``torch.optim.Adam``."""

import math

import numpy as np

from stepgrad.optim.optimizer import Optimizer, check_hyperparameter


class Adam(Optimizer):
    """Each parameter moves by its average gradient divided by the root of its
    average squared gradient, so every parameter takes steps of about ``lr``:

        g = grad + weight_decay * param
        m = beta1 * m + (1 - beta1) * g              (running average of g)
        v = beta2 * v + (1 - beta2) * g * g          (running average of g^2)
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)   (unbiased at step t)
        param = param - lr * m_hat / (sqrt(v_hat) + eps)

    ``amsgrad=True`` uses the largest v seen so far instead of v.
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False
    ):
        check_hyperparameter("learning rate", lr)
        check_hyperparameter("epsilon", eps)
        check_hyperparameter("beta parameter at index 0", betas[0], high=1.0)
        check_hyperparameter("beta parameter at index 1", betas[1], high=1.0)
        check_hyperparameter("weight_decay", weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
        }
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param.data)
        beta1, beta2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.data
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # Written as PyTorch computes them (lerp, then mul and addcmul), so the
        # float32 results agree to the last bit as often as possible.
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        step_size = group["lr"] / (1 - beta1**step)
        denominator = np.sqrt(exp_avg_sq) / math.sqrt(1 - beta2**step) + group["eps"]
        param.data -= step_size * (exp_avg / denominator)

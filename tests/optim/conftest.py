"""Parity of optimizer steps with PyTorch: both libraries train the same model
from the same weights on the same data, and must end with the same weights."""

import numpy as np
import pytest
import stepgrad
from stepgrad import nn, optim

TORCH_REASON = "PyTorch is not installed: parity with it is checked only where it is"
STEPS = 5


def _model(nn_module):
    return nn_module.Sequential(
        nn_module.Linear(3, 8), nn_module.Tanh(), nn_module.Linear(8, 1), nn_module.Sigmoid()
    )


@pytest.fixture
def compare_with_pytorch():
    """``compare_with_pytorch("Adam", dict(lr=...))``: train both for a few steps, compare."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)

    def compare(optimizer_name, settings):
        rng = np.random.default_rng(3)
        x = rng.normal(size=(16, 3)).astype(np.float32)
        y = (rng.uniform(size=(16, 1)) > 0.5).astype(np.float32)

        theirs = _model(torch.nn)
        ours = _model(nn)
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        their_optimizer = getattr(torch.optim, optimizer_name)(theirs.parameters(), **settings)
        our_optimizer = getattr(optim, optimizer_name)(ours.parameters(), **settings)
        for _ in range(STEPS):
            their_optimizer.zero_grad()
            torch.nn.functional.binary_cross_entropy(
                theirs(torch.tensor(x)), torch.tensor(y)
            ).backward()
            their_optimizer.step()
            our_optimizer.zero_grad()
            nn.functional.binary_cross_entropy(
                ours(stepgrad.tensor(x)), stepgrad.tensor(y)
            ).backward()
            our_optimizer.step()

        their_weights = theirs.state_dict()
        for name, tensor in ours.state_dict().items():
            start = their_weights[name].detach().numpy()
            np.testing.assert_allclose(
                tensor.detach().numpy(), start, rtol=2e-5, atol=2e-6, err_msg=name
            )

    return compare

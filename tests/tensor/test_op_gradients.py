"""Every operation's gradient matches central finite differences in float64.

``stepgrad.autograd.gradcheck`` compares the whole Jacobian (every input element
against every output element). The cases (tensor_op_cases.py) cover each op,
each binary op with broadcasting shapes, and each way a Python number can meet
a tensor.
"""

import pytest
import stepgrad
from stepgrad.autograd import gradcheck
from tensor_op_cases import ALL_CASES, case_id


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_gradient_matches_finite_differences(case):
    _name, fn, arrays = case
    inputs = tuple(stepgrad.tensor(a, dtype=stepgrad.float64, requires_grad=True) for a in arrays)
    assert gradcheck(lambda *tensors: fn(stepgrad, *tensors), inputs)

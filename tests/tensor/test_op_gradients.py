"""Every operation's gradient matches central finite differences in float64.

The cases (tensor_op_cases.py) cover each op, each binary op with broadcasting
shapes, and each way a Python number can meet a tensor.
"""

import pytest
from tensor_numerics import assert_gradients_match_finite_differences
from tensor_op_cases import ALL_CASES, case_id


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_gradient_matches_finite_differences(case):
    _name, fn, inputs = case
    assert_gradients_match_finite_differences(fn, *inputs)

"""Module 04 (losses): the curriculum's own tests, plus properties and bad-input messages."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "04"


def test_curriculum(curriculum_test):
    curriculum_test()


@settings(max_examples=40, deadline=None)
@given(st.data(), st.integers(1, 6), st.integers(2, 5), st.floats(1, 1e4))
def test_cross_entropy_matches_a_float64_reference(data, n, classes, scale):
    logits = data.draw(hnp.arrays(np.float64, (n, classes), elements=st.floats(-1, 1))) * scale
    targets = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, classes - 1)))
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = -np.mean(shifted[np.arange(n), targets] - np.log(np.exp(shifted).sum(axis=1)))
    got = CrossEntropyLoss()(Tensor(logits), targets)
    assert np.isfinite(got.data) and got.data >= 0
    np.testing.assert_allclose(got.data, expected, rtol=1e-4, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0, 1)), st.data())
def test_bce_is_finite_and_non_negative_even_at_0_and_1(p, data):
    t = data.draw(hnp.arrays(np.float64, p.shape, elements=st.sampled_from([0.0, 1.0])))
    got = BinaryCrossEntropyLoss()(Tensor(p), t).data
    assert np.isfinite(got) and got >= 0


@pytest.mark.parametrize("loss", [MSELoss(), BinaryCrossEntropyLoss()], ids=["mse", "bce"])
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        loss(Tensor(np.full((4, 1), 0.5)), np.zeros(4))


@pytest.mark.parametrize("targets, message", [([0, 1], r"shape \(3,\)"), ([0, 1, 3], r"\[0, 3\)"), ([0.5, 1, 2], "integers")])
def test_cross_entropy_bad_targets(targets, message):
    with pytest.raises(ValueError, match=message):
        CrossEntropyLoss()(Tensor(np.zeros((3, 3))), targets)

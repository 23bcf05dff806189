"""Module 02 (activations): the curriculum's own tests, plus properties for any input."""

import warnings

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "02"
LARGE = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-1e4, 1e4, width=32))


def test_curriculum(curriculum_test):
    curriculum_test()


@settings(max_examples=40, deadline=None)
@given(LARGE, st.integers(-1, 0))
def test_softmax_is_a_distribution_for_any_finite_input(x, dim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no 0/0
        got = Softmax(dim=dim)(Tensor(x)).data
    assert np.all(got >= 0) and np.all(got <= 1), got
    np.testing.assert_allclose(got.sum(axis=dim), 1, atol=1e-5)
    # The largest input of each slice gets the largest probability.
    assert np.all(np.take_along_axis(got, np.expand_dims(x.argmax(axis=dim), dim), dim) == got.max(axis=dim, keepdims=True))


@settings(max_examples=40, deadline=None)
@given(LARGE)
def test_element_wise_activations_are_bounded_and_finite(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, t, r, g = (f()(Tensor(x)).data for f in (Sigmoid, Tanh, ReLU, GELU))
    assert np.all((s >= 0) & (s <= 1)) and np.all((t >= -1) & (t <= 1))
    np.testing.assert_array_equal(r - ReLU()(Tensor(-x)).data, x)  # relu(x) - relu(-x) = x
    assert np.all(np.isfinite(g)) and np.all(g >= -0.2) and np.all(g <= np.maximum(x, 0) + 1e-3)  # gelu sits just below relu

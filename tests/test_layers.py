"""Module 03 (layers): the curriculum's own tests against the reference, plus gradients and properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytorch  # noqa: F401  (imports autograd: Linear and Dropout get gradients)
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "03"


def test_curriculum(curriculum_test):
    curriculum_test()


@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 3, 2)])
def test_linear_wrong_feature_size_names_the_shapes(shape):
    layer = Linear(3, 2)
    with pytest.raises(ValueError, match=r"\(batch, 3\).*" + str(shape).replace("(", r"\(").replace(")", r"\)")):
        layer(Tensor(np.ones(shape)))


def test_linear_gradients():
    np.random.seed(0)
    layer = Linear(4, 3)
    x = Tensor(np.random.randn(5, 4), requires_grad=True)
    upstream = np.random.randn(5, 3).astype(np.float32)
    (layer(x) * Tensor(upstream)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, x.data.T @ upstream, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.bias.grad.data, upstream.sum(axis=0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(x.grad.data, upstream @ layer.weight.data.T, rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0.0, 0.95), seed=st.integers(0, 2**16), rows=st.integers(1, 20), cols=st.integers(1, 20))
def test_dropout_keeps_or_scales_every_value(p, seed, rows, cols):
    np.random.seed(seed)
    x = Tensor(np.random.rand(rows, cols) + 0.5)  # no zeros in the input: a zero in the output means dropped
    out = Dropout(p)(x).data
    kept = out != 0
    np.testing.assert_allclose(out[kept], x.data[kept] / (1 - p), rtol=1e-5)
    assert out.shape == x.shape and out.dtype == np.float32


def test_dropout_gradient_is_the_mask():
    np.random.seed(1)
    x = Tensor(np.ones((30, 30)), requires_grad=True)
    out = Dropout(0.4)(x)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, out.data, rtol=1e-6)  # d(x * mask / (1-p)) / dx = mask / (1-p) = out for x = 1


def test_sequential_collects_parameters_and_trains_through():
    np.random.seed(0)
    model = Sequential(Linear(2, 8), ReLU(), Dropout(0.1), Linear(8, 1))
    assert [p.shape for p in model.parameters()] == [(2, 8), (8,), (8, 1), (1,)]
    model(Tensor(np.random.randn(6, 2))).sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    model.eval()
    assert [layer.training for layer in model.layers if hasattr(layer, "training")] == [False, False, False]

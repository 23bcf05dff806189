"""Module 06 (autograd): the curriculum's own tests (gradient checks of every operation), plus
gradients under broadcasting for any shapes, the engine's edge cases, and bad-input messages."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.core.autograd import Function, gradcheck, no_grad
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "06"
OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / (b * b + 1)}


def test_curriculum(curriculum_test):
    curriculum_test()


def leaf(shape, seed):
    return Tensor(np.random.default_rng(seed).uniform(-1, 1, shape), requires_grad=True)


@settings(max_examples=30, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), st.sampled_from(sorted(OPS)))
def test_broadcast_gradients_have_the_input_shape_and_are_right(shapes, symbol):
    a, b = leaf(shapes.input_shapes[0], 1), leaf(shapes.input_shapes[1], 2)
    assert gradcheck(OPS[symbol], a, b)
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@settings(max_examples=20, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), st.data())
def test_sum_and_mean_gradients_for_any_axis(shape, data):
    axis = data.draw(st.none() | hnp.valid_tuple_axes(len(shape), min_size=1) | st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    for name in ["sum", "mean"]:
        x = leaf(shape, 3)
        assert gradcheck(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), x)


def test_gradcheck_catches_a_wrong_backward():
    class SquareMissingTheTwo(Function):
        def backward(self, grad_output):
            return (grad_output * self.inputs[0].data,)  # d(x^2)/dx is 2x, not x

    def square(x):
        out = Tensor(x.data ** 2, requires_grad=True)
        out._grad_fn = SquareMissingTheTwo(out, x)
        return out

    with pytest.raises(AssertionError, match="finite differences give"):
        gradcheck(square, leaf((3,), 4))
    assert gradcheck(lambda x: x * x, leaf((3,), 4))  # the real thing passes


def test_backward_on_a_non_scalar_names_the_shape():
    with pytest.raises(RuntimeError, match=r"scalar.*\(2, 3\)"):
        (leaf((2, 3), 5) * 2).backward()


def test_backward_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        (leaf((2, 3), 5) * 2).backward(np.ones(3))


def test_leaf_gradients_are_separate_writable_arrays():
    a, b = leaf((2, 2), 6), leaf((2, 2), 7)
    (a + b).sum().backward()  # both receive the same upstream array
    a.grad.data *= 10  # e.g. gradient clipping, in place
    np.testing.assert_array_equal(b.grad.data, np.ones((2, 2)))


def test_no_gradient_is_computed_for_data():
    x, w = Tensor(np.ones((4, 3))), leaf((3, 2), 8)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2)


def test_deep_graphs_do_not_hit_the_recursion_limit():
    x = leaf((1,), 9)
    y = x
    for _ in range(5000):
        y = y + 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0])


def test_no_grad_restores_recording_after_an_error():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert (leaf((1,), 10) * 2).requires_grad

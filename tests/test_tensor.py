"""Module 01 (Tensor): the curriculum's own tests, plus properties checked against NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "01"
OPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def test_curriculum(curriculum_test):
    curriculum_test()


def values(shape):
    """float32 arrays of a given shape, no zeros (so division is safe), small enough never to overflow."""
    return hnp.arrays(np.float32, shape, elements=st.floats(0.5, 10, width=32)).map(lambda a: a * np.sign(a - 5))


@settings(max_examples=40, deadline=None)
@given(st.data(), hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4), st.sampled_from(sorted(OPS)))
def test_broadcasting_ops_match_numpy(data, shapes, symbol):
    a, b = (data.draw(values(shape)) for shape in shapes.input_shapes)
    for got, expected in [(OPS[symbol](Tensor(a), Tensor(b)), OPS[symbol](a, b)),  # Tensor op Tensor
                          (OPS[symbol](Tensor(a), 2.5), OPS[symbol](a, np.float32(2.5))),  # Tensor op number
                          (OPS[symbol](2.5, Tensor(b)), OPS[symbol](np.float32(2.5), b))]:  # number op Tensor
        assert got.shape == expected.shape and got.dtype == np.float32
        np.testing.assert_allclose(got.data, expected, rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.sampled_from(["sum", "mean", "max"]), st.booleans())
def test_reductions_match_numpy(data, shape, name, keepdims):
    x = data.draw(values(shape))
    axis = data.draw(st.none() | hnp.valid_tuple_axes(len(shape), min_size=1) | st.integers(-len(shape), len(shape) - 1))
    got = getattr(Tensor(x), name)(axis=axis, keepdims=keepdims)
    expected = getattr(x, name)(axis=axis, keepdims=keepdims)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.data, expected, rtol=1e-5)


@pytest.mark.parametrize("symbol", sorted(OPS))
def test_incompatible_shapes_name_both_shapes(symbol):
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        OPS[symbol](Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_matmul_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(64, 784\) @ \(128, 10\)"):
        Tensor(np.ones((64, 784))) @ Tensor(np.ones((128, 10)))


@pytest.mark.parametrize("data", ["abc", ["a", "b"], None, {"x": 1}, [1, "2"]])
def test_non_numeric_data_is_a_type_error_naming_the_value(data):
    with pytest.raises(TypeError, match="must be numbers") as error:
        Tensor(data)
    assert repr(data) in str(error.value)


def test_ragged_data_is_a_value_error():
    with pytest.raises(ValueError, match="rectangular"):
        Tensor([[1, 2], [3]])


def test_module_01_backward_says_autograd_comes_in_module_06(curriculum):
    # Module 01's own Tensor, as the learner has it before module 06 (the package's Tensor has autograd).
    module_01_tensor = curriculum("01")["test_unit_tensor_creation"].__globals__["Tensor"]
    with pytest.raises(NotImplementedError, match="Module 06"):
        module_01_tensor([1.0]).backward()

"""Module 12 (attention): the curriculum's own tests against the reference, plus PyTorch's mask
semantics, exact causality for any sizes, gradients, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytorch
from tinytorch.core.attention import MultiHeadAttention, scaled_dot_product_attention
from tinytorch.core.autograd import gradcheck
from tinytorch.core.tensor import Tensor

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "12"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_public_names_are_importable_from_tinytorch():
    assert (tinytorch.scaled_dot_product_attention, tinytorch.MultiHeadAttention) == (scaled_dot_product_attention, MultiHeadAttention)


def numpy_attention(q, k, v, allowed=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) @ v


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_matches_numpy_with_causal_and_boolean_masks(batch, queries, keys, dim, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.standard_normal((batch, queries, dim)), rng.standard_normal((batch, keys, dim)), rng.standard_normal((batch, keys, 2))
    np.testing.assert_allclose(scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v)).data, numpy_attention(q, k, v), atol=1e-5)
    causal = np.tril(np.ones((queries, keys), dtype=bool))  # PyTorch's is_causal: the top-left triangle
    np.testing.assert_allclose(scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), is_causal=True).data,
                               numpy_attention(q, k, v, causal), atol=1e-5)
    mask = rng.random((queries, keys)) < 0.5
    mask[:, 0] = True
    np.testing.assert_allclose(scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask=mask).data,
                               numpy_attention(q, k, v, mask), atol=1e-5)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.sampled_from([(4, 1), (4, 2), (6, 3), (8, 4)]), st.integers(0, 2**16))
def test_a_future_token_never_changes_an_earlier_output(length, sizes, seed):
    embed_dim, heads = sizes
    np.random.seed(seed)
    mha = MultiHeadAttention(embed_dim, heads)
    x = np.random.randn(2, length + 2, embed_dim)
    before = mha(Tensor(x), is_causal=True).data
    x[:, length:] = np.random.randn(2, 2, embed_dim) * 100
    after = mha(Tensor(x), is_causal=True).data
    np.testing.assert_array_equal(after[:, :length], before[:, :length])
    assert not np.allclose(after[:, length:], before[:, length:])


def test_gradients_of_masked_keys_and_values_are_exactly_zero():
    rng = np.random.default_rng(0)
    q, k, v = (Tensor(rng.standard_normal((3, 2)), requires_grad=True) for _ in range(3))
    scaled_dot_product_attention(q, k, v, mask=np.array([[True, True, False]] * 3)).sum().backward()
    assert np.all(k.grad.data[2] == 0) and np.all(v.grad.data[2] == 0)


def test_gradcheck_of_four_dimensional_heads():
    rng = np.random.default_rng(1)
    q, k, v = (Tensor(rng.standard_normal((1, 2, 3, 2)), requires_grad=True) for _ in range(3))
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v)


def test_a_float_mask_is_refused_with_what_to_pass():
    q = Tensor(np.ones((2, 2)))
    float_mask = np.array([[0.0, -np.inf], [0.0, 0.0]])  # the original TinyTorch's bug: 0/-inf where 1/0 was expected
    with pytest.raises(TypeError, match="boolean.*float_mask == 0"):
        scaled_dot_product_attention(q, q, q, mask=float_mask)


@pytest.mark.parametrize("embed_dim, heads", [(10, 3), (8, 0), (4, 8)])
def test_heads_must_divide_the_width(embed_dim, heads):
    with pytest.raises(ValueError, match=f"num_heads={heads} must divide embed_dim={embed_dim}"):
        MultiHeadAttention(embed_dim, heads)


MUTANTS = {
    "scores not scaled": [("    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5", "    scores = q @ k.transpose(-2, -1) * 1.0")],
    "softmax over the queries": [("    return Softmax(dim=-1)(scores) @ v\n", "    return Softmax(dim=-2)(scores) @ v\n")],
    "mask read the wrong way round": [("\n        scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))",
                                       "\n        scores = scores + Tensor(np.where(allowed, -np.inf, 0.0))")],
    "mask ignored": [("\n        scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))", "\n        scores = scores + 0")],
    "causal mask is the upper triangle": [("        return np.tril(np.ones((length, keys), dtype=bool))", "        return np.triu(np.ones((length, keys), dtype=bool))")],
    "heads split without the transpose": [("        return x.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)\n",
                                           "        return x.reshape(batch, self.num_heads, length, self.head_dim)\n")],
    "values from the key projection": [("        v = self._split_heads(self.v_proj(x))\n", "        v = self._split_heads(self.k_proj(x))\n")],
}


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("12", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("12", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed module 12 with: {name}"

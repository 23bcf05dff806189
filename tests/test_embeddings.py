"""Module 11 (embeddings): the curriculum's own tests against the reference, plus properties of
the lookup, its gradient for any index shape, and bad ids."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinytorch
from tinytorch.core.embeddings import Embedding, PositionalEmbedding, sinusoidal_positions
from tinytorch.core.tensor import Tensor

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "11"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_public_names_are_importable_from_tinytorch():
    assert (tinytorch.Embedding, tinytorch.PositionalEmbedding, tinytorch.sinusoidal_positions) == (Embedding, PositionalEmbedding, sinusoidal_positions)


@settings(max_examples=30, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), st.integers(1, 6), st.integers(0, 2**16))
def test_gradient_of_any_ids_counts_each_token(shape, vocab, seed):
    """d(sum of all looked-up vectors)/d(weight[i]) is the number of times token i occurs, in every column."""
    np.random.seed(seed)
    embedding = Embedding(vocab, 3)
    ids = np.random.randint(0, vocab, size=shape)
    out = embedding(ids)
    assert out.shape == shape + (3,)
    out.sum().backward()
    counts = np.bincount(np.asarray(ids).ravel(), minlength=vocab)
    np.testing.assert_array_equal(embedding.weight.grad.data, np.repeat(counts[:, None], 3, axis=1))


@pytest.mark.parametrize("ids, error, words", [
    ([0, 3], ValueError, ["3", "[0, 3)"]), ([-1], ValueError, ["-1"]), ([[1.5]], ValueError, ["whole", "1.5"]),
    ([np.inf], ValueError, ["whole"]), (["x"], TypeError, ["integers"]), (Tensor([2.0, 9.0]), ValueError, ["9"]),
])
def test_bad_ids_are_named(ids, error, words):
    with pytest.raises(error) as raised:
        Embedding(3, 2)(ids)
    assert all(word in str(raised.value) for word in words), str(raised.value)


def test_int32_ids_as_in_the_browser():
    embedding = Embedding(4, 2)
    np.testing.assert_array_equal(embedding(np.array([3, 0], dtype=np.int32)).data, embedding.weight.data[[3, 0]])


def test_positions_train_and_are_shared_across_the_batch():
    np.random.seed(0)
    positions = PositionalEmbedding(5, 2)
    x = Tensor(np.zeros((3, 4, 2)), requires_grad=True)
    positions(x).sum().backward()
    np.testing.assert_array_equal(positions.weight.grad.data, [[3, 3]] * 4 + [[0, 0]])
    np.testing.assert_array_equal(x.grad.data, np.ones((3, 4, 2)))


def test_sinusoidal_rows_differ_and_dot_products_depend_only_on_the_offset():
    table = sinusoidal_positions(32, 16).data.astype(np.float64)
    assert len({tuple(row.round(5)) for row in table}) == 32, "every position must have its own vector"
    dots = table @ table.T
    np.testing.assert_allclose(np.diag(dots, 3)[:-1], np.diag(dots, 3)[1:], atol=1e-5)  # sin/cos: <p_t, p_t+3> is the same for every t


MUTANTS = {
    "lookup outside autograd": [("        return self.weight[_token_ids(tokens, self.num_embeddings)]\n",
                                 "        return Tensor(self.weight.data[_token_ids(tokens, self.num_embeddings)])\n")],
    "ids not checked": [("        return self.weight[_token_ids(tokens, self.num_embeddings)]\n",
                         "        return self.weight[np.asarray(tokens.data if isinstance(tokens, Tensor) else tokens).astype(np.int64)]\n")],
    "positions cut out of autograd": [("        return x + self.weight[:length]\n", "        return x + Tensor(self.weight.data[:length])\n")],
    "a long sequence is not refused": [("        if length > self.max_len:\n", "        if False:\n")],
    "small token vectors": [("np.random.randn(num_embeddings, embedding_dim), requires_grad=True)",
                             "np.random.randn(num_embeddings, embedding_dim) * 0.02, requires_grad=True)")],
    "cos in the even columns": [("    table[:, 0::2] = np.sin(angles)\n", "    table[:, 0::2] = np.cos(angles)\n")],
    "frequencies over half the width": [("    rates = 1.0 / 10000 ** (np.arange(0, embedding_dim, 2) / embedding_dim)\n",
                                         "    rates = 1.0 / 10000 ** (np.arange(0, embedding_dim, 2) / (embedding_dim / 2))\n")],
}


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("11", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("11", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed module 11 with: {name}"

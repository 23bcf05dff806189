"""Embeddings: the reference solution of module 11.

Generated from curriculum/modules/11_embeddings.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer
import tinytorch.core.autograd  # noqa: F401  (importing it turns on gradients: indexing records its backward)


def _token_ids(tokens, num_embeddings):
    """Token ids (a list, array or Tensor of any shape) as an int64 array, each checked to be a
    whole number in [0, num_embeddings). Raises a TypeError or ValueError naming the bad value."""
    values = tokens.data if isinstance(tokens, Tensor) else np.asarray(tokens)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"token ids must be integers, got {values.tolist()!r} (dtype {values.dtype})")
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (values == np.floor(values))
        if not whole.all():
            raise ValueError(f"token ids must be whole numbers, got {values[~whole].flat[0]} among ids of shape {values.shape}")
    ids = values.astype(np.int64)
    outside = (ids < 0) | (ids >= num_embeddings)
    if outside.any():
        raise ValueError(f"token id {ids[outside].flat[0]} is out of range: ids must be in [0, {num_embeddings}) "
                         f"for a table of {num_embeddings} embeddings")
    return ids


class Embedding(Layer):
    """A lookup table: row i of `weight` (num_embeddings, embedding_dim) is the vector of token i."""

    def __init__(self, num_embeddings, embedding_dim):
        """Create `weight` of shape (num_embeddings, embedding_dim), standard normal, requires_grad=True."""
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Tensor(np.random.randn(num_embeddings, embedding_dim), requires_grad=True)

    def forward(self, tokens):
        """The vectors of `tokens`: ids of shape S give a Tensor of shape S + (embedding_dim,)."""
        return self.weight[_token_ids(tokens, self.num_embeddings)]

    def parameters(self):
        return [self.weight]

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


class PositionalEmbedding(Layer):
    """Learned positions: adds row t of `weight` (max_len, embedding_dim) to the vector at position t."""

    def __init__(self, max_len, embedding_dim):
        self.max_len, self.embedding_dim = max_len, embedding_dim
        self.weight = Tensor(np.random.randn(max_len, embedding_dim) * 0.02, requires_grad=True)

    def forward(self, x):
        """x of shape (..., T, embedding_dim) -> x + weight[:T], for T <= max_len."""
        if len(x.shape) < 2 or x.shape[-1] != self.embedding_dim:
            raise ValueError(f"{self!r} expects input of shape (..., seq_len, {self.embedding_dim}), got shape {x.shape}")
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(f"a sequence of {length} positions is longer than max_len={self.max_len}, the longest this "
                             f"model has positions for: crop it to its last {self.max_len} tokens")
        return x + self.weight[:length]

    def parameters(self):
        return [self.weight]

    def __repr__(self):
        return f"PositionalEmbedding(max_len={self.max_len}, embedding_dim={self.embedding_dim})"


def sinusoidal_positions(max_len, embedding_dim):
    """The fixed (max_len, embedding_dim) table of the original Transformer: sin in even columns,
    cos in odd ones, at frequencies 1 / 10000**(2i / embedding_dim). Returns a Tensor.
    """
    positions = np.arange(max_len)[:, None]
    rates = 1.0 / 10000 ** (np.arange(0, embedding_dim, 2) / embedding_dim)
    angles = positions * rates
    table = np.zeros((max_len, embedding_dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : embedding_dim // 2])
    return Tensor(table)

"""Transformers (a small GPT): the reference solution of module 13.

Generated from curriculum/modules/13_transformers.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import GELU
from tinytorch.core.layers import Layer, Linear, Sequential
from tinytorch.core.autograd import Function, no_grad
from tinytorch.core.embeddings import Embedding, PositionalEmbedding, _token_ids
from tinytorch.core.attention import MultiHeadAttention


class NormalizeBackward(Function):
    """x_hat = (x - mean) / sqrt(var + eps) over `axes`; built as NormalizeBackward(x_hat, x, axes, inv_std)."""

    def __init__(self, output, x, axes, inv_std):
        super().__init__(output, x)
        self.axes, self.inv_std = axes, inv_std

    def backward(self, grad_output):
        x_hat, g = self.output, grad_output
        mean_g = g.mean(axis=self.axes, keepdims=True)
        mean_gx = (g * x_hat).mean(axis=self.axes, keepdims=True)
        return (self.inv_std * (g - mean_g - x_hat * mean_gx),)


def _normalize(x, axes, eps):
    """(x - mean) / sqrt(var + eps) over `axes`, recorded for autograd as a NormalizeBackward."""
    centered = x.data - x.data.mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + eps)  # variance: mean square of centered
    x_hat = Tensor(centered * inv_std)
    if Tensor.grad_enabled and x.requires_grad:  # as enable_autograd's operations record theirs
        x_hat.requires_grad, x_hat._grad_fn = True, NormalizeBackward(x_hat, x, axes, inv_std)
    return x_hat


class LayerNorm(Layer):
    """Normalise over the last len(normalized_shape) axes, then scale by `weight` and shift by `bias`."""

    def __init__(self, normalized_shape, eps=1e-5):
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.weight = Tensor(np.ones(self.normalized_shape), requires_grad=True)
        self.bias = Tensor(np.zeros(self.normalized_shape), requires_grad=True)

    def forward(self, x):
        """x (..., *normalized_shape) -> the same shape, each vector normalised, scaled and shifted."""
        count = len(self.normalized_shape)
        if tuple(x.shape[len(x.shape) - count:]) != self.normalized_shape:
            raise ValueError(f"{self!r} expects input of shape (..., {', '.join(map(str, self.normalized_shape))}), got shape {x.shape}")
        return _normalize(x, tuple(range(-count, 0)), self.eps) * self.weight + self.bias

    def parameters(self):
        return [self.weight, self.bias]

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape}, eps={self.eps})"


class MLP(Sequential):
    """Linear(embed_dim, hidden_dim) -> GELU -> Linear(hidden_dim, embed_dim): applied to every position alike."""

    def __init__(self, embed_dim, hidden_dim):
        super().__init__(Linear(embed_dim, hidden_dim), GELU(), Linear(hidden_dim, embed_dim))

    def __repr__(self):
        return f"MLP({self.layers[0].in_features}, {self.layers[0].out_features})"


class TransformerBlock(Layer):
    """A pre-norm Transformer block: x + attn(norm1(x)), then + mlp(norm2(x)). (B, T, E) -> (B, T, E)."""

    def __init__(self, embed_dim, num_heads, mlp_ratio=4):
        self.norm1 = LayerNorm(embed_dim)
        self.attn = MultiHeadAttention(embed_dim, num_heads)
        self.norm2 = LayerNorm(embed_dim)
        self.mlp = MLP(embed_dim, mlp_ratio * embed_dim)

    def forward(self, x, mask=None, is_causal=False):
        x = x + self.attn(self.norm1(x), mask=mask, is_causal=is_causal)
        return x + self.mlp(self.norm2(x))

    def __call__(self, x, mask=None, is_causal=False):
        return self.forward(x, mask=mask, is_causal=is_causal)

    def parameters(self):
        return [p for part in (self.norm1, self.attn, self.norm2, self.mlp) for p in part.parameters()]


def _sample(logits, temperature, top_k):
    """One token id per row of logits (B, V), as an int64 array (B,): the most likely for temperature 0,
    else drawn (np.random) from softmax(logits / temperature) over the top_k most likely ones (all if None).
    Module 18's cached generation picks its tokens with it too."""
    if temperature == 0:
        return logits.argmax(axis=-1).astype(np.int64)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None:
        kth_largest = np.sort(logits, axis=-1)[:, -min(top_k, logits.shape[-1])][:, None]
        logits = np.where(logits < kth_largest, -np.inf, logits)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    cumulative = np.cumsum(probs / probs.sum(axis=-1, keepdims=True), axis=-1)
    draws = np.random.random((len(logits), 1))
    return np.minimum((cumulative < draws).sum(axis=-1), logits.shape[-1] - 1).astype(np.int64)  # first index past the draw


class GPT(Layer):
    """A decoder-only Transformer: integer tokens (B, T) -> next-token logits (B, T, vocab_size)."""

    def __init__(self, vocab_size, embed_dim, num_layers, num_heads, max_seq_len):
        self.vocab_size, self.max_seq_len = vocab_size, max_seq_len
        self.token_embedding = Embedding(vocab_size, embed_dim)
        self.position_embedding = PositionalEmbedding(max_seq_len, embed_dim)
        self.blocks = [TransformerBlock(embed_dim, num_heads) for _ in range(num_layers)]
        self.norm = LayerNorm(embed_dim)
        self.head = Linear(embed_dim, vocab_size)

    def forward(self, tokens):
        """Logits (B, T, vocab_size) for integer tokens (B, T) (a list, array or Tensor), T <= max_seq_len."""
        shape = np.shape(tokens.data if isinstance(tokens, Tensor) else tokens)
        if len(shape) != 2:
            raise ValueError(f"GPT expects tokens of shape (batch, seq_len), got shape {shape} (for one sequence pass [tokens])")
        x = self.position_embedding(self.token_embedding(tokens))
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.head(self.norm(x))

    def generate(self, tokens, max_new_tokens, temperature=1.0, top_k=None, use_cache=False):
        """Continue each row of `tokens` (B, T) by max_new_tokens tokens; returns all ids, int64 (B, T + max_new_tokens).

        temperature 0 is greedy; top_k keeps only the k most likely tokens; np.random makes the
        draws, so np.random.seed makes them repeatable. The model sees the last max_seq_len
        tokens. use_cache=True runs module 18's KV-cached generate_cached instead, with the same
        arguments and results.
        """
        if temperature < 0 or (top_k is not None and top_k < 1):
            raise ValueError(f"generate needs temperature >= 0 and top_k >= 1 (or None), got temperature={temperature}, top_k={top_k}")
        if use_cache:
            try:
                from tinytorch.core.memoization import generate_cached
            except ModuleNotFoundError as error:
                if error.name != "tinytorch.core.memoization":
                    raise
                raise RuntimeError("generate(use_cache=True) needs the KV cache of module 18 (memoization): complete module 18 first") from None
            return generate_cached(self, tokens, max_new_tokens, temperature=temperature, top_k=top_k)
        ids = _token_ids(tokens, self.vocab_size)
        if ids.ndim != 2 or ids.shape[1] < 1:
            raise ValueError(f"generate expects tokens of shape (batch, seq_len) with seq_len >= 1, got shape {ids.shape} (for one sequence pass [tokens])")
        with no_grad():
            for _ in range(max_new_tokens):
                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]
                ids = np.concatenate([ids, _sample(logits, temperature, top_k)[:, None]], axis=1)
        return ids

    def parameters(self):
        parts = [self.token_embedding, self.position_embedding, *self.blocks, self.norm, self.head]
        return [p for part in parts for p in part.parameters()]

    def __repr__(self):
        return (f"GPT(vocab_size={self.vocab_size}, embed_dim={self.head.in_features}, num_layers={len(self.blocks)}, "
                f"num_heads={self.blocks[0].attn.num_heads if self.blocks else 0}, max_seq_len={self.max_seq_len})")

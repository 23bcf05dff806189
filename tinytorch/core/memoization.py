"""Memoization (KV cache): the reference solution of module 18.

Generated from curriculum/modules/18_memoization.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad
from tinytorch.core.embeddings import _token_ids
from tinytorch.core.attention import scaled_dot_product_attention
from tinytorch.core.transformers import _sample


class KVCache:
    """Keys and values of every layer for up to max_seq_len positions, preallocated (float32)."""

    def __init__(self, batch_size, max_seq_len, num_layers, num_heads, head_dim):
        """Allocate self.keys and self.values of shape (num_layers, batch_size, num_heads, max_seq_len, head_dim)."""
        for name, value in [("batch_size", batch_size), ("max_seq_len", max_seq_len), ("num_layers", num_layers),
                            ("num_heads", num_heads), ("head_dim", head_dim)]:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"KVCache {name} must be a whole number >= 1, got {value!r}")
        self.batch_size, self.max_seq_len, self.num_layers = batch_size, max_seq_len, num_layers
        self.num_heads, self.head_dim = num_heads, head_dim
        shape = (num_layers, batch_size, num_heads, max_seq_len, head_dim)
        self.keys = np.zeros(shape, dtype=np.float32)
        self.values = np.zeros(shape, dtype=np.float32)
        self.seq_len = 0
        self.pending = 0

    def _check_layer(self, layer_idx):
        if isinstance(layer_idx, bool) or not isinstance(layer_idx, (int, np.integer)) or not 0 <= layer_idx < self.num_layers:
            raise IndexError(f"layer_idx must be in [0, {self.num_layers}) for a cache of {self.num_layers} layers, got {layer_idx!r}")

    def update(self, layer_idx, key, value):
        """Write key and value (arrays or Tensors of shape (batch_size, num_heads, new, head_dim)) of
        layer `layer_idx` at positions seq_len ... seq_len + new - 1.
        """
        self._check_layer(layer_idx)
        key = key.data if isinstance(key, Tensor) else np.asarray(key)
        value = value.data if isinstance(value, Tensor) else np.asarray(value)
        expected = (self.batch_size, self.num_heads, "new", self.head_dim)
        if key.ndim != 4 or key.shape[:2] != expected[:2] or key.shape[3] != self.head_dim or key.shape[2] < 1 or value.shape != key.shape:
            raise ValueError(f"KVCache.update: key and value must both have shape (batch_size, num_heads, new, head_dim) = "
                             f"({self.batch_size}, {self.num_heads}, new >= 1, {self.head_dim}), got key {key.shape} and value {value.shape}")
        new = key.shape[2]
        if self.pending and new != self.pending:
            raise ValueError(f"KVCache.update: layer {layer_idx} writes {new} positions but an earlier layer of this step wrote "
                             f"{self.pending}: call advance() after every layer of a step")
        if self.seq_len + new > self.max_seq_len:
            raise RuntimeError(f"KVCache is full: it holds max_seq_len={self.max_seq_len} positions, {self.seq_len} are used "
                               f"and {new} more do not fit; reset() it, or make one with a larger max_seq_len")
        self.keys[layer_idx, :, :, self.seq_len:self.seq_len + new] = key
        self.values[layer_idx, :, :, self.seq_len:self.seq_len + new] = value
        self.pending = new

    def get(self, layer_idx):
        """(keys, values) of layer `layer_idx` for every position so far, this step's included:
        views of shape (batch_size, num_heads, seq_len + pending, head_dim), no copies.
        """
        self._check_layer(layer_idx)
        end = self.seq_len + self.pending
        return self.keys[layer_idx, :, :, :end], self.values[layer_idx, :, :, :end]

    def advance(self):
        """Make this step's positions part of the cache: seq_len += pending, pending = 0."""
        self.seq_len += self.pending
        self.pending = 0

    def reset(self):
        """Forget every position (for a new sequence); the arrays stay allocated."""
        self.seq_len = self.pending = 0

    def memory_bytes(self):
        """Bytes of the preallocated keys and values (the arrays' nbytes)."""
        return int(self.keys.nbytes + self.values.nbytes)

    def __repr__(self):
        return (f"KVCache(batch_size={self.batch_size}, max_seq_len={self.max_seq_len}, num_layers={self.num_layers}, "
                f"num_heads={self.num_heads}, head_dim={self.head_dim}, seq_len={self.seq_len})")


def cached_attention(attn, x, cache, layer_idx):
    """attn (a MultiHeadAttention) on the new positions x (B, new, E), attending over the cached
    keys and values of layer `layer_idx` plus the new ones; returns (B, new, E).
    """
    q = attn._split_heads(attn.q_proj(x))
    k = attn._split_heads(attn.k_proj(x))
    v = attn._split_heads(attn.v_proj(x))
    cache.update(layer_idx, k, v)
    keys, values = cache.get(layer_idx)
    new, total = q.shape[2], keys.shape[2]
    allowed = None if new == 1 else np.tril(np.ones((new, total), dtype=bool), k=total - new)
    out = scaled_dot_product_attention(q, Tensor(keys), Tensor(values), mask=allowed)
    return attn.out_proj(attn._merge_heads(out))


def cached_forward(model, ids, cache):
    """Logits (B, new, vocab) of the GPT `model` for the new token ids (B, new) at positions
    cache.seq_len ..., attending over the cache, which it extends by `new` positions.
    """
    start, new = cache.seq_len, ids.shape[1]
    x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]
    for i, block in enumerate(model.blocks):
        x = x + cached_attention(block.attn, block.norm1(x), cache, i)
        x = x + block.mlp(block.norm2(x))
    cache.advance()
    return model.head(model.norm(x))


def cache_for(model, batch_size):
    """A KVCache sized for the GPT `model`: every layer and head, model.max_seq_len positions."""
    attn = model.blocks[0].attn
    return KVCache(batch_size, model.max_seq_len, len(model.blocks), attn.num_heads, attn.head_dim)


def generate_cached(model, tokens, max_new_tokens, temperature=1.0, top_k=None):
    """GPT.generate with a KV cache: the same tokens, computed with one position per step."""
    ids = _token_ids(tokens, model.vocab_size)
    if ids.ndim != 2 or ids.shape[1] < 1:
        raise ValueError(f"generate expects tokens of shape (batch, seq_len) with seq_len >= 1, got shape {ids.shape} (for one sequence pass [tokens])")
    needed = ids.shape[1] + max_new_tokens - 1
    if needed > model.max_seq_len:
        raise ValueError(f"generate(use_cache=True): {ids.shape[1]} prompt tokens + {max_new_tokens} new ones need {needed} cached positions, "
                         f"more than max_seq_len={model.max_seq_len}; generate without use_cache slides its window past that instead")
    cache = cache_for(model, ids.shape[0])
    with no_grad():
        logits = cached_forward(model, ids, cache)
        for step in range(max_new_tokens):
            pick = _sample(logits.data[:, -1, :], temperature, top_k)
            ids = np.concatenate([ids, pick[:, None]], axis=1)
            if step < max_new_tokens - 1:
                logits = cached_forward(model, pick[:, None], cache)
    return ids

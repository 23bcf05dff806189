"""Attention: the reference solution of module 12.

Generated from curriculum/modules/12_attention.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import Softmax
from tinytorch.core.layers import Layer, Linear
import tinytorch.core.autograd  # noqa: F401  (importing it turns on gradients)


def _check_qkv(q, k, v):
    """q (..., L, d), k (..., S, d), v (..., S, dv): a ValueError naming the shapes otherwise."""
    if min(len(q.shape), len(k.shape), len(v.shape)) < 2:
        raise ValueError(f"attention needs q, k, v of at least 2 dimensions (..., seq_len, dim), got shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"attention: queries {q.shape} and keys {k.shape} must have the same width (last dimension) to be compared")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"attention: keys {k.shape} and values {v.shape} must come in the same number (one value per key)")


def _attention_mask(mask, is_causal, scores_shape):
    """The boolean mask (True = may attend) for scores of shape (..., L, S), or None for no mask."""
    length, keys = scores_shape[-2:]
    if is_causal and mask is not None:
        raise ValueError("give either a mask or is_causal=True, not both")
    if is_causal:
        return np.tril(np.ones((length, keys), dtype=bool))  # query i sees keys 0..i
    if mask is None:
        return None
    allowed = np.asarray(mask)
    if allowed.dtype != bool:
        raise TypeError(f"the attention mask must be boolean, True where attending is allowed, got dtype {allowed.dtype} "
                        f"(a 0/-inf float mask means the opposite: pass `float_mask == 0` instead)")
    try:
        allowed = np.broadcast_to(allowed, scores_shape)
    except ValueError:
        raise ValueError(f"the attention mask of shape {allowed.shape} does not broadcast to the scores' shape "
                         f"{tuple(scores_shape)} (..., queries, keys)") from None
    blind = ~allowed.any(axis=-1)
    if blind.any():
        raise ValueError(f"the attention mask lets query {np.argwhere(blind)[0].tolist()} (index in {tuple(scores_shape[:-1])}) "
                         f"attend to no key at all: every row needs at least one True")
    return allowed


def scaled_dot_product_attention(q, k, v, mask=None, is_causal=False):
    """softmax(q @ k^T / sqrt(d) [masked]) @ v for q (..., L, d), k (..., S, d), v (..., S, dv) -> (..., L, dv).

    mask: boolean, broadcastable to (..., L, S), True = may attend. is_causal=True: query i may
    attend to keys 0..i only. Differentiable: built from Tensor operations.
    """
    _check_qkv(q, k, v)
    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5  # a Python float: float32 stays float32
    allowed = _attention_mask(mask, is_causal, scores.shape)
    if allowed is not None:
        scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))
    return Softmax(dim=-1)(scores) @ v


class MultiHeadAttention(Layer):
    """num_heads attentions side by side over learned projections: x (B, T, embed_dim) -> (B, T, embed_dim)."""

    def __init__(self, embed_dim, num_heads, bias=True):
        if num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"num_heads={num_heads} must divide embed_dim={embed_dim}: each head gets embed_dim / num_heads dimensions")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.q_proj = Linear(embed_dim, embed_dim, bias)
        self.k_proj = Linear(embed_dim, embed_dim, bias)
        self.v_proj = Linear(embed_dim, embed_dim, bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias)

    def _split_heads(self, x):
        """(B, T, embed_dim) -> (B, num_heads, T, head_dim)."""
        batch, length, _ = x.shape
        return x.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def _merge_heads(self, x):
        """(B, num_heads, T, head_dim) -> (B, T, embed_dim): the inverse of _split_heads."""
        batch, _, length, _ = x.shape
        return x.transpose(1, 2).reshape(batch, length, self.embed_dim)

    def forward(self, x, mask=None, is_causal=False):
        """Self-attention of x (B, T, embed_dim) with itself; mask and is_causal as in scaled_dot_product_attention."""
        if len(x.shape) != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"{self!r} expects input of shape (batch, seq_len, {self.embed_dim}), got shape {x.shape}")
        q = self._split_heads(self.q_proj(x))
        k = self._split_heads(self.k_proj(x))  # keys and values: what a KV cache (module 18) keeps
        v = self._split_heads(self.v_proj(x))
        out = scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal)
        return self.out_proj(self._merge_heads(out))

    def __call__(self, x, mask=None, is_causal=False):
        return self.forward(x, mask=mask, is_causal=is_causal)

    def parameters(self):
        return [p for proj in (self.q_proj, self.k_proj, self.v_proj, self.out_proj) for p in proj.parameters()]

    def __repr__(self):
        return f"MultiHeadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

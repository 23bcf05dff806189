# %% [markdown]
# # Module 12: Attention, letting every token look at the others
#
# After module 11 each token is a vector, but each vector knows only its own token and
# position. To predict what follows "the cat sat on the", a model must combine information from
# several earlier tokens, and which ones matter depends on the sentence. **Attention** lets every
# position ask a question (a *query*), compare it with what every position offers (its *key*),
# and take a weighted average of what they carry (their *values*), with weights it computes on
# the fly.
#
# **You've built:** `Tensor` with batched `@` and `transpose` (01), `Softmax` (02), `Linear` (03),
# autograd (06), embeddings (11).
# **You'll build:** `scaled_dot_product_attention(q, k, v, mask=None, is_causal=False)` with
# PyTorch's semantics, and `MultiHeadAttention`, several attentions side by side.
# **You'll enable:** the Transformer block and GPT (13), and milestone 05.
#
# ```
# Tokenization (10) -> Embeddings (11) -> [Attention (12)] -> Transformers (13)
# ```
#
# **Learning objectives**
# 1. Compute attention for a whole batch with two matrix products and a softmax.
# 2. Mask it: a causal model must never see the future, and you will prove that it does not, exactly.
# 3. Split a model's width into heads with reshape and transpose, and put them back together.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import Softmax
from tinytorch.core.layers import Layer, Linear
import tinytorch.core.autograd  # noqa: F401  (importing it turns on gradients)

# %% [markdown]
# ## Scaled dot-product attention
#
# For `L` queries and `S` keys/values, all of width `d`:
#
# ```
# scores  = q @ k^T / sqrt(d)      (L, d) @ (d, S) -> (L, S)   how well query i matches key j
# weights = softmax(scores)        each row sums to 1          how much query i takes from j
# out     = weights @ v            (L, S) @ (S, dv) -> (L, dv) a weighted average of the values
# ```
#
# Why divide by `sqrt(d)`? A dot product of two random vectors of width `d` has a spread of about
# `sqrt(d)`. Without the scaling, wide heads produce huge scores, the softmax saturates to a
# one-hot row, and its gradient vanishes. Leading axes (batch, heads) just come along: `@` on
# `(..., L, d)` and `(..., d, S)` multiplies each pair of matrices.
#
# **Masks.** A mask says which keys each query may use. As in PyTorch, a **boolean** mask,
# broadcastable to `(..., L, S)`, holds **True where attending is allowed**. A forbidden score
# becomes `-inf`, and `exp(-inf) = 0` gives it exactly zero weight (and zero gradient).
# `is_causal=True` is the mask of a language model: query `i` may use keys `0..i` only, the lower
# triangle `np.tril`. TinyTorch's original version passed a 0/-inf *float* mask to a function
# that expected 1/0: every position became visible and its "causal" model saw the future. A
# float mask is therefore refused here, with a message saying what to pass.
#
# Attention is built from operations that already have a backward (`@`, `transpose`, `*`, `+`,
# `Softmax`), so it is differentiable with no new code, and stable because your `Softmax`
# subtracts each row's maximum. `_attention_mask` (given) turns `mask`/`is_causal` into the
# boolean array and checks it.

# %%
#| export
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

    TODO: scores, mask, softmax over the keys, weighted sum of the values.
    APPROACH: 1. _check_qkv(q, k, v)
              2. scores = q @ k.transpose(-2, -1) * d ** -0.5, d = q.shape[-1]
                 (a Python float: np.sqrt gives a NumPy float64, which would turn the scores into float64)
              3. allowed = _attention_mask(mask, is_causal, scores.shape); if not None:
                 scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))
              4. return Softmax(dim=-1)(scores) @ v
    HINT: stay with Tensor operations (no .data): then autograd differentiates it for you.
    """
    ### BEGIN SOLUTION
    _check_qkv(q, k, v)
    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5  # a Python float: float32 stays float32
    allowed = _attention_mask(mask, is_causal, scores.shape)
    if allowed is not None:
        scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))
    return Softmax(dim=-1)(scores) @ v
    ### END SOLUTION

# %%
#| test
def test_unit_attention_values():
    print("🧪 Unit Test: scaled_dot_product_attention...")
    q = Tensor([[1.0, 0.0], [0.0, 2.0]])
    k = Tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    v = Tensor([[1.0], [10.0], [100.0]])
    got = scaled_dot_product_attention(q, k, v)
    scores = q.data @ k.data.T / np.sqrt(2)
    weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert got.shape == (2, 1), f"attention of q (2, 2), k (3, 2), v (3, 1): expected shape (2, 1), got {got.shape}"
    assert np.allclose(got.data, weights @ v.data, rtol=1e-5), f"softmax(q @ k.T / sqrt(2)) @ v: expected {(weights @ v.data).tolist()}, got {got.data.tolist()}"
    print("✅ scaled_dot_product_attention works!")


def test_unit_attention_masks():
    print("🧪 Unit Test: masks, True = may attend...")
    q = k = Tensor(np.zeros((3, 2)))  # equal scores: each row averages the values it may see
    v = Tensor([[3.0], [6.0], [9.0]])
    causal = scaled_dot_product_attention(q, k, v, is_causal=True)
    assert np.allclose(causal.data, [[3.0], [4.5], [6.0]]), f"is_causal=True with equal scores: row i averages values 0..i = [[3], [4.5], [6]], got {causal.data.tolist()}"
    mask = np.array([[False, True, True], [True, True, True], [True, False, False]])
    got = scaled_dot_product_attention(q, k, v, mask=mask)
    assert np.allclose(got.data, [[7.5], [6.0], [3.0]]), f"boolean mask {mask.tolist()} (True = may attend): expected [[7.5], [6], [3]], got {got.data.tolist()}"
    print("✅ Masks work!")


test_unit_attention_values()
test_unit_attention_masks()

# %%
#| hidden
from tito.checks import expect_error, no_warnings
from tinytorch.core.autograd import gradcheck


def _reference_attention(q, k, v, allowed=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ v


def test_hidden_attention_batched_and_rectangular():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 2))
    got = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v))
    assert got.shape == (2, 3, 4, 2), f"attention of q (2, 3, 4, 5), k (2, 3, 6, 5), v (2, 3, 6, 2): expected shape (2, 3, 4, 2), got {got.shape}"
    assert np.allclose(got.data, _reference_attention(q, k, v), atol=1e-5), "batched attention (2 batches, 3 heads, 4 queries, 6 keys) differs from softmax(q @ k^T / sqrt(d)) @ v"
    causal = np.tril(np.ones((4, 6), dtype=bool))
    got = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), is_causal=True)
    assert np.allclose(got.data, _reference_attention(q, k, v, causal), atol=1e-5), "is_causal with 4 queries and 6 keys: query i may see keys 0..i (np.tril of a (4, 6) block)"
    per_head = rng.random((3, 4, 6)) < 0.6
    per_head[..., 0] = True
    got = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask=per_head)
    assert np.allclose(got.data, _reference_attention(q, k, v, per_head), atol=1e-5), "a boolean mask of shape (3, 4, 6) broadcast over the batch gives the wrong result"


def test_hidden_attention_is_stable():
    q = Tensor(np.full((2, 4), 300.0))
    k = Tensor([[300.0, 300.0, 300.0, 300.0], [-300.0, 0.0, 0.0, 0.0]])
    v = Tensor([[1.0, 2.0], [3.0, 4.0]])
    got = no_warnings(lambda: scaled_dot_product_attention(q, k, v, is_causal=True), "attention with scores near 90000",
                      "let Softmax subtract each row's max; add -inf only at masked positions").data
    assert np.allclose(got, [[1.0, 2.0], [1.0, 2.0]]), f"attention with huge scores: expected [[1, 2], [1, 2]], got {got.tolist()}"


def test_hidden_attention_gradcheck():
    rng = np.random.default_rng(1)
    for is_causal, mask in [(False, None), (True, None), (False, np.array([[True, False, True], [False, True, True]]))]:
        q = Tensor(rng.standard_normal((2, 2, 3)), requires_grad=True)
        k = Tensor(rng.standard_normal((2, 3, 3)), requires_grad=True)
        v = Tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
        try:
            gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal), q, k, v)
        except AssertionError as error:
            raise AssertionError(f"gradient of attention (is_causal={is_causal}, mask={mask if mask is None else mask.tolist()}), inputs q, k, v: {error}") from None


def test_hidden_attention_bad_input():
    q, k, v = Tensor(np.ones((2, 4))), Tensor(np.ones((3, 4))), Tensor(np.ones((3, 5)))
    expect_error(ValueError, lambda: scaled_dot_product_attention(q, Tensor(np.ones((3, 2))), v), "(2, 4)", "(3, 2)")
    expect_error(ValueError, lambda: scaled_dot_product_attention(q, k, Tensor(np.ones((2, 5)))), "(3, 4)", "(2, 5)")
    expect_error(ValueError, lambda: scaled_dot_product_attention(Tensor(np.ones(4)), k, v), "(4,)")
    expect_error(TypeError, lambda: scaled_dot_product_attention(q, k, v, mask=np.zeros((2, 3))), "boolean", "float64")
    expect_error(ValueError, lambda: scaled_dot_product_attention(q, k, v, mask=np.ones((2, 2), dtype=bool)), "(2, 2)", "(2, 3)")
    expect_error(ValueError, lambda: scaled_dot_product_attention(q, k, v, mask=np.array([True, False, False]), is_causal=True), "not both")
    expect_error(ValueError, lambda: scaled_dot_product_attention(q, k, v, mask=np.array([[True] * 3, [False] * 3])), "query [1]")


test_hidden_attention_batched_and_rectangular()
test_hidden_attention_is_stable()
test_hidden_attention_gradcheck()
test_hidden_attention_bad_input()

# %% [markdown]
# ## Multi-head attention
#
# One attention computes one set of weights: each position can look at one kind of thing. A
# model wants several at once (the previous letter, the matching bracket, the start of the word),
# so `MultiHeadAttention(embed_dim, num_heads)` runs `num_heads` attentions side by side, each on
# its own `head_dim = embed_dim / num_heads` slice of learned projections:
#
# ```
# x (B, T, E) --q_proj, k_proj, v_proj--> (B, T, E) each     three Linear(E, E) layers
#   split heads: reshape (B, T, H, E/H), transpose(1, 2) -> (B, H, T, E/H)
#   scaled_dot_product_attention per head                -> (B, H, T, E/H)
#   merge heads: transpose(1, 2), reshape (B, T, E)      --out_proj--> (B, T, E)
# ```
#
# No loop over heads: the head axis is one more batch axis for `@`. The cost is the same as one
# big head (the same projections), but each head gets its own attention pattern. The keys and
# values are computed in one place in `forward`: module 18 caches exactly those two, so that a
# generator does not recompute them for the whole context at every new token.

# %%
#| export
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
        """Self-attention of x (B, T, embed_dim) with itself; mask and is_causal as in scaled_dot_product_attention.

        TODO: project, split into heads, attend, merge the heads, project out.
        APPROACH: 1. check x: 3 dims with x.shape[-1] == embed_dim (ValueError naming the shape)
                  2. q, k, v = self._split_heads(self.q_proj(x)), ... for k_proj and v_proj
                  3. out = scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal)
                  4. return self.out_proj(self._merge_heads(out))
        """
        ### BEGIN SOLUTION
        if len(x.shape) != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"{self!r} expects input of shape (batch, seq_len, {self.embed_dim}), got shape {x.shape}")
        q = self._split_heads(self.q_proj(x))
        k = self._split_heads(self.k_proj(x))  # keys and values: what a KV cache (module 18) keeps
        v = self._split_heads(self.v_proj(x))
        out = scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal)
        return self.out_proj(self._merge_heads(out))
        ### END SOLUTION

    def __call__(self, x, mask=None, is_causal=False):
        return self.forward(x, mask=mask, is_causal=is_causal)

    def parameters(self):
        return [p for proj in (self.q_proj, self.k_proj, self.v_proj, self.out_proj) for p in proj.parameters()]

    def __repr__(self):
        return f"MultiHeadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

# %%
#| test
def test_unit_multihead_attention():
    print("🧪 Unit Test: MultiHeadAttention...")
    np.random.seed(0)
    mha = MultiHeadAttention(8, 2)
    x = Tensor(np.random.randn(3, 5, 8))
    got = mha(x)
    assert got.shape == (3, 5, 8), f"MultiHeadAttention(8, 2) on x of shape (3, 5, 8): expected shape (3, 5, 8), got {got.shape}"
    # the same computation, one head at a time, in plain NumPy
    q, k, v = (x.data @ p.weight.data + p.bias.data for p in (mha.q_proj, mha.k_proj, mha.v_proj))
    heads = [_softmax_rows(q[..., h * 4:(h + 1) * 4] @ np.swapaxes(k[..., h * 4:(h + 1) * 4], 1, 2) / 2) @ v[..., h * 4:(h + 1) * 4] for h in range(2)]
    expected = np.concatenate(heads, axis=-1) @ mha.out_proj.weight.data + mha.out_proj.bias.data
    assert np.allclose(got.data, expected, atol=1e-5), "MultiHeadAttention(8, 2): head h must attend with columns 4h..4h+3 of the projections, then out_proj"
    assert len(mha.parameters()) == 8, f"MultiHeadAttention.parameters(): expected 8 (weight and bias of 4 projections), got {len(mha.parameters())}"
    print("✅ MultiHeadAttention works!")


def _softmax_rows(scores):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_unit_future_tokens_change_nothing():
    print("🧪 Unit Test: with is_causal=True, a future token never changes an earlier output...")
    np.random.seed(1)
    mha = MultiHeadAttention(8, 2)
    x = np.random.randn(2, 6, 8)
    before = mha(Tensor(x), is_causal=True).data
    for t in range(6):
        changed = x.copy()
        changed[:, t:] = np.random.randn(2, 6 - t, 8)  # rewrite position t and everything after it
        after = mha(Tensor(changed), is_causal=True).data
        assert np.array_equal(after[:, :t], before[:, :t]), f"changing positions {t}.. changed the outputs at earlier positions: the model sees the future"
    print("✅ Causal attention never peeks ahead (exactly)!")


test_unit_multihead_attention()
test_unit_future_tokens_change_nothing()

# %%
#| hidden
def test_hidden_multihead_gradients():
    np.random.seed(2)
    mha = MultiHeadAttention(4, 2)
    x = Tensor(np.random.randn(2, 3, 4), requires_grad=True)
    try:
        gradcheck(lambda x, wq, wk, wv, wo, bo: mha(x, is_causal=True), x, mha.q_proj.weight, mha.k_proj.weight,
                  mha.v_proj.weight, mha.out_proj.weight, mha.out_proj.bias)
    except AssertionError as error:
        raise AssertionError(f"gradient of MultiHeadAttention(4, 2) with is_causal=True (inputs x, q/k/v/out weights, out bias): {error}") from None


def test_hidden_multihead_mask_and_no_bias():
    np.random.seed(3)
    mha = MultiHeadAttention(6, 3, bias=False)
    assert all(p.bias is None for p in (mha.q_proj, mha.k_proj, mha.v_proj, mha.out_proj)), "bias=False: no projection may have a bias"
    assert len(mha.parameters()) == 4 and mha.head_dim == 2, f"MultiHeadAttention(6, 3, bias=False): 4 weights and head_dim 2, got {len(mha.parameters())} parameters, head_dim {mha.head_dim}"
    x = Tensor(np.random.randn(1, 4, 6))
    causal = np.tril(np.ones((4, 4), dtype=bool))
    assert np.allclose(mha(x, mask=causal).data, mha(x, is_causal=True).data, atol=1e-6), "a lower-triangular boolean mask must give the same result as is_causal=True"
    assert not np.allclose(mha(x).data, mha(x, is_causal=True).data, atol=1e-4), "is_causal=True must change the outputs of all but the last position"
    assert np.allclose(mha(x).data[:, -1], mha(x, is_causal=True).data[:, -1], atol=1e-5), "the last position sees every key, masked or not"


def test_hidden_multihead_bad_input():
    expect_error(ValueError, lambda: MultiHeadAttention(10, 3), "num_heads=3", "embed_dim=10")
    mha = MultiHeadAttention(8, 4)
    expect_error(ValueError, lambda: mha(Tensor(np.ones((2, 5, 6)))), "(2, 5, 6)", "8")
    expect_error(ValueError, lambda: mha(Tensor(np.ones((5, 8)))), "(5, 8)")


test_hidden_multihead_gradients()
test_hidden_multihead_mask_and_no_bias()
test_hidden_multihead_bad_input()

# %% [markdown]
# ## Try it: what does each query look at?

# %%
q = k = Tensor(np.eye(4))  # four distinct one-hot tokens: each query matches only its own key
weights = Softmax(dim=-1)(q @ k.transpose() * 4.0 + Tensor(np.where(np.tril(np.ones((4, 4), dtype=bool)), 0.0, -np.inf)))
print("causal attention weights (row = query, column = key):\n", np.round(weights.data, 2))

# %% [markdown]
# ## Systems: attention is quadratic in the length
#
# Everything below runs on YOUR `scaled_dot_product_attention`. The projections cost the same for
# every token, but the scores compare every query with every key: `T x T` numbers per head. The
# weights alone, for one layer, take `batch * heads * T * T * 4` bytes. Below, the time of your
# attention as the length doubles (batch 4, 4 heads, head dim 16): read the growth column.

# %%
from tito.systems import best_time

print(f"{'T':>5} {'score bytes':>12} {'seconds':>9} {'time vs T/2':>12}")
previous = None
for length in [64, 128, 256]:
    q = Tensor(np.random.default_rng(length).standard_normal((4, 4, length, 16)))
    seconds = best_time(lambda: scaled_dot_product_attention(q, q, q, is_causal=True), repeat=3)
    growth = f"{seconds / previous:.1f}x" if previous else ""
    print(f"{length:>5} {4 * 4 * length * length * q.data.itemsize:>12,} {seconds:>9.4f} {growth:>12}")
    previous = seconds

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers; an expression such as `4 * 1024` is fine), run it, then
# `%tito module complete 12` checks your answers against your own code.
#
# 1. How many bytes do the attention weights of one layer take for 1 sequence of 1,024 tokens
#    with 4 heads, in your Tensor's dtype?
# 2. When the sequence length doubles, how many times more attention weights are there?
# 3. How many parameters does `MultiHeadAttention(64, 4)` have (with biases)?

# %%
#| answers
answers = {
    "attention_weight_bytes_4h_1024": 4 * 1024 * 1024 * 4,  # 1. bytes of the (1, 4, 1024, 1024) weights
    "attention_growth_when_t_doubles": 4,                    # 2. how many times more weights when T doubles
    "mha_parameters_64_4": 4 * (64 * 64 + 64),               # 3. parameters of MultiHeadAttention(64, 4)
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_attention_weight_bytes():
    itemsize = Tensor(np.zeros(1)).data.itemsize
    check_answer(answers, "attention_weight_bytes_4h_1024", 4 * 1024 * 1024 * itemsize,
                 "one weight per (head, query, key): 4 x 1024 x 1024 numbers, times the bytes of one element of your Tensor's dtype")


def test_reflect_attention_growth():
    counts = [scaled_dot_product_attention(Tensor(np.zeros((1, t, 2))), Tensor(np.zeros((1, t, 2))), Tensor(np.eye(t)[None])).size
              for t in (8, 16)]  # with v = identity, the output has as many numbers as the weights
    check_answer(answers, "attention_growth_when_t_doubles", counts[1] / counts[0],
                 "there is one weight per (query, key) pair: T x T; what happens to T x T when T doubles?")


def test_reflect_mha_parameters():
    check_answer(answers, "mha_parameters_64_4", sum(p.size for p in MultiHeadAttention(64, 4).parameters()),
                 "four Linear(64, 64) projections (q, k, v, out), each with a 64 x 64 weight and a bias of 64; the heads only split them")


test_reflect_attention_weight_bytes()
test_reflect_attention_growth()
test_reflect_mha_parameters()

# %% [markdown]
# ## What you built
#
# Attention in four lines, a mask that is provably causal, and multi-head attention with no loop
# over heads. Next, module 13 stacks it with an MLP into Transformer blocks, and the blocks into a GPT.

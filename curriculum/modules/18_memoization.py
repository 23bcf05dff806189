# %% [markdown]
# # Module 18: Memoization, the KV cache
#
# Your GPT (13) writes one token at a time, and for every new token `generate` runs the whole
# sequence through the model again: token 200 recomputes the keys and values of the 199 tokens
# before it, which are exactly what they were a step ago. Causal attention guarantees it: a
# position's keys and values depend only on the tokens up to it, and those never change.
#
# **Memoization** is remembering a result instead of recomputing it. A **KV cache** remembers,
# for every layer, the keys and values of every token so far. Each step then feeds the model
# *one* token: it computes that token's query, key and value, appends the key and value to the
# cache, and attends over everything the cache holds. The work per step stops growing with the
# length, and generation gets several times faster, the more the longer the text, with
# **exactly** the same tokens.
#
# **You've built:** attention (12) and a GPT with `generate` (13), the profiler (14).
# **You'll build:** `KVCache(batch_size, max_seq_len, num_layers, num_heads, head_dim)`, preallocated,
# with `update(layer_idx, key, value)`, `get(layer_idx)`, `advance()`, `reset()` and `memory_bytes()`;
# `cached_attention`, `cached_forward` and `generate_cached`, which your GPT's
# `generate(..., use_cache=True)` runs.
# **You'll enable:** milestone 06, the MLPerf-style KV-cache speedup: same tokens, measured speedup.
#
# ```
# ... -> Acceleration (17) -> [KV cache (18)] -> Benchmarking (19) -> Torch Olympics (20)
# ```
#
# **Learning objectives**
# 1. See why causal attention makes past keys and values reusable, and what changes per step.
# 2. Build a preallocated cache with clear refusals (full, wrong shapes).
# 3. Generate token by token through the cache, with the same tokens as without it.
# 4. Measure the speedup, the work saved and the memory it costs.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad
from tinytorch.core.embeddings import _token_ids
from tinytorch.core.attention import scaled_dot_product_attention
from tinytorch.core.transformers import _sample

# %% [markdown]
# ## What a step really needs
#
# At step `t` the model must produce the logits of position `t` only. Through the layers:
#
# - embeddings, LayerNorm, the MLP, the output head: **per position**; position `t` needs only
#   its own row;
# - attention: position `t`'s query against the keys of positions `0..t`, weighting their
#   values. The keys and values of `0..t-1` were computed in earlier steps: **cache them**.
#
# ```
# without a cache, step t:   (1, t+1) tokens -> every layer on t+1 rows            work ~ t
# with a cache,    step t:   (1, 1) token    -> every layer on 1 row, attention
#                            over the t+1 cached keys                              work ~ 1 (+ t for attention)
# ```
#
# ## The cache: preallocated arrays and a position
#
# One array for the keys and one for the values, each of shape
# `(num_layers, batch_size, num_heads, max_seq_len, head_dim)`, allocated once (growing arrays by
# concatenation would copy everything each step). `seq_len` says how many positions are filled.
# One step of the model writes the new keys and values of **every layer** at positions
# `seq_len ... seq_len + new - 1`, reads back `0 ... seq_len + new - 1`, and only when all layers
# are done, `advance()` moves `seq_len` forward:
#
# ```python
# for layer_idx, block in enumerate(blocks):
#     cache.update(layer_idx, key, value)     # key, value: (batch, heads, new, head_dim)
#     keys, values = cache.get(layer_idx)     # (batch, heads, seq_len + new, head_dim)
# cache.advance()                             # seq_len += new
# ```
#
# A full cache refuses to write (silently dropping or overwriting keys would produce wrong
# tokens), and so do keys of the wrong shape, with messages that name the shapes.

# %%
#| export
class KVCache:
    """Keys and values of every layer for up to max_seq_len positions, preallocated (float32)."""

    def __init__(self, batch_size, max_seq_len, num_layers, num_heads, head_dim):
        """Allocate self.keys and self.values of shape (num_layers, batch_size, num_heads, max_seq_len, head_dim).

        TODO: keep the sizes; allocate both arrays with np.zeros (float32); seq_len = 0 (positions
              filled) and self.pending = 0 (positions written by update in this step, not yet advanced).
        """
        for name, value in [("batch_size", batch_size), ("max_seq_len", max_seq_len), ("num_layers", num_layers),
                            ("num_heads", num_heads), ("head_dim", head_dim)]:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"KVCache {name} must be a whole number >= 1, got {value!r}")
        ### BEGIN SOLUTION
        self.batch_size, self.max_seq_len, self.num_layers = batch_size, max_seq_len, num_layers
        self.num_heads, self.head_dim = num_heads, head_dim
        shape = (num_layers, batch_size, num_heads, max_seq_len, head_dim)
        self.keys = np.zeros(shape, dtype=np.float32)
        self.values = np.zeros(shape, dtype=np.float32)
        self.seq_len = 0
        self.pending = 0
        ### END SOLUTION

    def _check_layer(self, layer_idx):
        if isinstance(layer_idx, bool) or not isinstance(layer_idx, (int, np.integer)) or not 0 <= layer_idx < self.num_layers:
            raise IndexError(f"layer_idx must be in [0, {self.num_layers}) for a cache of {self.num_layers} layers, got {layer_idx!r}")

    def update(self, layer_idx, key, value):
        """Write key and value (arrays or Tensors of shape (batch_size, num_heads, new, head_dim)) of
        layer `layer_idx` at positions seq_len ... seq_len + new - 1.

        TODO: check, then write both into the preallocated arrays and remember new in self.pending.

        APPROACH:
        1. self._check_layer(layer_idx); key, value = their arrays (Tensor.data)
        2. key.shape must be (batch_size, num_heads, new, head_dim) with new >= 1, and value.shape
           the same: else a ValueError naming the expected and the actual shapes
        3. every layer of one step writes the same number of positions: if self.pending is not 0
           and differs from new, ValueError
        4. seq_len + new > max_seq_len: RuntimeError saying the cache is full (name max_seq_len,
           seq_len and new, and what to do: reset() or a larger max_seq_len)
        5. self.keys[layer_idx, :, :, seq_len:seq_len + new] = key (same for values); pending = new
        """
        ### BEGIN SOLUTION
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
        ### END SOLUTION

    def get(self, layer_idx):
        """(keys, values) of layer `layer_idx` for every position so far, this step's included:
        views of shape (batch_size, num_heads, seq_len + pending, head_dim), no copies.

        TODO: check the layer; slice both arrays up to seq_len + pending.
        """
        ### BEGIN SOLUTION
        self._check_layer(layer_idx)
        end = self.seq_len + self.pending
        return self.keys[layer_idx, :, :, :end], self.values[layer_idx, :, :, :end]
        ### END SOLUTION

    def advance(self):
        """Make this step's positions part of the cache: seq_len += pending, pending = 0.

        TODO: two lines.
        """
        ### BEGIN SOLUTION
        self.seq_len += self.pending
        self.pending = 0
        ### END SOLUTION

    def reset(self):
        """Forget every position (for a new sequence); the arrays stay allocated."""
        self.seq_len = self.pending = 0

    def memory_bytes(self):
        """Bytes of the preallocated keys and values (the arrays' nbytes)."""
        return int(self.keys.nbytes + self.values.nbytes)

    def __repr__(self):
        return (f"KVCache(batch_size={self.batch_size}, max_seq_len={self.max_seq_len}, num_layers={self.num_layers}, "
                f"num_heads={self.num_heads}, head_dim={self.head_dim}, seq_len={self.seq_len})")

# %%
#| test
def test_unit_kvcache_update_get_advance():
    print("🧪 Unit Test: KVCache...")
    cache = KVCache(batch_size=1, max_seq_len=4, num_layers=2, num_heads=2, head_dim=3)
    assert cache.keys.shape == (2, 1, 2, 4, 3) and cache.keys.dtype == np.float32, \
        f"expected preallocated float32 keys of shape (2, 1, 2, 4, 3), got {cache.keys.shape} {cache.keys.dtype}"
    k, v = np.ones((1, 2, 2, 3)), np.full((1, 2, 2, 3), 2.0)
    cache.update(0, k, v)
    keys, values = cache.get(0)
    assert keys.shape == (1, 2, 2, 3) and np.all(values == 2), f"after writing 2 positions, get(0) must return them: got keys of shape {keys.shape}"
    cache.update(1, k, v)
    cache.advance()
    assert cache.seq_len == 2, f"advance() after a step of 2 positions: expected seq_len 2, got {cache.seq_len}"
    cache.update(0, k[:, :, :1] * 5, v[:, :, :1])
    keys, _ = cache.get(0)
    assert keys.shape == (1, 2, 3, 3) and np.all(keys[:, :, 2] == 5) and np.all(keys[:, :, :2] == 1), \
        "a third position must be appended after the first two, which stay"
    assert cache.memory_bytes() == 2 * 2 * 1 * 2 * 4 * 3 * 4, f"keys and values of 2 layers x 1 x 2 heads x 4 positions x 3 floats: expected 384 bytes, got {cache.memory_bytes()}"
    print("✅ KVCache works!")


def test_unit_kvcache_refuses():
    print("🧪 Unit Test: a full cache and wrong shapes are refused...")
    cache = KVCache(1, 2, 1, 1, 4)
    for bad in [np.ones((1, 1, 1, 5)), np.ones((2, 1, 1, 4)), np.ones((1, 4))]:
        try:
            cache.update(0, bad, bad)
        except ValueError as error:
            assert str(bad.shape) in str(error), f"the message must name the shape {bad.shape}: {error}"
        else:
            raise AssertionError(f"update with a key of shape {bad.shape} in a cache for (1, 1, new, 4) must raise a ValueError")
    cache.update(0, np.ones((1, 1, 2, 4)), np.ones((1, 1, 2, 4)))
    cache.advance()
    try:
        cache.update(0, np.ones((1, 1, 1, 4)), np.ones((1, 1, 1, 4)))
    except RuntimeError as error:
        assert "full" in str(error) and "max_seq_len=2" in str(error), f"the message must say the cache is full and its size: {error}"
    else:
        raise AssertionError("writing a third position into a cache of max_seq_len=2 must raise a RuntimeError")
    cache.reset()
    cache.update(0, np.ones((1, 1, 1, 4)), np.ones((1, 1, 1, 4)))  # after reset() there is room again
    print("✅ Refusals work!")


test_unit_kvcache_update_get_advance()
test_unit_kvcache_refuses()

# %% [markdown]
# ## Attention through the cache
#
# `cached_attention(attn, x, cache, layer_idx)` is your `MultiHeadAttention.forward` (12) with the
# cache in the middle: project the **new** positions `x` (B, new, E) to q, k, v and split the
# heads as before; write k and v to the cache; read back all keys and values so far; attend.
#
# Causality still matters when several new positions arrive at once (the prompt): new position
# `j` sits at absolute position `seq_len + j` and may see the keys `0 ... seq_len + j`. As a
# boolean mask (True = may attend) over `(new, total)` that is `np.tril(ones, k=total - new)`: a
# lower triangle shifted right by the cached positions. For one new token it would be all True:
# the newest position may see everything, so a generation step needs no mask at all (`mask=None`),
# and skipping it is a real saving when every step is this small.

# %%
#| export
def cached_attention(attn, x, cache, layer_idx):
    """attn (a MultiHeadAttention) on the new positions x (B, new, E), attending over the cached
    keys and values of layer `layer_idx` plus the new ones; returns (B, new, E).

    TODO: as MultiHeadAttention.forward, with the cache between the projections and the attention.

    APPROACH:
    1. q, k, v = attn._split_heads(attn.q_proj(x)), ... k_proj, v_proj     (B, heads, new, head_dim)
    2. cache.update(layer_idx, k, v); keys, values = cache.get(layer_idx)
    3. new, total = q.shape[2], keys.shape[2]; allowed = None when new == 1 (nothing to hide),
       else np.tril(np.ones((new, total), dtype=bool), k=total - new)
    4. out = scaled_dot_product_attention(q, Tensor(keys), Tensor(values), mask=allowed)
    5. return attn.out_proj(attn._merge_heads(out))
    """
    ### BEGIN SOLUTION
    q = attn._split_heads(attn.q_proj(x))
    k = attn._split_heads(attn.k_proj(x))
    v = attn._split_heads(attn.v_proj(x))
    cache.update(layer_idx, k, v)
    keys, values = cache.get(layer_idx)
    new, total = q.shape[2], keys.shape[2]
    allowed = None if new == 1 else np.tril(np.ones((new, total), dtype=bool), k=total - new)
    out = scaled_dot_product_attention(q, Tensor(keys), Tensor(values), mask=allowed)
    return attn.out_proj(attn._merge_heads(out))
    ### END SOLUTION

# %% [markdown]
# ## The GPT, one step at a time
#
# `cached_forward(model, ids, cache)` is your `GPT.forward` for the new tokens `ids` (B, new) only:
# their token embeddings, plus the position embeddings of *their* positions
# (`seq_len ... seq_len + new - 1`, not `0 ... new - 1`), each block as
# `x + attention(norm1(x))` then `x + mlp(norm2(x))` with the attention through the cache, then
# `cache.advance()`, the final norm and the head.
#
# `generate_cached` is `generate` with the cache: the prompt goes through once (filling the cache
# with all its positions), then each step feeds just the token it picked. The same `_sample` (13)
# picks the tokens, so with the same seed even sampled tokens are identical. The cache has room
# for `model.max_seq_len` positions: `generate` without a cache slides its window past that (and
# every position then shifts, so nothing cached stays valid), so a longer request is refused
# with a message saying so.

# %%
#| export
def cached_forward(model, ids, cache):
    """Logits (B, new, vocab) of the GPT `model` for the new token ids (B, new) at positions
    cache.seq_len ..., attending over the cache, which it extends by `new` positions.

    TODO: GPT.forward for the new positions only, with cached_attention in every block.

    APPROACH:
    1. start, new = cache.seq_len, ids.shape[1]
    2. x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]
    3. for i, block in enumerate(model.blocks):
           x = x + cached_attention(block.attn, block.norm1(x), cache, i)
           x = x + block.mlp(block.norm2(x))
    4. cache.advance(); return model.head(model.norm(x))
    """
    ### BEGIN SOLUTION
    start, new = cache.seq_len, ids.shape[1]
    x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]
    for i, block in enumerate(model.blocks):
        x = x + cached_attention(block.attn, block.norm1(x), cache, i)
        x = x + block.mlp(block.norm2(x))
    cache.advance()
    return model.head(model.norm(x))
    ### END SOLUTION


def cache_for(model, batch_size):
    """A KVCache sized for the GPT `model`: every layer and head, model.max_seq_len positions."""
    attn = model.blocks[0].attn
    return KVCache(batch_size, model.max_seq_len, len(model.blocks), attn.num_heads, attn.head_dim)


def generate_cached(model, tokens, max_new_tokens, temperature=1.0, top_k=None):
    """GPT.generate with a KV cache: the same tokens, computed with one position per step.

    TODO: the prompt through cached_forward once, then one token per step.

    APPROACH:
    1. ids = _token_ids(tokens, model.vocab_size), 2-D (batch, T), else ValueError naming the shape
    2. if T + max_new_tokens - 1 > model.max_seq_len: ValueError (the cache cannot hold the sequence;
       say that generate without use_cache slides its window instead)
    3. cache = cache_for(model, batch); with no_grad(): logits = cached_forward(model, ids, cache)
    4. repeat max_new_tokens times: pick = _sample(logits.data[:, -1, :], temperature, top_k);
       append it to ids; unless it was the last step, logits = cached_forward(model, pick[:, None], cache)
    5. return ids
    """
    ids = _token_ids(tokens, model.vocab_size)
    if ids.ndim != 2 or ids.shape[1] < 1:
        raise ValueError(f"generate expects tokens of shape (batch, seq_len) with seq_len >= 1, got shape {ids.shape} (for one sequence pass [tokens])")
    needed = ids.shape[1] + max_new_tokens - 1
    if needed > model.max_seq_len:
        raise ValueError(f"generate(use_cache=True): {ids.shape[1]} prompt tokens + {max_new_tokens} new ones need {needed} cached positions, "
                         f"more than max_seq_len={model.max_seq_len}; generate without use_cache slides its window past that instead")
    ### BEGIN SOLUTION
    cache = cache_for(model, ids.shape[0])
    with no_grad():
        logits = cached_forward(model, ids, cache)
        for step in range(max_new_tokens):
            pick = _sample(logits.data[:, -1, :], temperature, top_k)
            ids = np.concatenate([ids, pick[:, None]], axis=1)
            if step < max_new_tokens - 1:
                logits = cached_forward(model, pick[:, None], cache)
    return ids
    ### END SOLUTION

# %%
#| test
from tinytorch.core.transformers import GPT


def test_unit_cached_forward_matches_forward():
    print("🧪 Unit Test: cached_forward gives the logits of forward...")
    np.random.seed(0)
    model = GPT(vocab_size=20, embed_dim=16, num_layers=2, num_heads=2, max_seq_len=12)
    ids = np.random.randint(0, 20, (2, 9))
    with no_grad():
        full = model(ids).data
        cache = cache_for(model, 2)
        parts = [cached_forward(model, ids[:, :5], cache).data] + [cached_forward(model, ids[:, i:i + 1], cache).data for i in range(5, 9)]
    stepwise = np.concatenate(parts, axis=1)
    assert stepwise.shape == full.shape, f"5 prompt positions then 4 single steps: expected logits of shape {full.shape}, got {stepwise.shape}"
    assert np.allclose(stepwise, full, atol=1e-5), f"cached logits must equal the full forward's: largest difference {np.abs(stepwise - full).max():.2e}"
    print("✅ cached_forward works!")


def test_unit_generate_with_cache_same_tokens():
    print("🧪 Unit Test: generate_cached gives the same tokens as generate...")
    np.random.seed(1)
    model = GPT(vocab_size=30, embed_dim=16, num_layers=2, num_heads=4, max_seq_len=24)
    prompt = [[3, 1, 4, 1, 5]]
    plain = model.generate(prompt, 15, temperature=0)
    cached = generate_cached(model, prompt, 15, temperature=0)
    assert np.array_equal(plain, cached), f"greedy tokens must be identical: without cache {plain.tolist()}, with {cached.tolist()}"
    print("✅ Same tokens with the cache!")


test_unit_cached_forward_matches_forward()
test_unit_generate_with_cache_same_tokens()

# %%
#| hidden
from tito.checks import case, expect_error
from tinytorch.core.layers import Linear


def test_hidden_identical_tokens_and_logits_every_position():
    np.random.seed(2)
    model = GPT(vocab_size=40, embed_dim=24, num_layers=3, num_heads=3, max_seq_len=24)
    prompt = np.random.randint(0, 40, (3, 6))
    with case("greedy, batch of 3, prompt of 6, 18 new tokens"):
        greedy, cached = model.generate(prompt, 18, temperature=0), generate_cached(model, prompt, 18, temperature=0)
        assert cached.shape == greedy.shape == (3, 24), f"expected shape (3, 24), got {cached.shape}"
        differ = np.argwhere(greedy != cached)
        assert len(differ) == 0, f"tokens must be identical at every position; first difference at (row, position) {differ[0].tolist() if len(differ) else None}"
    with case("sampling with temperature 0.8 and top_k 5, the same seed"):
        np.random.seed(5)
        plain = model.generate(prompt, 12, temperature=0.8, top_k=5)
        np.random.seed(5)
        cached = generate_cached(model, prompt, 12, temperature=0.8, top_k=5)
        assert np.array_equal(plain, cached), "with the same seed, sampled tokens must be identical too (use _sample)"
    with case("logits at every position of a 24-token sequence"):
        ids = greedy
        with no_grad():
            full = model(ids).data
            cache = cache_for(model, 3)
            steps = [cached_forward(model, ids[:, :6], cache).data] + [cached_forward(model, ids[:, i:i + 1], cache).data for i in range(6, 24)]
        got = np.concatenate(steps, axis=1)
        assert np.abs(got - full).max() <= 1e-5, f"cached logits must be within 1e-5 of the full forward's, largest difference {np.abs(got - full).max():.2e}"


def _count_rows(layer, counts, key):
    """Count the rows (positions) a Linear computes, by replacing its forward on the instance."""
    forward = layer.forward

    def counting(x):
        counts[key] = counts.get(key, 0) + int(np.prod(x.shape[:-1]))
        return forward(x)

    layer.forward = counting


def test_hidden_gpt_generate_runs_this_module():
    np.random.seed(6)
    model = GPT(vocab_size=12, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=16)
    hooked = model.generate([[1, 2, 3]], 8, temperature=0, use_cache=True)  # GPT imports tinytorch.core.memoization: this module
    assert np.array_equal(hooked, generate_cached(model, [[1, 2, 3]], 8, temperature=0)), "GPT.generate(use_cache=True) must give the tokens of your generate_cached"


def test_hidden_the_cache_saves_the_work():
    np.random.seed(3)
    model = GPT(vocab_size=16, embed_dim=8, num_layers=2, num_heads=2, max_seq_len=64)
    counts = {}
    for i, block in enumerate(model.blocks):
        _count_rows(block.attn.k_proj, counts, "keys")
        _count_rows(block.mlp.layers[0], counts, "mlp")
    _count_rows(model.head, counts, "head")
    prompt, new = 4, 40
    generate_cached(model, [[1, 2, 3, 4]], new, temperature=0)
    for key, per_layer in [("keys", 2), ("mlp", 2), ("head", 1)]:
        most = per_layer * (prompt + new - 1)
        assert counts.get(key, 0) <= most, (f"with the cache each position goes through the model once: at most {most} rows through the "
                                           f"{key} layers for a prompt of 4 and 40 new tokens, counted {counts.get(key, 0)} (is it recomputing the sequence?)")
    assert counts.get("keys", 0) >= 2 * (prompt + new - 1), f"every position's keys must be computed once per layer, counted {counts.get('keys', 0)} rows"


def test_hidden_generate_cached_uses_one_preallocated_cache():
    np.random.seed(4)
    model = GPT(vocab_size=16, embed_dim=8, num_layers=2, num_heads=2, max_seq_len=32)
    made, updates = [], []
    original_init, original_update = KVCache.__init__, KVCache.update

    def init(self, *args, **kwargs):
        made.append(self)
        original_init(self, *args, **kwargs)

    def update(self, layer_idx, key, value):
        updates.append(np.shape(key.data if isinstance(key, Tensor) else key)[2])
        original_update(self, layer_idx, key, value)

    KVCache.__init__, KVCache.update = init, update
    try:
        generate_cached(model, [[1, 2, 3]], 10, temperature=0)
    finally:
        KVCache.__init__, KVCache.update = original_init, original_update
    assert len(made) == 1, f"one generate call must allocate one KVCache, made {len(made)}"
    assert updates == [3, 3] + [1, 1] * 9, f"2 layers: the prompt's 3 positions once, then 1 position per step for 9 steps; got updates of {updates}"


def test_hidden_refusals():
    model = GPT(vocab_size=10, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=8)
    expect_error(ValueError, lambda: generate_cached(model, [[1, 2, 3]], 7), "max_seq_len=8", "9")
    assert generate_cached(model, [[1, 2, 3]], 6, temperature=0).shape == (1, 9), "3 + 6 - 1 = 8 positions fit max_seq_len=8"
    expect_error(ValueError, lambda: generate_cached(model, [1, 2], 2), "(2,)")
    cache = KVCache(2, 5, 2, 2, 4)
    expect_error(IndexError, lambda: cache.update(2, np.ones((2, 2, 1, 4)), np.ones((2, 2, 1, 4))), "[0, 2)")
    expect_error(IndexError, lambda: cache.get(-1), "layer_idx")
    expect_error(ValueError, lambda: cache.update(0, np.ones((2, 2, 1, 4)), np.ones((2, 2, 2, 4))), "(2, 2, 2, 4)")
    cache.update(0, np.ones((2, 2, 2, 4)), np.ones((2, 2, 2, 4)))
    expect_error(ValueError, lambda: cache.update(1, np.ones((2, 2, 1, 4)), np.ones((2, 2, 1, 4))), "advance")
    expect_error(ValueError, lambda: KVCache(1, 0, 1, 1, 1), "max_seq_len")
    cache.advance()
    cache.update(0, np.ones((2, 2, 3, 4)), np.ones((2, 2, 3, 4)))
    cache.advance()
    expect_error(RuntimeError, lambda: cache.update(0, np.ones((2, 2, 1, 4)), np.ones((2, 2, 1, 4))), "full", "reset()")


def test_hidden_memory_is_preallocated_and_measured():
    model = GPT(vocab_size=10, embed_dim=12, num_layers=3, num_heads=3, max_seq_len=20)
    cache = cache_for(model, 2)
    expected = 2 * 3 * 2 * 3 * 20 * 4 * 4
    assert cache.memory_bytes() == expected, f"keys and values: 3 layers x batch 2 x 3 heads x 20 positions x 4 floats x 4 bytes x 2 = {expected}, got {cache.memory_bytes()}"
    assert cache.memory_bytes() == cache.keys.nbytes + cache.values.nbytes, "memory_bytes must be the arrays' real nbytes"
    keys_before = cache.keys
    cache.update(0, np.ones((2, 3, 5, 4)), np.ones((2, 3, 5, 4)))
    assert cache.keys is keys_before, "update must write into the preallocated array, not make a new one"
    keys, _ = cache.get(0)
    assert np.shares_memory(keys, cache.keys), "get must return a view of the cache (a slice), not a copy"


test_hidden_identical_tokens_and_logits_every_position()
test_hidden_gpt_generate_runs_this_module()
test_hidden_the_cache_saves_the_work()
test_hidden_generate_cached_uses_one_preallocated_cache()
test_hidden_refusals()
test_hidden_memory_is_preallocated_and_measured()

# %% [markdown]
# ## Use it: the speedup, the work and the memory, measured
#
# The same GPT, the same prompt, greedy decoding with and without the cache: identical tokens,
# and the time per token. Without the cache every step is a forward over the whole sequence so
# far, so the time per token grows with the length; with it, each step is one position. The
# cache costs memory: keys and values for every layer, head and position.

# %%
import time

np.random.seed(0)
gpt = GPT(vocab_size=64, embed_dim=64, num_layers=2, num_heads=4, max_seq_len=80)
prompt = np.random.randint(0, 64, (1, 8))
for new_tokens in (18, 36, 72):
    start = time.perf_counter()
    plain = gpt.generate(prompt, new_tokens, temperature=0)
    t_plain = time.perf_counter() - start
    start = time.perf_counter()
    cached = generate_cached(gpt, prompt, new_tokens, temperature=0)  # what gpt.generate(..., use_cache=True) runs once this module is complete
    t_cached = time.perf_counter() - start
    print(f"{new_tokens:4d} tokens: identical {np.array_equal(plain, cached)}, without cache {t_plain / new_tokens * 1e3:6.2f} ms/token, "
          f"with {t_cached / new_tokens * 1e3:6.2f} ms/token, speedup {t_plain / t_cached:5.1f}x")
print(f"cache memory: {cache_for(gpt, 1).memory_bytes():,} bytes")

# %% [markdown]
# Read the table: without the cache the time per token grows with the length; with it, it stays
# flat. Flat, but not near zero. A cached step still runs some thirty operations per layer on
# tiny arrays (projections, reshapes, a softmax, the MLP), and each costs a few microseconds of
# Python and NumPy bookkeeping whatever its size. With one sequence of width 64 that fixed cost
# is a large part of an uncached step too, so the speedup stays far below the ratio of positions
# computed (Reflect questions 2 and 3 count them). It grows with the length, and with the batch:
# milestone 06 generates for many prompts at once, where the arithmetic, which the cache saves,
# outweighs the bookkeeping, which it does not.

# %% [markdown]
# ## Reflect
#
# 1. How many bytes does `cache_for(GPT(vocab_size=64, embed_dim=64, num_layers=4, num_heads=4, max_seq_len=128), 1)` allocate?
# 2. Generating 40 tokens after a prompt of 8 **without** the cache: how many positions go
#    through the model's head in total (each step runs the whole sequence so far)?
# 3. And **with** the cache (the prompt once, then one position per step)?

# %%
#| answers
answers = {
    "kv_cache_bytes_4x4x64_len128": 2 * 4 * 1 * 4 * 128 * 16 * 4,  # 1. bytes of the cache for that GPT
    "kv_positions_without_cache_8_40": sum(range(8, 48)),  # 2. positions through the head without the cache
    "kv_positions_with_cache_8_40": 8 + 39,  # 3. positions through the head with the cache
}

# %%
#| reflect
from tito.checks import check_answer


def _head_rows(use_cache):
    np.random.seed(0)
    model = GPT(vocab_size=8, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=64)
    rows, forward = [], model.head.forward

    def counting_head(x):  # the head's forward, counting the positions it scores
        rows.append(int(np.prod(x.shape[:-1])))
        return forward(x)

    model.head.forward = counting_head
    if use_cache:
        generate_cached(model, np.zeros((1, 8), dtype=np.int64), 40, temperature=0)
    else:
        model.generate(np.zeros((1, 8), dtype=np.int64), 40, temperature=0)
    return sum(rows)


def test_reflect_kv_cache():
    model = GPT(vocab_size=64, embed_dim=64, num_layers=4, num_heads=4, max_seq_len=128)
    check_answer(answers, "kv_cache_bytes_4x4x64_len128", cache_for(model, 1).memory_bytes(),
                 "keys and values (2) x layers x batch x heads x positions x head_dim (64 / 4) x 4 bytes")
    check_answer(answers, "kv_positions_without_cache_8_40", _head_rows(False),
                 "step i (from 0) runs the whole sequence so far: 8 + i positions; add them up for i = 0 ... 39")
    check_answer(answers, "kv_positions_with_cache_8_40", _head_rows(True),
                 "the prompt's 8 positions once, then one position per step after the first pick")


test_reflect_kv_cache()

# %% [markdown]
# ## What you built
#
# A preallocated KV cache with clear refusals, attention that reads it, a GPT forward that feeds
# one position per step, and `generate(use_cache=True)`: the same tokens, every position checked,
# with the work per step no longer growing with the length. Milestone 06 measures the speedup on
# your own GPT.

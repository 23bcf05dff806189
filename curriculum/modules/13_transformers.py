# %% [markdown]
# # Module 13: Transformers, a small GPT
#
# Everything is ready: tokens become vectors (11), and attention mixes information between
# positions (12). A **Transformer block** alternates that mixing with a per-token computation (an
# MLP), each wrapped in a normalisation and a residual connection. Stack a few blocks between an
# embedding and a linear "head" that scores every token of the vocabulary, and you have GPT:
# a model that reads a sequence and predicts, at every position, the next token.
#
# **You've built:** `Linear`, `Sequential` (03), `GELU` (02), autograd's `Function` (06),
# optimizers (07), tokenizers (10), embeddings (11), `MultiHeadAttention` (12).
# **You'll build:** `LayerNorm` (a new operation with its own backward), `MLP`, the pre-norm
# `TransformerBlock`, and `GPT` with `forward(tokens) -> logits` and `generate`.
# **You'll enable:** milestone 05, where your GPT learns to reverse sequences and to write in
# the style of Shakespeare, and the KV cache of module 18.
#
# ```
# Tokenization (10) -> Embeddings (11) -> Attention (12) -> [Transformers (13)] -> Milestone 05
# ```
#
# **Learning objectives**
# 1. Normalise each token's vector, and derive the backward of that normalisation.
# 2. Assemble the pre-norm block: `x + attn(norm(x))`, then `x + mlp(norm(x))`.
# 3. Build a GPT, and generate text from it: greedy, with a temperature, with top-k.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import GELU
from tinytorch.core.layers import Layer, Linear, Sequential
from tinytorch.core.autograd import Function, no_grad
from tinytorch.core.embeddings import Embedding, PositionalEmbedding, _token_ids
from tinytorch.core.attention import MultiHeadAttention

# %% [markdown]
# ## LayerNorm: every token on the same scale
#
# Deep stacks train badly when the scale of the activations drifts from layer to layer. Layer
# normalisation rescales **each token's vector** to mean 0 and variance 1 over its features, then
# lets training choose a scale (`weight`, starting at 1) and a shift (`bias`, starting at 0):
#
# $$\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \hat{x} \cdot \text{weight} + \text{bias}$$
#
# with `mu` and `sigma^2` the mean and (biased) variance over the last axis. Unlike batch
# normalisation, nothing is shared between tokens or sequences: it behaves the same in training
# and in generation, one token at a time.
#
# The normalisation is one **new operation** with its own `Function` (the scale and shift are
# the ordinary `*` and `+`). Its backward, for an incoming gradient `g`, with the means taken over
# the normalised axis:
#
# $$\frac{\partial L}{\partial x} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}\left(g - \text{mean}(g) - \hat{x}\,\text{mean}(g\,\hat{x})\right)$$
#
# Why those two subtractions? Shifting all of `x` by a constant changes nothing (the mean is
# subtracted), so the gradient cannot have a component along "all ones": `- mean(g)` removes it.
# Scaling `x` changes nothing either (it is divided by its spread), so no component along
# `x_hat`: `- x_hat * mean(g * x_hat)` removes that. `_normalize` records the Function as
# `enable_autograd` does for the built-in operations.

# %%
#| export
class NormalizeBackward(Function):
    """x_hat = (x - mean) / sqrt(var + eps) over `axes`; built as NormalizeBackward(x_hat, x, axes, inv_std)."""

    def __init__(self, output, x, axes, inv_std):
        super().__init__(output, x)
        self.axes, self.inv_std = axes, inv_std

    def backward(self, grad_output):
        """TODO: the formula above: inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), means over self.axes.
        HINT: x_hat is self.output; keepdims=True keeps the means broadcastable.
        """
        ### BEGIN SOLUTION
        x_hat, g = self.output, grad_output
        mean_g = g.mean(axis=self.axes, keepdims=True)
        mean_gx = (g * x_hat).mean(axis=self.axes, keepdims=True)
        return (self.inv_std * (g - mean_g - x_hat * mean_gx),)
        ### END SOLUTION


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
        """x (..., *normalized_shape) -> the same shape, each vector normalised, scaled and shifted.

        TODO: check that x ends with normalized_shape (ValueError naming both), then
              _normalize(x, axes, self.eps) * self.weight + self.bias.
        HINT: axes = tuple(range(-len(self.normalized_shape), 0)), e.g. (-1,) for one axis.
        """
        ### BEGIN SOLUTION
        count = len(self.normalized_shape)
        if tuple(x.shape[len(x.shape) - count:]) != self.normalized_shape:
            raise ValueError(f"{self!r} expects input of shape (..., {', '.join(map(str, self.normalized_shape))}), got shape {x.shape}")
        return _normalize(x, tuple(range(-count, 0)), self.eps) * self.weight + self.bias
        ### END SOLUTION

    def parameters(self):
        return [self.weight, self.bias]

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape}, eps={self.eps})"

# %%
#| test
def test_unit_layernorm():
    print("🧪 Unit Test: LayerNorm...")
    norm = LayerNorm(4)
    assert np.array_equal(norm.weight.data, np.ones(4)) and np.array_equal(norm.bias.data, np.zeros(4)), "LayerNorm(4): weight must start at ones, bias at zeros"
    x = Tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 50.0]])
    got = norm(x).data
    expected = (x.data - x.data.mean(axis=1, keepdims=True)) / np.sqrt(x.data.var(axis=1, keepdims=True) + 1e-5)
    assert np.allclose(got, expected, atol=1e-5), f"LayerNorm(4) of {x.data.tolist()}: expected each row with mean 0 and variance 1, {expected.round(4).tolist()}, got {got.round(4).tolist()}"
    norm.weight.data[...] = [1.0, 2.0, 3.0, 4.0]
    norm.bias.data[...] = 0.5
    assert np.allclose(norm(x).data, expected * [1, 2, 3, 4] + 0.5, atol=1e-5), "LayerNorm: after normalising, multiply by weight and add bias"
    print("✅ LayerNorm works!")


def test_unit_normalize_backward():
    print("🧪 Unit Test: the backward of the normalisation, by finite differences...")
    from tinytorch.core.autograd import gradcheck

    x = Tensor(np.random.default_rng(0).standard_normal((3, 5)), requires_grad=True)
    try:
        gradcheck(lambda x: LayerNorm(5)(x), x)
    except AssertionError as error:
        raise AssertionError(f"gradient of LayerNorm(5) for x of shape (3, 5): {error}") from None
    print("✅ LayerNorm's gradient matches finite differences!")


test_unit_layernorm()
test_unit_normalize_backward()

# %%
#| hidden
from tito.checks import expect_error
from tinytorch.core.autograd import gradcheck


def test_hidden_layernorm_gradcheck_all_inputs():
    rng = np.random.default_rng(1)
    for shape in [(2, 3, 4), (2, 3, 4, 5)]:
        norm = LayerNorm(shape[-2:] if len(shape) == 4 else shape[-1])
        norm.weight.data[...] = rng.uniform(0.5, 2.0, norm.weight.shape)
        norm.bias.data[...] = rng.standard_normal(norm.bias.shape)
        x = Tensor(rng.standard_normal(shape) * 3 + 1, requires_grad=True)
        try:
            gradcheck(lambda x, w, b: norm(x), x, norm.weight, norm.bias)
        except AssertionError as error:
            raise AssertionError(f"gradient of {norm!r} for x of shape {shape} (inputs x, weight, bias): {error}") from None


def test_hidden_layernorm_multi_axis_eps_and_errors():
    x = np.random.default_rng(2).standard_normal((2, 3, 4)) * 5
    got = LayerNorm((3, 4))(Tensor(x)).data
    flat = x.reshape(2, 12)
    expected = ((flat - flat.mean(1, keepdims=True)) / np.sqrt(flat.var(1, keepdims=True) + 1e-5)).reshape(2, 3, 4)
    assert np.allclose(got, expected, atol=1e-5), "LayerNorm((3, 4)) must normalise over the last two axes together"
    constant = LayerNorm(3, eps=1.0)(Tensor([[2.0, 2.0, 2.0], [0.0, 1.0, 2.0]])).data
    assert np.allclose(constant, [[0, 0, 0], np.array([-1, 0, 1]) / np.sqrt(2 / 3 + 1)], atol=1e-6), \
        f"LayerNorm(3, eps=1.0): divide by sqrt(var + eps) with the biased variance, got {constant.tolist()}"
    expect_error(ValueError, lambda: LayerNorm(4)(Tensor(np.ones((2, 3)))), "4", "(2, 3)")
    assert LayerNorm(4).parameters()[0].shape == (4,) and len(LayerNorm(4).parameters()) == 2, "LayerNorm.parameters() must be [weight, bias]"


test_hidden_layernorm_gradcheck_all_inputs()
test_hidden_layernorm_multi_axis_eps_and_errors()

# %% [markdown]
# ## The MLP and the pre-norm block
#
# Attention moves information *between* positions; the MLP then processes each position on its
# own: `Linear(E, 4E) -> GELU -> Linear(4E, E)`, a wider hidden layer than the model (the
# `mlp_ratio`, 4 in GPT-2). It is a `Sequential` of layers you already have.
#
# The block (GPT-2's **pre-norm** layout) normalises *before* each part and adds the result to
# its input, the residual connection:
#
# ```
# x = x + attn(norm1(x))      mix information across positions
# x = x + mlp(norm2(x))       think about each position
# ```
#
# The residual path `x + ...` is a straight road for the gradient from the loss back to the
# embeddings: each block only adds a correction, so even a deep stack starts out close to the
# identity and trains. `mask` and `is_causal` are passed through to the attention.

# %%
#| export
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
        """TODO: the two residual steps above (pass mask and is_causal to self.attn)."""
        ### BEGIN SOLUTION
        x = x + self.attn(self.norm1(x), mask=mask, is_causal=is_causal)
        return x + self.mlp(self.norm2(x))
        ### END SOLUTION

    def __call__(self, x, mask=None, is_causal=False):
        return self.forward(x, mask=mask, is_causal=is_causal)

    def parameters(self):
        return [p for part in (self.norm1, self.attn, self.norm2, self.mlp) for p in part.parameters()]

# %%
#| test
def test_unit_transformer_block():
    print("🧪 Unit Test: TransformerBlock (pre-norm, residual)...")
    np.random.seed(0)
    block = TransformerBlock(8, 2)
    assert isinstance(block.mlp, MLP) and block.mlp.layers[0].out_features == 32, "TransformerBlock(8, 2): the MLP's hidden width must be mlp_ratio * 8 = 32"
    x = Tensor(np.random.randn(2, 5, 8))
    got = block(x, is_causal=True)
    h = x + block.attn(block.norm1(x), is_causal=True)
    expected = (h + block.mlp(block.norm2(h))).data
    assert got.shape == (2, 5, 8), f"TransformerBlock(8, 2) on (2, 5, 8): expected shape (2, 5, 8), got {got.shape}"
    assert np.allclose(got.data, expected, atol=1e-5), "TransformerBlock: expected x + attn(norm1(x)), then that + mlp(norm2(that))"
    assert len(block.parameters()) == 2 + 8 + 2 + 4, f"TransformerBlock.parameters(): expected 16 tensors (norm1 2, attn 8, norm2 2, mlp 4), got {len(block.parameters())}"
    print("✅ TransformerBlock works!")


test_unit_transformer_block()

# %%
#| hidden
def test_hidden_block_gradients_and_causality():
    np.random.seed(4)
    block = TransformerBlock(4, 2, mlp_ratio=2)
    assert block.mlp.layers[0].out_features == 8, "TransformerBlock(4, 2, mlp_ratio=2): MLP hidden width must be 8"
    x = Tensor(np.random.randn(1, 3, 4), requires_grad=True)
    try:
        gradcheck(lambda x, g, w: block(x, is_causal=True), x, block.norm1.weight, block.mlp.layers[2].weight)
    except AssertionError as error:
        raise AssertionError(f"gradient of TransformerBlock(4, 2) (inputs x, norm1.weight, mlp's second weight): {error}") from None
    changed = x.data.copy()
    changed[:, 2] += 1.0
    assert np.array_equal(block(Tensor(changed), is_causal=True).data[:, :2], block(x, is_causal=True).data[:, :2]), \
        "TransformerBlock with is_causal=True: changing the last position changed earlier outputs"


test_hidden_block_gradients_and_causality()

# %% [markdown]
# ## GPT
#
# ```
# tokens (B, T) --token_embedding--> (B, T, E) --position_embedding--> (B, T, E)
#   --> TransformerBlock x num_layers (causal) --> norm --> head Linear(E, V) --> logits (B, T, V)
# ```
#
# `logits[b, t]` scores every token of the vocabulary as the one following `tokens[b, : t + 1]`.
# The blocks are causal, so position `t` sees only tokens `0..t`: one forward pass trains all `T`
# predictions of a sequence at once, and none of them can cheat by looking at the answer.
# Training is cross-entropy between `logits.reshape(B * T, V)` and the targets, the same tokens
# shifted by one.
#
# **Generating** is the model's prediction fed back to it: score the next token, pick one, append
# it, repeat. Picking: `temperature=0` takes the most likely (greedy); otherwise sample from
# `softmax(logits / temperature)` (below 1 sharpens the distribution, above 1 flattens it);
# `top_k` first keeps only the k most likely tokens. The model has positions for `max_seq_len`
# tokens only, so it sees the last `max_seq_len` tokens of a growing sequence.
#
# Each new token reruns the model over the whole context, recomputing every key and value it
# computed a step before. Module 18 (memoization) caches them: `generate(..., use_cache=True)`
# hands the work to its `generate_cached`.

# %%
#| export
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
        """Logits (B, T, vocab_size) for integer tokens (B, T) (a list, array or Tensor), T <= max_seq_len.

        TODO: embed, run the blocks causally, normalise, score the vocabulary.
        APPROACH: 1. tokens must have 2 dimensions: ValueError naming the shape otherwise
                  2. x = self.position_embedding(self.token_embedding(tokens))
                  3. x = block(x, is_causal=True) for each block
                  4. return self.head(self.norm(x))
        """
        ### BEGIN SOLUTION
        shape = np.shape(tokens.data if isinstance(tokens, Tensor) else tokens)
        if len(shape) != 2:
            raise ValueError(f"GPT expects tokens of shape (batch, seq_len), got shape {shape} (for one sequence pass [tokens])")
        x = self.position_embedding(self.token_embedding(tokens))
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.head(self.norm(x))
        ### END SOLUTION

    def generate(self, tokens, max_new_tokens, temperature=1.0, top_k=None, use_cache=False):
        """Continue each row of `tokens` (B, T) by max_new_tokens tokens; returns all ids, int64 (B, T + max_new_tokens).

        temperature 0 is greedy; top_k keeps only the k most likely tokens; np.random makes the
        draws, so np.random.seed makes them repeatable. The model sees the last max_seq_len
        tokens. use_cache=True runs module 18's KV-cached generate_cached instead, with the same
        arguments and results.

        TODO: the loop: forward the (cropped) context, pick a token from the last position's logits, append.
        APPROACH: 1. ids = _token_ids(tokens, self.vocab_size)   (checked int64 array); not 2-D, or no
                     token at all (seq_len 0): ValueError naming ids.shape
                  2. with no_grad(): repeat max_new_tokens times:
                     logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]
                     ids = np.concatenate([ids, _sample(logits, temperature, top_k)[:, None]], axis=1)
                  3. return ids
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
        ### BEGIN SOLUTION
        ids = _token_ids(tokens, self.vocab_size)
        if ids.ndim != 2 or ids.shape[1] < 1:
            raise ValueError(f"generate expects tokens of shape (batch, seq_len) with seq_len >= 1, got shape {ids.shape} (for one sequence pass [tokens])")
        with no_grad():
            for _ in range(max_new_tokens):
                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]
                ids = np.concatenate([ids, _sample(logits, temperature, top_k)[:, None]], axis=1)
        return ids
        ### END SOLUTION

    def parameters(self):
        parts = [self.token_embedding, self.position_embedding, *self.blocks, self.norm, self.head]
        return [p for part in parts for p in part.parameters()]

    def __repr__(self):
        return (f"GPT(vocab_size={self.vocab_size}, embed_dim={self.head.in_features}, num_layers={len(self.blocks)}, "
                f"num_heads={self.blocks[0].attn.num_heads if self.blocks else 0}, max_seq_len={self.max_seq_len})")

# %%
#| test
def test_unit_gpt_forward():
    print("🧪 Unit Test: GPT forward...")
    np.random.seed(0)
    model = GPT(vocab_size=11, embed_dim=8, num_layers=2, num_heads=2, max_seq_len=6)
    tokens = np.array([[1, 2, 3, 4], [10, 0, 0, 5]])
    logits = model(tokens)
    assert logits.shape == (2, 4, 11), f"GPT(vocab_size=11, ...) on tokens of shape (2, 4): expected logits of shape (2, 4, 11), got {logits.shape}"
    x = model.position_embedding(model.token_embedding(tokens))
    for block in model.blocks:
        x = block(x, is_causal=True)
    expected = model.head(model.norm(x)).data
    assert np.allclose(logits.data, expected, atol=1e-5), "GPT: expected head(norm(blocks(position_embedding(token_embedding(tokens))))), blocks causal"
    changed = tokens.copy()
    changed[:, 3] = 7
    assert np.array_equal(model(changed).data[:, :3], logits.data[:, :3]), "GPT: changing the last token changed the logits of earlier positions: the model sees the future"
    print("✅ GPT forward works, and is causal!")


def test_unit_gpt_generate_greedy():
    print("🧪 Unit Test: GPT.generate with temperature 0 (greedy)...")
    np.random.seed(1)
    model = GPT(vocab_size=7, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=4)
    prompt = [[3, 1]]
    got = model.generate(prompt, max_new_tokens=5, temperature=0)
    assert got.shape == (1, 7), f"generate of 5 new tokens after a prompt of 2: expected shape (1, 7), got {got.shape}"
    assert got[0, :2].tolist() == [3, 1], f"generate must return the prompt followed by the new tokens, got {got.tolist()}"
    ids = [3, 1]
    for _ in range(5):  # the same by hand: the most likely next token given at most the last 4 tokens
        ids.append(int(model([ids[-4:]]).data[0, -1].argmax()))
    assert got[0].tolist() == ids, f"greedy generation (cropping the context to max_seq_len=4): expected {ids}, got {got[0].tolist()}"
    print("✅ Greedy generation works!")


test_unit_gpt_forward()
test_unit_gpt_generate_greedy()

# %%
#| hidden
def test_hidden_gpt_parameters_and_gradients():
    np.random.seed(5)
    model = GPT(vocab_size=5, embed_dim=4, num_layers=2, num_heads=2, max_seq_len=3)
    params = model.parameters()
    assert len(params) == 2 + 2 * 16 + 2 + 2, f"GPT with 2 layers: expected 38 parameter tensors (2 embeddings, 16 per block, norm 2, head 2), got {len(params)}"
    assert len({id(p) for p in params}) == len(params), "GPT.parameters() lists a tensor twice"
    from tinytorch.core.losses import CrossEntropyLoss

    tokens, targets = np.array([[0, 4, 2]]), np.array([4, 2, 1])
    CrossEntropyLoss()(model(tokens).reshape(3, 5), targets).backward()
    missing = [i for i, p in enumerate(params) if p.grad is None or not np.any(p.grad.data)]
    assert not missing, f"after a backward pass, GPT parameters {missing} (in parameters() order) got no gradient"
    try:
        gradcheck(lambda e, w: CrossEntropyLoss()(model(tokens).reshape(3, 5), targets), model.token_embedding.weight, model.blocks[0].attn.q_proj.weight)
    except AssertionError as error:
        raise AssertionError(f"gradient of a GPT's loss (inputs token_embedding.weight, blocks[0].attn.q_proj.weight): {error}") from None


def test_hidden_gpt_generate_sampling():
    np.random.seed(6)
    model = GPT(vocab_size=6, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=5)
    prompt = np.array([[1, 2], [3, 4]])
    np.random.seed(7)
    first = model.generate(prompt, 8)
    np.random.seed(7)
    assert np.array_equal(model.generate(prompt, 8), first), "generate with the same np.random seed must give the same tokens"
    assert first.shape == (2, 10) and first.dtype == np.int64, f"generate: expected int64 ids of shape (2, 10), got {first.dtype} {first.shape}"
    assert first.min() >= 0 and first.max() < 6, f"generated ids must be in [0, 6), got {first.tolist()}"
    greedy = model.generate(prompt, 3, temperature=0)
    assert np.array_equal(model.generate(prompt, 3, temperature=0, top_k=2), greedy), "top_k never removes the most likely token: greedy results must not change"
    assert np.array_equal(model.generate(prompt, 3, temperature=1.0, top_k=1), greedy), "top_k=1 keeps only the most likely token: it must equal greedy"
    logits = np.log(np.array([[0.7, 0.2, 0.1, 1e-9, 1e-9, 1e-9]]))
    np.random.seed(8)
    draws = np.array([_sample(np.repeat(logits, 4000, axis=0), 1.0, None)]).ravel()
    freq = np.bincount(draws, minlength=6) / draws.size
    assert np.allclose(freq[:3], [0.7, 0.2, 0.1], atol=0.03), f"sampling at temperature 1 from probabilities [0.7, 0.2, 0.1, 0, ...]: got frequencies {freq.round(3).tolist()}"
    np.random.seed(8)
    sharp = np.bincount(_sample(np.repeat(logits, 4000, axis=0), 0.5, None), minlength=6) / 4000
    assert sharp[0] > 0.8, f"temperature 0.5 sharpens [0.7, 0.2, 0.1] (to about [0.91, 0.07, 0.02]): got {sharp.round(3).tolist()}"
    top2 = _sample(np.repeat(logits, 2000, axis=0), 1.0, 2)
    assert set(np.unique(top2)) <= {0, 1}, f"top_k=2 may only pick the 2 most likely tokens (0, 1), got {sorted(set(np.unique(top2)))}"


def test_hidden_gpt_bad_input():
    model = GPT(vocab_size=5, embed_dim=4, num_layers=1, num_heads=2, max_seq_len=3)
    expect_error(ValueError, lambda: model([[1, 2, 3, 4]]), "4", "3")  # the length and max_seq_len
    expect_error(ValueError, lambda: model([[1, 5]]), "5", "[0, 5)")
    expect_error(ValueError, lambda: model([[1, 2.5]]), "whole")
    expect_error(ValueError, lambda: model([1, 2]), "(2,)")
    expect_error(ValueError, lambda: GPT(vocab_size=5, embed_dim=6, num_layers=1, num_heads=4, max_seq_len=3), "num_heads=4", "embed_dim=6")
    expect_error(ValueError, lambda: model.generate([[1]], 2, temperature=-1), "temperature")
    expect_error(ValueError, lambda: model.generate([[7]], 2), "7")
    expect_error(ValueError, lambda: model.generate([[]], 2), "(1, 0)")
    import sys

    saved = sys.modules.get("tinytorch.core.memoization")
    sys.modules["tinytorch.core.memoization"] = None  # as before module 18 is completed: the import fails
    try:
        expect_error(RuntimeError, lambda: model.generate([[1]], 2, use_cache=True), "module 18")
    finally:
        if saved is None:
            del sys.modules["tinytorch.core.memoization"]
        else:
            sys.modules["tinytorch.core.memoization"] = saved
    long = model.generate([[1, 2, 3]], 4, temperature=0)
    assert long.shape == (1, 7), f"generate past max_seq_len=3 must crop the context and go on, got shape {long.shape}"


test_hidden_gpt_parameters_and_gradients()
test_hidden_gpt_generate_sampling()
test_hidden_gpt_bad_input()

# %% [markdown]
# ## Try it: a GPT learns to count
#
# A tiny GPT, trained for a few seconds on sequences that count up modulo 10, then asked to go on.

# %%
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam

np.random.seed(0)
model = GPT(vocab_size=10, embed_dim=16, num_layers=1, num_heads=2, max_seq_len=8)
optimizer = Adam(model.parameters(), lr=0.01)
for step in range(60):
    starts = np.random.randint(0, 10, size=(16, 1))
    sequences = (starts + np.arange(9)) % 10
    logits = model(sequences[:, :-1])
    loss = CrossEntropyLoss()(logits.reshape(16 * 8, 10), sequences[:, 1:].reshape(-1))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print("loss", round(loss.item(), 3), "  3, 4, 5 ->", model.generate([[3, 4, 5]], 6, temperature=0)[0].tolist())

# %% [markdown]
# ## Systems: where a GPT's parameters are, and what generating costs
#
# Everything below runs on YOUR `GPT`. First its parameters, part by part: in a block, the MLP
# (two `Linear`s of `E x 4E`) holds about twice as much as the attention (four `E x E`).

# %%
from tito.systems import best_time

sizes = dict(vocab_size=65, embed_dim=32, num_layers=2, num_heads=4, max_seq_len=64)
np.random.seed(0)
gpt = GPT(**sizes)
block = gpt.blocks[0]
for name, part in [("token embedding", gpt.token_embedding), ("position embedding", gpt.position_embedding),
                   ("one block: attention", block.attn), ("one block: MLP", block.mlp),
                   ("one block: 2 LayerNorms", [block.norm1, block.norm2]), ("head", gpt.head)]:
    count = sum(p.size for layer in (part if isinstance(part, list) else [part]) for p in layer.parameters())
    print(f"{name:<24} {count:>7,}")
print(f"{'whole GPT':<24} {sum(p.size for p in gpt.parameters()):>7,}  ({sum(p.data.nbytes for p in gpt.parameters()):,} bytes)")

# %% [markdown]
# Then generation. Without a cache, every new token reruns the model over the whole context, so
# producing `n` tokens processes `1 + 2 + ... + n` positions: the work grows with `n` squared
# (until the context is cropped at `max_seq_len`). Below, the time of your `generate` as `n`
# doubles: read the growth column, not the seconds. Module 18 makes each step cost one position.

# %%
print(f"{'new tokens':>10} {'seconds':>9} {'time vs n/2':>12}")
previous = None
for n in [8, 16, 32]:
    seconds = best_time(lambda: gpt.generate([[0]], n, temperature=0), repeat=2)
    print(f"{n:>10} {seconds:>9.4f} {seconds / previous if previous else float('nan'):>11.1f}x")
    previous = seconds

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers; an expression such as `65 * 32` is fine), run it, then
# `%tito module complete 13` checks your answers against your own GPT.
#
# 1. How many parameters does `GPT(vocab_size=65, embed_dim=32, num_layers=2, num_heads=4,
#    max_seq_len=64)` have? (Add up the table above, or work it out from the shapes.)
# 2. What fraction of one `TransformerBlock(32, 4)`'s parameters are in its MLP (two decimals)?
# 3. Generating 10 tokens from a 1-token prompt, without a cache and without cropping, how many
#    token positions does the model process in all (over its 10 forward passes)?

# %%
#| answers
answers = {
    "gpt_parameters_65_32_2_4_64": 31745,  # 1. parameters of GPT(65, 32, 2, 4, 64)
    "block_mlp_fraction": 0.66,            # 2. MLP parameters / all parameters of TransformerBlock(32, 4)
    "generate_positions_10": 55,           # 3. positions processed to generate 10 tokens after 1
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_gpt_parameters():
    model = GPT(vocab_size=65, embed_dim=32, num_layers=2, num_heads=4, max_seq_len=64)
    check_answer(answers, "gpt_parameters_65_32_2_4_64", sum(p.size for p in model.parameters()),
                 "token table 65 x 32, position table 64 x 32, per block 2 LayerNorms (2 x 32 each), 4 attention "
                 "projections (32 x 32 + 32) and the MLP (32 x 128 + 128, 128 x 32 + 32), a final LayerNorm and the head (32 x 65 + 65)")


def test_reflect_block_mlp_fraction():
    block = TransformerBlock(32, 4)
    mlp, total = sum(p.size for p in block.mlp.parameters()), sum(p.size for p in block.parameters())
    check_answer(answers, "block_mlp_fraction", mlp / total,
                 "count the MLP's two Linears (32 -> 128 -> 32, with biases) and divide by the whole block's count",
                 tolerance=0.02)


def test_reflect_generate_positions():
    model = GPT(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=32)
    seen = []
    forward = model.forward
    model.forward = lambda tokens: seen.append(np.shape(tokens)[1]) or forward(tokens)
    model.generate([[0]], 10, temperature=0)
    check_answer(answers, "generate_positions_10", sum(seen),
                 "each of the 10 steps runs the model over the whole sequence so far: 1 token, then 2, then 3, ...")


test_reflect_gpt_parameters()
test_reflect_block_mlp_fraction()
test_reflect_generate_positions()

# %% [markdown]
# ## What you built
#
# `LayerNorm` with a hand-derived backward, the pre-norm `TransformerBlock`, and a `GPT` that
# trains on all positions at once and generates text. Milestone 05 puts it to work.

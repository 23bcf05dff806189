# %% [markdown]
# # Module 11: Embeddings, from token ids to vectors
#
# A tokenizer (module 10) turns text into integers: `"to be"` becomes `[19, 14, 0, 1, 4]`. A
# network cannot do much with an id as a number (token 19 is not "more" than token 14), so the
# first layer of every language model looks each id up in a table of learned vectors: an
# **embedding**. Training moves those vectors until tokens that behave alike sit close together.
#
# **You've built:** `Tensor` (01), layers (03), autograd (06) with `x[index]` and its backward,
# optimizers (07), and tokenizers (10).
# **You'll build:** `Embedding` (ids of any shape -> vectors), `PositionalEmbedding` (a learned
# vector per position, so the model knows *where* a token is), and `sinusoidal_positions`, the
# fixed alternative of the original Transformer.
# **You'll enable:** attention (12) and the GPT (13), whose first line is
# `x = position_embedding(token_embedding(tokens))`.
#
# ```
# Tokenization (10) -> [Embeddings (11)] -> Attention (12) -> Transformers (13)
# ```
#
# **Learning objectives**
# 1. See an embedding lookup as a one-hot matrix product, and why a row lookup is the same thing, faster.
# 2. Know why the gradient of a repeated token must be a sum, and that `np.add.at` computes it.
# 3. Give a model the order of its tokens: learned positions, and the sinusoidal table.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer
import tinytorch.core.autograd  # noqa: F401  (importing it turns on gradients: indexing records its backward)

# %% [markdown]
# ## Checking token ids
#
# Ids arrive as lists, NumPy arrays or Tensors (whose data is float32: `3.0` stands for token
# 3). Before using them as row numbers, make sure they are whole numbers inside the table:
# NumPy would read `-1` as "the last row" and silently look up the wrong token, and `2.5` has no
# row at all. This check is given complete; the GPT of module 13 uses it too.

# %%
#| export
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

# %% [markdown]
# ## Embedding: a table of vectors, one row per token
#
# `Embedding(num_embeddings, embedding_dim)` holds a `weight` of shape
# `(num_embeddings, embedding_dim)`: row `i` is the vector of token `i`. Mathematically the lookup
# is a matrix product with one-hot vectors:
#
# ```
# one_hot(ids) (N, V) @ weight (V, D) -> (N, D)        row n picks out weight[ids[n]]
# weight[ids]                         -> (N, D)        the same numbers, without multiplying by zeros
# ```
#
# The product costs `N * V * D` multiplications, almost all by zero; indexing costs `N * D`
# copies. And the gradient? For the product it is `one_hot(ids).T @ grad`: row `i` of the
# weight's gradient is the **sum** of the gradients of every position where token `i` occurs.
# That is exactly what `x[index]`'s backward from module 06 computes with `np.add.at`, which adds
# at repeated positions (where `full[ids] += grad` would keep only one of them: "the the" would
# learn from one "the"). So the whole layer is a checked lookup; autograd does the rest.
#
# Ids may have any shape: `(batch, seq_len)` ids give `(batch, seq_len, embedding_dim)` vectors.
# The weights start as standard normal numbers, as in PyTorch.

# %%
#| export
class Embedding(Layer):
    """A lookup table: row i of `weight` (num_embeddings, embedding_dim) is the vector of token i."""

    def __init__(self, num_embeddings, embedding_dim):
        """Create `weight` of shape (num_embeddings, embedding_dim), standard normal, requires_grad=True.

        TODO: store both sizes and create self.weight.
        HINT: np.random.randn (so np.random.seed makes it reproducible), wrapped in a Tensor.
        """
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        ### BEGIN SOLUTION
        self.weight = Tensor(np.random.randn(num_embeddings, embedding_dim), requires_grad=True)
        ### END SOLUTION

    def forward(self, tokens):
        """The vectors of `tokens`: ids of shape S give a Tensor of shape S + (embedding_dim,).

        TODO: check the ids with _token_ids, then look up their rows of self.weight.
        HINT: index the weight *Tensor* (self.weight[ids]), not its .data: then autograd records
              the lookup and the gradient reaches the table.
        """
        ### BEGIN SOLUTION
        return self.weight[_token_ids(tokens, self.num_embeddings)]
        ### END SOLUTION

    def parameters(self):
        return [self.weight]

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

# %%
#| test
def test_unit_embedding():
    print("🧪 Unit Test: Embedding...")
    np.random.seed(0)
    embedding = Embedding(5, 3)
    assert embedding.weight.shape == (5, 3), f"Embedding(5, 3).weight.shape: expected (5, 3), got {embedding.weight.shape}"
    assert embedding.weight.requires_grad, "Embedding.weight must be created with requires_grad=True"
    ids = [[4, 0], [2, 4]]
    got = embedding(ids)
    expected = embedding.weight.data[np.array(ids)]
    assert got.shape == (2, 2, 3), f"Embedding(5, 3) on ids of shape (2, 2): expected shape (2, 2, 3), got {got.shape}"
    assert np.array_equal(got.data, expected), f"Embedding(5, 3)({ids}): expected rows {ids} of the weight, got {got.data.tolist()}"
    assert embedding.parameters() == [embedding.weight], "Embedding.parameters() must be [weight]"
    print("✅ Embedding works!")


def test_unit_embedding_gradient_adds_repeats():
    print("🧪 Unit Test: a repeated token gets the sum of its gradients...")
    np.random.seed(0)
    embedding = Embedding(4, 2)
    (embedding([1, 3, 1, 1]) * Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])).sum().backward()
    assert embedding.weight.grad is not None, "after backward(), Embedding.weight.grad must be set (look up rows of the weight Tensor, not of .data)"
    expected = [[0, 0], [13, 16], [0, 0], [3, 4]]  # token 1 at positions 0, 2, 3: [1+5+7, 2+6+8]
    assert np.allclose(embedding.weight.grad.data, expected), \
        f"ids [1, 3, 1, 1] with upstream gradient rows [1, 2], [3, 4], [5, 6], [7, 8]: expected weight.grad {expected}, got {embedding.weight.grad.data.tolist()}"
    print("✅ Repeated tokens add up their gradients!")


test_unit_embedding()
test_unit_embedding_gradient_adds_repeats()

# %%
#| hidden
from tito.checks import expect_error
from tinytorch.core.autograd import gradcheck


def test_hidden_embedding_any_index_shape():
    np.random.seed(2)
    embedding = Embedding(6, 4)
    for ids in [3, [5], [[0, 1, 2]], np.arange(8).reshape(2, 2, 2) % 6, Tensor([[1.0, 5.0], [0.0, 0.0]]), np.array([2, 3], dtype=np.int32)]:
        array = ids.data.astype(np.int64) if isinstance(ids, Tensor) else np.asarray(ids)
        got = embedding(ids)
        assert got.shape == array.shape + (4,), f"Embedding(6, 4) on ids of shape {array.shape}: expected shape {array.shape + (4,)}, got {got.shape}"
        assert np.array_equal(got.data, embedding.weight.data[array]), f"Embedding(6, 4)({array.tolist()}): expected those rows of the weight"
    assert embedding([]).shape == (0, 4), f"Embedding(6, 4) of no ids: expected shape (0, 4), got {embedding([]).shape}"


def test_hidden_embedding_init():
    np.random.seed(3)
    w = Embedding(200, 50).weight.data
    assert w.dtype == np.float32, f"Embedding weight must be float32, got {w.dtype}"
    assert 0.9 < w.std() < 1.1 and abs(w.mean()) < 0.05, f"Embedding(200, 50) weights should be standard normal: got mean {w.mean():.3f}, std {w.std():.3f}"
    np.random.seed(3)
    assert np.array_equal(Embedding(200, 50).weight.data, w), "Embedding init must use np.random, so the same seed gives the same table"


def test_hidden_embedding_gradcheck():
    np.random.seed(4)
    embedding = Embedding(5, 3)
    ids = np.array([[0, 4, 4], [2, 0, 4]])
    try:
        gradcheck(lambda w: embedding(ids), embedding.weight)
    except AssertionError as error:
        raise AssertionError(f"gradient of Embedding(5, 3) for ids {ids.tolist()} is wrong: {error}") from None


def test_hidden_embedding_bad_ids():
    embedding = Embedding(5, 3)
    expect_error(ValueError, lambda: embedding([1, 5]), "5", "[0, 5)")
    expect_error(ValueError, lambda: embedding([[0, -1]]), "-1", "[0, 5)")
    expect_error(ValueError, lambda: embedding([0.0, 2.5]), "whole", "2.5")
    expect_error(ValueError, lambda: embedding(Tensor([1.0, np.nan])), "whole")
    expect_error(TypeError, lambda: embedding(["a", "b"]), "integers")


test_hidden_embedding_any_index_shape()
test_hidden_embedding_init()
test_hidden_embedding_gradcheck()
test_hidden_embedding_bad_ids()

# %% [markdown]
# ## Positions: where is each token?
#
# Attention (module 12) compares every token with every other one, and that comparison does not
# care about order: shuffle the tokens and each output is shuffled the same way. "dog bites man"
# and "man bites dog" would look alike. The fix is to add to each token's vector a vector that
# depends on its **position** `t = 0, 1, 2, ...`.
#
# GPT learns those vectors: `PositionalEmbedding(max_len, embedding_dim)` is a second table, one
# row per position, added to the token vectors. `x` of shape `(batch, T, embedding_dim)` gets
# `weight[:T]` added, the same row `t` for every sequence of the batch (broadcasting; autograd
# sums the gradient over the batch). A model built with `max_len = 16` has no vector for
# position 16: a longer sequence is an error, and a generator must crop its context.
#
# The table must *train*: index the weight Tensor. TinyTorch's original version added
# `Tensor(weight.data[:T])`, a copy outside autograd, so its positions stayed random forever.
# The learned rows start small (standard deviation 0.02, as GPT-2), so at first the tokens dominate.

# %%
#| export
class PositionalEmbedding(Layer):
    """Learned positions: adds row t of `weight` (max_len, embedding_dim) to the vector at position t."""

    def __init__(self, max_len, embedding_dim):
        self.max_len, self.embedding_dim = max_len, embedding_dim
        self.weight = Tensor(np.random.randn(max_len, embedding_dim) * 0.02, requires_grad=True)

    def forward(self, x):
        """x of shape (..., T, embedding_dim) -> x + weight[:T], for T <= max_len.

        TODO: check the shape (clear ValueErrors naming it), then add the first T rows of the table.
        APPROACH: 1. fewer than 2 dims or x.shape[-1] != embedding_dim: ValueError
                  2. T = x.shape[-2]; T > max_len: ValueError naming T and max_len
                  3. return x + self.weight[:T]   (indexing the Tensor: its gradient flows)
        """
        ### BEGIN SOLUTION
        if len(x.shape) < 2 or x.shape[-1] != self.embedding_dim:
            raise ValueError(f"{self!r} expects input of shape (..., seq_len, {self.embedding_dim}), got shape {x.shape}")
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(f"a sequence of {length} positions is longer than max_len={self.max_len}, the longest this "
                             f"model has positions for: crop it to its last {self.max_len} tokens")
        return x + self.weight[:length]
        ### END SOLUTION

    def parameters(self):
        return [self.weight]

    def __repr__(self):
        return f"PositionalEmbedding(max_len={self.max_len}, embedding_dim={self.embedding_dim})"

# %%
#| test
def test_unit_positional_embedding():
    print("🧪 Unit Test: PositionalEmbedding adds a learned, trainable vector per position...")
    np.random.seed(0)
    positions = PositionalEmbedding(8, 3)
    x = Tensor(np.ones((2, 5, 3)))
    got = positions(x)
    expected = 1 + positions.weight.data[:5]
    assert got.shape == (2, 5, 3), f"PositionalEmbedding(8, 3) on x of shape (2, 5, 3): expected shape (2, 5, 3), got {got.shape}"
    assert np.allclose(got.data, expected), "PositionalEmbedding: position t of every sequence must get row t of the weight added"
    (got * Tensor(np.arange(3.0))).sum().backward()
    assert positions.weight.grad is not None, "PositionalEmbedding.weight.grad is None: the positions are not learned (add self.weight[:T], the Tensor)"
    expected_grad = np.zeros((8, 3))
    expected_grad[:5] = 2 * np.arange(3.0)  # rows 0..4, summed over the batch of 2; rows 5..7 unused
    assert np.allclose(positions.weight.grad.data, expected_grad), f"PositionalEmbedding gradient: expected {expected_grad.tolist()}, got {positions.weight.grad.data.tolist()}"
    print("✅ PositionalEmbedding works, and learns!")


test_unit_positional_embedding()

# %%
#| hidden
def test_hidden_positional_embedding_errors_and_lengths():
    positions = PositionalEmbedding(4, 2)
    expect_error(ValueError, lambda: positions(Tensor(np.ones((1, 5, 2)))), "5", "max_len", "4")  # the length, and max_len's value
    expect_error(ValueError, lambda: positions(Tensor(np.ones((1, 3, 3)))), "(1, 3, 3)", "2")
    assert positions(Tensor(np.zeros((4, 2)))).shape == (4, 2), "PositionalEmbedding on an unbatched (T, D) input must work"
    assert positions.parameters() == [positions.weight], "PositionalEmbedding.parameters() must be [weight]"
    w = PositionalEmbedding(100, 40).weight.data
    assert 0.015 < w.std() < 0.025, f"PositionalEmbedding weights should start small (std 0.02), got std {w.std():.4f}"


def test_hidden_positional_embedding_gradcheck():
    np.random.seed(5)
    positions = PositionalEmbedding(6, 3)
    x = Tensor(np.random.randn(2, 4, 3), requires_grad=True)
    try:
        gradcheck(lambda x, w: positions(x), x, positions.weight)
    except AssertionError as error:
        raise AssertionError(f"gradient of PositionalEmbedding(6, 3) on x of shape (2, 4, 3): {error}") from None


test_hidden_positional_embedding_errors_and_lengths()
test_hidden_positional_embedding_gradcheck()

# %% [markdown]
# ## Sinusoidal positions: a fixed table that needs no training
#
# *Attention Is All You Need* (Vaswani et al., 2017) did not learn its positions. It used waves:
# pairs of dimensions `(2i, 2i + 1)` hold `sin` and `cos` of the position at a frequency that
# falls from 1 (dimensions 0, 1) to about 1/10000 (the last pair):
#
# $$PE[t, 2i] = \sin\left(t / 10000^{2i/D}\right), \qquad PE[t, 2i + 1] = \cos\left(t / 10000^{2i/D}\right)$$
#
# Fast waves tell neighbours apart, slow ones tell the beginning from the end, like the hands
# of a clock. The table is computed for all positions at once: a column of positions times a row
# of frequencies gives every angle (an outer product by broadcasting), no loop.

# %%
#| export
def sinusoidal_positions(max_len, embedding_dim):
    """The fixed (max_len, embedding_dim) table of the original Transformer: sin in even columns,
    cos in odd ones, at frequencies 1 / 10000**(2i / embedding_dim). Returns a Tensor.

    TODO: build all angles at once, then fill the even and the odd columns.
    APPROACH: 1. positions = np.arange(max_len)[:, None]                (max_len, 1)
              2. rates = 1 / 10000 ** (np.arange(0, embedding_dim, 2) / embedding_dim)
              3. angles = positions * rates                             (max_len, ceil(D / 2))
              4. table[:, 0::2] = sin(angles); table[:, 1::2] = cos(angles) (one column fewer when D is odd)
    """
    ### BEGIN SOLUTION
    positions = np.arange(max_len)[:, None]
    rates = 1.0 / 10000 ** (np.arange(0, embedding_dim, 2) / embedding_dim)
    angles = positions * rates
    table = np.zeros((max_len, embedding_dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : embedding_dim // 2])
    return Tensor(table)
    ### END SOLUTION

# %%
#| test
def test_unit_sinusoidal_positions():
    print("🧪 Unit Test: sinusoidal_positions...")
    table = sinusoidal_positions(10, 4)
    assert table.shape == (10, 4), f"sinusoidal_positions(10, 4): expected shape (10, 4), got {table.shape}"
    t = np.arange(10)
    expected = np.stack([np.sin(t), np.cos(t), np.sin(t / 100), np.cos(t / 100)], axis=1)  # 10000 ** (2/4) = 100
    assert np.allclose(table.data, expected, atol=1e-6), f"sinusoidal_positions(10, 4): expected columns sin(t), cos(t), sin(t/100), cos(t/100); row 1 should be {expected[1].round(4).tolist()}, got {table.data[1].round(4).tolist()}"
    print("✅ sinusoidal_positions works!")


test_unit_sinusoidal_positions()

# %%
#| hidden
def test_hidden_sinusoidal_odd_dims_and_range():
    table = sinusoidal_positions(7, 5).data
    assert table.shape == (7, 5) and table.dtype == np.float32, f"sinusoidal_positions(7, 5): expected float32 of shape (7, 5), got {table.dtype} {table.shape}"
    rates = 1 / 10000 ** (np.array([0, 2, 4]) / 5)
    t = np.arange(7)[:, None]
    assert np.allclose(table[:, 0::2], np.sin(t * rates), atol=1e-6), "sinusoidal_positions(7, 5): even columns must be sin(t * 10000**(-2i/5))"
    assert np.allclose(table[:, 1::2], np.cos(t * rates[:2]), atol=1e-6), "sinusoidal_positions(7, 5): odd columns must be cos(t * 10000**(-2i/5))"
    assert np.abs(table).max() <= 1 + 1e-6, "sinusoidal positions are sines and cosines: all in [-1, 1]"
    assert not sinusoidal_positions(3, 4).requires_grad, "the sinusoidal table is fixed: it must not require a gradient"


test_hidden_sinusoidal_odd_dims_and_range()

# %% [markdown]
# ## Try it: tokens become vectors, positions make order visible

# %%
np.random.seed(0)
tokens = Embedding(10, 4)
positions = PositionalEmbedding(8, 4)
x = positions(tokens([[3, 1, 3]]))
print("the same token 3 at positions 0 and 2 now differs by", np.round(x.data[0, 2] - x.data[0, 0], 3))
print("sinusoidal rows 0..3, first two columns:\n", np.round(sinusoidal_positions(4, 8).data[:, :2], 3))

# %% [markdown]
# ## Systems: a lookup against a one-hot product
#
# Everything below runs on YOUR `Embedding`. Its table holds `num_embeddings x embedding_dim`
# float32 numbers: GPT-2's, 50,257 tokens of width 768, takes 154 MB before the model has done
# anything. Below, the same vectors found two ways as the vocabulary grows (256 ids of width
# 32): your lookup, which copies `N x D` numbers whatever the vocabulary, and the one-hot matrix
# product, whose `N x V x D` multiplications grow with it. Read the ratios, not the seconds.

# %%
from tito.systems import best_time

print(f"{'vocab':>6} {'table bytes':>12} {'one-hot / lookup':>17}")
for vocab in [128, 512, 2048]:
    np.random.seed(0)
    table = Embedding(vocab, 32)
    ids = np.random.randint(0, vocab, size=256)
    one_hot = np.eye(vocab, dtype=np.float32)[ids]
    assert np.allclose(one_hot @ table.weight.data, table(ids).data), "the one-hot product and your lookup disagree"
    lookup = best_time(lambda: table(ids), repeat=5)
    product = best_time(lambda: one_hot @ table.weight.data, repeat=5)
    print(f"{vocab:>6} {table.weight.data.nbytes:>12,} {product / lookup:>16.1f}x")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers; an expression such as `1000 * 64` is fine), run it, then
# `%tito module complete 11` checks your answers against your own code.
#
# 1. How many bytes does the weight of `Embedding(1000, 64)` hold?
# 2. Looking up N ids in a vocabulary of 1,000 tokens as a one-hot product does how many times
#    as many multiplications as the lookup copies numbers?
# 3. The ids `[5, 2, 5, 5]` are looked up and every upstream gradient is 1: what is `weight.grad[5, 0]`?

# %%
#| answers
answers = {
    "embedding_bytes_1000x64": 1000 * 64 * 4,  # 1. bytes of Embedding(1000, 64).weight.data
    "onehot_work_over_lookup_v1000": 1000,     # 2. (N x V x D multiplications) / (N x D copies) for V = 1000
    "embedding_grad_token_used_3_times": 3,    # 3. weight.grad[5, 0] for ids [5, 2, 5, 5], upstream all ones
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_embedding_bytes():
    check_answer(answers, "embedding_bytes_1000x64", Embedding(1000, 64).weight.data.nbytes,
                 "one row of 64 numbers per token, 1000 tokens, times the bytes of one element of your Tensor's dtype")


def test_reflect_onehot_work():
    rows, width = Embedding(1000, 8).weight.shape
    check_answer(answers, "onehot_work_over_lookup_v1000", (rows * width) / width,
                 "each id's one-hot row has V entries, each multiplied with a D-wide row of the table; the lookup copies D numbers")


def test_reflect_embedding_grad():
    table = Embedding(8, 2)
    table([5, 2, 5, 5]).sum().backward()
    check_answer(answers, "embedding_grad_token_used_3_times", table.weight.grad.data[5, 0],
                 "every use of a token sends its gradient to the token's row, and the uses add up")


test_reflect_embedding_bytes()
test_reflect_onehot_work()
test_reflect_embedding_grad()

# %% [markdown]
# ## What you built
#
# `Embedding` (a checked row lookup whose gradient adds up repeated tokens), learned
# `PositionalEmbedding` (and it really learns), and the fixed `sinusoidal_positions` table.
# Next, module 12 lets every token look at the others: attention.

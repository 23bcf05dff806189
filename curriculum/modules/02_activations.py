# %% [markdown]
# # Module 02: Activations, where networks become non-linear
#
# A stack of matrix multiplications is still one matrix multiplication: `(x @ W1) @ W2` equals
# `x @ (W1 @ W2)`. However deep, such a network can only draw straight lines. An **activation**
# is a simple non-linear function applied element-wise between layers, and it is what lets a
# network bend its decision boundary (and solve XOR, milestone 02).
#
# **You've built:** `Tensor` (01): float32 data, arithmetic, matmul, reductions.
# **You'll build:** `ReLU`, `Sigmoid`, `Tanh`, `GELU` and `Softmax`, callable objects:
# `ReLU()(x)` returns a new Tensor.
# **You'll enable:** layers (03) that stack into real networks, and losses (04), which turn
# scores into probabilities with softmax.
#
# ```
# Tensor (01) -> [Activations (02)] -> Layers (03) -> Losses (04) -> ... -> Autograd (06)
# ```
#
# **Learning objectives**
# 1. Implement the five standard activations with vectorised NumPy (no Python loops).
# 2. Make sigmoid and softmax numerically stable: no overflow for large inputs.
# 3. Know where each is used: ReLU in hidden layers, sigmoid for a probability, softmax for
#    a distribution over classes.
#
# Each activation computes on `x.data` with NumPy and returns a `Tensor`. In module 06,
# autograd teaches each one its derivative.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## ReLU: the workhorse
#
# `relu(x) = max(0, x)`. Cheap, and its slope is exactly 1 for positive inputs, so gradients
# pass through deep networks without shrinking. Almost every hidden layer uses it.
#
# Every activation is a small class with `forward(x)`, and calling the object calls `forward`,
# like a layer: `relu = ReLU(); y = relu(x)`.

# %%
#| export
class ReLU:
    """Rectified linear unit: max(0, x), element-wise."""

    def forward(self, x):
        """max(0, x) element by element: negative entries become 0.

        TODO: zero out the negative entries of x.data and return a new Tensor.

        HINT: np.maximum(x.data, 0) compares every element with 0 at once.
        """
        ### BEGIN SOLUTION
        return Tensor(np.maximum(x.data, 0))
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

# %% [markdown]
# ## Sigmoid: squash to a probability
#
# `sigmoid(x) = 1 / (1 + e^-x)` maps any number into (0, 1). The naive formula overflows:
# for `x = -100`, `e^100` is larger than any float32 (the largest is about `3.4e38`), NumPy warns
# and produces `inf`. The fix: only ever compute `e^-|x|`, which is between 0 and 1:
#
# ```
# x >= 0:  1 / (1 + e^-x)          (e^-x <= 1, safe)
# x <  0:  e^x / (1 + e^x)         (same value, multiply top and bottom by e^x; e^x <= 1, safe)
# ```

# %%
#| export
class Sigmoid:
    """Logistic function 1 / (1 + e^-x), element-wise, in (0, 1), without overflow."""

    def forward(self, x):
        """1 / (1 + e^-x) element by element, without overflow for large |x|: exp only ever sees -|x|.

        TODO: compute sigmoid stably for every element of x.data.

        APPROACH: e = np.exp(-np.abs(x)); choose 1 / (1 + e) where x >= 0, e / (1 + e) elsewhere.
        HINT: np.where(condition, a, b) picks from a or b element by element.
        """
        ### BEGIN SOLUTION
        e = np.exp(-np.abs(x.data))
        return Tensor(np.where(x.data >= 0, 1 / (1 + e), e / (1 + e)))
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)


class Tanh:
    """Hyperbolic tangent, element-wise, in (-1, 1): a zero-centred sigmoid."""

    def forward(self, x):
        return Tensor(np.tanh(x.data))  # already done: NumPy's tanh is stable

    def __call__(self, x):
        return self.forward(x)

# %% [markdown]
# ## GELU: the transformer's activation
#
# GELU weighs each input by how likely it is to be "on": `x * P(X <= x)` for a standard normal
# `X`. It is a smooth ReLU, used in GPT and BERT. We use its standard tanh approximation:
#
# ```
# gelu(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
# ```

# %%
#| export
class GELU:
    """Gaussian error linear unit (tanh approximation), element-wise."""

    def forward(self, x):
        """The tanh approximation of GELU, element by element (the formula above).

        TODO: implement the formula above on x.data.

        TRAP: speed. np.sqrt(2 / np.pi) is a NumPy float64 scalar: multiplying a float32 array by it
              makes a float64 array, twice the memory and much slower; float(...) of it is a Python
              float, which keeps float32. And x ** 3 calls a general power function per element,
              10-20x slower than x * x * x.
        """
        ### BEGIN SOLUTION
        x = x.data
        inner = float(np.sqrt(2 / np.pi)) * (x + 0.044715 * x * x * x)  # a Python float: float32 stays float32
        return Tensor(0.5 * x * (1 + np.tanh(inner)))
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

# %% [markdown]
# ## Softmax: scores to a distribution
#
# `softmax(x)_i = e^{x_i} / sum_j e^{x_j}` along one axis (`dim`, the class axis, by default
# the last). Every output is positive and each row sums to 1.
#
# **Why subtract the max?** `e^1000` overflows to `inf`, and `inf / inf` is `nan`. But softmax
# does not change when you subtract the same number from every input:
# `e^{x_i - m} / sum_j e^{x_j - m}` is the same fraction (the `e^-m` cancels). With `m` the
# row's maximum, the largest exponent is `e^0 = 1`: no overflow, ever.
# `keepdims=True` (module 01) makes the max and the sum broadcast back against their row.

# %%
#| export
class Softmax:
    """Softmax along `dim` (default: the last axis), numerically stable."""

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, x):
        """e^x / sum(e^x) along self.dim; each row's max is subtracted first, so exp never overflows.

        TODO: stable softmax of x.data along self.dim.

        APPROACH: 1. e = exp(x - max along dim (keepdims=True)), in one expression: a named
                     `shifted` array would stay alive to the end, so the division below could not
                     reuse its memory (attention's softmax is the largest array of a Transformer)
                  2. return e / sum of e along dim (keepdims=True)
        """
        ### BEGIN SOLUTION
        e = np.exp(x.data - x.data.max(axis=self.dim, keepdims=True))  # the shifted copy is freed at once
        return Tensor(e / e.sum(axis=self.dim, keepdims=True))
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

# %% [markdown]
# ## Unit tests

# %%
#| test
def test_unit_relu():
    print("🧪 Unit Test: ReLU...")
    x = Tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = ReLU()(x)
    assert isinstance(got, Tensor), f"ReLU must return a Tensor, got {type(got).__name__}"
    assert np.allclose(got.data, [0, 0, 0, 0.5, 2]), f"ReLU of {x.data.tolist()}: expected [0, 0, 0, 0.5, 2], got {np.round(got.data, 4).tolist()}"
    print("✅ ReLU works!")


def test_unit_sigmoid():
    print("🧪 Unit Test: Sigmoid...")
    x = Tensor([-1.0, 0.0, 1.0])
    got = Sigmoid()(x)
    expected = 1 / (1 + np.exp(-np.array([-1.0, 0.0, 1.0])))
    assert np.allclose(got.data, expected, atol=1e-6), f"Sigmoid of {x.data.tolist()}: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    print("✅ Sigmoid works!")


def test_unit_tanh_gelu():
    print("🧪 Unit Test: Tanh and GELU...")
    x = Tensor([-1.0, 0.0, 1.0])
    assert np.allclose(Tanh()(x).data, np.tanh([-1, 0, 1]), atol=1e-6), f"Tanh of [-1, 0, 1]: got {np.round(Tanh()(x).data, 4).tolist()}"
    got = GELU()(x)
    expected = [-0.158808, 0.0, 0.841192]  # tanh-approximation GELU at -1, 0, 1
    assert np.allclose(got.data, expected, atol=1e-5), f"GELU of [-1, 0, 1]: expected {expected}, got {np.round(got.data, 4).tolist()}"
    print("✅ Tanh and GELU work!")


def test_unit_softmax():
    print("🧪 Unit Test: Softmax...")
    x = Tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    got = Softmax()(x)
    e = np.exp([1.0, 2.0, 3.0])
    expected = np.array([e / e.sum(), [1 / 3, 1 / 3, 1 / 3]])
    assert np.allclose(got.data, expected, atol=1e-6), f"Softmax of {x.data.tolist()}: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    big = Softmax()(Tensor([[1000.0, 1000.0]]))
    assert np.allclose(big.data, [[0.5, 0.5]]), f"Softmax of [[1000, 1000]] (subtract the max!): expected [[0.5, 0.5]], got {np.round(big.data, 4).tolist()}"
    print("✅ Softmax works!")


test_unit_relu()
test_unit_sigmoid()
test_unit_tanh_gelu()
test_unit_softmax()

# %% [markdown]
# ## Your activations, drawn
#
# Each curve is computed by YOUR classes on 81 points of [-4, 4]. ReLU is 0, then x: a kink at 0.
# Sigmoid squashes everything into (0, 1), tanh into (-1, 1) around 0; both flatten out at the
# ends, where their slope (and, in module 06, their gradient) is almost 0. GELU follows ReLU
# far from 0 but is smooth there, and dips a little below 0 for small negative x.

# %%
from IPython.display import SVG, display
from tito import svg

xs = np.linspace(-4, 4, 81)
curves = {name: activation(Tensor(xs)).data.tolist()
          for name, activation in [("ReLU", ReLU()), ("Sigmoid", Sigmoid()), ("Tanh", Tanh()), ("GELU", GELU())]}
display(SVG(svg.line_chart(curves, title="Your activations on [-4, 4]", x_label="x", y_label="activation(x)", xs=xs)))

# %% [markdown]
# Softmax turns any scores into probabilities: positive, adding up to 1, the largest score
# getting the largest share. Multiply the scores by 3 and the same order gets much sharper;
# add 100 to all of them and nothing changes (only differences between scores count, which
# is why subtracting the max is safe). Drawn by YOUR `Softmax`:

# %%
scores = Tensor([[2.0, 1.0, 0.1, -1.0]])
labels = [f"{v:g}" for v in scores.data[0]]
for title, logits in [("softmax(scores)", scores), ("softmax(3 * scores): sharper", scores * 3),
                      ("softmax(scores + 100): the same", scores + 100)]:
    display(SVG(svg.bars(Softmax()(logits).data[0].tolist(), labels, title, y_label="probability")))

# %%
#| hidden
from tito.checks import case, no_warnings


def test_hidden_shapes_and_dtypes():
    x = Tensor(np.linspace(-3, 3, 24).reshape(2, 3, 4))
    for activation in [ReLU(), Sigmoid(), Tanh(), GELU(), Softmax(), Softmax(dim=0)]:
        name = type(activation).__name__
        with case(f"{name} of a (2, 3, 4) input"):
            got = activation(x)
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert got.shape == (2, 3, 4), f"{name} of shape (2, 3, 4): expected shape (2, 3, 4), got {got.shape}"
        assert got.dtype == np.float32, f"{name} must return float32, got {got.dtype}"
        assert np.array_equal(activation.forward(x).data, got.data), f"{name}(x) and {name}.forward(x) must agree"


def test_hidden_values_match_formulas():
    x64 = np.linspace(-5, 5, 41)
    x = Tensor(x64)
    gelu = 0.5 * x64 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64 ** 3)))
    for activation, expected in [(ReLU(), np.maximum(x64, 0)), (Sigmoid(), 1 / (1 + np.exp(-x64))),
                                 (Tanh(), np.tanh(x64)), (GELU(), gelu)]:
        with case(f"{type(activation).__name__} of x = -5, -4.75, ..., 5"):
            got = activation(x).data
        worst = np.argmax(np.abs(got - expected))
        assert np.allclose(got, expected, atol=1e-5), f"{type(activation).__name__} at x={x64[worst]:.3f}: expected {expected[worst]:.6f}, got {got[worst]:.6f}"


def test_hidden_sigmoid_extremes_are_stable():
    x = Tensor([-1000.0, -100.0, 100.0, 1000.0])
    got = no_warnings(lambda: Sigmoid()(x), f"Sigmoid of {x.data.tolist()}", "compute e^-|x| only, never e^-x").data
    assert np.all(np.isfinite(got)), f"Sigmoid of {x.data.tolist()} must be finite (compute e^-|x| only), got {np.round(got, 4).tolist()}"
    assert np.allclose(got, [0, 0, 1, 1]), f"Sigmoid of {x.data.tolist()}: expected [0, 0, 1, 1], got {np.round(got, 4).tolist()}"
    assert np.all((got >= 0) & (got <= 1)), f"Sigmoid must stay in [0, 1], got {np.round(got, 4).tolist()}"


def test_hidden_softmax_rows_sum_to_one_and_dim():
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((3, 4, 5)) * 10
    for dim in [-1, 0, 1]:
        with case(f"Softmax(dim={dim}) of a (3, 4, 5) input"):
            got = Softmax(dim=dim)(Tensor(x64)).data
        e = np.exp(x64 - x64.max(axis=dim, keepdims=True))
        expected = e / e.sum(axis=dim, keepdims=True)
        assert np.allclose(got, expected, atol=1e-6), f"Softmax(dim={dim}) of a (3, 4, 5) input: values differ from the formula by up to {np.abs(got - expected).max():.2e}"
        sums = got.sum(axis=dim)
        assert np.allclose(sums, 1, atol=1e-5), f"Softmax(dim={dim}): every slice along dim must sum to 1, got sums from {sums.min():.6f} to {sums.max():.6f}"


def test_hidden_softmax_large_inputs_are_stable():
    x = Tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]])
    got = no_warnings(lambda: Softmax()(x), f"Softmax of {x.data.tolist()}",
                       "subtract each row's own max, keepdims=True, not the max of the whole tensor").data
    e = np.exp([0.0, 1.0, 2.0])
    expected = [(e / e.sum()).tolist(), [1 / 3] * 3]
    assert np.allclose(got, expected, atol=1e-6), f"Softmax of {x.data.tolist()} (subtract each row's max): expected {expected}, got {np.round(got, 4).tolist()}"


def test_hidden_inputs_are_not_modified():
    x64 = np.array([[-1.0, 2.0, -3.0]])
    for activation in [ReLU(), Sigmoid(), Tanh(), GELU(), Softmax()]:
        x = Tensor(x64)
        activation(x)
        assert np.array_equal(x.data, x64), f"{type(activation).__name__} changed its input: {x64.tolist()} became {x.data.tolist()} (return a new Tensor instead)"


test_hidden_shapes_and_dtypes()
test_hidden_values_match_formulas()
test_hidden_sigmoid_extremes_are_stable()
test_hidden_softmax_rows_sum_to_one_and_dim()
test_hidden_softmax_large_inputs_are_stable()
test_hidden_inputs_are_not_modified()

# %% [markdown]
# ## Systems: what your activations cost
#
# An activation makes a new array as large as its input: a ReLU on a batch of 256 samples of
# 512 features is another 256 x 512 float32 array, and during training the graph keeps it alive
# until the backward pass (module 06). Below, each of YOUR activations timed against the plain
# NumPy expression it wraps, on the same array: the ratio is what your Tensor wrapper and the
# numerically safe formulas cost. And what float32 does to a softmax of very different logits.

# %%
from tito.systems import best_time

x = Tensor(np.random.default_rng(0).standard_normal((256, 512)))
plain = {"ReLU": lambda: np.maximum(x.data, 0), "Sigmoid": lambda: 1 / (1 + np.exp(-x.data)),
         "Tanh": lambda: np.tanh(x.data), "GELU": lambda: 0.5 * x.data * (1 + np.tanh(0.79788456 * x.data * (1 + 0.044715 * x.data * x.data))),
         "Softmax": lambda: np.exp(x.data) / np.exp(x.data).sum(axis=-1, keepdims=True)}
print(f"{'activation':>10} {'output bytes':>13} {'yours / plain NumPy':>20}")
for activation in [ReLU(), Sigmoid(), Tanh(), GELU(), Softmax()]:
    name = type(activation).__name__
    ratio = best_time(lambda: activation(x), repeat=5) / best_time(plain[name], repeat=5)
    print(f"{name:>10} {activation(x).data.nbytes:>13,} {ratio:>19.1f}x")
print("softmax of [1000, 0, 0, 0, 0, 0, 0, 0, 0, 0]:", Softmax()(Tensor([[1000.0] + [0.0] * 9])).data.tolist())

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 02` checks the answers against your code.
#
# 1. How many bytes is the output of your `ReLU` for an input of shape `(256, 512)`?
# 2. `Softmax()(x + 100)` gives the softmax of `x` times what number? (This is why subtracting the max is allowed.)
# 3. Of the 10 outputs of your softmax of `[1000, 0, 0, 0, 0, 0, 0, 0, 0, 0]`, how many are exactly 0 in float32?
#    (Their logarithm would be -infinity: why module 04 computes cross-entropy from log-softmax.)

# %%
#| answers
answers = {
    "activations_relu_bytes_256x512": 256 * 512 * 4,  # 1. bytes of ReLU's output
    "activations_softmax_shift_factor": 1,            # 2. softmax(x + 100) = softmax(x) * ?
    "activations_softmax_zeros": 9,                   # 3. exact zeros among the 10 outputs
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_relu_output_bytes():
    check_answer(answers, "activations_relu_bytes_256x512", ReLU()(Tensor(np.ones((256, 512)))).data.nbytes,
                 "the output has as many elements as the input (256 x 512), each a float32 of 4 bytes")


def test_reflect_softmax_shift():
    x = Tensor([[0.5, -1.0, 2.0]])
    check_answer(answers, "activations_softmax_shift_factor", float(np.mean(Softmax()(x + 100).data / Softmax()(x).data)),
                 "e^(x + 100) = e^x * e^100: the factor e^100 is in the numerator and in the sum below it", tolerance=1e-4)


def test_reflect_softmax_underflow():
    check_answer(answers, "activations_softmax_zeros", int(np.sum(Softmax()(Tensor([[1000.0] + [0.0] * 9])).data == 0)),
                 "after subtracting the max, the zeros become e^-1000: far below the smallest float32 (about 1e-45)")


test_reflect_relu_output_bytes()
test_reflect_softmax_shift()
test_reflect_softmax_underflow()

# %% [markdown]
# ## What you built
#
# Five activations, all vectorised, with sigmoid and softmax safe for any input size. Next,
# module 03 combines `Tensor` and these activations into layers.

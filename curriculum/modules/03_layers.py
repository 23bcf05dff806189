# %% [markdown]
# # Module 03: Layers, the building blocks of networks
#
# A neural network is a stack of layers. Each layer is a small object that holds its own
# **parameters** (the numbers training will adjust) and knows how to turn an input Tensor into
# an output Tensor. In this module you build the layers every network in this course is made of.
#
# **You've built:** `Tensor` with broadcasting and matrix multiplication (01), and the
# activations `ReLU`, `Sigmoid`, `Tanh`, `GELU`, `Softmax` (02).
# **You'll build:** a `Layer` base class, `Linear` (the fully connected layer, `x @ W + b`),
# `Dropout` (regularization by randomly silencing neurons), and `Sequential` (a stack of layers
# that acts as one).
# **You'll enable:** real networks: `Sequential(Linear(2, 8), ReLU(), Linear(8, 2))`. Losses (04)
# score their outputs, autograd (06) computes gradients for their parameters, and optimizers (07)
# update exactly the list that `model.parameters()` returns.
#
# ```
# Tensor (01) -> Activations (02) -> [Layers (03)] -> Losses (04) -> DataLoader (05)
#     -> Autograd (06) -> Optimizers (07) -> Training (08)
# ```
#
# **Learning objectives**
# 1. Implement `Linear`: the matrix product that maps `in_features` to `out_features`.
# 2. Initialize weights so signals neither explode nor vanish, and know why not with zeros.
# 3. Implement inverted dropout and the difference between training and evaluation mode.
# 4. Compose layers with `Sequential` and collect every parameter in one list.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## The Layer base class
#
# Every layer offers the same small interface, so a network can treat all of them alike:
#
# - `forward(x)`: the computation. `layer(x)` calls it (that is what `__call__` is for).
# - `parameters()`: the list of Tensors that training adjusts. A layer without any (an
#   activation, dropout) returns `[]`.
# - `train()` / `eval()`: switch the mode. Most layers behave the same in both; `Dropout` does
#   not, and later modules (batch normalization, for one) add more layers that care.
#
# This class is given complete: it is plumbing, the interesting work is in its subclasses.

# %%
#| export
class Layer:
    """The base class of every layer: forward(x), layer(x), parameters(), train(), eval()."""

    training = True  # a class attribute: every layer starts in training mode

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """The Tensors that training adjusts. A layer without parameters has none."""
        return []

    def train(self, mode=True):
        """Switch to training mode (mode=False: evaluation mode). Returns the layer itself."""
        self.training = mode
        return self

    def eval(self):
        """Switch to evaluation mode, e.g. Dropout stops dropping."""
        return self.train(False)

# %% [markdown]
# ## Linear: `y = x @ W + b`
#
# A linear layer connects every input feature to every output feature. For a batch `x` of
# shape `(batch, in_features)`:
#
# ```
# x (batch, in) @ weight (in, out) -> (batch, out)      one matrix product for the whole batch
#                      + bias (out,) -> (batch, out)      broadcast: the same bias for every row
# ```
#
# Each of the `out` columns of `weight` is one neuron: a dot product of the input with its
# weights (module 00's `dot`), computed for every sample and every neuron at once by `@`.
# `Linear(784, 128)` has 784 x 128 + 128 = 100,480 parameters.
#
# **Initialization matters.** All zeros would make every neuron compute the same thing and
# receive the same update forever (nothing breaks the symmetry). Large random weights make the
# output's scale grow with the number of inputs, layer after layer, until activations saturate
# or overflow. The usual fix (PyTorch's default) draws weights uniformly from
# `[-1/sqrt(in_features), 1/sqrt(in_features)]`: a sum of `in_features` such terms keeps roughly
# the scale of its inputs. The bias can start at zero, since the random weights already
# break the symmetry.
#
# Parameters are created with `requires_grad=True`: from module 06 on, `loss.backward()` fills
# in their `.grad`, and the optimizer (07) uses it. The forward pass uses Tensor operations
# (`@` and `+`), so the gradients come for free once autograd is on.

# %%
#| export
class Linear(Layer):
    """A fully connected layer: y = x @ weight + bias, weight of shape (in_features, out_features)."""

    def __init__(self, in_features, out_features, bias=True):
        """Create the weight (and, if bias=True, the bias) as Tensors with requires_grad=True.

        TODO: store in_features and out_features; create self.weight of shape
              (in_features, out_features) and self.bias of shape (out_features,), or
              self.bias = None when bias=False.

        APPROACH:
        1. bound = 1 / sqrt(in_features)
        2. weight: np.random.uniform(-bound, bound, size=(in_features, out_features))
        3. bias: zeros of shape (out_features,)
        4. wrap both in Tensor(..., requires_grad=True)

        HINT: use np.random (not a new Generator), so np.random.seed(0) makes the
              initialization reproducible.
        """
        self.in_features, self.out_features = in_features, out_features
        ### BEGIN SOLUTION
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(np.random.uniform(-bound, bound, size=(in_features, out_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x):
        """Compute x @ weight + bias for x of shape (..., in_features) -> (..., out_features).

        TODO: check the input's last dimension, then compute the output with Tensor operations.

        APPROACH:
        1. If x has fewer than 2 dimensions or x.shape[-1] != in_features, raise a ValueError
           naming the expected and the actual shape.
        2. out = x @ self.weight; add self.bias unless it is None.

        EXAMPLE: Linear(3, 2) on x of shape (4, 3) gives shape (4, 2).

        HINT: stay with Tensor operations (@, +), not x.data: in module 06 they learn to
              compute gradients, and then so does your layer.
        """
        ### BEGIN SOLUTION
        if len(x.shape) < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.in_features}), got shape {x.shape}")
        out = x @ self.weight
        return out if self.bias is None else out + self.bias
        ### END SOLUTION

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None})"

# %%
#| test
def test_unit_linear():
    print("🧪 Unit Test: Linear...")
    np.random.seed(0)
    layer = Linear(3, 2)
    assert layer.weight.shape == (3, 2), f"Linear(3, 2).weight.shape: expected (3, 2), got {layer.weight.shape}"
    assert layer.bias.shape == (2,), f"Linear(3, 2).bias.shape: expected (2,), got {layer.bias.shape}"
    assert layer.weight.requires_grad and layer.bias.requires_grad, "weight and bias must be created with requires_grad=True"
    assert np.allclose(layer.bias.data, 0), f"Linear(3, 2).bias should start at zero, got {np.round(layer.bias.data, 4).tolist()}"
    layer.bias.data[...] = [0.5, -1.0]  # as after some training: a zero bias would hide a forgotten `+ bias`
    x = Tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])
    got = layer(x)
    expected = x.data @ layer.weight.data + layer.bias.data
    assert got.shape == (2, 2), f"Linear(3, 2) on x of shape (2, 3): expected output shape (2, 2), got {got.shape}"
    assert np.allclose(got.data, expected, atol=1e-6), f"Linear(3, 2)(x) with bias [0.5, -1.0]: expected x @ W + b = {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    params = layer.parameters()
    assert len(params) == 2 and params[0] is layer.weight and params[1] is layer.bias, \
        f"parameters(): expected [weight, bias], got {len(params)} tensors"
    print("✅ Linear works!")


test_unit_linear()

# %% [markdown]
# `Linear` is one matrix product and a broadcast add, drawn with YOUR layer on a batch of two
# samples with 3 features: output `[0, 1]` is row 0 of `x` times column 1 of `weight`, plus
# `bias[1]`. Every row of the batch gets the same weights and the same bias.

# %%
from IPython.display import SVG, display
from tito import svg

np.random.seed(0)
layer = Linear(3, 2)
layer.bias.data[...] = [0.5, -1.0]  # as after some training (a new bias is all zeros)
x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
y = layer(x)
display(SVG(svg.arrays([{"label": "x (2, 3)", "values": x.data.tolist(), "marked": {(0, 0), (0, 1), (0, 2)}}, "@",
                        {"label": "weight (3, 2)", "values": np.round(layer.weight.data, 2).tolist(), "marked": {(0, 1), (1, 1), (2, 1)}}, "+",
                        {"label": "bias (2,)", "values": layer.bias.data.tolist(), "marked": {(0, 1)}}, "=",
                        {"label": "y (2, 2)", "values": np.round(y.data, 2).tolist(), "marked": {(0, 1)}}],
                       "Linear(3, 2) on a batch of 2: x @ weight + bias")))

# %%
#| hidden
from tito.checks import case, expect_error


def test_hidden_linear_init():
    np.random.seed(1)
    layer = Linear(100, 50)
    bound = 1 / np.sqrt(100)
    w = layer.weight.data
    assert w.dtype == np.float32, f"Linear weight must be float32, got {w.dtype}"
    assert np.abs(w).max() <= bound + 1e-7, f"Linear(100, 50): weights must lie in [-1/sqrt(100), 1/sqrt(100)] = [-0.1, 0.1], got max |w| = {np.abs(w).max():.4f}"
    assert w.std() > bound / 4, f"Linear(100, 50): weights must be random and spread over [-0.1, 0.1], got std {w.std():.5f}"
    assert np.allclose(layer.bias.data, 0), f"Linear bias should start at zero, got {np.round(layer.bias.data[:5], 4).tolist()}..."
    np.random.seed(7)
    first = Linear(4, 3).weight.data.copy()
    np.random.seed(7)
    second = Linear(4, 3).weight.data
    assert np.array_equal(first, second), "Linear init must use np.random, so np.random.seed(7) gives the same weights twice"


def test_hidden_linear_no_bias_and_batch_dims():
    layer = Linear(3, 4, bias=False)
    assert layer.bias is None, f"Linear(3, 4, bias=False).bias: expected None, got {layer.bias!r}"
    assert len(layer.parameters()) == 1 and layer.parameters()[0] is layer.weight, \
        f"Linear(3, 4, bias=False).parameters(): expected [weight], got {len(layer.parameters())} tensors"
    x = Tensor(np.arange(6).reshape(2, 3))
    with case("Linear(3, 4, bias=False) on a (2, 3) input"):
        got = layer(x)
    assert np.allclose(got.data, x.data @ layer.weight.data, atol=1e-6), f"Linear without bias: expected x @ W = {(x.data @ layer.weight.data).tolist()}, got {np.round(got.data, 4).tolist()}"
    x3 = Tensor(np.ones((2, 5, 3)))
    with case("Linear(3, 4) on an input of shape (2, 5, 3) (extra leading batch axes)"):
        got = Linear(3, 4)(x3)
    assert got.shape == (2, 5, 4), f"Linear(3, 4) on input of shape (2, 5, 3): expected shape (2, 5, 4), got {got.shape}"


def test_hidden_linear_wrong_input():
    layer = Linear(3, 2)
    expect_error(ValueError, lambda: layer(Tensor(np.ones((4, 5)))), "3", "(4, 5)")
    expect_error(ValueError, lambda: layer(Tensor([1.0, 2.0, 3.0])), "(3,)")


test_hidden_linear_init()
test_hidden_linear_no_bias_and_batch_dims()
test_hidden_linear_wrong_input()

# %% [markdown]
# ## Dropout: training with a random half of the network
#
# A large network can memorize its training data instead of learning the pattern. Dropout
# (Srivastava et al., 2014) fights this: during training, each activation is set to zero with
# probability `p`, a fresh random choice every forward pass. No neuron can rely on any single
# other neuron, so the network learns redundant, more general features.
#
# At evaluation time nothing is dropped: the full network makes the prediction. But then each
# neuron sees *more* input than during training, on average `1 / (1 - p)` times more. **Inverted
# dropout** fixes the scale during training instead: the surviving values are divided by
# `1 - p`, so the expected value of every activation is the same in both modes and evaluation is
# a plain identity.
#
# ```
# x          [2.0, 4.0, 6.0, 8.0]
# keep mask  [1,   0,   1,   0  ]   each 1 with probability 1 - p = 0.5
# output     [4.0, 0.0, 12.0, 0.0]  x * mask / (1 - p)
# ```

# %%
#| export
class Dropout(Layer):
    """Inverted dropout: in training mode zero each value with probability p and scale the rest by 1/(1-p)."""

    def __init__(self, p=0.5):
        if not 0 <= p < 1:
            raise ValueError(f"Dropout probability p must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x):
        """In training mode: x * mask / (1 - p), with mask[i] = 1 with probability 1 - p. In eval mode: x.

        TODO: return x unchanged in evaluation mode (or when p == 0); otherwise draw a random keep
              mask of x's shape and apply it, scaled.

        APPROACH:
        1. if not self.training or self.p == 0: return x
        2. keep = np.random.random(x.shape) >= self.p   (True with probability 1 - p)
        3. return x * Tensor(keep / (1 - self.p))

        HINT: multiply with a Tensor (not x.data * ...), so in module 06 the gradient flows
              through the kept values and is zero for the dropped ones.
        """
        ### BEGIN SOLUTION
        if not self.training or self.p == 0:
            return x
        keep = np.random.random(x.shape) >= self.p
        return x * Tensor(keep / (1 - self.p))
        ### END SOLUTION

    def __repr__(self):
        return f"Dropout(p={self.p})"

# %%
#| test
def test_unit_dropout():
    print("🧪 Unit Test: Dropout...")
    np.random.seed(0)
    x = Tensor(np.ones((100, 100)))
    dropout = Dropout(0.5)
    got = dropout(x).data
    dropped = (got == 0).mean()
    assert 0.45 < dropped < 0.55, f"Dropout(0.5) on 10,000 ones: expected about half zeros, got a fraction of {dropped:.3f}"
    kept = got[got != 0]
    assert np.allclose(kept, 2.0), f"Dropout(0.5): kept values must be scaled by 1 / (1 - 0.5) = 2, got {np.round(np.unique(kept)[:5], 4).tolist()}"
    dropout.eval()
    got = dropout(x).data
    assert np.array_equal(got, x.data), "Dropout in eval mode must return its input unchanged"
    print("✅ Dropout works!")


test_unit_dropout()

# %%
#| hidden
def test_hidden_dropout_scaling_and_randomness():
    np.random.seed(3)
    x = Tensor(np.full((200, 50), 3.0))
    dropout = Dropout(0.2)
    first, second = dropout(x).data, dropout(x).data
    assert first.shape == (200, 50), f"Dropout output shape: expected (200, 50), got {first.shape}"
    assert np.allclose(first[first != 0], 3.0 / 0.8), f"Dropout(0.2) on 3.0: kept values must be 3.0 / 0.8 = 3.75, got {np.round(np.unique(first[first != 0])[:5], 4).tolist()}"
    assert abs((first == 0).mean() - 0.2) < 0.03, f"Dropout(0.2): expected about 20% zeros, got {(first == 0).mean():.3f}"
    assert abs(first.mean() - 3.0) < 0.1, f"inverted dropout keeps the mean: expected about 3.0, got {first.mean():.3f}"
    assert not np.array_equal(first, second), "Dropout must draw a new random mask on every forward pass"
    assert first.dtype == np.float32, f"Dropout output must stay float32, got {first.dtype}"


def test_hidden_dropout_identity_cases():
    x = Tensor(np.random.randn(4, 5))
    got = Dropout(0.0)(x)
    assert np.array_equal(got.data, x.data), "Dropout(0.0) in training mode must return its input unchanged"
    layer = Dropout(0.9).eval()
    assert layer.training is False, f"eval() must set training to False, got {layer.training}"
    assert np.array_equal(layer(x).data, x.data), "Dropout(0.9) in eval mode must return its input unchanged"
    layer.train()
    assert layer.training is True, f"train() must set training back to True, got {layer.training}"
    assert Dropout(0.5).parameters() == [], f"Dropout has no parameters, got {Dropout(0.5).parameters()}"


def test_hidden_dropout_bad_p():
    for p in [1.0, -0.1, 1.5]:
        expect_error(ValueError, lambda: Dropout(p), str(p))


test_hidden_dropout_scaling_and_randomness()
test_hidden_dropout_identity_cases()
test_hidden_dropout_bad_p()

# %% [markdown]
# ## Sequential: a stack of layers that acts as one
#
# Most networks are a chain: the output of one layer is the input of the next.
# `Sequential(Linear(784, 128), ReLU(), Linear(128, 10))` is such a chain, and it is itself a
# layer: calling it runs the chain, `parameters()` gathers every parameter of every layer in
# order (this one list is what the optimizer will update), and `train()` / `eval()` reach every
# layer inside.
#
# The activations from module 02 are not `Layer`s (they came first), so `Sequential` asks each
# element whether it is a `Layer` before collecting parameters or switching modes.

# %%
#| export
class Sequential(Layer):
    """Layers applied in order: Sequential(a, b, c)(x) == c(b(a(x)))."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        """Pass x through every layer in order and return the last output.

        TODO: a loop: x = layer(x) for each layer.
        """
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def parameters(self):
        """Every parameter of every Layer inside, in order.

        TODO: concatenate layer.parameters() over the layers that are Layers (activations from
              module 02 have no parameters and no parameters() method).
        """
        ### BEGIN SOLUTION
        return [p for layer in self.layers if isinstance(layer, Layer) for p in layer.parameters()]
        ### END SOLUTION

    def train(self, mode=True):
        """Set the mode of this Sequential and of every Layer inside it."""
        self.training = mode
        for layer in self.layers:
            if isinstance(layer, Layer):
                layer.train(mode)
        return self

    def __repr__(self):
        return "Sequential(\n" + "".join(f"  {layer!r},\n" for layer in self.layers) + ")"

# %%
#| test
def test_unit_sequential():
    print("🧪 Unit Test: Sequential...")
    from tinytorch.core.activations import ReLU

    np.random.seed(0)
    first, second = Linear(2, 4), Linear(4, 3)
    model = Sequential(first, ReLU(), second)
    x = Tensor([[1.0, -2.0], [0.5, 0.5]])
    got = model(x)
    expected = np.maximum(x.data @ first.weight.data + first.bias.data, 0) @ second.weight.data + second.bias.data
    assert got.shape == (2, 3), f"Sequential(Linear(2, 4), ReLU(), Linear(4, 3)) on (2, 2): expected shape (2, 3), got {got.shape}"
    assert np.allclose(got.data, expected, atol=1e-6), f"Sequential output: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    params = model.parameters()
    assert all(isinstance(p, Tensor) for p in params), \
        f"parameters() must be one flat list of Tensors, got a list of {[type(p).__name__ for p in params]}"
    expected_params = [first.weight, first.bias, second.weight, second.bias]
    assert len(params) == 4 and all(p is q for p, q in zip(params, expected_params)), \
        f"parameters(): expected [first.weight, first.bias, second.weight, second.bias], got shapes {[p.shape for p in params]}"
    print("✅ Sequential works!")


test_unit_sequential()

# %%
#| hidden
def test_hidden_sequential_modes_propagate():
    inner = Dropout(0.5)
    model = Sequential(Linear(3, 3), Sequential(inner, Linear(3, 1)))
    model.eval()
    assert inner.training is False, "Sequential.eval() must reach a Dropout nested inside another Sequential"
    x = Tensor(np.ones((4, 3)))
    assert np.array_equal(model(x).data, model(x).data), "in eval mode the model must be deterministic (no dropout)"
    model.train()
    assert inner.training is True and model.training is True, "Sequential.train() must set training back to True everywhere"
    assert len(model.parameters()) == 4, f"nested Sequential: expected 4 parameters (2 Linear layers x weight, bias), got {len(model.parameters())}"


def test_hidden_sequential_order_and_empty():
    double, add_one = Linear(1, 1, bias=False), Linear(1, 1)
    double.weight.data[...] = 2.0
    add_one.weight.data[...], add_one.bias.data[...] = 1.0, 1.0
    x = Tensor([[3.0]])
    got = Sequential(double, add_one)(x).item()
    assert got == 7.0, f"Sequential(double, add_one)(3): expected (3 * 2) + 1 = 7, got {got}"
    got = Sequential(add_one, double)(x).item()
    assert got == 8.0, f"Sequential(add_one, double)(3): expected (3 + 1) * 2 = 8, got {got}"
    assert Sequential()(x) is x, "an empty Sequential must return its input"


def test_hidden_layer_base():
    expect_error(NotImplementedError, lambda: Layer()(Tensor([1.0])), "forward")
    assert Layer().parameters() == [], f"Layer().parameters(): expected [], got {Layer().parameters()}"


test_hidden_sequential_modes_propagate()
test_hidden_sequential_order_and_empty()
test_hidden_layer_base()

# %% [markdown]
# ## Try it: a network for 28x28 images
#
# Count the parameters of a classic MLP for handwritten digits, and push a fake batch through.

# %%
from tinytorch.core.activations import ReLU

np.random.seed(0)
mlp = Sequential(Linear(784, 128), ReLU(), Dropout(0.2), Linear(128, 10))
print(mlp)
print("parameters:", sum(p.size for p in mlp.parameters()))  # 784*128 + 128 + 128*10 + 10 = 101,770
print("output shape:", mlp(Tensor(np.random.rand(64, 784))).shape)

# %% [markdown]
# The same network drawn by YOUR layers: a batch of 64 flows left to right, each box with the
# shape coming out of it and the parameters it holds. Almost all of them are in the first
# `Linear`: its weight has one number for every (pixel, unit) pair.

# %%
from IPython.display import SVG, display
from tito import svg

np.random.seed(0)
network = Sequential(Linear(784, 128), ReLU(), Dropout(0.2), Linear(128, 10))
out = Tensor(np.random.rand(64, 784))
nodes, edges = {"x": (0, ["input", f"x {out.shape}"])}, []
for k, layer in enumerate(network.layers):
    out = layer(out)
    count = sum(p.size for p in layer.parameters()) if isinstance(layer, Layer) else 0  # ReLU (module 02) has none
    nodes[k] = (k + 1, [type(layer).__name__, f"out {out.shape}", f"{count:,} parameters"])
    edges.append((k - 1 if k else "x", k))
display(SVG(svg.graph(nodes, edges, f"Sequential: {sum(p.size for p in network.parameters()):,} parameters, a batch of 64")))

# %% [markdown]
# ## Systems: what a Linear layer costs
#
# `Linear(in, out)` holds `in * out` weights and `out` biases, and its forward on a batch of `B`
# samples is one `(B, in) @ (in, out)` product: `2 * B * in * out` FLOPs (a multiply and an add
# per weight per sample), plus the bias. Below, YOUR `Linear(784, 128)`: its parameters, its
# bytes, and its time against the plain NumPy `x @ W + b` as the batch grows. For tiny batches
# the Python around the product (creating Tensors, checking shapes) is a large share; for big
# ones the product itself dominates and the ratio falls towards 1.

# %%
from tito.systems import best_time

layer = Linear(784, 128)
count = sum(p.size for p in layer.parameters())
print(f"Linear(784, 128): {count:,} parameters, {sum(p.data.nbytes for p in layer.parameters()):,} bytes")
print(f"{'batch':>6} {'FLOPs':>12} {'yours / plain NumPy':>20}")
for batch in [1, 16, 256]:
    x = Tensor(np.random.default_rng(batch).standard_normal((batch, 784)))
    W, b = layer.weight.data, layer.bias.data
    ratio = best_time(lambda: layer(x), repeat=7) / best_time(lambda: x.data @ W + b, repeat=7)
    print(f"{batch:>6} {2 * batch * 784 * 128:>12,} {ratio:>19.1f}x")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 03` checks the answers against your code.
#
# 1. How many parameters (weights and biases) does `Linear(784, 128)` have?
# 2. How many bytes do all the parameters of `Sequential(Linear(784, 128), Linear(128, 10))` take?
# 3. How many FLOPs (`2 * B * in * out`, bias left out) does `Linear(784, 128)` take on a batch of 64?

# %%
#| answers
answers = {
    "layers_linear_784_128_parameters": 784 * 128 + 128,            # 1. parameters of Linear(784, 128)
    "layers_mlp_parameter_bytes": (784 * 128 + 128 + 128 * 10 + 10) * 4,  # 2. bytes of the two layers' parameters
    "layers_linear_flops_batch_64": 2 * 64 * 784 * 128,             # 3. FLOPs on a batch of 64
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_linear_parameters():
    check_answer(answers, "layers_linear_784_128_parameters", sum(p.size for p in Linear(784, 128).parameters()),
                 "one weight per (input, output) pair, plus one bias per output")


def test_reflect_mlp_bytes():
    model = Sequential(Linear(784, 128), Linear(128, 10))
    check_answer(answers, "layers_mlp_parameter_bytes", sum(p.data.nbytes for p in model.parameters()),
                 "count the parameters of both layers (weights and biases), then 4 bytes each (float32)")


def test_reflect_linear_flops():
    layer = Linear(784, 128)
    check_answer(answers, "layers_linear_flops_batch_64", 2 * 64 * layer.weight.size,
                 "each of the 784 x 128 weights is multiplied and added once per sample: 2 FLOPs, times 64 samples")


test_reflect_linear_parameters()
test_reflect_mlp_bytes()
test_reflect_linear_flops()

# %% [markdown]
# ## What you built
#
# `Linear` turns features into features with one matrix product, `Dropout` regularizes,
# `Sequential` stacks them, and `parameters()` hands the optimizer everything it must update.
# The network can compute predictions, but it has no way yet to tell how good they are:
# module 04 builds the loss functions that measure that.

# %% [markdown]
# # Module 04: Losses, one number that says how wrong the model is
#
# Training needs a single number to make smaller. A **loss** compares the model's output with
# the right answer and returns a scalar: 0 for perfect, larger for worse. Autograd (06) then
# asks "how does the loss change if I nudge each weight?", and the optimizer (07) nudges.
#
# **You've built:** `Tensor` (01), activations incl. a stable `Softmax` (02), layers (03).
# **You'll build:** `MSELoss` for regression, `CrossEntropyLoss` for classification over many
# classes, `BinaryCrossEntropyLoss` for yes/no outputs. Each returns a scalar `Tensor`.
# **You'll enable:** autograd (06) starts from `loss.backward()`; every training loop
# (07, 08, the milestones) minimises one of these.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> [Losses (04)] -> DataLoader (05) -> Autograd (06)
# ```
#
# **Learning objectives**
# 1. Implement mean squared error, and refuse shapes that would silently broadcast.
# 2. Implement cross-entropy with the log-sum-exp trick, so huge logits never give `inf`.
# 3. Implement binary cross-entropy with clipping, so `log(0)` never happens.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor


def _as_array(x):
    """The NumPy data of a Tensor, or an array made from a list or array."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _check_same_shape(predictions, targets, loss_name):
    """Losses compare element by element, so shapes must match exactly."""
    if predictions.shape != targets.shape:
        raise ValueError(f"{loss_name}: predictions have shape {predictions.shape} but targets have shape "
                         f"{targets.shape}; they must match (reshape one of them)")

# %% [markdown]
# ## Mean squared error
#
# `MSE = mean((pred - target)^2)`: the squared error punishes big mistakes much more than small
# ones. One trap: with predictions of shape `(N, 1)` and targets of shape `(N,)`, broadcasting
# makes `pred - target` an `(N, N)` matrix and the loss is silently wrong. So the shapes must
# match exactly, and the error message says what to fix.

# %%
#| export
class MSELoss:
    """Mean squared error: mean((predictions - targets) ** 2) over every element."""

    def forward(self, predictions, targets):
        """The mean of the squared differences, a scalar Tensor; the shapes must match.

        TODO: check the shapes match, then return the mean squared difference as a scalar Tensor.

        HINT: targets may be a Tensor, array or list: _as_array(targets) gives its NumPy data.
        """
        ### BEGIN SOLUTION
        targets = _as_array(targets)
        _check_same_shape(predictions, targets, "MSELoss")
        diff = predictions.data - targets
        return Tensor(np.mean(diff * diff))
        ### END SOLUTION

    def __call__(self, predictions, targets):
        return self.forward(predictions, targets)

# %% [markdown]
# ## Cross-entropy
#
# For a batch of `N` samples and `C` classes, the model outputs **logits** of shape `(N, C)`
# (raw scores), and the targets are class indices, shape `(N,)`. Cross-entropy is the average
# of `-log(probability of the right class)`: near 0 when the model is sure and right, large
# when it is sure and wrong.
#
# Computing `log(softmax(x))` directly is fragile: a tiny probability rounds to 0 and `log(0)`
# is `-inf`. Instead use **log-softmax** with the log-sum-exp trick, with `m` the row maximum:
#
# ```
# log_softmax(x)_i = (x_i - m) - log(sum_j e^(x_j - m))
# ```
#
# Every exponent is at most 0 and the sum is at least 1, so nothing overflows and the log is
# always finite. Then pick each row's target entry with fancy indexing:
# `log_probs[np.arange(N), targets]`.

# %%
#| export
def _class_indices(targets, logits):
    """Targets as an integer array of shape (N,), each in [0, C), for logits of shape (N, C)."""
    targets = _as_array(targets)
    if logits.data.ndim != 2:
        raise ValueError(f"CrossEntropyLoss: logits must have shape (batch, classes), got {logits.shape}")
    n, classes = logits.shape
    if targets.shape != (n,):
        raise ValueError(f"CrossEntropyLoss: targets must be one class index per sample, shape ({n},), "
                         f"got shape {targets.shape} for logits of shape {logits.shape}")
    indices = targets.astype(np.int64)
    if not np.array_equal(indices, targets) or indices.min(initial=0) < 0 or indices.max(initial=0) >= classes:
        raise ValueError(f"CrossEntropyLoss: targets must be integers in [0, {classes}), got {targets.tolist()}")
    return indices


class CrossEntropyLoss:
    """Cross-entropy between logits (N, C) and integer class targets (N,), averaged over the batch."""

    def forward(self, logits, targets):
        """The mean over the batch of -log softmax(logits)[i, targets[i]], from a stable log-softmax.

        TODO: mean over the batch of -log_softmax(logits)[i, targets[i]].

        APPROACH: 1. targets = _class_indices(targets, logits)  (checks shapes and values)
                  2. shifted = logits - row max (keepdims=True)
                  3. log_probs = shifted - log(sum(exp(shifted)) along the row, keepdims=True)
                  4. return Tensor(-mean of log_probs[np.arange(N), targets])
        """
        ### BEGIN SOLUTION
        targets = _class_indices(targets, logits)
        shifted = logits.data - logits.data.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return Tensor(-log_probs[np.arange(len(targets)), targets].mean())
        ### END SOLUTION

    def __call__(self, logits, targets):
        return self.forward(logits, targets)

# %% [markdown]
# ## Binary cross-entropy
#
# For yes/no outputs, the model gives a probability `p` (after a sigmoid) and the target is 0
# or 1: `BCE = -mean(t * log(p) + (1 - t) * log(1 - p))`. A sigmoid can return exactly 0.0 or
# 1.0 in float32, and `log(0)` is `-inf`, so clip `p` into `[eps, 1 - eps]` first.

# %%
#| export
class BinaryCrossEntropyLoss:
    """Binary cross-entropy of probabilities in (0, 1) against 0/1 targets, averaged."""

    def __init__(self, eps=1e-7):
        self.eps = eps

    def forward(self, probabilities, targets):
        """-mean(t log p + (1 - t) log(1 - p)), with p clipped to [eps, 1 - eps] so the log stays finite.

        TODO: clip, then -mean(t * log(p) + (1 - t) * log(1 - p)) as a scalar Tensor.

        HINT: np.clip(p, self.eps, 1 - self.eps); check shapes with _check_same_shape.
        """
        ### BEGIN SOLUTION
        targets = _as_array(targets)
        _check_same_shape(probabilities, targets, "BinaryCrossEntropyLoss")
        p = np.clip(probabilities.data, self.eps, 1 - self.eps)
        return Tensor(-np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p)))
        ### END SOLUTION

    def __call__(self, probabilities, targets):
        return self.forward(probabilities, targets)

# %% [markdown]
# ## Unit tests

# %%
#| test
def test_unit_mse_loss():
    print("🧪 Unit Test: MSELoss...")
    pred, target = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 2.0, 5.0])
    got = MSELoss()(pred, target)
    assert isinstance(got, Tensor) and got.shape == (), f"MSELoss must return a scalar Tensor, got {got!r}"
    assert np.isclose(got.data, 4 / 3), f"MSELoss([1, 2, 3], [1, 2, 5]): expected {4 / 3:.6f}, got {got.data}"
    print("✅ MSELoss works!")


def test_unit_cross_entropy_loss():
    print("🧪 Unit Test: CrossEntropyLoss...")
    logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    targets = np.array([0, 1])
    got = CrossEntropyLoss()(logits, targets)
    x = logits.data.astype(np.float64)
    expected = -np.mean(np.log(np.exp(x[[0, 1], [0, 1]]) / np.exp(x).sum(axis=1)))
    assert got.shape == (), f"CrossEntropyLoss must return a scalar Tensor, got shape {got.shape}"
    assert np.isclose(got.data, expected, atol=1e-5), f"CrossEntropyLoss of {logits.data.tolist()} with targets [0, 1]: expected {expected:.6f}, got {got.data}"
    print("✅ CrossEntropyLoss works!")


def test_unit_binary_cross_entropy_loss():
    print("🧪 Unit Test: BinaryCrossEntropyLoss...")
    p, t = Tensor([0.9, 0.2]), Tensor([1.0, 0.0])
    got = BinaryCrossEntropyLoss()(p, t)
    expected = -(np.log(0.9) + np.log(0.8)) / 2
    assert np.isclose(got.data, expected, atol=1e-5), f"BCE of p=[0.9, 0.2], t=[1, 0]: expected {expected:.6f}, got {got.data}"
    print("✅ BinaryCrossEntropyLoss works!")


test_unit_mse_loss()
test_unit_cross_entropy_loss()
test_unit_binary_cross_entropy_loss()

# %% [markdown]
# ## How much a wrong answer costs
#
# One sample, its target 1, and the probability `p` the model gives it, from 0.01 to 0.99: the
# loss YOUR classes compute at each `p`. Squared error never costs more than 1, however sure the
# model is of the wrong answer. Binary cross-entropy, `-log p`, grows without bound as `p` goes
# to 0: a confident mistake costs far more than a hesitant one, so it is the one fixed first.
# With target 0 the BCE curve is the mirror image, `-log(1 - p)`.

# %%
from IPython.display import SVG, display
from tito import svg

ps = np.linspace(0.01, 0.99, 50)
bce, mse = BinaryCrossEntropyLoss(), MSELoss()
curves = {"BCE, target 1": [bce(Tensor([p]), Tensor([1.0])).item() for p in ps],
          "BCE, target 0": [bce(Tensor([p]), Tensor([0.0])).item() for p in ps],
          "MSE, target 1": [mse(Tensor([p]), Tensor([1.0])).item() for p in ps]}
display(SVG(svg.line_chart(curves, title="Your losses against the predicted probability p", x_label="p", y_label="loss", xs=ps)))

# %%
#| hidden
from tito.checks import case, expect_error, no_warnings


def test_hidden_losses_are_float32_scalars():
    cases = [(MSELoss(), Tensor([[1.0], [2.0]]), Tensor([[0.0], [0.0]])),
             (CrossEntropyLoss(), Tensor([[1.0, 2.0], [3.0, 0.0]]), [1, 0]),
             (BinaryCrossEntropyLoss(), Tensor([0.3, 0.6]), [0.0, 1.0])]
    for loss, a, b in cases:
        name = type(loss).__name__
        with case(f"{name} of {a.data.tolist()} and {b if isinstance(b, list) else b.data.tolist()}"):
            got = loss(a, b)
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert got.shape == () and got.dtype == np.float32, f"{name} must return a float32 scalar (shape ()), got shape {got.shape}, dtype {got.dtype}"
        assert np.array_equal(loss.forward(a, b).data, got.data), f"{name}(a, b) and {name}.forward(a, b) must agree"


def test_hidden_mse_values_and_target_types():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    expected = np.mean((pred - target) ** 2)
    for kind, t in [("Tensor", Tensor(target)), ("ndarray", target), ("list", target.tolist())]:
        with case(f"MSELoss of (4, 3) inputs with {kind} targets"):
            got = MSELoss()(Tensor(pred), t)
        assert np.isclose(got.data, expected, atol=1e-5), f"MSELoss of (4, 3) inputs with {kind} targets: expected {expected:.6f}, got {got.data}"
    assert np.isclose(MSELoss()(Tensor(pred), Tensor(pred)).data, 0), "MSELoss(x, x) must be 0"


def test_hidden_mse_shape_mismatch():
    expect_error(ValueError, lambda: MSELoss()(Tensor(np.zeros((4, 1))), Tensor(np.zeros(4))), "(4, 1)", "(4,)")


def test_hidden_cross_entropy_values():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 4)) * 3
    targets = np.array([0, 3, 1, 1, 2])
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_probs[np.arange(5), targets].mean()
    for kind, t in [("ndarray", targets), ("list", targets.tolist()), ("Tensor", Tensor(targets))]:
        with case(f"CrossEntropyLoss of (5, 4) logits, {kind} targets"):
            got = CrossEntropyLoss()(Tensor(logits), t)
        assert np.isclose(got.data, expected, atol=1e-5), f"CrossEntropyLoss of (5, 4) logits, {kind} targets {targets.tolist()}: expected {expected:.6f}, got {got.data}"
    uniform = CrossEntropyLoss()(Tensor(np.zeros((3, 10))), [0, 5, 9])
    assert np.isclose(uniform.data, np.log(10), atol=1e-5), f"CrossEntropyLoss of all-zero logits over 10 classes: expected log(10) = {np.log(10):.6f}, got {uniform.data}"


def test_hidden_cross_entropy_is_stable():
    # The last row lies far below the largest logit of the batch: only each row's own max keeps it finite.
    logits = Tensor([[1000.0, 0.0], [-1000.0, 1000.0], [0.0, 1000.0], [-1000.0, -1000.0]])
    targets = [0, 1, 0, 0]
    what = f"CrossEntropyLoss of {logits.data.tolist()}, targets {targets}"
    got = no_warnings(lambda: CrossEntropyLoss()(logits, targets), what, "subtract each row's own max (axis=1, keepdims=True)")
    expected = (0 + 0 + 1000 + np.log(2)) / 4
    assert np.isfinite(got.data), f"{what} must be finite (use log-sum-exp), got {got.data}"
    assert np.isclose(got.data, expected, rtol=1e-4), f"{what}: expected {expected:.4f}, got {got.data}"


def test_hidden_cross_entropy_bad_targets():
    logits = Tensor(np.zeros((3, 4)))
    expect_error(ValueError, lambda: CrossEntropyLoss()(logits, [0, 1]), "(3,)", "(2,)")
    expect_error(ValueError, lambda: CrossEntropyLoss()(logits, [0, 1, 4]), "4")
    expect_error(ValueError, lambda: CrossEntropyLoss()(logits, [0, -1, 2]), "-1")
    expect_error(ValueError, lambda: CrossEntropyLoss()(logits, [0.5, 1, 2]), "0.5")
    expect_error(ValueError, lambda: CrossEntropyLoss()(Tensor(np.zeros(4)), [0]), "(4,)")


def test_hidden_bce_values_and_clipping():
    p, t = np.array([0.1, 0.5, 0.8, 0.99]), np.array([0.0, 1.0, 1.0, 0.0])
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    got = BinaryCrossEntropyLoss()(Tensor(p), t)
    assert np.isclose(got.data, expected, rtol=1e-4), f"BCE of p={p.tolist()}, t={t.tolist()}: expected {expected:.6f}, got {got.data}"
    extreme = no_warnings(lambda: BinaryCrossEntropyLoss()(Tensor([0.0, 1.0]), Tensor([1.0, 0.0])),
                           "BCE of p=[0, 1] with t=[1, 0]", "clip p into [eps, 1 - eps] before the log")
    assert np.isfinite(extreme.data) and extreme.data > 10, f"BCE of p=[0, 1] with t=[1, 0] must be large but finite (clip p), got {extreme.data}"
    perfect = BinaryCrossEntropyLoss()(Tensor([0.0, 1.0]), Tensor([0.0, 1.0]))
    assert 0 <= perfect.data < 1e-5, f"BCE of p=[0, 1] with t=[0, 1] must be about 0, got {perfect.data}"
    expect_error(ValueError, lambda: BinaryCrossEntropyLoss()(Tensor(np.zeros((2, 1))), np.zeros(2)), "(2, 1)", "(2,)")


test_hidden_losses_are_float32_scalars()
test_hidden_mse_values_and_target_types()
test_hidden_mse_shape_mismatch()
test_hidden_cross_entropy_values()
test_hidden_cross_entropy_is_stable()
test_hidden_cross_entropy_bad_targets()
test_hidden_bce_values_and_clipping()

# %% [markdown]
# ## Systems: what the guards in your losses cost
#
# Your cross-entropy subtracts each row's max before `exp`, and your BCE clips `p`: guards that
# keep a loss finite when the model is very sure (and wrong). Below, YOUR losses timed against a
# naive NumPy formula without the guards, and what the naive formula gives at the extremes.

# %%
from tito.systems import best_time

rng = np.random.default_rng(0)
logits, classes = Tensor(rng.standard_normal((256, 10))), rng.integers(0, 10, 256)


def naive_cross_entropy(z, t):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(t)), t]).mean()


ratio = best_time(lambda: CrossEntropyLoss()(logits, classes), repeat=7) / best_time(lambda: naive_cross_entropy(logits.data, classes), repeat=7)
print(f"cross-entropy, batch 256 x 10 classes: yours / naive NumPy = {ratio:.1f}x")
with np.errstate(all="ignore"):
    sure = np.array([[1000.0, 0.0]], dtype=np.float32)
    print("very sure and right, logits [1000, 0], class 0: naive", naive_cross_entropy(sure, [0]), "yours", CrossEntropyLoss()(Tensor(sure), [0]).item())
    print("BCE of p = 0 when the target is 1: naive", -np.log(np.float32(0.0)), "yours", BinaryCrossEntropyLoss()(Tensor([0.0]), [1.0]).item())

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 04` checks the answers against your code.
#
# 1. What is your cross-entropy for a batch of all-zero logits over 10 classes (a model that knows nothing)?
#    (Give 4 decimals; it is the natural log of a small number.)
# 2. If every error `prediction - target` doubles, your MSE grows by what factor?
# 3. What is the largest loss your `BinaryCrossEntropyLoss` can give for one sample? (Its clip sets it: 4 decimals.)

# %%
#| answers
answers = {
    "losses_cross_entropy_know_nothing_10": 2.3026,  # 1. cross-entropy of zero logits, 10 classes
    "losses_mse_factor_errors_doubled": 4,           # 2. MSE factor when errors double
    "losses_bce_largest": 16.1181,                   # 3. the largest BCE for one sample
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_cross_entropy_of_uniform_logits():
    check_answer(answers, "losses_cross_entropy_know_nothing_10", CrossEntropyLoss()(Tensor(np.zeros((4, 10))), [0, 3, 5, 9]).item(),
                 "zero logits give every class probability 1/10; the loss is -log of the right class's probability",
                 tolerance=1e-3)


def test_reflect_mse_scaling():
    p, t = Tensor([1.0, -2.0, 0.5]), Tensor([0.0, 0.0, 0.0])
    check_answer(answers, "losses_mse_factor_errors_doubled", MSELoss()(p * 2, t).item() / MSELoss()(p, t).item(),
                 "MSE averages the squared errors: what does doubling do to a square?", tolerance=1e-4)


def test_reflect_bce_largest():
    loss = BinaryCrossEntropyLoss()
    check_answer(answers, "losses_bce_largest", loss(Tensor([0.0]), [1.0]).item(),
                 "the worst case is p = 0 for a target of 1; the clip raises p to eps first: -log(eps), with eps "
                 "from your BinaryCrossEntropyLoss", tolerance=1e-3)


test_reflect_cross_entropy_of_uniform_logits()
test_reflect_mse_scaling()
test_reflect_bce_largest()

# %% [markdown]
# ## What you built
#
# Three losses that always return a finite scalar and reject inputs that would give a silently
# wrong answer. Next: module 05 feeds data in batches, and module 06 makes `loss.backward()` work.

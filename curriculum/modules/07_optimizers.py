# %% [markdown]
# # Module 07: Optimizers, turning gradients into learning
#
# After `loss.backward()` every parameter holds a gradient: the direction in which the loss
# grows fastest. An optimizer takes a small step the other way, and repeats. How big a step,
# and whether it remembers past gradients, decides whether training crawls, diverges, or works.
#
# **You've built:** layers with parameters (03), losses (04), batches (05), and autograd (06):
# `loss.backward()` fills `p.grad` for every parameter `p` in `model.parameters()`.
# **You'll build:** `SGD` (with momentum and weight decay), `Adam` (adaptive step sizes with bias
# correction), and `AdamW` (Adam with decoupled weight decay), each with `step()` and
# `zero_grad()`.
# **You'll enable:** the training loop (08): `loss.backward(); optimizer.step(); optimizer.zero_grad()`,
# and with it every milestone.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> DataLoader (05)
#     -> Autograd (06) -> [Optimizers (07)] -> Training (08)
# ```
#
# **Learning objectives**
# 1. Implement gradient descent and see why momentum speeds it up.
# 2. Implement Adam's moment estimates and understand its bias correction.
# 3. Tell L2 regularization (Adam) from decoupled weight decay (AdamW).
# 4. Know why gradients must be reset after each step.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## The Optimizer base class
#
# Every optimizer keeps the list of parameters it updates and a learning rate `lr`, and offers:
#
# - `step()`: update every parameter in place (`p.data -= ...`) from its gradient `p.grad`.
#   Parameters without a gradient (`p.grad is None`, e.g. a layer this batch did not use) are
#   skipped.
# - `zero_grad()`: forget the gradients. Autograd **adds** into `p.grad` (module 06: that is what
#   makes a tensor used twice get both contributions), so without a reset the next batch's
#   gradient would pile onto this one's. Setting `p.grad = None`, as PyTorch does, is cheaper than
#   filling it with zeros.
#
# An optimizer with no parameters is always a bug (typically `model.parameters()` of a model with
# no layers, or forgetting to pass them); it is refused right away, with a message saying so.
#
# The base class is given complete, except `zero_grad`: yours to write. The optimizers below keep their state (velocities, moments)
# as NumPy arrays, one per parameter, in the same order as `self.params`.

# %%
#| export
class Optimizer:
    """The base class: keeps the parameters and the learning rate; step() and zero_grad()."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list: pass model.parameters() of a model "
                             "that has layers with parameters")
        if lr < 0:
            raise ValueError(f"learning rate must be >= 0, got lr={lr}")
        self.lr = lr

    def step(self):
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def zero_grad(self):
        """Forget every parameter's gradient before the next backward pass.

        TODO: set p.grad to None for every parameter.
        """
        ### BEGIN SOLUTION
        for p in self.params:
            p.grad = None
        ### END SOLUTION

# %% [markdown]
# ## SGD, with momentum
#
# Plain stochastic gradient descent moves each parameter against its gradient:
#
# $$p \leftarrow p - \text{lr} \cdot g$$
#
# In a long narrow valley the gradient points mostly across the valley, so SGD zig-zags from
# wall to wall and advances slowly along it. **Momentum** keeps a running sum of past gradients,
# a velocity: the zig-zags cancel out, the consistent direction adds up.
#
# $$v \leftarrow \mu \, v + g \qquad p \leftarrow p - \text{lr} \cdot v$$
#
# With $\mu = 0.9$ a constant gradient ends up giving steps 10 times larger. **Weight decay**
# adds $\lambda p$ to the gradient (the gradient of the L2 penalty $\frac{\lambda}{2} \|p\|^2$),
# which pulls every weight a little towards zero and discourages large weights.
#
# A worked example, lr = 0.1, momentum = 0.9, p = 1.0, gradient 0.5 twice:
#
# ```
# step 1: v = 0.9 * 0   + 0.5 = 0.5    p = 1.0  - 0.1 * 0.5  = 0.95
# step 2: v = 0.9 * 0.5 + 0.5 = 0.95   p = 0.95 - 0.1 * 0.95 = 0.855
# ```

# %%
#| export
class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * v, with v = momentum * v + (grad + weight_decay * p)."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocities = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        """Update every parameter that has a gradient.

        TODO: for each parameter p (with its velocity array v), skip it if p.grad is None, else:

        APPROACH:
        1. g = p.grad.data; with weight decay: g = g + weight_decay * p.data
        2. with momentum: v[...] = momentum * v + g (in place: the array stays in
           self.velocities), then use g = v
        3. p.data -= lr * g

        HINT: zip(self.params, self.velocities) walks both lists together.
        """
        ### BEGIN SOLUTION
        for p, velocity in zip(self.params, self.velocities):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                velocity[...] = self.momentum * velocity + g
                g = velocity
            p.data -= self.lr * g
        ### END SOLUTION

# %%
#| test
def test_unit_sgd():
    print("🧪 Unit Test: SGD...")
    p = Tensor([1.0, -2.0], requires_grad=True)
    p.grad = Tensor([0.5, -1.0])
    SGD([p], lr=0.1).step()
    assert np.allclose(p.data, [0.95, -1.9]), f"SGD(lr=0.1) on p=[1, -2] with grad [0.5, -1]: expected p - 0.1 * grad = [0.95, -1.9], got {np.round(p.data, 4).tolist()}"

    p = Tensor([1.0], requires_grad=True)
    optimizer = SGD([p], lr=0.1, momentum=0.9)
    for expected in [0.95, 0.855]:
        p.grad = Tensor([0.5])
        optimizer.step()
        assert np.allclose(p.data, [expected]), f"SGD(lr=0.1, momentum=0.9), p=1, grad 0.5 each step: expected p = {expected}, got {np.round(p.data, 4).tolist()}"
    print("✅ SGD works!")


def test_unit_zero_grad():
    print("🧪 Unit Test: zero_grad...")
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    a.grad, b.grad = Tensor([3.0]), Tensor([4.0])
    SGD([a, b], lr=0.1).zero_grad()
    assert a.grad is None and b.grad is None, f"zero_grad(): expected every grad to be None, got {a.grad}, {b.grad}"
    print("✅ zero_grad works!")


test_unit_sgd()
test_unit_zero_grad()

# %%
#| hidden
from tito.checks import expect_error


def _run(optimizer, params, grads_per_step):
    """Give params the gradients of each step in turn and call optimizer.step(); return the params' data."""
    for grads in grads_per_step:
        for p, g in zip(params, grads):
            p.grad = None if g is None else Tensor(g)
        optimizer.step()
    return [p.data.astype(np.float64) for p in params]  # float64 copies: short, readable values in messages


def _sgd_reference(p, grads, lr, momentum, weight_decay):
    """SGD by hand in float64, one parameter."""
    p, v = np.array(p, dtype=np.float64), 0.0
    for g in grads:
        g = np.asarray(g, dtype=np.float64) + weight_decay * p
        v = momentum * v + g
        p = p - lr * v
    return p


def test_hidden_sgd_matches_reference():
    np.random.seed(0)
    start = np.random.randn(3, 2)
    grads = [np.random.randn(3, 2) for _ in range(4)]
    for momentum, weight_decay in [(0.0, 0.0), (0.9, 0.0), (0.0, 0.1), (0.5, 0.01)]:
        p = Tensor(start, requires_grad=True)
        [got] = _run(SGD([p], lr=0.05, momentum=momentum, weight_decay=weight_decay), [p], [[g] for g in grads])
        expected = _sgd_reference(start, grads, 0.05, momentum, weight_decay)
        assert np.allclose(got, expected, atol=1e-5), \
            f"SGD(lr=0.05, momentum={momentum}, weight_decay={weight_decay}) after 4 steps on a (3, 2) parameter: expected {expected.round(5).tolist()}, got {got.round(5).tolist()}"
        assert p.dtype == np.float32, f"SGD must keep parameters float32, got {p.dtype}"


def test_hidden_sgd_skips_missing_grads_and_keeps_identity():
    a, b = Tensor([1.0, 1.0], requires_grad=True), Tensor([5.0], requires_grad=True)
    data_a = a.data
    _run(SGD([a, b], lr=0.5, momentum=0.9), [a, b], [[[1.0, 2.0], None]])
    assert np.allclose(b.data, [5.0]), f"a parameter whose grad is None must not change: expected [5.0], got {np.round(b.data, 4).tolist()}"
    assert np.allclose(a.data, [0.5, 0.0]), f"SGD(lr=0.5) on a=[1, 1] with grad [1, 2]: expected [0.5, 0.0], got {np.round(a.data, 4).tolist()}"
    assert a.data is data_a, "step() must update p.data in place (p.data -= ...), not replace the array"


def test_hidden_optimizer_bad_input():
    expect_error(ValueError, lambda: SGD([], lr=0.1), "empty parameter list")
    expect_error(ValueError, lambda: SGD(iter([]), lr=0.1), "empty parameter list")
    expect_error(ValueError, lambda: SGD([Tensor([1.0])], lr=-0.1), "-0.1")


def test_hidden_learning_rate_can_change():
    p = Tensor([0.0], requires_grad=True)
    optimizer = SGD([p], lr=1.0)
    optimizer.lr = 0.25
    _run(optimizer, [p], [[[2.0]]])
    assert np.allclose(p.data, [-0.5]), f"after optimizer.lr = 0.25, a step with grad 2 from 0 must give -0.5, got {np.round(p.data, 4).tolist()}"


test_hidden_sgd_matches_reference()
test_hidden_sgd_skips_missing_grads_and_keeps_identity()
test_hidden_optimizer_bad_input()
test_hidden_learning_rate_can_change()

# %% [markdown]
# ## Adam: a step size for every parameter
#
# Gradients of different parameters can differ by orders of magnitude, and one learning rate
# cannot suit them all. Adam (Kingma & Ba, 2014) keeps two running averages per parameter:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1)\, g \qquad\qquad v \leftarrow \beta_2 v + (1-\beta_2)\, g^2$$
#
# `m` (the first moment) is a smoothed gradient, like momentum; `v` (the second moment) is the
# typical size of the gradient squared. The step divides one by the square root of the other,
# so every parameter moves by roughly `lr`, whatever the scale of its gradient:
#
# $$p \leftarrow p - \text{lr} \cdot \frac{\hat m}{\sqrt{\hat v} + \epsilon}$$
#
# **Bias correction.** `m` and `v` start at zero, so early on they are far too small: after one
# step `m = 0.1 g` and `v = 0.001 g^2`. Dividing by `1 - beta^t` (t = the number of steps so far)
# undoes exactly that: $\hat m = m / (1-\beta_1^t)$, $\hat v = v / (1-\beta_2^t)$. After the first
# step $\hat m = g$ and $\hat v = g^2$, so the first update is `lr * g / |g|`: a step of size `lr`
# in the right direction. As `t` grows, `beta^t` goes to 0 and the correction fades away.
#
# **Weight decay, two ways.** Adam's `weight_decay` adds $\lambda p$ to the gradient (L2), like SGD.
# But then the decay is divided by $\sqrt{\hat v}$ too, so weights with large gradients are barely
# decayed. **AdamW** (Loshchilov & Hutter, 2019) *decouples* it: it shrinks the weights directly,
# $p \leftarrow p - \text{lr} \cdot \lambda \, p$, outside the adaptive scaling, and uses the plain
# gradient for `m` and `v`. AdamW is the default for training transformers today.

# %%
#| export
class Adam(Optimizer):
    """Adam: per-parameter step sizes from running averages of the gradient (m) and its square (v)."""

    decoupled_weight_decay = False  # False: L2 added to the gradient (Adam); True: AdamW

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not all(0 <= beta < 1 for beta in betas):
            raise ValueError(f"Adam betas must be in [0, 1), got betas={betas}")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = [np.zeros_like(p.data) for p in self.params]  # first moments
        self.v = [np.zeros_like(p.data) for p in self.params]  # second moments
        self.t = 0  # steps taken, for the bias correction

    def step(self):
        """One Adam (or AdamW) update of every parameter that has a gradient.

        TODO: count the step, then for each parameter p with moments m, v (skip p.grad None):

        APPROACH:
        1. self.t += 1 (once per step, before the loop)
        2. g = p.grad.data; weight decay, if self.weight_decay:
           - AdamW (self.decoupled_weight_decay): p.data -= lr * weight_decay * p.data
           - Adam: g = g + weight_decay * p.data
        3. m[...] = beta1 * m + (1 - beta1) * g;  v[...] = beta2 * v + (1 - beta2) * g * g
        4. m_hat = m / (1 - beta1 ** t);  v_hat = v / (1 - beta2 ** t)
        5. p.data -= lr * m_hat / (np.sqrt(v_hat) + eps)

        HINT: update m and v in place (m[...] = ...), so the arrays in self.m and self.v keep
              their values for the next step.
        """
        ### BEGIN SOLUTION
        self.t += 1
        beta1, beta2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.weight_decay and self.decoupled_weight_decay:
                p.data -= self.lr * self.weight_decay * p.data  # AdamW: shrink the weight itself
            elif self.weight_decay:
                g = g + self.weight_decay * p.data  # Adam: L2, goes through the adaptive scaling
            m[...] = beta1 * m + (1 - beta1) * g
            v[...] = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** self.t)
            v_hat = v / (1 - beta2 ** self.t)
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        ### END SOLUTION


class AdamW(Adam):
    """Adam with decoupled weight decay: p -= lr * weight_decay * p, separately from the Adam step."""

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, betas, eps, weight_decay)

# %%
#| test
def test_unit_adam_first_step():
    print("🧪 Unit Test: Adam...")
    p = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    p.grad = Tensor([0.001, -5.0, 300.0])
    Adam([p], lr=0.1).step()
    expected = [0.9, 1.1, 0.9]
    assert np.allclose(p.data, expected, atol=1e-4), \
        f"Adam(lr=0.1) first step with grads [0.001, -5, 300]: bias correction makes every step lr * sign(grad), expected {expected}, got {np.round(p.data, 4).tolist()}"
    print("✅ Adam works!")


def test_unit_adamw_decay():
    print("🧪 Unit Test: AdamW...")
    p = Tensor([2.0], requires_grad=True)
    p.grad = Tensor([0.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    expected = 2.0 - 0.1 * 0.5 * 2.0
    assert np.allclose(p.data, [expected]), f"AdamW(lr=0.1, weight_decay=0.5) on p=2 with grad 0: expected p - lr * wd * p = {expected}, got {np.round(p.data, 4).tolist()}"
    print("✅ AdamW works!")


test_unit_adam_first_step()
test_unit_adamw_decay()

# %%
#| hidden
def _adam_reference(p, grads, lr, betas, eps, weight_decay, decoupled):
    """Adam / AdamW by hand in float64, one parameter."""
    p, m, v = np.array(p, dtype=np.float64), 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p


def test_hidden_adam_matches_reference():
    np.random.seed(0)
    start = np.random.randn(4, 3)
    grads = [np.random.randn(4, 3) * scale for scale in [1.0, 0.1, 10.0, 1.0, 0.5]]
    for name, make, decoupled in [("Adam", Adam, False), ("AdamW", AdamW, True)]:
        for weight_decay in [0.0, 0.1]:
            p = Tensor(start, requires_grad=True)
            optimizer = make([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=weight_decay)
            [got] = _run(optimizer, [p], [[g] for g in grads])
            expected = _adam_reference(start, grads, 0.01, (0.8, 0.99), 1e-6, weight_decay, decoupled)
            assert np.allclose(got, expected, atol=1e-5), \
                f"{name}(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay={weight_decay}) after 5 steps: expected {expected[0].round(5).tolist()}... (first row), got {got[0].round(5).tolist()}..."
            assert p.dtype == np.float32, f"{name} must keep parameters float32, got {p.dtype}"


def test_hidden_adam_defaults_and_state():
    p = Tensor(np.ones(3), requires_grad=True)
    adam, adamw = Adam([p]), AdamW([p])
    assert (adam.lr, tuple(adam.betas), adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0), \
        f"Adam defaults: expected lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, got {adam.lr}, {adam.betas}, {adam.eps}, {adam.weight_decay}"
    assert adamw.weight_decay == 0.01, f"AdamW default weight_decay: expected 0.01, got {adamw.weight_decay}"
    a, b = Tensor([1.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    data_a = a.data
    got_a, got_b = _run(Adam([a, b], lr=0.1), [a, b], [[[2.0], None], [[-1.0], None]])
    assert a.data is data_a, "Adam.step() must update p.data in place (p.data -= ...), not replace the array"
    expected = _adam_reference([1.0], [[2.0], [-1.0]], 0.1, (0.9, 0.999), 1e-8, 0.0, False)
    assert np.allclose(got_b, [3.0]), f"Adam must skip a parameter whose grad is None: expected it to stay [3.0], got {np.round(got_b, 4).tolist()}"
    assert np.allclose(got_a, expected, atol=1e-6), f"Adam(lr=0.1), grads 2 then -1 from p=1: expected {expected.tolist()}, got {np.round(got_a, 4).tolist()}"


def test_hidden_adamw_differs_from_adam():
    np.random.seed(4)
    start, grads = np.random.randn(5), [np.random.randn(5) * 100 for _ in range(3)]
    a, b = Tensor(start, requires_grad=True), Tensor(start, requires_grad=True)
    [with_l2] = _run(Adam([a], lr=0.01, weight_decay=0.1), [a], [[g] for g in grads])
    [decoupled] = _run(AdamW([b], lr=0.01, weight_decay=0.1), [b], [[g] for g in grads])
    assert not np.allclose(with_l2, decoupled, atol=1e-6), \
        "Adam(weight_decay=0.1) and AdamW(weight_decay=0.1) must differ: Adam adds the decay to the gradient, AdamW shrinks the weights directly"
    expect_error(ValueError, lambda: Adam([a], betas=(0.9, 1.0)), "1.0")
    expect_error(ValueError, lambda: AdamW([], lr=0.1), "empty parameter list")


test_hidden_adam_matches_reference()
test_hidden_adam_defaults_and_state()
test_hidden_adamw_differs_from_adam()

# %% [markdown]
# ## Try it: three optimizers on a narrow valley
#
# Minimize $f(x, y) = x^2 + 100 y^2$ from $(-4, 1)$: the valley is 100 times steeper across ($y$)
# than along it ($x$). Plain SGD diverges unless lr < 0.01 (the steep direction sets the limit),
# and then crawls along the flat one. Momentum and Adam get much closer in the same 50 steps.
#
# Their paths are drawn from YOUR optimizers (a ring where they start, a dot where they stop; the
# grey ellipses are lines of equal loss; x and y have different scales). SGD zigzags across the
# steep y direction and has barely moved along x; momentum averages the zigzag out and keeps
# going along x; Adam scales each coordinate's step by its own gradient size, so it heads
# more directly to the minimum at (0, 0).

# %%
from IPython.display import SVG, display
from tito import svg
import tinytorch.core.autograd  # noqa: F401  (importing it turns on gradients)


def minimize(make_optimizer, steps=50):
    """The points an optimizer visits on f(x, y) = x**2 + 100 y**2 from (-4, 1), and its last loss."""
    point = Tensor([-4.0, 1.0], requires_grad=True)
    optimizer = make_optimizer([point])
    path = [point.data.tolist()]
    for _ in range(steps):
        loss = (point * point * Tensor([1.0, 100.0])).sum()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        path.append(point.data.tolist())
    return path, loss.item()


runs = {}
for name, make in [("SGD", lambda ps: SGD(ps, lr=0.009)), ("SGD + momentum", lambda ps: SGD(ps, lr=0.005, momentum=0.8)),
                   ("Adam", lambda ps: Adam(ps, lr=0.1))]:
    runs[name], loss = minimize(make)
    print(f"{name:15s} ends at {[round(v, 3) for v in runs[name][-1]]}, loss {loss:.4f}")

angles = np.linspace(0, 2 * np.pi, 60)
contours = [[(r * np.cos(a), r / 10 * np.sin(a)) for a in angles] for r in (1, 2, 3, 4.12)]  # x**2 + 100 y**2 = r**2
display(SVG(svg.paths(runs, "Three optimizers on x² + 100 y², 50 steps each", background=contours)))

# %% [markdown]
# ## Systems: the memory an optimizer keeps
#
# Plain SGD needs nothing but the parameters and their gradients. Momentum keeps one velocity
# array per parameter; Adam keeps two (its moments `m` and `v`). For a big model this state is as
# large as the model itself, or twice as large: one reason training needs far more memory than
# running a model. Below, YOUR optimizers on the parameters of a 784-128-10 network.

# %%
shapes = [(784, 128), (128,), (128, 10), (10,)]
params = [Tensor(np.zeros(shape), requires_grad=True) for shape in shapes]
weights = sum(p.data.nbytes for p in params)
print(f"parameters: {weights:,} bytes")
momentum, adam = SGD(params, lr=0.1, momentum=0.9), Adam(params)
for name, arrays in [("SGD", []), ("SGD + momentum", momentum.velocities), ("Adam", adam.m + adam.v)]:
    state = sum(a.nbytes for a in arrays)
    print(f"{name:>15}: keeps {state:>9,} bytes of state, {state / weights:.0f}x the parameters")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 07` checks the answers against your code.
#
# 1. Adam's state (`m` and `v`) takes how many times the bytes of the parameters it updates?
# 2. The first step of your `Adam(lr=0.01)` moves a parameter by how much, whether its gradient is 0.001 or 300?
#    (Bias correction: `m_hat / sqrt(v_hat)` is `g / |g|` on step 1.)
# 3. SGD with `lr=0.1, momentum=0.9` and the same gradient `g = 1` at every step: by how much does the
#    parameter move on the second step?

# %%
#| answers
answers = {
    "optimizers_adam_state_ratio": 2,            # 1. Adam's state bytes / parameter bytes
    "optimizers_adam_first_step": 0.01,          # 2. the size of Adam's first step, lr=0.01
    "optimizers_momentum_second_step": 0.19,     # 3. SGD(lr=0.1, momentum=0.9), g = 1: the second step
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_adam_state():
    params = [Tensor(np.zeros((30, 20)), requires_grad=True), Tensor(np.zeros(20), requires_grad=True)]
    optimizer = Adam(params)
    check_answer(answers, "optimizers_adam_state_ratio", sum(a.nbytes for a in optimizer.m + optimizer.v) / sum(p.data.nbytes for p in params),
                 "Adam keeps two arrays (m and v) shaped like each parameter")


def test_reflect_adam_first_step():
    p = Tensor([1.0, 1.0], requires_grad=True)
    p.grad = Tensor([0.001, 300.0])
    Adam([p], lr=0.01).step()
    check_answer(answers, "optimizers_adam_first_step", float(np.mean(np.abs(p.data - 1.0))),
                 "on step 1, m_hat = g and v_hat = g**2, so the step is lr * g / |g|", tolerance=1e-3)


def test_reflect_momentum_second_step():
    p = Tensor([0.0], requires_grad=True)
    optimizer = SGD([p], lr=0.1, momentum=0.9)
    moves = []
    for _ in range(2):
        before = float(p.data[0])
        p.grad = Tensor([1.0])
        optimizer.step()
        moves.append(before - float(p.data[0]))
    check_answer(answers, "optimizers_momentum_second_step", moves[1],
                 "the velocity after step 1 is g; after step 2 it is 0.9 * g + g; the step is lr times the velocity",
                 tolerance=1e-3)


test_reflect_adam_state()
test_reflect_adam_first_step()
test_reflect_momentum_second_step()

# %% [markdown]
# ## What you built
#
# SGD with momentum and weight decay, Adam with bias correction, and AdamW with decoupled weight
# decay: all update parameters in place from `p.grad`, and `zero_grad()` resets the gradients.
# Next, module 08 puts everything together in the training loop.

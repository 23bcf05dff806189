# %% [markdown]
# # Module 08: Training, putting it all together
#
# Every piece is in place: a model that predicts, a loss that scores, a loader that serves
# batches, autograd that computes gradients, an optimizer that applies them. Training is the
# loop that runs them in order, over and over, until the model is good.
#
# **You've built:** `Tensor` (01), activations (02), layers (03), losses (04), `DataLoader` (05),
# autograd (06), optimizers (07).
# **You'll build:** `accuracy`, `clip_grad_norm` (a guard against exploding gradients),
# `CosineSchedule` (a learning rate that starts high and ends low), and a `Trainer` with
# `train_epoch`, `evaluate` and `fit`, built around the five-line training loop.
# **You'll enable:** the milestones: your framework learns XOR (1969's "impossible" problem)
# and recognizes handwritten digits (1986's MLP), with code you wrote from scratch.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> DataLoader (05)
#     -> Autograd (06) -> Optimizers (07) -> [Training (08)] -> Milestones
# ```
#
# **Learning objectives**
# 1. Write the training loop and know what each of its five lines does.
# 2. Measure accuracy, and evaluate without gradients and without dropout.
# 3. Clip gradients by their global norm, and schedule the learning rate.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad

# %% [markdown]
# ## The training loop
#
# This is the heart of deep learning, written exactly as in PyTorch:
#
# ```python
# for batch_x, batch_y in train_loader:
#     logits = model(batch_x)
#     loss = loss_fn(logits, batch_y)
#     loss.backward()
#     optimizer.step()
#     optimizer.zero_grad()
# ```
#
# 1. `model(batch_x)`: the **forward pass**. Every operation records how it was computed (06).
# 2. `loss_fn(logits, batch_y)`: one number saying how wrong the predictions are.
# 3. `loss.backward()`: the **backward pass**. The chain rule, applied backwards through the
#    recorded operations, fills `p.grad` for every parameter: how the loss changes with `p`.
# 4. `optimizer.step()`: move every parameter a little against its gradient (07).
# 5. `optimizer.zero_grad()`: clear the gradients, since backward *adds* into them.
#
# One pass over all batches is an epoch; training is many epochs. Let's run it on XOR, the
# problem that a single-layer perceptron cannot solve (Minsky & Papert, 1969): the output is 1
# when exactly one input is 1. No straight line separates the 1s from the 0s, but a hidden layer
# bends the space until one does.

# %%
from tinytorch.core.activations import Tanh
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.optimizers import SGD

np.random.seed(0)
X = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
y = Tensor([0, 1, 1, 0])
train_loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True)
model = Sequential(Linear(2, 8), Tanh(), Linear(8, 2))
loss_fn = CrossEntropyLoss()
optimizer = SGD(model.parameters(), lr=0.5, momentum=0.9)

for epoch in range(100):
    for batch_x, batch_y in train_loader:
        logits = model(batch_x)
        loss = loss_fn(logits, batch_y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

print("predictions:", model(X).data.argmax(axis=1).tolist(), " targets:", y.data.astype(int).tolist())

# %% [markdown]
# ## Accuracy
#
# The loss is what training minimizes; accuracy is what people care about: the fraction of
# samples whose predicted class is the right one. For class scores of shape `(batch, classes)`
# the prediction is the class with the highest score (`argmax`; softmax would not change it, it
# keeps the order). A model with a single output column (a `Sigmoid` probability, as for
# `BinaryCrossEntropyLoss`) predicts class 1 when the probability is above 0.5.

# %%
#| export
def accuracy(logits, targets):
    """The fraction of samples whose predicted class equals the target, as a float in [0, 1].

    logits: class scores (batch, classes), or one probability column (batch, 1) / (batch,).
    targets: class indices (batch,) as a Tensor, array or list (or (batch, 1) with one column).

    TODO: predict a class per sample, compare with the targets, return the mean.

    APPROACH:
    1. scores = Tensor(logits).data; targets = Tensor(targets).data.reshape(-1)
    2. predictions = scores.argmax(axis=1) when there are 2+ columns,
       else (scores.reshape(-1) > 0.5)
    3. if the number of predictions and targets differ, raise a ValueError naming both shapes
    4. return float((predictions == targets).mean())
    """
    ### BEGIN SOLUTION
    scores, labels = Tensor(logits).data, Tensor(targets).data.reshape(-1)
    if scores.ndim == 2 and scores.shape[1] > 1:
        predictions = scores.argmax(axis=1)
    else:
        predictions = scores.reshape(-1) > 0.5
    if predictions.shape != labels.shape:
        raise ValueError(f"accuracy: {predictions.size} predictions from scores of shape {scores.shape} "
                         f"but targets of shape {Tensor(targets).shape}")
    return float((predictions == labels).mean())
    ### END SOLUTION

# %% [markdown]
# ## Gradient clipping
#
# Sometimes one batch produces a huge gradient (a steep cliff in the loss surface), and a single
# step throws the parameters far away, undoing hours of training. **Clipping by global norm**
# caps the size of the step without changing its direction: treat all gradients together as one
# long vector, measure its length
#
# $$\|g\| = \sqrt{\textstyle\sum_{p} \sum_{i} g_{p,i}^2}$$
#
# and if it exceeds `max_norm`, scale *every* gradient by `max_norm / ||g||`. Scaling all of them
# by the same factor keeps the direction; clipping each number separately would not.

# %%
#| export
def clip_grad_norm(params, max_norm):
    """Scale all gradients in place so their global L2 norm is at most max_norm; return the norm before.

    TODO: compute the global norm of the gradients (skip p.grad None); if it is larger than
          max_norm, multiply every gradient by max_norm / norm, in place.

    APPROACH:
    1. grads = [p.grad.data for p in params if p.grad is not None]
    2. total = sqrt of the sum over grads of np.sum(g * g)
    3. if total > max_norm: g *= max_norm / total for each g
    4. return total (a float)
    """
    if max_norm <= 0:
        raise ValueError(f"clip_grad_norm: max_norm must be positive, got {max_norm}")
    ### BEGIN SOLUTION
    grads = [p.grad.data for p in params if p.grad is not None]
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    if total > max_norm:
        for g in grads:
            g *= max_norm / total
    return total
    ### END SOLUTION

# %% [markdown]
# ## A learning-rate schedule
#
# Early in training, large steps make fast progress; near the end, large steps bounce around the
# minimum instead of settling into it. A **cosine schedule** goes smoothly from `max_lr` at
# epoch 0 down to `min_lr` at `total_epochs` (and stays there):
#
# $$\text{lr}(e) = \text{min} + (\text{max} - \text{min}) \cdot \frac{1 + \cos(\pi \cdot e / E)}{2}$$
#
# ```
# max_lr |**
#        |   ***
#        |      ****
#        |          ****
# min_lr |              ****------
#        0             E          epoch
# ```

# %%
#| export
class CosineSchedule:
    """Learning rate from max_lr (epoch 0) to min_lr (epoch total_epochs and later) along a half cosine."""

    def __init__(self, max_lr, min_lr, total_epochs):
        if total_epochs < 1:
            raise ValueError(f"CosineSchedule needs total_epochs >= 1, got {total_epochs}")
        self.max_lr, self.min_lr, self.total_epochs = max_lr, min_lr, total_epochs

    def get_lr(self, epoch):
        """The learning rate for `epoch` (counting from 0).

        TODO: progress = min(epoch / total_epochs, 1); return
              min_lr + (max_lr - min_lr) * (1 + cos(pi * progress)) / 2 as a float.
        """
        ### BEGIN SOLUTION
        progress = min(epoch / self.total_epochs, 1.0)
        return float(self.min_lr + (self.max_lr - self.min_lr) * (1 + np.cos(np.pi * progress)) / 2)
        ### END SOLUTION

# %%
#| test
def test_unit_accuracy():
    print("🧪 Unit Test: accuracy...")
    logits = Tensor([[2.0, 1.0], [0.1, 0.9], [5.0, -1.0], [0.0, 3.0]])
    got = accuracy(logits, [0, 1, 1, 1])
    assert got == 0.75, f"accuracy: predictions [0, 1, 0, 1] vs targets [0, 1, 1, 1]: expected 0.75, got {got}"
    got = accuracy(Tensor([[0.9], [0.2], [0.7]]), Tensor([1, 0, 0]))
    assert abs(got - 2 / 3) < 1e-9, f"accuracy of probabilities [0.9, 0.2, 0.7] vs targets [1, 0, 0]: expected 2/3, got {got}"
    print("✅ accuracy works!")


def test_unit_clip_grad_norm():
    print("🧪 Unit Test: clip_grad_norm...")
    a, b = Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0], requires_grad=True)
    a.grad, b.grad = Tensor([3.0, 0.0]), Tensor([4.0])
    total = clip_grad_norm([a, b], max_norm=1.0)
    assert abs(total - 5.0) < 1e-6, f"gradients [3, 0] and [4]: expected global norm sqrt(9 + 16) = 5, got {total}"
    assert np.allclose(a.grad.data, [0.6, 0.0]) and np.allclose(b.grad.data, [0.8]), \
        f"clipping norm 5 to 1 scales by 1/5: expected [0.6, 0] and [0.8], got {np.round(a.grad.data, 4).tolist()} and {b.grad.data.tolist()}"
    print("✅ clip_grad_norm works!")


def test_unit_cosine_schedule():
    print("🧪 Unit Test: CosineSchedule...")
    schedule = CosineSchedule(max_lr=0.1, min_lr=0.001, total_epochs=10)
    for epoch, expected in [(0, 0.1), (5, 0.0505), (10, 0.001), (20, 0.001)]:
        got = schedule.get_lr(epoch)
        assert abs(got - expected) < 1e-9, f"CosineSchedule(0.1, 0.001, 10).get_lr({epoch}): expected {expected}, got {got}"
    print("✅ CosineSchedule works!")


test_unit_accuracy()
test_unit_clip_grad_norm()
test_unit_cosine_schedule()

# %%
#| hidden
from tito.checks import expect_error


def test_hidden_accuracy_inputs():
    logits = np.array([[0.1, 0.5, 0.2], [3.0, 1.0, 2.0], [0.0, 0.0, 9.0]])
    for targets in ([1, 0, 2], np.array([1, 0, 2]), Tensor([1, 0, 2]), Tensor([[1], [0], [2]])):
        got = accuracy(Tensor(logits), targets)
        assert got == 1.0, f"accuracy with targets given as {type(targets).__name__}: expected 1.0, got {got}"
    got = accuracy(Tensor([0.2, 0.6]), [1, 1])
    assert got == 0.5, f"accuracy of probabilities [0.2, 0.6] (shape (2,)) vs [1, 1]: expected 0.5, got {got}"
    assert isinstance(got, float), f"accuracy must return a Python float, got {type(got).__name__}"
    expect_error(ValueError, lambda: accuracy(Tensor(np.zeros((4, 3))), [0, 1]), "(4, 3)", "(2,)")


def test_hidden_clip_grad_norm_cases():
    np.random.seed(0)
    params = [Tensor(np.zeros((3, 4)), requires_grad=True), Tensor(np.zeros(4), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)]
    grads = [np.random.randn(3, 4) * 10, np.random.randn(4) * 10]
    params[0].grad, params[1].grad = Tensor(grads[0]), Tensor(grads[1])
    expected_total = np.sqrt(sum((g.astype(np.float32) ** 2).sum() for g in grads))
    total = clip_grad_norm(params, max_norm=2.0)
    assert abs(total - expected_total) < 1e-3 * expected_total, f"global norm of a (3, 4) and a (4,) gradient (third grad None): expected {expected_total:.4f}, got {total}"
    new_total = np.sqrt(sum((p.grad.data ** 2).sum() for p in params[:2]))
    assert abs(new_total - 2.0) < 1e-4, f"after clip_grad_norm(max_norm=2), the global norm must be 2, got {new_total:.5f}"
    assert np.allclose(params[0].grad.data, grads[0] * 2.0 / expected_total, atol=1e-5), "clipping must scale every gradient by the same factor max_norm / norm (keeping the direction)"
    assert params[2].grad is None, "a parameter without gradient must stay without gradient"
    small = Tensor([0.0], requires_grad=True)
    small.grad = Tensor([0.5])
    total = clip_grad_norm([small], max_norm=1.0)
    assert abs(total - 0.5) < 1e-7 and small.grad.data.tolist() == [0.5], f"a norm of 0.5 under max_norm=1 must not change: got norm {total}, grad {small.grad.data.tolist()}"
    expect_error(ValueError, lambda: clip_grad_norm([small], max_norm=0), "0")


def test_hidden_cosine_schedule_shape():
    schedule = CosineSchedule(max_lr=1.0, min_lr=0.0, total_epochs=8)
    lrs = [schedule.get_lr(e) for e in range(10)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:])), f"the cosine schedule must never increase, got {[round(v, 4) for v in lrs]}"
    expected = [(1 + np.cos(np.pi * e / 8)) / 2 for e in range(8)] + [0.0, 0.0]
    assert np.allclose(lrs, expected), f"CosineSchedule(1, 0, 8): expected {np.round(expected, 4).tolist()}, got {np.round(lrs, 4).tolist()}"
    expect_error(ValueError, lambda: CosineSchedule(0.1, 0.0, 0), "0")


test_hidden_accuracy_inputs()
test_hidden_clip_grad_norm_cases()
test_hidden_cosine_schedule_shape()

# %% [markdown]
# ## The Trainer
#
# The loop above, packaged so every experiment does not rewrite it:
#
# - `train_epoch(loader)`: one epoch of the five-line loop in training mode, with gradient
#   clipping (if `grad_clip_norm` is set) between `backward()` and `step()`, and the learning rate
#   of this epoch from the schedule (if one is set). Returns the mean loss per sample.
# - `evaluate(loader)`: the model in evaluation mode (no dropout), inside `no_grad()` (nothing is
#   recorded for a backward pass that will never come, which saves time and memory). Returns
#   `(mean loss, accuracy)`, both per sample.
# - `fit(train_loader, epochs, val_loader=None)`: `train_epoch` (and `evaluate`) every epoch;
#   returns the history of losses, accuracies and learning rates, ready to plot.
#
# Why the mean *per sample*, weighted by batch size? The last batch may be smaller; averaging
# batch means would count its samples more than the others.

# %%
#| export
class Trainer:
    """Train a model with an optimizer and a loss: train_epoch, evaluate, fit."""

    def __init__(self, model, optimizer, loss_fn, scheduler=None, grad_clip_norm=None):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.scheduler, self.grad_clip_norm = scheduler, grad_clip_norm
        self.epoch = 0  # epochs trained so far: the schedule's position

    def train_epoch(self, loader):
        """One epoch of training; returns the mean loss per sample.

        TODO: the training loop, with the schedule and clipping.

        APPROACH:
        1. if there is a scheduler: self.optimizer.lr = self.scheduler.get_lr(self.epoch)
        2. self.model.train()
        3. for each batch: forward, loss, backward, clip (if grad_clip_norm is set, on
           self.optimizer.params), step, zero_grad; add loss.item() * batch size to a total
        4. self.epoch += 1; return total / number of samples

        HINT: if the loader served no samples, raise a ValueError saying so (not a ZeroDivisionError).
        """
        ### BEGIN SOLUTION
        if self.scheduler is not None:
            self.optimizer.lr = self.scheduler.get_lr(self.epoch)
        self.model.train()
        total_loss, count = 0.0, 0
        for batch_x, batch_y in loader:
            logits = self.model(batch_x)
            loss = self.loss_fn(logits, batch_y)
            loss.backward()
            if self.grad_clip_norm is not None:
                clip_grad_norm(self.optimizer.params, self.grad_clip_norm)
            self.optimizer.step()
            self.optimizer.zero_grad()
            total_loss += loss.item() * batch_x.shape[0]
            count += batch_x.shape[0]
        if count == 0:
            raise ValueError("train_epoch: the loader served no samples (is the data set empty?)")
        self.epoch += 1
        return total_loss / count
        ### END SOLUTION

    def evaluate(self, loader):
        """(mean loss, accuracy) over the loader, in evaluation mode and without gradients.

        TODO: self.model.eval(); inside `with no_grad():` run the model on every batch and add up
              loss.item() * batch size and accuracy(logits, batch_y) * batch size.
              Return both totals divided by the number of samples.
        """
        ### BEGIN SOLUTION
        self.model.eval()
        total_loss, correct, count = 0.0, 0.0, 0
        with no_grad():
            for batch_x, batch_y in loader:
                logits = self.model(batch_x)
                n = batch_x.shape[0]
                total_loss += self.loss_fn(logits, batch_y).item() * n
                correct += accuracy(logits, batch_y) * n
                count += n
        if count == 0:
            raise ValueError("evaluate: the loader served no samples (is the data set empty?)")
        return total_loss / count, correct / count
        ### END SOLUTION

    def fit(self, train_loader, epochs, val_loader=None):
        """Train for `epochs` epochs; returns the history: a dict of per-epoch lists."""
        history = {"train_loss": [], "lr": [], "val_loss": [], "val_accuracy": []}
        for _ in range(epochs):
            history["train_loss"].append(self.train_epoch(train_loader))
            history["lr"].append(self.optimizer.lr)
            if val_loader is not None:
                val_loss, val_accuracy = self.evaluate(val_loader)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
        return history

# %%
#| test
def test_unit_xor_with_the_training_loop():
    print("🧪 Unit Test: a 2-layer MLP learns XOR...")
    from tinytorch.core.activations import Tanh
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.dataloader import DataLoader, TensorDataset
    from tinytorch.core.optimizers import SGD

    np.random.seed(0)
    X, y = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), Tensor([0, 1, 1, 0])
    train_loader = DataLoader(TensorDataset(X, y), batch_size=2, shuffle=True)
    model = Sequential(Linear(2, 8), Tanh(), Linear(8, 2))
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.5, momentum=0.9)
    trainer = Trainer(model, optimizer, loss_fn)
    first_loss = trainer.train_epoch(train_loader)
    for epoch in range(99):
        last_loss = trainer.train_epoch(train_loader)
    loss, acc = trainer.evaluate(DataLoader(TensorDataset(X, y), batch_size=4))
    assert last_loss < first_loss / 4, f"XOR: the training loss should fall a lot in 100 epochs, got {first_loss:.4f} -> {last_loss:.4f}"
    assert acc == 1.0, f"XOR: a 2-8-2 MLP trained 100 epochs must classify all 4 points, got accuracy {acc} (loss {loss:.4f})"
    print("✅ Your framework learns XOR!")


test_unit_xor_with_the_training_loop()

# %% [markdown]
# A learning curve: YOUR `Trainer` on XOR, the loss of every epoch. It falls fast, then flattens.

# %%
from IPython.display import SVG, display
from tito import svg
from tinytorch.core.activations import Tanh
from tinytorch.core.dataloader import DataLoader, TensorDataset

np.random.seed(0)
X, y = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), Tensor([0, 1, 1, 0])
xor_model = Sequential(Linear(2, 8), Tanh(), Linear(8, 2))
history = Trainer(xor_model, SGD(xor_model.parameters(), lr=0.5, momentum=0.9), CrossEntropyLoss()).fit(
    DataLoader(TensorDataset(X, y), batch_size=2, shuffle=True), epochs=100)
display(SVG(svg.line_chart(history["train_loss"], title="XOR: training loss per epoch", x_label="epoch")))

# %%
#| hidden
def _regression_setup(lr, n=7, batch_size=3, clip=None, scheduler=None):
    """A Linear(2, 1) regression on n samples with MSE and SGD(lr); returns (trainer, loader, X, y)."""
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import MSELoss
    from tinytorch.core.dataloader import DataLoader, TensorDataset
    from tinytorch.core.optimizers import SGD

    np.random.seed(0)
    X = Tensor(np.random.randn(n, 2))
    y = Tensor(X.data @ np.array([[2.0], [-1.0]], dtype=np.float32) + 0.5)
    model = Sequential(Linear(2, 1))
    trainer = Trainer(model, SGD(model.parameters(), lr=lr), MSELoss(), scheduler=scheduler, grad_clip_norm=clip)
    return trainer, DataLoader(TensorDataset(X, y), batch_size=batch_size), X, y


def test_hidden_train_epoch_mean_loss_per_sample():
    trainer, loader, X, y = _regression_setup(lr=0.0)
    w, b = trainer.model.layers[0].weight.data, trainer.model.layers[0].bias.data
    per_sample = ((X.data @ w + b - y.data) ** 2).reshape(-1)
    expected = per_sample.mean()  # with lr=0 nothing changes: the mean over all 7 samples
    got = trainer.train_epoch(loader)
    assert abs(got - expected) < 1e-5, f"train_epoch with batches of 3, 3, 1: expected the mean loss per sample {expected:.6f}, got {got:.6f} (the mean of batch means would be {np.mean([per_sample[:3].mean(), per_sample[3:6].mean(), per_sample[6:].mean()]):.6f})"
    assert all(p.grad is None for p in trainer.model.parameters()), "after train_epoch every gradient must be cleared (optimizer.zero_grad() after each step)"
    assert trainer.epoch == 1, f"train_epoch must count epochs: expected trainer.epoch == 1, got {trainer.epoch}"


def test_hidden_training_reduces_loss_and_fit_history():
    trainer, loader, X, y = _regression_setup(lr=0.1)
    history = trainer.fit(loader, epochs=30, val_loader=loader)
    losses = history["train_loss"]
    assert len(losses) == 30 and len(history["val_loss"]) == 30 and len(history["lr"]) == 30, \
        f"fit(epochs=30): expected 30 entries per history list, got {({k: len(v) for k, v in history.items()})}"
    assert losses[-1] < losses[0] / 10, f"30 epochs of SGD(lr=0.1) on a linear regression must cut the loss 10x, got {losses[0]:.4f} -> {losses[-1]:.4f}"
    val_loss, _ = trainer.evaluate(loader)
    assert abs(history["val_loss"][-1] - val_loss) < 1e-6, f"the last val_loss must be evaluate() after the last epoch: {history['val_loss'][-1]} vs {val_loss}"
    assert trainer.fit(loader, epochs=1)["val_loss"] == [], "fit without val_loader: val_loss must stay empty"


def test_hidden_scheduler_sets_lr_each_epoch():
    schedule = CosineSchedule(max_lr=0.2, min_lr=0.02, total_epochs=4)
    trainer, loader, X, y = _regression_setup(lr=1.0, scheduler=schedule)
    history = trainer.fit(loader, epochs=5)
    expected = [schedule.get_lr(e) for e in range(5)]
    assert np.allclose(history["lr"], expected), f"with a CosineSchedule, epoch e must train with lr = get_lr(e): expected {np.round(expected, 4).tolist()}, got {np.round(history['lr'], 4).tolist()}"


def test_hidden_train_epoch_clips_gradients():
    trainer, loader, X, y = _regression_setup(lr=1.0, n=4, batch_size=4, clip=0.5)
    y.data[...] = 1000.0  # a huge error: a huge gradient
    before = [p.data.copy() for p in trainer.model.parameters()]
    trainer.train_epoch(loader)
    moved = np.sqrt(sum(((p.data - b) ** 2).sum() for p, b in zip(trainer.model.parameters(), before)))
    assert moved <= 0.5 + 1e-4, f"with grad_clip_norm=0.5 and SGD(lr=1), one step can move the parameters by at most 0.5, moved {moved:.4f}"
    assert moved > 0.4, f"the clipped step should still move the parameters by about 0.5, moved {moved:.4f}"


def test_hidden_evaluate_is_eval_mode_and_changes_nothing():
    from tinytorch.core.layers import Dropout, Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.dataloader import DataLoader, TensorDataset
    from tinytorch.core.optimizers import SGD

    np.random.seed(1)
    model = Sequential(Linear(3, 16), Dropout(0.5), Linear(16, 3))
    recorded = []  # whether the logits the loss sees are tracked for a backward pass

    def recording_loss(logits, targets):
        recorded.append(logits.requires_grad)
        return CrossEntropyLoss()(logits, targets)

    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), recording_loss)
    loader = DataLoader(TensorDataset(Tensor(np.random.randn(10, 3)), Tensor(np.arange(10) % 3)), batch_size=4)
    before = [p.data.copy() for p in model.parameters()]
    first, second = trainer.evaluate(loader), trainer.evaluate(loader)
    assert first == second, f"evaluate must be deterministic (dropout off in eval mode), got {first} then {second}"
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before)), "evaluate must not change the parameters"
    assert all(p.grad is None for p in model.parameters()), "evaluate must not compute gradients"
    assert recorded and not any(recorded), f"evaluate must run the model inside `with no_grad():`, but the logits were tracked for backward ({recorded.count(True)} of {len(recorded)} batches)"
    loss, acc = first
    assert 0.0 <= acc <= 1.0 and loss > 0, f"evaluate must return (mean loss, accuracy in [0, 1]), got {first}"
    empty = DataLoader(TensorDataset(Tensor(np.zeros((0, 3))), Tensor(np.zeros(0))), batch_size=4)
    expect_error(ValueError, lambda: trainer.evaluate(empty), "no samples")
    expect_error(ValueError, lambda: trainer.train_epoch(empty), "no samples")


test_hidden_train_epoch_mean_loss_per_sample()
test_hidden_training_reduces_loss_and_fit_history()
test_hidden_scheduler_sets_lr_each_epoch()
test_hidden_train_epoch_clips_gradients()
test_hidden_evaluate_is_eval_mode_and_changes_nothing()

# %% [markdown]
# ## Systems: where a training step's time goes
#
# A step is forward, loss, backward, optimizer update, zero_grad. Below, YOUR framework's step on
# a 784-128-10 network with a batch of 64, split into those parts, as shares of the whole step:
# the shares, unlike the seconds, are much the same in the browser.

# %%
import time

from tinytorch.core.activations import ReLU

rng = np.random.default_rng(0)
model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
optimizer, loss_fn = SGD(model.parameters(), lr=0.01), CrossEntropyLoss()
x, y = Tensor(rng.standard_normal((64, 784))), Tensor(rng.integers(0, 10, 64))
parts = {"forward + loss": 0.0, "backward": 0.0, "optimizer step + zero_grad": 0.0}
for _ in range(20):
    start = time.perf_counter()
    loss = loss_fn(model(x), y)
    middle = time.perf_counter()
    loss.backward()
    after = time.perf_counter()
    optimizer.step()
    optimizer.zero_grad()
    parts["forward + loss"] += middle - start
    parts["backward"] += after - middle
    parts["optimizer step + zero_grad"] += time.perf_counter() - after
total = sum(parts.values())
for name, seconds in parts.items():
    print(f"{name:>28}: {seconds / total:6.1%} of a step")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 08` checks the answers against your code.
#
# 1. `CosineSchedule(max_lr=0.1, min_lr=0.0, total_epochs=10)`: what learning rate does your schedule give at epoch 5?
# 2. Gradients `[3, 0]` and `[4]` (global norm 5) go through your `clip_grad_norm(params, max_norm=1)`: what does the `4` become?
# 3. Your `accuracy` of logits `[[2, 1], [0, 3], [1, 0], [5, 4]]` against targets `[0, 1, 1, 1]`?

# %%
#| answers
answers = {
    "training_cosine_lr_halfway": 0.05,  # 1. get_lr(5) of CosineSchedule(0.1, 0.0, 10)
    "training_clipped_gradient": 0.8,    # 2. the 4 after clipping the global norm 5 to 1
    "training_accuracy_example": 0.5,    # 3. accuracy of the four predictions
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_cosine_halfway():
    check_answer(answers, "training_cosine_lr_halfway", CosineSchedule(max_lr=0.1, min_lr=0.0, total_epochs=10).get_lr(5),
                 "halfway, cos(pi / 2) = 0: the rate is midway between max_lr and min_lr", tolerance=1e-4)


def test_reflect_clipping():
    a, b = Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0], requires_grad=True)
    a.grad, b.grad = Tensor([3.0, 0.0]), Tensor([4.0])
    clip_grad_norm([a, b], max_norm=1.0)
    check_answer(answers, "training_clipped_gradient", float(b.grad.data[0]),
                 "every gradient is multiplied by the same factor, max_norm / norm = 1 / 5", tolerance=1e-4)


def test_reflect_accuracy():
    check_answer(answers, "training_accuracy_example", accuracy(Tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [5.0, 4.0]]), Tensor([0, 1, 1, 1])),
                 "the prediction of a row is the index of its largest logit; count the rows where it equals the target",
                 tolerance=1e-6)


test_reflect_cosine_halfway()
test_reflect_clipping()
test_reflect_accuracy()

# %% [markdown]
# ## What you built
#
# The training loop, accuracy, gradient clipping, a cosine learning-rate schedule and a `Trainer`
# that ties them together. That completes the foundation: your own framework, from `Tensor` to
# training. Time for the milestones: run `%tito milestone run 02` and watch your code solve XOR,
# then `%tito milestone run 03` for handwritten digits.

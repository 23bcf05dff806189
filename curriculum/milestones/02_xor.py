# %% [markdown]
# # Milestone 02: The XOR crisis (1969)
#
# In 1969 Marvin Minsky and Seymour Papert published *Perceptrons*, a careful mathematical book
# about what a single-layer perceptron can and cannot compute. One of its simplest examples
# became famous: **XOR** ("exclusive or": 1 when exactly one input is 1). No straight line
# separates XOR's two classes, so no single-layer perceptron can learn it, however long it trains.
#
# | x1 | x2 | XOR |
# |----|----|-----|
# | 0  | 0  | 0   |
# | 0  | 1  | 1   |
# | 1  | 0  | 1   |
# | 1  | 1  | 0   |
#
# Multi-layer networks could represent XOR, and the book said so, but nobody knew a good way to
# train their hidden layers. Funding and interest in neural networks dried up for over a decade,
# the first "AI winter" for the field.
#
# Here you replay both halves with *your* framework: the perceptron of milestone 01 fails on XOR
# (it cannot get more than 3 of the 4 cases right: at most 75%), and adding one hidden layer,
# trained with the backpropagation *you* wrote in module 06, solves it: 100%.
#
# **Your modules at work:** 01 Tensor, 02 Sigmoid and Tanh, 03 Linear and Sequential,
# 04 BinaryCrossEntropyLoss, 05 DataLoader, 06 autograd, 07 SGD.

# %%
import numpy as np

from tinytorch import BinaryCrossEntropyLoss, DataLoader, Linear, SGD, Sequential, Sigmoid, Tanh, Tensor, TensorDataset

# %% [markdown]
# ## The data: the XOR truth table, with a little noise
#
# The four cases of the table are what we score. To train, each case appears 50 times with a
# little noise on its inputs (200 points), so there is a real data set to shuffle and batch.

# %%
TRUTH_TABLE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR = np.array([[0], [1], [1], [0]], dtype=np.float32)


def make_data(copies=50, noise=0.1, seed=0):
    """(points of shape (4 * copies, 2), labels of shape (4 * copies, 1)): noisy copies of the table."""
    rng = np.random.default_rng(seed)
    points = np.tile(TRUTH_TABLE, (copies, 1)) + noise * rng.standard_normal((4 * copies, 2))
    return points.astype(np.float32), np.tile(XOR, (copies, 1))

# %% [markdown]
# ## Training: the same loop as milestone 01

# %%
def train(model, loader, loss_fn, optimizer, epochs, report):
    """Train for `epochs` passes over `loader`; returns the mean loss of each epoch."""
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for batch_x, batch_y in loader:
            logits = model(batch_x)
            loss = loss_fn(logits, batch_y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item()
        losses.append(total / len(loader))
        report(epoch + 1, epochs, losses[-1])
    return losses


def truth_table_accuracy(model):
    """The fraction of the four XOR cases the model gets right."""
    predicted = model(Tensor(TRUTH_TABLE)).data > 0.5
    return float(np.mean(predicted == (XOR > 0.5)))


def boundary(model, points, labels, steps=41):
    """The class the model predicts on a grid over the data, for the decision-boundary picture."""
    xs = np.linspace(-0.5, 1.5, steps)
    grid_x, grid_y = np.meshgrid(xs, xs)  # grid_x[i, j] = xs[j], grid_y[i, j] = xs[i]
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    classes = (model(Tensor(grid)).data > 0.5).reshape(steps, steps).astype(int)
    return {"xs": xs.tolist(), "ys": xs.tolist(), "grid": classes.tolist(),
            "points": points.tolist(), "labels": labels.ravel().astype(int).tolist()}


def fit(model, points, labels, lr, epochs, report):
    """Train `model` on the points with SGD; returns the loss of each epoch."""
    loader = DataLoader(TensorDataset(Tensor(points), Tensor(labels)), batch_size=20, shuffle=True)
    return train(model, loader, BinaryCrossEntropyLoss(), SGD(model.parameters(), lr=lr), epochs, report)

# %% [markdown]
# ## The experiment: first the perceptron, then a hidden layer
#
# The perceptron's accuracy is checked as the *expected failure*: above 75% would mean it found a
# line that separates XOR, which no line can. The milestone's result is the two-layer network's
# accuracy: a hidden layer of 8 `Tanh` units bends the boundary into the shape XOR needs.

# %%
def run_experiment(report=print, seed=0):
    np.random.seed(seed)  # initial weights and the DataLoader's shuffling use np.random
    points, labels = make_data(seed=seed)
    quiet = lambda epoch, epochs, loss: None  # the failing model's progress is not the story

    perceptron = Sequential(Linear(2, 1), Sigmoid())
    fit(perceptron, points, labels, lr=0.5, epochs=20, report=quiet)
    single_layer = truth_table_accuracy(perceptron)
    print(f"single-layer perceptron on XOR: {single_layer:.0%} of the truth table (a line gets at most 75%)")
    assert single_layer <= 0.75, (f"a single-layer perceptron scored {single_layer:.0%} on XOR, but no straight "
                                  "line separates XOR: at most 3 of the 4 cases (75%) can be right")

    mlp = Sequential(Linear(2, 8), Tanh(), Linear(8, 1), Sigmoid())
    losses = fit(mlp, points, labels, lr=0.5, epochs=40, report=report)
    return {"value": truth_table_accuracy(mlp), "single_layer": single_layer, "losses": losses,
            "boundary": boundary(mlp, points, labels)}

# %% [markdown]
# ## Run it
#
# The next cell runs the experiment with *your* `tinytorch`, shows the loss and the bent
# decision boundary, and records the result in your progress. Locally: `tito milestone run 02`.

# %%
# %tito milestone run 02

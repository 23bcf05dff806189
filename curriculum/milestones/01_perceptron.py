# %% [markdown]
# # Milestone 01: The Perceptron (1958)
#
# In 1958 Frank Rosenblatt, a psychologist at the Cornell Aeronautical Laboratory, showed the
# **perceptron**: a machine that *learned* to sort simple pictures into two classes by adjusting
# its own weights after every mistake. The Navy-funded Mark I Perceptron was a room of wires and
# motor-driven potentiometers; the New York Times wrote that it was "the embryo of an electronic
# computer that [the Navy] expects will be able to walk, talk, see, write". The hype was far
# ahead of the machine, but the idea was new and it lasted: instead of programming the rule,
# show examples and let the weights find it.
#
# A perceptron is one neuron: a weighted sum of the inputs plus a bias, then a threshold.
# Here it is with *your* framework, in today's form: `Linear(2, 1)` (the weighted sum) and
# `Sigmoid` (a smooth threshold, so that gradients can flow), trained by gradient descent on the
# binary cross-entropy loss instead of Rosenblatt's mistake-driven rule.
#
# **Goal:** at least 95% accuracy on two clouds of points that a straight line can separate.
#
# **Your modules at work:** 01 Tensor, 02 Sigmoid, 03 Linear, 04 BinaryCrossEntropyLoss,
# 05 DataLoader, 06 autograd (`loss.backward()`), 07 SGD.

# %%
import numpy as np

from tinytorch import BinaryCrossEntropyLoss, DataLoader, Linear, SGD, Sequential, Sigmoid, Tensor, TensorDataset

# %% [markdown]
# ## The data: two clouds a line can separate
#
# 200 points in the plane, half around (1, 1) labelled 0 and half around (3, 3) labelled 1.
# A line between the clouds separates them almost perfectly: this is exactly the kind of problem
# a perceptron can learn (its decision boundary, where `w1*x1 + w2*x2 + b = 0`, *is* a line).
# The clouds are away from the origin on purpose: a line through the origin (a bias of 0, as the
# untrained `Linear` starts) puts both on the same side, so the bias must be learned too.

# %%
def make_data(n=200, seed=0):
    """(points of shape (n, 2), labels of shape (n, 1)): two Gaussian clouds, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2  # alternate 0, 1, 0, 1, ... : exactly half of each
    centres = np.where(labels[:, None] == 1, 3.0, 1.0)  # (n, 1), broadcast against the 2 coordinates
    points = centres + 0.5 * rng.standard_normal((n, 2))
    return points.astype(np.float32), labels.reshape(n, 1).astype(np.float32)

# %% [markdown]
# ## The model, and the training loop every milestone uses
#
# The loop is the one you wrote in module 08, five lines that train every network in this course,
# from this single neuron to a transformer: predict, measure, backpropagate, step, reset.

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


def accuracy(model, points, labels):
    """The fraction of points on the right side of 0.5."""
    predicted = model(Tensor(points)).data > 0.5
    return float(np.mean(predicted == (labels > 0.5)))


def boundary(model, points, labels, steps=41):
    """The class the model predicts on a grid over the data, for the decision-boundary picture."""
    lo, hi = points.min() - 0.5, points.max() + 0.5
    xs = np.linspace(lo, hi, steps)
    grid_x, grid_y = np.meshgrid(xs, xs)  # grid_x[i, j] = xs[j], grid_y[i, j] = xs[i]
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    classes = (model(Tensor(grid)).data > 0.5).reshape(steps, steps).astype(int)
    return {"xs": xs.tolist(), "ys": xs.tolist(), "grid": classes.tolist(),
            "points": points.tolist(), "labels": labels.ravel().astype(int).tolist()}

# %% [markdown]
# ## The experiment
#
# `run_experiment` is what `tito milestone run 01` calls: it seeds NumPy (so every run is the
# same), trains, and returns the accuracy with the loss of each epoch and the decision boundary.
# `report(epoch, epochs, loss)` is called after each epoch: `print` prints the numbers, the
# runner draws a progress bar.

# %%
def run_experiment(report=print, seed=0):
    np.random.seed(seed)  # Linear's initial weights and the DataLoader's shuffling use np.random
    points, labels = make_data(seed=seed)
    loader = DataLoader(TensorDataset(Tensor(points), Tensor(labels)), batch_size=20, shuffle=True)
    model = Sequential(Linear(2, 1), Sigmoid())
    optimizer = SGD(model.parameters(), lr=0.5)
    losses = train(model, loader, BinaryCrossEntropyLoss(), optimizer, epochs=10, report=report)
    return {"value": accuracy(model, points, labels), "losses": losses,
            "boundary": boundary(model, points, labels)}

# %% [markdown]
# ## Run it
#
# The next cell runs the experiment with *your* `tinytorch`, shows the loss going down and the
# line the perceptron found, and records the result in your progress. Locally:
# `tito milestone run 01`.

# %%
# %tito milestone run 01

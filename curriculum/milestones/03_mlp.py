# %% [markdown]
# # Milestone 03: The MLP revival (1986)
#
# In 1986 David Rumelhart, Geoffrey Hinton and Ronald Williams published *Learning
# representations by back-propagating errors* in Nature. Backpropagation had been found before
# (Seppo Linnainmaa's reverse-mode differentiation in 1970, Paul Werbos's thesis in 1974), but
# this paper showed what it could do: networks with hidden layers, trained end to end by the
# chain rule, *learned their own features*. The answer to the XOR crisis had been the hidden
# layer all along; now there was a way to train it. Within a few years, multi-layer perceptrons
# were reading handwritten zip codes for the US Postal Service.
#
# You replay it on handwritten digits: a 64-32-10 multi-layer perceptron (MLP), trained with the
# backpropagation you wrote in module 06 and the Adam optimizer of module 07, reads digits it has
# never seen.
#
# **Goal:** at least 90% accuracy on a held-out test set.
#
# **Your modules at work:** 01 Tensor, 02 ReLU, 03 Linear and Sequential, 04 CrossEntropyLoss,
# 05 DataLoader, 06 autograd, 07 Adam, 08 accuracy.

# %%
import numpy as np

from tinytorch import Adam, CrossEntropyLoss, DataLoader, Linear, ReLU, Sequential, Tensor, TensorDataset, accuracy
from tito.milestones import data_path

# %% [markdown]
# ## The data: 1,797 handwritten digits, 8x8 pixels
#
# The UCI "Optical Recognition of Handwritten Digits" set (E. Alpaydin and C. Kaynak, 1998,
# CC BY 4.0): 43 people wrote digits on forms, which were scanned and reduced to 8x8 images
# whose pixels count the ink in a 4x4 block, 0 to 16. Each image becomes a row of 64 numbers
# scaled to [0, 1]. A fixed random fifth of the images is kept aside as the **test set**: the
# model never trains on them, so its accuracy there measures what it learned, not what it memorised.

# %%
def load_digits(test_fraction=0.2, seed=0):
    """(train_x, train_y, test_x, test_y): images as float32 rows of 64 pixels in [0, 1], labels as ints."""
    data = np.load(data_path("digits.npz"))
    images = data["images"].reshape(-1, 64).astype(np.float32) / 16.0  # pixel counts go from 0 to 16
    labels = data["labels"].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))  # the same split on every run
    test, train = order[: int(len(labels) * test_fraction)], order[int(len(labels) * test_fraction):]
    return images[train], labels[train], images[test], labels[test]

# %% [markdown]
# ## Training: the same five lines as every milestone
#
# The model outputs 10 *logits*, one score per digit; `CrossEntropyLoss` turns them into
# probabilities (softmax) and penalises a low probability for the right digit.

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

# %% [markdown]
# ## The experiment

# %%
def run_experiment(report=print, seed=0):
    np.random.seed(seed)  # initial weights and the DataLoader's shuffling use np.random
    train_x, train_y, test_x, test_y = load_digits(seed=seed)
    loader = DataLoader(TensorDataset(Tensor(train_x), Tensor(train_y)), batch_size=32, shuffle=True)
    model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
    optimizer = Adam(model.parameters(), lr=0.01)
    losses = train(model, loader, CrossEntropyLoss(), optimizer, epochs=10, report=report)
    return {"value": float(accuracy(model(Tensor(test_x)), test_y)), "losses": losses}

# %% [markdown]
# ## Run it
#
# The next cell trains the network with *your* `tinytorch`, shows the loss curve and the test
# accuracy, and records the result in your progress. Locally: `tito milestone run 03`.

# %%
# %tito milestone run 03

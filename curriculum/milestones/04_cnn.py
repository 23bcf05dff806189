# %% [markdown]
# # Milestone 04: Convolutional networks (1998)
#
# In 1989 Yann LeCun, then at Bell Labs, trained a network to read the handwritten zip codes on
# US mail. It was not an MLP. Its first layers were **convolutions**: small filters, each applied
# at every position of the image with the *same* weights, followed by **subsampling** (pooling)
# that kept the strongest responses and forgot exactly where they were. Kunihiko Fukushima's
# Neocognitron (1980) had the architecture; LeCun trained it end to end with backpropagation.
# In 1998 LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner published *Gradient-based
# learning applied to document recognition*: LeNet-5, the network that read a large share of the
# cheques written in the United States by the end of the 1990s.
#
# Why did weight sharing win? An MLP gives every pixel its own weights. Move a digit three pixels
# to the right and it lands on weights that never saw it: whatever the MLP learned about a "3"
# in one place has to be learned again in every other place. A convolution's filter is the same
# everywhere, so a stroke detector learned in one corner works in all of them, with a fraction of
# the parameters.
#
# You replay it: handwritten digits placed at random positions on a larger canvas. A small CNN
# made of *your* `Conv2d` and `MaxPool2d` and an MLP with about as many parameters are trained
# exactly the same way. The CNN must read the moved digits, and beat the MLP clearly.
#
# **Goal:** at least 95% test accuracy for the CNN, and at least 5 points more than the MLP.
#
# **Your modules at work:** 01 Tensor, 02 ReLU, 03 Linear and Sequential, 04 CrossEntropyLoss,
# 05 DataLoader, 06 autograd, 07 Adam, 08 accuracy and CosineSchedule, 09 Conv2d, MaxPool2d, Flatten.

# %%
import numpy as np

from tinytorch import (Adam, Conv2d, CosineSchedule, CrossEntropyLoss, DataLoader, Flatten, Linear, MaxPool2d, ReLU,
                       Sequential, Tensor, TensorDataset, accuracy, no_grad)
from tito.milestones import data_path

# %% [markdown]
# ## The data: digits that moved
#
# The same 1,797 handwritten 8x8 digits as milestone 03 (UCI, E. Alpaydin and C. Kaynak, 1998,
# CC BY 4.0), each pasted onto a blank 12x12 canvas at a random position: up to 4 pixels right
# and 4 down, 25 places in all. A fixed fifth of the *digits* is kept for testing, each shown at 3
# random places; each training digit appears at 2 places. The images are `(N, 1, 12, 12)`: one
# channel, as `Conv2d` expects.

# %%
CANVAS, DIGIT = 12, 8


def place(images, labels, copies, rng):
    """Each image pasted `copies` times onto a blank CANVAS x CANVAS canvas at random offsets: (N*copies, 1, CANVAS, CANVAS)."""
    index = np.repeat(np.arange(len(images)), copies)
    offsets = rng.integers(0, CANVAS - DIGIT + 1, size=(len(index), 2))  # row and column of the digit's top-left pixel
    canvases = np.zeros((len(index), 1, CANVAS, CANVAS), dtype=np.float32)
    for k, (i, (row, col)) in enumerate(zip(index, offsets)):
        canvases[k, 0, row:row + DIGIT, col:col + DIGIT] = images[i]
    return canvases, labels[index]


def load_shifted_digits(test_fraction=0.2, seed=0):
    """(train_x, train_y, test_x, test_y): canvases (N, 1, 12, 12) in [0, 1] and int labels; the same on every run."""
    data = np.load(data_path("digits.npz"))
    images, labels = data["images"].astype(np.float32) / 16.0, data["labels"].astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    test, train = order[:int(len(labels) * test_fraction)], order[int(len(labels) * test_fraction):]
    train_x, train_y = place(images[train], labels[train], copies=2, rng=rng)
    test_x, test_y = place(images[test], labels[test], copies=3, rng=rng)
    return train_x, train_y, test_x, test_y

# %% [markdown]
# ## Two models of the same size
#
# The **CNN**: 16 filters of 3x3 find strokes and corners anywhere in the canvas; max pooling
# halves the map; 64 filters of 3x3 over those 16 maps combine them into digit parts, each seeing
# an 8x8 patch, a whole digit; a final max pooling over every position keeps, for each of the 64
# detectors, its strongest response *wherever it was*; a `Linear` layer reads the digit from those 64 numbers.
#
# ```
# (N, 1, 12, 12) -conv 3x3-> (N, 16, 10, 10) -pool 2-> (N, 16, 5, 5) -conv 3x3-> (N, 64, 3, 3) -pool 3-> (N, 64, 1, 1) -> 10 scores
# ```
#
# The **MLP**: the 144 pixels, a hidden layer of 65, 10 scores. Both have about 10,000 parameters.

# %%
def make_cnn():
    return Sequential(Conv2d(1, 16, 3), ReLU(), MaxPool2d(2),
                      Conv2d(16, 64, 3), ReLU(), MaxPool2d(3),
                      Flatten(), Linear(64, 10))


def make_mlp():
    return Sequential(Flatten(), Linear(CANVAS * CANVAS, 65), ReLU(), Linear(65, 10))


def count_parameters(model):
    return sum(p.size for p in model.parameters())

# %% [markdown]
# ## Training: the same loop for both
#
# Adam, batches of 64, 6 epochs, and a learning rate that starts at 0.01 and glides down a half
# cosine (module 08's `CosineSchedule`), so the last epochs polish rather than jump around.

# %%
EPOCHS, BATCH, LR = 6, 64, 0.01


def train(model, train_x, train_y, report):
    """Train with Adam and a cosine learning rate; returns the mean loss of each epoch."""
    loader = DataLoader(TensorDataset(Tensor(train_x), Tensor(train_y)), batch_size=BATCH, shuffle=True)
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model.parameters(), lr=LR)
    schedule = CosineSchedule(LR, LR / 20, EPOCHS)
    losses = []
    for epoch in range(EPOCHS):
        optimizer.lr = schedule.get_lr(epoch)
        total = 0.0
        for batch_x, batch_y in loader:
            loss = loss_fn(model(batch_x), batch_y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item()
        losses.append(total / len(loader))
        report(epoch + 1, EPOCHS, losses[-1])
    return losses


def evaluate(model, test_x, test_y):
    """Accuracy on the test canvases, in evaluation mode and without recording a graph."""
    model.eval()
    with no_grad():
        return float(accuracy(model(Tensor(test_x)), test_y))

# %% [markdown]
# ## The experiment
#
# Both models are trained and tested in the same run, from the same data. The pictures show both
# loss curves, the 16 filters the CNN's first layer learned (orange weights add, blue ones
# subtract: look for edge and stroke detectors), and a few of the moved digits.

# %%
def run_experiment(report=print, seed=0):
    np.random.seed(seed)  # initial weights and the DataLoader's shuffling use np.random
    train_x, train_y, test_x, test_y = load_shifted_digits(seed=seed)
    cnn, mlp = make_cnn(), make_mlp()
    # one progress bar for both trainings: the CNN's epochs, then the MLP's
    cnn_losses = train(cnn, train_x, train_y, lambda epoch, epochs, loss: report(epoch, 2 * epochs, loss))
    mlp_losses = train(mlp, train_x, train_y, lambda epoch, epochs, loss: report(epochs + epoch, 2 * epochs, loss))
    cnn_accuracy, mlp_accuracy = evaluate(cnn, test_x, test_y), evaluate(mlp, test_x, test_y)
    filters = cnn.layers[0].weight.data[:, 0]  # (16, 3, 3): the first layer's filters
    return {"value": cnn_accuracy, "losses": cnn_losses,
            "figures": {"margin_over_mlp": cnn_accuracy - mlp_accuracy, "mlp_test_accuracy": mlp_accuracy},
            "curves": {"CNN": cnn_losses, "MLP": mlp_losses},
            "images": {"filters": {"title": "The CNN's first-layer filters (3x3)", "images": filters.tolist()},
                       "digits": {"title": "Test digits, moved", "images": test_x[:8, 0].tolist()}},
            "notes": [f"CNN {count_parameters(cnn):,} parameters, MLP {count_parameters(mlp):,}: "
                      f"on moved digits the CNN reads {cnn_accuracy:.1%}, the MLP {mlp_accuracy:.1%}"]}

# %% [markdown]
# ## Run it
#
# The next cell trains both networks with *your* `tinytorch`, shows the loss curves, the learned
# filters and the two accuracies, and records the result in your progress. Locally:
# `tito milestone run 04`.

# %%
# %tito milestone run 04

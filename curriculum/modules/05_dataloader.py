# %% [markdown]
# # Module 05: DataLoader, feeding the network in batches
#
# Training does not look at the whole data set at once, nor at one sample at a time: it looks
# at **mini-batches**, say 64 samples, computes the loss on them, updates the weights, and moves
# on. A `DataLoader` cuts the data into such batches, in a fresh random order every epoch.
#
# **You've built:** `Tensor` (01), activations (02), layers (03) and losses (04): a network
# can compute predictions for a batch and score them.
# **You'll build:** `Dataset` (the interface: `len(ds)` and `ds[i]`), `TensorDataset` (samples
# kept in Tensors, one row per sample), and `DataLoader` (batching and shuffling).
# **You'll enable:** the training loop of module 08, `for batch_x, batch_y in train_loader:`,
# exactly as in PyTorch; and the milestones, which train on real data sets with it.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> [DataLoader (05)]
#     -> Autograd (06) -> Optimizers (07) -> Training (08)
# ```
#
# **Learning objectives**
# 1. Separate *what the data is* (a Dataset) from *how it is served* (a DataLoader).
# 2. Build batches by stacking samples, and know why a batch is faster than a loop over samples.
# 3. Shuffle every epoch while serving each sample exactly once.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## Dataset: what the data is
#
# A data set only has to answer two questions: how many samples are there (`len(ds)`), and what
# is sample `i` (`ds[i]`, a tuple such as `(features, label)`). Anything that answers them can be
# trained on: arrays in memory, files on disk, samples generated on the fly.
#
# The DataLoader asks for a whole batch of indices at once with `get_batch(indices)`. The default
# fetches the samples one by one and **stacks** them: field by field, the `batch_size` feature
# rows become one `(batch_size, features)` Tensor, the labels one `(batch_size,)` Tensor.
#
# ```
# samples  [(x0, y0), (x1, y1), (x2, y2)]     each x: (features,), each y: ()
# zip(*)   (x0, x1, x2), (y0, y1, y2)          group the fields
# stack    X (3, features), Y (3,)              one Tensor per field
# ```

# %%
#| export
class Dataset:
    """The data set interface: len(ds) and ds[i] -> one sample, a tuple such as (features, label)."""

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def get_batch(self, indices):
        """The samples at `indices` stacked into one batch: a tuple with one Tensor per field.

        TODO: fetch each sample with self[i], then stack field by field.

        APPROACH:
        1. samples = [self[i] for i in indices]        -> [(x0, y0), (x1, y1), ...]
        2. for each field in zip(*samples)             -> (x0, x1, ...), then (y0, y1, ...)
           stack the values' arrays with np.stack and wrap the result in a Tensor
        3. return the Tensors as a tuple

        HINT: Tensor(value).data turns a Tensor, an array or a number into an array.
        """
        ### BEGIN SOLUTION
        samples = [self[i] for i in indices]
        return tuple(Tensor(np.stack([Tensor(value).data for value in field])) for field in zip(*samples))
        ### END SOLUTION

# %% [markdown]
# ## TensorDataset: samples kept in Tensors
#
# The common case: the whole data set is in memory, features in one Tensor of shape
# `(N, features)` and labels in another of shape `(N,)`. Sample `i` is row `i` of each.
# All tensors must therefore have the same first dimension, `N`; a data set with 100 images and
# 99 labels is a bug, and the earlier it is caught, the easier it is to find.
#
# Here the one-sample-at-a-time loop of `get_batch` is not needed: NumPy's *fancy indexing*
# takes a whole array of indices, `X[[4, 0, 7]]`, and gathers those rows in one vectorised
# step. `TensorDataset.get_batch` uses exactly that. For a batch of 64 this is one NumPy call per
# tensor instead of 64 Python-level fetches plus a stack.

# %%
#| export
class TensorDataset(Dataset):
    """Samples stored in Tensors with the same first dimension: ds[i] = (t[i] for each tensor)."""

    def __init__(self, *tensors):
        """Keep the tensors (arrays and lists are converted to Tensors).

        TODO: check that there is at least one tensor and that every tensor has the same first
              dimension, else raise a ValueError naming the shapes.

        EXAMPLE: TensorDataset(Tensor(np.zeros((100, 3))), Tensor(np.zeros(99)))
                 -> ValueError: ... got shapes [(100, 3), (99,)]
        """
        self.tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
        ### BEGIN SOLUTION
        if not self.tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        shapes = [t.shape for t in self.tensors]
        if any(len(shape) == 0 for shape in shapes) or len({shape[0] for shape in shapes}) > 1:
            raise ValueError(f"TensorDataset: every tensor must have the same first dimension "
                             f"(one row per sample), got shapes {shapes}")
        ### END SOLUTION

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, index):
        """Sample `index`: a tuple with row `index` of every tensor.

        TODO: return a tuple (not a list) of t[index] for every t in self.tensors.
        """
        ### BEGIN SOLUTION
        return tuple(t[index] for t in self.tensors)
        ### END SOLUTION

    def get_batch(self, indices):
        """The rows at `indices` of every tensor, gathered in one vectorised step each.

        TODO: Tensor indexing with an array of indices (fancy indexing) gathers those rows.
        """
        ### BEGIN SOLUTION
        return tuple(t[indices] for t in self.tensors)
        ### END SOLUTION

# %%
#| test
def test_unit_tensor_dataset():
    print("🧪 Unit Test: TensorDataset...")
    X = Tensor(np.arange(12).reshape(6, 2))
    y = Tensor(np.arange(6) * 10)
    ds = TensorDataset(X, y)
    assert len(ds) == 6, f"len(TensorDataset(X of shape (6, 2), y of shape (6,))): expected 6, got {len(ds)}"
    x2, y2 = ds[2]
    assert np.array_equal(x2.data, [4, 5]) and y2.item() == 20, f"ds[2]: expected ([4, 5], 20), got ({x2.data.tolist()}, {y2.data.tolist()})"
    xb, yb = ds.get_batch(np.array([5, 0]))
    assert np.array_equal(xb.data, [[10, 11], [0, 1]]) and np.array_equal(yb.data, [50, 0]), \
        f"ds.get_batch([5, 0]): expected ([[10, 11], [0, 1]], [50, 0]), got ({xb.data.tolist()}, {yb.data.tolist()})"
    try:
        TensorDataset(Tensor(np.zeros((5, 2))), Tensor(np.zeros(4)))
    except ValueError as error:
        assert "(5, 2)" in str(error) and "(4,)" in str(error), f"the error must name both shapes (5, 2) and (4,), got: {error}"
    else:
        raise AssertionError("TensorDataset with 5 inputs and 4 labels must raise a ValueError")
    print("✅ TensorDataset works!")


test_unit_tensor_dataset()

# %% [markdown]
# ## DataLoader: batches, shuffled every epoch
#
# One pass over the whole data set is an **epoch**. The DataLoader serves an epoch as a sequence
# of batches, so that `for batch_x, batch_y in loader:` runs one training step per batch:
#
# ```
# N = 10, batch_size = 4, shuffle=True
# order    = a random permutation of 0..9, e.g. [7, 2, 9, 0, 4, 1, 8, 3, 6, 5]
# batches  = [7, 2, 9, 0]  [4, 1, 8, 3]  [6, 5]      3 batches, the last one smaller
# ```
#
# Why batches? One sample gives a very noisy estimate of the gradient, the whole data set an
# exact but expensive one; a batch of 32-256 is a good compromise, and it turns 64 small
# matrix-vector products into one matrix-matrix product, which NumPy (and a GPU) computes much
# faster.
#
# Why shuffle, and anew every epoch? Data sets are often sorted (all the 0s, then all the 1s);
# batches in that order would pull the weights back and forth class by class. A random order
# makes every batch a fair sample of the whole. Shuffling with a **permutation** (not random
# picks with repetition) still serves every sample exactly once per epoch.
#
# A DataLoader can be iterated many times: each `for` loop over it is a new epoch, so
# `__iter__` is a generator function (it uses `yield`), and each call draws a new order.

# %%
#| export
class DataLoader:
    """Serve a Dataset in batches: `for batch_x, batch_y in DataLoader(ds, batch_size=32, shuffle=True)`."""

    def __init__(self, dataset, batch_size=32, shuffle=False):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader batch_size must be a positive integer, got {batch_size!r}")
        self.dataset, self.batch_size, self.shuffle = dataset, int(batch_size), shuffle

    def __len__(self):
        """The number of batches per epoch: the last batch may be smaller.

        TODO: ceil(len(dataset) / batch_size), with integers only.
        HINT: (n + b - 1) // b rounds up.
        """
        ### BEGIN SOLUTION
        return (len(self.dataset) + self.batch_size - 1) // self.batch_size
        ### END SOLUTION

    def __iter__(self):
        """Yield one epoch of batches, each a tuple of Tensors from dataset.get_batch.

        TODO: choose this epoch's order of the sample indices, then yield the batches in turn.

        APPROACH:
        1. n = len(self.dataset)
        2. order = np.random.permutation(n) if self.shuffle else np.arange(n)
        3. for start in range(0, n, self.batch_size):
               yield self.dataset.get_batch(order[start:start + self.batch_size])

        HINT: use np.random (so np.random.seed makes runs repeatable), and draw the permutation
              inside __iter__, so each epoch gets a new one.
        """
        ### BEGIN SOLUTION
        n = len(self.dataset)
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            yield self.dataset.get_batch(order[start:start + self.batch_size])
        ### END SOLUTION

# %%
#| test
def test_unit_dataloader():
    print("🧪 Unit Test: DataLoader...")
    X = Tensor(np.arange(20).reshape(10, 2))
    y = Tensor(np.arange(10))
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    assert len(loader) == 3, f"10 samples in batches of 4: expected len(loader) == 3, got {len(loader)}"
    batches = list(loader)
    sizes = [bx.shape[0] for bx, by in batches]
    assert sizes == [4, 4, 2], f"10 samples in batches of 4: expected batch sizes [4, 4, 2], got {sizes}"
    first_x, first_y = batches[0]
    assert first_x.shape == (4, 2) and first_y.shape == (4,), f"first batch: expected shapes (4, 2) and (4,), got {first_x.shape} and {first_y.shape}"
    labels = [int(v) for bx, by in batches for v in by.data]
    assert labels == list(range(10)), f"shuffle=False must serve the samples in order, got labels {labels}"

    np.random.seed(0)
    shuffled = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True)
    epoch1 = [int(v) for bx, by in shuffled for v in by.data]
    epoch2 = [int(v) for bx, by in shuffled for v in by.data]
    assert sorted(epoch1) == list(range(10)), f"one shuffled epoch must serve each sample exactly once, got labels {epoch1}"
    assert epoch1 != epoch2, f"each epoch must be shuffled anew, got the same order twice: {epoch1}"
    print("✅ DataLoader works!")


test_unit_dataloader()

# %%
#| hidden
from tito.checks import case, expect_error


def _epoch_ids(loader):
    """The sample ids (the last field of each batch) served in one epoch, in order."""
    return [int(v) for batch in loader for v in batch[-1].data]


def test_hidden_every_sample_once_per_epoch():
    np.random.seed(1)
    for n, batch_size in [(1, 1), (7, 3), (16, 4), (5, 10), (33, 8)]:
        ids = Tensor(np.arange(n))
        loader = DataLoader(TensorDataset(Tensor(np.random.rand(n, 3)), ids), batch_size=batch_size, shuffle=True)
        for epoch in range(3):
            with case(f"n={n}, batch_size={batch_size}, epoch {epoch}"):
                got = _epoch_ids(loader)
            assert sorted(got) == list(range(n)), f"n={n}, batch_size={batch_size}, epoch {epoch}: each sample must be served exactly once, got ids {got}"
        expected_batches = -(-n // batch_size)
        assert len(loader) == expected_batches == len(list(loader)), \
            f"n={n}, batch_size={batch_size}: expected {expected_batches} batches, len(loader) = {len(loader)}, iterated {len(list(loader))}"


def test_hidden_reshuffled_and_seeded():
    ds = TensorDataset(Tensor(np.arange(50)))
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    np.random.seed(5)
    first, second = _epoch_ids(loader), _epoch_ids(loader)
    assert first != second, "shuffle=True must draw a new order every epoch, got the same order twice"
    assert first != list(range(50)), "shuffle=True must change the order of the samples"
    np.random.seed(5)
    again = _epoch_ids(loader)
    assert again == first, "the shuffle must use np.random, so np.random.seed(5) repeats the same order"
    ordered = DataLoader(ds, batch_size=8)
    for epoch in range(2):
        got = _epoch_ids(ordered)
        assert got == list(range(50)), f"shuffle=False, 50 samples in batches of 8, epoch {epoch}: expected ids 0..49 in order, got {got}"


def test_hidden_rows_stay_together():
    np.random.seed(2)
    X = Tensor(np.arange(30).reshape(10, 3))
    y = Tensor(np.arange(10))
    for bx, by in DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True):
        expected = X.data[by.data.astype(int)]
        assert np.array_equal(bx.data, expected), f"each input row must stay with its own label: labels {by.data.tolist()} need rows {expected.tolist()}, got {np.round(bx.data, 4).tolist()}"
        assert bx.dtype == np.float32 and isinstance(bx, Tensor), f"batches must be float32 Tensors, got {type(bx).__name__} of {bx.dtype}"


def test_hidden_generic_dataset():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return Tensor([i, i + 0.5]), i * i

    batches = list(DataLoader(Squares(), batch_size=2))
    sizes = [len(batch[0].data) if batch else 0 for batch in batches]
    assert sizes == [2, 2, 1], f"a custom Dataset of 5 samples in batches of 2: expected batch sizes [2, 2, 1], got {sizes}"
    xb, yb = batches[0]
    assert xb.shape == (2, 2) and yb.shape == (2,), f"a custom Dataset in batches of 2: expected shapes (2, 2) and (2,), got {xb.shape} and {yb.shape}"
    assert np.array_equal(yb.data, [0, 1]) and np.array_equal(batches[2][1].data, [16]), \
        f"Squares labels: expected [0, 1] first and [16] last, got {np.round(yb.data, 4).tolist()} and {batches[2][1].data.tolist()}"
    expect_error(NotImplementedError, lambda: len(Dataset()), "__len__")


def test_hidden_bad_input():
    expect_error(ValueError, lambda: TensorDataset(Tensor(np.zeros((3, 2))), Tensor(np.zeros(3)), Tensor(np.zeros(2))), "(3, 2)", "(2,)")
    expect_error(ValueError, lambda: TensorDataset(), "at least one")
    ds = TensorDataset(Tensor(np.zeros(4)))
    for bad in [0, -2, 1.5]:
        expect_error(ValueError, lambda: DataLoader(ds, batch_size=bad), str(bad))
    empty = DataLoader(TensorDataset(Tensor(np.zeros((0, 2)))), batch_size=4)
    assert len(empty) == 0 and list(empty) == [], f"an empty data set has no batches, got len {len(empty)} and {len(list(empty))} batches"


test_hidden_every_sample_once_per_epoch()
test_hidden_reshuffled_and_seeded()
test_hidden_rows_stay_together()
test_hidden_generic_dataset()
test_hidden_bad_input()

# %% [markdown]
# ## Try it: what one epoch looks like

# %%
np.random.seed(0)
demo = DataLoader(TensorDataset(Tensor(np.random.rand(10, 2)), Tensor(np.arange(10))), batch_size=4, shuffle=True)
for epoch in range(2):
    print(f"epoch {epoch}:", [by.data.astype(int).tolist() for bx, by in demo])

# %% [markdown]
# The same, drawn: the 10 samples (numbered by their label), then the batches YOUR `DataLoader`
# cut from them in two epochs. Every sample is in exactly one batch per epoch, the order is new
# each epoch, and the last batch holds the 2 left over.

# %%
from IPython.display import SVG, display
from tito import svg

np.random.seed(0)
samples = TensorDataset(Tensor(np.random.rand(10, 2)), Tensor(np.arange(10)))
loader = DataLoader(samples, batch_size=4, shuffle=True)
for epoch in range(2):
    batches = [by.data.astype(int).tolist() for bx, by in loader]
    first = {(0, i) for i in batches[0]}  # batch 0's samples, marked where they sit in the dataset
    panels = [{"label": "dataset (10,)", "values": list(range(10)), "marked": first}, "->"]
    for k, batch in enumerate(batches):
        panels.append({"label": f"batch {k} ({len(batch)},)", "values": batch, "marked": {(0, j) for j in range(len(batch))} if k == 0 else set()})
    display(SVG(svg.arrays(panels, f"epoch {epoch}: {len(batches)} batches of up to 4, shuffled")))

# %% [markdown]
# ## Systems: batch size against time per epoch
#
# One epoch serves every sample once, whatever the batch size. But each batch costs a fixed
# amount of Python (choosing indices, making Tensors) on top of the copying: with batches of 1
# that fixed cost is paid for every sample. Below, YOUR DataLoader over 2,048 samples of 784
# features: the time per epoch for several batch sizes, relative to batches of 256.

# %%
from tito.systems import best_time

data = TensorDataset(Tensor(np.random.default_rng(0).standard_normal((2048, 784))), Tensor(np.arange(2048) % 10))
times = {size: best_time(lambda: [batch for batch in DataLoader(data, batch_size=size, shuffle=True)], repeat=2)
         for size in [1, 16, 256]}
print(f"{'batch size':>10} {'batches':>8} {'epoch time vs batch 256':>24}")
for size, seconds in times.items():
    print(f"{size:>10} {len(DataLoader(data, batch_size=size)):>8} {seconds / times[256]:>23.1f}x")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below and run it; `%tito module complete 05` checks the answers against your code.
#
# 1. How many batches does your DataLoader make of 1,000 samples with `batch_size=64`?
# 2. How many samples are in the last of them?
# 3. MNIST has 60,000 training images. With `batch_size=64`, how many optimizer steps is one epoch?

# %%
#| answers
answers = {
    "dataloader_batches_1000_by_64": 16,     # 1. batches of 64 from 1,000 samples
    "dataloader_last_batch_1000_by_64": 40,  # 2. samples in the last batch
    "dataloader_mnist_steps_per_epoch": 938,  # 3. one step per batch, 60,000 images
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_batches():
    loader = DataLoader(TensorDataset(Tensor(np.zeros((1000, 1)))), batch_size=64)
    check_answer(answers, "dataloader_batches_1000_by_64", len(loader), "1000 / 64, rounded UP: the last, smaller batch counts too")
    check_answer(answers, "dataloader_last_batch_1000_by_64", len(list(loader)[-1][0].data),
                 "what is left after the full batches: 1000 - 64 * (the number of full batches)")


def test_reflect_mnist_steps():
    check_answer(answers, "dataloader_mnist_steps_per_epoch", len(DataLoader(TensorDataset(Tensor(np.zeros((60000, 1)))), batch_size=64)),
                 "one step per batch: 60,000 / 64 rounded up")


test_reflect_batches()
test_reflect_mnist_steps()

# %% [markdown]
# ## What you built
#
# A `Dataset` says what the data is, a `TensorDataset` keeps it in Tensors and gathers batches in
# one vectorised step, and a `DataLoader` serves each epoch as shuffled batches. Next, module 06
# teaches every operation you have built to compute gradients, so a batch can change the weights.

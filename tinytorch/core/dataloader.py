"""DataLoader: the reference solution of module 05.

Generated from curriculum/modules/05_dataloader.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


class Dataset:
    """The data set interface: len(ds) and ds[i] -> one sample, a tuple such as (features, label)."""

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def get_batch(self, indices):
        """The samples at `indices` stacked into one batch: a tuple with one Tensor per field."""
        samples = [self[i] for i in indices]
        return tuple(Tensor(np.stack([Tensor(value).data for value in field])) for field in zip(*samples))


class TensorDataset(Dataset):
    """Samples stored in Tensors with the same first dimension: ds[i] = (t[i] for each tensor)."""

    def __init__(self, *tensors):
        """Keep the tensors (arrays and lists are converted to Tensors).

        EXAMPLE: TensorDataset(Tensor(np.zeros((100, 3))), Tensor(np.zeros(99)))
                 -> ValueError: ... got shapes [(100, 3), (99,)]
        """
        self.tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
        if not self.tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        shapes = [t.shape for t in self.tensors]
        if any(len(shape) == 0 for shape in shapes) or len({shape[0] for shape in shapes}) > 1:
            raise ValueError(f"TensorDataset: every tensor must have the same first dimension "
                             f"(one row per sample), got shapes {shapes}")

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, index):
        """Sample `index`: a tuple with row `index` of every tensor."""
        return tuple(t[index] for t in self.tensors)

    def get_batch(self, indices):
        """The rows at `indices` of every tensor, gathered in one vectorised step each."""
        return tuple(t[indices] for t in self.tensors)


class DataLoader:
    """Serve a Dataset in batches: `for batch_x, batch_y in DataLoader(ds, batch_size=32, shuffle=True)`."""

    def __init__(self, dataset, batch_size=32, shuffle=False):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader batch_size must be a positive integer, got {batch_size!r}")
        self.dataset, self.batch_size, self.shuffle = dataset, int(batch_size), shuffle

    def __len__(self):
        """The number of batches per epoch: the last batch may be smaller."""
        return (len(self.dataset) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        """Yield one epoch of batches, each a tuple of Tensors from dataset.get_batch."""
        n = len(self.dataset)
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            yield self.dataset.get_batch(order[start:start + self.batch_size])

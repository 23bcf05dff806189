"""Module 05 (DataLoader): the curriculum's own tests against the reference, plus properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.core.dataloader import DataLoader, Dataset, TensorDataset
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "05"


def test_curriculum(curriculum_test):
    curriculum_test()


def epoch_ids(loader):
    """The sample ids (last field) of one epoch, and the batch sizes."""
    batches = list(loader)
    return [int(v) for batch in batches for v in batch[-1].data], [batch[-1].shape[0] for batch in batches]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 120), batch_size=st.integers(1, 40), shuffle=st.booleans(), seed=st.integers(0, 2**16))
def test_every_sample_exactly_once_per_epoch(n, batch_size, shuffle, seed):
    np.random.seed(seed)
    loader = DataLoader(TensorDataset(Tensor(np.random.rand(n, 3)), Tensor(np.arange(n))), batch_size=batch_size, shuffle=shuffle)
    for _ in range(2):
        ids, sizes = epoch_ids(loader)
        assert sorted(ids) == list(range(n))
        assert len(sizes) == len(loader) == -(-n // batch_size)
        assert all(size == batch_size for size in sizes[:-1]) and (not sizes or 1 <= sizes[-1] <= batch_size)
        if not shuffle:
            assert ids == list(range(n))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(10, 200), batch_size=st.integers(1, 64), seed=st.integers(0, 2**16))
def test_shuffled_order_differs_across_epochs(n, batch_size, seed):
    np.random.seed(seed)  # n >= 10: the chance of drawing the same permutation twice is below 1 / 10! = 3e-7
    loader = DataLoader(TensorDataset(Tensor(np.arange(n))), batch_size=batch_size, shuffle=True)
    assert epoch_ids(loader)[0] != epoch_ids(loader)[0]


def test_batches_keep_rows_with_their_labels():
    np.random.seed(0)
    X, y = Tensor(np.random.rand(23, 4)), Tensor(np.arange(23))
    for bx, by in DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True):
        np.testing.assert_array_equal(bx.data, X.data[by.data.astype(int)])


def test_generic_dataset_is_stacked_per_field():
    class Pairs(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full(2, i), i

    (x, y), = DataLoader(Pairs(), batch_size=3)
    np.testing.assert_array_equal(x.data, [[0, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(y.data, [0, 1, 2])


def test_mismatched_lengths_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(10, 2\).*\(9,\)"):
        TensorDataset(Tensor(np.zeros((10, 2))), Tensor(np.zeros(9)))


@pytest.mark.parametrize("bad", [0, -1, 2.5, None])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(TensorDataset(Tensor(np.zeros(3))), batch_size=bad)

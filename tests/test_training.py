"""Module 08 (training): the curriculum's own tests against the reference, XOR with the seed loop, properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.core.activations import Tanh
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import CosineSchedule, Trainer, accuracy, clip_grad_norm

CURRICULUM_MODULE = "08"

XOR_X = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = Tensor([0, 1, 1, 0])


def test_curriculum(curriculum_test):
    curriculum_test()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_learns_xor_with_the_seed_loop(seed):
    np.random.seed(seed)
    train_loader = DataLoader(TensorDataset(XOR_X, XOR_Y), batch_size=4, shuffle=True)
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
    assert accuracy(model(XOR_X), XOR_Y) == 1.0
    assert loss.item() < 0.05


def test_trainer_fit_learns_xor_with_adam_schedule_and_clipping():
    np.random.seed(0)
    loader = DataLoader(TensorDataset(XOR_X, XOR_Y), batch_size=2, shuffle=True)
    model = Sequential(Linear(2, 8), Tanh(), Linear(8, 2))
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), CrossEntropyLoss(),
                      scheduler=CosineSchedule(0.05, 0.005, 150), grad_clip_norm=5.0)
    history = trainer.fit(loader, epochs=150, val_loader=loader)
    assert history["val_accuracy"][-1] == 1.0
    assert history["train_loss"][-1] < history["train_loss"][0] / 10
    assert history["lr"][0] == 0.05 and history["lr"][-1] < 0.01


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), max_norm=st.floats(0.01, 100.0), scale=st.floats(1e-3, 1e3))
def test_clip_grad_norm_caps_the_norm_and_keeps_the_direction(seed, max_norm, scale):
    rng = np.random.default_rng(seed)
    params = [Tensor(np.zeros(shape), requires_grad=True) for shape in [(3, 4), (4,), (2, 2)]]
    for p in params:
        p.grad = Tensor(rng.standard_normal(p.shape) * scale)
    before = np.concatenate([p.grad.data.reshape(-1) for p in params]).astype(np.float64)
    total = clip_grad_norm(params, max_norm)
    after = np.concatenate([p.grad.data.reshape(-1) for p in params]).astype(np.float64)
    assert total == pytest.approx(np.linalg.norm(before), rel=1e-5)
    assert np.linalg.norm(after) <= max_norm * (1 + 1e-5)
    np.testing.assert_allclose(after, before * min(1.0, max_norm / np.linalg.norm(before)), rtol=1e-5, atol=1e-7 * scale)


@settings(max_examples=30, deadline=None)
@given(max_lr=st.floats(1e-3, 1.0), fraction=st.floats(0.0, 1.0), total=st.integers(1, 200))
def test_cosine_schedule_stays_between_min_and_max_and_decreases(max_lr, fraction, total):
    schedule = CosineSchedule(max_lr, max_lr * fraction, total)
    lrs = [schedule.get_lr(e) for e in range(total + 3)]
    assert lrs[0] == pytest.approx(max_lr) and lrs[-1] == pytest.approx(max_lr * fraction)
    assert all(a >= b - 1e-12 for a, b in zip(lrs, lrs[1:]))


def test_accuracy_length_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(4,\)"):
        accuracy(Tensor(np.zeros((5, 3))), [0, 1, 2, 0])

"""Losses: the reference solution of module 04.

Generated from curriculum/modules/04_losses.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


def _as_array(x):
    """The NumPy data of a Tensor, or an array made from a list or array."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _check_same_shape(predictions, targets, loss_name):
    """Losses compare element by element, so shapes must match exactly."""
    if predictions.shape != targets.shape:
        raise ValueError(f"{loss_name}: predictions have shape {predictions.shape} but targets have shape "
                         f"{targets.shape}; they must match (reshape one of them)")


class MSELoss:
    """Mean squared error: mean((predictions - targets) ** 2) over every element."""

    def forward(self, predictions, targets):
        """The mean of the squared differences, a scalar Tensor; the shapes must match."""
        targets = _as_array(targets)
        _check_same_shape(predictions, targets, "MSELoss")
        diff = predictions.data - targets
        return Tensor(np.mean(diff * diff))

    def __call__(self, predictions, targets):
        return self.forward(predictions, targets)


def _class_indices(targets, logits):
    """Targets as an integer array of shape (N,), each in [0, C), for logits of shape (N, C)."""
    targets = _as_array(targets)
    if logits.data.ndim != 2:
        raise ValueError(f"CrossEntropyLoss: logits must have shape (batch, classes), got {logits.shape}")
    n, classes = logits.shape
    if targets.shape != (n,):
        raise ValueError(f"CrossEntropyLoss: targets must be one class index per sample, shape ({n},), "
                         f"got shape {targets.shape} for logits of shape {logits.shape}")
    indices = targets.astype(np.int64)
    if not np.array_equal(indices, targets) or indices.min(initial=0) < 0 or indices.max(initial=0) >= classes:
        raise ValueError(f"CrossEntropyLoss: targets must be integers in [0, {classes}), got {targets.tolist()}")
    return indices


class CrossEntropyLoss:
    """Cross-entropy between logits (N, C) and integer class targets (N,), averaged over the batch."""

    def forward(self, logits, targets):
        """The mean over the batch of -log softmax(logits)[i, targets[i]], from a stable log-softmax."""
        targets = _class_indices(targets, logits)
        shifted = logits.data - logits.data.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return Tensor(-log_probs[np.arange(len(targets)), targets].mean())

    def __call__(self, logits, targets):
        return self.forward(logits, targets)


class BinaryCrossEntropyLoss:
    """Binary cross-entropy of probabilities in (0, 1) against 0/1 targets, averaged."""

    def __init__(self, eps=1e-7):
        self.eps = eps

    def forward(self, probabilities, targets):
        """-mean(t log p + (1 - t) log(1 - p)), with p clipped to [eps, 1 - eps] so the log stays finite."""
        targets = _as_array(targets)
        _check_same_shape(probabilities, targets, "BinaryCrossEntropyLoss")
        p = np.clip(probabilities.data, self.eps, 1 - self.eps)
        return Tensor(-np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p)))

    def __call__(self, probabilities, targets):
        return self.forward(probabilities, targets)

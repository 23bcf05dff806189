"""Training: the reference solution of module 08.

Generated from curriculum/modules/08_training.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad


def accuracy(logits, targets):
    """The fraction of samples whose predicted class equals the target, as a float in [0, 1].

    logits: class scores (batch, classes), or one probability column (batch, 1) / (batch,).
    targets: class indices (batch,) as a Tensor, array or list (or (batch, 1) with one column).
    """
    scores, labels = Tensor(logits).data, Tensor(targets).data.reshape(-1)
    if scores.ndim == 2 and scores.shape[1] > 1:
        predictions = scores.argmax(axis=1)
    else:
        predictions = scores.reshape(-1) > 0.5
    if predictions.shape != labels.shape:
        raise ValueError(f"accuracy: {predictions.size} predictions from scores of shape {scores.shape} "
                         f"but targets of shape {Tensor(targets).shape}")
    return float((predictions == labels).mean())


def clip_grad_norm(params, max_norm):
    """Scale all gradients in place so their global L2 norm is at most max_norm; return the norm before."""
    if max_norm <= 0:
        raise ValueError(f"clip_grad_norm: max_norm must be positive, got {max_norm}")
    grads = [p.grad.data for p in params if p.grad is not None]
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    if total > max_norm:
        for g in grads:
            g *= max_norm / total
    return total


class CosineSchedule:
    """Learning rate from max_lr (epoch 0) to min_lr (epoch total_epochs and later) along a half cosine."""

    def __init__(self, max_lr, min_lr, total_epochs):
        if total_epochs < 1:
            raise ValueError(f"CosineSchedule needs total_epochs >= 1, got {total_epochs}")
        self.max_lr, self.min_lr, self.total_epochs = max_lr, min_lr, total_epochs

    def get_lr(self, epoch):
        """The learning rate for `epoch` (counting from 0)."""
        progress = min(epoch / self.total_epochs, 1.0)
        return float(self.min_lr + (self.max_lr - self.min_lr) * (1 + np.cos(np.pi * progress)) / 2)


class Trainer:
    """Train a model with an optimizer and a loss: train_epoch, evaluate, fit."""

    def __init__(self, model, optimizer, loss_fn, scheduler=None, grad_clip_norm=None):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.scheduler, self.grad_clip_norm = scheduler, grad_clip_norm
        self.epoch = 0  # epochs trained so far: the schedule's position

    def train_epoch(self, loader):
        """One epoch of training; returns the mean loss per sample."""
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

    def evaluate(self, loader):
        """(mean loss, accuracy) over the loader, in evaluation mode and without gradients."""
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

"""Optimizers: the reference solution of module 07.

Generated from curriculum/modules/07_optimizers.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


class Optimizer:
    """The base class: keeps the parameters and the learning rate; step() and zero_grad()."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list: pass model.parameters() of a model "
                             "that has layers with parameters")
        if lr < 0:
            raise ValueError(f"learning rate must be >= 0, got lr={lr}")
        self.lr = lr

    def step(self):
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def zero_grad(self):
        """Forget every parameter's gradient before the next backward pass."""
        for p in self.params:
            p.grad = None


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * v, with v = momentum * v + (grad + weight_decay * p)."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocities = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        """Update every parameter that has a gradient."""
        for p, velocity in zip(self.params, self.velocities):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                velocity[...] = self.momentum * velocity + g
                g = velocity
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running averages of the gradient (m) and its square (v)."""

    decoupled_weight_decay = False  # False: L2 added to the gradient (Adam); True: AdamW

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not all(0 <= beta < 1 for beta in betas):
            raise ValueError(f"Adam betas must be in [0, 1), got betas={betas}")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = [np.zeros_like(p.data) for p in self.params]  # first moments
        self.v = [np.zeros_like(p.data) for p in self.params]  # second moments
        self.t = 0  # steps taken, for the bias correction

    def step(self):
        """One Adam (or AdamW) update of every parameter that has a gradient."""
        self.t += 1
        beta1, beta2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.weight_decay and self.decoupled_weight_decay:
                p.data -= self.lr * self.weight_decay * p.data  # AdamW: shrink the weight itself
            elif self.weight_decay:
                g = g + self.weight_decay * p.data  # Adam: L2, goes through the adaptive scaling
            m[...] = beta1 * m + (1 - beta1) * g
            v[...] = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** self.t)
            v_hat = v / (1 - beta2 ** self.t)
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: p -= lr * weight_decay * p, separately from the Adam step."""

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, betas, eps, weight_decay)

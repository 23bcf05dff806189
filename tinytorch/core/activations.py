"""Activations: the reference solution of module 02.

Generated from curriculum/modules/02_activations.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


class ReLU:
    """Rectified linear unit: max(0, x), element-wise."""

    def forward(self, x):
        """max(0, x) element by element: negative entries become 0."""
        return Tensor(np.maximum(x.data, 0))

    def __call__(self, x):
        return self.forward(x)


class Sigmoid:
    """Logistic function 1 / (1 + e^-x), element-wise, in (0, 1), without overflow."""

    def forward(self, x):
        """1 / (1 + e^-x) element by element, without overflow for large |x|: exp only ever sees -|x|."""
        e = np.exp(-np.abs(x.data))
        return Tensor(np.where(x.data >= 0, 1 / (1 + e), e / (1 + e)))

    def __call__(self, x):
        return self.forward(x)


class Tanh:
    """Hyperbolic tangent, element-wise, in (-1, 1): a zero-centred sigmoid."""

    def forward(self, x):
        return Tensor(np.tanh(x.data))  # already done: NumPy's tanh is stable

    def __call__(self, x):
        return self.forward(x)


class GELU:
    """Gaussian error linear unit (tanh approximation), element-wise."""

    def forward(self, x):
        """The tanh approximation of GELU, element by element (the formula above)."""
        x = x.data
        inner = float(np.sqrt(2 / np.pi)) * (x + 0.044715 * x * x * x)  # a Python float: float32 stays float32
        return Tensor(0.5 * x * (1 + np.tanh(inner)))

    def __call__(self, x):
        return self.forward(x)


class Softmax:
    """Softmax along `dim` (default: the last axis), numerically stable."""

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, x):
        """e^x / sum(e^x) along self.dim; each row's max is subtracted first, so exp never overflows."""
        e = np.exp(x.data - x.data.max(axis=self.dim, keepdims=True))  # the shifted copy is freed at once
        return Tensor(e / e.sum(axis=self.dim, keepdims=True))

    def __call__(self, x):
        return self.forward(x)

"""Activations: the reference solution of module 02.

Generated from curriculum/modules/02_activations.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


class ReLU:
    """Rectified linear unit: max(0, x), element-wise."""

    def forward(self, x):
        """TODO: zero out the negative entries of x.data and return a new Tensor.

        HINT: np.maximum(x.data, 0) compares every element with 0 at once.
        """
        return Tensor(np.maximum(x.data, 0))

    def __call__(self, x):
        return self.forward(x)


class Sigmoid:
    """Logistic function 1 / (1 + e^-x), element-wise, in (0, 1), without overflow."""

    def forward(self, x):
        """TODO: compute sigmoid stably for every element of x.data.

        APPROACH: e = np.exp(-np.abs(x)); choose 1 / (1 + e) where x >= 0, e / (1 + e) elsewhere.
        HINT: np.where(condition, a, b) picks from a or b element by element.
        """
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
        """TODO: implement the formula above on x.data.

        HINT: np.sqrt(2 / np.pi) is a Python-float-sized constant; x ** 3 is element-wise.
        """
        inner = np.sqrt(2 / np.pi) * (x.data + 0.044715 * x.data ** 3)
        return Tensor(0.5 * x.data * (1 + np.tanh(inner)))

    def __call__(self, x):
        return self.forward(x)


class Softmax:
    """Softmax along `dim` (default: the last axis), numerically stable."""

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, x):
        """TODO: stable softmax of x.data along self.dim.

        APPROACH: 1. shifted = x - max along dim (keepdims=True)
                  2. e = exp(shifted)
                  3. return e / sum of e along dim (keepdims=True)
        """
        shifted = x.data - x.data.max(axis=self.dim, keepdims=True)
        e = np.exp(shifted)
        return Tensor(e / e.sum(axis=self.dim, keepdims=True))

    def __call__(self, x):
        return self.forward(x)

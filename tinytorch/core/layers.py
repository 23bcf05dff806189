"""Layers: the reference solution of module 03.

Generated from curriculum/modules/03_layers.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor


class Layer:
    """The base class of every layer: forward(x), layer(x), parameters(), train(), eval()."""

    training = True  # a class attribute: every layer starts in training mode

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """The Tensors that training adjusts. A layer without parameters has none."""
        return []

    def train(self, mode=True):
        """Switch to training mode (mode=False: evaluation mode). Returns the layer itself."""
        self.training = mode
        return self

    def eval(self):
        """Switch to evaluation mode, e.g. Dropout stops dropping."""
        return self.train(False)


class Linear(Layer):
    """A fully connected layer: y = x @ weight + bias, weight of shape (in_features, out_features)."""

    def __init__(self, in_features, out_features, bias=True):
        """Create the weight (and, if bias=True, the bias) as Tensors with requires_grad=True."""
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(np.random.uniform(-bound, bound, size=(in_features, out_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True) if bias else None

    def forward(self, x):
        """Compute x @ weight + bias for x of shape (..., in_features) -> (..., out_features).

        EXAMPLE: Linear(3, 2) on x of shape (4, 3) gives shape (4, 2).
        """
        if len(x.shape) < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.in_features}), got shape {x.shape}")
        out = x @ self.weight
        return out if self.bias is None else out + self.bias

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None})"


class Dropout(Layer):
    """Inverted dropout: in training mode zero each value with probability p and scale the rest by 1/(1-p)."""

    def __init__(self, p=0.5):
        if not 0 <= p < 1:
            raise ValueError(f"Dropout probability p must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x):
        """In training mode: x * mask / (1 - p), with mask[i] = 1 with probability 1 - p. In eval mode: x."""
        if not self.training or self.p == 0:
            return x
        keep = np.random.random(x.shape) >= self.p
        return x * Tensor(keep / (1 - self.p))

    def __repr__(self):
        return f"Dropout(p={self.p})"


class Sequential(Layer):
    """Layers applied in order: Sequential(a, b, c)(x) == c(b(a(x)))."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        """Pass x through every layer in order and return the last output."""
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        """Every parameter of every Layer inside, in order."""
        return [p for layer in self.layers if isinstance(layer, Layer) for p in layer.parameters()]

    def train(self, mode=True):
        """Set the mode of this Sequential and of every Layer inside it."""
        self.training = mode
        for layer in self.layers:
            if isinstance(layer, Layer):
                layer.train(mode)
        return self

    def __repr__(self):
        return "Sequential(\n" + "".join(f"  {layer!r},\n" for layer in self.layers) + ")"

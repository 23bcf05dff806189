"""Tensor: the reference solution of module 01.

Generated from curriculum/modules/01_tensor.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np


def _check_broadcastable(a, b, symbol):
    """Raise a ValueError naming both shapes if arrays (or numbers) a and b do not broadcast."""
    a_shape, b_shape = np.shape(a), np.shape(b)
    # NumPy's rule, written out (np.broadcast_shapes says the same, several times slower):
    # compared from the right, each pair of sizes must be equal or 1; missing sizes count as 1.
    for m, n in zip(reversed(a_shape), reversed(b_shape)):
        if m != n and m != 1 and n != 1:
            raise ValueError(f"cannot compute a {symbol} b: shapes {a_shape} and {b_shape} do not broadcast "
                             f"(compared from the right, each pair of sizes must be equal or 1)")


class Tensor:
    """An n-dimensional array of float32 numbers, the data structure TinyTorch is made of."""

    def __init__(self, data, requires_grad=False):
        """Store `data` (a number, nested list, NumPy array or Tensor) as a float32 array.

        Non-numeric data (strings, None, objects) raises a TypeError naming the value.
        """
        if isinstance(data, Tensor):
            data = data.data
        if type(data) is np.ndarray and data.dtype == np.float32:  # the usual case, an operation's result: kept as is
            self.data, self.requires_grad, self.grad = data, requires_grad, None
            return
        try:
            array = np.asarray(data)
        except ValueError:  # ragged nested lists, e.g. [[1, 2], [3]]
            raise ValueError(f"Tensor data must be rectangular (every row the same length), got {data!r}") from None
        if array.dtype.kind not in "biuf":  # bool, signed int, unsigned int, float
            raise TypeError(f"Tensor data must be numbers, got {data!r} (NumPy dtype {array.dtype})")
        # asarray does not copy data that is already float32: cheap to wrap an existing array.
        self.data = np.asarray(array, dtype=np.float32)
        self.requires_grad = requires_grad
        self.grad = None

    # --- properties: thin views of the NumPy array -------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def item(self):
        """The value of a one-element Tensor as a Python float (e.g. a loss, for printing)."""
        return self.data.item()

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, separator=', ')}, shape={self.shape}{grad})"

    # --- element-wise arithmetic: + here; -, * and / are added below -------------------------
    def __add__(self, other):
        """Element-wise self + other, with broadcasting. other: a Tensor or a number.

        Already done for you: use it as the model for -, * and /.
        """
        other = other.data if isinstance(other, Tensor) else other
        _check_broadcastable(self.data, other, "+")
        return Tensor(self.data + other)

    # `2 + t` calls t.__radd__(2), and so on. They reuse the operations (- and / too, once
    # added), so they also get gradients for free in module 06.
    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return Tensor(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Tensor(other) / self

    def __neg__(self):
        return Tensor(-self.data)

    def exp(self):
        """Element-wise e**x."""
        return Tensor(np.exp(self.data))

    def log(self):
        """Element-wise natural logarithm."""
        return Tensor(np.log(self.data))

    def __matmul__(self, other):
        """a @ b, computed by `matmul` (below)."""
        return self.matmul(other)

    def __getitem__(self, index):
        """Indexing and slicing, exactly as NumPy: t[0], t[:, 1:3], t[[0, 2]]."""
        return Tensor(self.data[index])

    def backward(self, gradient=None):
        raise NotImplementedError("Tensor.backward() arrives in Module 06 (autograd): "
                                  "import tinytorch.core.autograd to enable gradients")

    def __sub__(self, other):
        """Element-wise self - other, with broadcasting."""
        other = other.data if isinstance(other, Tensor) else other
        _check_broadcastable(self.data, other, "-")
        return Tensor(self.data - other)

    def __mul__(self, other):
        """Element-wise self * other (not matrix multiplication), with broadcasting."""
        other = other.data if isinstance(other, Tensor) else other
        _check_broadcastable(self.data, other, "*")
        return Tensor(self.data * other)

    def __truediv__(self, other):
        """Element-wise self / other, with broadcasting."""
        other = other.data if isinstance(other, Tensor) else other
        _check_broadcastable(self.data, other, "/")
        return Tensor(self.data / other)

    def _validate_matmul_shapes(self, other):
        """Raise a ValueError naming both shapes unless self @ other is defined."""
        if len(self.shape) < 2 or len(other.shape) < 2:
            raise ValueError(f"matmul needs tensors with at least 2 dimensions, got {self.shape} @ {other.shape} "
                             f"(reshape a vector to (1, n) or (n, 1))")
        if self.shape[-1] != other.shape[-2]:
            raise ValueError(f"matmul shape mismatch: {self.shape} @ {other.shape}: the inner sizes "
                             f"{self.shape[-1]} and {other.shape[-2]} must be equal")

    def matmul(self, other):
        """Matrix product self @ other: (n, k) @ (k, m) -> (n, m); leading batch dimensions broadcast."""
        other = other if isinstance(other, Tensor) else Tensor(other)
        self._validate_matmul_shapes(other)
        return Tensor(self.data @ other.data)

    def sum(self, axis=None, keepdims=False):
        """Sum of the elements: all of them (axis=None), or along `axis` (an int or tuple).

        keepdims=True keeps the reduced axes with size 1, so the result still broadcasts
        against the input: x - x.sum(axis=1, keepdims=True) works row by row.
        """
        return Tensor(self.data.sum(axis=axis, keepdims=keepdims))

    def mean(self, axis=None, keepdims=False):
        """Average of the elements, over everything or along `axis` (like sum)."""
        return Tensor(self.data.mean(axis=axis, keepdims=keepdims))

    def max(self, axis=None, keepdims=False):
        """Largest element, over everything or along `axis` (like sum)."""
        return Tensor(self.data.max(axis=axis, keepdims=keepdims))

    def reshape(self, *shape):
        """The same numbers in a new shape: t.reshape(2, 3) or t.reshape((2, 3)); -1 infers one size."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            return Tensor(self.data.reshape(shape))
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {self.shape} ({self.size} elements) "
                             f"into shape {shape}") from None

    def transpose(self, dim0=-2, dim1=-1):
        """Swap two dimensions (by default the last two: the matrix transpose).

        A tensor with fewer than 2 dimensions is returned unchanged (as a new Tensor).
        """
        if self.data.ndim < 2:
            return Tensor(self.data)
        return Tensor(np.swapaxes(self.data, dim0, dim1))

"""Acceleration: the reference solution of module 17.

Generated from curriculum/modules/17_acceleration.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Function


def _check_matmul(a, b):
    """a (n, k) and b (k, m) as float32 arrays; a ValueError naming both shapes otherwise."""
    a, b = (np.asarray(t.data if isinstance(t, Tensor) else t, dtype=np.float32) for t in (a, b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"matrix product needs (n, k) @ (k, m), got {a.shape} @ {b.shape}")
    return a, b


def matmul_loops(a, b):
    """a @ b with three nested Python loops: the definition, one multiply-add at a time."""
    a, b = _check_matmul(a, b)
    n, k = a.shape
    m = b.shape[1]
    out = np.zeros((n, m), dtype=np.float32)
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += a[i, p] * b[p, j]
            out[i, j] = total
    return out


def matmul_broadcast(a, b):
    """a @ b without a Python loop and without BLAS: every product at once, (n, k, m), summed over k."""
    a, b = _check_matmul(a, b)
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)


def tiled_matmul(a, b, tile=32):
    """a @ b computed block by block: out[I, J] += a[I, P] @ b[P, J] over tile x tile blocks."""
    a, b = _check_matmul(a, b)
    if isinstance(tile, bool) or not isinstance(tile, (int, np.integer)) or tile < 1:
        raise ValueError(f"tile must be a whole number >= 1 (the side of a block), got {tile!r}")
    n, k = a.shape
    m = b.shape[1]
    out = np.zeros((n, m), dtype=np.float32)
    for i in range(0, n, tile):
        for j in range(0, m, tile):
            for p in range(0, k, tile):
                out[i:i + tile, j:j + tile] += a[i:i + tile, p:p + tile] @ b[p:p + tile, j:j + tile]
    return out


_C = np.float32(np.sqrt(2 / np.pi))


class BiasGELUBackward(Function):
    """bias_gelu(x, bias): d/dx = d/dbias = gelu'(x + bias); built as BiasGELUBackward(out, x, bias, t)."""

    def __init__(self, output, x, bias, t):
        super().__init__(output, x, bias)
        self.t = t  # x + bias, from the forward

    def backward(self, grad_output):
        t = self.t
        tanh_u = np.tanh(_C * (t + 0.044715 * t ** 3))
        slope = 0.5 * (1 + tanh_u) + 0.5 * t * (1 - tanh_u ** 2) * _C * (1 + 3 * 0.044715 * t * t)
        grad = grad_output * slope
        return grad, grad


def bias_gelu(x, bias):
    """GELU(x + bias) (tanh approximation) for Tensors x (..., d) and bias (d,), computed in two
    buffers with in-place NumPy; recorded for autograd as a BiasGELUBackward.

    APPROACH (recording, as enable_autograd's operations do):
        out = Tensor(u)
        if Tensor.grad_enabled and (x.requires_grad or bias.requires_grad):
            out.requires_grad, out._grad_fn = True, BiasGELUBackward(out, x, bias, t)
    """
    if x.shape[-1:] != bias.shape:
        raise ValueError(f"bias_gelu: bias of shape {bias.shape} must match the last dimension of x {x.shape}")
    t = x.data + bias.data
    u = t * t
    u *= t
    u *= 0.044715
    u += t
    u *= _C
    np.tanh(u, out=u)
    u += 1
    u *= t
    u *= 0.5
    out = Tensor(u)
    if Tensor.grad_enabled and (x.requires_grad or bias.requires_grad):
        out.requires_grad, out._grad_fn = True, BiasGELUBackward(out, x, bias, t)
    return out

"""Autograd: the reference solution of module 06.

Generated from curriculum/modules/06_autograd.py by `python -m curriculum.generate`. Do not edit.
"""

from contextlib import contextmanager

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import ReLU, Sigmoid, Tanh, GELU, Softmax
from tinytorch.core.losses import MSELoss, CrossEntropyLoss, BinaryCrossEntropyLoss


def _data(x):
    """The array inside a Tensor; anything else (a number, an array) as it is."""
    return x.data if isinstance(x, Tensor) else x


def _needs_grad(x):
    """Whether x is a Tensor that wants a gradient (numbers and plain arrays never do)."""
    return isinstance(x, Tensor) and x.requires_grad


class Function:
    """One recorded operation: remembers its inputs and output, sends gradients back to the inputs.

    It is built from the forward's result and the forward's arguments, e.g. for `a + b` the
    result `out` gives AddBackward(out, a, b). A subclass with options (axis, ...) takes them
    the same way as the forward did.
    """

    def __init__(self, output, *inputs):
        self.output = output.data  # the result's array (keeping the Tensor itself would make a reference cycle)
        self.inputs = inputs       # the Tensors (or numbers) the forward combined

    def backward(self, grad_output):
        """Given d(loss)/d(output), return d(loss)/d(input) for each of self.inputs, in order
        (None for an input that needs no gradient), as a TUPLE: `(grad_a, grad_b)` for two
        inputs, `(grad,)` for one (the comma makes the tuple; a bare array would be read as one
        gradient per row)."""
        raise NotImplementedError(f"{type(self).__name__}.backward")


def _unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting stretched, so it has the input's `shape` again."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


class AddBackward(Function):
    """a + b: d/da = 1, d/db = 1. Already done: the model for the others."""

    def backward(self, grad_output):
        return grad_output, grad_output


class SubBackward(Function):
    """a - b: d/da = 1, d/db = -1."""

    def backward(self, grad_output):
        return grad_output, -grad_output


class MulBackward(Function):
    """a * b: each input's gradient is grad_output times the OTHER input."""

    def backward(self, grad_output):
        a, b = self.inputs
        return grad_output * _data(b), grad_output * _data(a)


class DivBackward(Function):
    """a / b: d/da = 1 / b, d/db = -a / b**2."""

    def backward(self, grad_output):
        a, b = self.inputs
        a, b = _data(a), _data(b)
        return grad_output / b, -grad_output * a / (b * b)


class NegBackward(Function):
    """-a."""

    def backward(self, grad_output):
        return (-grad_output,)


class ExpBackward(Function):
    """e**a: its own derivative, and the forward already computed it (self.output)."""

    def backward(self, grad_output):
        return (grad_output * self.output,)


class LogBackward(Function):
    """log(a): d/da = 1 / a."""

    def backward(self, grad_output):
        (a,) = self.inputs
        return (grad_output / a.data,)


class MatmulBackward(Function):
    """a @ b. Skip the product for an input that needs no gradient (return None for it): in a
    first layer `x @ W`, the gradient of the data x would cost as much as the forward pass.
    """

    def backward(self, grad_output):
        a, b = self.inputs
        grad_a = grad_output @ np.swapaxes(_data(b), -1, -2) if _needs_grad(a) else None
        grad_b = np.swapaxes(_data(a), -1, -2) @ grad_output if _needs_grad(b) else None
        return grad_a, grad_b


def _expand(grad, shape, axis, keepdims):
    """Undo a reduction's shape: put back the reduced axes (size 1), then broadcast to `shape`."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


class SumBackward(Function):
    """x.sum(axis, keepdims)."""

    def __init__(self, output, x, axis=None, keepdims=False):
        super().__init__(output, x)
        self.axis, self.keepdims = axis, keepdims

    def backward(self, grad_output):
        (x,) = self.inputs
        return (_expand(grad_output, x.shape, self.axis, self.keepdims),)


class MeanBackward(SumBackward):
    """x.mean(axis, keepdims): as sum, divided by how many elements each mean averaged."""

    def backward(self, grad_output):
        (x,) = self.inputs
        count = x.size // self.output.size
        return (_expand(grad_output / count, x.shape, self.axis, self.keepdims),)


class MaxBackward(SumBackward):
    """x.max(axis, keepdims): the gradient goes to the maximum (split equally between ties)."""

    def backward(self, grad_output):
        (x,) = self.inputs
        winners = x.data == _expand(self.output, x.shape, self.axis, self.keepdims)
        ties = winners.sum(axis=self.axis, keepdims=True, dtype=np.float32)
        return (_expand(grad_output, x.shape, self.axis, self.keepdims) * winners / ties,)


class ReshapeBackward(Function):
    """x.reshape(*shape)."""

    def __init__(self, output, x, *shape):
        super().__init__(output, x)

    def backward(self, grad_output):
        (x,) = self.inputs
        return (grad_output.reshape(x.shape),)


class TransposeBackward(Function):
    """x.transpose(dim0, dim1)."""

    def __init__(self, output, x, dim0=-2, dim1=-1):
        super().__init__(output, x)
        self.dim0, self.dim1 = dim0, dim1

    def backward(self, grad_output):
        if grad_output.ndim < 2:  # transposing a vector changed nothing
            return (grad_output,)
        return (np.swapaxes(grad_output, self.dim0, self.dim1),)


class GetitemBackward(Function):
    """x[index]."""

    def __init__(self, output, x, index):
        super().__init__(output, x)
        self.index = index

    def backward(self, grad_output):
        (x,) = self.inputs
        full = np.zeros_like(x.data)
        np.add.at(full, self.index, grad_output)
        return (full,)


class ActivationBackward(Function):
    """Base for activations: the forward was activation.forward(x); x is the only input."""

    def __init__(self, output, activation, x):
        super().__init__(output, x)
        self.activation = activation


class ReLUBackward(ActivationBackward):
    """relu(x): the gradient flows back only where x > 0."""

    def backward(self, grad_output):
        (x,) = self.inputs
        return (grad_output * (x.data > 0),)


class SigmoidBackward(ActivationBackward):
    """sigmoid(x): its derivative s (1 - s) needs only the forward's output s."""

    def backward(self, grad_output):
        s = self.output
        return (grad_output * s * (1 - s),)


class TanhBackward(ActivationBackward):
    """tanh(x): its derivative 1 - t**2 needs only the forward's output t."""

    def backward(self, grad_output):
        t = self.output
        return (grad_output * (1 - t * t),)


class GELUBackward(ActivationBackward):
    """gelu(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x**3)."""

    def backward(self, grad_output):
        (x,) = self.inputs
        x = x.data
        c = float(np.sqrt(2 / np.pi))  # a Python float: float32 stays float32
        t = np.tanh(c * (x + 0.044715 * x * x * x))  # x * x * x: x ** 3 is a much slower general power
        return (grad_output * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)),)


class SoftmaxBackward(ActivationBackward):
    """softmax(x) along self.activation.dim."""

    def backward(self, grad_output):
        s = self.output
        return (s * (grad_output - (grad_output * s).sum(axis=self.activation.dim, keepdims=True)),)


class LossBackward(Function):
    """Base for losses: the forward was loss.forward(predictions, targets)."""

    def __init__(self, output, loss, predictions, targets):
        super().__init__(output, predictions)
        self.loss = loss
        self.targets = np.asarray(_data(targets), dtype=np.float32)


class MSEBackward(LossBackward):
    """mean((predictions - targets)**2): the gradient is 2 (predictions - targets) / N."""

    def backward(self, grad_output):
        (predictions,) = self.inputs
        diff = predictions.data - self.targets
        return (grad_output * 2 * diff / diff.size,)


class CrossEntropyBackward(LossBackward):
    """Cross-entropy of logits (N, C) and class indices (N,)."""

    def backward(self, grad_output):
        (logits,) = self.inputs
        n = len(self.targets)
        e = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))
        grad = e / e.sum(axis=1, keepdims=True)                  # softmax(logits)
        grad[np.arange(n), self.targets.astype(np.int64)] -= 1   # minus one_hot(targets)
        return (grad_output * grad / n,)


class BCEBackward(LossBackward):
    """Binary cross-entropy of probabilities p and 0/1 targets t."""

    def backward(self, grad_output):
        (probabilities,) = self.inputs
        eps = self.loss.eps
        p = np.clip(probabilities.data, eps, 1 - eps)
        return (grad_output * (p - self.targets) / (p * (1 - p)) / p.size,)


def _graph_order(root):
    """Every tensor `root` was computed from (needing a gradient), each after its inputs.

    A depth-first search: a tensor is appended once all its inputs have been. An explicit stack
    instead of recursion, so deep graphs cannot hit Python's recursion limit.
    """
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
        elif id(tensor) not in visited:
            visited.add(id(tensor))
            stack.append((tensor, True))  # comes back after all its inputs
            if tensor._grad_fn is not None:
                stack += [(t, False) for t in tensor._grad_fn.inputs if _needs_grad(t)]
    return order


def _backward(self, gradient=None):
    """Tensor.backward: add d(self)/d(leaf) to the .grad of every leaf that requires a gradient.

    `gradient` (same shape as self) is d(loss)/d(self); it may be left out for a scalar (then 1).
    """
    if not self.requires_grad:
        raise RuntimeError(f"backward() on a tensor of shape {self.shape} that does not require grad: "
                           f"create the inputs with requires_grad=True (and not inside no_grad())")
    if gradient is None:
        if self.size != 1:
            raise RuntimeError(f"backward() needs a scalar (one-element) tensor, got shape {self.shape}: "
                               f"reduce it to a loss first (e.g. .sum() or .mean()), or pass a gradient of shape {self.shape}")
        gradient = np.ones_like(self.data)
    gradient = np.asarray(_data(gradient), dtype=np.float32)
    if gradient.shape != self.shape:
        raise ValueError(f"backward(gradient): the gradient has shape {gradient.shape} but the tensor has shape {self.shape}")
    grads = {id(self): gradient}
    for tensor in reversed(_graph_order(self)):
        grad = grads.pop(id(tensor), None)
        if grad is None:
            continue
        if tensor._grad_fn is None:  # a leaf: store (a copy, so no two leaves share one array)
            tensor.grad = Tensor(grad.copy() if tensor.grad is None else tensor.grad.data + grad)
            continue
        for inp, g in zip(tensor._grad_fn.inputs, tensor._grad_fn.backward(grad)):
            if g is not None and _needs_grad(inp):
                g = _unbroadcast(np.asarray(g, dtype=np.float32), inp.shape)
                grads[id(inp)] = grads[id(inp)] + g if id(inp) in grads else g


def _record(cls, name, function):
    """Make cls.<name> record `function` in its result when an input requires a gradient."""
    forward = getattr(cls, name)
    forward = getattr(forward, "untracked", forward)  # already wrapped: wrap the original again

    def tracked(*args, **kwargs):
        output = forward(*args, **kwargs)
        if Tensor.grad_enabled and any(_needs_grad(a) for a in args):
            output.requires_grad = True
            output._grad_fn = function(output, *args, **kwargs)
        return output

    tracked.untracked = forward
    tracked.__name__, tracked.__doc__ = forward.__name__, forward.__doc__
    setattr(cls, name, tracked)


def enable_autograd():
    """Teach Tensor operations, activations and losses to record their Functions. Safe to repeat."""
    Tensor.grad_enabled = True
    Tensor._grad_fn = None  # every tensor starts as a leaf (a class default, read by every instance)
    Tensor.backward = _backward
    for name, function in [("__add__", AddBackward), ("__sub__", SubBackward), ("__mul__", MulBackward),
                           ("__truediv__", DivBackward), ("__neg__", NegBackward), ("exp", ExpBackward),
                           ("log", LogBackward), ("matmul", MatmulBackward), ("sum", SumBackward),
                           ("mean", MeanBackward), ("max", MaxBackward), ("reshape", ReshapeBackward),
                           ("transpose", TransposeBackward), ("__getitem__", GetitemBackward)]:
        _record(Tensor, name, function)
    for cls, function in [(ReLU, ReLUBackward), (Sigmoid, SigmoidBackward), (Tanh, TanhBackward),
                          (GELU, GELUBackward), (Softmax, SoftmaxBackward), (MSELoss, MSEBackward),
                          (CrossEntropyLoss, CrossEntropyBackward), (BinaryCrossEntropyLoss, BCEBackward)]:
        _record(cls, "forward", function)


@contextmanager
def no_grad():
    """`with no_grad():` nothing inside records a graph (evaluation, optimizer updates)."""
    previous, Tensor.grad_enabled = Tensor.grad_enabled, False
    try:
        yield
    finally:
        Tensor.grad_enabled = previous


enable_autograd()


def _rounded(array, digits):
    """A short list of an array's values, for an error message."""
    return np.round(np.asarray(array, dtype=np.float64), digits).tolist()


def gradcheck(fn, *inputs, eps=1e-2, atol=1e-2, rtol=1e-2):
    """Check autograd's gradients of fn(*inputs) against central finite differences.

    fn takes the input Tensors and returns a Tensor of any shape. Every input with
    requires_grad=True is checked element by element, so keep inputs small. Returns True, or
    raises an AssertionError naming the input, autograd's gradient and the numerical one.
    """
    output = fn(*inputs)
    weights = np.random.default_rng(0).standard_normal(output.shape).astype(np.float32)
    for x in inputs:
        x.grad = None
    output.backward(weights)

    def weighted_output():
        with no_grad():
            return float(np.sum(fn(*inputs).data.astype(np.float64) * weights))

    for i, x in enumerate(inputs):
        if not x.requires_grad:
            continue
        numerical = np.zeros(x.shape)
        for j in np.ndindex(*x.shape):  # a Python loop on purpose: one nudge of one element at a time
            original = x.data[j]
            x.data[j] = original + eps
            plus = weighted_output()
            x.data[j] = original - eps
            minus = weighted_output()
            x.data[j] = original
            numerical[j] = (plus - minus) / (2 * eps)
        if x.grad is not None and x.grad.shape != x.shape:
            raise AssertionError(f"input {i}: .grad has shape {x.grad.shape}, expected the input's shape {x.shape}")
        analytical = np.zeros(x.shape) if x.grad is None else x.grad.data
        if not np.allclose(analytical, numerical, atol=atol, rtol=rtol):
            raise AssertionError(f"input {i} (shape {x.shape}, values {_rounded(x.data, 3)}): autograd gives "
                                 f"{_rounded(analytical, 4)}, finite differences give {_rounded(numerical, 4)}")
    return True

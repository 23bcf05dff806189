# %% [markdown]
# # Module 06: Autograd, gradients for free
#
# Training means nudging every weight a little in the direction that lowers the loss. That
# direction is the **gradient**: `d(loss)/d(weight)` for every weight. Working it out by hand for
# every network would be hopeless. **Automatic differentiation** computes it for any network,
# exactly, from one call: `loss.backward()`.
#
# **You've built:** `Tensor` (01) and its operations, activations (02), layers (03), losses (04),
# a DataLoader (05). Every forward computation is already there.
# **You'll build:** one small `Function` per operation that knows its local derivative, a
# `backward()` that walks the graph of operations backwards applying the chain rule, and
# `enable_autograd()`, which teaches your existing classes to record that graph.
# **You'll enable:** optimizers (07) that use `.grad`, training loops (08), and every milestone.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> DataLoader (05)
#     -> [Autograd (06)] -> Optimizers (07) -> Training (08)
# ```
#
# **Learning objectives**
# 1. See a computation as a graph, and the chain rule as messages sent backwards along it.
# 2. Write the backward of every operation, including broadcasting and reductions.
# 3. Check every gradient against finite differences: the test that never lies.
#
# **Two parts, about 1.5-2 hours each: take a break between them.**
# - **Part 1, the Functions** (19 small `backward` methods): each is checked on its own, by
#   calling it directly, right after you write it. Nothing else is needed yet.
# - **Part 2, the engine** (`_graph_order`, `backward()`), switching it on, `gradcheck`, and the
#   Systems and Reflect sections: the whole network's gradients, checked by finite differences.
#
# Run All stops at the first function you have not written yet: that is where you are.

# %% [markdown]
# # Part 1: the Functions (about 1.5-2 hours)

# %% [markdown]
# ## The idea: the chain rule on a graph
#
# Take `y = relu(x @ W + b)` and `loss = mse(y, target)`. Each operation is a node that
# remembers its inputs:
#
# ```
# x, W --[matmul]--> h --[add b]--> z --[relu]--> y --[mse]--> loss
# ```
#
# The chain rule says `d(loss)/dW = d(loss)/dh * dh/dW`. So we walk the graph **backwards**: start
# with `d(loss)/d(loss) = 1` and each node turns "the gradient of my output" (`grad_output`)
# into "the gradient of each of my inputs", using only its own local derivative:
#
# - add `a + b`: passes `grad_output` to both, unchanged;
# - multiply `a * b`: `a` gets `grad_output * b`, `b` gets `grad_output * a`;
# - matmul `a @ b`: `a` gets `grad_output @ b.T`, `b` gets `a.T @ grad_output` (check the shapes:
#   they are the only ones that fit).
#
# Each such node is a `Function`. Its `backward(grad_output)` returns one gradient per input.
# Gradients are NumPy arrays here: inside the engine there is no need to wrap them.

# %%
#| export
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

# %% [markdown]
# ## Broadcasting, backwards
#
# In `z = h + b` with `h` of shape `(64, 10)` and `b` of shape `(10,)`, broadcasting used the same
# `b[j]` in all 64 rows. Each of those 64 uses contributes to the loss, so the gradient of `b[j]`
# is the **sum** of the 64 gradients in column `j`. In general: the gradient of an input must
# have the input's shape, and every axis broadcasting stretched (added in front, or grown from
# size 1) is summed away. `_unbroadcast` does that, once, for every operation: the engine calls
# it on every gradient, so the `backward` methods below can ignore broadcasting.

# %%
#| export
def _unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting stretched, so it has the input's `shape` again.

    TODO: (64, 10) -> (10,): sum over axis 0.  (64, 10) -> (64, 1): sum over axis 1, keep it.
    APPROACH: 1. extra = grad.ndim - len(shape): leading axes broadcasting added
              2. also the axes where shape has size 1 but grad does not
              3. sum over all of them at once (keepdims=True), then reshape to `shape`
    """
    ### BEGIN SOLUTION
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)
    ### END SOLUTION

# %%
#| test
def test_unit_unbroadcast():
    print("🧪 Unit Test: _unbroadcast...")
    grad = np.arange(6, dtype=np.float32).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]
    for shape, expected in [((2, 3), [[0, 1, 2], [3, 4, 5]]), ((3,), [3, 5, 7]), ((1, 3), [[3, 5, 7]]),
                            ((2, 1), [[3], [12]]), ((), 15)]:
        got = _unbroadcast(grad, shape)
        assert got.shape == shape, f"_unbroadcast of a (2, 3) gradient to shape {shape}: expected shape {shape}, got {got.shape}"
        assert np.allclose(got, expected), f"_unbroadcast of {grad.tolist()} to shape {shape}: expected {expected}, got {np.round(got, 4).tolist()}"
    print("✅ _unbroadcast works!")


test_unit_unbroadcast()

# %% [markdown]
# ## Element-wise arithmetic
#
# Each `backward` multiplies `grad_output` by the local derivative of its operation with
# respect to each input. A number (as in `x * 2`) needs no gradient, but returning one for it
# is harmless: the engine only keeps gradients of Tensors that require them.

# %%
#| export
class AddBackward(Function):
    """a + b: d/da = 1, d/db = 1. Already done: the model for the others."""

    def backward(self, grad_output):
        return grad_output, grad_output


class SubBackward(Function):
    """a - b: d/da = 1, d/db = -1.

    TODO: return the tuple (grad_output, -grad_output), one gradient per input, as AddBackward does.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        return grad_output, -grad_output
        ### END SOLUTION


class MulBackward(Function):
    """a * b: each input's gradient is grad_output times the OTHER input.

    TODO: a, b = self.inputs; return (grad_output * b, grad_output * a), using _data(...) for
          the arrays: an input may be a plain number, as in x * 2.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        a, b = self.inputs
        return grad_output * _data(b), grad_output * _data(a)
        ### END SOLUTION


class DivBackward(Function):
    """a / b: d/da = 1 / b, d/db = -a / b**2.

    TODO: return (grad_output / b, -grad_output * a / b**2), with a, b = _data(...) of self.inputs.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        a, b = self.inputs
        a, b = _data(a), _data(b)
        return grad_output / b, -grad_output * a / (b * b)
        ### END SOLUTION


class NegBackward(Function):
    """-a."""

    def backward(self, grad_output):
        return (-grad_output,)


class ExpBackward(Function):
    """e**a: its own derivative, and the forward already computed it (self.output).

    TODO: return (grad_output * self.output,): a tuple of one, even for one input.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        return (grad_output * self.output,)
        ### END SOLUTION


class LogBackward(Function):
    """log(a): d/da = 1 / a.

    TODO: (a,) = self.inputs; return (grad_output / a.data,).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (a,) = self.inputs
        return (grad_output / a.data,)
        ### END SOLUTION

# %% [markdown]
# A `Function` needs nothing but its inputs, so you can check each `backward` right away, by hand,
# before the engine that calls them exists.

# %%
#| test
def test_unit_elementwise_backward():
    print("🧪 Unit Test: backward of -, *, /, exp, log (called directly)...")
    a, b = Tensor([2.0, 3.0]), Tensor([4.0, 5.0])
    g = np.array([1.0, 10.0], dtype=np.float32)  # grad_output
    for name, function, expected in [("a - b", SubBackward(a - b, a, b), [[1, 10], [-1, -10]]),
                                     ("a * b", MulBackward(a * b, a, b), [[4, 50], [2, 30]]),
                                     ("a / b", DivBackward(a / b, a, b), [[0.25, 2], [-0.125, -1.2]]),
                                     ("exp(a)", ExpBackward(a.exp(), a), [np.exp([2.0, 3.0]) * [1, 10]]),
                                     ("log(a)", LogBackward(a.log(), a), [[0.5, 10 / 3]])]:
        got = function.backward(g)
        assert isinstance(got, tuple), \
            f"{type(function).__name__}.backward must return a tuple with one gradient per input ({len(expected)}), e.g. (grad,) for one input; got a {type(got).__name__}"
        assert len(got) == len(expected), f"{type(function).__name__}.backward must return one gradient per input ({len(expected)}), got {len(got)}"
        for i, (grad, want) in enumerate(zip(got, expected)):
            assert np.allclose(grad, want, rtol=1e-5), \
                f"{name} for a=[2, 3], b=[4, 5], grad_output=[1, 10]: gradient of input {i} expected {np.round(want, 4).tolist()}, got {np.asarray(grad).tolist()}"
    print("✅ Element-wise backward works!")


test_unit_elementwise_backward()

# %% [markdown]
# ## Matrix multiplication
#
# For `out = a @ b` with `a` `(n, k)`, `b` `(k, m)`, `out` `(n, m)`:
# `grad_a = grad_output @ b.T` is `(n, m) @ (m, k) = (n, k)` and
# `grad_b = a.T @ grad_output` is `(k, n) @ (n, m) = (k, m)`. If you forget which is which, the
# shapes tell you. For batched inputs "`.T`" means swapping the last two axes, and the batch
# axes of a broadcast `b` are summed by `_unbroadcast`.

# %%
#| export
class MatmulBackward(Function):
    """a @ b. Skip the product for an input that needs no gradient (return None for it): in a
    first layer `x @ W`, the gradient of the data x would cost as much as the forward pass.

    TODO: grad_a = grad_output @ b.T (if _needs_grad(a), else None), grad_b = a.T @ grad_output
          (if _needs_grad(b), else None); return (grad_a, grad_b).
    HINT: ".T" of a batched (2, 3, 4) array must swap only the last two axes:
          np.swapaxes(x, -1, -2). b may be a plain array: use _data(b).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        a, b = self.inputs
        grad_a = grad_output @ np.swapaxes(_data(b), -1, -2) if _needs_grad(a) else None
        grad_b = np.swapaxes(_data(a), -1, -2) @ grad_output if _needs_grad(b) else None
        return grad_a, grad_b
        ### END SOLUTION

# %%
#| test
def _check_function(name, function, grad_output, expected):
    """Call function.backward(grad_output) directly; compare each gradient with `expected` (None: no gradient)."""
    got = function.backward(np.asarray(grad_output, dtype=np.float32))
    assert isinstance(got, tuple) and len(got) == len(expected), \
        f"{type(function).__name__}.backward must return a tuple of {len(expected)} gradient(s), one per input; got {got!r}"
    for i, (grad, want) in enumerate(zip(got, expected)):
        if want is None:
            assert grad is None, f"{name}: input {i} needs no gradient, so backward should return None for it, got {np.asarray(grad).tolist()}"
            continue
        assert grad is not None and np.shape(grad) == np.shape(want) and np.allclose(grad, want, rtol=1e-4, atol=1e-6), \
            f"{name}: gradient of input {i} expected {np.round(want, 4).tolist()}, got {None if grad is None else np.round(np.asarray(grad, dtype=np.float64), 4).tolist()}"


def test_unit_matmul_function():
    print("🧪 Unit Test: MatmulBackward (called directly)...")
    a = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)   # (2, 3)
    b = Tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)  # (3, 2)
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    _check_function("a @ b, a (2, 3), b (3, 2), grad_output [[1, 2], [3, 4]]", MatmulBackward(a @ b, a, b), g,
                    [g @ b.data.T, a.data.T @ g])
    x = Tensor([[1.0, 2.0, 3.0]])  # data: needs no gradient
    _check_function("x @ b with x not requiring grad", MatmulBackward(x @ b, x, b), [[1.0, 1.0]], [None, x.data.T @ np.ones((1, 2))])
    print("✅ MatmulBackward works!")


test_unit_matmul_function()

# %% [markdown]
# ## Reductions
#
# `sum` adds inputs up, so every input gets the full `grad_output` of its sum: the gradient is
# `grad_output` copied back over the reduced axes (`np.broadcast_to`, no real copy). If the
# reduced axes were dropped (`keepdims=False`), put them back first with `np.expand_dims` so
# the shapes line up. `mean` is the same divided by the count. `max` sends the gradient only to
# the winning element (shared equally if several tie).

# %%
#| export
def _expand(grad, shape, axis, keepdims):
    """Undo a reduction's shape: put back the reduced axes (size 1), then broadcast to `shape`."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, shape)


class SumBackward(Function):
    """x.sum(axis, keepdims).

    TODO: (x,) = self.inputs; return (_expand(grad_output, x.shape, self.axis, self.keepdims),).
    """

    def __init__(self, output, x, axis=None, keepdims=False):
        super().__init__(output, x)
        self.axis, self.keepdims = axis, keepdims

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        return (_expand(grad_output, x.shape, self.axis, self.keepdims),)
        ### END SOLUTION


class MeanBackward(SumBackward):
    """x.mean(axis, keepdims): as sum, divided by how many elements each mean averaged.

    TODO: as SumBackward, with grad_output / count, count = x.size // self.output.size.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        count = x.size // self.output.size
        return (_expand(grad_output / count, x.shape, self.axis, self.keepdims),)
        ### END SOLUTION


class MaxBackward(SumBackward):
    """x.max(axis, keepdims): the gradient goes to the maximum (split equally between ties).

    TODO: winners = (x.data == the max expanded back to x.shape): a 0/1 mask; ties = how many
          winners each max has (winners summed over self.axis, keepdims=True); return
          (expanded grad_output * winners / ties,).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        winners = x.data == _expand(self.output, x.shape, self.axis, self.keepdims)
        ties = winners.sum(axis=self.axis, keepdims=True, dtype=np.float32)
        return (_expand(grad_output, x.shape, self.axis, self.keepdims) * winners / ties,)
        ### END SOLUTION

# %%
#| test
def test_unit_reduction_functions():
    print("🧪 Unit Test: SumBackward, MeanBackward, MaxBackward (called directly)...")
    x = Tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 3.0]])
    _check_function("x.sum(axis=1) of a (2, 3) x, grad_output [1, 2]", SumBackward(x.sum(axis=1), x, axis=1), [1.0, 2.0],
                    [[[1, 1, 1], [2, 2, 2]]])
    _check_function("x.sum() of a (2, 3) x, grad_output 3", SumBackward(x.sum(), x), 3.0, [np.full((2, 3), 3.0)])
    _check_function("x.mean(axis=0, keepdims=True), grad_output [[2, 4, 6]]", MeanBackward(x.mean(axis=0, keepdims=True), x, axis=0, keepdims=True),
                    [[2.0, 4.0, 6.0]], [[[1, 2, 3], [1, 2, 3]]])
    _check_function("x.max(axis=1) of [[1, 5, 5], [7, 2, 3]] (a tie in row 0), grad_output [1, 10]", MaxBackward(x.max(axis=1), x, axis=1),
                    [1.0, 10.0], [[[0, 0.5, 0.5], [10, 0, 0]]])
    print("✅ Reduction backward works!")


test_unit_reduction_functions()

# %% [markdown]
# ## Shape operations
#
# `reshape` and `transpose` only move numbers around, so their backward moves the gradient back:
# reshape it to the input's shape, swap the same two axes again. Indexing `x[index]` picks some
# elements; their gradients go back to where they came from, zeros elsewhere. With an index like
# `[0, 0, 1]` the same element is picked twice and must get both gradients: `np.add.at` adds
# at repeated positions, where `full[index] += grad` would keep only one.

# %%
#| export
class ReshapeBackward(Function):
    """x.reshape(*shape).

    TODO: return (grad_output reshaped to the input's shape,).
    """

    def __init__(self, output, x, *shape):
        super().__init__(output, x)

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        return (grad_output.reshape(x.shape),)
        ### END SOLUTION


class TransposeBackward(Function):
    """x.transpose(dim0, dim1).

    TODO: swap the same two axes of grad_output back (np.swapaxes); a vector (ndim < 2) was not
          transposed: return it as it is. Return a tuple of one.
    """

    def __init__(self, output, x, dim0=-2, dim1=-1):
        super().__init__(output, x)
        self.dim0, self.dim1 = dim0, dim1

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        if grad_output.ndim < 2:  # transposing a vector changed nothing
            return (grad_output,)
        return (np.swapaxes(grad_output, self.dim0, self.dim1),)
        ### END SOLUTION


class GetitemBackward(Function):
    """x[index].

    TODO: a zero array shaped like the input; np.add.at(it, self.index, grad_output) (not
          `full[index] += grad_output`, which loses repeated indices); return (it,).
    """

    def __init__(self, output, x, index):
        super().__init__(output, x)
        self.index = index

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        full = np.zeros_like(x.data)
        np.add.at(full, self.index, grad_output)
        return (full,)
        ### END SOLUTION

# %%
#| test
def test_unit_shape_functions():
    print("🧪 Unit Test: ReshapeBackward, TransposeBackward, GetitemBackward (called directly)...")
    x = Tensor(np.arange(6.0).reshape(2, 3))
    g = np.arange(6.0).reshape(3, 2) * 10
    _check_function("x.reshape(3, 2) of a (2, 3) x", ReshapeBackward(x.reshape(3, 2), x, 3, 2), g, [g.reshape(2, 3)])
    _check_function("x.transpose() of a (2, 3) x", TransposeBackward(x.transpose(), x), g, [g.T])
    _check_function("x[[0, 0]] (row 0 picked twice)", GetitemBackward(x[[0, 0]], x, [0, 0]), np.ones((2, 3)), [[[2, 2, 2], [0, 0, 0]]])
    print("✅ Shape backward works!")


test_unit_shape_functions()

# %% [markdown]
# ## Activations
#
# An activation's forward was called as `activation.forward(x)`, so its Function is built as
# `ReLUBackward(output, activation, x)`. The derivatives, with `s` and `t` the forward's
# outputs (saved in `self.output`, no need to recompute):
#
# | activation | derivative |
# |---|---|
# | relu | 1 where x > 0, else 0 |
# | sigmoid | s * (1 - s) |
# | tanh | 1 - t**2 |
# | gelu | 0.5 (1 + tanh u) + 0.5 x (1 - tanh(u)**2) sqrt(2/pi) (1 + 3 * 0.044715 x**2), u as in the forward |
# | softmax | s * (g - sum(g * s)) along dim, for incoming gradient g (each output depends on every input of its row) |

# %%
#| export
class ActivationBackward(Function):
    """Base for activations: the forward was activation.forward(x); x is the only input."""

    def __init__(self, output, activation, x):
        super().__init__(output, x)
        self.activation = activation


class ReLUBackward(ActivationBackward):
    """relu(x): the gradient flows back only where x > 0.

    TODO: return (grad_output * (x > 0),), x being self.inputs[0].data.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        return (grad_output * (x.data > 0),)
        ### END SOLUTION


class SigmoidBackward(ActivationBackward):
    """sigmoid(x): its derivative s (1 - s) needs only the forward's output s.

    TODO: s = self.output; return (grad_output * s * (1 - s),).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        s = self.output
        return (grad_output * s * (1 - s),)
        ### END SOLUTION


class TanhBackward(ActivationBackward):
    """tanh(x): its derivative 1 - t**2 needs only the forward's output t.

    TODO: t = self.output; return (grad_output * (1 - t**2),).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        t = self.output
        return (grad_output * (1 - t * t),)
        ### END SOLUTION


class GELUBackward(ActivationBackward):
    """gelu(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x**3).

    TODO: with t = tanh(u) recomputed from the input x (self.inputs[0].data), return
          (grad_output * (0.5 (1 + t) + 0.5 x (1 - t**2) sqrt(2/pi) (1 + 3 * 0.044715 x**2)),).
    TRAP: the 3 in 3 * 0.044715 x**2 (the derivative of x**3); without it the gradient is only
          slightly off near 0 but 20-40% off for x around -2.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (x,) = self.inputs
        x = x.data
        c = float(np.sqrt(2 / np.pi))  # a Python float: float32 stays float32
        t = np.tanh(c * (x + 0.044715 * x * x * x))  # x * x * x: x ** 3 is a much slower general power
        return (grad_output * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)),)
        ### END SOLUTION


class SoftmaxBackward(ActivationBackward):
    """softmax(x) along self.activation.dim.

    TODO: s = self.output; return (s * (grad_output - (grad_output * s).sum(along that dim, keepdims=True)),).
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        s = self.output
        return (s * (grad_output - (grad_output * s).sum(axis=self.activation.dim, keepdims=True)),)
        ### END SOLUTION

# %%
#| test
def test_unit_activation_functions():
    print("🧪 Unit Test: activation backward (called directly)...")
    x = Tensor([-2.0, -0.5, 0.5, 2.0])
    g = np.array([1.0, 2.0, 3.0, 4.0])
    s, t = 1 / (1 + np.exp(-x.data)), np.tanh(x.data)
    u = np.sqrt(2 / np.pi) * (x.data + 0.044715 * x.data ** 3)
    gelu = 0.5 * (1 + np.tanh(u)) + 0.5 * x.data * (1 - np.tanh(u) ** 2) * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * x.data ** 2)
    for activation, function, expected in [(ReLU(), ReLUBackward, g * (x.data > 0)), (Sigmoid(), SigmoidBackward, g * s * (1 - s)),
                                           (Tanh(), TanhBackward, g * (1 - t * t)), (GELU(), GELUBackward, g * gelu)]:
        name = f"{type(activation).__name__} at x = [-2, -0.5, 0.5, 2], grad_output [1, 2, 3, 4]"
        _check_function(name, function(activation(x), activation, x), g, [expected])
    rows = Tensor([[1.0, 2.0, 3.0]])
    p = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    _check_function("Softmax of [[1, 2, 3]], grad_output [[1, 0, 0]]", SoftmaxBackward(Softmax()(rows), Softmax(), rows),
                    [[1.0, 0.0, 0.0]], [[p * ([1, 0, 0] - p[0])]])
    print("✅ Activation backward works!")


test_unit_activation_functions()

# %% [markdown]
# ## Losses
#
# A loss's Function is built as `MSEBackward(output, loss, predictions, targets)`. Only the
# predictions need a gradient; the targets are data. `grad_output` is a scalar (1 when the
# loss is the start of `backward()`), and every loss is a mean over `N` items, hence the `/ N`:
#
# - MSE: `2 * (pred - target) / N`, with N the number of elements;
# - cross-entropy over logits: `(softmax(logits) - one_hot(targets)) / N`, with N the batch size.
#   This beautifully simple form is why frameworks fuse softmax and cross-entropy;
# - binary cross-entropy: `(p - t) / (p * (1 - p)) / N`, with `p` clipped as in the forward.

# %%
#| export
class LossBackward(Function):
    """Base for losses: the forward was loss.forward(predictions, targets)."""

    def __init__(self, output, loss, predictions, targets):
        super().__init__(output, predictions)
        self.loss = loss
        self.targets = np.asarray(_data(targets), dtype=np.float32)


class MSEBackward(LossBackward):
    """mean((predictions - targets)**2): the gradient is 2 (predictions - targets) / N.

    TODO: return (grad_output * 2 * diff / diff.size,), diff = predictions.data - self.targets.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (predictions,) = self.inputs
        diff = predictions.data - self.targets
        return (grad_output * 2 * diff / diff.size,)
        ### END SOLUTION


class CrossEntropyBackward(LossBackward):
    """Cross-entropy of logits (N, C) and class indices (N,).

    TODO: softmax of the logits (subtract each row's max before exp), minus 1 at each row's
          target class, divided by N; return (grad_output * that,).
    TRAP: self.targets are float32 here (LossBackward converts them): index with
          self.targets.astype(np.int64), or NumPy raises an IndexError.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (logits,) = self.inputs
        n = len(self.targets)
        e = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))
        grad = e / e.sum(axis=1, keepdims=True)                  # softmax(logits)
        grad[np.arange(n), self.targets.astype(np.int64)] -= 1   # minus one_hot(targets)
        return (grad_output * grad / n,)
        ### END SOLUTION


class BCEBackward(LossBackward):
    """Binary cross-entropy of probabilities p and 0/1 targets t.

    TODO: clip p to [eps, 1 - eps] as the forward did, then return
          (grad_output * (p - t) / (p * (1 - p)) / N,), N the number of elements.
    TRAP: eps lives on the loss object: self.loss.eps. Without the clip, p = 0 or 1 divides by 0.
    """

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        (probabilities,) = self.inputs
        eps = self.loss.eps
        p = np.clip(probabilities.data, eps, 1 - eps)
        return (grad_output * (p - self.targets) / (p * (1 - p)) / p.size,)
        ### END SOLUTION

# %%
#| test
def test_unit_loss_functions():
    print("🧪 Unit Test: loss backward (called directly, grad_output 1)...")
    pred, target = Tensor([[1.0, 2.0], [3.0, 5.0]]), Tensor([[1.0, 0.0], [4.0, 5.0]])
    _check_function("MSELoss of [[1, 2], [3, 5]] vs [[1, 0], [4, 5]]", MSEBackward(MSELoss()(pred, target), MSELoss(), pred, target),
                    1.0, [2 * (pred.data - target.data) / 4])
    logits, classes = Tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]), np.array([2, 0])
    p = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
    _check_function("CrossEntropyLoss of [[1, 2, 3], [1, 1, 1]], targets [2, 0]",
                    CrossEntropyBackward(CrossEntropyLoss()(logits, classes), CrossEntropyLoss(), logits, classes),
                    1.0, [(p - np.eye(3)[classes]) / 2])
    probs, bits = Tensor([0.2, 0.9]), np.array([0.0, 1.0])
    _check_function("BinaryCrossEntropyLoss of p = [0.2, 0.9], targets [0, 1]",
                    BCEBackward(BinaryCrossEntropyLoss()(probs, bits), BinaryCrossEntropyLoss(), probs, bits),
                    1.0, [(probs.data - bits) / (probs.data * (1 - probs.data)) / 2])
    print("✅ Loss backward works!")


test_unit_loss_functions()

# %% [markdown]
# # Part 2: the engine, switching it on, checking it (about 1.5-2 hours)
#
# Every Function works on its own now. Part 2 connects them: `backward()` calls them in the
# right order, `enable_autograd()` makes every operation record its Function, and `gradcheck`
# checks whole networks against finite differences.

# %% [markdown]
# ## The engine: `backward()`
#
# `loss.backward()` must call every Function's `backward` **after** all the gradients of its
# output have arrived: a tensor used twice (say `h` feeds two branches) receives two
# contributions, and they are **added** (the multivariable chain rule). A *topological order*
# guarantees this: list the tensors so that every tensor comes after everything it was computed
# from, then walk that list backwards.
#
# Leaf tensors (those created by you, like weights, not by an operation) that have
# `requires_grad=True` receive their total in `.grad`. A second `backward()` adds to `.grad`
# (so gradients of several losses can be combined): that is why training loops call
# `optimizer.zero_grad()`.

# %%
#| export
def _graph_order(root):
    """Every tensor `root` was computed from (needing a gradient), each after its inputs.

    A depth-first search: a tensor is appended once all its inputs have been. An explicit stack
    instead of recursion, so deep graphs cannot hit Python's recursion limit.

    TODO: return the list `order`, each tensor once, every tensor after all its inputs.
    APPROACH: a stack of (tensor, inputs_done) pairs, starting with [(root, False)]; pop one:
              - inputs_done: all its inputs are in the order already, append the tensor;
              - else, if not visited yet (compare id(tensor)): mark it, push (tensor, True) back,
                then push (t, False) for each input t of tensor._grad_fn that needs a gradient.
    HINT: a leaf has tensor._grad_fn None: no inputs to push. _needs_grad(t) skips numbers.
    TRAP: without the visited set a tensor used twice (a diamond: h feeds two branches that
          meet again) is listed twice, and a chain of diamonds is walked 2**depth times.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def _backward(self, gradient=None):
    """Tensor.backward: add d(self)/d(leaf) to the .grad of every leaf that requires a gradient.

    `gradient` (same shape as self) is d(loss)/d(self); it may be left out for a scalar (then 1).
    TODO: 1. grads = {id(self): gradient}: the gradient collected so far for each tensor
          2. for each tensor in reversed(_graph_order(self)): take its total gradient;
             a leaf (no _grad_fn) adds it to its .grad (a new Tensor, or .grad + it);
             otherwise give each input its share: _grad_fn.backward(grad) (None: no share), then
             _unbroadcast to the input's shape, added to what the input already has.
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
    ### BEGIN SOLUTION
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
    ### END SOLUTION

# %% [markdown]
# ## Switching it on: `enable_autograd()`
#
# Your `Tensor.__add__` from module 01 computes `a + b` and forgets how. `enable_autograd()`
# replaces it (and every other operation) by a version that calls the original and then, if any
# input requires a gradient, marks the result `requires_grad=True` and attaches its Function as
# `result._grad_fn`. Modules 01 to 04 need no change: this is "monkey-patching". This module
# calls it when imported, so `import tinytorch` gives you a Tensor with gradients.
#
# Calling it again wraps the *original* methods again rather than the wrapped ones, so it is safe
# to repeat. It records the Function classes as they are when it runs: **after fixing a
# Function, re-run the cell below** (which calls `enable_autograd()`), or the operations keep
# using the old, broken class.
#
# `no_grad()` switches recording off: evaluation and optimizer updates then build no graph, which
# saves time and memory. The switch lives on the `Tensor` class, the one thing every copy of
# this module patches, so there is exactly one switch.

# %%
#| export
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

# %% [markdown]
# ## Checking gradients: finite differences
#
# How do you know a backward is right? Nudge the input and watch the output:
# `df/dx ≈ (f(x + eps) - f(x - eps)) / (2 eps)` (central differences, error of order eps²).
# `gradcheck` does this for every element of every input and compares with autograd. To check
# a function with many outputs at once, it differentiates `sum(weights * f(x))` with fixed random
# weights (a plain sum would hide bugs: the outputs of a softmax always sum to 1, so that sum's
# gradient is 0 whatever your backward does). Tensors are float32, so eps is 1e-2, and a
# gradient passes when it is within `atol + rtol * |numerical|` = 0.01 + 1% of the numerical one.
# The 0.01 is absolute: a gradient of 0.02 may be off by half and pass. So the checks use inputs
# large enough for the gradients to be large (a formula error at x = 2 is not hidden by 0.01),
# and test the formulas directly too (Part 1's tests).

# %%
#| export
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

# %% [markdown]
# ## Unit tests

# %%
#| test
from tito.checks import case


def test_unit_add_mul_backward():
    print("🧪 Unit Test: backward of + and *...")
    a = Tensor([2.0, 3.0], requires_grad=True)
    b = Tensor([4.0, 5.0], requires_grad=True)
    (a * b + a).sum().backward()
    assert a.grad is not None and b.grad is not None, "after backward(), a.grad and b.grad must be set"
    assert np.allclose(a.grad.data, [5, 6]), f"d/da sum(a*b + a) for a=[2, 3], b=[4, 5]: expected b + 1 = [5, 6], got {np.round(a.grad.data, 4).tolist()}"
    assert np.allclose(b.grad.data, [2, 3]), f"d/db sum(a*b + a) for a=[2, 3], b=[4, 5]: expected a = [2, 3], got {np.round(b.grad.data, 4).tolist()}"
    print("✅ + and * backward work!")


def test_unit_broadcast_backward():
    print("🧪 Unit Test: gradients summed over broadcast axes...")
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    bias = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x + bias).sum().backward()
    assert bias.grad.shape == (3,), f"bias of shape (3,) added to (4, 3): bias.grad must have shape (3,), got {bias.grad.shape}"
    assert np.allclose(bias.grad.data, [4, 4, 4]), f"bias used in 4 rows: expected grad [4, 4, 4], got {np.round(bias.grad.data, 4).tolist()}"
    print("✅ Broadcast gradients work!")


def test_unit_matmul_backward():
    print("🧪 Unit Test: matmul backward...")
    a = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = Tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    (a @ b).sum().backward()
    assert np.allclose(a.grad.data, [[11, 15], [11, 15]]), f"d/da sum(a @ b): expected ones @ b.T = [[11, 15], [11, 15]], got {np.round(a.grad.data, 4).tolist()}"
    assert np.allclose(b.grad.data, [[4, 4], [6, 6]]), f"d/db sum(a @ b): expected a.T @ ones = [[4, 4], [6, 6]], got {np.round(b.grad.data, 4).tolist()}"
    print("✅ Matmul backward works!")


def test_unit_gradcheck_mlp():
    print("🧪 Unit Test: a small network, checked by finite differences...")
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)))
    w1 = Tensor(rng.standard_normal((3, 5)) * 0.5, requires_grad=True)
    b1 = Tensor(np.zeros(5), requires_grad=True)
    w2 = Tensor(rng.standard_normal((5, 2)) * 0.5, requires_grad=True)
    targets = np.array([0, 1, 1, 0])
    with case("CrossEntropyLoss(Tanh(x @ w1 + b1) @ w2), inputs 0, 1, 2 = w1, b1, w2"):
        gradcheck(lambda w1, b1, w2: CrossEntropyLoss()(Tanh()(x @ w1 + b1) @ w2, targets), w1, b1, w2)
    print("✅ The network's gradients match finite differences!")


test_unit_add_mul_backward()
test_unit_broadcast_backward()
test_unit_matmul_backward()
test_unit_gradcheck_mlp()

# %% [markdown]
# ## Try it

# %%
x = Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
w = Tensor([[0.5], [-1.0]], requires_grad=True)
loss = ReLU()(x @ w).sum()
loss.backward()
print("loss", loss.item(), "\nx.grad", x.grad, "\nw.grad", w.grad)

# %% [markdown]
# The graph YOUR autograd recorded for that loss, with the gradient `backward()` left in each
# leaf: read it right to left, the way the gradients travelled.

# %%
from IPython.display import SVG, display
from tito import svg

names = {id(x): "x", id(w): "w"}
order = _graph_order(loss)
column = {}
for t in order:  # inputs come first, so each tensor's column is one more than its inputs' largest
    inputs = [i for i in (t._grad_fn.inputs if t._grad_fn else ()) if _needs_grad(i)]
    column[id(t)] = 1 + max((column[id(i)] for i in inputs), default=-1)
nodes = {id(t): (column[id(t)], [names.get(id(t), type(t._grad_fn).__name__.replace("Backward", "")) + f" {t.shape}",
                                 f"grad {np.round(t.grad.data, 2).tolist()}" if t.grad is not None else f"value {np.round(t.data, 2).tolist()}"[:24]])
         for t in order}
edges = [(id(i), id(t)) for t in order if t._grad_fn for i in t._grad_fn.inputs if _needs_grad(i)]
display(SVG(svg.graph(nodes, edges, "loss = relu(x @ w).sum(): the graph and the leaves' gradients")))

# %%
#| hidden
from tito.checks import case, expect_error


def _param(shape, seed, low=-1.0, high=1.0):
    """A small input that requires a gradient, values in [low, high)."""
    return Tensor(np.random.default_rng(seed).uniform(low, high, shape), requires_grad=True)


def _away_from(values, point, margin=0.1):
    """Push values at least `margin` away from `point` (for kinks like relu at 0 or ties in max)."""
    return np.where(np.abs(values - point) < margin, point + np.sign(values - point + 1e-12) * margin, values)


def test_hidden_gradcheck_arithmetic():
    for name, fn, shapes in [("a + b", lambda a, b: a + b, [(2, 3), (2, 3)]), ("a - b", lambda a, b: a - b, [(2, 3), (3,)]),
                             ("a * b", lambda a, b: a * b, [(2, 3), (2, 1)]), ("a / b", lambda a, b: a / (b * b + 1), [(3,), (2, 3)]),
                             ("-a", lambda a: -a, [(2, 2)]), ("3 - a / 2 + 1 * a", lambda a: 3 - a / 2 + 1 * a, [(3,)]),
                             ("2 / a", lambda a: 2 / (a * a + 1), [(3,)]), ("exp", lambda a: a.exp(), [(2, 3)]),
                             ("log", lambda a: (a * a + 0.5).log(), [(2, 3)])]:
        inputs = [_param(s, seed) for seed, s in enumerate(shapes)]
        with case(f"gradient of {name} for input shapes {shapes}"):
            gradcheck(fn, *inputs)


def test_hidden_gradcheck_matmul():
    for shapes in [[(3, 4), (4, 2)], [(1, 3), (3, 1)], [(2, 3, 4), (4, 2)], [(2, 3, 4), (2, 4, 5)]]:
        with case(f"gradient of a @ b for shapes {shapes}"):
            gradcheck(lambda a, b: a @ b, _param(shapes[0], 1), _param(shapes[1], 2))


def test_hidden_gradcheck_reductions():
    for name in ["sum", "mean", "max"]:
        for axis, keepdims in [(None, False), (0, False), (1, True), (-1, False), ((0, 2), False), (None, True)]:
            x = _param((2, 3, 4), 3)
            x.data = np.random.default_rng(3).permutation(24).reshape(2, 3, 4).astype(np.float32) * 0.1  # no ties for max
            with case(f"gradient of x.{name}(axis={axis}, keepdims={keepdims}) for x of shape (2, 3, 4)"):
                gradcheck(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), x)


def test_hidden_max_splits_ties():
    x = Tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    x.max().backward()
    assert np.allclose(x.grad.data, [[0, 0.5, 0.5]]), f"max of [[1, 3, 3]] ties: expected grad [[0, 0.5, 0.5]], got {np.round(x.grad.data, 4).tolist()}"


def test_hidden_gradcheck_shape_ops():
    for name, fn, shape in [("reshape(3, 4)", lambda x: x.reshape(3, 4), (2, 6)), ("reshape((-1,))", lambda x: x.reshape((-1,)), (2, 3)),
                            ("transpose()", lambda x: x.transpose(), (2, 3)), ("transpose(0, 2)", lambda x: x.transpose(0, 2), (2, 3, 4)),
                            ("x[1]", lambda x: x[1], (3, 4)), ("x[:, 1:3]", lambda x: x[:, 1:3], (3, 4)),
                            ("x[[0, 0, 2]]", lambda x: x[[0, 0, 2]], (3, 2)), ("x.T of a vector", lambda x: x.transpose(), (3,))]:
        with case(f"gradient of {name} for x of shape {shape}"):
            gradcheck(fn, _param(shape, 4))


def test_hidden_gradcheck_activations():
    for activation in [ReLU(), Sigmoid(), Tanh(), GELU(), Softmax(), Softmax(dim=0)]:
        x = _param((3, 4), 5, -3, 3)
        x.data = _away_from(x.data, 0.0).astype(np.float32)  # relu has a kink at 0
        with case(f"gradient of {type(activation).__name__} for x of shape (3, 4)"):
            gradcheck(lambda x: activation(x), x)


def test_hidden_gradcheck_losses():
    rng = np.random.default_rng(6)
    targets = rng.standard_normal((4, 2))
    classes = np.array([2, 0, 1, 2])
    bits = np.array([1.0, 0.0, 1.0, 1.0])
    for name, fn, x in [("MSELoss", lambda p: MSELoss()(p, Tensor(targets)), _param((4, 2), 7)),
                        ("CrossEntropyLoss", lambda z: CrossEntropyLoss()(z, classes), _param((4, 3), 8, -2, 2)),
                        ("BinaryCrossEntropyLoss", lambda p: BinaryCrossEntropyLoss()(p, bits), _param((4,), 9, 0.2, 0.8))]:
        with case(f"gradient of {name} for predictions of shape {x.shape}"):
            gradcheck(fn, x)


def test_hidden_gradient_shapes_and_dtypes():
    a, b = Tensor(np.ones((2, 1, 3)), requires_grad=True), Tensor(np.ones((4, 1)), requires_grad=True)
    (a * b).sum().backward()
    for name, t in [("a", a), ("b", b)]:
        assert t.grad.shape == t.shape, f"(2, 1, 3) * (4, 1): {name}.grad must have {name}'s shape {t.shape}, got {t.grad.shape}"
        assert t.grad.dtype == np.float32, f"{name}.grad must be float32, got {t.grad.dtype}"
        assert isinstance(t.grad, Tensor) and not t.grad.requires_grad, f"{name}.grad must be a plain Tensor without requires_grad"


def test_hidden_grads_accumulate_and_reuse():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x  # x used twice in one product
    (y + x).sum().backward()
    assert np.allclose(x.grad.data, [3, 5]), f"d/dx sum(x*x + x) for x=[1, 2]: expected 2x + 1 = [3, 5], got {np.round(x.grad.data, 4).tolist()}"
    (x * 3).sum().backward()
    assert np.allclose(x.grad.data, [6, 8]), f"a second backward must ADD to .grad: expected [3, 5] + [3, 3] = [6, 8], got {np.round(x.grad.data, 4).tolist()}"


def test_hidden_no_grad_and_requires_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([1.0, 2.0])
    assert (x * 2).requires_grad, "an operation on a tensor with requires_grad=True must give a result with requires_grad=True"
    assert not (c * 2).requires_grad, "an operation on tensors without requires_grad must not require grad"
    with no_grad():
        y = x * 2
    assert not y.requires_grad, "inside no_grad() results must not require grad"
    assert (x * 2).requires_grad, "after the no_grad() block, recording must be back on"
    assert x.grad is None, f"a tensor never used in backward() must keep grad None, got {x.grad}"


def test_hidden_backward_errors():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    expect_error(RuntimeError, lambda: (x * 2).backward(), "(1, 2)")
    expect_error(RuntimeError, lambda: Tensor([1.0]).sum().backward(), "requires_grad")
    (x * 2).backward(np.ones((1, 2)))
    assert np.allclose(x.grad.data, [[2, 2]]), f"backward(gradient=ones) of x * 2: expected x.grad [[2, 2]], got {np.round(x.grad.data, 4).tolist()}"


def test_hidden_enable_autograd_is_idempotent():
    enable_autograd()
    enable_autograd()
    x = Tensor([3.0], requires_grad=True)
    (x * 2).sum().backward()
    assert np.allclose(x.grad.data, [2]), f"after calling enable_autograd() again, d/dx sum(2x) must still be [2], got {np.round(x.grad.data, 4).tolist()}"
    y = Tensor([1.0], requires_grad=True) + 1
    assert y._grad_fn is not None and not hasattr(Tensor.__add__.untracked, "untracked"), "enable_autograd() twice must not wrap an operation twice"


def test_hidden_gelu_derivative_over_its_whole_range():
    x = np.linspace(-3, 3, 25, dtype=np.float32)
    u = np.sqrt(2 / np.pi) * (x.astype(np.float64) + 0.044715 * x.astype(np.float64) ** 3)
    expected = 0.5 * (1 + np.tanh(u)) + 0.5 * x * (1 - np.tanh(u) ** 2) * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * x.astype(np.float64) ** 2)
    with case("GELU's derivative for x = -3, -2.75, ..., 3"):
        t = Tensor(x, requires_grad=True)
        GELU()(t).sum().backward()
        got = t.grad.data
    worst = int(np.argmax(np.abs(got - expected)))
    assert np.allclose(got, expected, rtol=1e-3, atol=1e-4), \
        f"GELU's derivative at x = {x[worst]:.2f}: expected {expected[worst]:.4f}, got {got[worst]:.4f} (check each factor, the 3 in 1 + 3 * 0.044715 x**2 too)"


def test_hidden_leaf_grads_are_separate_writeable_arrays():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    with case("(a + b).sum().backward()"):
        (a + b).sum().backward()
    assert not np.shares_memory(a.grad.data, b.grad.data), \
        "after (a + b).sum().backward(), a.grad and b.grad share one array: store a copy (grad.copy()) in a leaf's .grad"
    assert a.grad.data.flags.writeable, \
        "after (a + b).sum().backward(), a.grad and b.grad must be writeable arrays of their own (an optimizer or clip_grad_norm changes them in place): store grad.copy()"
    with case("a second (a + b).sum().backward()"):
        (a + b).sum().backward()
    assert np.allclose(a.grad.data, [2, 2]) and np.allclose(b.grad.data, [2, 2]), \
        f"two (a + b).sum().backward(): expected a.grad = b.grad = [2, 2], got {np.round(a.grad.data, 4).tolist()} and {b.grad.data.tolist()}"


def test_hidden_graph_order_visits_a_diamond_once():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    out = (h * 3 + h * 4).sum()  # a diamond: h feeds two branches that meet again
    with case("_graph_order of the diamond h = x * 2; (h * 3 + h * 4).sum()"):
        order = _graph_order(out)
    ids = [id(t) for t in order]
    assert ids.count(id(h)) == 1 and ids.count(id(x)) == 1, \
        f"_graph_order of a diamond (h = x * 2 used by h * 3 and h * 4): h is listed {ids.count(id(h))} times and x {ids.count(id(x))} times, expected once each (keep a visited set)"
    assert ids.index(id(x)) < ids.index(id(h)) < ids.index(id(out)) and len(order) == 6, \
        f"_graph_order of the diamond: expected 6 tensors, each after its inputs (x, h, ..., out), got {len(order)} with x at {ids.index(id(x))}, h at {ids.index(id(h))}, out at {ids.index(id(out))}"
    with case("the diamond's backward()"):
        out.backward()
    assert np.allclose(x.grad.data, [14, 14]), f"d/dx sum(h * 3 + h * 4), h = 2x: expected 14 (2 * (3 + 4)), got {np.round(x.grad.data, 4).tolist()}"


def test_hidden_bce_gradient_at_the_clip():
    p = Tensor([0.0, 1.0, 1e-9, 0.5], requires_grad=True)
    t = np.array([1.0, 0.0, 1.0, 0.0])
    loss = BinaryCrossEntropyLoss()
    with case("BinaryCrossEntropyLoss at the clip (p = 0, 1, 1e-9, 0.5, targets 1, 0, 1, 0)"), np.errstate(all="ignore"):
        loss(p, t).backward()
        got = p.grad.data
    clipped = np.clip(p.data, loss.eps, 1 - loss.eps)  # float32, as the forward clips
    expected = (clipped - t) / (clipped * (1 - clipped)) / 4
    wide = np.clip(p.data.astype(np.float64), loss.eps, 1 - loss.eps)  # clipping in float64 is right too
    assert np.all(np.isfinite(got)) and (np.allclose(got, expected, rtol=1e-3)
                                         or np.allclose(got, (wide - t) / (wide * (1 - wide)) / 4, rtol=1e-3)), \
        (f"BinaryCrossEntropyLoss at the clip (p = 0, 1, 1e-9, 0.5): expected the gradient of the clipped p (eps = loss.eps), "
         f"{np.round(expected, 1).tolist()}, got {np.round(got, 1).tolist()}")


test_hidden_gelu_derivative_over_its_whole_range()
test_hidden_leaf_grads_are_separate_writeable_arrays()
test_hidden_graph_order_visits_a_diamond_once()
test_hidden_bce_gradient_at_the_clip()
test_hidden_gradcheck_arithmetic()
test_hidden_gradcheck_matmul()
test_hidden_gradcheck_reductions()
test_hidden_max_splits_ties()
test_hidden_gradcheck_shape_ops()
test_hidden_gradcheck_activations()
test_hidden_gradcheck_losses()
test_hidden_gradient_shapes_and_dtypes()
test_hidden_grads_accumulate_and_reuse()
test_hidden_no_grad_and_requires_grad()
test_hidden_backward_errors()
test_hidden_enable_autograd_is_idempotent()

# %% [markdown]
# ## Systems: what a backward pass costs
#
# **Memory.** To send gradients back, every Function keeps what its backward needs: its output
# array (`self.output`) and its inputs. So from the forward pass until `backward()` is done, the
# graph holds every intermediate result of the network: the *activations*. Their size grows with
# the batch; the weights' size does not. Below, YOUR autograd on a 784-128-10 network: the bytes
# the graph keeps alive (every recorded Function's output) against the weights' bytes.
#
# **Time.** Backward does about twice the work of forward for a layer whose input needs a
# gradient (one matrix product for the weight, one for the input) and about the same for a first
# layer, where the input is data (your `MatmulBackward` skips it).

# %%
from tito.systems import best_time

rng = np.random.default_rng(0)
w1, b1 = Tensor(rng.standard_normal((784, 128)) * 0.05, requires_grad=True), Tensor(np.zeros(128), requires_grad=True)
w2, b2 = Tensor(rng.standard_normal((128, 10)) * 0.05, requires_grad=True), Tensor(np.zeros(10), requires_grad=True)
weight_bytes = sum(p.data.nbytes for p in [w1, b1, w2, b2])


def mlp_loss(x, y):
    return CrossEntropyLoss()(ReLU()(x @ w1 + b1) @ w2 + b2, y)


def graph_bytes(loss):
    """Bytes the graph keeps alive: the output array of every recorded Function."""
    return sum(t._grad_fn.output.nbytes for t in _graph_order(loss) if t._grad_fn is not None)


print(f"weights: {weight_bytes:,} bytes")
print(f"{'batch':>6} {'graph keeps (bytes)':>20} {'x weights':>10} {'backward / forward time':>24}")
for batch in [16, 64, 256]:
    x, y = Tensor(rng.standard_normal((batch, 784))), rng.integers(0, 10, batch)
    forward = best_time(lambda: mlp_loss(x, y), repeat=5)
    loss = mlp_loss(x, y)
    backward = best_time(loss.backward, repeat=5)  # (each call adds to .grad again: fine for timing)
    kept = graph_bytes(loss)
    print(f"{batch:>6} {kept:>20,} {kept / weight_bytes:>10.2f} {backward / forward:>23.1f}x")

# %% [markdown]
# ## Reflect
#
# Answer in the cell below, run it; `%tito module complete 06` checks the answers against your code.
#
# 1. When the batch grows from 64 to 256, how many times as many bytes does the graph of the
#    network above keep alive? (Read your table, or reason: which arrays have a batch axis?)
# 2. In a first layer `x @ w1`, where `x` is data (no `requires_grad`) and `w1` is a weight, how
#    many matrix products does your `MatmulBackward.backward` compute?
# 3. How many times does `gradcheck` call `fn` to check a single input of shape `(3, 4)`?
#    (Once to get autograd's gradient, then ... per element.)

# %%
#| answers
answers = {
    "autograd_graph_bytes_batch_64_to_256": 4,   # 1. how many times as many bytes
    "autograd_first_layer_backward_matmuls": 1,  # 2. matrix products in the backward of x @ w1
    "autograd_gradcheck_calls_3x4": 1 + 2 * 12,  # 3. calls of fn for one (3, 4) input
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_graph_memory_grows_with_the_batch():
    rng = np.random.default_rng(1)
    w = Tensor(rng.standard_normal((784, 128)) * 0.05, requires_grad=True)
    v = Tensor(rng.standard_normal((128, 10)) * 0.05, requires_grad=True)

    def kept(batch):
        loss = CrossEntropyLoss()(ReLU()(Tensor(rng.standard_normal((batch, 784))) @ w) @ v, rng.integers(0, 10, batch))
        return sum(t._grad_fn.output.nbytes for t in _graph_order(loss) if t._grad_fn is not None)

    check_answer(answers, "autograd_graph_bytes_batch_64_to_256", kept(256) / kept(64),
                 "every array the graph keeps (except the loss itself) has one row per sample: 4 times the batch, "
                 "how many times the bytes?", tolerance=0.02)


def test_reflect_first_layer_backward_matmuls():
    x, w = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)), requires_grad=True)
    grads = MatmulBackward(x @ w, x, w).backward(np.ones((2, 4), dtype=np.float32))
    check_answer(answers, "autograd_first_layer_backward_matmuls", sum(g is not None for g in grads),
                 "each gradient your MatmulBackward returns (not None) is one matrix product; x needs none")


def test_reflect_gradcheck_calls():
    calls = []

    def fn(t):
        calls.append(1)
        return t * 2

    gradcheck(fn, Tensor(np.ones((3, 4)), requires_grad=True))
    check_answer(answers, "autograd_gradcheck_calls_3x4", len(calls),
                 "one call for the forward that backward() differentiates, then each of the 12 elements is nudged "
                 "up and down: two calls each")


test_reflect_graph_memory_grows_with_the_batch()
test_reflect_first_layer_backward_matmuls()
test_reflect_gradcheck_calls()

# %% [markdown]
# ## What you built
#
# Reverse-mode automatic differentiation: every operation records a Function, `backward()`
# walks the graph in reverse topological order applying the chain rule, broadcasting is undone
# by summing, and `gradcheck` proves each derivative right. Next, module 07 uses `.grad` to
# update weights.

# %% [markdown]
# # Module 01: Tensor, the foundation of everything
#
# Every neural network is arrays of numbers flowing through arithmetic. In this module you
# build `Tensor`, the one data structure the rest of TinyTorch is made of.
#
# **You've built:** nothing yet, this is where it starts (NumPy does the number crunching).
# **You'll build:** a `Tensor` class: float32 data, element-wise arithmetic with broadcasting,
# matrix multiplication, reductions (`sum`, `mean`, `max`), `reshape`, `transpose`, indexing.
# **You'll enable:** activations (02), layers (03), losses (04), and later autograd (06),
# which teaches these same operations to compute gradients.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> DataLoader (05)
#     -> Autograd (06) -> Optimizers (07) -> Training (08)
# ```
#
# **Learning objectives**
# 1. Wrap a NumPy array in a class and know why deep learning uses float32.
# 2. Understand broadcasting: how a `(64, 10)` batch and a `(10,)` bias add up.
# 3. Implement matrix multiplication with a shape check that explains itself.
# 4. Implement reductions over an axis, with and without `keepdims`.

# %% [markdown]
# ## The Tensor class
#
# A `Tensor` holds its numbers in `.data`, a NumPy array of **float32**. Why float32 and not
# Python floats or float64? A float32 takes 4 bytes instead of 8, so twice as many numbers fit
# in memory and cache, and the arithmetic is faster; neural networks do not need more than
# about 7 significant digits. Every Tensor converts its input to float32 once, here, so the
# rest of the framework never has to think about dtypes.
#
# `requires_grad` and `grad` are placeholders for now: module 06 (autograd) fills them in.
#
# Arithmetic on Tensors is **element-wise** and follows NumPy's **broadcasting** rules. Compare
# the shapes from the right; two sizes are compatible when they are equal or one of them is 1
# (a missing dimension counts as 1). The size-1 dimension is stretched, without copying:
#
# ```
# x      (64, 10)     a batch of 64 rows
# bias       (10,)    one row, reused for every sample  ->  result (64, 10)
# ```
#
# When shapes do not broadcast (say `(2, 3)` and `(4,)`), say so clearly: a learner who sees
# both shapes in the error message knows at once what went wrong.
#
# **Your work: 10 methods, one cell each.** The class below is given: it stores the data,
# prints itself, and adds (`__add__`). Each method you write comes in its own cell further
# down, as a plain function whose first argument is `self`, then attached to the class:
#
# ```python
# def __sub__(self, other):
#     ...
#
# Tensor.__sub__ = __sub__   # now every Tensor, old or new, has `-`
# ```
#
# A class is an object like any other: give it an attribute that is a function and every
# instance has that method. (The reference `tinytorch/core/tensor.py`, and the file
# `tito module complete` writes from your cells, have them all inside the class, as you would
# write it in a file.) Write a method, run its cell, run the test under it; Run All stops at the
# test of the first method you have not written yet: that is where you are. Re-running the class
# cell makes a new class without your methods: run the cells below it again (Run All does).

# %%
#| export
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


# %% [markdown]
# ## Unit tests: construction and broadcasting
#
# Each test prints what it checks. An assert that fails tells you the input, what was
# expected, and what your code returned. These two pass already: they test the class as given.

# %%
#| test
def test_unit_tensor_creation():
    print("🧪 Unit Test: Tensor creation...")
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3), f"Tensor([[1, 2, 3], [4, 5, 6]]).shape: expected (2, 3), got {t.shape}"
    assert t.size == 6, f"Tensor([[1, 2, 3], [4, 5, 6]]).size: expected 6, got {t.size}"
    assert t.dtype == np.float32, f"Tensor data must be float32, got {t.dtype}"
    assert t.grad is None and t.requires_grad is False, f"new Tensor: expected grad None and requires_grad False, got {t.grad}, {t.requires_grad}"
    print("✅ Tensor creation works!")


def test_unit_broadcasting():
    print("🧪 Unit Test: broadcasting...")
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    bias = Tensor([10, 20, 30])
    got = x + bias
    expected = np.array([[11, 22, 33], [14, 25, 36]], dtype=np.float32)
    assert got.shape == (2, 3), f"(2, 3) + (3,): expected shape (2, 3), got {got.shape}"
    assert np.allclose(got.data, expected), f"x + bias: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    print("✅ Broadcasting works!")


test_unit_tensor_creation()
test_unit_broadcasting()

# %% [markdown]
# Broadcasting, drawn by `+`: the grey row of `bias` is not stored anywhere, NumPy reuses
# the one row it has for every row of `x`.

# %%
from IPython.display import SVG, display
from tito import svg

x, bias = Tensor([[1, 2, 3], [4, 5, 6]]), Tensor([10, 20, 30])
display(SVG(svg.arrays([{"label": "x (2, 3)", "values": x.data.tolist()}, "+",
                        {"label": "bias (3,), stretched", "values": [bias.data.tolist()] * 2, "faded": {(1, 0), (1, 1), (1, 2)}}, "=",
                        {"label": "x + bias (2, 3)", "values": (x + bias).data.tolist()}], "Broadcasting: (2, 3) + (3,)")))

# %% [markdown]
# ## Step 1: `-`, `*` and `/`, one cell each

# %%
#| export
def __sub__(self, other):
    """Element-wise self - other, with broadcasting.

    TODO: follow __add__ in the class above: unwrap a Tensor, check the shapes, compute with NumPy.
    """
    ### BEGIN SOLUTION
    other = other.data if isinstance(other, Tensor) else other
    _check_broadcastable(self.data, other, "-")
    return Tensor(self.data - other)
    ### END SOLUTION


Tensor.__sub__ = __sub__

# %%
#| test
def test_unit_subtraction():
    print("🧪 Unit Test: a - b...")
    a, b = Tensor([1, 2, 3]), Tensor([4, 5, 6])
    for name, got, expected in [("a - b", a - b, [-3, -3, -3]), ("a - 1", a - 1, [0, 1, 2]), ("10 - a", 10 - a, [9, 8, 7])]:
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert np.allclose(got.data, expected), f"{name} for a=[1, 2, 3], b=[4, 5, 6]: expected {expected}, got {np.round(got.data, 4).tolist()}"
    print("✅ Subtraction works!")


test_unit_subtraction()

# %%
#| export
def __mul__(self, other):
    """Element-wise self * other (not matrix multiplication), with broadcasting.

    TODO: as __sub__, with *.
    """
    ### BEGIN SOLUTION
    other = other.data if isinstance(other, Tensor) else other
    _check_broadcastable(self.data, other, "*")
    return Tensor(self.data * other)
    ### END SOLUTION


Tensor.__mul__ = __mul__

# %%
#| test
def test_unit_multiplication():
    print("🧪 Unit Test: a * b...")
    a, b = Tensor([1, 2, 3]), Tensor([4, 5, 6])
    for name, got, expected in [("a * b", a * b, [4, 10, 18]), ("a * 2", a * 2, [2, 4, 6]), ("2 * a", 2 * a, [2, 4, 6])]:
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert np.allclose(got.data, expected), f"{name} for a=[1, 2, 3], b=[4, 5, 6]: expected {expected}, got {np.round(got.data, 4).tolist()}"
    print("✅ Multiplication works!")


test_unit_multiplication()

# %%
#| export
def __truediv__(self, other):
    """Element-wise self / other, with broadcasting.

    TODO: as __sub__, with /.
    """
    ### BEGIN SOLUTION
    other = other.data if isinstance(other, Tensor) else other
    _check_broadcastable(self.data, other, "/")
    return Tensor(self.data / other)
    ### END SOLUTION


Tensor.__truediv__ = __truediv__

# %%
#| test
def test_unit_division():
    print("🧪 Unit Test: a / b...")
    a, b = Tensor([1, 2, 3]), Tensor([4, 5, 6])
    for name, got, expected in [("a / b", a / b, [0.25, 0.4, 0.5]), ("a / 2", a / 2, [0.5, 1, 1.5]), ("6 / a", 6 / a, [6, 3, 2])]:
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert np.allclose(got.data, expected), f"{name} for a=[1, 2, 3], b=[4, 5, 6]: expected {expected}, got {np.round(got.data, 4).tolist()}"
    print("✅ Division works!")


test_unit_division()

# %% [markdown]
# ## Step 2: matrix multiplication
#
# `a @ b` for `a` of shape `(n, k)` and `b` of shape `(k, m)` gives `(n, m)`: entry `[i, j]` is
# the dot product of row `i` of `a` with column `j` of `b`. The inner sizes `k` must match,
# which is the most common bug in a neural network. That is why `_validate_matmul_shapes`
# exists: an error like `matmul shape mismatch: (64, 784) @ (128, 10)` points straight at it.

# %%
#| export
def _validate_matmul_shapes(self, other):
    """Raise a ValueError naming both shapes unless self @ other is defined.

    TODO: both tensors need at least 2 dimensions, and the inner sizes must match:
          (..., n, k) @ (..., k, m): the LAST size of self against the SECOND-TO-LAST of other.
    TRAP: other.shape[0] is the second-to-last size only for 2-D tensors; batched products
          such as (2, 3, 4) @ (2, 4, 5) are valid and must pass: use shape[-1] and shape[-2].
    HINT: put both shapes in the message, e.g. "matmul shape mismatch: (2, 3) @ (4, 5): ..."
    """
    ### BEGIN SOLUTION
    if len(self.shape) < 2 or len(other.shape) < 2:
        raise ValueError(f"matmul needs tensors with at least 2 dimensions, got {self.shape} @ {other.shape} "
                         f"(reshape a vector to (1, n) or (n, 1))")
    if self.shape[-1] != other.shape[-2]:
        raise ValueError(f"matmul shape mismatch: {self.shape} @ {other.shape}: the inner sizes "
                         f"{self.shape[-1]} and {other.shape[-2]} must be equal")
    ### END SOLUTION


Tensor._validate_matmul_shapes = _validate_matmul_shapes

# %%
#| test
from tito.checks import case


def test_unit_matmul_shape_check():
    print("🧪 Unit Test: which shapes @ accepts...")
    for sa, sb in [((2, 3), (3, 4)), ((2, 3, 4), (2, 4, 5)), ((5, 3, 4), (4, 2))]:
        with case(f"_validate_matmul_shapes of {sa} @ {sb}, a valid product"):
            Tensor(np.ones(sa))._validate_matmul_shapes(Tensor(np.ones(sb)))
    for sa, sb in [((2, 3), (4, 5)), ((3,), (3, 2))]:
        try:
            Tensor(np.ones(sa))._validate_matmul_shapes(Tensor(np.ones(sb)))
        except ValueError as error:
            assert str(sa) in str(error) and str(sb) in str(error), f"the error for {sa} @ {sb} must name both shapes, got: {error}"
        else:
            raise AssertionError(f"{sa} @ {sb} must raise a ValueError")
    print("✅ The shape check works!")


test_unit_matmul_shape_check()

# %%
#| export
def matmul(self, other):
    """Matrix product self @ other: (n, k) @ (k, m) -> (n, m); leading batch dimensions broadcast.

    TODO: wrap `other` in a Tensor if it is not one, check the shapes with
          _validate_matmul_shapes, then return a Tensor of self.data @ other.data.
    APPROACH: result[i, j] = sum over k of self[i, k] * other[k, j]. Three nested Python
              loops compute exactly that, hundreds of times slower than NumPy's `@`, which
              runs the same sum in optimized C (the Systems section measures it).
    TRAP: other may be a plain list, e.g. t @ [[1, 0], [0, 1]]: a list has no .shape, so
          wrap it with Tensor(other) first.
    """
    ### BEGIN SOLUTION
    other = other if isinstance(other, Tensor) else Tensor(other)
    self._validate_matmul_shapes(other)
    return Tensor(self.data @ other.data)
    ### END SOLUTION


Tensor.matmul = matmul

# %%
#| test
def test_unit_matrix_multiplication():
    print("🧪 Unit Test: matrix multiplication...")
    a = Tensor([[1, 2], [3, 4]])
    b = Tensor([[5, 6], [7, 8]])
    got = a @ b
    expected = np.array([[19, 22], [43, 50]], dtype=np.float32)
    assert np.allclose(got.data, expected), f"a @ b for a={a.data.tolist()}, b={b.data.tolist()}: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"
    got = Tensor(np.ones((2, 3))).matmul(Tensor(np.ones((3, 4))))
    assert got.shape == (2, 4), f"(2, 3) @ (3, 4): expected shape (2, 4), got {got.shape}"
    with case("batched (2, 3, 4) @ (2, 4, 5)"):
        got = Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((2, 4, 5)))  # a batch of two (3, 4) @ (4, 5) products
    assert got.shape == (2, 3, 5), f"batched (2, 3, 4) @ (2, 4, 5): expected shape (2, 3, 5), got {got.shape}"
    with case("a @ [[1, 0], [0, 1]] (a list)"):
        got = a @ [[1, 0], [0, 1]]  # a plain list on the right
    assert isinstance(got, Tensor) and np.allclose(got.data, a.data), f"a @ [[1, 0], [0, 1]] (a list): expected a Tensor equal to a, got {got!r}"
    try:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    except ValueError as error:
        assert "(2, 3)" in str(error) and "(4, 5)" in str(error), f"the error must name both shapes (2, 3) and (4, 5), got: {error}"
    else:
        raise AssertionError("(2, 3) @ (4, 5) must raise a ValueError")
    print("✅ Matrix multiplication works!")


test_unit_matrix_multiplication()

# %% [markdown]
# ## Try it
#
# A tiny demo: a batch of two samples times a weight matrix, plus a bias that broadcasts.

# %%
x = Tensor([[1, 2], [3, 4]])
w = Tensor([[1, 0, 1], [0, 1, 1]])
b = Tensor([0.5, 0.5, 0.5])
print(x @ w + b)

# %% [markdown]
# Rows times columns, computed by YOUR `@`: entry `[0, 1]` of the product is row 0 of `a` times
# column 1 of `b`, multiplied element by element and added up.

# %%
a, b = Tensor([[1, 2, 3], [4, 5, 6]]), Tensor([[1, 0], [0, 1], [1, 1]])
c = a @ b
display(SVG(svg.arrays([{"label": "a (2, 3)", "values": a.data.tolist(), "marked": {(0, 0), (0, 1), (0, 2)}}, "@",
                        {"label": "b (3, 2)", "values": b.data.tolist(), "marked": {(0, 1), (1, 1), (2, 1)}}, "=",
                        {"label": "a @ b (2, 2)", "values": c.data.tolist(), "marked": {(0, 1)}}], "Matrix product: row i times column j")))
print(f"(a @ b)[0, 1] = 1*0 + 2*1 + 3*1 = {c.data[0, 1]:g}")

# %% [markdown]
# ## Step 3: reductions
#
# `sum`, `mean` and `max` collapse an axis. For a batch `x` of shape `(batch, features)`,
# `x.sum(axis=0)` sums over the batch (shape `(features,)`), `x.sum(axis=1)` sums each sample's
# features (shape `(batch,)`). With `keepdims=True` the reduced axis stays with size 1, shape
# `(batch, 1)`, so `x / x.sum(axis=1, keepdims=True)` divides every row by its own total.
# You will use exactly that for softmax in module 02.
#
# `sum` and `max` are also the names of Python's own functions: their cells end with `del`, so
# the notebook keeps Python's `sum([1, 2])` and `max(3, 4)` once the Tensor has its methods.

# %%
#| export
def sum(self, axis=None, keepdims=False):
    """Sum of the elements: all of them (axis=None), or along `axis` (an int or tuple).

    keepdims=True keeps the reduced axes with size 1, so the result still broadcasts
    against the input: x - x.sum(axis=1, keepdims=True) works row by row.
    TODO: use NumPy's sum with the same arguments and wrap the result in a Tensor.
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.sum(axis=axis, keepdims=keepdims))
    ### END SOLUTION


Tensor.sum = sum
del sum  # the name stays Python's own sum(); the Tensor keeps its method

# %%
#| test
def test_unit_sum():
    print("🧪 Unit Test: sum...")
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    with case("sum() of [[1, 2, 3], [4, 5, 6]]"):
        assert np.isclose(x.sum().data, 21), f"expected 21, got {x.sum().data}"
    assert np.allclose(x.sum(axis=0).data, [5, 7, 9]), f"sum(axis=0): expected [5, 7, 9], got {np.round(x.sum(axis=0).data, 4).tolist()}"
    assert x.sum(axis=1, keepdims=True).shape == (2, 1), f"sum(axis=1, keepdims=True) of (2, 3): expected shape (2, 1), got {x.sum(axis=1, keepdims=True).shape}"
    print("✅ sum works!")


test_unit_sum()

# %%
#| export
def mean(self, axis=None, keepdims=False):
    """Average of the elements, over everything or along `axis` (like sum).

    TODO: as sum, with NumPy's mean.
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.mean(axis=axis, keepdims=keepdims))
    ### END SOLUTION


Tensor.mean = mean

# %%
#| test
def test_unit_mean():
    print("🧪 Unit Test: mean...")
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    with case("mean(axis=1) of [[1, 2, 3], [4, 5, 6]]"):
        assert np.allclose(x.mean(axis=1).data, [2, 5]), f"expected [2, 5], got {np.round(x.mean(axis=1).data, 4).tolist()}"
    assert np.isclose(x.mean().data, 3.5), f"mean() of [[1, 2, 3], [4, 5, 6]]: expected 3.5, got {x.mean().data}"
    print("✅ mean works!")


test_unit_mean()

# %%
#| export
def max(self, axis=None, keepdims=False):
    """Largest element, over everything or along `axis` (like sum).

    TODO: as sum, with NumPy's max.
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.max(axis=axis, keepdims=keepdims))
    ### END SOLUTION


Tensor.max = max
del max  # Python's own max() stays usable

# %%
#| test
def test_unit_max():
    print("🧪 Unit Test: max...")
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    with case("max(axis=0) of [[1, 2, 3], [4, 5, 6]]"):
        assert np.allclose(x.max(axis=0).data, [4, 5, 6]), f"expected [4, 5, 6], got {np.round(x.max(axis=0).data, 4).tolist()}"
    assert np.isclose(x.max().data, 6), f"max() of [[1, 2, 3], [4, 5, 6]]: expected 6, got {x.max().data}"
    print("✅ max works!")


test_unit_max()

# %% [markdown]
# Which way does an axis reduce? `axis=0` runs DOWN the rows (one result per column); `axis=1`
# runs ACROSS each row (one result per row). Drawn with YOUR `sum`:

# %%
x = Tensor([[1, 2, 3], [4, 5, 6]])
display(SVG(svg.arrays([{"label": "x (2, 3)", "values": x.data.tolist(), "marked": {(0, 0), (1, 0)}}, "->",
                        {"label": "x.sum(axis=0) (3,)", "values": x.sum(axis=0).data.tolist(), "marked": {(0, 0)}}],
                       "axis=0: down each column")))
display(SVG(svg.arrays([{"label": "x (2, 3)", "values": x.data.tolist(), "marked": {(0, 0), (0, 1), (0, 2)}}, "->",
                        {"label": "x.sum(axis=1) (2,)", "values": [[v] for v in x.sum(axis=1).data.tolist()], "marked": {(0, 0)}}],
                       "axis=1: across each row")))

# %% [markdown]
# ## Step 4: shapes

# %%
#| export
def reshape(self, *shape):
    """The same numbers in a new shape: t.reshape(2, 3) or t.reshape((2, 3)); -1 infers one size.

    TODO: accept both call styles, check the sizes fit (clear ValueError naming both
          shapes), and reshape with NumPy.
    HINT: reshape(2, 3) gives shape == (2, 3); reshape((2, 3)) gives shape == ((2, 3),):
          unpack a single tuple or list. NumPy's own error does not name the old shape:
          catch its ValueError and raise yours with both shapes.
    """
    ### BEGIN SOLUTION
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return Tensor(self.data.reshape(shape))
    except ValueError:
        raise ValueError(f"cannot reshape a tensor of shape {self.shape} ({self.size} elements) "
                         f"into shape {shape}") from None
    ### END SOLUTION


Tensor.reshape = reshape

# %%
#| test
def test_unit_reshape():
    print("🧪 Unit Test: reshape...")
    x = Tensor(np.arange(6))
    with case("reshape(2, 3) of a (6,) tensor"):
        assert x.reshape(2, 3).shape == (2, 3), f"expected shape (2, 3), got {x.reshape(2, 3).shape}"
    with case("reshape((3, -1)) of a (6,) tensor: one tuple argument"):
        assert x.reshape((3, -1)).shape == (3, 2), f"expected shape (3, 2), got {x.reshape((3, -1)).shape}"
    print("✅ reshape works!")


test_unit_reshape()

# %%
#| export
def transpose(self, dim0=-2, dim1=-1):
    """Swap two dimensions (by default the last two: the matrix transpose).

    A tensor with fewer than 2 dimensions is returned unchanged (as a new Tensor).
    TODO: return a Tensor of np.swapaxes(self.data, dim0, dim1), or of self.data itself
          when it has fewer than 2 dimensions (swapaxes would raise there).
    """
    ### BEGIN SOLUTION
    if self.data.ndim < 2:
        return Tensor(self.data)
    return Tensor(np.swapaxes(self.data, dim0, dim1))
    ### END SOLUTION


Tensor.transpose = transpose

# %%
#| test
def test_unit_transpose():
    print("🧪 Unit Test: transpose, indexing...")
    m = Tensor(np.arange(6).reshape(2, 3))
    with case("transpose() of [[0, 1, 2], [3, 4, 5]]"):
        assert np.array_equal(m.transpose().data, [[0, 3], [1, 4], [2, 5]]), f"got {np.round(m.transpose().data, 4).tolist()}"
    assert np.array_equal(m[1].data, [3, 4, 5]), f"m[1] of {m.data.tolist()}: expected [3, 4, 5], got {np.round(m[1].data, 4).tolist()}"
    print("✅ transpose works!")


test_unit_transpose()

# %%
#| hidden
from tito.checks import case, expect_error


def test_hidden_dtype_is_float32():
    for data in [3, 2.5, [1, 2], np.array([1, 2], dtype=np.int64), np.array([1.0], dtype=np.float64), [True, False]]:
        t = Tensor(data)
        assert t.dtype == np.float32, f"Tensor({data!r}).dtype: expected float32, got {t.dtype}"
    for name, got in [("a + b", Tensor([1.0]) + Tensor([2.0])), ("a * 2.5", Tensor([1.0]) * 2.5), ("a @ b", Tensor([[1.0]]) @ Tensor([[2.0]])),
                      ("a.sum()", Tensor([1.0, 2.0]).sum()), ("a.mean()", Tensor([1, 2]).mean()), ("1 / a", 1 / Tensor([2.0]))]:
        assert got.dtype == np.float32, f"{name} must stay float32, got {got.dtype}"


def test_hidden_tensor_from_tensor_and_scalar():
    t = Tensor(Tensor([1, 2]))
    assert np.array_equal(t.data, [1, 2]) and isinstance(t.data, np.ndarray), f"Tensor(Tensor([1, 2])).data: expected array [1, 2], got {t.data!r}"
    s = Tensor(5)
    assert s.shape == () and s.item() == 5.0, f"Tensor(5): expected shape () and item() 5.0, got {s.shape} and {s.item()}"


def test_hidden_non_numeric_data():
    expect_error(TypeError, lambda: Tensor("hello"), "hello")
    expect_error(TypeError, lambda: Tensor(["a", "b"]), "'a'")
    expect_error(TypeError, lambda: Tensor(None), "None")


def test_hidden_reverse_and_unary_ops():
    a = Tensor([1.0, 2.0, 4.0])
    for name, got, expected in [("2 + a", 2 + a, [3, 4, 6]), ("2 * a", 2 * a, [2, 4, 8]), ("8 / a", 8 / a, [8, 4, 2]),
                                ("1 - a", 1 - a, [0, -1, -3]), ("-a", -a, [-1, -2, -4]), ("a.exp()", a.exp(), np.exp([1, 2, 4])),
                                ("a.log()", a.log(), np.log([1, 2, 4]))]:
        assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
        assert np.allclose(got.data, expected, rtol=1e-5), f"{name} for a=[1, 2, 4]: expected {list(expected)}, got {np.round(got.data, 4).tolist()}"


def test_hidden_broadcasting_shapes():
    for sa, sb in [((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)), ((), (2, 2)), ((5, 1), (5, 4))]:
        a, b = np.arange(np.prod(sa), dtype=np.float32).reshape(sa) + 1, np.arange(np.prod(sb), dtype=np.float32).reshape(sb) + 1
        for symbol, got, expected in [("+", Tensor(a) + Tensor(b), a + b), ("-", Tensor(a) - Tensor(b), a - b),
                                      ("*", Tensor(a) * Tensor(b), a * b), ("/", Tensor(a) / Tensor(b), a / b)]:
            assert got.shape == expected.shape, f"a {symbol} b for shapes {sa} and {sb}: expected shape {expected.shape}, got {got.shape}"
            assert np.allclose(got.data, expected), f"a {symbol} b for shapes {sa} and {sb}: expected {expected.tolist()}, got {np.round(got.data, 4).tolist()}"


def test_hidden_broadcasting_errors():
    for symbol, op in [("+", lambda a, b: a + b), ("-", lambda a, b: a - b), ("*", lambda a, b: a * b), ("/", lambda a, b: a / b)]:
        expect_error(ValueError, lambda: op(Tensor(np.ones((2, 3))), Tensor(np.ones(4))), "(2, 3)", "(4,)")


def test_hidden_matmul():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)
    got = Tensor(a) @ Tensor(b)
    assert got.shape == (3, 2) and np.allclose(got.data, a @ b, atol=1e-5), f"(3, 4) @ (4, 2): expected {(a @ b).tolist()}, got {np.round(got.data, 4).tolist()}"
    batched = Tensor(np.ones((5, 3, 4))) @ Tensor(np.ones((4, 2)))
    assert batched.shape == (5, 3, 2) and np.allclose(batched.data, 4), f"(5, 3, 4) @ (4, 2): expected shape (5, 3, 2) of 4s, got {batched.shape}"
    got = Tensor(a).matmul(b)  # a plain array works too
    assert np.allclose(got.data, a @ b, atol=1e-5), f"Tensor.matmul(ndarray): expected {(a @ b).tolist()}, got {np.round(got.data, 4).tolist()}"
    expect_error(ValueError, lambda: Tensor(np.ones((64, 784))) @ Tensor(np.ones((128, 10))), "(64, 784)", "(128, 10)")
    expect_error(ValueError, lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 2))), "(3,)", "(3, 2)")


def test_hidden_reductions():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 7
    t = Tensor(x)
    for axis in [None, 0, 1, 2, -1, (0, 2)]:
        for keepdims in [False, True]:
            for name in ["sum", "mean", "max"]:
                with case(f"{name}(axis={axis}, keepdims={keepdims}) of shape (2, 3, 4)"):
                    got = getattr(t, name)(axis=axis, keepdims=keepdims)
                expected = getattr(x, name)(axis=axis, keepdims=keepdims)
                assert isinstance(got, Tensor), f"{name} must return a Tensor, got {type(got).__name__}"
                assert got.shape == np.shape(expected), f"{name}(axis={axis}, keepdims={keepdims}) of shape (2, 3, 4): expected shape {np.shape(expected)}, got {got.shape}"
                assert np.allclose(got.data, expected), f"{name}(axis={axis}, keepdims={keepdims}) of shape (2, 3, 4): expected {np.asarray(expected).tolist()}, got {np.round(got.data, 4).tolist()}"


def test_hidden_reshape_transpose_getitem():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(x)
    assert np.array_equal(t.reshape(4, -1).data, x.reshape(4, -1)), f"reshape(4, -1) of (2, 3, 4): expected shape (4, 6), got {t.reshape(4, -1).shape}"
    expect_error(ValueError, lambda: t.reshape(5, 5), "(2, 3, 4)", "(5, 5)")
    assert np.array_equal(t.transpose().data, np.swapaxes(x, -2, -1)), f"transpose() of (2, 3, 4): expected shape (2, 4, 3), got {t.transpose().shape}"
    assert np.array_equal(t.transpose(0, 2).data, np.swapaxes(x, 0, 2)), f"transpose(0, 2) of (2, 3, 4): expected shape (4, 3, 2), got {t.transpose(0, 2).shape}"
    assert Tensor([1, 2, 3]).transpose().shape == (3,), f"transpose() of a (3,) vector: expected it unchanged, got shape {Tensor([1, 2, 3]).transpose().shape}"
    for index in [0, (1, 2), (slice(None), 1), ([0, 1, 0],), (Ellipsis, 3)]:
        assert np.array_equal(t[index].data, x[index]), f"t[{index}] of shape (2, 3, 4): expected {x[index].tolist()}, got {np.round(t[index].data, 4).tolist()}"


def test_hidden_repr():
    text = repr(Tensor([1.5, 2.0]))
    assert "Tensor" in text and "1.5" in text, f"repr(Tensor([1.5, 2.0])) should show the class and the values, got {text!r}"


test_hidden_dtype_is_float32()
test_hidden_tensor_from_tensor_and_scalar()
test_hidden_non_numeric_data()
test_hidden_reverse_and_unary_ops()
test_hidden_broadcasting_shapes()
test_hidden_broadcasting_errors()
test_hidden_matmul()
test_hidden_reductions()
test_hidden_reshape_transpose_getitem()
test_hidden_repr()

# %% [markdown]
# ## Systems: what your Tensor costs
#
# Everything below runs on YOUR `Tensor`. First memory: every element of `.data` is a float32,
# 4 bytes, so a batch of 64 MNIST images (784 pixels each) is `64 * 784 * 4` bytes. The same
# numbers as NumPy's default float64 take twice as much.

# %%
batch = Tensor(np.zeros((64, 784)))
print(f"Tensor (64, 784): {batch.data.nbytes:,} bytes as {batch.dtype}; "
      f"as float64: {np.zeros((64, 784)).nbytes:,} bytes ({np.zeros((64, 784)).nbytes / batch.data.nbytes:g}x)")

# %% [markdown]
# Then time. A matrix product `(n, k) @ (k, m)` computes `n * m` entries, each a sum of `k`
# products: `n * k * m` multiply-adds, `2 * n * k * m` floating-point operations (FLOPs).
# Below, the same product as three Python loops (the definition, written out) against your
# `@`, for square matrices of growing size `n`. Read the ratios, not the seconds: seconds differ
# 50-100x between a laptop and the browser, the ratios much less.

# %%
from tito.systems import best_time


def matmul_loops(a, b):
    """(n, k) @ (k, m) by the definition: out[i][j] = sum over p of a[i][p] * b[p][j]."""
    n, k, m = len(a), len(b), len(b[0])
    out = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += a[i][p] * b[p][j]
            out[i][j] = total
    return out


print(f"{'n':>4} {'FLOPs':>10} {'loops (s)':>10} {'your @ (s)':>11} {'loops / @':>10} {'loops time vs n/2':>18}")
previous = None
for n in [16, 32, 64]:
    a = np.random.default_rng(n).standard_normal((n, n)).astype(np.float32)
    lists, ta = a.tolist(), Tensor(a)
    assert np.allclose(matmul_loops(lists, lists), (ta @ ta).data, atol=1e-3), "the loops and your @ disagree"
    loops = best_time(lambda: matmul_loops(lists, lists), repeat=1)
    fast = best_time(lambda: ta @ ta, repeat=20)
    growth = f"{loops / previous:.1f}x" if previous else ""
    print(f"{n:>4} {2 * n ** 3:>10,} {loops:>10.4f} {fast:>11.6f} {loops / fast:>9.0f}x {growth:>18}")
    previous = loops

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers; a Python expression such as `64 * 784 * 4` is fine), run it,
# then `%tito module complete 01` checks your answers against your own Tensor.
#
# 1. How many bytes does `Tensor(np.zeros((64, 784))).data` hold?
# 2. How many FLOPs (multiplies plus adds, `2 * n * k * m`) does `(64, 784) @ (784, 128)` take, the
#    first layer of an MNIST network for one batch of 64?
# 3. When `n` doubles, how many times more multiply-adds does an `(n, n) @ (n, n)` product do?
#    (Compare with the "loops time vs n/2" column above.)

# %%
#| answers
answers = {
    "tensor_bytes_64x784": 64 * 784 * 4,        # 1. bytes of Tensor(np.zeros((64, 784))).data
    "matmul_flops_64x784x128": 2 * 64 * 784 * 128,  # 2. FLOPs of (64, 784) @ (784, 128)
    "matmul_growth_when_n_doubles": 8,          # 3. how many times more work when n doubles
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_tensor_bytes():
    check_answer(answers, "tensor_bytes_64x784", Tensor(np.zeros((64, 784))).data.nbytes,
                 "count the elements (64 x 784), then multiply by the bytes of one element of your Tensor's dtype (float32: 4)")


def test_reflect_matmul_flops():
    out = Tensor(np.ones((64, 784))) @ Tensor(np.ones((784, 128)))  # each entry sums 784 products of ones
    check_answer(answers, "matmul_flops_64x784x128", 2 * out.size * out.data[0, 0],
                 "the result has 64 x 128 entries; each is a sum of 784 products (784 multiplies and about "
                 "784 adds): 2 * n * k * m")


def test_reflect_matmul_growth():
    work = [(lambda out: out.size * out.data[0, 0])(Tensor(np.ones((n, n))) @ Tensor(np.ones((n, n)))) for n in (8, 16)]
    check_answer(answers, "matmul_growth_when_n_doubles", work[1] / work[0],
                 "n * n * n multiply-adds: doubling n doubles each of the three factors")


test_reflect_tensor_bytes()
test_reflect_matmul_flops()
test_reflect_matmul_growth()

# %% [markdown]
# ## What you built
#
# A `Tensor` with float32 data, broadcasting arithmetic that names shapes when they do not fit,
# matrix multiplication, reductions and shape operations. Next, module 02 uses it to build the
# activation functions that make networks non-linear.

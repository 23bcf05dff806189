# %% [markdown]
# # Module 09: Convolutions, seeing with shared weights
#
# A `Linear` layer connects every pixel to every neuron. Move a digit two pixels to the right and
# every one of those connections sees something new: what the network learned about a "7" in the
# middle of the image says nothing about a "7" in the corner. A **convolution** slides one small
# filter over the whole image instead: the same few weights look at every position, so a pattern
# learned in one place is recognized everywhere. That one idea, weight sharing, is what made
# Yann LeCun's networks read handwritten cheques in the 1990s.
#
# **You've built:** `Tensor` (01), activations (02), `Layer`, `Linear`, `Sequential` (03), losses
# (04), the DataLoader (05), autograd with `Function`s and `gradcheck` (06), optimizers (07) and
# the training loop (08).
# **You'll build:** `conv2d_loops` (the convolution as plain loops: the definition), `conv2d`
# (the same result, vectorised with im2col), the layers `Conv2d`, `MaxPool2d`, `AvgPool2d`,
# `BatchNorm2d` and `Flatten`, and a backward `Function` for each new operation.
# **You'll enable:** convolutional networks: milestone 04 replays LeCun's CNN (1998) and shows it
# beating an MLP of the same size on digits that moved.
#
# ```
# Tensor (01) -> Activations (02) -> Layers (03) -> Losses (04) -> DataLoader (05)
#     -> Autograd (06) -> Optimizers (07) -> Training (08) -> [Convolutions (09)]
# ```
#
# **Learning objectives**
# 1. Compute a 2-D convolution by its definition, with stride and padding, and the output size formula.
# 2. Vectorise it: every window becomes a row of a matrix (im2col), the whole convolution one matrix product.
# 3. Write the backward of convolution, pooling and batch normalization, and check each by finite differences.
# 4. Count what weight sharing saves: parameters, and what it costs: multiply-adds and memory.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer
from tinytorch.core.autograd import Function, _needs_grad

# %% [markdown]
# ## Images as tensors: (N, C, H, W)
#
# A batch of images is a 4-D tensor: `N` images, each with `C` **channels** (1 for grey, 3 for
# red-green-blue, or the 8 feature maps an earlier layer produced), `H` rows and `W` columns.
# This is PyTorch's layout; every layer in this module takes and returns it.
#
# A convolution layer holds `out_channels` filters. Each filter is a small block of weights of
# shape `(in_channels, kh, kw)` that looks at all input channels at once, so the weight is
# `(out_channels, in_channels, kh, kw)`, plus one bias per output channel. The filter slides
# over the image; at each position the output is the sum of the element-wise product of the
# filter and the window under it, plus the bias:
#
# ```
# out[n, o, i, j] = bias[o] + sum over c, a, b of  x[n, c, i*s + a, j*s + b] * weight[o, c, a, b]
# ```
#
# **Stride** `s` is how far the filter moves between positions; **padding** `p` adds `p` rows
# and columns of zeros around the image first, so the filter can also centre on the edge pixels.
# The output has `(H + 2p - kh) // s + 1` rows (and the same formula for columns): a 28x28 image,
# a 3x3 filter, padding 1, stride 1 gives 28x28 again; stride 2 gives 14x14.
#
# (Strictly, this is *cross-correlation*: a mathematician's convolution flips the filter first.
# Every deep-learning library computes it this way and calls it convolution; since the filter
# is learned, the flip would make no difference.)
#
# Arguments may be an int (the same for rows and columns) or a pair `(rows, columns)`, as in PyTorch.
# These helpers are given: they turn the arguments into pairs, pad, and refuse what cannot work
# with a message that names the sizes.

# %%
#| export
def _count(value, name):
    """A positive int (a number of channels or features), or a ValueError naming it."""
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _pair(value, name, minimum=1):
    """An int or a pair of ints -> a pair (rows, columns), each at least `minimum`."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an int >= {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_input(x, kernel, padding, what):
    """Refuse an input that is not (N, C, H, W), or smaller than the kernel even after padding."""
    if len(x.shape) != 4:
        raise ValueError(f"{what} expects input of shape (N, C, H, W), got shape {x.shape}")
    height, width = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if kernel[0] > height or kernel[1] > width:
        raise ValueError(f"{what}: the kernel {kernel[0]}x{kernel[1]} is larger than the input {x.shape[2]}x{x.shape[3]} "
                         f"padded by {padding} ({height}x{width}); use a smaller kernel or more padding")


def _pad(x, padding, value=0.0):
    """x (N, C, H, W) with `padding` = (rows, columns) of `value` added on every side.

    What np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value) does, a few times faster.
    """
    (ph, pw), (n, c, h, w) = padding, x.shape
    if ph == pw == 0:
        return x
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _unpad(grad, padding):
    """The gradient of _pad: drop the padded border again."""
    (ph, pw) = padding
    return grad[:, :, ph:grad.shape[2] - ph, pw:grad.shape[3] - pw]

# %% [markdown]
# ## The definition, as loops
#
# First the convolution exactly as the formula says: for every image, every output channel and
# every output position, multiply the window by the filter and add it up. The sum over the window
# (channels, rows, columns) is one NumPy expression; the four loops around it are the lesson.
# It works on plain NumPy arrays: it is the *definition* the fast version will be checked against.

# %%
#| export
def conv2d_loops(x, weight, bias=None, stride=1, padding=0):
    """The convolution of x (N, C, H, W) with weight (O, C, kh, kw), by its definition; NumPy arrays in and out.

    Returns out (N, O, OH, OW) with out[n, o, i, j] = bias[o] + sum(window * weight[o]), where
    window = padded_x[n, :, i*sh : i*sh + kh, j*sw : j*sw + kw], OH = (H + 2*ph - kh) // sh + 1
    (and OW likewise).

    TODO: pad x, make the output array, fill it with four nested loops (n, o, i, j).
    APPROACH: 1. stride, padding = _pair(stride, "stride"), _pair(padding, "padding", minimum=0)
              2. xp = _pad(x, padding); compute OH and OW from xp's size, kh, kw and the stride
              3. out = np.zeros((N, O, OH, OW), dtype=np.float32)
              4. in the loops: window = xp[n, :, i*sh:i*sh + kh, j*sw:j*sw + kw];
                 out[n, o, i, j] = np.sum(window * weight[o]) (+ bias[o] unless bias is None)
    HINT: the window starts at i*sh, not i: with stride 2, output row 1 looks at input rows 2, 3, 4.
    """
    ### BEGIN SOLUTION
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding", minimum=0)
    xp = _pad(x, padding)
    (n_images, _, height, width), (n_filters, _, kh, kw) = xp.shape, weight.shape
    oh, ow = (height - kh) // stride[0] + 1, (width - kw) // stride[1] + 1
    out = np.zeros((n_images, n_filters, oh, ow), dtype=np.float32)
    for n in range(n_images):
        for o in range(n_filters):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
                    out[n, o, i, j] = np.sum(window * weight[o]) + (0.0 if bias is None else bias[o])
    return out
    ### END SOLUTION

# %%
#| test
def test_unit_conv2d_loops():
    print("🧪 Unit Test: conv2d_loops...")
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)  # rows [0..3], [4..7], [8..11], [12..15]
    edge = np.array([[[[1.0, -1.0]]]], dtype=np.float32)  # left pixel minus right pixel: a vertical edge detector
    got = conv2d_loops(x, edge)
    assert got.shape == (1, 1, 4, 3), f"4x4 input, 1x2 filter: expected output shape (1, 1, 4, 3), got {got.shape}"
    assert np.allclose(got, -1.0), f"[1, -1] on rows that grow by 1 per column: expected -1 everywhere, got {got[0, 0].tolist()}"
    box = np.ones((1, 1, 2, 2), dtype=np.float32)
    got = conv2d_loops(x, box, bias=np.array([0.5], dtype=np.float32), stride=2)
    expected = [[0 + 1 + 4 + 5 + 0.5, 2 + 3 + 6 + 7 + 0.5], [8 + 9 + 12 + 13 + 0.5, 10 + 11 + 14 + 15 + 0.5]]
    assert np.allclose(got[0, 0], expected), f"2x2 box filter, stride 2, bias 0.5 on arange(16).reshape(4, 4): expected {expected}, got {got[0, 0].tolist()}"
    got = conv2d_loops(x, box, padding=1)
    assert got.shape == (1, 1, 5, 5) and got[0, 0, 0, 0] == 0.0, \
        f"padding 1 around 4x4 with a 2x2 filter: expected shape (1, 1, 5, 5) with top-left corner 0 (three zeros of padding and x[0, 0] = 0), got shape {got.shape}"
    print("✅ conv2d_loops works!")


test_unit_conv2d_loops()

# %% [markdown]
# ## Fast: every window a column (im2col)
#
# The loops run `N x O x OH x OW` small products in Python: for a batch of 64 MNIST images and 8
# filters that is 400,000 trips through the interpreter. Two changes make it fast.
#
# **Loop over the small thing.** A 3x3 filter has only 9 offsets `(a, b)`. At offset `(a, b)`,
# the windows of all output positions see the pixels `x[:, :, a + i*sh, b + j*sw]`: one strided
# slice, `x[:, :, a : a + sh*OH : sh, b : b + sw*OW : sw]`, of shape `(N, C, OH, OW)`. So 9 slices
# hold every window, and a Python loop of 9 steps replaces one of 400,000. `_windows` stacks
# them: `windows[k]` is element `k = a*kw + b` of every window at once.
#
# **One matrix product.** Rearranged, the windows become a matrix with one column per output
# position, and the whole convolution is a single product, which NumPy runs in optimized C:
#
# ```
# windows  (kh*kw, N, C, OH, OW)     element k of every window, for every channel and position
# cols     (C*kh*kw, N*OH*OW)        one column per output position: its window, flattened   ("im2col")
# weight   (O, C*kh*kw)              one row per filter, flattened in the same (C, kh, kw) order
# out      weight @ cols             (O, N*OH*OW) -> reshape to (O, N, OH, OW) -> transpose to (N, O, OH, OW)
# ```
#
# `cols` holds each input pixel up to `kh*kw` times: that memory is the price of the speed (the
# Systems section measures it).
#
# The backward needs the reverse bookkeeping: each input pixel was in several windows, so its
# gradient is the sum of what each window sends back to it. `_fold` (libraries call it col2im)
# adds `grad_windows[k]` back onto the same strided slice `_windows` took it from, for each `k`.

# %%
#| export
def _windows(x, kernel, stride):
    """Every kernel-sized window of x (N, C, H, W), `stride` apart, as one array (kh*kw, N, C, OH, OW):
    windows[a*kw + b] = x[:, :, a + i*sh, b + j*sw] for all output positions (i, j)."""
    (kh, kw), (sh, sw) = kernel, stride
    oh, ow = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    return np.stack([x[:, :, a:a + sh * oh:sh, b:b + sw * ow:sw] for a in range(kh) for b in range(kw)])


def _fold(grad_windows, shape, kernel, stride, padding=(0, 0)):
    """The gradient of _windows(_pad(x, padding), kernel, stride) for an x of `shape`: add
    grad_windows (kh*kw, N, C, OH, OW) back onto the pixels each element came from, then drop the
    padding's share (padding is a constant: it needs no gradient).

    TODO: element k = a*kw + b of the windows came from xp[:, :, a : a + sh*OH : sh, b : b + sw*OW : sw].
    APPROACH: 1. grad = zeros of the padded shape (N, C, H + 2*ph, W + 2*pw), float32
              2. for k, (a, b) in enumerate(np.ndindex(kh, kw)):
                     grad[:, :, a : a + sh*OH : sh, b : b + sw*OW : sw] += grad_windows[k]
              3. return _unpad(grad, padding)
    HINT: += on a slice adds in place; overlapping windows (stride < kernel) add up, which is the point.
    """
    ### BEGIN SOLUTION
    (n, c, h, w), (ph, pw), (sh, sw), (oh, ow) = shape, padding, stride, grad_windows.shape[3:]
    grad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=np.float32)
    for k, (a, b) in enumerate(np.ndindex(*kernel)):
        grad[:, :, a:a + sh * oh:sh, b:b + sw * ow:sw] += grad_windows[k]
    return _unpad(grad, padding)
    ### END SOLUTION


def _recorded(function, output, *inputs, **options):
    """`output`, with `function(output, *inputs, **options)` recorded as its _grad_fn when
    autograd is on and an input needs a gradient: the rule module 06's enable_autograd applies to
    Tensor operations, for this module's operations (whose weights are inputs too)."""
    if Tensor.grad_enabled and any(_needs_grad(t) for t in inputs):
        output.requires_grad = True
        output._grad_fn = function(output, *inputs, **options)
    return output

# %%
#| test
def test_unit_fold():
    print("🧪 Unit Test: _windows and _fold...")
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    windows = _windows(x, (2, 2), (1, 1))
    assert windows.shape == (4, 1, 1, 3, 3), f"2x2 windows of a 4x4 image, stride 1: expected shape (4, 1, 1, 3, 3), got {windows.shape}"
    assert np.array_equal(windows[:, 0, 0, 1, 2], [6, 7, 10, 11]), f"the window at output position (1, 2) covers x[1:3, 2:4] = [[6, 7], [10, 11]], got {windows[:, 0, 0, 1, 2].tolist()}"
    got = _fold(np.ones(windows.shape, dtype=np.float32), x.shape, (2, 2), (1, 1))
    expected = [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    assert np.array_equal(got[0, 0], expected), f"_fold of all-ones 2x2 windows, stride 1: each pixel gets one per window it is in, expected {expected}, got {got[0, 0].tolist()}"
    got = _fold(np.ones((4, 1, 1, 2, 2), dtype=np.float32), x.shape, (2, 2), (2, 2))
    assert np.array_equal(got[0, 0], np.ones((4, 4))), f"2x2 windows with stride 2 do not overlap: expected ones, got {got[0, 0].tolist()}"
    got = _fold(np.ones((9, 1, 1, 4, 4), dtype=np.float32), x.shape, (3, 3), (1, 1), padding=(1, 1))
    expected = [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]]
    assert got.shape == (1, 1, 4, 4) and np.array_equal(got[0, 0], expected), \
        f"_fold of all-ones 3x3 windows over a 4x4 image padded by 1: expected shape (1, 1, 4, 4) (padding dropped) and counts {expected}, got {got.shape}: {got[0, 0].tolist()}"
    print("✅ _windows and _fold work!")


test_unit_fold()

# %% [markdown]
# ## conv2d: the forward as one matrix product, the backward as two
#
# The forward keeps `cols`: the backward needs it. With `g` the output gradient laid out like
# the output of the product, `(O, N*OH*OW)`, the backward is the matmul rule of module 06 again:
#
# ```
# grad_weight = g @ cols.T                 (O, C*kh*kw) -> reshape to (O, C, kh, kw)
# grad_bias   = grad_output summed over (N, OH, OW): each bias was added at every position of every image
# grad_cols   = weight.T @ g               (C*kh*kw, N*OH*OW) -> back to windows -> _fold
# ```
#
# As in `MatmulBackward`, skip the input's gradient when the input needs none: for the first
# layer of a network (the images themselves) it would cost as much as the whole forward pass.

# %%
#| export
class Conv2dBackward(Function):
    """conv2d(x, weight, bias): keeps the forward's im2col matrix `cols` (C*kh*kw, N*OH*OW)."""

    def __init__(self, output, x, weight, bias, stride, padding, cols):
        super().__init__(output, x, weight, bias)
        self.stride, self.padding, self.cols = stride, padding, cols

    def backward(self, grad_output):
        """Gradients for (x, weight, bias); None for one that needs none. With g the output gradient
        laid out as (O, N*OH*OW): grad_weight = g @ cols.T, grad_bias = grad_output summed over
        (N, OH, OW), grad_x = weight.T @ g folded back onto the input's pixels (col2im).

        TODO: follow the three formulas above, after laying grad_output out as g (O, N*OH*OW).
        APPROACH: 1. g = grad_output.transpose(1, 0, 2, 3).reshape(O, -1): the same column order as cols
                  2. grad_weight = (g @ self.cols.T).reshape(weight.shape); grad_bias = grad_output.sum(axis=(0, 2, 3))
                  3. if x needs a gradient: grad_cols = weight.data.reshape(O, -1).T @ g, reshaped to
                     (C, kh*kw, N, OH, OW) and transposed to windows (kh*kw, N, C, OH, OW); then
                     grad_x = _fold(grad_windows, x.shape, (kh, kw), self.stride, self.padding)
        HINT: _needs_grad(t) is False for None too, so a layer without bias needs no special case.
        """
        x, weight, bias = self.inputs
        ### BEGIN SOLUTION
        n, o, oh, ow = grad_output.shape
        g = grad_output.transpose(1, 0, 2, 3).reshape(o, -1)
        grad_weight = (g @ self.cols.T).reshape(weight.shape) if _needs_grad(weight) else None
        grad_bias = grad_output.sum(axis=(0, 2, 3)) if _needs_grad(bias) else None
        grad_x = None
        if _needs_grad(x):
            c, kh, kw = weight.shape[1:]
            grad_windows = (weight.data.reshape(o, -1).T @ g).reshape(c, kh * kw, n, oh, ow).transpose(1, 2, 0, 3, 4)
            grad_x = _fold(grad_windows, x.shape, (kh, kw), self.stride, self.padding)
        return grad_x, grad_weight, grad_bias
        ### END SOLUTION


def _im2col(x, kernel, stride, padding):
    """The windows of x (N, C, H, W) (an array), padded with 0, as one matrix: returns (cols, (N, OH, OW))
    with cols (C*kh*kw, N*OH*OW), one column per output position, its window flattened in the
    (C, kh, kw) order of a flattened filter.

    TODO: lay the windows out as columns.
    APPROACH: 1. windows = _windows(_pad(x, padding), kernel, stride)   (kh*kw, N, C, OH, OW)
              2. cols = windows.transpose(2, 0, 1, 3, 4).reshape(C*kh*kw, N*OH*OW)
    HINT: the transpose puts the channel first, then the window element: the order (C, kh, kw)
          of a flattened filter, so row r of cols meets column r of the flattened weight.
    """
    ### BEGIN SOLUTION
    windows = _windows(_pad(x, padding), kernel, stride)
    k, n, c, oh, ow = windows.shape
    return windows.transpose(2, 0, 1, 3, 4).reshape(c * k, n * oh * ow), (n, oh, ow)
    ### END SOLUTION


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D convolution of x (N, C, H, W) with weight (O, C, kh, kw) and bias (O,) or None -> (N, O, OH, OW).

    The same result as conv2d_loops, computed as one matrix product with the windows (im2col);
    recorded for autograd (Conv2dBackward). x, weight, bias are Tensors.

    TODO: check the arguments, build cols from the windows of the padded input, multiply.
    APPROACH: 1. stride, padding as pairs; _check_input(x, weight.shape[2:], padding, "conv2d"); if
                 x.shape[1] != weight.shape[1], raise a ValueError naming both shapes and channel counts
              2. cols, (n, oh, ow) = _im2col(x.data, weight.shape[2:], stride, padding)
              3. out = weight.data.reshape(O, -1) @ cols, plus the bias as a column; reshape to
                 (O, N, OH, OW) and transpose to (N, O, OH, OW)
              4. return _recorded(Conv2dBackward, Tensor(out), x, weight, bias,
                                  stride=stride, padding=padding, cols=cols)
    """
    ### BEGIN SOLUTION
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding", minimum=0)
    _check_input(x, weight.shape[2:], padding, "conv2d")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"conv2d: the input of shape {x.shape} has {x.shape[1]} channels, but the weight of shape "
                         f"{weight.shape} expects {weight.shape[1]} (in_channels)")
    cols, (n, oh, ow) = _im2col(x.data, weight.shape[2:], stride, padding)
    out = weight.data.reshape(weight.shape[0], -1) @ cols
    if bias is not None:
        out = out + bias.data[:, None]
    out = out.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3)
    return _recorded(Conv2dBackward, Tensor(out), x, weight, bias, stride=stride, padding=padding, cols=cols)
    ### END SOLUTION

# %%
#| test
def test_unit_conv2d_matches_loops():
    print("🧪 Unit Test: conv2d equals conv2d_loops...")
    rng = np.random.default_rng(0)
    for shape, wshape, stride, padding in [((2, 3, 7, 6), (4, 3, 3, 3), 1, 0), ((2, 3, 7, 6), (4, 3, 3, 2), (2, 1), (1, 0)),
                                           ((1, 1, 5, 5), (2, 1, 5, 5), 1, 0), ((3, 2, 6, 6), (5, 2, 2, 2), 2, 1)]:
        x = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal(wshape).astype(np.float32)
        b = rng.standard_normal(wshape[0]).astype(np.float32)
        expected = conv2d_loops(x, w, b, stride, padding)
        got = conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding)
        assert got.shape == expected.shape, f"conv2d of {shape} with weight {wshape}, stride {stride}, padding {padding}: expected shape {expected.shape}, got {got.shape}"
        assert np.allclose(got.data, expected, atol=1e-4), \
            f"conv2d of {shape} with weight {wshape}, stride {stride}, padding {padding} differs from conv2d_loops by up to {np.abs(got.data - expected).max():.4g}"
    print("✅ conv2d and conv2d_loops agree!")


def test_unit_conv2d_backward():
    print("🧪 Unit Test: conv2d gradients, checked by finite differences...")
    from tinytorch.core.autograd import gradcheck

    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    try:
        gradcheck(lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=1), x, w, b)
    except AssertionError as error:
        raise AssertionError(f"conv2d(x (1, 2, 5, 4), weight (3, 2, 3, 2), bias (3,), stride (2, 1), padding 1), inputs 0, 1, 2 = x, weight, bias: {error}") from None
    print("✅ conv2d's gradients match finite differences!")


test_unit_conv2d_matches_loops()
test_unit_conv2d_backward()

# %%
#| hidden
from tito.checks import expect_error
from tinytorch.core.autograd import gradcheck, no_grad


def _param(shape, seed, low=-1.0, high=1.0):
    """A small input that requires a gradient, values in [low, high)."""
    return Tensor(np.random.default_rng(seed).uniform(low, high, shape), requires_grad=True)


def _gradcheck(name, fn, *inputs):
    try:
        gradcheck(fn, *inputs)
    except AssertionError as error:
        raise AssertionError(f"gradient of {name} for inputs of shapes {[t.shape for t in inputs]} is wrong: {error}") from None


def test_hidden_conv2d_loops_agree_on_rectangles_and_strides():
    rng = np.random.default_rng(2)
    for shape, wshape, stride, padding in [((1, 2, 9, 5), (3, 2, 4, 1), (3, 2), (0, 2)), ((2, 1, 4, 4), (1, 1, 1, 1), 1, 0),
                                           ((1, 3, 6, 8), (2, 3, 3, 3), 3, 2)]:
        x, w = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(wshape).astype(np.float32)
        slow, fast = conv2d_loops(x, w, None, stride, padding), conv2d(Tensor(x), Tensor(w), None, stride, padding).data
        assert slow.shape == fast.shape and np.allclose(slow, fast, atol=1e-4), \
            f"conv2d_loops and conv2d disagree for x {shape}, weight {wshape}, stride {stride}, padding {padding}: shapes {slow.shape} and {fast.shape}"
        assert fast.dtype == np.float32 and slow.dtype == np.float32, f"conv2d outputs must be float32, got {slow.dtype} and {fast.dtype}"
    # a hand-computed one: the loops must be right on their own, not just equal to conv2d
    x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]], [[[0.0, 2.0], [0.0, 0.0]]]], dtype=np.float32)
    b = np.array([1.0, -2.0], dtype=np.float32)
    expected = [[[[-3, -3], [-3, -3]], [[0, 2], [6, 8]]]]
    got = conv2d_loops(x, w, b)
    assert np.allclose(got, expected), f"conv2d_loops of arange(9).reshape(3, 3) with filters [[1, 0], [0, -1]] and [[0, 2], [0, 0]], bias [1, -2]: expected {expected}, got {got.tolist()}"
    got = conv2d(Tensor(x), Tensor(w), Tensor(b)).data
    assert np.allclose(got, expected), f"conv2d of the same: expected {expected}, got {got.tolist()}"


def test_hidden_conv2d_gradients():
    cases = [("conv2d stride 1", lambda x, w, b: conv2d(x, w, b), (1, 3, 3, 4), (2, 3, 2, 3)),
             ("conv2d stride 2, padding (0, 1)", lambda x, w, b: conv2d(x, w, b, 2, (0, 1)), (1, 1, 5, 5), (2, 1, 3, 3)),
             ("conv2d stride (1, 3), padding 2", lambda x, w, b: conv2d(x, w, b, (1, 3), 2), (1, 2, 3, 4), (3, 2, 2, 2))]
    for seed, (name, fn, shape, wshape) in enumerate(cases):
        _gradcheck(name, fn, _param(shape, seed), _param(wshape, seed + 10), _param(wshape[:1], seed + 20))


def test_hidden_conv2d_skips_what_needs_no_gradient():
    x, w = Tensor(np.ones((1, 1, 3, 3))), _param((2, 1, 2, 2), 3)
    conv2d(x, w).sum().backward()
    assert w.grad is not None and np.allclose(w.grad.data, 4.0), f"sum of conv2d of ones (3x3, 2x2 filters): each weight sees 4 windows of ones, expected grad 4, got {w.grad.data.tolist()}"
    assert x.grad is None, "an input without requires_grad must get no gradient"
    with no_grad():
        out = conv2d(_param((1, 1, 3, 3), 4), w)
    assert not out.requires_grad, "inside no_grad() conv2d must not record a graph"


def test_hidden_conv2d_bad_input():
    w = Tensor(np.ones((4, 3, 3, 3)))
    expect_error(ValueError, lambda: conv2d(Tensor(np.ones((2, 1, 8, 8))), w), "(2, 1, 8, 8)", "(4, 3, 3, 3)", "channels")
    expect_error(ValueError, lambda: conv2d(Tensor(np.ones((3, 8, 8))), w), "(N, C, H, W)", "(3, 8, 8)")
    expect_error(ValueError, lambda: conv2d(Tensor(np.ones((1, 3, 2, 2))), w), "3x3", "2x2")
    expect_error(ValueError, lambda: conv2d(Tensor(np.ones((1, 3, 8, 8))), w, stride=0), "stride", "0")
    expect_error(ValueError, lambda: conv2d(Tensor(np.ones((1, 3, 8, 8))), w, padding=-1), "padding", "-1")
    assert conv2d(Tensor(np.ones((1, 3, 1, 1))), w, padding=1).shape == (1, 4, 1, 1), "a 1x1 input padded by 1 fits a 3x3 kernel"


test_hidden_conv2d_loops_agree_on_rectangles_and_strides()
test_hidden_conv2d_gradients()
test_hidden_conv2d_skips_what_needs_no_gradient()
test_hidden_conv2d_bad_input()

# %% [markdown]
# ## The Conv2d layer
#
# The layer holds the weight and bias and calls `conv2d`. Initialization follows `Linear`: each
# output sums `in_channels x kh x kw` products (its *fan-in*), so the weights are drawn from
# `[-1/sqrt(fan_in), 1/sqrt(fan_in)]` and the bias starts at zero.
#
# Count the parameters: `Conv2d(1, 8, 3)` has 8 x 1 x 3 x 3 + 8 = **80**, whatever the image size.
# A `Linear` layer producing the same 8 x 26 x 26 outputs from a 28x28 image would have
# 784 x 5,408 + 5,408 = over 4 million. That is weight sharing.

# %%
#| export
class Conv2d(Layer):
    """A 2-D convolution layer: weight (out_channels, in_channels, kh, kw), bias (out_channels,)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        """Create weight and bias (Tensors with requires_grad=True); keep stride and padding as pairs.

        TODO: store the sizes, then create self.weight uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]
              (fan_in = in_channels * kh * kw) and self.bias = zeros (or None when bias=False).
        HINT: np.random.uniform, as Linear, so np.random.seed makes the weights reproducible.
        """
        self.in_channels, self.out_channels = _count(in_channels, "in_channels"), _count(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride, self.padding = _pair(stride, "stride"), _pair(padding, "padding", minimum=0)
        ### BEGIN SOLUTION
        bound = 1.0 / np.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.weight = Tensor(np.random.uniform(-bound, bound, size=(out_channels, in_channels, *self.kernel_size)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_channels), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x):
        """conv2d of x (N, in_channels, H, W) with this layer's weight, bias, stride and padding.

        TODO: one call of conv2d.
        """
        ### BEGIN SOLUTION
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        ### END SOLUTION

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})")

# %%
#| test
def test_unit_conv2d_layer():
    print("🧪 Unit Test: Conv2d...")
    np.random.seed(0)
    layer = Conv2d(3, 8, 3, padding=1)
    assert layer.weight.shape == (8, 3, 3, 3) and layer.bias.shape == (8,), \
        f"Conv2d(3, 8, 3): expected weight (8, 3, 3, 3) and bias (8,), got {layer.weight.shape} and {layer.bias.shape}"
    assert layer.weight.requires_grad and layer.bias.requires_grad, "weight and bias must be created with requires_grad=True"
    bound = 1 / np.sqrt(3 * 3 * 3)
    assert np.abs(layer.weight.data).max() <= bound + 1e-7 and layer.weight.data.std() > bound / 4, \
        f"Conv2d(3, 8, 3) weights: expected random in [-1/sqrt(27), 1/sqrt(27)] = [-{bound:.3f}, {bound:.3f}], got max |w| {np.abs(layer.weight.data).max():.3f}"
    layer.bias.data[...] = np.arange(8)  # as after training: a zero bias would hide a forgotten bias
    x = Tensor(np.random.randn(2, 3, 5, 5))
    got = layer(x)
    expected = conv2d_loops(x.data, layer.weight.data, layer.bias.data, 1, 1)
    assert got.shape == (2, 8, 5, 5), f"Conv2d(3, 8, 3, padding=1) on (2, 3, 5, 5): expected (2, 8, 5, 5), got {got.shape}"
    assert np.allclose(got.data, expected, atol=1e-4), "Conv2d's output differs from conv2d_loops with its weight and bias"
    assert len(layer.parameters()) == 2 and layer.parameters()[0] is layer.weight, "parameters(): expected [weight, bias]"
    print("✅ Conv2d works!")


test_unit_conv2d_layer()

# %%
#| hidden
def test_hidden_conv2d_layer_options():
    np.random.seed(4)
    layer = Conv2d(2, 3, (3, 1), stride=(2, 1), padding=(1, 0), bias=False)
    assert layer.bias is None and layer.parameters() == [layer.weight], "Conv2d(..., bias=False): expected bias None and parameters() [weight]"
    assert layer.weight.shape == (3, 2, 3, 1), f"Conv2d(2, 3, (3, 1)): expected weight (3, 2, 3, 1), got {layer.weight.shape}"
    x = Tensor(np.random.randn(1, 2, 6, 4))
    expected = conv2d_loops(x.data, layer.weight.data, None, (2, 1), (1, 0))
    assert np.allclose(layer(x).data, expected, atol=1e-4), "Conv2d(2, 3, (3, 1), stride=(2, 1), padding=(1, 0), bias=False) differs from conv2d_loops"
    big = Conv2d(4, 6, 5).weight.data
    assert big.dtype == np.float32 and np.abs(big).max() <= 0.1 + 1e-7 and big.std() > 0.1 / 4, \
        f"Conv2d(4, 6, 5): fan_in = 4 x 5 x 5 = 100, weights must spread over [-0.1, 0.1], got max |w| {np.abs(big).max():.3f}, std {big.std():.4f}"
    np.random.seed(9)
    first = Conv2d(1, 2, 2).weight.data.copy()
    np.random.seed(9)
    assert np.array_equal(first, Conv2d(1, 2, 2).weight.data), "Conv2d init must use np.random, so np.random.seed gives the same weights twice"
    expect_error(ValueError, lambda: Conv2d(1, 8, 3)(Tensor(np.ones((2, 3, 8, 8)))), "(2, 3, 8, 8)", "channels")
    expect_error(ValueError, lambda: Conv2d(1, 8, 0), "kernel_size", "0")
    expect_error(ValueError, lambda: Conv2d(1, 8, (3, 3, 3)), "kernel_size")
    expect_error(ValueError, lambda: Conv2d(0, 8, 3), "in_channels", "0")


def test_hidden_conv2d_layer_trains():
    np.random.seed(5)
    layer = Conv2d(1, 2, 3)
    x = Tensor(np.random.randn(4, 1, 5, 5))
    layer(x).sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad.shape == (2, 1, 3, 3), "Conv2d: backward must fill weight.grad with the weight's shape"
    assert np.allclose(layer.bias.grad.data, 4 * 3 * 3), f"d sum / d bias: 4 images x 3x3 positions = 36 each, got {layer.bias.grad.data.tolist()}"


test_hidden_conv2d_layer_options()
test_hidden_conv2d_layer_trains()

# %% [markdown]
# ## Pooling: keep the strongest response, shrink the map
#
# After a convolution finds its patterns, **pooling** summarises each small neighbourhood with one
# number and shrinks the feature map. `MaxPool2d(2)` keeps the largest value of each 2x2 block:
# the feature map halves in each direction (a quarter of the work for the next layer), and a
# pattern that moves by one pixel often still wins the same block, so the network becomes a
# little less sensitive to exactly where things are. `AvgPool2d` keeps the mean instead.
#
# Pooling has no weights. Its stride defaults to its kernel size (blocks side by side, no
# overlap). Max pooling pads with `-inf`, so padding never wins a window; PyTorch allows at most
# half a kernel of padding, so that every window holds a real value. Average pooling pads with
# zeros and divides by the full window size (PyTorch's default, `count_include_pad=True`).
#
# Both reuse `_windows`: its `kh*kw` elements of every window are stacked on axis 0, so the
# output is the max or mean over axis 0, a few element-wise operations on whole feature maps. The
# backward sends the output gradient back into the windows and `_fold`s them onto the input:
#
# - max: the whole gradient goes to the element that won its window (the first one on a tie, as
#   in PyTorch), nothing to the others;
# - average: every element of a window gets `1 / (kh*kw)` of it.

# %%
#| export
def _pool_arguments(x, kernel_size, stride, padding, what):
    """(kernel, stride, padding) as pairs; stride defaults to the kernel; the input checked."""
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else _pair(stride, "stride")
    padding = _pair(padding, "padding", minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{what}: padding {padding} must be at most half the kernel {kernel}, so every window holds a real value")
    _check_input(x, kernel, padding, what)
    return kernel, stride, padding


class MaxPool2dBackward(Function):
    """max_pool2d(x): keeps which element of each window won (`winner` (N, C, OH, OW), an index k into the window)."""

    def __init__(self, output, x, kernel, stride, padding, winner):
        super().__init__(output, x)
        self.kernel, self.stride, self.padding, self.winner = kernel, stride, padding, winner

    def backward(self, grad_output):
        """The gradient of x: each window's output gradient, at the position of its winner.

        TODO: build the windows' gradient (kh*kw, N, C, OH, OW): grad_output where k is the winner, else 0; _fold it.
        APPROACH: 1. won = np.arange(kh * kw)[:, None, None, None, None] == self.winner   (kh*kw, N, C, OH, OW)
                  2. return (_fold(won * grad_output, x.shape, self.kernel, self.stride, self.padding),)
        """
        (x,) = self.inputs
        ### BEGIN SOLUTION
        (kh, kw) = self.kernel
        won = np.arange(kh * kw)[:, None, None, None, None] == self.winner
        return (_fold(won * grad_output, x.shape, self.kernel, self.stride, self.padding),)
        ### END SOLUTION


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The largest value of each window of x (N, C, H, W) -> (N, C, OH, OW); recorded for autograd.

    TODO: pad with -inf, take the windows, and keep each window's max and which element it was (winner).
    APPROACH: 1. kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding, "max_pool2d")
              2. windows = _windows(_pad(x.data, padding, -np.inf), kernel, stride)   (kh*kw, N, C, OH, OW)
              3. winner = windows.argmax(axis=0); out = windows.max(axis=0)
              4. return _recorded(MaxPool2dBackward, Tensor(out), x, kernel=..., stride=..., padding=..., winner=winner)
    """
    ### BEGIN SOLUTION
    kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding, "max_pool2d")
    windows = _windows(_pad(x.data, padding, -np.inf), kernel, stride)
    winner = windows.argmax(axis=0)
    out = windows.max(axis=0)
    return _recorded(MaxPool2dBackward, Tensor(out), x, kernel=kernel, stride=stride, padding=padding, winner=winner)
    ### END SOLUTION


class AvgPool2dBackward(Function):
    """avg_pool2d(x): keeps the kernel, stride and padding, to fold the gradient back onto the input."""

    def __init__(self, output, x, kernel, stride, padding):
        super().__init__(output, x)
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def backward(self, grad_output):
        """The gradient of x: every element of a window gets 1 / (kh*kw) of the window's output gradient.

        TODO: the windows' gradient is grad_output / (kh*kw), the same for all kh*kw elements; _fold it.
        HINT: np.broadcast_to(share, (kh * kw, *share.shape)) repeats it without copying.
        """
        (x,) = self.inputs
        ### BEGIN SOLUTION
        (kh, kw) = self.kernel
        share = grad_output / (kh * kw)
        grad_windows = np.broadcast_to(share, (kh * kw, *share.shape))
        return (_fold(grad_windows, x.shape, self.kernel, self.stride, self.padding),)
        ### END SOLUTION


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window of x (N, C, H, W) -> (N, C, OH, OW), zero padding counted; recorded for autograd.

    TODO: as max_pool2d, with zero padding, the mean over axis 0 of the windows, and no winner.
    """
    ### BEGIN SOLUTION
    kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding, "avg_pool2d")
    out = _windows(_pad(x.data, padding), kernel, stride).mean(axis=0)
    return _recorded(AvgPool2dBackward, Tensor(out), x, kernel=kernel, stride=stride, padding=padding)
    ### END SOLUTION


class MaxPool2d(Layer):
    """Max pooling: the largest value of each kernel_size window; stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding})"


class AvgPool2d(Layer):
    """Average pooling: the mean of each kernel_size window; stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def __repr__(self):
        return f"AvgPool2d(kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding})"

# %%
#| test
def test_unit_pooling():
    print("🧪 Unit Test: MaxPool2d and AvgPool2d...")
    x = Tensor(np.array([[[[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 2, 2], [-1, 7, 2, 3]]]]), requires_grad=True)
    got = MaxPool2d(2)(x)
    assert got.shape == (1, 1, 2, 2), f"MaxPool2d(2) on 4x4: expected shape (1, 1, 2, 2), got {got.shape}"
    assert np.array_equal(got.data[0, 0], [[4, 5], [7, 3]]), f"MaxPool2d(2): expected the max of each 2x2 block [[4, 5], [7, 3]], got {got.data[0, 0].tolist()}"
    got.sum().backward()
    expected = [[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 1]]
    assert np.array_equal(x.grad.data[0, 0], expected), f"MaxPool2d backward: the gradient goes to each block's max only, expected {expected}, got {x.grad.data[0, 0].tolist()}"
    x.grad = None
    got = AvgPool2d(2)(x)
    assert np.allclose(got.data[0, 0], [[2.5, 1.75], [1.5, 2.25]]), f"AvgPool2d(2): expected the mean of each 2x2 block [[2.5, 1.75], [1.5, 2.25]], got {got.data[0, 0].tolist()}"
    got.sum().backward()
    assert np.allclose(x.grad.data, 0.25), f"AvgPool2d(2) backward: each element gets 1/4 of its block's gradient, got {x.grad.data[0, 0].tolist()}"
    print("✅ Pooling works!")


test_unit_pooling()

# %%
#| hidden
def _distinct(shape, seed):
    """An input that requires a gradient with no two equal values (no ties in a max)."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return Tensor(values, requires_grad=True)


def test_hidden_pooling_gradients():
    for name, fn in [("max_pool2d(x, 2)", lambda x: max_pool2d(x, 2)), ("max_pool2d(x, 3, stride=1, padding=1)", lambda x: max_pool2d(x, 3, 1, 1)),
                     ("max_pool2d(x, (2, 3), stride=(1, 2))", lambda x: max_pool2d(x, (2, 3), (1, 2))),
                     ("avg_pool2d(x, 2)", lambda x: avg_pool2d(x, 2)), ("avg_pool2d(x, 3, stride=2, padding=1)", lambda x: avg_pool2d(x, 3, 2, 1)),
                     ("avg_pool2d(x, (1, 2), stride=1)", lambda x: avg_pool2d(x, (1, 2), 1))]:
        _gradcheck(name, fn, _distinct((1, 2, 4, 5), 6))


def test_hidden_pooling_values():
    x = np.random.default_rng(7).standard_normal((2, 3, 6, 7)).astype(np.float32)
    got = max_pool2d(Tensor(x), 3, stride=2, padding=1).data
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    expected = np.array([[[[padded[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3].max() for j in range(4)] for i in range(3)]
                          for c in range(3)] for n in range(2)])
    assert got.shape == expected.shape and np.allclose(got, expected), f"max_pool2d(x (2, 3, 6, 7), 3, stride 2, padding 1): expected shape {expected.shape} (padding is -inf, never the max), got {got.shape}"
    got = avg_pool2d(Tensor(x), 2, stride=1).data
    expected = (x[:, :, :-1, :-1] + x[:, :, 1:, :-1] + x[:, :, :-1, 1:] + x[:, :, 1:, 1:]) / 4
    assert np.allclose(got, expected, atol=1e-6), "avg_pool2d(x, 2, stride=1): overlapping 2x2 means are wrong"
    got = avg_pool2d(Tensor(np.ones((1, 1, 2, 2))), 2, padding=1).data
    assert np.allclose(got, 0.25), f"avg_pool2d of ones, 2x2 windows, padding 1: each window holds one 1 and three zeros of padding, expected 0.25, got {got.tolist()}"
    assert got.dtype == np.float32, f"pooling must keep float32, got {got.dtype}"


def test_hidden_max_pool_ties_go_to_one():
    x = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad.data.sum() == 1 and x.grad.data[0, 0, 0, 0] == 1, f"max_pool2d on a tie: the whole gradient goes to the first maximum (as PyTorch), got {x.grad.data[0, 0].tolist()}"


def test_hidden_pooling_bad_input():
    expect_error(ValueError, lambda: max_pool2d(Tensor(np.ones((1, 1, 2, 2))), 3), "3x3", "2x2")
    expect_error(ValueError, lambda: MaxPool2d(2, padding=2)(Tensor(np.ones((1, 1, 8, 8)))), "padding", "half")
    expect_error(ValueError, lambda: AvgPool2d(2)(Tensor(np.ones((8, 8)))), "(N, C, H, W)", "(8, 8)")
    expect_error(ValueError, lambda: AvgPool2d(0)(Tensor(np.ones((1, 1, 8, 8)))), "kernel_size", "0")
    assert MaxPool2d(2).parameters() == [] and AvgPool2d(2).parameters() == [], "pooling layers have no parameters"


test_hidden_pooling_gradients()
test_hidden_pooling_values()
test_hidden_max_pool_ties_go_to_one()
test_hidden_pooling_bad_input()

# %% [markdown]
# ## BatchNorm2d: every channel at a steady scale
#
# Deep networks train faster when each layer's inputs keep a steady scale. **Batch
# normalization** (Ioffe and Szegedy, 2015) standardises each channel over the batch and all
# positions, then lets the network pick the scale and shift it wants back:
#
# ```
# mean, var = x's mean and variance per channel, over (N, H, W)        (C,) each
# x_hat     = (x - mean) / sqrt(var + eps)                             every channel: mean 0, variance 1
# out       = weight * x_hat + bias                                    weight (C,) starts at 1, bias (C,) at 0
# ```
#
# In **evaluation** there may be a single image, so batch statistics make no sense: the layer
# uses running averages kept during training instead,
# `running = (1 - momentum) * running + momentum * batch_statistic` (the running variance uses
# the unbiased batch variance, dividing by `m - 1` for `m` values per channel, as PyTorch does).
#
# The backward is a classic exercise in the chain rule, because the mean and variance depend on
# every input. With `m` values per channel and `d = grad_output * weight` (the gradient of `x_hat`):
#
# ```
# grad_x      = (d - mean(d) - x_hat * mean(d * x_hat)) / sqrt(var + eps)     means per channel
# grad_weight = sum(grad_output * x_hat),   grad_bias = sum(grad_output)       sums per channel
# ```
#
# The two subtracted terms are the gradient flowing through the mean and through the variance.
# In evaluation mode the statistics are constants, so only `d / sqrt(var + eps)` is left.

# %%
#| export
class BatchNorm2dBackward(Function):
    """BatchNorm2d on x (N, C, H, W): keeps x_hat, 1/sqrt(var + eps), and whether the batch's statistics were used."""

    def __init__(self, output, x, weight, bias, x_hat, inv_std, batch_statistics):
        super().__init__(output, x, weight, bias)
        self.x_hat, self.inv_std, self.batch_statistics = x_hat, inv_std, batch_statistics

    def backward(self, grad_output):
        """Gradients for (x, weight, bias). With d = grad_output * weight (the gradient of x_hat) and
        means per channel: grad_x = (d - mean(d) - x_hat * mean(d * x_hat)) * inv_std, the two means
        being the gradient through the batch mean and variance; in evaluation the statistics are
        constants, so grad_x = d * inv_std. grad_weight = sum(grad_output * x_hat), grad_bias = sum(grad_output).

        TODO: sums and means are per channel: over axes (0, 2, 3); reshape (C,) arrays to (C, 1, 1) to broadcast.
        APPROACH: 1. grad_weight = (grad_output * x_hat).sum(axes); grad_bias = grad_output.sum(axes)
                  2. d = grad_output * weight[:, None, None]
                  3. with batch statistics: d - mean(d) - x_hat * mean(d * x_hat) (means with keepdims=True);
                     then times inv_std[:, None, None]
        TRAP: in evaluation mode (self.batch_statistics False) the two mean terms must not be there.
        """
        x, weight, bias = self.inputs
        axes = (0, 2, 3)
        ### BEGIN SOLUTION
        grad_weight = (grad_output * self.x_hat).sum(axis=axes)
        grad_bias = grad_output.sum(axis=axes)
        d = grad_output * weight.data[:, None, None]
        if self.batch_statistics:
            d = d - d.mean(axis=axes, keepdims=True) - self.x_hat * (d * self.x_hat).mean(axis=axes, keepdims=True)
        return d * self.inv_std[:, None, None], grad_weight, grad_bias
        ### END SOLUTION


class BatchNorm2d(Layer):
    """Batch normalization per channel of x (N, C, H, W), with learned weight and bias and running statistics."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.num_features = _count(num_features, "num_features")
        self.eps, self.momentum = eps, momentum
        self.weight = Tensor(np.ones(num_features), requires_grad=True)
        self.bias = Tensor(np.zeros(num_features), requires_grad=True)
        self.running_mean = np.zeros(num_features, dtype=np.float32)
        self.running_var = np.ones(num_features, dtype=np.float32)

    def forward(self, x):
        """Normalise each channel (batch statistics in training, running ones in evaluation), then scale and shift.

        TODO: check the shape, choose the statistics (updating the running ones in training), normalise.
        APPROACH: 1. x must be (N, num_features, H, W); training needs more than one value per channel
                  2. training: mean, var = x.data.mean(axes), x.data.var(axes); update running_mean and
                     running_var (the latter with var * m / (m - 1)); evaluation: the running ones
                  3. inv_std = 1 / np.sqrt(var + eps); x_hat = (x.data - mean[:, None, None]) * inv_std[:, None, None]
                  4. out = x_hat * weight + bias (each reshaped to (C, 1, 1)); return _recorded(BatchNorm2dBackward, ...)
        HINT: keep the running statistics float32: assign new arrays, e.g. self.running_mean = (...).astype(np.float32).
        """
        if len(x.shape) != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r} expects input of shape (N, {self.num_features}, H, W), got shape {x.shape}")
        axes = (0, 2, 3)
        ### BEGIN SOLUTION
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{self!r} in training mode needs more than one value per channel to compute a variance, "
                                 f"got input of shape {x.shape}: use a bigger batch, or eval() mode")
            mean, var = x.data.mean(axis=axes), x.data.var(axis=axes)
            self.running_mean = ((1 - self.momentum) * self.running_mean + self.momentum * mean).astype(np.float32)
            self.running_var = ((1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)).astype(np.float32)
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(np.float32)
        x_hat = (x.data - mean[:, None, None]) * inv_std[:, None, None]
        out = x_hat * self.weight.data[:, None, None] + self.bias.data[:, None, None]
        return _recorded(BatchNorm2dBackward, Tensor(out), x, self.weight, self.bias,
                         x_hat=x_hat, inv_std=inv_std, batch_statistics=self.training)
        ### END SOLUTION

    def parameters(self):
        return [self.weight, self.bias]

    def __repr__(self):
        return f"BatchNorm2d({self.num_features}, eps={self.eps}, momentum={self.momentum})"

# %%
#| test
def test_unit_batchnorm2d():
    print("🧪 Unit Test: BatchNorm2d...")
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 3, 4, 4)) * np.array([1.0, 5.0, 0.1])[:, None, None] + np.array([0.0, 3.0, -2.0])[:, None, None])
    layer = BatchNorm2d(3)
    got = layer(x).data
    assert got.shape == (8, 3, 4, 4), f"BatchNorm2d(3) on (8, 3, 4, 4): expected the same shape, got {got.shape}"
    assert np.allclose(got.mean(axis=(0, 2, 3)), 0, atol=1e-4) and np.allclose(got.std(axis=(0, 2, 3)), 1, atol=1e-2), \
        f"in training, each channel's output must have mean 0 and std 1: got means {got.mean(axis=(0, 2, 3)).round(4).tolist()}, stds {got.std(axis=(0, 2, 3)).round(4).tolist()}"
    mean = x.data.mean(axis=(0, 2, 3))
    assert np.allclose(layer.running_mean, 0.1 * mean, atol=1e-5), f"after one batch, running_mean = 0.9 * 0 + 0.1 * batch mean = {(0.1 * mean).round(4).tolist()}, got {layer.running_mean.round(4).tolist()}"
    layer.eval()
    got = layer(x).data
    expected = (x.data - layer.running_mean[:, None, None]) / np.sqrt(layer.running_var[:, None, None] + 1e-5)
    assert np.allclose(got, expected, atol=1e-4), "in eval mode, BatchNorm2d must normalise with the running statistics"
    print("✅ BatchNorm2d works!")


test_unit_batchnorm2d()

# %%
#| hidden
def test_hidden_batchnorm_gradients():
    for training in (True, False):
        layer = BatchNorm2d(2)
        layer.weight.data[...] = [1.5, -0.5]
        layer.bias.data[...] = [0.2, 0.1]
        layer.running_mean[...], layer.running_var[...] = [0.3, -0.2], [2.0, 0.5]
        layer.train(training)
        x = _param((3, 2, 2, 3), 11, -2, 2)

        def forward(x, weight, bias):
            layer.weight, layer.bias = weight, bias
            return layer(x)

        _gradcheck(f"BatchNorm2d in {'training' if training else 'eval'} mode", forward, x, layer.weight, layer.bias)


def test_hidden_batchnorm_running_statistics():
    rng = np.random.default_rng(12)
    layer = BatchNorm2d(2, momentum=0.5)
    batches = [rng.standard_normal((4, 2, 3, 3)).astype(np.float32) * 2 + 1 for _ in range(2)]
    mean, var = np.zeros(2), np.ones(2)
    for batch in batches:
        layer(Tensor(batch))
        mean = 0.5 * mean + 0.5 * batch.mean(axis=(0, 2, 3))
        var = 0.5 * var + 0.5 * batch.var(axis=(0, 2, 3), ddof=1)
    assert np.allclose(layer.running_mean, mean, atol=1e-5), f"running_mean after two batches (momentum 0.5): expected {mean.round(4).tolist()}, got {layer.running_mean.round(4).tolist()}"
    assert np.allclose(layer.running_var, var, atol=1e-4), f"running_var uses the UNBIASED batch variance (ddof=1): expected {var.round(4).tolist()}, got {layer.running_var.round(4).tolist()}"
    assert layer.running_mean.dtype == np.float32 and layer.running_var.dtype == np.float32, "running statistics must stay float32"
    layer.eval()
    before = layer.running_mean.copy()
    layer(Tensor(batches[0] * 10))
    assert np.array_equal(layer.running_mean, before), "in eval mode the running statistics must not change"
    assert layer.parameters() == [layer.weight, layer.bias], "BatchNorm2d.parameters(): expected [weight, bias]"
    layer.weight.data[...], layer.bias.data[...] = [2.0, 3.0], [1.0, -1.0]
    layer.train()
    got = layer(Tensor(batches[1])).data
    assert np.allclose(got.mean(axis=(0, 2, 3)), [1.0, -1.0], atol=1e-4) and np.allclose(got.std(axis=(0, 2, 3)), [2.0, 3.0], atol=1e-2), \
        "with weight [2, 3] and bias [1, -1], each channel's output must have mean = bias and std = weight"


def test_hidden_batchnorm_bad_input():
    expect_error(ValueError, lambda: BatchNorm2d(3)(Tensor(np.ones((2, 4, 5, 5)))), "(2, 4, 5, 5)", "3")
    expect_error(ValueError, lambda: BatchNorm2d(3)(Tensor(np.ones((2, 3)))), "(2, 3)")
    expect_error(ValueError, lambda: BatchNorm2d(3)(Tensor(np.ones((1, 3, 1, 1)))), "(1, 3, 1, 1)", "more than one")
    assert BatchNorm2d(3).eval()(Tensor(np.ones((1, 3, 1, 1)))).shape == (1, 3, 1, 1), "in eval mode a single value per channel is fine"


test_hidden_batchnorm_gradients()
test_hidden_batchnorm_running_statistics()
test_hidden_batchnorm_bad_input()

# %% [markdown]
# ## Flatten: from feature maps to a vector
#
# A CNN ends like an MLP: the last feature maps `(N, C, H, W)` become one row of `C*H*W` numbers
# per image, and a `Linear` layer turns that row into class scores. `Flatten(start_dim=1)` keeps
# the dimensions before `start_dim` and merges the rest. It is a `reshape`, which autograd already
# knows (module 06): no new `Function` needed.

# %%
#| export
class Flatten(Layer):
    """Merge the dimensions from start_dim on into one: (N, C, H, W) -> (N, C*H*W) for start_dim=1."""

    def __init__(self, start_dim=1):
        self.start_dim = start_dim

    def forward(self, x):
        """x reshaped to x.shape[:start_dim] + (the product of the rest,), with Tensor.reshape.

        TODO: refuse a start_dim outside x's dimensions (ValueError naming start_dim and the shape),
              then one reshape (-1 for the merged size). A negative start_dim counts from the end.
        """
        ### BEGIN SOLUTION
        ndim = len(x.shape)
        if not -ndim <= self.start_dim < ndim:
            raise ValueError(f"Flatten(start_dim={self.start_dim}) needs an input with more than {self.start_dim} dimensions, got shape {x.shape}")
        start = self.start_dim % ndim
        return x.reshape(*x.shape[:start], -1)
        ### END SOLUTION

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim})"

# %%
#| test
def test_unit_flatten():
    print("🧪 Unit Test: Flatten...")
    x = Tensor(np.arange(24).reshape(2, 3, 2, 2), requires_grad=True)
    got = Flatten()(x)
    assert got.shape == (2, 12), f"Flatten() on (2, 3, 2, 2): expected (2, 12), got {got.shape}"
    assert np.array_equal(got.data[1], np.arange(12, 24)), f"Flatten must keep each image's values in order, got row 1 = {got.data[1].tolist()}"
    (got * Tensor(np.arange(12))).sum().backward()
    assert x.grad is not None and x.grad.shape == (2, 3, 2, 2), "Flatten must pass gradients back in the input's shape"
    assert Flatten(2)(x).shape == (2, 3, 4), f"Flatten(2) on (2, 3, 2, 2): expected (2, 3, 4), got {Flatten(2)(x).shape}"
    print("✅ Flatten works!")


test_unit_flatten()

# %%
#| hidden
def test_hidden_flatten_edges():
    x = Tensor(np.ones((2, 3, 4)))
    assert Flatten(-2)(x).shape == (2, 12), f"Flatten(-2) on (2, 3, 4): expected (2, 12), got {Flatten(-2)(x).shape}"
    assert Flatten(0)(x).shape == (24,), f"Flatten(0) on (2, 3, 4): expected (24,), got {Flatten(0)(x).shape}"
    assert Flatten(2)(x).shape == (2, 3, 4), f"Flatten(2) on (2, 3, 4) merges nothing: expected (2, 3, 4), got {Flatten(2)(x).shape}"
    expect_error(ValueError, lambda: Flatten(3)(x), "start_dim=3", "(2, 3, 4)")
    assert Flatten().parameters() == [], "Flatten has no parameters"


def test_hidden_small_cnn_gradients():
    """The layers together: a gradient check through conv, batch norm, relu, pooling, flatten and linear."""
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential

    np.random.seed(13)
    model = Sequential(Conv2d(1, 2, 3, padding=1), BatchNorm2d(2), ReLU(), MaxPool2d(2), Flatten(), Linear(8, 3))
    x = Tensor(np.random.default_rng(14).permutation(32).reshape(2, 1, 4, 4) * 0.1, requires_grad=True)
    _gradcheck("Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d -> Flatten -> Linear", lambda x: model(x), x)


test_hidden_flatten_edges()
test_hidden_small_cnn_gradients()

# %% [markdown]
# ## Try it: a small CNN
#
# Stack them: two convolutions with pooling find local patterns, `Flatten` and `Linear` turn them
# into class scores. Count the parameters, and push a batch of fake 16x16 images through.

# %%
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential

np.random.seed(0)
cnn = Sequential(Conv2d(1, 8, 3, padding=1), ReLU(), MaxPool2d(2),     # (N, 8, 16, 16) -> (N, 8, 8, 8)
                 Conv2d(8, 16, 3, padding=1), ReLU(), MaxPool2d(2),    # (N, 16, 8, 8)  -> (N, 16, 4, 4)
                 Flatten(), Linear(16 * 4 * 4, 10))
print(cnn)
print("parameters:", sum(p.size for p in cnn.parameters()))  # 80 + 1,168 + 2,570 = 3,818
print("output shape:", cnn(Tensor(np.random.rand(4, 1, 16, 16))).shape)

# %% [markdown]
# ## Systems: what weight sharing saves, and what im2col costs
#
# **Parameters.** A convolution's weights do not depend on the image size. `Conv2d(1, 8, 3)` on a
# 28x28 image makes 8 x 26 x 26 = 5,408 outputs from 80 parameters; a `Linear` layer making the
# same 5,408 outputs from the 784 pixels would need 784 x 5,408 + 5,408 of them.
#
# **Memory.** Your `conv2d` copies every window into `cols`: each input pixel appears once per
# kernel offset, so `cols` is about `kh*kw` times the (padded) input, and the backward keeps it
# alive until it has run. Below: YOUR `Conv2dBackward`'s `cols`, against the input.
#
# **Time.** The loops and the matrix product compute the same sums; below, YOUR two versions on
# the same batch, and how the vectorised one grows when the image side doubles: the work (every
# output costs `C*kh*kw` multiply-adds) grows with the number of outputs; the time follows it
# once the image is large enough to hide the fixed cost of each NumPy call.

# %%
from tito.systems import best_time

conv_layer, dense_outputs = Conv2d(1, 8, 3), 8 * 26 * 26
print(f"Conv2d(1, 8, 3): {sum(p.size for p in conv_layer.parameters()):,} parameters; "
      f"a Linear with the same {dense_outputs:,} outputs from 28x28 pixels: {784 * dense_outputs + dense_outputs:,}")

rng = np.random.default_rng(0)
images = Tensor(rng.standard_normal((16, 3, 28, 28)))
print(f"\n{'kernel':>7} {'input bytes':>12} {'cols bytes':>12} {'x input':>8}")
for k in [1, 3, 5]:
    out = conv2d(images, Tensor(rng.standard_normal((8, 3, k, k)), requires_grad=True), padding=k // 2)
    cols_bytes = out._grad_fn.cols.nbytes
    print(f"{k}x{k:<5} {images.data.nbytes:>12,} {cols_bytes:>12,} {cols_bytes / images.data.nbytes:>8.1f}")

small, filters = rng.standard_normal((2, 3, 14, 14)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
loops = best_time(lambda: conv2d_loops(small, filters, None, 1, 1), repeat=2)
fast = best_time(lambda: conv2d(Tensor(small), Tensor(filters), None, 1, 1), repeat=5)
print(f"\nconv2d_loops {loops * 1000:.1f} ms, conv2d {fast * 1000:.2f} ms: the loops take {loops / fast:,.0f} x as long")

two_filters = Tensor(filters[:2])
print(f"\n{'side':>5} {'multiply-adds':>14} {'conv2d time':>12} {'x previous':>11}")
previous = None
for side in [16, 32, 64]:
    image = Tensor(rng.standard_normal((1, 3, side, side)))
    out = conv2d(image, two_filters, None, 1, 1)
    seconds = best_time(lambda: conv2d(image, two_filters, None, 1, 1), repeat=10)
    print(f"{side:>5} {out.size * 3 * 3 * 3:>14,} {seconds * 1000:>9.3f} ms {'' if previous is None else f'{seconds / previous:>10.1f}x'}")
    previous = seconds

# %% [markdown]
# ## Reflect
#
# Answer in the cell below, run it; `%tito module complete 09` checks the answers against your code.
#
# 1. How many parameters does `Conv2d(1, 8, 3)` have?
# 2. For a 3x3 convolution with stride 1 and padding 1, about how many times the input's bytes
#    does `cols` take? (Read your table: each pixel is copied once per ... .)
# 3. When the image side doubles (28 -> 56, same padding 1), how many times as many multiply-adds
#    does the convolution do? (Each output costs the same; count the outputs.)

# %%
#| answers
answers = {
    "conv_parameters_1_8_3": 80,         # 1. parameters of Conv2d(1, 8, 3)
    "conv_cols_bytes_per_input_3x3": 9,  # 2. bytes of cols / bytes of the input
    "conv_work_when_side_doubles": 4,    # 3. multiply-adds at side 56 / at side 28
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_conv_parameters():
    check_answer(answers, "conv_parameters_1_8_3", sum(p.size for p in Conv2d(1, 8, 3).parameters()),
                 "8 filters, each with one weight per (input channel, row, column) of its 3x3 window, plus one bias each")


def test_reflect_cols_bytes():
    x = Tensor(np.ones((4, 2, 10, 10)))
    out = conv2d(x, Tensor(np.ones((3, 2, 3, 3)), requires_grad=True), padding=1)
    check_answer(answers, "conv_cols_bytes_per_input_3x3", out._grad_fn.cols.nbytes / x.data.nbytes,
                 "every output position copies its whole window, and each pixel lies in one window per kernel offset: "
                 "count the offsets of a 3x3 kernel", tolerance=0.05)


def test_reflect_work_when_side_doubles():
    w = Tensor(np.ones((2, 1, 3, 3)))
    outputs = [conv2d(Tensor(np.ones((1, 1, side, side))), w, padding=1).size for side in (28, 56)]
    check_answer(answers, "conv_work_when_side_doubles", outputs[1] / outputs[0],
                 "every output does the same C*kh*kw multiply-adds; with padding 1 the output has the image's side, "
                 "so count how the number of positions grows when both sides double")


test_reflect_conv_parameters()
test_reflect_cols_bytes()
test_reflect_work_when_side_doubles()

# %% [markdown]
# ## What you built
#
# A convolution by its definition and as one matrix product, with its backward; pooling, batch
# normalization and flattening, each with a gradient checked by finite differences. With them, a
# network can learn a pattern once and find it anywhere in the image: milestone 04 puts that to
# the test on digits that move.

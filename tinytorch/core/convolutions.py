"""Convolutions: the reference solution of module 09.

Generated from curriculum/modules/09_convolutions.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer
from tinytorch.core.autograd import Function, _needs_grad


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


def conv2d_loops(x, weight, bias=None, stride=1, padding=0):
    """The convolution of x (N, C, H, W) with weight (O, C, kh, kw), by its definition; NumPy arrays in and out.

    Returns out (N, O, OH, OW) with out[n, o, i, j] = bias[o] + sum(window * weight[o]), where
    window = padded_x[n, :, i*sh : i*sh + kh, j*sw : j*sw + kw], OH = (H + 2*ph - kh) // sh + 1
    (and OW likewise).
    """
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
    """
    (n, c, h, w), (ph, pw), (sh, sw), (oh, ow) = shape, padding, stride, grad_windows.shape[3:]
    grad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=np.float32)
    for k, (a, b) in enumerate(np.ndindex(*kernel)):
        grad[:, :, a:a + sh * oh:sh, b:b + sw * ow:sw] += grad_windows[k]
    return _unpad(grad, padding)


def _recorded(function, output, *inputs, **options):
    """`output`, with `function(output, *inputs, **options)` recorded as its _grad_fn when
    autograd is on and an input needs a gradient: the rule module 06's enable_autograd applies to
    Tensor operations, for this module's operations (whose weights are inputs too)."""
    if Tensor.grad_enabled and any(_needs_grad(t) for t in inputs):
        output.requires_grad = True
        output._grad_fn = function(output, *inputs, **options)
    return output


class Conv2dBackward(Function):
    """conv2d(x, weight, bias): keeps the forward's im2col matrix `cols` (C*kh*kw, N*OH*OW)."""

    def __init__(self, output, x, weight, bias, stride, padding, cols):
        super().__init__(output, x, weight, bias)
        self.stride, self.padding, self.cols = stride, padding, cols

    def backward(self, grad_output):
        """Gradients for (x, weight, bias); None for one that needs none. With g the output gradient
        laid out as (O, N*OH*OW): grad_weight = g @ cols.T, grad_bias = grad_output summed over
        (N, OH, OW), grad_x = weight.T @ g folded back onto the input's pixels (col2im).
        """
        x, weight, bias = self.inputs
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


def _im2col(x, kernel, stride, padding):
    """The windows of x (N, C, H, W) (an array), padded with 0, as one matrix: returns (cols, (N, OH, OW))
    with cols (C*kh*kw, N*OH*OW), one column per output position, its window flattened in the
    (C, kh, kw) order of a flattened filter.
    """
    windows = _windows(_pad(x, padding), kernel, stride)
    k, n, c, oh, ow = windows.shape
    return windows.transpose(2, 0, 1, 3, 4).reshape(c * k, n * oh * ow), (n, oh, ow)


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D convolution of x (N, C, H, W) with weight (O, C, kh, kw) and bias (O,) or None -> (N, O, OH, OW).

    The same result as conv2d_loops, computed as one matrix product with the windows (im2col);
    recorded for autograd (Conv2dBackward). x, weight, bias are Tensors.
    """
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


class Conv2d(Layer):
    """A 2-D convolution layer: weight (out_channels, in_channels, kh, kw), bias (out_channels,)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        """Create weight and bias (Tensors with requires_grad=True); keep stride and padding as pairs."""
        self.in_channels, self.out_channels = _count(in_channels, "in_channels"), _count(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride, self.padding = _pair(stride, "stride"), _pair(padding, "padding", minimum=0)
        bound = 1.0 / np.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.weight = Tensor(np.random.uniform(-bound, bound, size=(out_channels, in_channels, *self.kernel_size)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_channels), requires_grad=True) if bias else None

    def forward(self, x):
        """conv2d of x (N, in_channels, H, W) with this layer's weight, bias, stride and padding."""
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})")


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
        """The gradient of x: each window's output gradient, at the position of its winner."""
        (x,) = self.inputs
        (kh, kw) = self.kernel
        won = np.arange(kh * kw)[:, None, None, None, None] == self.winner
        return (_fold(won * grad_output, x.shape, self.kernel, self.stride, self.padding),)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The largest value of each window of x (N, C, H, W) -> (N, C, OH, OW); recorded for autograd."""
    kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding, "max_pool2d")
    windows = _windows(_pad(x.data, padding, -np.inf), kernel, stride)
    winner = windows.argmax(axis=0)
    out = windows.max(axis=0)
    return _recorded(MaxPool2dBackward, Tensor(out), x, kernel=kernel, stride=stride, padding=padding, winner=winner)


class AvgPool2dBackward(Function):
    """avg_pool2d(x): keeps the kernel, stride and padding, to fold the gradient back onto the input."""

    def __init__(self, output, x, kernel, stride, padding):
        super().__init__(output, x)
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def backward(self, grad_output):
        """The gradient of x: every element of a window gets 1 / (kh*kw) of the window's output gradient."""
        (x,) = self.inputs
        (kh, kw) = self.kernel
        share = grad_output / (kh * kw)
        grad_windows = np.broadcast_to(share, (kh * kw, *share.shape))
        return (_fold(grad_windows, x.shape, self.kernel, self.stride, self.padding),)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window of x (N, C, H, W) -> (N, C, OH, OW), zero padding counted; recorded for autograd."""
    kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding, "avg_pool2d")
    out = _windows(_pad(x.data, padding), kernel, stride).mean(axis=0)
    return _recorded(AvgPool2dBackward, Tensor(out), x, kernel=kernel, stride=stride, padding=padding)


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
        """
        x, weight, bias = self.inputs
        axes = (0, 2, 3)
        grad_weight = (grad_output * self.x_hat).sum(axis=axes)
        grad_bias = grad_output.sum(axis=axes)
        d = grad_output * weight.data[:, None, None]
        if self.batch_statistics:
            d = d - d.mean(axis=axes, keepdims=True) - self.x_hat * (d * self.x_hat).mean(axis=axes, keepdims=True)
        return d * self.inv_std[:, None, None], grad_weight, grad_bias


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
        """Normalise each channel (batch statistics in training, running ones in evaluation), then scale and shift."""
        if len(x.shape) != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r} expects input of shape (N, {self.num_features}, H, W), got shape {x.shape}")
        axes = (0, 2, 3)
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

    def parameters(self):
        return [self.weight, self.bias]

    def __repr__(self):
        return f"BatchNorm2d({self.num_features}, eps={self.eps}, momentum={self.momentum})"


class Flatten(Layer):
    """Merge the dimensions from start_dim on into one: (N, C, H, W) -> (N, C*H*W) for start_dim=1."""

    def __init__(self, start_dim=1):
        self.start_dim = start_dim

    def forward(self, x):
        """x reshaped to x.shape[:start_dim] + (the product of the rest,), with Tensor.reshape."""
        ndim = len(x.shape)
        if not -ndim <= self.start_dim < ndim:
            raise ValueError(f"Flatten(start_dim={self.start_dim}) needs an input with more than {self.start_dim} dimensions, got shape {x.shape}")
        start = self.start_dim % ndim
        return x.reshape(*x.shape[:start], -1)

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim})"

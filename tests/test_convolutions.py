"""Module 09 (convolutions): the curriculum's checks against the reference, the grader catching
planted bugs (mutants of solution lines), finite-difference gradients, and properties."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytorch
from tinytorch.core.autograd import gradcheck, no_grad
from tinytorch.core.convolutions import (AvgPool2d, BatchNorm2d, Conv2d, Flatten, MaxPool2d, avg_pool2d, conv2d,
                                         conv2d_loops, max_pool2d)
from tinytorch.core.tensor import Tensor

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "09"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("09", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


# Bugs a learner could write, one solution line each (an index, an axis, a transpose, a factor).
MUTANTS = {
    "loops ignore the stride": [("window = xp[n, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]",
                                 "window = xp[n, :, i:i + kh, j:j + kw]")],
    "loops forget the bias": [("out[n, o, i, j] = np.sum(window * weight[o]) + (0.0 if bias is None else bias[o])",
                               "out[n, o, i, j] = np.sum(window * weight[o])")],
    "im2col puts the window before the channel": [("return windows.transpose(2, 0, 1, 3, 4).reshape(c * k",
                                                   "return windows.transpose(0, 2, 1, 3, 4).reshape(c * k")],
    "im2col mixes positions and channels": [("return windows.transpose(2, 0, 1, 3, 4).reshape(c * k", "return windows.reshape(c * k")],
    "forward forgets the bias": [("        out = out + bias.data[:, None]\n", "        out = out\n")],
    "output channels and images swapped": [("out = out.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3)", "out = out.reshape(n, -1, oh, ow)")],
    "fold ignores the stride": [("grad[:, :, a:a + sh * oh:sh, b:b + sw * ow:sw] += grad_windows[k]",
                                 "grad[:, :, a:a + oh, b:b + ow] += grad_windows[k]")],
    "fold keeps the padding": [("    return _unpad(grad, padding)\n    ### END SOLUTION", "    return grad[:, :, :h, :w]\n    ### END SOLUTION")],
    "bias gradient is a mean": [("grad_bias = grad_output.sum(axis=(0, 2, 3)) if _needs_grad(bias) else None",
                                 "grad_bias = grad_output.mean(axis=(0, 2, 3)) if _needs_grad(bias) else None")],
    "input gradient through the flipped filter": [("grad_windows = (weight.data.reshape(o, -1).T @ g)",
                                                   "grad_windows = (weight.data[:, :, ::-1, ::-1].reshape(o, -1).T @ g)")],
    "input gradient with images and channels swapped": [(".reshape(c, kh * kw, n, oh, ow).transpose(1, 2, 0, 3, 4)",
                                                         ".reshape(c, kh * kw, n, oh, ow).transpose(1, 0, 2, 3, 4)")],
    "weight initialised by in_channels only": [("bound = 1.0 / np.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])",
                                                "bound = 1.0 / np.sqrt(in_channels)")],
    "max pool sends the gradient to the minimum": [("    winner = windows.argmax(axis=0)\n", "    winner = windows.argmin(axis=0)\n")],
    "max pool pads with zeros": [("    windows = _windows(_pad(x.data, padding, -np.inf), kernel, stride)\n",
                                  "    windows = _windows(_pad(x.data, padding), kernel, stride)\n")],
    "avg pool gradient not divided by the window": [("        share = grad_output / (kh * kw)\n", "        share = grad_output\n")],
    "batch norm backward without the variance term": [
        ("d = d - d.mean(axis=axes, keepdims=True) - self.x_hat * (d * self.x_hat).mean(axis=axes, keepdims=True)",
         "d = d - d.mean(axis=axes, keepdims=True)")],
    "batch norm backward in eval mode as in training": [("        if self.batch_statistics:\n", "        if True:\n")],
    "batch norm running variance biased": [("self.momentum * var * m / (m - 1)).astype", "self.momentum * var).astype")],
    "batch norm uses the batch in eval mode": [("        if self.training:\n            m = x.size", "        if True:\n            m = x.size")],
    "batch norm weight gradient without x_hat": [("grad_weight = (grad_output * self.x_hat).sum(axis=axes)",
                                                  "grad_weight = grad_output.sum(axis=axes)")],
    "flatten always to two dimensions": [("return x.reshape(*x.shape[:start], -1)", "return x.reshape(x.shape[0], -1)")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("09", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a convolutions module where the {name}"


# --- an independent reference: the convolution as a sum of shifted products (no windows, no im2col) ---

def reference_conv(x, w, b, stride, padding):
    """out = sum over the filter's (a, b) of a strided slice of the padded x times that weight (einsum over channels)."""
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w.shape[2:]
    oh, ow = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for a in range(kh):
        for c in range(kw):
            out += np.einsum("nchw,oc->nohw", xp[:, :, a:a + sh * oh:sh, c:c + sw * ow:sw], w[:, :, a, c])
    return out + (0 if b is None else b[:, None, None])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), o=st.integers(1, 4), h=st.integers(1, 9), w=st.integers(1, 9),
       kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3), sw=st.integers(1, 3),
       ph=st.integers(0, 2), pw=st.integers(0, 2), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_conv2d_and_the_loops_equal_an_independent_reference(n, c, o, h, w, kh, kw, sh, sw, ph, pw, bias, seed):
    if kh > h + 2 * ph or kw > w + 2 * pw:
        return  # refused: test_bad_input
    rng = np.random.default_rng(seed)
    x, weight = rng.standard_normal((n, c, h, w)).astype(np.float32), rng.standard_normal((o, c, kh, kw)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32) if bias else None
    expected = reference_conv(x, weight, b, (sh, sw), (ph, pw))
    fast = conv2d(Tensor(x), Tensor(weight), None if b is None else Tensor(b), (sh, sw), (ph, pw))
    slow = conv2d_loops(x, weight, b, (sh, sw), (ph, pw))
    assert fast.shape == slow.shape == expected.shape
    np.testing.assert_allclose(fast.data, expected, atol=1e-4)
    np.testing.assert_allclose(slow, expected, atol=1e-4)
    assert fast.dtype == slow.dtype == np.float32


@settings(max_examples=25, deadline=None)
@given(h=st.integers(2, 7), w=st.integers(2, 7), k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 1), seed=st.integers(0, 2**16))
def test_conv2d_backward_is_the_transpose_of_its_forward(h, w, k, s, p, seed):
    """<conv(x), G> = <x, conv_backward(G)> for every x and G: the input gradient is exactly the adjoint."""
    if k > h + 2 * p or k > w + 2 * p:
        return
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((2, 3, h, w)), requires_grad=True)
    weight = Tensor(rng.standard_normal((2, 3, k, k)), requires_grad=True)
    out = conv2d(x, weight, None, s, p)
    grad = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(grad)
    assert np.isclose(np.sum(out.data.astype(np.float64) * grad), np.sum(x.data.astype(np.float64) * x.grad.data), rtol=1e-4, atol=1e-3)
    assert np.isclose(np.sum(out.data.astype(np.float64) * grad), np.sum(weight.data.astype(np.float64) * weight.grad.data), rtol=1e-4, atol=1e-3)
    assert x.grad.dtype == weight.grad.dtype == np.float32


def reference_pool(x, kernel, stride, padding, reduce, pad_value):
    """Pooling by its definition: reduce() of every window of the padded x, one window at a time."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)
    oh, ow = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((*x.shape[:2], oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(2, 3))
    return out


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3),
       sw=st.integers(1, 3), ph=st.integers(0, 2), pw=st.integers(0, 2), default_stride=st.booleans(), seed=st.integers(0, 2**16))
def test_pooling_equals_its_definition(h, w, kh, kw, sh, sw, ph, pw, default_stride, seed):
    ph, pw = min(ph, kh // 2), min(pw, kw // 2)  # at most half a kernel of padding, as PyTorch
    if kh > h + 2 * ph or kw > w + 2 * pw:
        return
    stride = (kh, kw) if default_stride else (sh, sw)
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w)).astype(np.float32)
    got = max_pool2d(Tensor(x), (kh, kw), None if default_stride else stride, (ph, pw))
    np.testing.assert_allclose(got.data, reference_pool(x, (kh, kw), stride, (ph, pw), np.max, -np.inf), atol=1e-6)
    got = avg_pool2d(Tensor(x), (kh, kw), None if default_stride else stride, (ph, pw))
    np.testing.assert_allclose(got.data, reference_pool(x, (kh, kw), stride, (ph, pw), np.mean, 0.0), atol=1e-5)
    assert got.dtype == np.float32


def test_batchnorm_in_training_equals_its_formula_and_eval_uses_the_running_statistics():
    x = np.random.default_rng(5).standard_normal((6, 4, 3, 5)).astype(np.float32) * 3 + 1
    layer = BatchNorm2d(4, eps=1e-3, momentum=0.25)
    layer.weight.data[...], layer.bias.data[...] = [1.0, 2.0, -1.0, 0.5], [0.0, 1.0, 2.0, 3.0]
    got = layer(Tensor(x)).data
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * layer.weight.data[:, None, None] + layer.bias.data[:, None, None]
    np.testing.assert_allclose(got, expected, atol=1e-4)
    np.testing.assert_allclose(layer.running_mean, 0.25 * mean.ravel(), atol=1e-6)
    np.testing.assert_allclose(layer.running_var, 0.75 + 0.25 * x.var(axis=(0, 2, 3), ddof=1), atol=1e-5)
    layer.eval()
    expected = ((x - layer.running_mean[:, None, None]) / np.sqrt(layer.running_var[:, None, None] + 1e-3)
                * layer.weight.data[:, None, None] + layer.bias.data[:, None, None])
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, atol=1e-4)


# --- finite differences, on CPython too ------------------------------------------------------------

def param(shape, seed):
    return Tensor(np.random.default_rng(seed).uniform(-1, 1, shape), requires_grad=True)


def distinct(shape, seed):
    """No two values equal: no ties in a max, so the finite differences see one winner."""
    return Tensor(np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1, requires_grad=True)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_conv2d_gradients_match_finite_differences(stride, padding):
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding), param((2, 2, 5, 4), 0), param((3, 2, 3, 2), 1), param((3,), 2))


@pytest.mark.parametrize("op", [lambda x: max_pool2d(x, 2), lambda x: max_pool2d(x, 3, 2, 1), lambda x: avg_pool2d(x, (2, 3), 1),
                                lambda x: avg_pool2d(x, 3, 2, 1), lambda x: Flatten()(x)])
def test_pooling_and_flatten_gradients_match_finite_differences(op):
    assert gradcheck(op, distinct((2, 2, 5, 6), 3))


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients_match_finite_differences(training):
    layer = BatchNorm2d(3)
    layer.running_mean[...], layer.running_var[...] = [0.1, -0.3, 0.5], [0.5, 2.0, 1.0]
    layer.weight.data[...], layer.bias.data[...] = [2.0, -1.0, 0.5], [0.1, 0.2, 0.3]
    layer.train(training)

    def forward(x, weight, bias):
        layer.weight, layer.bias = weight, bias
        return layer(x)

    assert gradcheck(forward, param((4, 3, 2, 2), 4), layer.weight, layer.bias)


def test_a_cnn_learns_a_batch_and_every_parameter_gets_its_gradient():
    np.random.seed(0)
    model = tinytorch.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), tinytorch.ReLU(), MaxPool2d(2),
                                 Conv2d(4, 4, 3), tinytorch.ReLU(), AvgPool2d(2), Flatten(), tinytorch.Linear(4, 3))
    x, y = Tensor(np.random.rand(6, 1, 8, 8)), np.array([0, 1, 2, 0, 1, 2])
    optimizer, loss_fn = tinytorch.Adam(model.parameters(), lr=0.05), tinytorch.CrossEntropyLoss()
    losses = []
    for _ in range(30):
        loss = loss_fn(model(x), y)
        loss.backward()
        assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0], losses
    model.eval()
    with no_grad():
        assert model(x).shape == (6, 3)


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("action, message", [
    (lambda: Conv2d(3, 8, 3)(Tensor(np.ones((2, 1, 8, 8)))), r"\(2, 1, 8, 8\) has 1 channels, but the weight of shape \(8, 3, 3, 3\) expects 3"),
    (lambda: Conv2d(1, 8, 5)(Tensor(np.ones((1, 1, 3, 3)))), r"kernel 5x5 is larger than the input 3x3 padded by \(0, 0\) \(3x3\)"),
    (lambda: Conv2d(1, 8, 5, padding=1)(Tensor(np.ones((1, 1, 2, 2)))), r"kernel 5x5 is larger than the input 2x2 padded by \(1, 1\) \(4x4\)"),
    (lambda: Conv2d(1, 8, 3)(Tensor(np.ones((8, 8)))), r"\(N, C, H, W\), got shape \(8, 8\)"),
    (lambda: Conv2d(1, 8, (3, 3, 3)), r"kernel_size must be an int >= 1 or a pair of them, got \(3, 3, 3\)"),
    (lambda: Conv2d(1, 8, 3, stride=0), r"stride must be an int >= 1 .* got 0"),
    (lambda: Conv2d(1, 8, 3, padding=(1, -1)), r"padding must be an int >= 0 .* got \(1, -1\)"),
    (lambda: Conv2d(-1, 8, 3), r"in_channels must be a positive int, got -1"),
    (lambda: MaxPool2d(4)(Tensor(np.ones((1, 1, 3, 3)))), r"max_pool2d: the kernel 4x4 is larger than the input 3x3"),
    (lambda: MaxPool2d(2, padding=2)(Tensor(np.ones((1, 1, 8, 8)))), r"padding \(2, 2\) must be at most half the kernel \(2, 2\)"),
    (lambda: AvgPool2d(2)(Tensor(np.ones((2, 8, 8)))), r"avg_pool2d expects input of shape \(N, C, H, W\), got shape \(2, 8, 8\)"),
    (lambda: BatchNorm2d(4)(Tensor(np.ones((2, 3, 4, 4)))), r"BatchNorm2d\(4, .*\) expects input of shape \(N, 4, H, W\), got shape \(2, 3, 4, 4\)"),
    (lambda: BatchNorm2d(2)(Tensor(np.ones((1, 2, 1, 1)))), r"more than one value per channel .* \(1, 2, 1, 1\)"),
    (lambda: Flatten(2)(Tensor(np.ones((4, 5)))), r"Flatten\(start_dim=2\) .* got shape \(4, 5\)"),
])
def test_bad_input_gets_a_message_naming_the_shapes(action, message):
    with pytest.raises(ValueError, match=message):
        action()


def test_public_names_come_from_tinytorch_itself():
    for name in ["Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "Flatten", "conv2d", "conv2d_loops", "max_pool2d", "avg_pool2d"]:
        assert getattr(tinytorch, name) is getattr(tinytorch.core.convolutions, name), name

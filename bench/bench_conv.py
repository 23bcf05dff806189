"""Conv2d forward + backward through tinytorch against plain NumPy doing the same im2col math.

    python bench/bench_conv.py

A batch of 64 MNIST-sized images (64, 1, 28, 28), Conv2d(1, 8, 3, padding=1), forward and the
full backward (input, weight and bias gradients). The baseline, measured in the same run, is the
same arithmetic written directly in NumPy (offset slices stacked into windows, one matrix
product, the two products of the backward and the fold back onto the input), so the ratio is the
framework's overhead: Tensors, the autograd graph, argument checks. Target: <= 3x. The loop
version (conv2d_loops, the definition) is timed beside it, forward only.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the browser; on a busy 2-core machine BLAS threads only contend

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "grader")]
from tinytorch import Conv2d, Tensor, conv2d_loops  # noqa: E402
from tito.systems import best_time  # noqa: E402

TARGET = 3.0
N, C, H, W, O, K, PAD = 64, 1, 28, 28, 8, 3, 1


def numpy_forward(x, weight, bias):
    """A stride-1 convolution with padding PAD in plain NumPy: (out, cols) (cols for the backward)."""
    xp = np.zeros((N, C, H + 2 * PAD, W + 2 * PAD), dtype=np.float32)
    xp[:, :, PAD:PAD + H, PAD:PAD + W] = x
    windows = np.stack([xp[:, :, a:a + H, b:b + W] for a in range(K) for b in range(K)])  # (K*K, N, C, H, W)
    cols = windows.transpose(2, 0, 1, 3, 4).reshape(C * K * K, N * H * W)
    out = (weight.reshape(O, -1) @ cols + bias[:, None]).reshape(O, N, H, W).transpose(1, 0, 2, 3)
    return out, cols


def numpy_conv(x, weight, bias, grad_out):
    """Forward and backward in plain NumPy: (out, grad_x, grad_w, grad_b)."""
    out, cols = numpy_forward(x, weight, bias)
    g = grad_out.transpose(1, 0, 2, 3).reshape(O, -1)
    grad_w, grad_b = (g @ cols.T).reshape(weight.shape), grad_out.sum(axis=(0, 2, 3))
    grad_windows = (weight.reshape(O, -1).T @ g).reshape(C, K * K, N, H, W).transpose(1, 2, 0, 3, 4)
    grad_xp = np.zeros((N, C, H + 2 * PAD, W + 2 * PAD), dtype=np.float32)
    for k in range(K * K):
        a, b = divmod(k, K)
        grad_xp[:, :, a:a + H, b:b + W] += grad_windows[k]
    return out, grad_xp[:, :, PAD:PAD + H, PAD:PAD + W], grad_w, grad_b


def main():
    rng = np.random.default_rng(0)
    images = rng.random((N, C, H, W), dtype=np.float32)
    grad_out = rng.standard_normal((N, O, H, W), dtype=np.float32)
    np.random.seed(0)
    layer = Conv2d(C, O, K, padding=PAD)
    x = Tensor(images, requires_grad=True)

    def tinytorch_step():
        x.grad = layer.weight.grad = layer.bias.grad = None
        layer(x).backward(grad_out)

    weight, bias = layer.weight.data, layer.bias.data
    # Same numbers both ways, or the comparison means nothing.
    tinytorch_step()
    out, grad_x, grad_w, grad_b = numpy_conv(images, weight, bias, grad_out)
    assert np.allclose(layer(x).data, out, atol=1e-4) and np.allclose(x.grad.data, grad_x, atol=1e-4)
    assert np.allclose(layer.weight.grad.data, grad_w, rtol=1e-4, atol=1e-2) and np.allclose(layer.bias.grad.data, grad_b, rtol=1e-4, atol=1e-2)

    ours = best_time(tinytorch_step, repeat=10)
    plain = best_time(lambda: numpy_conv(images, weight, bias, grad_out), repeat=10)
    plain_forward = best_time(lambda: numpy_forward(images, weight, bias), repeat=10)
    loops = best_time(lambda: conv2d_loops(images, weight, bias, 1, PAD), repeat=1)
    print(f"Conv2d({C}, {O}, {K}, padding={PAD}) on ({N}, {C}, {H}, {W}), forward + backward:")
    print(f"  plain NumPy im2col      {plain * 1000:8.2f} ms")
    print(f"  tinytorch Conv2d        {ours * 1000:8.2f} ms   {ours / plain:5.2f} x NumPy  (target <= {TARGET:g} x)"
          f"  {'ok' if ours / plain <= TARGET else 'OVER TARGET'}")
    print(f"  conv2d_loops, forward   {loops * 1000:8.0f} ms   {loops / plain_forward:5.0f} x NumPy's forward ({plain_forward * 1000:.2f} ms)")


if __name__ == "__main__":
    main()

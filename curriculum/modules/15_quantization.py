# %% [markdown]
# # Module 15: Quantization, the same network in a quarter of the bytes
#
# A trained network's weights are float32: 4 bytes each, with 7 significant digits nobody
# needs. Store each one as a **1-byte integer** instead, plus one float `scale` per row of
# numbers, and the model is 4x smaller, moves 4x less data through memory, and runs on the
# integer units that phones and accelerators are full of. The price is a rounding error per
# weight, and, done well, well under a point of accuracy.
#
# **You've built:** a framework that trains networks (01-08), the architectures of 09-13, and
# the measuring tools of 14 (`model_bytes`, `measure_latency`).
# **You'll build:** `quantize` / `dequantize` (symmetric and asymmetric int8, per tensor or per
# output channel), `QuantizedLinear` (int8 weights, int32 accumulation, then one rescale) with
# `calibrate`, `QuantizedConv2d` (the same on im2col's matrices), and `quantize_model(model, calibration_data)`.
# **You'll enable:** the optimization round of milestone 06 and the Memory Challenge of the
# Torch Olympics (20): a model measured 4x smaller, accuracy checked.
#
# ```
# Profiling (14) -> [Quantization (15)] -> Compression (16) -> Acceleration (17) -> ...
# ```
#
# **Learning objectives**
# 1. Map floats to int8 with a scale (and a zero point), and bound the rounding error.
# 2. See why one scale per output channel beats one per tensor.
# 3. Compute a layer with integers: int8 times int8, summed in int32, rescaled once.
# 4. Measure what you gain (bytes) and what you lose (accuracy), on the real arrays.

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer, Linear, Sequential
from tinytorch.core.autograd import no_grad
from tinytorch.core.convolutions import Conv2d, _check_input, _im2col

# %% [markdown]
# ## int8: 256 levels and a ruler
#
# An int8 holds the integers -128 ... 127. To store a float `x` in it, pick a **scale** (the
# float value of one step) and round: `q = round(x / scale)`, and back: `x ≈ q * scale`. The
# error is at most half a step, `scale / 2`.
#
# **Symmetric**: the grid is centred on 0. With `scale = max|x| / 127`, the largest value maps to
# ±127 and 0 maps to exactly 0. Good for weights, which are spread around 0.
#
# **Asymmetric**: the grid covers `[min, max]` exactly, shifted by a **zero point** `z` (an
# integer): `q = round(x / scale) + z`, `x ≈ (q - z) * scale`, with `scale = (max - min) / 255`
# and `z = round(-128 - min / scale)` so that `min` maps to -128. Good for activations after a
# ReLU, which are all >= 0: a symmetric grid would waste its negative half. The range is
# widened to include 0, so 0 (padding, a ReLU's output) stays exact.
#
# ```
# symmetric:    -max ........... 0 ........... +max      q in [-127, 127], z = 0
# asymmetric:   min ..... 0 ..................... max     q in [-128, 127], z = round(-128 - min / scale)
# ```
#
# **Per tensor or per channel.** One scale for a whole weight matrix is set by its single
# largest weight: an output neuron whose weights are all small gets only a few of the 255
# levels. One scale per **output channel** (a column of our `(in, out)` weight) fits each
# neuron's own range, for `out` extra floats. `axis` says which axis keeps its own scales:
# reduce over all the others, with `keepdims=True` so the scales broadcast back.

# %%
#| export
def _round_to_int8(x, scale, zero_point, low):
    """round(x / scale) + zero_point, clipped to [low, 127], as int8: the one rounding rule."""
    return np.clip(np.round(x / scale) + zero_point, low, 127).astype(np.int8)


def quantize(x, symmetric=True, axis=None):
    """x (an array or Tensor) as int8: returns (q int8, scale float32, zero_point int32).

    axis=None: one scale for the whole tensor. axis=k: one scale per index along axis k (per
    channel); scale and zero_point keep every dimension (size 1 except axis k), so they broadcast.

    TODO: the range over the reduced axes, then the scale, the zero point and the rounding.

    APPROACH:
    1. x = float32 array; reduce = None, or every axis except `axis` (a tuple); keepdims=True below
    2. symmetric:  scale = max|x| / 127;  zero_point = 0;  q in [-127, 127]
       asymmetric: low = min(x.min, 0), high = max(x.max, 0); scale = (high - low) / 255;
                   zero_point = round(-128 - low / scale);  q in [-128, 127]
    3. where scale == 0 (all zeros), use scale 1 (any scale stores zeros exactly)
    4. q = _round_to_int8(x, scale, zero_point, -127 or -128)

    HINT: fix the zero scales (np.where) before dividing by them for the zero point.
    """
    ### BEGIN SOLUTION
    x = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float32)
    reduce = None if axis is None else tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    if symmetric:
        scale = np.abs(x).max(axis=reduce, keepdims=True) / 127
    else:
        low = np.minimum(x.min(axis=reduce, keepdims=True), 0)
        high = np.maximum(x.max(axis=reduce, keepdims=True), 0)
        scale = (high - low) / 255
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    zero_point = np.zeros_like(scale, dtype=np.int32) if symmetric else np.round(-128 - low / scale).astype(np.int32)
    return _round_to_int8(x, scale, zero_point, -127 if symmetric else -128), scale, zero_point
    ### END SOLUTION


def dequantize(q, scale, zero_point):
    """The floats that int8 values q stand for: (q - zero_point) * scale, as float32.

    TODO: one line. Subtract in int32 (q - zero_point in int8 could overflow), then scale.
    """
    ### BEGIN SOLUTION
    return (q.astype(np.int32) - zero_point).astype(np.float32) * scale
    ### END SOLUTION

# %%
#| test
def test_unit_quantize_symmetric():
    print("🧪 Unit Test: symmetric quantization...")
    x = np.array([-1.27, 0.0, 0.5, 1.27], dtype=np.float32)
    q, scale, zero = quantize(x)
    assert q.dtype == np.int8, f"quantize must return int8 values, got {q.dtype}"
    assert np.allclose(scale, 0.01) and np.all(zero == 0), f"max|x| = 1.27: expected scale 1.27 / 127 = 0.01 and zero point 0, got {scale}, {zero}"
    assert q.tolist() == [-127, 0, 50, 127], f"quantize({x.tolist()}): expected [-127, 0, 50, 127], got {q.tolist()}"
    back = dequantize(q, scale, zero)
    assert np.allclose(back, x, atol=0.005), f"dequantize(quantize(x)) must be within scale / 2 of x = {x.tolist()}, got {back.tolist()}"
    print("✅ Symmetric quantization works!")


def test_unit_quantize_asymmetric():
    print("🧪 Unit Test: asymmetric quantization...")
    x = np.array([0.0, 1.0, 2.55], dtype=np.float32)
    q, scale, zero = quantize(x, symmetric=False)
    assert np.allclose(scale, 0.01) and zero.item() == -128, f"range [0, 2.55]: expected scale 2.55 / 255 = 0.01 and zero point -128, got {scale}, {zero}"
    assert q.tolist() == [-128, -28, 127], f"quantize({x.tolist()}, symmetric=False): expected [-128, -28, 127], got {q.tolist()}"
    print("✅ Asymmetric quantization works!")


test_unit_quantize_symmetric()
test_unit_quantize_asymmetric()

# %% [markdown]
# ## A layer that computes with integers
#
# `y = x @ W + b`. With both sides quantized, `x ≈ (qx - zx) * sx` (one scale for the input)
# and `W[:, j] ≈ qW[:, j] * sW[j]` (one scale per output column):
#
# $$y_{ij} = \sum_k x_{ik} W_{kj} + b_j \approx s_x \, s_{W,j} \sum_k (q_{x,ik} - z_x)\, q_{W,kj} + b_j$$
#
# The sum is **all integers**: int8 times int8, accumulated in **int32** (a sum of 784 products
# of up to 255 x 127 fits easily; int8 or int16 would overflow). Then one float multiply per
# output rescales it. That is how int8 inference runs on real hardware.
#
# The input's scale must be known before the layer sees real data, so it is **calibrated**:
# run representative inputs through once and take their range. An uncalibrated layer refuses
# to run: guessing a range would silently clip or waste levels.
#
# `QuantizedLinear` keeps the int8 weights, their scales and the float bias (a few numbers) and
# **nothing else**: keeping the float32 weights "just in case" would make it bigger than before.
# It is for inference: it has no parameters to train.

# %%
#| export
class _QuantizedLayer(Layer):
    """What QuantizedLinear and QuantizedConv2d share: their input's int8 grid, chosen by
    calibrate() before the layer runs, and the integers it turns an input into."""

    input_scale = input_zero = None  # set by calibrate()

    def calibrate(self, x):
        """Choose the input's int8 grid from representative inputs x: asymmetric, one scale for all.

        TODO: keep quantize(x, symmetric=False)'s scale and zero point as input_scale, input_zero.
        """
        ### BEGIN SOLUTION
        _, self.input_scale, self.input_zero = quantize(x, symmetric=False)
        ### END SOLUTION

    def _centered_input(self, x):
        """The int8 codes of x (a Tensor) minus the zero point, as int32: the integers the layer
        multiplies, in which the float 0.0 is exactly 0.

        TODO: qx = _round_to_int8(x.data, self.input_scale, self.input_zero, -128); return qx as
              int32 minus self.input_zero.
        HINT: convert to int32 before subtracting: int8 arithmetic would wrap around.
        """
        if self.input_scale is None:
            raise RuntimeError(f"{self!r} is not calibrated: run representative inputs through it first, "
                               f"with layer.calibrate(x) or quantize_model(model, calibration_data)")
        ### BEGIN SOLUTION
        return _round_to_int8(x.data, self.input_scale, self.input_zero, -128).astype(np.int32) - self.input_zero
        ### END SOLUTION


class QuantizedLinear(_QuantizedLayer):
    """An int8 version of a Linear: weights int8 with one scale per output column, inputs int8 with
    a calibrated scale and zero point, products summed in int32 and rescaled once."""

    def __init__(self, linear):
        """Quantize linear's weight per output channel (symmetric); keep the bias as float32.

        TODO: keep in_features and out_features; self.weight_q, self.weight_scale from
              quantize(weight, symmetric=True, axis=1) (the zero point is 0: not needed);
              self.bias a float32 copy of the bias (or None).
        HINT: no reference to `linear` or its float weight may stay in self.
        """
        ### BEGIN SOLUTION
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.weight_q, self.weight_scale, _ = quantize(linear.weight.data, symmetric=True, axis=1)
        self.bias = None if linear.bias is None else linear.bias.data.copy()
        ### END SOLUTION

    def forward(self, x):
        """x (..., in_features) -> (..., out_features), computed on integers.

        TODO: after the shape check (given), multiply integers and rescale once.

        APPROACH:
        1. acc = self._centered_input(x) @ (weight_q as int32)      -> int32
        2. out = acc as float32 * (input_scale * weight_scale), plus the bias; return a Tensor
        """
        if len(x.shape) < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.in_features}), got shape {x.shape}")
        ### BEGIN SOLUTION
        acc = self._centered_input(x) @ self.weight_q.astype(np.int32)
        out = acc.astype(np.float32) * (self.input_scale * self.weight_scale)
        return Tensor(out if self.bias is None else out + self.bias)
        ### END SOLUTION

    def __repr__(self):
        return f"QuantizedLinear(in_features={self.in_features}, out_features={self.out_features}, int8)"

# %%
#| test
def test_unit_quantized_linear():
    print("🧪 Unit Test: QuantizedLinear...")
    np.random.seed(0)
    linear = Linear(16, 4)
    x = Tensor(np.random.rand(8, 16))
    layer = QuantizedLinear(linear)
    assert layer.weight_q.dtype == np.int8 and layer.weight_q.shape == (16, 4), \
        f"QuantizedLinear(Linear(16, 4)).weight_q: expected int8 of shape (16, 4), got {layer.weight_q.dtype} {layer.weight_q.shape}"
    layer.calibrate(x)
    got, expected = layer(x).data, linear(x).data
    assert got.shape == (8, 4), f"QuantizedLinear(16 -> 4) on (8, 16): expected shape (8, 4), got {got.shape}"
    assert np.allclose(got, expected, atol=0.02), f"int8 result must be close to the float one: largest difference {np.abs(got - expected).max():.4f}"
    print("✅ QuantizedLinear works!")


test_unit_quantized_linear()

# %% [markdown]
# ## Convolutions in int8
#
# A `Conv2d` (09) is a matrix product too: im2col lays every window out as a column, and the
# weight `(O, C, kh, kw)` as `O` rows of `C*kh*kw` numbers. So `QuantizedConv2d` is
# `QuantizedLinear` on those matrices: one scale per **output channel** (axis 0 of the weight:
# each filter has its own range), the input on a calibrated asymmetric grid, and each window's
# products summed in int32 by one integer matrix product.
#
# One trap: **padding**. The float layer pads with 0.0, and the int8 code of 0.0 is the zero
# point, not 0. Subtract the zero point first, `qx - z` (int32), and pad *that* with 0: the
# padding is then exactly 0.0, as in the float layer.

# %%
#| export
class QuantizedConv2d(_QuantizedLayer):
    """An int8 version of a Conv2d: weights int8 with one scale per output channel, inputs int8 with
    a calibrated scale and zero point, each window's products summed in int32 (the im2col matrix
    product of module 09 on integers) and rescaled once."""

    def __init__(self, conv):
        """Quantize conv's weight (O, C, kh, kw) per output channel (axis 0, symmetric); keep the bias as float32.

        TODO: as QuantizedLinear: keep in_channels, out_channels, kernel_size, stride, padding;
              weight_q, weight_scale from quantize(weight, symmetric=True, axis=0); bias a float32
              copy (or None).
        """
        ### BEGIN SOLUTION
        self.in_channels, self.out_channels, self.kernel_size = conv.in_channels, conv.out_channels, conv.kernel_size
        self.stride, self.padding = conv.stride, conv.padding
        self.weight_q, self.weight_scale, _ = quantize(conv.weight.data, symmetric=True, axis=0)
        self.bias = None if conv.bias is None else conv.bias.data.copy()
        ### END SOLUTION

    def forward(self, x):
        """x (N, in_channels, H, W) -> (N, out_channels, OH, OW), computed on integers.

        TODO: after the shape checks (given), multiply integers and rescale once.

        APPROACH:
        1. cols, (n, oh, ow) = _im2col(self._centered_input(x), self.kernel_size, self.stride, self.padding)
           (09's im2col, on integers)                                           -> int32 (C*kh*kw, N*OH*OW)
        2. acc = weight_q as int32, reshaped (O, C*kh*kw), @ cols                -> int32 (O, N*OH*OW)
        3. out = acc as float32 * (input_scale * weight_scale as a column (O, 1)), plus bias[:, None];
           reshape to (O, N, OH, OW), transpose to (N, O, OH, OW); return a Tensor
        TRAP: pad after subtracting the zero point (_im2col pads with 0): padding the int8 codes
              with 0 would pad with the float -input_zero * input_scale instead of 0.0.
        """
        _check_input(x, self.kernel_size, self.padding, repr(self))
        if x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), got shape {x.shape}")
        ### BEGIN SOLUTION
        cols, (n, oh, ow) = _im2col(self._centered_input(x), self.kernel_size, self.stride, self.padding)
        acc = self.weight_q.reshape(self.out_channels, -1).astype(np.int32) @ cols
        out = acc.astype(np.float32) * (self.input_scale * self.weight_scale.reshape(-1, 1))
        if self.bias is not None:
            out = out + self.bias[:, None]
        return Tensor(out.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3))
        ### END SOLUTION

    def __repr__(self):
        return (f"QuantizedConv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, int8)")

# %%
#| test
from tinytorch.core.convolutions import Conv2d


def test_unit_quantized_conv2d():
    print("🧪 Unit Test: QuantizedConv2d...")
    np.random.seed(0)
    conv = Conv2d(3, 4, 3, padding=1)
    x = Tensor(np.random.rand(2, 3, 6, 6))
    layer = QuantizedConv2d(conv)
    assert layer.weight_q.dtype == np.int8 and layer.weight_q.shape == (4, 3, 3, 3), \
        f"QuantizedConv2d(Conv2d(3, 4, 3)).weight_q: expected int8 of shape (4, 3, 3, 3), got {layer.weight_q.dtype} {layer.weight_q.shape}"
    assert np.size(layer.weight_scale) == 4, f"one weight scale per output channel (4), got {np.size(layer.weight_scale)}"
    layer.calibrate(x)
    got, expected = layer(x).data, conv(x).data
    assert got.shape == (2, 4, 6, 6), f"QuantizedConv2d(3 -> 4, 3x3, padding 1) on (2, 3, 6, 6): expected shape (2, 4, 6, 6), got {got.shape}"
    assert np.allclose(got, expected, atol=0.02), f"int8 result must be close to the float one: largest difference {np.abs(got - expected).max():.4f}"
    print("✅ QuantizedConv2d works!")


test_unit_quantized_conv2d()

# %% [markdown]
# ## A whole model
#
# `quantize_model(model, calibration_data)` returns a quantized copy of a `Sequential`: each
# `Linear` becomes a `QuantizedLinear` and each `Conv2d` a `QuantizedConv2d`, calibrated on what
# really reaches it. So the calibration
# data flows through the new model layer by layer: calibrate a layer on its input, then run it
# (quantized) to get the next layer's input. The original model is left untouched, so you can
# compare the two.

# %%
#| export
def quantize_model(model, calibration_data):
    """A copy of the Sequential `model` with every Linear and Conv2d (nested Sequentials too) replaced
    by a QuantizedLinear or QuantizedConv2d calibrated on the inputs it receives when calibration_data
    flows through.

    TODO: walk model.layers in order with x = the calibration data as a Tensor, inside no_grad():
          a Linear becomes QuantizedLinear(layer), a Conv2d QuantizedConv2d(layer), each calibrated
          on x; a Sequential is quantized by
          calling quantize_model on it with x; anything else is kept. Then x = new_layer(x).
          Return Sequential(*new_layers).
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"quantize_model works on a Sequential, got {type(model).__name__}")
    data = calibration_data.data if isinstance(calibration_data, Tensor) else np.asarray(calibration_data)
    if data.ndim < 2 or len(data) == 0:
        raise ValueError(f"quantize_model needs a batch of calibration inputs (at least one row), got shape {data.shape}")
    ### BEGIN SOLUTION
    x, layers = Tensor(data), []
    with no_grad():
        for layer in model.layers:
            if isinstance(layer, (Linear, Conv2d)):
                layer = QuantizedLinear(layer) if isinstance(layer, Linear) else QuantizedConv2d(layer)
                layer.calibrate(x)
            elif isinstance(layer, Sequential):
                layer = quantize_model(layer, x)
            layers.append(layer)
            x = layer(x)
    return Sequential(*layers)
    ### END SOLUTION

# %%
#| test
from tinytorch.core.activations import ReLU
from tinytorch.core.profiling import model_bytes


def test_unit_quantize_model():
    print("🧪 Unit Test: quantize_model...")
    np.random.seed(1)
    model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
    x = Tensor(np.random.rand(100, 64))
    quantized = quantize_model(model, x)
    kinds = [type(layer).__name__ for layer in quantized.layers]
    assert kinds == ["QuantizedLinear", "ReLU", "QuantizedLinear"], f"expected the Linears replaced, got {kinds}"
    assert isinstance(model.layers[0], Linear), "quantize_model must leave the original model untouched"
    same = (quantized(x).data.argmax(axis=1) == model(x).data.argmax(axis=1)).mean()
    assert same >= 0.95, f"the quantized model should predict the same class for nearly every input, agreed on {same:.0%}"
    ratio = model_bytes(model) / model_bytes(quantized)
    assert ratio > 3, f"int8 weights should make the model more than 3x smaller, got {ratio:.2f}x"
    print(f"✅ quantize_model works! ({model_bytes(model):,} -> {model_bytes(quantized):,} bytes)")


test_unit_quantize_model()

# %%
#| hidden
from tito.checks import case, expect_error


def test_hidden_rounding_error_is_at_most_half_a_step():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, (50, 20)).astype(np.float32)
    for symmetric in (True, False):
        for axis in (None, 0, 1, -1):
            with case(f"quantize(x of shape (50, 20), symmetric={symmetric}, axis={axis})"):
                q, scale, zero = quantize(x, symmetric=symmetric, axis=axis)
                assert q.dtype == np.int8 and q.shape == x.shape, f"expected int8 of shape (50, 20), got {q.dtype} {q.shape}"
                expected_shape = {None: (1, 1), 0: (50, 1), 1: (1, 20), -1: (1, 20)}[axis]
                assert np.shape(scale) == expected_shape, f"scale must have shape {expected_shape} (keepdims=True), got {np.shape(scale)}"
                error = np.abs(dequantize(q, scale, zero) - x)
                assert np.all(error <= scale / 2 + 1e-6), f"the error must be at most scale / 2 everywhere, largest error / scale = {(error / scale).max():.3f}"
                assert q.min() >= (-127 if symmetric else -128), f"symmetric int8 uses [-127, 127], got min {q.min()}"
                used = (q.max(), q.min())
                assert 127 in used or (-128 if not symmetric else -127) in used, f"the range must use the ends of the int8 grid, got [{q.min()}, {q.max()}]"


def test_hidden_per_channel_beats_per_tensor():
    w = np.random.default_rng(1).normal(0, 1, (32, 4)).astype(np.float32)
    w[:, 0] *= 100  # one output channel with 100x larger weights
    errors = {}
    for axis in (None, 1):
        q, scale, zero = quantize(w, axis=axis)
        errors[axis] = np.abs(dequantize(q, scale, zero) - w)[:, 1:].max()
    assert errors[1] < errors[None] / 10, f"small channels next to a 100x larger one: per-channel error {errors[1]:.4f} must be far below per-tensor {errors[None]:.4f}"


def test_hidden_zero_and_constant_inputs():
    for x in (np.zeros((3, 4)), np.full((2, 2), 5.0)):
        for symmetric in (True, False):
            with case(f"quantize({x.tolist()}, symmetric={symmetric})"):
                q, scale, zero = quantize(x, symmetric=symmetric)
                assert np.all(np.isfinite(scale)) and np.all(scale > 0), f"scale must be positive and finite, got {scale}"
                assert np.allclose(dequantize(q, scale, zero), x, atol=float(np.max(scale)) / 2 + 1e-6), "zeros and constants must come back"
    q, scale, zero = quantize(np.array([1.0, 0.3, 7.0]), symmetric=False)  # all positive, like a ReLU's output
    assert -128 <= zero.item() <= 127 and dequantize(zero.astype(np.int8), scale, zero).item() == 0.0, \
        f"quantize([1.0, 0.3, 7.0], symmetric=False): the range must include 0, so that 0 is the int8 zero point exactly; got zero point {zero.item()}"


def test_hidden_integer_accumulation_and_int8_storage():
    rng = np.random.default_rng(2)
    linear = Linear(300, 20)
    linear.weight.data[...] = rng.normal(0, 0.1, (300, 20))
    linear.bias.data[...] = rng.normal(0, 0.1, 20)
    x = Tensor(rng.random((16, 300)) * 4 - 1)
    layer = QuantizedLinear(linear)
    layer.calibrate(x)
    out = layer(x).data
    qx = np.clip(np.round(x.data / layer.input_scale) + layer.input_zero, -128, 127)
    acc = (qx.astype(np.int64) - layer.input_zero) @ layer.weight_q.astype(np.int64)  # exact integers
    expected = acc * (layer.input_scale * layer.weight_scale) + linear.bias.data
    assert np.allclose(out, expected, rtol=1e-5, atol=1e-5), \
        f"the output must be the int32 sum of (qx - zx) * qW rescaled once (plus the bias): largest difference {np.abs(out - expected).max():.2e}"
    arrays = [v for v in vars(layer).values() if isinstance(v, np.ndarray)] + [v.data for v in vars(layer).values() if isinstance(v, Tensor)]
    big_floats = [a.shape for a in arrays if a.dtype.kind == "f" and a.size >= 300 * 20]
    assert not big_floats, f"QuantizedLinear must not keep float weights (found float arrays of shapes {big_floats}): that is the size quantization saves"
    assert layer.weight_q.dtype == np.int8, f"weights must be stored as int8, got {layer.weight_q.dtype}"
    assert np.size(layer.weight_scale) == 20, f"Linear(300, 20): expected one weight scale per output channel (20), got {np.size(layer.weight_scale)}"
    assert model_bytes(layer) <= model_bytes(linear) / 3.5, f"Linear(300, 20) as int8: expected at most a 3.5th of {model_bytes(linear)} bytes, got {model_bytes(layer)}"


def test_hidden_refuses_uncalibrated_and_bad_input():
    layer = QuantizedLinear(Linear(5, 3))
    expect_error(RuntimeError, lambda: layer(Tensor(np.ones((2, 5)))), "not calibrated", "calibrate")
    layer.calibrate(Tensor(np.ones((2, 5))))
    expect_error(ValueError, lambda: layer(Tensor(np.ones((2, 4)))), "(2, 4)", "5")
    expect_error(TypeError, lambda: quantize_model(Linear(5, 3), np.ones((2, 5))), "Sequential")
    expect_error(ValueError, lambda: quantize_model(Sequential(Linear(5, 3)), np.ones((0, 5))), "calibration", "(0, 5)")


def test_hidden_quantized_model_keeps_accuracy():
    rng = np.random.default_rng(3)
    centers = rng.normal(0, 1, (5, 20)) * 3
    labels = rng.integers(0, 5, 600)
    x = Tensor(centers[labels] + rng.normal(0, 1, (600, 20)))
    np.random.seed(3)
    model = Sequential(Linear(20, 32), ReLU(), Linear(32, 5))
    for _ in range(60):  # a few steps of plain gradient descent
        logits = model(x)
        exp = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))
        grad = exp / exp.sum(axis=1, keepdims=True)
        grad[np.arange(600), labels] -= 1
        logits.backward(grad / 600)
        for p in model.parameters():
            p.data -= 0.5 * p.grad.data
            p.grad = None
    calibration, test = x[:200], x[200:]
    quantized = quantize_model(Sequential(Sequential(model.layers[0]), *model.layers[1:]), calibration)
    float_acc = (model(test).data.argmax(axis=1) == labels[200:]).mean()
    int8_acc = (quantized(test).data.argmax(axis=1) == labels[200:]).mean()
    assert float_acc > 0.8, f"the float model should learn this easy task (accuracy {float_acc:.3f})"
    assert int8_acc >= float_acc - 0.01, f"int8 accuracy {int8_acc:.3f} must be within 1 point of float32's {float_acc:.3f}"
    assert isinstance(quantized.layers[0], Sequential) and isinstance(quantized.layers[0].layers[0], QuantizedLinear), \
        "a Linear inside a nested Sequential must be quantized too"


def test_hidden_quantized_conv2d_sums_integer_windows_with_exact_padding():
    from tinytorch.core.convolutions import conv2d_loops
    rng = np.random.default_rng(4)
    conv = Conv2d(2, 5, 3, stride=2, padding=1)
    conv.weight.data[...] = rng.normal(0, 0.3, conv.weight.shape)
    conv.weight.data[0] *= 50  # one filter with 50x larger weights: per-channel scales matter
    conv.bias.data[...] = rng.normal(0, 0.1, 5)
    x = Tensor(rng.random((3, 2, 7, 7)) + 0.5)  # all positive: the input's zero point is far from 0
    layer = QuantizedConv2d(conv)
    with case("QuantizedConv2d(Conv2d(2, 5, 3, stride=2, padding=1)) on x of shape (3, 2, 7, 7), values in [0.5, 1.5]"):
        assert layer.weight_q.dtype == np.int8 and layer.weight_q.shape == (5, 2, 3, 3), \
            f"weights must be stored as int8 of the weight's shape (5, 2, 3, 3), got {layer.weight_q.dtype} {layer.weight_q.shape}"
        assert np.size(layer.weight_scale) == 5, f"expected one weight scale per output channel (5), got {np.size(layer.weight_scale)}"
        layer.calibrate(x)
        out = layer(x).data
        assert out.shape == (3, 5, 4, 4), f"expected shape (3, 5, 4, 4), got {out.shape}"
        qx = np.clip(np.round(x.data / layer.input_scale) + layer.input_zero, -128, 127)
        x_int8 = (qx - layer.input_zero) * layer.input_scale  # the floats the int8 input stands for; padding 0.0 stays 0.0
        w_int8 = layer.weight_q.astype(np.float64) * np.reshape(layer.weight_scale, (5, 1, 1, 1))
        expected = conv2d_loops(x_int8.astype(np.float64), w_int8, conv.bias.data, stride=2, padding=1)
        assert np.allclose(out, expected, rtol=1e-4, atol=1e-4), \
            (f"each output must be the int32 sum of (qx - zx) * qW over its window, with the padding exactly 0.0, rescaled once "
             f"(plus the bias): largest difference {np.abs(out - expected).max():.2e} (the borders? pad after subtracting the zero point)")
    arrays = [v for v in vars(layer).values() if isinstance(v, np.ndarray)] + [v.data for v in vars(layer).values() if isinstance(v, Tensor)]
    big_floats = [a.shape for a in arrays if a.dtype.kind == "f" and a.size >= conv.weight.data.size]
    assert not big_floats, f"QuantizedConv2d must not keep float weights (found float arrays of shapes {big_floats})"
    expect_error(RuntimeError, lambda: QuantizedConv2d(conv)(x), "not calibrated", "calibrate")
    expect_error(ValueError, lambda: layer(Tensor(np.ones((1, 3, 7, 7)))), "(1, 3, 7, 7)", "2")


def test_hidden_quantize_model_converts_a_cnn():
    from tinytorch.core.convolutions import Flatten, MaxPool2d
    np.random.seed(5)
    model = Sequential(Conv2d(1, 8, 3), ReLU(), MaxPool2d(2), Conv2d(8, 16, 3), ReLU(), Flatten(), Linear(16 * 4, 4))
    x = Tensor(np.random.rand(20, 1, 10, 10))
    quantized = quantize_model(model, x)
    kinds = [type(layer).__name__ for layer in quantized.layers]
    assert kinds == ["QuantizedConv2d", "ReLU", "MaxPool2d", "QuantizedConv2d", "ReLU", "Flatten", "QuantizedLinear"], \
        f"every Conv2d and Linear must be quantized, got {kinds}"
    for before, after in zip(model.layers, quantized.layers):
        if isinstance(before, (Conv2d, Linear)):
            assert after.weight_q.nbytes * 4 == before.weight.data.nbytes, f"{after!r}: its int8 weights must take a quarter of {before!r}'s bytes"
    assert model_bytes(model) / model_bytes(quantized) > 3.2, \
        f"a small CNN in int8 should be more than 3.2x smaller (scales and biases stay float): {model_bytes(model)} -> {model_bytes(quantized)} bytes"
    got, expected = quantized(x).data, model(x).data
    assert np.abs(got - expected).max() < 0.05 * np.abs(expected).max(), \
        f"the int8 CNN's outputs must stay close to the float ones: largest difference {np.abs(got - expected).max():.4f}"



test_hidden_rounding_error_is_at_most_half_a_step()
test_hidden_per_channel_beats_per_tensor()
test_hidden_zero_and_constant_inputs()
test_hidden_integer_accumulation_and_int8_storage()
test_hidden_refuses_uncalibrated_and_bad_input()
test_hidden_quantized_model_keeps_accuracy()
test_hidden_quantized_conv2d_sums_integer_windows_with_exact_padding()
test_hidden_quantize_model_converts_a_cnn()

# %% [markdown]
# ## Use it: size, agreement, speed, measured
#
# The numbers below come from your own layers. `model_bytes` reads the arrays' real sizes; the
# int8 weight matrix is exactly 4x smaller, the whole model a little less (per-channel scales
# and the float bias remain). Speed is another story in NumPy: it has fast float matrix products
# (BLAS) but no fast integer ones, so the int32 product here is *slower* than float32. On
# hardware with int8 units (phones, GPUs' tensor cores) the same arithmetic is 2-4x faster.

# %%
from tinytorch.core.profiling import measure_latency

np.random.seed(0)
float_model = Sequential(Linear(256, 256), ReLU(), Linear(256, 10))
inputs = Tensor(np.random.rand(64, 256))
int8_model = quantize_model(float_model, inputs)
w_float, w_int8 = float_model.layers[0].weight.data.nbytes, int8_model.layers[0].weight_q.nbytes
print(f"first weight matrix: {w_float:,} -> {w_int8:,} bytes ({w_float / w_int8:.1f}x)")
print(f"whole model: {model_bytes(float_model):,} -> {model_bytes(int8_model):,} bytes ({model_bytes(float_model) / model_bytes(int8_model):.2f}x)")
agree = (float_model(inputs).data.argmax(axis=1) == int8_model(inputs).data.argmax(axis=1)).mean()
print(f"same predicted class: {agree:.1%}")
t_float = measure_latency(lambda: float_model(inputs), warmup=1, repeats=5).median
t_int8 = measure_latency(lambda: int8_model(inputs), warmup=1, repeats=5).median
print(f"latency int8 / float32 in NumPy: {t_int8 / t_float:.1f}x (no integer BLAS here)")

# %% [markdown]
# ## Reflect
#
# 1. How many bytes does `QuantizedLinear(Linear(256, 256))` keep for its int8 weight matrix alone?
# 2. What is the largest rounding error of `quantize` for a tensor whose largest |value| is 2.54
#    (symmetric, per tensor)? (Half a step.)
# 3. How many int8 levels does a symmetric grid leave unused for a ReLU's output (all >= 0)?
#    Count the negative ones: that is why activations use the asymmetric grid.

# %%
#| answers
answers = {
    "quant_weight_bytes_256x256": 256 * 256,  # 1. bytes of the int8 weight of a 256x256 layer
    "quant_max_error_254": 2.54 / 127 / 2,  # 2. the largest rounding error, max|x| = 2.54
    "quant_levels_unused_by_relu": 127,  # 3. levels a symmetric grid wastes on values >= 0
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_quantization():
    check_answer(answers, "quant_weight_bytes_256x256", QuantizedLinear(Linear(256, 256)).weight_q.nbytes,
                 "one byte per weight: count the weights")
    q, scale, zero = quantize(np.array([-2.54, 1.0, 2.54]))
    check_answer(answers, "quant_max_error_254", float(np.max(scale)) / 2,
                 "the scale is max|x| / 127; rounding is off by at most half of it", tolerance=0.01)
    q, _, _ = quantize(np.linspace(0, 1, 1000))
    check_answer(answers, "quant_levels_unused_by_relu", 255 - len(np.unique(q)),
                 "symmetric int8 has 255 levels, -127 to 127: how many of them are below zero?")


test_reflect_quantization()

# %% [markdown]
# ## What you built
#
# int8 quantization, symmetric and asymmetric, per tensor and per channel, with the rounding
# error bounded by half a step; a layer that multiplies integers and sums them in int32; and a
# whole-model conversion with calibration. Measured: 4x fewer bytes for the weights, the same
# predictions within a point of accuracy.

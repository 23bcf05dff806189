"""Quantization: the reference solution of module 15.

Generated from curriculum/modules/15_quantization.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer, Linear, Sequential
from tinytorch.core.autograd import no_grad
from tinytorch.core.convolutions import Conv2d, _check_input, _im2col


def _round_to_int8(x, scale, zero_point, low):
    """round(x / scale) + zero_point, clipped to [low, 127], as int8: the one rounding rule."""
    return np.clip(np.round(x / scale) + zero_point, low, 127).astype(np.int8)


def quantize(x, symmetric=True, axis=None):
    """x (an array or Tensor) as int8: returns (q int8, scale float32, zero_point int32).

    axis=None: one scale for the whole tensor. axis=k: one scale per index along axis k (per
    channel); scale and zero_point keep every dimension (size 1 except axis k), so they broadcast.
    """
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


def dequantize(q, scale, zero_point):
    """The floats that int8 values q stand for: (q - zero_point) * scale, as float32."""
    return (q.astype(np.int32) - zero_point).astype(np.float32) * scale


class _QuantizedLayer(Layer):
    """What QuantizedLinear and QuantizedConv2d share: their input's int8 grid, chosen by
    calibrate() before the layer runs, and the integers it turns an input into."""

    input_scale = input_zero = None  # set by calibrate()

    def calibrate(self, x):
        """Choose the input's int8 grid from representative inputs x: asymmetric, one scale for all."""
        _, self.input_scale, self.input_zero = quantize(x, symmetric=False)

    def _centered_input(self, x):
        """The int8 codes of x (a Tensor) minus the zero point, as int32: the integers the layer
        multiplies, in which the float 0.0 is exactly 0.
        """
        if self.input_scale is None:
            raise RuntimeError(f"{self!r} is not calibrated: run representative inputs through it first, "
                               f"with layer.calibrate(x) or quantize_model(model, calibration_data)")
        return _round_to_int8(x.data, self.input_scale, self.input_zero, -128).astype(np.int32) - self.input_zero


class QuantizedLinear(_QuantizedLayer):
    """An int8 version of a Linear: weights int8 with one scale per output column, inputs int8 with
    a calibrated scale and zero point, products summed in int32 and rescaled once."""

    def __init__(self, linear):
        """Quantize linear's weight per output channel (symmetric); keep the bias as float32."""
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.weight_q, self.weight_scale, _ = quantize(linear.weight.data, symmetric=True, axis=1)
        self.bias = None if linear.bias is None else linear.bias.data.copy()

    def forward(self, x):
        """x (..., in_features) -> (..., out_features), computed on integers."""
        if len(x.shape) < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.in_features}), got shape {x.shape}")
        acc = self._centered_input(x) @ self.weight_q.astype(np.int32)
        out = acc.astype(np.float32) * (self.input_scale * self.weight_scale)
        return Tensor(out if self.bias is None else out + self.bias)

    def __repr__(self):
        return f"QuantizedLinear(in_features={self.in_features}, out_features={self.out_features}, int8)"


class QuantizedConv2d(_QuantizedLayer):
    """An int8 version of a Conv2d: weights int8 with one scale per output channel, inputs int8 with
    a calibrated scale and zero point, each window's products summed in int32 (the im2col matrix
    product of module 09 on integers) and rescaled once."""

    def __init__(self, conv):
        """Quantize conv's weight (O, C, kh, kw) per output channel (axis 0, symmetric); keep the bias as float32."""
        self.in_channels, self.out_channels, self.kernel_size = conv.in_channels, conv.out_channels, conv.kernel_size
        self.stride, self.padding = conv.stride, conv.padding
        self.weight_q, self.weight_scale, _ = quantize(conv.weight.data, symmetric=True, axis=0)
        self.bias = None if conv.bias is None else conv.bias.data.copy()

    def forward(self, x):
        """x (N, in_channels, H, W) -> (N, out_channels, OH, OW), computed on integers."""
        _check_input(x, self.kernel_size, self.padding, repr(self))
        if x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), got shape {x.shape}")
        cols, (n, oh, ow) = _im2col(self._centered_input(x), self.kernel_size, self.stride, self.padding)
        acc = self.weight_q.reshape(self.out_channels, -1).astype(np.int32) @ cols
        out = acc.astype(np.float32) * (self.input_scale * self.weight_scale.reshape(-1, 1))
        if self.bias is not None:
            out = out + self.bias[:, None]
        return Tensor(out.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3))

    def __repr__(self):
        return (f"QuantizedConv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, int8)")


def quantize_model(model, calibration_data):
    """A copy of the Sequential `model` with every Linear and Conv2d (nested Sequentials too) replaced
    by a QuantizedLinear or QuantizedConv2d calibrated on the inputs it receives when calibration_data
    flows through.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"quantize_model works on a Sequential, got {type(model).__name__}")
    data = calibration_data.data if isinstance(calibration_data, Tensor) else np.asarray(calibration_data)
    if data.ndim < 2 or len(data) == 0:
        raise ValueError(f"quantize_model needs a batch of calibration inputs (at least one row), got shape {data.shape}")
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

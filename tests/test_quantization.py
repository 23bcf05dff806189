"""Module 15 (quantization): the curriculum's checks against the reference, the grader catching
planted bugs (a quantized layer that keeps float32, ...), and milestone 03's network quantized."""

import numpy as np
import pytest

import tinytorch  # noqa: F401  (autograd on)
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.profiling import model_bytes
from tinytorch.core.quantization import QuantizedLinear, dequantize, quantize, quantize_model
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import accuracy

from mutants import failed_checks, grade_mutant, milestone_namespace

CURRICULUM_MODULE = "15"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("15", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "keeps the float32 weight": [("        self.bias = None if linear.bias is None else linear.bias.data.copy()\n",
                                  "        self.bias = None if linear.bias is None else linear.bias.data.copy()\n        self.weight = linear.weight\n")],
    "computes in float with the dequantized weight": [(
        "        acc = self._centered_input(x) @ self.weight_q.astype(np.int32)\n        out = acc.astype(np.float32) * (self.input_scale * self.weight_scale)\n",
        "        out = x.data @ dequantize(self.weight_q, self.weight_scale, 0)\n")],
    "accumulates in int8": [("        acc = self._centered_input(x) @ self.weight_q.astype(np.int32)\n",
                             "        acc = self._centered_input(x).astype(np.int8) @ self.weight_q\n")],
    "weights with one scale per tensor": [("quantize(linear.weight.data, symmetric=True, axis=1)", "quantize(linear.weight.data, symmetric=True)")],
    "quantize ignores the axis": [("    reduce = None if axis is None else tuple(i for i in range(x.ndim) if i != axis % x.ndim)\n",
                                   "    reduce = None\n")],
    "truncates instead of rounding": [("    return np.clip(np.round(x / scale) + zero_point, low, 127).astype(np.int8)\n",
                                       "    return np.clip(np.trunc(x / scale) + zero_point, low, 127).astype(np.int8)\n")],
    "asymmetric range without 0": [("        low = np.minimum(x.min(axis=reduce, keepdims=True), 0)\n", "        low = x.min(axis=reduce, keepdims=True)\n")],
    "calibrated on the float model's inputs only once": [("                layer = quantize_model(layer, x)\n", "                pass\n")],
    "conv keeps the float32 weight": [("        self.bias = None if conv.bias is None else conv.bias.data.copy()\n",
                                       "        self.bias = None if conv.bias is None else conv.bias.data.copy()\n        self.weight = conv.weight\n")],
    "conv pads the int8 codes with 0": [(
        "        cols, (n, oh, ow) = _im2col(self._centered_input(x), self.kernel_size, self.stride, self.padding)\n",
        "        codes = _round_to_int8(x.data, self.input_scale, self.input_zero, -128).astype(np.int32)\n"
        "        cols, (n, oh, ow) = _im2col(codes, self.kernel_size, self.stride, self.padding)\n"
        "        cols = cols - self.input_zero\n")],
    "conv weights with one scale per tensor": [("quantize(conv.weight.data, symmetric=True, axis=0)", "quantize(conv.weight.data, symmetric=True)")],
    "conv on the float input": [("        cols, (n, oh, ow) = _im2col(self._centered_input(x), self.kernel_size, self.stride, self.padding)\n",
                                 "        cols, (n, oh, ow) = _im2col(x.data / self.input_scale, self.kernel_size, self.stride, self.padding)\n")],
    "quantize_model leaves Conv2d in float32": [("            if isinstance(layer, (Linear, Conv2d)):\n", "            if isinstance(layer, Linear):\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("15", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a quantization module that {name}"


def test_the_milestone_03_network_quantized_keeps_its_accuracy_in_a_quarter_of_the_bytes():
    ns = milestone_namespace("03")
    np.random.seed(0)
    train_x, train_y, test_x, test_y = ns["load_digits"](seed=0)
    loader = ns["DataLoader"](ns["TensorDataset"](Tensor(train_x), Tensor(train_y)), batch_size=32, shuffle=True)
    model = Sequential(Linear(64, 32), ns["ReLU"](), Linear(32, 10))
    ns["train"](model, loader, ns["CrossEntropyLoss"](), ns["Adam"](model.parameters(), lr=0.01), epochs=10, report=lambda *a: None)
    quantized = quantize_model(model, train_x[:256])
    float_acc, int8_acc = accuracy(model(Tensor(test_x)), test_y), accuracy(quantized(Tensor(test_x)), test_y)
    assert float_acc >= 0.9 and int8_acc >= float_acc - 0.01, (float_acc, int8_acc)
    weights = [layer.weight_q for layer in quantized.layers if isinstance(layer, QuantizedLinear)]
    assert [w.dtype for w in weights] == [np.int8, np.int8]
    assert sum(w.nbytes for w in weights) * 4 == sum(layer.weight.data.nbytes for layer in model.layers if isinstance(layer, Linear))
    assert model_bytes(model) / model_bytes(quantized) > 3.5


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("symmetric, axis", [(True, None), (True, 0), (False, None), (False, 1)])
def test_round_trip_error_is_at_most_half_a_step(seed, symmetric, axis):
    x = np.random.default_rng(seed).standard_normal((17, 9)).astype(np.float32) * 10 ** (seed - 2)
    q, scale, zero = quantize(x, symmetric=symmetric, axis=axis)
    assert np.all(np.abs(dequantize(q, scale, zero) - x) <= scale / 2 * (1 + 1e-5))


def test_uncalibrated_layer_says_how_to_calibrate():
    with pytest.raises(RuntimeError, match=r"QuantizedLinear\(in_features=3.*not calibrated.*quantize_model"):
        QuantizedLinear(Linear(3, 2))(Tensor(np.ones((1, 3))))


def test_the_milestone_04_cnn_quantized_keeps_its_accuracy_in_a_quarter_of_the_bytes():
    ns = milestone_namespace("04")
    np.random.seed(0)
    train_x, train_y, test_x, test_y = ns["load_shifted_digits"](seed=0)
    model = ns["make_cnn"]()
    ns["train"](model, train_x, train_y, report=lambda *a: None)
    quantized = quantize_model(model, train_x[:256])
    float_acc, int8_acc = ns["evaluate"](model, test_x, test_y), ns["evaluate"](quantized, test_x, test_y)
    assert [type(layer).__name__ for layer in quantized.layers if hasattr(layer, "weight_q")] == ["QuantizedConv2d", "QuantizedConv2d", "QuantizedLinear"]
    assert float_acc >= 0.95 and int8_acc >= float_acc - 0.01, (float_acc, int8_acc)
    weights = [layer.weight_q for layer in quantized.layers if hasattr(layer, "weight_q")]
    assert all(w.dtype == np.int8 for w in weights)
    assert sum(w.nbytes for w in weights) * 4 == sum(p.data.nbytes for p in model.parameters() if p.data.ndim > 1)
    assert model_bytes(model) / model_bytes(quantized) > 3.5, (model_bytes(model), model_bytes(quantized))
    print(f"milestone 04 CNN: {model_bytes(model):,} -> {model_bytes(quantized):,} bytes, accuracy {float_acc:.4f} -> {int8_acc:.4f}")

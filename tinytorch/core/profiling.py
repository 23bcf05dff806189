"""Profiling: the reference solution of module 14.

Generated from curriculum/modules/14_profiling.py by `python -m curriculum.generate`. Do not edit.
"""

import time
import tracemalloc

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer, Linear
from tinytorch.core.autograd import no_grad
from tinytorch.core.convolutions import Conv2d
from tinytorch.core.attention import MultiHeadAttention


def _children(model):
    """The direct sub-layers of a model as (name, layer): its attributes (or the items of its
    list attributes) that have a `forward`. For a Sequential: "0", "1", ... from model.layers."""
    found = []
    for key, value in vars(model).items():
        items = list(enumerate(value)) if isinstance(value, (list, tuple)) else [(None, value)]
        for index, item in items:
            if hasattr(item, "forward") and not isinstance(item, Tensor):
                name = str(index) if key == "layers" and index is not None else key if index is None else f"{key}.{index}"
                found.append((name, item))
    return found


def _all_layers(model):
    """The model and every layer inside it, each once, parents before children."""
    order, seen, stack = [], set(), [model]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        order.append(layer)
        stack += [child for _, child in reversed(_children(layer))]
    return order


def count_parameters(model):
    """The number of trainable numbers in the model: the sizes of model.parameters() added up."""
    return int(sum(p.size for p in model.parameters()))


def model_bytes(model):
    """The bytes of every array the model and its layers hold (Tensors' .data and plain arrays),
    each array counted once: the model's real size in memory.
    """
    total, seen = 0, set()
    for layer in _all_layers(model):
        for value in vars(layer).values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                array = item.data if isinstance(item, Tensor) else item
                if isinstance(array, np.ndarray) and id(array) not in seen:
                    seen.add(id(array))
                    total += array.nbytes
    return int(total)


def linear_flops(layer, x_shape, out_shape):
    """FLOPs of a Linear on an input of shape x_shape: 2 * rows * in * out, plus rows * out for the bias."""
    rows = int(np.prod(x_shape[:-1], dtype=np.int64))
    products = 2 * rows * layer.in_features * layer.out_features
    return products + (rows * layer.out_features if layer.bias is not None else 0)


FLOP_RULES = {Linear: linear_flops}  # layer class -> rule(layer, input shape, output shape)


def _flop_rule(layer):
    """The rule for this layer's class (or a base class of it), or None."""
    return next((rule for cls, rule in FLOP_RULES.items() if isinstance(layer, cls)), None)


def count_flops(model, input_shape, input_dtype=np.float32):
    """The FLOPs of one forward pass of `model` on an input of `input_shape`, exact for every layer
    type in FLOP_RULES, found anywhere inside the model. Runs the model once on zeros (no_grad).
    """
    total = [0]

    def counting(layer, rule, forward):
        def forward_and_count(x, *args, **kwargs):
            out = forward(x, *args, **kwargs)
            total[0] += int(rule(layer, tuple(x.shape), tuple(out.shape)))
            return out
        return forward_and_count

    counted = [layer for layer in _all_layers(model) if _flop_rule(layer) is not None]
    for layer in counted:
        layer.forward = counting(layer, _flop_rule(layer), layer.forward)
    try:
        with no_grad():
            model(Tensor(np.zeros(input_shape, dtype=input_dtype)))
    finally:
        for layer in counted:
            del layer.forward
    return total[0]


def conv2d_flops(layer, x_shape, out_shape):
    """FLOPs of a Conv2d: 2 * (outputs) * (in_channels * kh * kw), plus one per output for the bias."""
    outputs = int(np.prod(out_shape, dtype=np.int64))
    kh, kw = layer.kernel_size
    return 2 * outputs * layer.in_channels * kh * kw + (outputs if layer.bias is not None else 0)


def attention_flops(layer, x_shape, out_shape):
    """FLOPs of self-attention between its projections: q @ k^T and weights @ v, 2 * B * T * T * embed_dim each."""
    batch, length, embed_dim = x_shape
    return 4 * batch * length * length * embed_dim


FLOP_RULES[Conv2d] = conv2d_flops
FLOP_RULES[MultiHeadAttention] = attention_flops


class Latency:
    """A timing: median and spread (interquartile range) in seconds, and every repeat's time."""

    def __init__(self, times):
        self.times = [float(t) for t in times]
        self.median = float(np.median(self.times))
        low, high = np.percentile(self.times, [25, 75])
        self.spread = float(high - low)

    def __repr__(self):
        return f"Latency(median={self.median * 1e3:.3f} ms, spread={self.spread * 1e3:.3f} ms, repeats={len(self.times)})"


def _check_counts(warmup, repeats):
    """Warm-up and repeat counts must be whole numbers; at least one repeat, else there is nothing to measure."""
    for name, value, least in [("warmup", warmup, 0), ("repeats", repeats, 1)]:
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}"
                             + (" (a measurement needs at least one timed run)" if name == "repeats" else ""))


def measure_latency(fn, warmup=3, repeats=10):
    """Time fn() (no arguments): `warmup` untimed calls, then `repeats` timed ones; returns a Latency."""
    _check_counts(warmup, repeats)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Latency(times)


def measure_memory(fn):
    """The peak number of bytes allocated while fn() runs, above what was allocated before it."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if started:
            tracemalloc.stop()
    return int(peak - before)


def _recorded_functions(output, inputs):
    """The Functions of the graph between `output` and `inputs`: what a forward call recorded."""
    stop = {id(t) for t in inputs if isinstance(t, Tensor)}
    functions, seen, stack = [], set(), [output]
    while stack:
        tensor = stack.pop()
        if id(tensor) in stop or id(tensor) in seen or getattr(tensor, "_grad_fn", None) is None:
            continue
        seen.add(id(tensor))
        functions.append(tensor._grad_fn)
        stack += [t for t in tensor._grad_fn.inputs if isinstance(t, Tensor)]
    return functions


class Profiler:
    """`with Profiler(model) as p:` times the forward and backward of each direct layer of model.

    p.stats: {layer name: {"calls": n, "forward_s": seconds, "backward_s": seconds}}; p.report().
    """

    def __init__(self, model):
        self.layers = _children(model) or [(type(model).__name__, model)]
        self.stats = {name: {"calls": 0, "forward_s": 0.0, "backward_s": 0.0} for name, _ in self.layers}

    def __enter__(self):
        for name, layer in self.layers:
            layer.forward = self._timed_forward(name, layer.forward)
        return self

    def __exit__(self, *error):
        for _, layer in self.layers:
            del layer.forward  # the class's forward is visible again
        return False

    def _timed_forward(self, name, forward):
        """forward, timed into stats[name], with the backward of what it records timed too."""
        def timed(x, *args, **kwargs):
            start = time.perf_counter()
            out = forward(x, *args, **kwargs)
            self.stats[name]["forward_s"] += time.perf_counter() - start
            self.stats[name]["calls"] += 1
            for function in _recorded_functions(out, (x, *args)):
                function.backward = self._timed_backward(name, function.backward)
            return out
        return timed

    def _timed_backward(self, name, backward):
        """backward, timed into stats[name]["backward_s"]."""
        def timed(grad_output):
            start = time.perf_counter()
            grads = backward(grad_output)
            self.stats[name]["backward_s"] += time.perf_counter() - start
            return grads
        return timed

    def report(self):
        """A table: each layer's calls, forward and backward milliseconds, and share of the total."""
        total = sum(s["forward_s"] + s["backward_s"] for s in self.stats.values()) or 1.0
        lines = [f"{'layer':<24}{'calls':>6}{'forward ms':>12}{'backward ms':>13}{'share':>8}"]
        for (name, layer), s in zip(self.layers, self.stats.values()):
            label = f"{name} {type(layer).__name__}"
            share = (s["forward_s"] + s["backward_s"]) / total
            lines.append(f"{label:<24}{s['calls']:>6}{s['forward_s'] * 1e3:>12.3f}{s['backward_s'] * 1e3:>13.3f}{share:>8.1%}")
        return "\n".join(lines)

# %% [markdown]
# # Module 14: Profiling, measure before you optimize
#
# Every module from here on makes a model smaller or faster. Before changing anything, you need
# numbers you can trust: how big is the model, how much work is one forward pass, how long does
# it take, how much memory does it need, and *where* does the time go. Guessing is how people
# spend a week optimizing the layer that takes 2% of the time.
#
# **You've built:** a whole framework (01-08), convolutions, attention and a GPT (09-13).
# **You'll build:** `count_parameters`, `model_bytes`, `count_flops` (exact, per layer type),
# `measure_latency` (warm-up, repeats, median and spread), `measure_memory` (peak bytes,
# measured by Python's allocator) and a `Profiler` that times the forward **and** the backward
# pass of every layer.
# **You'll enable:** every later module of this tier reports its gains with these tools:
# quantization (15) and pruning (16) in bytes, acceleration (17) and the KV cache (18) in time,
# benchmarking (19) in medians with confidence intervals.
#
# ```
# ... -> GPT (13) -> [Profiling (14)] -> Quantization (15) -> Compression (16)
#     -> Acceleration (17) -> KV cache (18) -> Benchmarking (19) -> Torch Olympics (20)
# ```
#
# **Learning objectives**
# 1. Count a model's parameters, bytes and FLOPs exactly, and check the count by hand.
# 2. Time code properly: warm-up, many repeats, the median and its spread, never one run.
# 3. Measure peak memory, not the size of the result.
# 4. Attribute time to layers, backward pass included, by timing the code that really runs.

# %%
#| export
import time
import tracemalloc

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Layer, Linear
from tinytorch.core.autograd import no_grad
from tinytorch.core.convolutions import Conv2d
from tinytorch.core.attention import MultiHeadAttention

# %% [markdown]
# ## Size: parameters and bytes
#
# `count_parameters` is the number everyone quotes ("a 124M model"). The number that decides
# whether a model fits in a phone, or downloads in a second, is its size in **bytes**: the
# parameters times the bytes of their type (4 for float32), plus anything else it stores.
# `model_bytes` measures it from the arrays the model really holds (`array.nbytes`), not from a
# formula, so in module 15 it will see int8 weights as 1 byte each, and catch a "quantized"
# layer that secretly kept its float32 copy.
#
# A model is a tree: a `Sequential` holds layers in a list, a GPT holds blocks that hold
# layers. `_children` finds the direct children of any of them by looking at its attributes.

# %%
#| export
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
    """The number of trainable numbers in the model: the sizes of model.parameters() added up.

    TODO: one line: add up p.size over model.parameters(), as a Python int.
    """
    ### BEGIN SOLUTION
    return int(sum(p.size for p in model.parameters()))
    ### END SOLUTION


def model_bytes(model):
    """The bytes of every array the model and its layers hold (Tensors' .data and plain arrays),
    each array counted once: the model's real size in memory.

    TODO: walk every layer of the model (_all_layers), look at each attribute value, and add up
          array.nbytes for the Tensors (their .data) and NumPy arrays found, lists of them too.

    APPROACH:
    1. seen = set() of id(array), so an array shared by two layers counts once
    2. for layer in _all_layers(model): for value in vars(layer).values():
           items = value if it is a list or tuple, else [value]
           for each item: array = item.data if a Tensor, item if an np.ndarray, else skip
    3. add array.nbytes for each array not seen yet
    """
    ### BEGIN SOLUTION
    total, seen = 0, set()
    for layer in _all_layers(model):
        for value in vars(layer).values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                array = item.data if isinstance(item, Tensor) else item
                if isinstance(array, np.ndarray) and id(array) not in seen:
                    seen.add(id(array))
                    total += array.nbytes
    return int(total)
    ### END SOLUTION

# %% [markdown]
# ## Work: FLOPs, counted exactly
#
# A **FLOP** is one floating-point operation. A `Linear(in, out)` on a batch of `rows` inputs
# computes `rows * out` dot products of length `in`: each is `in` multiplications and `in`
# additions, so **`2 * rows * in * out`** FLOPs, plus `rows * out` additions for the bias. Input
# `(..., in)` with extra leading dimensions (a sequence) has `rows` = the product of all of them.
#
# The count is exact, and you can check it by hand: `Linear(64, 32)` on 8 inputs is
# `2*8*64*32 + 8*32 = 33,024` FLOPs. Element-wise layers (activations, dropout) do a handful of
# operations per number, a rounding error next to the products, so they count 0 here.
#
# `count_flops(model, input_shape)` needs the input shape of every layer deep inside the model,
# which only running the model tells you (think of a GPT). So it runs it once, on zeros, and each
# layer with a rule in `FLOP_RULES` adds its count as it is called, from the shapes it really saw.
# Later layer types get their rule the same way (convolutions and attention below).

# %%
#| export
def linear_flops(layer, x_shape, out_shape):
    """FLOPs of a Linear on an input of shape x_shape: 2 * rows * in * out, plus rows * out for the bias.

    TODO: rows = the product of every dimension of x_shape except the last (1 if there is none).
    HINT: int(np.prod(x_shape[:-1])) is 1 for an empty shape; use Python ints (no int32 overflow).
    """
    ### BEGIN SOLUTION
    rows = int(np.prod(x_shape[:-1], dtype=np.int64))
    products = 2 * rows * layer.in_features * layer.out_features
    return products + (rows * layer.out_features if layer.bias is not None else 0)
    ### END SOLUTION


FLOP_RULES = {Linear: linear_flops}  # layer class -> rule(layer, input shape, output shape)


def _flop_rule(layer):
    """The rule for this layer's class (or a base class of it), or None."""
    return next((rule for cls, rule in FLOP_RULES.items() if isinstance(layer, cls)), None)


def count_flops(model, input_shape, input_dtype=np.float32):
    """The FLOPs of one forward pass of `model` on an input of `input_shape`, exact for every layer
    type in FLOP_RULES, found anywhere inside the model. Runs the model once on zeros (no_grad).

    TODO: for every layer with a rule, replace its forward (on the instance, for this one run) by
          one that calls the original and adds rule(layer, x.shape, out.shape) to a total.

    APPROACH:
    1. total = [0] (a list, so the inner function can add to it)
    2. for layer in _all_layers(model) with a rule (_flop_rule): layer.forward = counting(layer, rule, layer.forward)
       where counting's inner function runs forward(x), adds rule(...) and returns the output
    3. in a try: run model(Tensor(np.zeros(input_shape, dtype=input_dtype))) inside no_grad()
    4. finally: remove the instance attributes again (del layer.forward), whatever happened
    5. return total[0]
    HINT: an attribute set on the instance hides the class's method; deleting it brings it back.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION

# %% [markdown]
# ## Convolutions and attention
#
# A `Conv2d` computes, for every output number (`N * out_channels * OH * OW` of them), one dot
# product over its window: `in_channels * kh * kw` multiply-adds. Read the output shape from
# `out_shape` (the rule gets it) rather than recomputing it from stride and padding.
#
# `MultiHeadAttention`'s projections are `Linear` layers inside it: `count_flops` finds and counts
# them on their own. Its rule adds only what happens between them: the scores `q @ kᵀ`
# (`B * heads * T * T` dot products of `head_dim`) and the weighted sum `weights @ v` (the same
# count again): `2 * 2 * B * T * T * embed_dim` FLOPs in all, growing with the **square** of the
# sequence length. (Causal masking hides half the scores, but they are computed all the same.)

# %%
#| export
def conv2d_flops(layer, x_shape, out_shape):
    """FLOPs of a Conv2d: 2 * (outputs) * (in_channels * kh * kw), plus one per output for the bias.

    TODO: outputs = the product of out_shape (N, out_channels, OH, OW); per output, a window of
          in_channels * kh * kw multiply-adds.
    """
    ### BEGIN SOLUTION
    outputs = int(np.prod(out_shape, dtype=np.int64))
    kh, kw = layer.kernel_size
    return 2 * outputs * layer.in_channels * kh * kw + (outputs if layer.bias is not None else 0)
    ### END SOLUTION


def attention_flops(layer, x_shape, out_shape):
    """FLOPs of self-attention between its projections: q @ k^T and weights @ v, 2 * B * T * T * embed_dim each.

    TODO: batch, length, embed_dim from x_shape (B, T, E); return 4 * B * T * T * E.
    """
    ### BEGIN SOLUTION
    batch, length, embed_dim = x_shape
    return 4 * batch * length * length * embed_dim
    ### END SOLUTION


FLOP_RULES[Conv2d] = conv2d_flops
FLOP_RULES[MultiHeadAttention] = attention_flops

# %% [markdown]
# ## Time: warm-up, repeats, the median
#
# One timing is a rumour. The first call pays for things later calls do not (memory allocation,
# caches, in the browser even compiling), the machine does other work now and then, and the
# clock has a resolution. So a measurement:
#
# 1. **warms up**: runs the code a few times without timing it;
# 2. **repeats**: times it many times, each with `time.perf_counter()` (the precise clock);
# 3. reports the **median** (half the runs were faster, half slower: one unlucky run does not
#    move it, unlike the mean) and the **spread**, here the interquartile range (the middle half
#    of the runs lies within it). A spread as large as the median means: do not trust the digits.

# %%
#| export
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
    """Time fn() (no arguments): `warmup` untimed calls, then `repeats` timed ones; returns a Latency.

    TODO: check the counts (_check_counts), call fn warmup times, then time each of repeats calls
          with time.perf_counter() and return Latency(times).
    """
    _check_counts(warmup, repeats)
    ### BEGIN SOLUTION
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Latency(times)
    ### END SOLUTION

# %% [markdown]
# ## Memory: the peak, measured
#
# The memory a computation needs is its **peak**: the most it had allocated at any one moment,
# temporaries included. `x * 2 + 1` on a 100 MB array needs 300 MB at its peak (x, `x * 2`, the
# result), though it returns 100 MB. Counting the result's bytes would miss that.
#
# Python's `tracemalloc` watches every allocation, NumPy's arrays included (in the browser too).
# `tracemalloc.reset_peak()` starts a fresh peak; `tracemalloc.get_traced_memory()` returns
# `(current, peak)` bytes. The peak minus what was allocated before is what the call needed.

# %%
#| export
def measure_memory(fn):
    """The peak number of bytes allocated while fn() runs, above what was allocated before it.

    TODO: start tracemalloc (unless it is already tracing), reset the peak, note the current
          bytes, call fn(), read the peak; stop tracemalloc again if you started it.
    HINT: tracemalloc.is_tracing(), start(), stop(), reset_peak(), get_traced_memory() -> (current, peak)
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION

# %% [markdown]
# ## Where does the time go? A profiler, forward and backward
#
# The `Profiler` times each direct layer of a model, e.g. each entry of a `Sequential`:
#
# ```python
# with Profiler(model) as profiler:
#     loss = loss_fn(model(x), y)
#     loss.backward()
# print(profiler.report())
# ```
#
# **Forward**: while profiling, each layer's `forward` is replaced (on that one object) by a
# timed version, exactly as `count_flops` did.
#
# **Backward**: a layer has no backward method; its backward is the `backward` of the Functions
# (module 06) its forward recorded. They are the graph between the layer's output and its input:
# walk back from the output through each `_grad_fn`'s inputs, stopping at the layer's input.
# Give each of them a timed `backward` (again on the object), labelled with the layer's name.
# When `loss.backward()` later calls them, their time goes to that layer: measured, not
# estimated as "twice the forward", which is often wrong (a first layer's backward skips the
# gradient of the data; a softmax's backward is cheap).

# %%
#| export
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
        """forward, timed into stats[name], with the backward of what it records timed too.

        TODO: the inner function times forward(x), adds the time and one call to self.stats[name],
              then gives every Function it recorded a timed backward, and returns the output.

        APPROACH:
        1. start = time.perf_counter(); out = forward(x, *args, **kwargs)
        2. self.stats[name]["forward_s"] += time.perf_counter() - start; ["calls"] += 1
        3. for function in _recorded_functions(out, (x, *args)):
               function.backward = self._timed_backward(name, function.backward)
        """
        ### BEGIN SOLUTION
        def timed(x, *args, **kwargs):
            start = time.perf_counter()
            out = forward(x, *args, **kwargs)
            self.stats[name]["forward_s"] += time.perf_counter() - start
            self.stats[name]["calls"] += 1
            for function in _recorded_functions(out, (x, *args)):
                function.backward = self._timed_backward(name, function.backward)
            return out
        return timed
        ### END SOLUTION

    def _timed_backward(self, name, backward):
        """backward, timed into stats[name]["backward_s"].

        TODO: as the forward: time the call, add the seconds, return what backward returned.
        """
        ### BEGIN SOLUTION
        def timed(grad_output):
            start = time.perf_counter()
            grads = backward(grad_output)
            self.stats[name]["backward_s"] += time.perf_counter() - start
            return grads
        return timed
        ### END SOLUTION

    def report(self):
        """A table: each layer's calls, forward and backward milliseconds, and share of the total."""
        total = sum(s["forward_s"] + s["backward_s"] for s in self.stats.values()) or 1.0
        lines = [f"{'layer':<24}{'calls':>6}{'forward ms':>12}{'backward ms':>13}{'share':>8}"]
        for (name, layer), s in zip(self.layers, self.stats.values()):
            label = f"{name} {type(layer).__name__}"
            share = (s["forward_s"] + s["backward_s"]) / total
            lines.append(f"{label:<24}{s['calls']:>6}{s['forward_s'] * 1e3:>12.3f}{s['backward_s'] * 1e3:>13.3f}{share:>8.1%}")
        return "\n".join(lines)

# %% [markdown]
# ## Try it: the milestone 03 network, measured

# %%
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Sequential
from tinytorch.core.losses import CrossEntropyLoss

np.random.seed(0)
model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
x, y = Tensor(np.random.rand(256, 64)), np.random.randint(0, 10, 256)
print(f"parameters {count_parameters(model):,}, bytes {model_bytes(model):,}, "
      f"FLOPs for a batch of 256: {count_flops(model, (256, 64)):,}")
print("forward latency:", measure_latency(lambda: model(x), warmup=2, repeats=20))
print(f"forward peak memory: {measure_memory(lambda: model(x)):,} bytes")
with Profiler(model) as profiler:
    for _ in range(5):
        CrossEntropyLoss()(model(x), y).backward()
print(profiler.report())

# %% [markdown]
# ## Unit tests

# %%
#| test
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Sequential
from tinytorch.core.losses import CrossEntropyLoss


def test_unit_count_parameters_and_bytes():
    print("🧪 Unit Test: count_parameters and model_bytes...")
    model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
    got = count_parameters(model)
    assert got == 64 * 32 + 32 + 32 * 10 + 10, f"Linear(64, 32) + Linear(32, 10): expected 2410 parameters, got {got}"
    got = model_bytes(model)
    assert got == 2410 * 4, f"2410 float32 parameters: expected 9640 bytes, got {got}"
    print("✅ count_parameters and model_bytes work!")


def test_unit_count_flops_linear():
    print("🧪 Unit Test: count_flops of an MLP, checked by hand...")
    model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
    expected = (2 * 8 * 64 * 32 + 8 * 32) + (2 * 8 * 32 * 10 + 8 * 10)
    got = count_flops(model, (8, 64))
    assert got == expected, f"Linear(64, 32), ReLU, Linear(32, 10) on (8, 64): expected {expected} FLOPs, got {got}"
    assert "forward" not in vars(model.layers[0]), "count_flops must remove its counting forward afterwards"
    print("✅ count_flops works!")


def test_unit_measure_latency():
    print("🧪 Unit Test: measure_latency...")
    calls = []
    result = measure_latency(lambda: calls.append(1), warmup=2, repeats=5)
    assert len(calls) == 7, f"warmup=2, repeats=5: fn must be called 7 times, was called {len(calls)} times"
    assert len(result.times) == 5 and result.median >= 0 and result.spread >= 0, f"expected 5 times and a median, got {result!r}"
    print("✅ measure_latency works!")


def test_unit_measure_memory():
    print("🧪 Unit Test: measure_memory...")
    got = measure_memory(lambda: np.ones(1_000_000).sum())  # an 8 MB temporary, a tiny result
    assert 8_000_000 <= got < 9_000_000, f"a temporary array of 1,000,000 float64 (8,000,000 bytes): expected a peak of about 8 MB, got {got:,}"
    print("✅ measure_memory works!")


def test_unit_profiler():
    print("🧪 Unit Test: Profiler...")
    model = Sequential(Linear(4, 8), ReLU(), Linear(8, 2))
    with Profiler(model) as profiler:
        CrossEntropyLoss()(model(Tensor(np.ones((3, 4)))), [0, 1, 0]).backward()
    for name in ["0", "1", "2"]:
        s = profiler.stats[name]
        assert s["calls"] == 1 and s["forward_s"] > 0, f"layer {name}: expected 1 call with a forward time, got {s}"
    assert profiler.stats["2"]["backward_s"] > 0, f"the last Linear's backward ran: expected a backward time, got {profiler.stats['2']}"
    assert "forward" not in vars(model.layers[0]), "the Profiler must restore the layers' forward when the block ends"
    print("✅ Profiler works!")


test_unit_count_parameters_and_bytes()
test_unit_count_flops_linear()
test_unit_measure_latency()
test_unit_measure_memory()
test_unit_profiler()

# %%
#| hidden
from tito.checks import case, expect_error
from tinytorch.core.autograd import Function


def _busy(seconds):
    """Keep the processor busy for `seconds` (time.sleep is not real work everywhere, e.g. in the browser)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class _SlowBackward(Function):
    def backward(self, grad_output):
        _busy(0.05)
        return (grad_output,)


class _SlowBackwardLayer(Layer):
    """Fast forward (1 ms), slow backward (50 ms): a profiler that estimates backward from forward is wrong."""

    def forward(self, x):
        _busy(0.001)
        out = Tensor(x.data.copy(), requires_grad=True)
        out._grad_fn = _SlowBackward(out, x)
        return out


class _SlowForwardLayer(Layer):
    """Slow forward (50 ms), a plain multiply for backward."""

    def forward(self, x):
        _busy(0.05)
        return x * 1.0


def test_hidden_profiler_measures_backward():
    model = Sequential(Linear(4, 4), _SlowBackwardLayer(), _SlowForwardLayer(), Linear(4, 2))
    with Profiler(model) as profiler:
        model(Tensor(np.ones((2, 4)))).sum().backward()
    slow_back, slow_fwd = profiler.stats["1"], profiler.stats["2"]
    assert slow_back["backward_s"] >= 0.05, f"a layer whose backward takes 50 ms: expected backward_s >= 0.05, got {slow_back}"
    # Upper bounds relative to the 50 ms waits, never absolute: a busy machine or the browser runs everything slower.
    assert slow_back["forward_s"] < slow_back["backward_s"] / 2, \
        f"its forward takes 1 ms, its backward 50 ms: expected forward_s < backward_s / 2, got {slow_back}"
    assert slow_fwd["forward_s"] >= 0.05 and slow_fwd["backward_s"] < slow_fwd["forward_s"] / 2, \
        f"a layer with a 50 ms forward and a fast backward: expected forward_s >= 0.05 and backward_s < forward_s / 2, got {slow_fwd}"
    assert profiler.stats["0"]["backward_s"] < slow_back["backward_s"] / 2, \
        f"the first Linear must not be charged the next layer's backward: {profiler.stats['0']}"
    assert profiler.stats["3"]["backward_s"] > 0, f"the last Linear's backward ran: {profiler.stats['3']}"
    assert not any("forward" in vars(layer) for layer in model.layers), "forward must be restored after the block"
    report = profiler.report()
    assert "_SlowBackwardLayer" in report and "backward" in report, f"the report must name the layers: {report}"


def test_hidden_profiler_counts_calls_and_restores_on_error():
    model = Sequential(Linear(3, 3), ReLU())
    try:
        with Profiler(model) as profiler:
            model(Tensor(np.ones((1, 3))))
            model(Tensor(np.ones((1, 3))))
            raise KeyError("inside")
    except KeyError:
        pass
    assert profiler.stats["0"]["calls"] == 2 and profiler.stats["1"]["calls"] == 2, f"two forward passes: expected 2 calls per layer, got {profiler.stats}"
    assert not any("forward" in vars(layer) for layer in model.layers), "an error inside the block must still restore forward"


def test_hidden_count_flops_cases():
    for layer, shape, expected in [(Linear(3, 4, bias=False), (2, 5, 3), 2 * 10 * 3 * 4), (Linear(3, 4), (1, 3), 2 * 12 + 4),
                                   (Linear(10, 1), (7, 10), 2 * 7 * 10 + 7)]:
        got = count_flops(layer, shape)
        assert got == expected, f"{layer!r} on an input of shape {shape}: expected {expected} FLOPs, got {got}"
    nested = Sequential(Linear(5, 6), Sequential(ReLU(), Linear(6, 2)))
    expected = 2 * 4 * 5 * 6 + 4 * 6 + 2 * 4 * 6 * 2 + 4 * 2
    got = count_flops(nested, (4, 5))
    assert got == expected, f"a Sequential inside a Sequential on (4, 5): expected {expected} FLOPs, got {got}"
    big = Linear(2, 2)
    big.in_features = big.out_features = 4096  # the rule reads the sizes: a big layer's count without running its 34 GFLOPs
    got = linear_flops(big, (1024, 4096), (1024, 4096))
    assert got == 2 * 1024 * 4096 * 4096 + 1024 * 4096, f"Linear(4096, 4096) on 1024 rows: expected {2 * 1024 * 4096 * 4096 + 1024 * 4096} (no 32-bit overflow), got {got}"


def test_hidden_model_bytes_counts_every_array_once():
    shared, tied = Linear(3, 3), Linear(3, 3, bias=False)
    tied.weight = shared.weight  # weight tying: two layers, one array (as a GPT's embedding and head)
    model = Sequential(shared, ReLU(), shared, tied, Linear(3, 2, bias=False))
    expected = (9 + 3 + 6) * 4
    got = model_bytes(model)
    assert got == expected, f"a layer used twice and a weight shared by two layers count once: expected {expected} bytes, got {got}"
    layer = Linear(2, 2)
    layer.extra = np.zeros(10, dtype=np.int8)
    got = model_bytes(layer)
    assert got == (4 + 2) * 4 + 10, f"a layer holding an extra int8 array of 10: expected {(4 + 2) * 4 + 10} bytes, got {got}"


def test_hidden_measure_memory_is_the_peak():
    def two_temporaries():
        a = np.ones(500_000)  # 4 MB
        b = a * 2  # another 4 MB while a is alive
        return float(b[0])

    got = measure_memory(two_temporaries)
    assert 8_000_000 <= got < 9_000_000, f"two 4 MB arrays alive at once, a float returned: expected a peak of about 8 MB, got {got:,}"
    small = measure_memory(lambda: None)
    assert small < 10_000, f"a function that allocates nothing: expected a peak near 0, got {small:,}"


def test_hidden_measure_latency_times_the_repeats():
    result = measure_latency(lambda: _busy(0.005), warmup=1, repeats=4)
    assert 0.005 <= result.median < 0.5, f"a 5 ms function: expected a median of at least 5 ms, got {result!r}"
    assert len(result.times) == 4, f"repeats=4: expected 4 timed runs, got {len(result.times)}"
    assert all(t >= 0.005 for t in result.times), f"every repeat of a 5 ms function takes >= 5 ms, got {result.times}"
    result = Latency([1.0, 2.0, 3.0, 4.0, 100.0])
    assert result.median == 3.0 and result.spread == 2.0, f"times 1, 2, 3, 4, 100: expected median 3 and interquartile range 4 - 2 = 2, got {result!r}"
    expect_error(ValueError, lambda: measure_latency(lambda: None, repeats=0), "repeats", "0")
    expect_error(ValueError, lambda: measure_latency(lambda: None, warmup=-1), "warmup")


def test_hidden_count_flops_conv_attention_and_gpt():
    from tinytorch.core.transformers import GPT

    with case("Conv2d(3, 8, kernel_size=3, padding=1) on (2, 3, 10, 10)"):
        got = count_flops(Conv2d(3, 8, 3, padding=1), (2, 3, 10, 10))
        outputs = 2 * 8 * 10 * 10
        assert got == 2 * outputs * 3 * 9 + outputs, f"expected {2 * outputs * 27 + outputs}, got {got}"
    with case("Conv2d(2, 4, kernel_size=(3, 2), stride=2, bias=False) on (1, 2, 9, 8)"):
        got = count_flops(Conv2d(2, 4, (3, 2), stride=2, bias=False), (1, 2, 9, 8))
        assert got == 2 * (4 * 4 * 4) * 2 * 6, f"output (1, 4, 4, 4), windows of 2 * 3 * 2: expected {2 * 64 * 12}, got {got}"
    with case("MultiHeadAttention(16, 4) on (2, 5, 16)"):
        got = count_flops(MultiHeadAttention(16, 4), (2, 5, 16))
        projections = 4 * (2 * 10 * 16 * 16 + 10 * 16)
        assert got == projections + 4 * 2 * 5 * 5 * 16, f"4 projections and the attention products: expected {projections + 4 * 2 * 25 * 16}, got {got}"
    with case("GPT(vocab 50, width 16, 2 layers, 2 heads) on tokens (2, 8)"):
        B, T, E, V = 2, 8, 16, 50
        rows = B * T
        block = 4 * (2 * rows * E * E + rows * E) + 4 * B * T * T * E + (2 * rows * E * 4 * E + rows * 4 * E) + (2 * rows * 4 * E * E + rows * E)
        expected = 2 * block + 2 * rows * E * V + rows * V
        got = count_flops(GPT(V, E, 2, 2, 32), (B, T))
        assert got == expected, f"2 blocks (projections, attention, MLP) and the vocabulary head: expected {expected}, got {got}"


test_hidden_profiler_measures_backward()
test_hidden_profiler_counts_calls_and_restores_on_error()
test_hidden_count_flops_cases()
test_hidden_count_flops_conv_attention_and_gpt()
test_hidden_model_bytes_counts_every_array_once()
test_hidden_measure_memory_is_the_peak()
test_hidden_measure_latency_times_the_repeats()

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers; a Python expression is fine), run it, then
# `%tito module complete 14` checks your answers against your own tools.
#
# 1. How many FLOPs does `count_flops` give for `Linear(784, 128)` on a batch of 32 inputs?
# 2. How many bytes does `Sequential(Linear(784, 128), ReLU(), Linear(128, 10))` hold?
# 3. When the batch doubles from 32 to 64, how many times more FLOPs does that network's forward
#    pass take? (And its latency: measure it with `measure_latency` and compare.)

# %%
#| answers
answers = {
    "profiling_flops_784x128_batch32": 2 * 32 * 784 * 128 + 32 * 128,  # 1. FLOPs of Linear(784, 128) on (32, 784)
    "profiling_bytes_mnist_mlp": (784 * 128 + 128 + 128 * 10 + 10) * 4,  # 2. bytes of the 784-128-10 network
    "profiling_flops_growth_batch_doubles": 2,  # 3. FLOPs at batch 64 / FLOPs at batch 32
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_profiling_counts():
    check_answer(answers, "profiling_flops_784x128_batch32", count_flops(Linear(784, 128), (32, 784)),
                 "2 FLOPs (a multiply and an add) per weight per input row, plus one add per output for the bias")
    model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
    check_answer(answers, "profiling_bytes_mnist_mlp", model_bytes(model),
                 "count the weights and biases of both layers, then 4 bytes per float32 number")


def test_reflect_flops_growth():
    model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
    check_answer(answers, "profiling_flops_growth_batch_doubles", count_flops(model, (64, 784)) / count_flops(model, (32, 784)),
                 "every term of a Linear's count has the number of rows as a factor")


test_reflect_profiling_counts()
test_reflect_flops_growth()

# %% [markdown]
# ## What you built
#
# Exact counts (parameters, bytes, FLOPs), honest timings (warm-up, repeats, median and spread),
# measured peak memory, and a profiler that charges every layer its real forward and backward
# time. From now on every claim of "smaller" or "faster" comes with one of these numbers.

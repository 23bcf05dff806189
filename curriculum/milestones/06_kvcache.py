# %% [markdown]
# # Milestone 06: MLPerf-style, the KV-cache speedup and an optimization round (2024)
#
# By the 2020s the question about a model was no longer only "how accurate?" but "how fast, how
# big, how much does it cost to run?". MLPerf (first published in 2018 by a consortium of
# companies and universities, with inference rounds from 2019) made that question rigorous:
# fixed tasks, fixed quality targets, and results that count only when measured under published
# rules. Every large language model served today generates with a **KV cache**: without it,
# writing token 1,000 would redo the work of the 999 before it.
#
# You run a small MLPerf round on your own framework, with two events:
#
# 1. **Generation**: your GPT (13) writes the same tokens with and without your KV cache (18).
#    The tokens must be **identical**; the work and the time are measured, and shown as the table
#    of the talk: time, time per token, speedup, cache memory. **Gates:** identical tokens, at
#    least 10x fewer positions computed (counted: the same on every machine), and a measured
#    speedup of at least **10x on CPython, 5x in the browser** (the talk's goals; the figure
#    `kv_speedup_vs_goal` is the speedup divided by the goal where it runs, gated at 1).
# 2. **Optimization round**: the digit reader of milestone 03, trained, then profiled (14),
#    quantized to int8 (15) and pruned (16), with size, latency (19) and accuracy measured before
#    and after. **Gates:** the int8 model within 1 point of the float32 model's accuracy, at least
#    90%, and more than 3x smaller (measured from its arrays).
#
# Every number below is measured in this run, on your code. Nothing is estimated.
#
# **Your modules at work:** 01-08 (training), 11-13 (the GPT), 14 Profiler and model_bytes,
# 15 quantize_model, 16 magnitude_prune and csr_bytes, 18 KVCache and generate_cached,
# 19 benchmark.

# %%
import gc
import sys
import time

import numpy as np

from tinytorch import GPT, Adam, CrossEntropyLoss, DataLoader, Linear, ReLU, Sequential, Tensor, TensorDataset, accuracy, no_grad
from tinytorch.core.profiling import Profiler, model_bytes
from tinytorch.core.quantization import quantize_model
from tinytorch.core.compression import csr_bytes, magnitude_prune, sparsity
from tinytorch.core.memoization import cache_for
from tinytorch.core.benchmarking import benchmark
from tito.milestones import data_path

IN_BROWSER = sys.platform == "emscripten"
GOAL_SPEEDUP = 5.0 if IN_BROWSER else 10.0  # the talk's goal where this runs: the speedup gate
# prompts x new tokens: the browser's NumPy is 35-80x slower than CPython's, so it gets less work
BATCH, PROMPT_LEN, NEW_TOKENS = (8, 8, 48) if IN_BROWSER else (16, 8, 96)
CACHED_RUNS = 1 if IN_BROWSER else 3  # runs with the cache after each run without it
# The wall clock, what a user waits for. (Not the process's CPU time: NumPy's BLAS threads count
# their waiting in it, which made the run without the cache look up to 10x slower than it was.)
CLOCK = time.perf_counter

# %% [markdown]
# ## Event 1: generation, with and without the cache
#
# A GPT of 2 layers, 4 heads and width 64 (random weights: speed and identity do not need a
# trained model) continues a batch of 16 prompts of 8 tokens by 96 tokens each (8 prompts by 48
# in the browser), greedily: MLPerf's "offline" scenario, where requests are served together.
# Without the cache, step `t` runs all `8 + t` positions of every prompt through the model; with
# it, one position each. After a short warm-up, each way runs three times, alternating (a busy
# machine slows both alike), timed with the wall clock in the same run; the fastest of each counts.
# On CPython the cached way runs three times as often: it takes a tenth of a second there, so a
# moment's pause of a busy machine weighs more in it.
#
# Why a batch? Each step of your framework pays a fixed cost per operation (Python, Tensor
# bookkeeping) whatever the size of the arrays. The cache removes the *array* work; with one prompt
# that work is small next to the fixed cost, and the speedup shows less of what the cache saves.
# With 16 prompts the arrays are 16x larger and the saving shows.

# %%
def generation_event(seed=0):
    """Greedy generation with and without the KV cache: identical?, times, speedup, cache memory."""
    np.random.seed(seed)
    batch, prompt_len, new_tokens = BATCH, PROMPT_LEN, NEW_TOKENS
    gpt = GPT(vocab_size=64, embed_dim=64, num_layers=2, num_heads=4, max_seq_len=prompt_len + new_tokens)
    prompt = np.random.randint(0, 64, (batch, prompt_len))
    positions, head = [0], gpt.head.forward

    def counting_head(x):  # the head's forward, counting the positions it scores: the work done
        positions[0] += int(np.prod(x.shape[:-1]))
        return head(x)

    def timed(use_cache):  # (tokens, seconds, positions scored) of one generation
        gc.disable()  # as timeit does: a collection of the whole process's objects is not this generation's work
        try:
            positions[0], start = 0, CLOCK()
            tokens = gpt.generate(prompt, new_tokens, temperature=0, use_cache=use_cache)
            return tokens, CLOCK() - start, positions[0]
        finally:
            gc.enable()

    for use_cache in (False, True):  # warm-up, as MLPerf allows: first calls pay for imports and first allocations
        gpt.generate(prompt[:1], 2, temperature=0, use_cache=use_cache)
    gpt.head.forward = counting_head
    try:
        runs = [(timed(False), [timed(True) for _ in range(CACHED_RUNS)]) for _ in range(3)]  # alternating: a busy machine slows both alike
    finally:
        del gpt.head.forward
    (plain, _, plain_positions), ((cached, _, cached_positions), *_) = runs[0]
    plain_s = min(p[1] for p, _ in runs)
    cached_s = min(c[1] for _, cs in runs for c in cs)
    same = plain.shape == cached.shape and bool(np.array_equal(plain, cached))
    first_difference = None if same else next((i for i in range(min(plain.shape[1], cached.shape[1])) if np.any(plain[:, i] != cached[:, i])), None)
    return {"identical": same, "first_difference": first_difference, "plain_s": plain_s, "cached_s": cached_s,
            "speedup": plain_s / cached_s, "tokens": batch * new_tokens, "batch": batch, "prompt_len": prompt_len, "cache_bytes": cache_for(gpt, batch).memory_bytes(),
            "plain_positions": plain_positions, "cached_positions": cached_positions,
            "positions_saved": plain_positions / max(cached_positions, 1)}


def generation_table(g):
    per_token = lambda seconds: f"{seconds / g['tokens'] * 1e3:8.2f} ms"  # noqa: E731
    return [f"Generation, GPT 2 layers x 4 heads x width 64, {g['batch']} prompts of {g['prompt_len']} tokens, {g['tokens']} new tokens in all "
            f"({'browser' if IN_BROWSER else 'CPython'}): tokens {'identical' if g['identical'] else 'DIFFERENT'}",
            f"  {'':12}{'time':>10}{'per token':>12}{'speedup':>9}{'positions':>11}{'cache memory':>15}",
            f"  {'no cache':12}{g['plain_s']:>9.2f}s{per_token(g['plain_s']):>12}{'1.0x':>9}{g['plain_positions']:>11,}{'-':>15}",
            f"  {'KV cache':12}{g['cached_s']:>9.2f}s{per_token(g['cached_s']):>12}{g['speedup']:>8.1f}x{g['cached_positions']:>11,}{g['cache_bytes']:>13,} B",
            f"  the talk's goal and the gate, {GOAL_SPEEDUP:g}x {'in the browser' if IN_BROWSER else 'on CPython'}: "
            f"{'reached' if g['speedup'] >= GOAL_SPEEDUP else 'NOT reached'} here ({g['speedup']:.1f}x); "
            f"positions computed: {g['positions_saved']:.1f}x fewer"]

# %% [markdown]
# ## Event 2: the optimization round
#
# The 64-32-10 network of milestone 03 is trained on the same digits, then:
#
# - **profiled**: where the time of one training step goes, forward and backward, per layer;
# - **quantized** to int8, calibrated on 256 training images;
# - **pruned** to 80% sparsity and fine-tuned for 2 epochs (the mask keeps the zeros).
#
# For each version: its size (dense bytes from the arrays; CSR for the pruned one), its latency on
# the 360 test images (median of 15 runs, with the interval of module 19) and its test accuracy.

# %%
def load_digits(test_fraction=0.2, seed=0):
    """(train_x, train_y, test_x, test_y): 8x8 digit images as rows of 64 pixels in [0, 1], labels as ints."""
    data = np.load(data_path("digits.npz"))
    images = data["images"].reshape(-1, 64).astype(np.float32) / 16.0
    labels = data["labels"].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = order[: int(len(labels) * test_fraction)], order[int(len(labels) * test_fraction):]
    return images[train], labels[train], images[test], labels[test]


def train(model, loader, optimizer, epochs, report=None):
    """The five-line loop; returns the mean loss of each epoch."""
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for batch_x, batch_y in loader:
            loss = CrossEntropyLoss()(model(batch_x), batch_y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item()
        losses.append(total / len(loader))
        if report:
            report(epoch + 1, epochs, losses[-1])
    return losses


def optimization_round(report, seed=0):
    np.random.seed(seed)
    train_x, train_y, test_x, test_y = load_digits(seed=seed)
    loader = DataLoader(TensorDataset(Tensor(train_x), Tensor(train_y)), batch_size=32, shuffle=True)
    model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
    losses = train(model, loader, Adam(model.parameters(), lr=0.01), epochs=10, report=report)

    with Profiler(model) as profiler:  # one training step on a batch of 256, forward and backward
        CrossEntropyLoss()(model(Tensor(train_x[:256])), train_y[:256]).backward()
    for p in model.parameters():
        p.grad = None

    int8 = quantize_model(model, train_x[:256])
    pruned = magnitude_prune(model, 0.8)
    train(pruned, loader, Adam(pruned.parameters(), lr=0.005), epochs=2)

    test_inputs, rows = Tensor(test_x), []
    for name, version, size in [("float32", model, model_bytes(model)), ("int8", int8, model_bytes(int8)),
                                (f"pruned {sparsity(pruned):.0%}", pruned, csr_bytes(pruned))]:
        with no_grad():
            timing = benchmark(lambda: version(test_inputs), name=name, warmup=2, repeats=15, items=len(test_y))
            acc = accuracy(version(test_inputs), test_y)
        rows.append((name, size, timing, acc))
    return {"losses": losses, "profile": profiler.report(), "rows": rows}


def optimization_table(o):
    lines = ["Optimization round, the milestone 03 network on held-out digits:",
             f"  {'version':14}{'bytes':>9}{'latency ms (interval)':>28}{'accuracy':>10}"]
    for name, size, timing, acc in o["rows"]:
        interval = f"{timing.median * 1e3:.3f} [{timing.ci_low * 1e3:.3f}, {timing.ci_high * 1e3:.3f}]"
        lines.append(f"  {name:14}{size:>9,}{interval:>28}{acc:>10.3f}")
    lines.append("  (pruned: CSR bytes; energy: not measured)")
    return lines + ["Profile of one training step (batch 256):"] + ["  " + line for line in o["profile"].split("\n")]

# %% [markdown]
# ## The experiment

# %%
def run_experiment(report=print, seed=0):
    round_ = optimization_round(report, seed)
    g = generation_event(seed)
    (_, float_bytes, _, float_acc), (_, int8_bytes, _, int8_acc) = round_["rows"][0], round_["rows"][1]
    result = {"value": 1.0 if g["identical"] else 0.0,
              "losses": round_["losses"],
              "figures": {"kv_positions_saved": g["positions_saved"], "kv_speedup_vs_goal": g["speedup"] / GOAL_SPEEDUP,
                          "int8_test_accuracy": int8_acc, "int8_within_1_point": 1.0 if int8_acc >= float_acc - 0.01 else 0.0,
                          "int8_size_reduction": float_bytes / int8_bytes,
                          "kv_speedup": g["speedup"], "float32_test_accuracy": float_acc},
              "notes": generation_table(g) + optimization_table(round_)}
    hints = []  # every part that missed: a busy machine can make the speedup miss beside another fault
    if not g["identical"]:
        hints.append(f"Hint: the cached tokens differ from the uncached ones from position {g['first_difference']} on: "
                     f"check module 18 (positions of the new tokens, the causal mask over the cache, advance()).")
    elif g["positions_saved"] < 10 or g["speedup"] < GOAL_SPEEDUP:
        hints.append("Hint: the cache gives the same tokens but not the saving: check that module 18 feeds one "
                     "position per step, never recomputes the sequence, and generates inside no_grad().")
    if float_bytes / int8_bytes <= 3 or int8_acc < float_acc - 0.01:
        hints.append("Hint: check module 15: a QuantizedLinear keeps only int8 weights, their scales and the bias "
                     "(no float32 weight), rounds (not truncates) and is calibrated on the inputs it really gets.")
    if hints:
        result["hint"] = "\n".join(hints)
    return result

# %% [markdown]
# ## Run it
#
# The next cell runs both events with *your* `tinytorch` and records the result. Locally:
# `tito milestone run 06`.

# %%
# %tito milestone run 06

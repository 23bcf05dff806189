"""The Optimization tier's figures, each measured in this run against its own baseline.

    python bench/bench_optimization.py [--tokens 200]

1. KV cache (module 18): a GPT of 4 layers, 4 heads, width 64 generates `--tokens` tokens (greedy)
   after an 8-token prompt, with and without the cache. Tokens must be identical; the speedup is
   the ratio of the two times (best of 3 each, alternating).  Target: >= 10x at 200 tokens on CPython.
   Then milestone 06's setting on CPython: 2 layers, 16 prompts of 8 tokens, 96 new tokens each.
   One BLAS thread by default, as in the browser: on a busy machine a multi-threaded BLAS slows the
   uncached run (its larger products) far more than the cached one and inflates the ratio.
2. Quantization (module 15): a 256-256-10 MLP's bytes, float32 vs int8 (from the arrays), and
   the share of inputs for which both predict the same class.  Target: ~4x (3.9x with scales and bias).
   Then milestone 04's CNN, trained as there: bytes and test accuracy, float32 vs int8 (--no-cnn skips).

Prints; asserts nothing (machines differ), except that cached tokens equal uncached ones.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads its BLAS

import numpy as np

import tinytorch  # noqa: F401
from tinytorch import GPT, Linear, ReLU, Sequential, Tensor
from tinytorch.core.memoization import cache_for
from tinytorch.core.profiling import model_bytes
from tinytorch.core.quantization import quantize_model


def kv_cache(tokens, layers=4, batch=1, repeats=3):
    """Greedy generation with and without the cache, alternating; prints the best times and their ratio."""
    np.random.seed(0)
    gpt = GPT(vocab_size=64, embed_dim=64, num_layers=layers, num_heads=4, max_seq_len=8 + tokens)
    prompt = np.random.randint(0, 64, (batch, 8))
    plain_times, cached_times = [], []
    for _ in range(repeats):  # alternate, so a busy machine slows both alike
        start = time.perf_counter()
        plain = gpt.generate(prompt, tokens, temperature=0)
        plain_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        cached = gpt.generate(prompt, tokens, temperature=0, use_cache=True)
        cached_times.append(time.perf_counter() - start)
        assert np.array_equal(plain, cached), "cached tokens differ from uncached ones"
    plain_s, cached_s = min(plain_times), min(cached_times)
    print(f"KV cache, GPT {layers} layers x 4 heads x width 64, batch {batch}, {tokens} tokens after 8: identical tokens")
    print(f"  {'':10}{'time s':>10}{'ms/token':>10}")
    print(f"  {'no cache':10}{plain_s:>10.3f}{plain_s / tokens * 1e3:>10.2f}")
    print(f"  {'cache':10}{cached_s:>10.3f}{cached_s / tokens * 1e3:>10.2f}")
    print(f"  speedup {plain_s / cached_s:.1f}x (target >= 10x), cache memory {cache_for(gpt, batch).memory_bytes():,} bytes")


def quantization():
    np.random.seed(0)
    model = Sequential(Linear(256, 256), ReLU(), Linear(256, 10))
    x = Tensor(np.random.rand(512, 256))
    int8 = quantize_model(model, x[:128])
    agree = float((model(x).data.argmax(axis=1) == int8(x).data.argmax(axis=1)).mean())
    print(f"quantization, 256-256-10 MLP: {model_bytes(model):,} -> {model_bytes(int8):,} bytes "
          f"({model_bytes(model) / model_bytes(int8):.2f}x), same class for {agree:.1%} of 512 inputs")


def quantized_cnn():
    """Milestone 04's CNN trained as there, then quantize_model: bytes and test accuracy before and after."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from mutants import milestone_namespace

    ns = milestone_namespace("04")
    np.random.seed(0)
    train_x, train_y, test_x, test_y = ns["load_shifted_digits"](seed=0)
    model = ns["make_cnn"]()
    ns["train"](model, train_x, train_y, report=lambda *a: None)
    int8 = quantize_model(model, train_x[:256])
    float_acc, int8_acc = ns["evaluate"](model, test_x, test_y), ns["evaluate"](int8, test_x, test_y)
    print(f"quantization, milestone 04 CNN: {model_bytes(model):,} -> {model_bytes(int8):,} bytes "
          f"({model_bytes(model) / model_bytes(int8):.2f}x), test accuracy {float_acc:.4f} -> {int8_acc:.4f} "
          f"({(int8_acc - float_acc) * 100:+.2f} points, target within 1)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--no-cnn", action="store_true", help="skip training milestone 04's CNN")
    args = parser.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    kv_cache(args.tokens)
    kv_cache(96, layers=2, batch=16)
    quantization()
    if not args.no_cnn:
        quantized_cnn()

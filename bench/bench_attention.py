"""What does attention cost through tinytorch, on top of NumPy? Both measured in the same run.

    python bench/bench_attention.py

Causal scaled dot-product attention forward, batch 16, 4 heads, 64 tokens, head dim 16
(q, k, v of shape (16, 4, 64, 16)), through tinytorch.scaled_dot_product_attention, against plain
NumPy doing the same math (scores, causal mask, stable softmax, weighted sum) in float32.
Target: <= 1.5x, both under no_grad (inference) and recording the graph (inputs that require
gradients, as in training: the graph keeps the scores and weights alive, so NumPy cannot reuse
their memory). Also printed: the unmasked forward, and the forward + backward of the causal one,
whose baseline is the forward alone (how much the backward adds, not a target).

Prints, for each, the median over --rounds alternating rounds (tinytorch, then NumPy, then
tinytorch...) of the time per call, and the ratio of the medians with the spread of the per-round
ratios. Times are this process's CPU time (time.process_time): on a shared machine the wall clock
also counts the time other processes held the CPU, which inflates one side or the other at random
(here, with ~7 jobs on 2 cores, wall-clock ratios wandered 1.2-1.8x). The load average is printed
beside them. Asserts nothing (machines differ).
"""

import argparse
import os
import statistics
import time
import timeit

import numpy as np

from bench_framework import report
from tinytorch.core.attention import scaled_dot_product_attention
from tinytorch.core.autograd import no_grad
from tinytorch.core.tensor import Tensor

SHAPE = (16, 4, 64, 16)  # batch, heads, tokens, head dim


def inputs():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(SHAPE, dtype=np.float32) for _ in range(3)]


def numpy_attention(q, k, v, causal):
    """The plain NumPy forward: what scaled_dot_product_attention computes."""
    scores = q @ np.swapaxes(k, -1, -2) * np.float32(1 / np.sqrt(q.shape[-1]))
    if causal:
        length = q.shape[-2]
        scores = scores + np.where(np.tril(np.ones((length, length), dtype=bool)), np.float32(0), np.float32(-np.inf))
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ v


def median_seconds(ours, baseline, number, rounds):
    """(median seconds per call of `ours`, of `baseline`, [per-round ratios]) over `rounds`
    alternating rounds of `number` calls each, in CPU time of this process."""
    pairs = [(timeit.timeit(ours, number=number, timer=time.process_time) / number,
              timeit.timeit(baseline, number=number, timer=time.process_time) / number) for _ in range(rounds)]
    return statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs), [a / b for a, b in pairs]


def compare(name, ours, baseline, number, rounds, target):
    tinytorch_s, numpy_s, ratios = median_seconds(ours, baseline, number, rounds)
    report(name, (tinytorch_s, numpy_s), target)
    print(f"{'':34s} per-round ratios {min(ratios):.2f}-{max(ratios):.2f}x over {rounds} rounds")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="alternating rounds; the medians are compared")
    parser.add_argument("--number", type=int, default=10, help="calls per round")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {args.rounds} rounds of "
          f"{args.number} calls, CPU time of this process")
    q, k, v = inputs()
    tq, tk, tv = (Tensor(a, requires_grad=True) for a in (q, k, v))
    np.testing.assert_allclose(scaled_dot_product_attention(tq, tk, tv, is_causal=True).data, numpy_attention(q, k, v, True), atol=1e-5)
    with no_grad():  # inference: no graph kept
        compare("attention causal, no_grad", lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=True),
                lambda: numpy_attention(q, k, v, True), args.number, args.rounds, 1.5)
    for causal in (True, False):  # training: the graph keeps the scores and weights alive
        compare(f"attention {'causal' if causal else 'no mask'}, recording",
                lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=causal),
                lambda: numpy_attention(q, k, v, causal), args.number, args.rounds, 1.5)

    def forward_backward():
        scaled_dot_product_attention(tq, tk, tv, is_causal=True).sum().backward()

    ours, forward, _ = median_seconds(forward_backward, lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=True),
                                      args.number, args.rounds)
    print(f"{'  forward + backward, causal':34s} tinytorch {ours * 1e3:8.3f} ms   forward {forward * 1e3:8.3f} ms   "
          f"ratio {ours / forward:5.2f}x (the backward's share, no target)")


if __name__ == "__main__":
    main()

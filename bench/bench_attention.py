"""What does attention cost through tinytorch, on top of NumPy? Both measured in the same run.

    python bench/bench_attention.py

Causal scaled dot-product attention forward, batch 16, 4 heads, 64 tokens, head dim 16
(q, k, v of shape (16, 4, 64, 16)), through tinytorch.scaled_dot_product_attention, against plain
NumPy doing the same math (scores, causal mask, stable softmax, weighted sum) in float32.
Target: <= 1.5x, both under no_grad (inference) and recording the graph (inputs that require
gradients, as in training: the graph keeps the scores and weights alive, so NumPy cannot reuse
their memory). Also printed: the unmasked forward, and the forward + backward of the causal one,
whose baseline is the forward alone (how much the backward adds, not a target).

Prints the best time of several repeats and the ratio; asserts nothing (machines differ).
"""

import numpy as np

from bench_framework import best_seconds, report
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


def main():
    q, k, v = inputs()
    tq, tk, tv = (Tensor(a, requires_grad=True) for a in (q, k, v))
    np.testing.assert_allclose(scaled_dot_product_attention(tq, tk, tv, is_causal=True).data, numpy_attention(q, k, v, True), atol=1e-5)
    with no_grad():  # inference: no graph kept
        report("attention causal, no_grad", best_seconds(lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=True),
                                                         lambda: numpy_attention(q, k, v, True), 20), 1.5)
    for causal in (True, False):  # training: the graph keeps the scores and weights alive
        name = f"attention {'causal' if causal else 'no mask'}, recording"
        report(name, best_seconds(lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=causal),
                                  lambda: numpy_attention(q, k, v, causal), 20), 1.5)

    def forward_backward():
        scaled_dot_product_attention(tq, tk, tv, is_causal=True).sum().backward()

    ours, forward = best_seconds(forward_backward, lambda: scaled_dot_product_attention(tq, tk, tv, is_causal=True), 10)
    print(f"{'  forward + backward, causal':34s} tinytorch {ours * 1e3:8.3f} ms   forward {forward * 1e3:8.3f} ms   "
          f"ratio {ours / forward:5.2f}x (the backward's share, no target)")


if __name__ == "__main__":
    main()

"""How much does the framework cost on top of NumPy? Both measured in the same run.

    python bench/bench_framework.py

1. One training step of a 784-128-10 MLP on a batch of 64 (forward, cross-entropy, backward,
   SGD step) through tinytorch, against plain NumPy doing the same math by hand.  Target: <= 1.5x.
2. A 256x256 matrix product through Tensor, against np.matmul.  Target: <= 1.2x.

Prints the best time of several repeats and the ratio; asserts nothing (machines differ).
"""

import timeit

import numpy as np

import tinytorch  # noqa: F401  (imports autograd: the Tensor below records gradients)
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD
from tinytorch.core.tensor import Tensor

BATCH, IN, HIDDEN, OUT, LR = 64, 784, 128, 10, 0.01


def best_seconds(ours, baseline, number, repeat=9):
    """The best time per call of each function over `repeat` rounds of `number` calls.

    The rounds alternate between the two, so a busy machine slows both alike.
    """
    times = [(timeit.timeit(ours, number=number), timeit.timeit(baseline, number=number)) for _ in range(repeat)]
    return min(t for t, _ in times) / number, min(t for _, t in times) / number


def tinytorch_step():
    np.random.seed(0)
    model = Sequential(Linear(IN, HIDDEN), ReLU(), Linear(HIDDEN, OUT))
    loss_fn, optimizer = CrossEntropyLoss(), SGD(model.parameters(), lr=LR)
    x, y = Tensor(np.random.rand(BATCH, IN)), Tensor(np.random.randint(0, OUT, BATCH))

    def step():
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return step


def numpy_step():
    """The same step written out by hand, float32 throughout."""
    rng = np.random.default_rng(0)
    w1 = rng.uniform(-IN ** -0.5, IN ** -0.5, (IN, HIDDEN)).astype(np.float32)
    b1 = np.zeros(HIDDEN, np.float32)
    w2 = rng.uniform(-HIDDEN ** -0.5, HIDDEN ** -0.5, (HIDDEN, OUT)).astype(np.float32)
    b2 = np.zeros(OUT, np.float32)
    x, y = rng.random((BATCH, IN), dtype=np.float32), rng.integers(0, OUT, BATCH)
    rows = np.arange(BATCH)

    def step():
        h = x @ w1 + b1
        a = np.maximum(h, 0)
        logits = a @ w2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = -np.log(probs[rows, y]).mean()  # computed, as the framework does, though only its gradient is used
        d_logits = probs
        d_logits[rows, y] -= 1
        d_logits /= BATCH
        d_w2, d_b2 = a.T @ d_logits, d_logits.sum(axis=0)
        d_h = (d_logits @ w2.T) * (h > 0)
        d_w1, d_b1 = x.T @ d_h, d_h.sum(axis=0)
        for p, g in ((w1, d_w1), (b1, d_b1), (w2, d_w2), (b2, d_b2)):
            p -= LR * g
        return loss

    return step


def matmul_pair(n=256):
    """Two functions: an n x n @ n x n product through Tensor, and the same np.matmul."""
    a, b = Tensor(np.random.rand(n, n)), Tensor(np.random.rand(n, n))
    return (lambda: a @ b), (lambda: np.matmul(a.data, b.data))


def report(name, times, target):
    ours, baseline = times
    ratio = ours / baseline
    verdict = "ok" if ratio <= target else "over target"
    print(f"{name:34s} tinytorch {ours * 1e3:8.3f} ms   numpy {baseline * 1e3:8.3f} ms   "
          f"ratio {ratio:5.2f}x (target <= {target}x, {verdict})")


def main():
    report("MLP 784-128-10 train step, b=64", best_seconds(tinytorch_step(), numpy_step(), 50), 1.5)
    report("matmul 256x256 @ 256x256", best_seconds(*matmul_pair(), 200), 1.2)


if __name__ == "__main__":
    main()

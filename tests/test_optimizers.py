"""Module 07 (optimizers): the curriculum's own tests against the reference, plus updates vs NumPy by hand."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.core.optimizers import SGD, Adam, AdamW
from tinytorch.core.tensor import Tensor

CURRICULUM_MODULE = "07"


def test_curriculum(curriculum_test):
    curriculum_test()


def run(optimizer, p, grads):
    for g in grads:
        p.grad = Tensor(g)
        optimizer.step()
    return p.data


def sgd_by_hand(p, grads, lr, momentum, weight_decay):
    v = np.zeros_like(p)
    for g in grads:
        g = g + weight_decay * p
        v = momentum * v + g
        p = p - lr * v
    return p


def adam_by_hand(p, grads, lr, beta1, beta2, eps, weight_decay, decoupled):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        p = p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return p


def problem(seed, steps, shape=(3, 4)):
    """A float32 starting point and `steps` float32 gradients of mixed scales (float64 copies for the reference)."""
    rng = np.random.default_rng(seed)
    start = rng.standard_normal(shape).astype(np.float32)
    grads = [(rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3)).astype(np.float32) for _ in range(steps)]
    return start, grads


hyper = dict(seed=st.integers(0, 2**16), steps=st.integers(1, 6), lr=st.floats(1e-4, 0.5), weight_decay=st.sampled_from([0.0, 1e-3, 0.1]))


@settings(max_examples=50, deadline=None)
@given(momentum=st.sampled_from([0.0, 0.5, 0.9, 0.99]), **hyper)
def test_sgd_matches_numpy_by_hand(seed, steps, lr, momentum, weight_decay):
    start, grads = problem(seed, steps)
    p = Tensor(start.copy(), requires_grad=True)  # Tensor wraps a float32 array without copying; step() updates it in place
    got = run(SGD([p], lr=lr, momentum=momentum, weight_decay=weight_decay), p, grads)
    expected = sgd_by_hand(start.astype(np.float64), [g.astype(np.float64) for g in grads], lr, momentum, weight_decay)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * (1 + np.abs(expected).max()))
    assert got.dtype == np.float32


@settings(max_examples=50, deadline=None)
@given(decoupled=st.booleans(), betas=st.sampled_from([(0.9, 0.999), (0.8, 0.99), (0.0, 0.5)]), **hyper)
def test_adam_and_adamw_match_numpy_by_hand(seed, steps, lr, weight_decay, decoupled, betas):
    start, grads = problem(seed, steps)
    p = Tensor(start.copy(), requires_grad=True)  # Tensor wraps a float32 array without copying; step() updates it in place
    make = AdamW if decoupled else Adam
    got = run(make([p], lr=lr, betas=betas, eps=1e-8, weight_decay=weight_decay), p, grads)
    expected = adam_by_hand(start.astype(np.float64), [g.astype(np.float64) for g in grads], lr, *betas, 1e-8, weight_decay, decoupled)
    # Each Adam step moves a weight by at most about lr, so compare on that scale.
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * lr * steps + 1e-6)
    assert got.dtype == np.float32


def test_adam_first_step_is_lr_times_sign():
    p = Tensor([0.0, 0.0, 0.0, 0.0], requires_grad=True)
    p.grad = Tensor([1e-3, -1e3, 7.0, -0.2])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [-0.01, 0.01, -0.01, 0.01], rtol=1e-4)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps), lambda ps: AdamW(ps)])
def test_empty_parameter_list_is_refused(make):
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        make([])


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1), lambda ps: Adam(ps, weight_decay=0.1), lambda ps: AdamW(ps)])
def test_parameters_without_grad_are_skipped(make):
    used, unused = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    optimizer = make([used, unused])
    used.grad = Tensor([0.5, 0.5])
    optimizer.step()
    assert unused.data.tolist() == [3.0] and unused.grad is None
    assert not np.allclose(used.data, [1.0, 2.0])
    optimizer.zero_grad()
    assert used.grad is None

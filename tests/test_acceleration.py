"""Module 17 (acceleration): the curriculum's checks against the reference, and the grader catching
planted bugs (a tile size that is ignored, a "fused" op that allocates temporaries, ...)."""

import numpy as np
import pytest

import tinytorch  # noqa: F401
from tinytorch.core.acceleration import bias_gelu, matmul_broadcast, matmul_loops, tiled_matmul
from tinytorch.core.activations import GELU
from tinytorch.core.tensor import Tensor

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "17"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("17", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "the tile size is ignored": [("    for i in range(0, n, tile):\n        for j in range(0, m, tile):\n            for p in range(0, k, tile):\n"
                                  "                out[i:i + tile, j:j + tile] += a[i:i + tile, p:p + tile] @ b[p:p + tile, j:j + tile]\n",
                                  "    out += a @ b\n")],
    "the edge blocks are dropped": [("    for i in range(0, n, tile):\n", "    for i in range(0, n - n % tile, tile):\n")],
    "fusion with temporaries": [("    u = t * t\n    u *= t\n    u *= 0.044715\n    u += t\n    u *= _C\n    np.tanh(u, out=u)\n    u += 1\n    u *= t\n    u *= 0.5\n",
                                 "    u = 0.5 * t * (1 + np.tanh(_C * (t + 0.044715 * t ** 3)))\n")],
    "backward without the 3": [("        slope = 0.5 * (1 + tanh_u) + 0.5 * t * (1 - tanh_u ** 2) * _C * (1 + 3 * 0.044715 * t * t)\n",
                                "        slope = 0.5 * (1 + tanh_u) + 0.5 * t * (1 - tanh_u ** 2) * _C * (1 + 0.044715 * t * t)\n")],
    "broadcast sums the wrong axis": [("    return (a[:, :, None] * b[None, :, :]).sum(axis=1)\n", "    return (a[:, :, None] * b[None, :, :]).sum(axis=-1).T[:b.shape[1]].T\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("17", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed an acceleration module with the bug: {name}"


@pytest.mark.parametrize("tile", [1, 3, 5, 64])
def test_every_product_equals_numpy(tile):
    rng = np.random.default_rng(tile)
    a, b = rng.standard_normal((11, 6)).astype(np.float32), rng.standard_normal((6, 9)).astype(np.float32)
    for got in (matmul_loops(a, b), matmul_broadcast(a, b), tiled_matmul(a, b, tile)):
        np.testing.assert_allclose(got, a @ b, atol=1e-5)


def test_bias_gelu_trains_like_the_unfused_chain():
    rng = np.random.default_rng(0)
    x1, b1 = Tensor(rng.standard_normal((5, 3)), requires_grad=True), Tensor(rng.standard_normal(3), requires_grad=True)
    x2, b2 = Tensor(x1.data.copy(), requires_grad=True), Tensor(b1.data.copy(), requires_grad=True)
    (bias_gelu(x1, b1) * 2).sum().backward()
    (GELU()(x2 + b2) * 2).sum().backward()
    np.testing.assert_allclose(x1.grad.data, x2.grad.data, atol=1e-5)
    np.testing.assert_allclose(b1.grad.data, b2.grad.data, atol=1e-5)

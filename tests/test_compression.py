"""Module 16 (compression): the curriculum's checks against the reference, the grader catching
planted bugs (pruning without a mask, inexact sparsity, ...), and milestone 03's network pruned and fine-tuned."""

import numpy as np
import pytest

import tinytorch  # noqa: F401  (autograd on)
from tinytorch.core.compression import csr_bytes, magnitude_prune, sparsity, structured_prune
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.profiling import model_bytes
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import accuracy

from mutants import failed_checks, grade_mutant, milestone_namespace

CURRICULUM_MODULE = "16"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("16", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "pruning keeps no mask (fine-tuning regrows)": [("        out = x @ (self.weight * Tensor(self.mask))\n", "        out = x @ self.weight\n")],
    "sparsity by threshold, not exact": [("    mask[order[:k]] = 0\n", "    mask[np.abs(weight).reshape(-1) < np.quantile(np.abs(weight), sparsity)] = 0\n")],
    "prunes the largest weights": [("    order = np.argsort(np.abs(weight), axis=None, kind=\"stable\")\n",
                                    "    order = np.argsort(-np.abs(weight), axis=None, kind=\"stable\")\n")],
    "structured pruning forgets the next layer's rows": [("        layers[b] = _linear(second.weight.data[keep], None if second.bias is None else second.bias.data)\n",
                                                          "        layers[b] = _linear(second.weight.data[:n_keep], None if second.bias is None else second.bias.data)\n")],
    "low rank without the singular values": [("    first = _linear(u[:, :rank] * s[:rank], None)\n", "    first = _linear(u[:, :rank], None)\n")],
    "distillation without T squared": [("    return kl * (alpha * temperature * temperature) + ", "    return kl * alpha + ")],
    "csr row pointers without the leading 0": [("    row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)\n",
                                                "    row_ptr = np.cumsum(counts).astype(np.int32)\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("16", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a compression module whose {name}"


def test_the_milestone_03_network_pruned_to_80_percent_recovers_with_fine_tuning():
    ns = milestone_namespace("03")
    np.random.seed(0)
    train_x, train_y, test_x, test_y = ns["load_digits"](seed=0)
    loader = ns["DataLoader"](ns["TensorDataset"](Tensor(train_x), Tensor(train_y)), batch_size=32, shuffle=True)
    model = Sequential(Linear(64, 32), ns["ReLU"](), Linear(32, 10))
    quiet = lambda *a: None  # noqa: E731
    ns["train"](model, loader, ns["CrossEntropyLoss"](), ns["Adam"](model.parameters(), lr=0.01), epochs=10, report=quiet)
    dense = accuracy(model(Tensor(test_x)), test_y)
    pruned = magnitude_prune(model, 0.8)
    assert sparsity(pruned) == pytest.approx(0.8, abs=0.002)
    ns["train"](pruned, loader, ns["CrossEntropyLoss"](), ns["Adam"](pruned.parameters(), lr=0.005), epochs=3, report=quiet)
    tuned = accuracy(pruned(Tensor(test_x)), test_y)
    assert sparsity(pruned) == pytest.approx(0.8, abs=0.002), "fine-tuning regrew pruned weights"
    assert tuned >= dense - 0.03, (dense, tuned)
    assert csr_bytes(pruned) < model_bytes(model) / 2


def test_structured_pruning_really_shrinks_the_products():
    np.random.seed(0)
    model = Sequential(Linear(64, 32), Linear(32, 10))
    from tinytorch.core.profiling import count_flops
    assert count_flops(structured_prune(model, 0.5), (8, 64)) < 0.6 * count_flops(model, (8, 64))


@pytest.mark.parametrize("bad", [1, 1.0, -0.01, 2, float("nan")])
def test_sparsity_outside_the_interval_is_refused(bad):
    with pytest.raises(ValueError, match=r"sparsity must be a number in \[0, 1\)"):
        magnitude_prune(Sequential(Linear(2, 2)), bad)

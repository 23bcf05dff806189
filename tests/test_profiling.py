"""Module 14 (profiling): the curriculum's checks against the reference, the grader catching
planted bugs (mutants that fake a figure), and properties of the tools."""

import numpy as np
import pytest

import tinytorch  # noqa: F401  (autograd on)
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.profiling import Profiler, count_flops, count_parameters, measure_latency, measure_memory, model_bytes
from tinytorch.core.tensor import Tensor

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "14"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("14", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "backward estimated as twice the forward": [(
        "                function.backward = self._timed_backward(name, function.backward)\n",
        "                pass\n"), (
        "            self.stats[name][\"calls\"] += 1\n",
        "            self.stats[name][\"calls\"] += 1\n            self.stats[name][\"backward_s\"] = 2 * self.stats[name][\"forward_s\"]\n")],
    "backward time charged to every layer": [(
        "                function.backward = self._timed_backward(name, function.backward)\n",
        "                function.backward = self._timed_backward(self.layers[0][0], function.backward)\n")],
    "flops ignore the batch": [("    rows = int(np.prod(x_shape[:-1], dtype=np.int64))\n", "    rows = 1\n")],
    "flops in int32 (as NumPy's default int in the browser)": [("    rows = int(np.prod(x_shape[:-1], dtype=np.int64))\n",
                                                                "    rows = np.prod(x_shape[:-1], dtype=np.int32)\n")],
    "flops forget the bias": [("    return products + (rows * layer.out_features if layer.bias is not None else 0)\n",
                               "    return products\n")],
    "memory is the result's size": [("        fn()\n        peak = tracemalloc.get_traced_memory()[1]\n",
                                     "        result = fn()\n        peak = before + getattr(result, 'nbytes', 0)\n")],
    "latency from one run": [("    for _ in range(repeats):\n        start", "    for _ in range(1):\n        start")],
    "conv flops without the kernel width": [("    return 2 * outputs * layer.in_channels * kh * kw + ", "    return 2 * outputs * layer.in_channels * kh + ")],
    "attention flops linear in the length": [("    return 4 * batch * length * length * embed_dim\n", "    return 4 * batch * length * embed_dim\n")],
    "model bytes counts shared arrays twice": [("                if isinstance(array, np.ndarray) and id(array) not in seen:\n",
                                                "                if isinstance(array, np.ndarray):\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("14", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a profiling module whose {name}"


def test_profiler_shares_add_up_and_match_a_manual_timing():
    np.random.seed(0)
    model = Sequential(Linear(256, 512), ReLU(), Linear(512, 10))
    x, y = Tensor(np.random.rand(512, 256)), np.random.randint(0, 10, 512)
    with Profiler(model) as profiler:
        CrossEntropyLoss()(model(x), y).backward()
    first, last = profiler.stats["0"], profiler.stats["2"]
    assert first["backward_s"] > 0 and last["backward_s"] > 0
    # The first layer's backward computes only the weight gradient (the data needs none): about
    # one product, like its forward; the profiler must see that rather than assume 2x.
    assert first["backward_s"] < 20 * first["forward_s"] + 0.05
    assert len(profiler.report().splitlines()) == 4


def test_count_flops_matches_a_count_of_multiply_adds():
    model = Sequential(Linear(7, 5), ReLU(), Linear(5, 3, bias=False))
    flops = count_flops(model, (11, 7))
    assert flops == 2 * 11 * 7 * 5 + 11 * 5 + 2 * 11 * 5 * 3
    assert count_parameters(model) == 7 * 5 + 5 + 5 * 3 and model_bytes(model) == 4 * count_parameters(model)


def test_measure_memory_sees_temporaries_and_latency_refuses_no_repeats():
    def two_arrays():
        a = np.ones(250_000)
        b = a * 2
        return b.sum()

    assert measure_memory(two_arrays) >= 2 * 250_000 * 8
    with pytest.raises(ValueError, match="repeats must be a whole number >= 1, got 0"):
        measure_latency(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="repeats"):
        measure_latency(lambda: None, repeats=2.5)

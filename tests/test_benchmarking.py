"""Module 19 (benchmarking): the curriculum's checks against the reference, the grader catching
planted bugs (a normal-theory interval, a verdict from medians alone, ...), and properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinytorch  # noqa: F401
from tinytorch.core.benchmarking import BenchmarkResult, median_confidence_interval, pareto_frontier

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "19"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("19", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "a mean +- 2 std interval": [("    return ordered[j - 1], ordered[n - j], 1 - 2 * _binomial_cdf(j - 1, n)\n",
                                  "    mean, std = float(np.mean(ordered)), float(np.std(ordered))\n    return mean - 2 * std, mean + 2 * std, 0.95\n")],
    "one rank too far": [("    while j + 1 <= n - j and 2 * _binomial_cdf(j, n) <= 1 - confidence:\n",
                          "    while j + 1 <= n - j and 2 * _binomial_cdf(j - 1, n) <= 1 - confidence:\n")],
    "verdict from the medians alone": [("    if result.ci_high < baseline.ci_low:\n", "    if result.median < baseline.median:\n")],
    "throughput upside down": [("        self.throughput = items / self.median if self.median > 0 else float(\"inf\")\n",
                                "        self.throughput = self.median / items\n")],
    "equal points dominate each other": [("    better = any(a[k] < b[k] for k in minimize) or any(a[k] > b[k] for k in maximize)\n", "    better = True\n")],
    "an invented energy figure": [("        self.energy_joules = None  # no meter: not measured\n", "        self.energy_joules = 0.5 * self.median  # 'about 0.5 W'\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("19", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a benchmarking module with the bug: {name}"


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), confidence=st.floats(0.5, 0.99))
def test_interval_is_the_widest_order_statistics_that_reach_the_confidence(n, confidence):
    times = list(np.random.default_rng(n).permutation(np.arange(1.0, n + 1)))
    low, high, coverage = median_confidence_interval(times, confidence)
    j = int(low)
    assert high == n + 1 - j and 1 <= j <= (n + 1) // 2
    miss = lambda j: 2 * sum(math.comb(n, i) for i in range(j)) / 2 ** n  # noqa: E731
    assert coverage == pytest.approx(1 - miss(j))
    assert j == 1 or miss(j) <= 1 - confidence
    assert j + 1 > n + 1 - (j + 1) or miss(j + 1) > 1 - confidence, "a narrower interval would still reach the confidence"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=12))
def test_frontier_points_are_undominated_and_the_rest_dominated(pairs):
    points = [{"ms": a, "acc": b} for a, b in pairs]
    front = pareto_frontier(points, minimize=["ms"], maximize=["acc"])
    beats = lambda p, q: p["ms"] <= q["ms"] and p["acc"] >= q["acc"] and (p["ms"] < q["ms"] or p["acc"] > q["acc"])  # noqa: E731
    for i, p in enumerate(points):
        assert (i in front) == (not any(beats(q, p) for q in points))


def test_a_result_without_times_is_refused():
    with pytest.raises(ValueError, match="at least one repeat"):
        BenchmarkResult("empty", [])

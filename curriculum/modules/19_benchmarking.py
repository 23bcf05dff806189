# %% [markdown]
# # Module 19: Benchmarking, numbers you can defend
#
# "Model B is 12% faster." Is it? Run the same code twice and the times differ by 5%; run it
# while the browser redraws a page and by 50%. A benchmark is an experiment: it states its
# conditions, repeats its measurement, reports the uncertainty, and refuses to print a number it
# did not measure. This module builds the harness that judges the Torch Olympics (20).
#
# **You've built:** `measure_latency` (14: warm-up, repeats, median), and models made smaller
# (15, 16) or faster (17, 18).
# **You'll build:** `median_confidence_interval` (distribution-free, from the order of the times),
# `BenchmarkResult` and `benchmark(fn, ...)` (median, interval, throughput), `compare` (a table with
# speedups and a verdict that respects the intervals), and `pareto_frontier` (the models that no
# other model beats on every count).
# **You'll enable:** the Torch Olympics: every event judged by this harness, on your own machine.
#
# ```
# ... -> Acceleration (17) -> KV cache (18) -> [Benchmarking (19)] -> Torch Olympics (20)
# ```
#
# **Learning objectives**
# 1. Put a confidence interval on a median without assuming the times are normal.
# 2. Call a speedup only when the intervals say so.
# 3. Find the Pareto frontier of models that trade size, speed and accuracy.
# 4. Print only measured numbers: "not measured" is a valid entry, an invented one is not.

# %%
#| export
import math

import numpy as np

from tinytorch.core.profiling import measure_latency

# %% [markdown]
# ## A confidence interval for the median, from ranks alone
#
# Times are not normally distributed: they have a floor (the code cannot run faster than the
# machine) and a long tail (interruptions). So the usual "mean ± 2 standard deviations" is the
# wrong tool. There is an exact one that assumes nothing about the shape.
#
# Sort the `n` times: `x(1) <= x(2) <= ... <= x(n)`. Each time is below the true median with
# probability 1/2, so the number `B` of times below it is Binomial(n, 1/2). The interval
# `[x(j), x(n + 1 - j)]` misses the median only if `B <= j - 1` or `B >= n + 1 - j`, which happens
# with probability `2 * P(B <= j - 1)`. Take the **largest** `j` that keeps this at most
# `1 - confidence`:
#
# ```
# n = 10, 95%:  P(B <= 1) = 11/1024 = 0.011 -> 2 x 0.011 = 0.021 <= 0.05  ok
#               P(B <= 2) = 56/1024 = 0.055 -> 0.109 > 0.05                too much
#               so j = 2: the interval is [x(2), x(9)], the 2nd smallest to the 2nd largest time.
# ```
#
# With fewer than 6 times no `j` reaches 95% (even `[min, max]` misses with probability
# `2 / 2**n`); then the interval is `[min, max]`, and it is honest to say so: `coverage` gives
# the real confidence.

# %%
#| export
def _binomial_cdf(k, n):
    """P(B <= k) for B ~ Binomial(n, 1/2), exactly (math.comb: whole numbers)."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


def median_confidence_interval(times, confidence=0.95):
    """(low, high, coverage): the interval [x(j), x(n + 1 - j)] of the sorted times with the largest j
    such that 2 * P(B <= j - 1) <= 1 - confidence (B ~ Binomial(n, 1/2)), or [min, max] if none does;
    coverage = 1 - 2 * P(B <= j - 1), the confidence the interval really has.

    TODO: sort; try j = 1, 2, ... while 2 * _binomial_cdf(j - 1, n) <= 1 - confidence (and j <= n + 1 - j);
          keep the last j that passed (1 if none); return the two sorted times and the coverage.
    HINT: x(j) is sorted_times[j - 1] (ranks count from 1, Python from 0).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (0.95 for 95%), got {confidence!r}")
    if len(times) == 0:
        raise ValueError("median_confidence_interval needs at least one time")
    ### BEGIN SOLUTION
    ordered = sorted(float(t) for t in times)
    n = len(ordered)
    j = 1
    while j + 1 <= n - j and 2 * _binomial_cdf(j, n) <= 1 - confidence:
        j += 1
    return ordered[j - 1], ordered[n - j], 1 - 2 * _binomial_cdf(j - 1, n)
    ### END SOLUTION

# %%
#| test
def test_unit_median_confidence_interval():
    print("🧪 Unit Test: a confidence interval for the median...")
    times = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 1.0, 0.6]  # 0.1 ... 1.0, shuffled
    low, high, coverage = median_confidence_interval(times)
    assert (low, high) == (0.2, 0.9), f"10 times, 95%: expected [x(2), x(9)] = [0.2, 0.9], got [{low}, {high}]"
    assert abs(coverage - (1 - 22 / 1024)) < 1e-12, f"coverage 1 - 2 * 11/1024 = 0.9785 expected, got {coverage}"
    print("✅ median_confidence_interval works!")


test_unit_median_confidence_interval()

# %% [markdown]
# ## One benchmark: median, interval, throughput
#
# `benchmark(fn, name, warmup, repeats, items)` times `fn` with your `measure_latency` (14) and
# keeps the result: the median, its interval, and the **throughput**, `items` (samples, tokens,
# images per call) divided by the median time: items per second, the number a server cares about.
# Energy is not measured here: there is no meter in a browser. A result therefore has
# `energy_joules = None` and every table says "not measured"; an estimate from a formula would be
# a number nobody measured.

# %%
#| export
class BenchmarkResult:
    """A measured benchmark: times (seconds), median, confidence interval, throughput (items / s)."""

    def __init__(self, name, times, items=1, confidence=0.95):
        """Keep name, times and items; compute median, (ci_low, ci_high, coverage), throughput.

        TODO: median = float(np.median(times)); the interval from median_confidence_interval;
              throughput = items / median; energy_joules = None (not measured).
        """
        if not times:
            raise ValueError(f"benchmark {name!r} has no times: it needs at least one repeat")
        ### BEGIN SOLUTION
        self.name, self.times, self.items, self.confidence = name, [float(t) for t in times], items, confidence
        self.median = float(np.median(self.times))
        self.ci_low, self.ci_high, self.coverage = median_confidence_interval(self.times, confidence)
        self.throughput = items / self.median if self.median > 0 else float("inf")
        self.energy_joules = None  # no meter: not measured
        ### END SOLUTION

    def __repr__(self):
        return (f"BenchmarkResult({self.name!r}: median {self.median * 1e3:.3f} ms, {self.coverage:.0%} interval "
                f"[{self.ci_low * 1e3:.3f}, {self.ci_high * 1e3:.3f}] ms, {self.throughput:,.1f} items/s, energy not measured)")


def benchmark(fn, name="", warmup=3, repeats=20, items=1, confidence=0.95):
    """Measure fn() with measure_latency(fn, warmup, repeats) and return its BenchmarkResult.

    TODO: one line each: the latency, then the result from its times.
    """
    ### BEGIN SOLUTION
    latency = measure_latency(fn, warmup=warmup, repeats=repeats)
    return BenchmarkResult(name, latency.times, items=items, confidence=confidence)
    ### END SOLUTION

# %% [markdown]
# ## Comparing: speedups and a verdict
#
# `compare(results)` prints one row per result against the first (the baseline): median,
# interval, throughput and **speedup** = baseline median / this median (above 1: faster). The
# verdict uses the intervals: "faster" or "slower" only when the two intervals do not overlap,
# else "no clear difference". Overlapping intervals do not prove the two are equal; they say
# this measurement cannot tell them apart. Measure more, or on a quieter machine.

# %%
#| export
def verdict(result, baseline):
    """"faster" / "slower" than baseline when the confidence intervals do not overlap, else "no clear difference".

    TODO: compare result.ci_high with baseline.ci_low, and result.ci_low with baseline.ci_high.
    """
    ### BEGIN SOLUTION
    if result.ci_high < baseline.ci_low:
        return "faster"
    if result.ci_low > baseline.ci_high:
        return "slower"
    return "no clear difference"
    ### END SOLUTION


def compare(results):
    """A text table of results against results[0]: median, interval, throughput, speedup, verdict, energy."""
    if not results:
        raise ValueError("compare needs at least one BenchmarkResult (the first is the baseline)")
    base = results[0]
    lines = [f"{'name':20}{'median ms':>11}{'interval ms':>22}{'items/s':>12}{'speedup':>9}  {'verdict':22}energy"]
    for r in results:
        interval = f"[{r.ci_low * 1e3:.3f}, {r.ci_high * 1e3:.3f}]"
        judged = "baseline" if r is base else verdict(r, base)
        lines.append(f"{r.name:20}{r.median * 1e3:>11.3f}{interval:>22}{r.throughput:>12,.1f}"
                     f"{base.median / r.median:>8.2f}x  {judged:22}not measured")
    return "\n".join(lines)

# %% [markdown]
# ## The Pareto frontier
#
# A smaller model is often less accurate; a faster one may be bigger. No single number ranks
# them. But some models are simply worse: model C is **dominated** by A if A is at least as good
# on every count and strictly better on one. The models nobody dominates form the **Pareto
# frontier**: each is a best choice for *some* trade-off, and every other model is beaten outright.
#
# ```
# accuracy                            A (1 ms, 0.95)  dominates  C (2 ms, 0.90): faster and more accurate
#   0.95  A       E                   E (3 ms, 0.97): slower, but more accurate: on the frontier too
#   0.90     C                        frontier = A, E
#          1  2  3  latency (ms)
# ```
#
# `pareto_frontier(points, minimize, maximize)` takes dicts such as
# `{"name": "int8", "latency": 0.002, "bytes": 70_000, "accuracy": 0.95}` and the keys to make
# small and large; it returns the indices of the undominated points, in their order. Two points
# equal on every count do not dominate each other: both stay.

# %%
#| export
def dominates(a, b, minimize, maximize):
    """Whether point a dominates b: no worse on every key, strictly better on at least one.

    TODO: no_worse = all(a[k] <= b[k] for k in minimize) and all(a[k] >= b[k] for k in maximize);
          better = any(a[k] < b[k] for k in minimize) or any(a[k] > b[k] for k in maximize).
    """
    ### BEGIN SOLUTION
    no_worse = all(a[k] <= b[k] for k in minimize) and all(a[k] >= b[k] for k in maximize)
    better = any(a[k] < b[k] for k in minimize) or any(a[k] > b[k] for k in maximize)
    return no_worse and better
    ### END SOLUTION


def pareto_frontier(points, minimize=(), maximize=()):
    """Indices of the points (dicts) that no other point dominates, in order.

    TODO: keep index i unless some other point dominates points[i].
    """
    if not points:
        raise ValueError("pareto_frontier needs at least one point")
    if not minimize and not maximize:
        raise ValueError("pareto_frontier needs keys to minimize and/or maximize, e.g. minimize=['latency'], maximize=['accuracy']")
    for index, point in enumerate(points):
        missing = [k for k in (*minimize, *maximize) if k not in point]
        if missing:
            raise ValueError(f"point {index} ({point.get('name', point)}) has no {', '.join(map(repr, missing))}")
    ### BEGIN SOLUTION
    return [i for i, p in enumerate(points)
            if not any(dominates(q, p, minimize, maximize) for j, q in enumerate(points) if j != i)]
    ### END SOLUTION

# %%
#| test
def test_unit_benchmark_and_compare():
    print("🧪 Unit Test: benchmark, verdict, compare...")
    calls = []
    result = benchmark(lambda: calls.append(1), name="noop", warmup=2, repeats=10, items=32)
    assert len(calls) == 12 and len(result.times) == 10, f"warmup=2, repeats=10: expected 12 calls and 10 times, got {len(calls)} and {len(result.times)}"
    fixed = BenchmarkResult("fixed", [0.1, 0.2, 0.3, 0.4, 0.5], items=10)
    assert fixed.median == 0.3 and abs(fixed.throughput - 10 / 0.3) < 1e-9, f"times 0.1 ... 0.5, 10 items: expected median 0.3 and throughput 33.3/s, got {fixed.median}, {fixed.throughput}"
    assert fixed.energy_joules is None, "energy is not measured: energy_joules must be None"
    fast = BenchmarkResult("fast", [0.01, 0.011, 0.012, 0.013, 0.014, 0.015, 0.016])
    slow = BenchmarkResult("slow", [0.05, 0.051, 0.052, 0.053, 0.054, 0.055, 0.056])
    assert verdict(fast, slow) == "faster" and verdict(slow, fast) == "slower", "separate intervals: expected faster / slower"
    assert verdict(fixed, BenchmarkResult("same", [0.15, 0.25, 0.35])) == "no clear difference", "overlapping intervals: expected no clear difference"
    table = compare([slow, fast])
    assert "4.08x" in table and "not measured" in table, f"fast's median 0.013 against slow's 0.053: expected a speedup of 4.08x and energy 'not measured':\n{table}"
    print("✅ benchmark and compare work!")


def test_unit_pareto_frontier():
    print("🧪 Unit Test: pareto_frontier...")
    points = [{"name": "A", "ms": 1, "acc": 0.95}, {"name": "C", "ms": 2, "acc": 0.90}, {"name": "E", "ms": 3, "acc": 0.97}]
    got = pareto_frontier(points, minimize=["ms"], maximize=["acc"])
    assert got == [0, 2], f"A (1 ms, 0.95) dominates C (2 ms, 0.90); E (3 ms, 0.97) is not dominated: expected [0, 2], got {got}"
    print("✅ pareto_frontier works!")


test_unit_benchmark_and_compare()
test_unit_pareto_frontier()

# %%
#| hidden
from tito.checks import case, expect_error


def test_hidden_interval_fixtures():
    for n, confidence, ranks in [(10, 0.95, (2, 9)), (20, 0.95, (6, 15)), (5, 0.95, (1, 5)), (6, 0.95, (1, 6)),
                                 (9, 0.95, (2, 8)), (20, 0.5, (8, 13)), (1, 0.95, (1, 1))]:
        times = [float(t) for t in np.random.default_rng(n).permutation(np.arange(1, n + 1))]  # the values are their ranks
        with case(f"{n} times, confidence {confidence}"):
            low, high, coverage = median_confidence_interval(times, confidence)
            assert (low, high) == ranks, f"expected the times of ranks {ranks}, got ranks ({low:g}, {high:g})"
            j = int(ranks[0])
            expected = 1 - 2 * sum(math.comb(n, i) for i in range(j)) / 2 ** n
            assert abs(coverage - expected) < 1e-12, f"expected coverage {expected:.4f}, got {coverage}"
    expect_error(ValueError, lambda: median_confidence_interval([1.0], 1.0), "confidence")
    expect_error(ValueError, lambda: median_confidence_interval([], 0.9), "at least one")


def test_hidden_results_and_table():
    r = BenchmarkResult("x", [0.4, 0.1, 0.3, 0.2], items=8)
    assert r.median == 0.25 and abs(r.throughput - 32) < 1e-9, f"times 0.1 ... 0.4, 8 items: expected median 0.25 s and 32 items/s, got {r.median}, {r.throughput}"
    base = BenchmarkResult("base", [0.02] * 7)
    half = BenchmarkResult("half", [0.01] * 7)
    table = compare([base, half])
    rows = table.split("\n")
    assert len(rows) == 3 and "baseline" in rows[1] and "2.00x" in rows[2] and "faster" in rows[2], f"half the time of the baseline: expected a row with 2.00x and 'faster':\n{table}"
    a, b = BenchmarkResult("a", [1.0, 2.0, 3.0, 4.0, 5.0]), BenchmarkResult("b", [2.0, 3.0, 4.0, 5.0, 6.0])
    for first, second in [(a, b), (b, a)]:
        got = verdict(first, second)
        assert got == "no clear difference", f"medians {first.median} and {second.median} but overlapping intervals: expected 'no clear difference', got {got!r}"
    assert table.count("not measured") == 2, f"every row must say energy 'not measured':\n{table}"
    expect_error(ValueError, lambda: benchmark(lambda: None, repeats=0), "repeats", "0")
    expect_error(ValueError, lambda: compare([]), "at least one")


def test_hidden_pareto_fixtures():
    points = [{"name": "A", "latency": 1, "bytes": 10, "accuracy": 0.90},
              {"name": "B", "latency": 2, "bytes": 5, "accuracy": 0.90},
              {"name": "C", "latency": 2, "bytes": 10, "accuracy": 0.80},   # dominated by A
              {"name": "D", "latency": 1, "bytes": 10, "accuracy": 0.90},   # equal to A: neither dominates
              {"name": "E", "latency": 3, "bytes": 4, "accuracy": 0.95},
              {"name": "F", "latency": 3, "bytes": 5, "accuracy": 0.90}]    # dominated by B (and E)
    with case("latency and bytes minimized, accuracy maximized"):
        got = pareto_frontier(points, minimize=["latency", "bytes"], maximize=["accuracy"])
        assert got == [0, 1, 3, 4], f"expected A, B, D, E = [0, 1, 3, 4], got {got}"
    with case("accuracy only"):
        got = pareto_frontier(points, maximize=["accuracy"])
        assert got == [4], f"only E has the best accuracy: expected [4], got {got}"
    with case("latency only, minimized"):
        got = pareto_frontier(points, minimize=["latency"])
        assert got == [0, 3], f"A and D tie for the lowest latency: expected [0, 3], got {got}"
    assert dominates(points[0], points[2], ["latency", "bytes"], ["accuracy"]) and not dominates(points[0], points[3], ["latency", "bytes"], ["accuracy"]), \
        "A dominates C; A does not dominate its equal D"
    expect_error(ValueError, lambda: pareto_frontier(points, minimize=["energy"]), "energy")
    expect_error(ValueError, lambda: pareto_frontier([], minimize=["latency"]), "at least one")


test_hidden_interval_fixtures()
test_hidden_results_and_table()
test_hidden_pareto_fixtures()

# %% [markdown]
# ## Use it: three versions of one model, judged
#
# A float32 MLP, its int8 version (15) and a structurally pruned one (16), each measured for
# latency (with its interval), size and accuracy on held-out data; then the frontier.

# %%
from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.profiling import model_bytes
from tinytorch.core.quantization import quantize_model
from tinytorch.core.compression import structured_prune
from tinytorch.core.autograd import no_grad

rng = np.random.default_rng(0)
centers = rng.standard_normal((4, 32))
labels = rng.integers(0, 4, 1000)
data = Tensor(centers[labels] + rng.standard_normal((1000, 32)) * 1.5)
np.random.seed(0)
model = Sequential(Linear(32, 128), ReLU(), Linear(128, 4))
optimizer = Adam(model.parameters(), lr=0.01)
for _ in range(40):
    CrossEntropyLoss()(model(data[:800]), labels[:800]).backward()
    optimizer.step()
    optimizer.zero_grad()
test_x, test_y = data[800:], labels[800:]
versions = {"float32": model, "int8": quantize_model(model, data[:200]), "pruned 75%": structured_prune(model, 0.75)}
results, points = [], []
for name, version in versions.items():
    with no_grad():  # inference: no graph recorded
        results.append(benchmark(lambda: version(test_x), name=name, repeats=15, items=len(test_y)))
    accuracy = float((version(test_x).data.argmax(axis=1) == test_y).mean())
    points.append({"name": name, "latency": results[-1].median, "bytes": model_bytes(version), "accuracy": accuracy})
    print(f"{name:12} {model_bytes(version):>8,} bytes   accuracy {accuracy:.3f}")
print(compare(results))
print("Pareto frontier:", [points[i]["name"] for i in pareto_frontier(points, minimize=["latency", "bytes"], maximize=["accuracy"])])

# %% [markdown]
# ## Reflect
#
# 1. With 20 repeats, which rank is the lower end of the 95% interval for the median (`j`)?
# 2. What real confidence (coverage) does `[min, max]` of 5 times have? (A fraction.)
# 3. How many of the points in the table below are on the frontier (minimize latency, maximize accuracy)?
#    `(1 ms, 0.80)`, `(2 ms, 0.85)`, `(2 ms, 0.90)`, `(3 ms, 0.88)`, `(4 ms, 0.95)`

# %%
#| answers
answers = {
    "bench_ci_lower_rank_n20": 6,  # 1. j for n = 20 at 95%
    "bench_min_max_coverage_n5": 1 - 2 / 32,  # 2. the coverage of [min, max] of 5 times
    "bench_frontier_size": 3,  # 3. points on the frontier
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_benchmarking():
    low, _, _ = median_confidence_interval(list(range(1, 21)))
    check_answer(answers, "bench_ci_lower_rank_n20", low,
                 "find the largest j with 2 * P(B <= j - 1) <= 0.05 for B ~ Binomial(20, 1/2)")
    _, _, coverage = median_confidence_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    check_answer(answers, "bench_min_max_coverage_n5", coverage,
                 "[min, max] misses the median only if all 5 times are above it or all below: 2 x (1/2)^5", tolerance=1e-6)
    points = [{"ms": 1, "acc": 0.80}, {"ms": 2, "acc": 0.85}, {"ms": 2, "acc": 0.90}, {"ms": 3, "acc": 0.88}, {"ms": 4, "acc": 0.95}]
    check_answer(answers, "bench_frontier_size", len(pareto_frontier(points, minimize=["ms"], maximize=["acc"])),
                 "cross out every point that another one beats on both latency and accuracy (or ties one and beats the other)")


test_reflect_benchmarking()

# %% [markdown]
# ## What you built
#
# A benchmark harness whose every number is measured: medians with exact, distribution-free
# confidence intervals, throughput, speedups with an honest verdict, "not measured" where there
# is no meter, and the Pareto frontier of the trade-offs. The Torch Olympics use it next.

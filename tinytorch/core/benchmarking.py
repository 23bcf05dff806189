"""Benchmarking: the reference solution of module 19.

Generated from curriculum/modules/19_benchmarking.py by `python -m curriculum.generate`. Do not edit.
"""

import math

import numpy as np

from tinytorch.core.profiling import measure_latency


def _binomial_cdf(k, n):
    """P(B <= k) for B ~ Binomial(n, 1/2), exactly (math.comb: whole numbers)."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


def median_confidence_interval(times, confidence=0.95):
    """(low, high, coverage): the interval [x(j), x(n + 1 - j)] of the sorted times with the largest j
    such that 2 * P(B <= j - 1) <= 1 - confidence (B ~ Binomial(n, 1/2)), or [min, max] if none does;
    coverage = 1 - 2 * P(B <= j - 1), the confidence the interval really has.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (0.95 for 95%), got {confidence!r}")
    if len(times) == 0:
        raise ValueError("median_confidence_interval needs at least one time")
    ordered = sorted(float(t) for t in times)
    n = len(ordered)
    j = 1
    while j + 1 <= n - j and 2 * _binomial_cdf(j, n) <= 1 - confidence:
        j += 1
    return ordered[j - 1], ordered[n - j], 1 - 2 * _binomial_cdf(j - 1, n)


class BenchmarkResult:
    """A measured benchmark: times (seconds), median, confidence interval, throughput (items / s)."""

    def __init__(self, name, times, items=1, confidence=0.95):
        """Keep name, times and items; compute median, (ci_low, ci_high, coverage), throughput."""
        if not times:
            raise ValueError(f"benchmark {name!r} has no times: it needs at least one repeat")
        self.name, self.times, self.items, self.confidence = name, [float(t) for t in times], items, confidence
        self.median = float(np.median(self.times))
        self.ci_low, self.ci_high, self.coverage = median_confidence_interval(self.times, confidence)
        self.throughput = items / self.median if self.median > 0 else float("inf")
        self.energy_joules = None  # no meter: not measured

    def __repr__(self):
        return (f"BenchmarkResult({self.name!r}: median {self.median * 1e3:.3f} ms, {self.coverage:.0%} interval "
                f"[{self.ci_low * 1e3:.3f}, {self.ci_high * 1e3:.3f}] ms, {self.throughput:,.1f} items/s, energy not measured)")


def benchmark(fn, name="", warmup=3, repeats=20, items=1, confidence=0.95):
    """Measure fn() with measure_latency(fn, warmup, repeats) and return its BenchmarkResult."""
    latency = measure_latency(fn, warmup=warmup, repeats=repeats)
    return BenchmarkResult(name, latency.times, items=items, confidence=confidence)


def verdict(result, baseline):
    """"faster" / "slower" than baseline when the confidence intervals do not overlap, else "no clear difference"."""
    if result.ci_high < baseline.ci_low:
        return "faster"
    if result.ci_low > baseline.ci_high:
        return "slower"
    return "no clear difference"


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


def dominates(a, b, minimize, maximize):
    """Whether point a dominates b: no worse on every key, strictly better on at least one."""
    no_worse = all(a[k] <= b[k] for k in minimize) and all(a[k] >= b[k] for k in maximize)
    better = any(a[k] < b[k] for k in minimize) or any(a[k] > b[k] for k in maximize)
    return no_worse and better


def pareto_frontier(points, minimize=(), maximize=()):
    """Indices of the points (dicts) that no other point dominates, in order."""
    if not points:
        raise ValueError("pareto_frontier needs at least one point")
    if not minimize and not maximize:
        raise ValueError("pareto_frontier needs keys to minimize and/or maximize, e.g. minimize=['latency'], maximize=['accuracy']")
    for index, point in enumerate(points):
        missing = [k for k in (*minimize, *maximize) if k not in point]
        if missing:
            raise ValueError(f"point {index} ({point.get('name', point)}) has no {', '.join(map(repr, missing))}")
    return [i for i, p in enumerate(points)
            if not any(dominates(q, p, minimize, maximize) for j, q in enumerate(points) if j != i)]

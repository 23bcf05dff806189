"""Helpers for a module's Systems section, which measures the learner's own code (curriculum/README.md).

Absolute times differ 50-100x between CPython and the browser (Pyodide), so a Systems section
prints ratios measured in the same run, never seconds alone.
"""

import time


def best_time(fn, repeat=5):
    """The fastest of `repeat` runs of fn(), in seconds: the run least disturbed by other work."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best

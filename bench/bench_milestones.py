"""Time every ready milestone with the reference tinytorch, and print its result against its gate.

    python bench/bench_milestones.py

The course promises each milestone in at most BUDGET seconds here and BROWSER_BUDGET seconds in the
browser (issue 11), where a whole milestone run measured 2-9x slower than here (bench/bench_browser.py
times both in one run; milestones 04 and 05 about 6x): so here each should take at most about
BROWSER_BUDGET / 9 seconds, the "of browser" column's 100%. The baseline, measured in the same run, is
one plain NumPy matmul loop of fixed size, so the "x baseline" column compares milestones across
machines and days.
"""

import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as in the browser (threads only contend on 2 busy cores)
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from tito import milestones  # noqa: E402
from tito.course import Course  # noqa: E402

BUDGET = 10.0  # seconds per milestone on CPython, the course's promise (issue 11)
BROWSER_BUDGET = 60.0  # seconds per milestone in the browser, where NumPy is 50-100x and a milestone 2-9x slower
SLOWDOWN = 9  # the largest browser / CPython ratio of a milestone measured by bench_browser.py


def baseline():
    """Seconds for 2,000 forward+backward-sized matmuls of a 32x64 batch: a small MLP's raw arithmetic."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((32, 64), dtype=np.float32), rng.standard_normal((64, 32), dtype=np.float32)
    started = time.perf_counter()
    for _ in range(2000):
        y = x @ w
        x.T @ y
    return time.perf_counter() - started


def ready(course):
    """The milestones that exist (have a file), in course order."""
    return [m for m in milestones.list_milestones(course) if m["ready"]]


async def run_reference(mid, course):
    """Run milestone `mid` with the reference tinytorch (milestones.REFERENCE_ROOT), quietly; its Outcome."""
    return await milestones.run(mid, None, reference=True, progress=lambda *a: None, course=course)


def main():
    course = Course()
    base = baseline()
    print(f"baseline (2,000 NumPy matmul pairs): {base * 1000:.1f} ms")
    print(f"{'milestone':<28} {'seconds':>8} {'x baseline':>11} {'of budget':>10} {'of browser':>11}  result")
    for m in ready(course):
        outcome = asyncio.run(run_reference(m["id"], course))
        verdict = "passed" if outcome.passed else "NOT PASSED"
        print(f"{m['id']} {m['title']:<25} {outcome.seconds:>8.2f} {outcome.seconds / base:>11.1f} "
              f"{outcome.seconds / BUDGET:>10.0%} {outcome.seconds * SLOWDOWN / BROWSER_BUDGET:>11.0%}  {outcome.metric} {outcome.value:.4f} (gate {outcome.gate:g}) {verdict}")


if __name__ == "__main__":
    main()

"""The whole course as a learner meets it in the browser: every module opened from the dashboard
and completed (its solutions typed into the notebook, then `%tito module complete NN`), then the
milestones the Foundation walk test does not run. Prints how long each step took.

    python bench/bench_course_browser.py WHEEL_OR_DIST      (about 25 minutes here)
    TINYTORCH_PYODIDE_DIST=WHEEL_OR_DIST python bench/bench_course_browser.py

WHEEL_OR_DIST is NumPy for Pyodide, as for bench_browser.py (README.md, 'NumPy in the browser');
the site is built into build/site-numpy/ or $TINYTORCH_SITE_OUT. One fresh Chromium profile, with
the browser tests' guard (nothing beyond 127.0.0.1, no console error).

Why a benchmark and not a test: it takes 25 minutes, and what it finds is a check or a cell too
slow for NumPy in the browser (module 14's hidden check ran a 34-GFLOP forward: correct code was
stopped there), which a test on CPython cannot see. Stops at the first module that does not
complete, with the grader's report.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "e2e")]

MILESTONES = ["04", "05", "06"]  # 01-03: e2e/test_milestones_browser.py walks those
TIMEOUT = 900_000  # ms for one cell: solutions and grading run 10-100x slower than on CPython


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dist", nargs="?", default=os.environ.get("TINYTORCH_PYODIDE_DIST"),
                        help="NumPy for Pyodide: its official wheel or a distribution holding it (default: $TINYTORCH_PYODIDE_DIST)")
    args = parser.parse_args()
    if not args.dist:
        sys.exit("bench_course_browser.py needs NumPy for Pyodide: pass its official wheel or distribution, "
                 "or set TINYTORCH_PYODIDE_DIST (see README.md, 'NumPy in the browser')")

    from playwright.sync_api import sync_playwright

    import site_tools
    from lite.build import OUTPUT, build
    from lite.serve import serve_in_thread
    from tito.course import Course

    site = build(pyodide_dist=args.dist, output=Path(os.environ.get("TINYTORCH_SITE_OUT") or OUTPUT.with_name("site-numpy")))
    server, url = serve_in_thread(site)
    course = Course()
    mids = [mid for mid in sorted(course.modules) if "source" in course.modules[mid]]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=site_tools.CHROMIUM, args=site_tools.CHROMIUM_ARGS)
        context, guard = site_tools.guarded_context(browser)
        page = context.new_page()
        guard.watch(page)
        for mid in mids:
            started = time.perf_counter()
            site_tools.open_from_dashboard(page, url, course.modules[mid]["title"], course.notebook_name(mid))
            opened = time.perf_counter()
            output = site_tools.complete_module(page, mid, TIMEOUT)
            done = time.perf_counter()
            completed = f"module {mid} completed" in output
            print(f"module {mid}: kernel ready {opened - started:5.1f} s, solutions and grading {done - opened:5.1f} s: "
                  f"{'completed' if completed else 'NOT COMPLETED'}", flush=True)
            if not completed:
                sys.exit(output)
        for mid in MILESTONES:  # in the kernel that completed module 20, with the package it wrote
            started = time.perf_counter()
            output = site_tools.run_cell(page, f"%tito milestone run {mid}", TIMEOUT)
            verdict = next((line for line in output.splitlines() if line.startswith(f"Milestone {mid} ")), output[-2000:])
            print(f"milestone {mid}: {time.perf_counter() - started:5.1f} s: {verdict}", flush=True)
        guard.check()
        print(f"guard: nothing beyond 127.0.0.1, no console error; load average {os.getloadavg()[0]:.1f}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()

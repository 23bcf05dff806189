"""How much slower is the browser? The framework benchmarks and every milestone, run in the site's
Pyodide kernel (Chromium, NumPy for Pyodide) and on this CPython, in the same run.

    python bench/bench_browser.py WHEEL_OR_DIST [--rounds 3]     (about 25 minutes with 3 rounds here)
    TINYTORCH_PYODIDE_DIST=WHEEL_OR_DIST python bench/bench_browser.py
    python bench/bench_browser.py WHEEL_OR_DIST --milestones 04 05 --no-framework   (only those milestones)

WHEEL_OR_DIST is NumPy for Pyodide, as for `python -m lite build --pyodide-dist` (README.md); the
site is built with it into build/site-numpy/ (the browser tests' build, reused when current), or
into $TINYTORCH_SITE_OUT when set (as for e2e/, so parallel checkouts never rebuild each other's site).

Measured on both sides with the very same functions (this file's `framework` and `milestone`):
  bench_framework.py's MLP 784-128-10 train step on a batch of 64, through tinytorch and in plain
  NumPy, and its 256x256 matmul through Tensor and with np.matmul (best of --repeat timings of
  --number calls); bench_milestones.py's baseline (2,000 NumPy matmul pairs of a 32x64 batch);
  each milestone in curriculum/milestones/ with the reference tinytorch, as `tito milestone run
  NN --reference` does: the seconds it prints (its training), and its whole run (its cells, the
  data, the training), whose median must stay within BUDGET seconds in the browser.
Prints, per item, the median over --rounds in the browser, on CPython, and browser / CPython.

In the browser: a fresh Chromium profile opens 00_welcome.ipynb from a local server, and the
cells typed into it write the repository's tinytorch/ and these bench files into the kernel's
/tmp (memory only: the learner's drive, and what the site ships, are untouched), then import them.
The two sides alternate item by item, so a busy machine slows both alike. CPython's OpenBLAS runs
on one thread, as NumPy does in the browser (set OPENBLAS_NUM_THREADS to change that).
"""

import argparse
import asyncio
import base64
import concurrent.futures
import io
import json
import os
import statistics
import sys
import time
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
if __name__ == "__main__":
    # NumPy in the browser computes on one thread; so does CPython's OpenBLAS here, unless
    # OPENBLAS_NUM_THREADS says otherwise. On two busy shared cores its threads wait on each other:
    # a 256x256 matmul took 67 ms on two threads against 4.4 ms on one.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import bench_framework  # noqa: E402  (imports tinytorch: the repository's, or in the kernel the one shipped to /tmp)
import bench_milestones  # noqa: E402
from bench_milestones import milestones  # noqa: E402  (tito.milestones)

BUDGET = 60.0  # seconds per milestone in the browser: the course's promise (issue 11; 10 s on CPython)
KERNEL_DIR = "/tmp/tinytorch-bench"  # in the kernel's memory filesystem
MARK = "BENCH-RESULT "
FRAMEWORK_ITEMS = ["MLP 784-128-10 step b=64, tinytorch", "MLP 784-128-10 step b=64, NumPy",
                   "matmul 256x256, Tensor", "matmul 256x256, np.matmul", "baseline: 2,000 matmul pairs"]


# ---- run on both sides: in the kernel and here --------------------------------------------------


def framework(number, repeat):
    """{item: seconds} for FRAMEWORK_ITEMS, with bench_framework's and bench_milestones' own code."""
    mlp = bench_framework.best_seconds(bench_framework.tinytorch_step(), bench_framework.numpy_step(), number, repeat)
    matmul = bench_framework.best_seconds(*bench_framework.matmul_pair(), number, repeat)
    return dict(zip(FRAMEWORK_ITEMS, [*mlp, *matmul, bench_milestones.baseline()]))


async def milestone(mid):
    """Milestone `mid` with the reference tinytorch: {seconds (its training, as it prints), total
    (the whole run), result}."""
    started = time.perf_counter()
    outcome = await bench_milestones.run_reference(mid, bench_milestones.Course())
    total = time.perf_counter() - started
    verdict = "passed" if outcome.passed else "NOT PASSED"
    return {"seconds": outcome.seconds, "total": total,
            "result": f"{outcome.metric} {outcome.value:.4f} (gate {outcome.gate:g}) {verdict}"}


def use_reference(folder):
    """In the kernel: the milestones' --reference package is the tinytorch/ in `folder`."""
    milestones.REFERENCE_ROOT = Path(folder)


# ---- the browser side ---------------------------------------------------------------------------


def payload():
    """The repository's tinytorch/ and the bench files this needs, as base64 of a zip."""
    files = [p for p in (ROOT / "tinytorch").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += [BENCH / name for name in ("bench_framework.py", "bench_milestones.py", "bench_browser.py")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(ROOT).as_posix())
    return base64.b64encode(buffer.getvalue()).decode()


def kernel_setup():
    """The first cell: unpack the payload into KERNEL_DIR and import this file there."""
    return "\n".join([
        "import base64, importlib, io, json, sys, zipfile",
        f"zipfile.ZipFile(io.BytesIO(base64.b64decode('{payload()}'))).extractall('{KERNEL_DIR}')",
        f"sys.path[:0] = ['{KERNEL_DIR}/bench', '{KERNEL_DIR}']",
        "importlib.invalidate_caches()",
        "import numpy, bench_browser, tinytorch",
        f"bench_browser.use_reference('{KERNEL_DIR}')",
        f"print('{MARK}' + json.dumps({{'numpy': numpy.__version__, 'python': sys.version.split()[0], "
        "'tinytorch': tinytorch.__file__}))",
    ])


class Kernel:
    """The site's Pyodide kernel behind a notebook in Chromium; `run(code)` returns what the code
    printed after MARK, as JSON."""

    def __init__(self, playwright, site):
        from lite.serve import serve_in_thread
        from site_tools import CHROMIUM, CHROMIUM_ARGS, SHOWN_NOTEBOOK, guarded_context

        self.server, url = serve_in_thread(site)
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context, self.guard = guarded_context(self.browser)
        self.page = context.new_page()
        self.dialogs = []  # JupyterLab's dialogs that came up in the way, answered by `answer`
        self.page.add_locator_handler(self.page.locator(".jp-Dialog"), self.answer)
        started = time.perf_counter()
        self.page.goto(f"{url}lab/index.html?path=00_welcome.ipynb")
        self.page.wait_for_selector(f"{SHOWN_NOTEBOOK} .jp-Cell .jp-InputPrompt", timeout=300_000)
        # Run at once: the cell waits for the kernel, and its output is the honest sign that it is ready.
        self.info = self.run(kernel_setup(), timeout=600)
        self.info["ready after (s)"] = round(time.perf_counter() - started, 1)

    def answer(self, dialog):
        """Keep the notebook as it is in the browser ("File Changed ... Overwrite"); close any other dialog."""
        self.dialogs.append(" ".join(dialog.inner_text().split())[:200])
        overwrite = dialog.get_by_role("button", name="Overwrite")
        if overwrite.count():
            overwrite.click()
        else:
            self.page.keyboard.press("Escape")

    def run(self, code, timeout=600):
        from site_tools import run_cell

        output = run_cell(self.page, code, timeout=timeout * 1000)
        for line in output.splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
        raise RuntimeError(f"the kernel printed no result for:\n{code[:300]}\n---\n{output}")

    def close(self):
        self.browser.close()
        self.server.shutdown()
        self.server.server_close()


def browser_framework(kernel, number, repeat):
    return kernel.run(f"print('{MARK}' + json.dumps(bench_browser.framework({number}, {repeat})))")


def browser_milestone(kernel, mid):
    return kernel.run(f"print('{MARK}' + json.dumps(await bench_browser.milestone('{mid}')))")


def on_cpython(coroutine):
    """Run `coroutine` to its end here, in a thread of its own: Playwright's sync API keeps an
    event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# ---- the report ---------------------------------------------------------------------------------


def spread(values):
    """The median, and as text with [min-max] when there are several."""
    median = statistics.median(values)
    return median, f"{median:.3g}" + (f" [{min(values):.3g}-{max(values):.3g}]" if len(values) > 1 else "")


def table(times):
    """Each item's median [min-max] in the browser and on CPython, the ratio of the medians and the
    range of the ratios round by round (each round's two figures were measured close together)."""
    print(f"{'seconds':36}{'browser':>25} {'CPython':>27}   browser/CPython [per round]")
    for item, sides in times.items():
        (browser, browser_text), (cpython, cpython_text) = spread(sides["browser"]), spread(sides["CPython"])
        rounds = [b / c for b, c in zip(sides["browser"], sides["CPython"])]
        print(f"{item:36}{browser_text:>25} {cpython_text:>27}   {browser / cpython:5.1f}x"
              + (f" [{min(rounds):.1f}-{max(rounds):.1f}]" if len(rounds) > 1 else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dist", nargs="?", default=os.environ.get("TINYTORCH_PYODIDE_DIST"),
                        help="NumPy for Pyodide: its official wheel or a distribution holding it (default: $TINYTORCH_PYODIDE_DIST)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of everything on each side; the median is shown")
    parser.add_argument("--number", type=int, default=10, help="calls per timing of the MLP step and the matmul")
    parser.add_argument("--repeat", type=int, default=5, help="timings of --number calls; the best is kept")
    parser.add_argument("--milestones", nargs="*", help="only these milestone ids (default: every ready one)")
    parser.add_argument("--no-framework", action="store_true", help="skip the framework benchmarks, time only milestones")
    args = parser.parse_args()
    if not args.dist:
        sys.exit("bench_browser.py needs NumPy for Pyodide: pass its official wheel "
                 "(numpy-2.4.3-cp314-cp314-pyemscripten_2026_0_wasm32.whl) or distribution as the argument, "
                 "or set TINYTORCH_PYODIDE_DIST (see README.md, 'NumPy in the browser')")

    sys.path.insert(0, str(ROOT / "e2e"))
    from playwright.sync_api import sync_playwright

    from lite.build import OUTPUT, build

    site = build(pyodide_dist=args.dist, output=Path(os.environ.get("TINYTORCH_SITE_OUT") or OUTPUT.with_name("site-numpy")))
    if not json.loads((site / "course.json").read_text())["numpy_bundled"]:
        sys.exit(f"the site in {site} has no NumPy: is {args.dist} NumPy for Pyodide?")
    mids = [m["id"] for m in bench_milestones.ready(bench_milestones.Course()) if not args.milestones or m["id"] in args.milestones]
    import numpy

    times = {}  # item -> {"browser": [...], "CPython": [...]}
    results = {}  # milestone id -> {side: result text}

    def add(side, item, seconds):
        times.setdefault(item, {"browser": [], "CPython": []})[side].append(seconds)
        print(f"  {side:8} {item}: {seconds:.4g} s", flush=True)

    with sync_playwright() as playwright:
        kernel = Kernel(playwright, site)
        print(f"browser: Chromium, Pyodide kernel (Python {kernel.info['python']}, NumPy {kernel.info['numpy']}), "
              f"ready after {kernel.info['ready after (s)']} s; "
              f"CPython {sys.version.split()[0]}, NumPy {numpy.__version__} "
              f"(OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        try:
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}/{args.rounds}", flush=True)
                for side, figures in ([] if args.no_framework else
                                      (("CPython", framework(args.number, args.repeat)),
                                       ("browser", browser_framework(kernel, args.number, args.repeat)))):
                    for item, seconds in figures.items():
                        add(side, item, seconds)
                for mid in mids:
                    for side, figures in (("CPython", on_cpython(milestone(mid))), ("browser", browser_milestone(kernel, mid))):
                        add(side, f"milestone {mid}, training", figures["seconds"])
                        add(side, f"milestone {mid}, whole run", figures["total"])
                        results.setdefault(mid, {})[side] = figures["result"]
        finally:
            kernel.close()

    print(f"\nmedian [min-max] of {args.rounds} rounds (load average now {os.getloadavg()[0]:.1f})")
    table(times)
    print()
    course = bench_milestones.Course()
    for mid in mids:
        whole = times[f"milestone {mid}, whole run"]["browser"]
        within = statistics.median(whole) <= BUDGET
        print(f"milestone {mid} {course.milestones[mid]['title']}: {statistics.median(whole):.2f} s in the browser "
              f"(slowest {max(whole):.2f} s): {'within' if within else 'OVER'} the {BUDGET:g} s budget; "
              f"browser {results[mid]['browser']}, CPython {results[mid]['CPython']}")
    print(json.dumps({"rounds": args.rounds, "times": times}))
    for text in kernel.dialogs:
        print(f"dialog answered in the browser: {text}")
    kernel.guard.check()  # nothing fetched beyond 127.0.0.1, no console error


if __name__ == "__main__":
    main()

"""Page load of the TinyTorch site against a stock JupyterLite + Pyodide-kernel site built in the
same run from the same versions, both served by `lite serve`'s server, both offline.

    python bench/bench_site.py [--runs 5]      (about 2.5 minutes with 5 runs)
    TINYTORCH_PYODIDE_DIST=NUMPY_WHEEL TINYTORCH_SITE_OUT=build/site-numpy python bench/bench_site.py   (with NumPy)

What is measured, in Chromium, each run in a new browser profile (empty cache):
  notebook shown       opening 00_welcome.ipynb until its cells are on screen (JupyterLab's UI).
  kernel ready, cold   until a cell run on arrival (print(1)) shows its output: the kernel has
                       started Pyodide, installed its wheels and imported IPython. This is the
                       honest readiness signal: JupyterLab's "Idle" indicator is already idle
                       while the notebook is shown, before the kernel has even been created.
  kernel ready, warm   the same after reloading the page (HTTP cache and compiled code kept).
  MB sent cold / warm  bytes the server sent for each of the two loads. Not counted: the rest of
                       our site, which the service worker downloads for offline use once the
                       kernel has been idle for 3 s (site/service-worker.js).
Prints the median and the range of each, for both sites, and the ratio of the medians.

The stock site is `jupyter lite build` with its default settings and the Pyodide kernel's extension
only, as ours (this Python also has jupytext's); its static/pyodide/ is ours
without the grader: Pyodide's core from npm and the same wheels and lockfile (a local Pyodide is
the only way to run offline; the wheels are bytecode as in Pyodide's own distribution, which a
stock site loads from its CDN). So the two differ only in their JupyterLite and kernel settings,
and in where Pyodide is (ours is under api/, out of the service worker's way: see lite/build.py).
Each is opened the way its learners open a notebook: ours in Jupyter Notebook's one-document page
(notebooks/index.html?path=..., the dashboard's link), stock in JupyterLab (lab/index.html?path=...,
its default app). Ours starts its kernel from the memory snapshot the build made (lite/snapshot.py:
Python's memory after the kernel's imports, and the wheels' files in one blob), and starts the
kernel's worker while the page loads, as soon as its service worker controls the page
(site/notebook-page.js; on the cold load the page registers it first), and creates the IPython
kernel in it before JupyterLab asks for it.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "e2e")]

from lite.build import BUILD, GRADER, ONLY_KERNEL_EXTENSION, PYODIDE, build, write_json  # noqa: E402
from lite.serve import Handler, serve_in_thread  # noqa: E402
from site_tools import CHROMIUM, CHROMIUM_ARGS, notebook_url, run_cell  # noqa: E402

NOTEBOOK = "00_welcome.ipynb"


def stock_site(ours):
    """JupyterLite with its default settings and, in static/pyodide, our Pyodide without the grader,
    built beside ours (`ours`-stock/)."""
    lite_dir, output = ours.with_name(f"{ours.name}-stock.lite"), ours.with_name(f"{ours.name}-stock")
    shutil.rmtree(lite_dir, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    pyodide = lite_dir / "static" / "pyodide"
    shutil.copytree(ours / PYODIDE, pyodide)
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    (pyodide / lock["packages"].pop(GRADER)["file_name"]).unlink()
    for path in pyodide.glob("kernel-*"):  # ours only: the kernel's snapshot and early start
        path.unlink()
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock))
    # Its one JupyterLab extension is the Pyodide kernel's, as ours (this Python also has jupytext's).
    write_json(lite_dir / "jupyter_lite_config.json", {"LiteBuildConfig": ONLY_KERNEL_EXTENSION})
    (lite_dir / "files").mkdir()
    shutil.copy(ours / "files" / NOTEBOOK, lite_dir / "files")
    subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                    "--output-dir", str(output), "--contents", str(lite_dir / "files")],
                   cwd=lite_dir, check=True, capture_output=True)
    return output


class CountingHandler(Handler):
    """lite serve's handler, adding up the bytes of the files it sends."""

    sent = 0

    def copyfile(self, source, outputfile):
        CountingHandler.sent += os.fstat(source.fileno()).st_size  # whole files: no range requests here
        super().copyfile(source, outputfile)


def load(page, open_page):
    """Seconds until the notebook is shown and until a cell's output; megabytes sent meanwhile."""
    CountingHandler.sent = 0
    start = time.perf_counter()
    open_page()
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt")
    shown = time.perf_counter() - start
    assert run_cell(page, "print(1)", timeout=120_000).strip() == "1"
    return shown, time.perf_counter() - start, CountingHandler.sent / 1e6


OPEN = {"tinytorch": notebook_url(NOTEBOOK), "stock": f"lab/index.html?path={NOTEBOOK}"}


def measure(playwright, url, path):
    """One cold load of the notebook in a new browser profile, then one reload of it. A profile on
    disk, as a learner's browser has: a fresh context's in-memory cache does not keep Pyodide's
    9.6 MB WebAssembly."""
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = context.pages[0]
        shown, cold, cold_bytes = load(page, lambda: page.goto(url + path))
        _, warm, warm_bytes = load(page, page.reload)
        context.close()
    return {"notebook shown (s)": shown, "kernel ready, cold (s)": cold, "kernel ready, warm (s)": warm,
            "MB sent cold": cold_bytes, "MB sent warm": warm_bytes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    ours = build(pyodide_dist=os.environ.get("TINYTORCH_PYODIDE_DIST") or None,
                 output=os.environ.get("TINYTORCH_SITE_OUT") or BUILD / "site")
    sites = {"tinytorch": Path(ours), "stock": stock_site(Path(ours))}
    results = {name: [] for name in sites}
    with sync_playwright() as playwright:
        urls = {name: serve_in_thread(folder, handler=CountingHandler)[1] for name, folder in sites.items()}
        for _ in range(runs):  # interleaved, so both sites see the same machine load
            for name, url in urls.items():
                results[name].append(measure(playwright, url, OPEN[name]))

    def cell(name, key):
        values = [run[key] for run in results[name]]
        return statistics.median(values), f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"

    print(f"median [min-max] of {runs} runs   {'tinytorch':>20}  {'stock':>20}  {'ratio':>6}")
    for key in results["tinytorch"][0]:
        (ours_, ours_text), (stock, stock_text) = cell("tinytorch", key), cell("stock", key)
        print(f"{key:30}{ours_text:>22}  {stock_text:>20}  {ours_ / stock if stock else float('nan'):6.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Page load of the TinyTorch site against a stock JupyterLite + Pyodide-kernel site built in the
same run from the same versions (stock settings, the same local Pyodide, so both are offline).

    python bench/bench_site.py [--runs 3]

For each site, in Chromium, median of the runs: a cold load (fresh browser context) to the
kernel's "idle" and to the first cell's output, a warm reload to "idle", and the bytes
transferred by the cold load. Prints both sites' figures and ours / stock.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "e2e")]

from lite.build import BUILD, build  # noqa: E402
from lite.serve import serve_in_thread  # noqa: E402
from site_tools import CHROMIUM, CHROMIUM_ARGS, run_cell, wait_for_kernel  # noqa: E402


def stock_site(ours):
    """JupyterLite with its default settings; only static/pyodide (Pyodide and the kernel's wheels)
    is taken from our build, without the grader, so that it starts offline too."""
    lite_dir, output = BUILD / "stock.lite", BUILD / "stock"
    shutil.rmtree(lite_dir, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    shutil.copytree(ours / "static" / "pyodide", lite_dir / "static" / "pyodide")
    (lite_dir / "files").mkdir()
    shutil.copy(ours / "files" / "00_welcome.ipynb", lite_dir / "files")
    subprocess.run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                    "--output-dir", str(output), "--contents", str(lite_dir / "files")],
                   cwd=lite_dir, check=True, capture_output=True)
    return output


def measure(browser, url):
    """Seconds to idle and to first output (cold), seconds to idle (warm reload), bytes (cold)."""
    context = browser.new_context()
    sizes = []
    context.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url + "lab/index.html?path=00_welcome.ipynb")
    wait_for_kernel(page)
    idle = time.perf_counter() - start
    run_cell(page, "print(1)")
    output = time.perf_counter() - start
    transferred = sum(sizes)
    start = time.perf_counter()
    page.reload()
    wait_for_kernel(page)
    warm = time.perf_counter() - start
    context.close()
    return {"cold to idle (s)": idle, "cold to first output (s)": output, "warm reload to idle (s)": warm,
            "cold bytes (MB)": transferred / 1e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    ours = build()
    sites = {"tinytorch": ours, "stock": stock_site(ours)}
    results = {name: [] for name in sites}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        urls = {name: serve_in_thread(folder)[1] for name, folder in sites.items()}
        for _ in range(runs):  # interleaved, so both sites see the same machine load
            for name, url in urls.items():
                results[name].append(measure(browser, url))
        browser.close()
    print(f"{'median of ' + str(runs):28}{'tinytorch':>12}{'stock':>12}{'ratio':>8}")
    for key in results["tinytorch"][0]:
        ours_, stock = (statistics.median(run[key] for run in results[name]) for name in sites)
        print(f"{key:28}{ours_:12.2f}{stock:12.2f}{ours_ / stock:8.2f}")
    print(json.dumps({name: runs_ for name, runs_ in results.items()}))


if __name__ == "__main__":
    main()

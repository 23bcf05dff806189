"""The twelfth notebook opens as fast as the first: each dashboard link opens one notebook with one
kernel, whatever was opened before (JupyterLab reopened every earlier notebook in hidden tabs and
started a kernel for each: 16 s to a ready kernel at the first module, 71 s at the seventh).

    python bench/bench_visits.py [--visits 12]      (NumPy not needed)

In one browser profile on disk, as a learner's browser is, the site's notebooks are opened one
after another by their dashboard links; for each visit: seconds until a cell run on arrival shows
its output (bench_site.load), and how many kernels the page has. Prints every visit, and the last
visit's time as a ratio to the first (cold: Pyodide is downloaded and compiled) and to the second
(the first warm visit), measured in the same run.
"""

import argparse
import sys
import tempfile

from playwright.sync_api import sync_playwright

from bench_site import CountingHandler, load
from lite.build import build
from lite.serve import serve_in_thread
from site_tools import CHROMIUM, CHROMIUM_ARGS, notebook_url
from tito.course import Course


def notebooks(count):
    """The first `count` notebooks in course order: modules, then milestones."""
    course = Course()
    names = [course.notebook_name(mid) for mid in course.written()]
    names += [f"milestone_{mid}_{info['name']}.ipynb" for mid, info in sorted(course.milestones.items()) if "source" in info]
    return names[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=12)
    visits = notebooks(parser.parse_args().visits)
    _, url = serve_in_thread(build(), handler=CountingHandler)
    times = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = context.pages[0]
        for number, notebook in enumerate(visits, start=1):
            page.goto(url)  # the dashboard, then its link, as a learner goes
            _, ready, _ = load(page, lambda: page.goto(url + notebook_url(notebook)))
            kernels = page.evaluate("[...window.jupyterapp.serviceManager.kernels.running()].length")
            times.append(ready)
            print(f"visit {number:2}  {notebook:36} kernel ready {ready:6.2f} s   kernels in the page: {kernels}", flush=True)
        context.close()
    print(f"visit {len(times)} / visit 1 (cold): {times[-1] / times[0]:.2f}    visit {len(times)} / visit 2 (warm): "
          f"{times[-1] / times[1]:.2f}    (goal: at most 1.2)")


if __name__ == "__main__":
    sys.exit(main())

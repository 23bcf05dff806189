"""Offline after one visit (site/service-worker.js): a learner opens the hosted site once (the
dashboard, module 00 and its kernel), the network goes away, and a module never opened before
still opens from the browser's cache: its page, its notebook, Pyodide and the wheels (NumPy when
the site ships it), and its kernel runs a cell."""

import json

from site_tools import KERNEL_START, notebook_url, open_from_dashboard, run_cell, run_notebook_cell, wait_for_kernel

# Whether the cache holds every file of precache.js. wait_for_function takes a returned promise for
# a true value, so each poll starts a count and reads the last one.
CACHE_COMPLETE = """([name, files]) => {
    caches.open(name).then((cache) => cache.keys()).then((keys) => { window.cachedFiles = keys.length; });
    return window.cachedFiles >= files;
}"""


def precache(site_dir):
    """precache.js of the built site (lite/build.py's write_precache), as a dict."""
    text = (site_dir / "precache.js").read_text()
    return json.loads(text.removeprefix("self.PRECACHE = ").removesuffix(";\n"))


def test_a_module_never_opened_works_offline_after_one_visit(new_context, site_url, site_dir, numpy_bundled):
    manifest = precache(site_dir)
    context = new_context()
    page = context.new_page()
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    page.wait_for_function(CACHE_COMPLETE, arg=[f"tinytorch-{manifest['version']}", len(manifest["files"])],
                           polling=500, timeout=KERNEL_START)

    context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False  # the network is really gone
    page.goto(site_url)  # the dashboard, from the cache
    page.locator(".card", has_text="Tensor").wait_for()
    page.goto(site_url + notebook_url("01_tensor.ipynb"))
    wait_for_kernel(page)
    assert "tito " in run_notebook_cell(page, 0)  # the notebook's own first cell, %load_ext tito, shows its banner
    if numpy_bundled:
        assert run_cell(page, "import numpy\nprint(numpy.arange(4).sum())").strip() == "6"
    else:
        assert run_cell(page, "print(sum(range(4)))").strip() == "6"


# A page's word to the site's service worker, as the site's pages say it (backup.js's precache).
ASK = """async (when) => {
    const { SERVICE_WORKER, precache } = await import("./backup.js");
    await navigator.serviceWorker.register(SERVICE_WORKER);
    await navigator.serviceWorker.ready;
    precache(when);
}"""


def test_the_background_downloads_wait_while_a_page_holds_them(new_context, site_url, site_dir):
    """A notebook page holds them while its kernel starts or runs a cell ("later"), and lets them go
    ("now"); the class report page asks nothing itself, so the test speaks for it."""
    manifest = precache(site_dir)
    name, files = f"tinytorch-{manifest['version']}", len(manifest["files"])
    page = new_context().new_page()
    page.goto(site_url + "class.html")
    page.evaluate(ASK, "later")
    page.wait_for_timeout(3000)  # unheld, the worker caches most of the site's 500-odd files in this time
    held = page.evaluate("(name) => caches.open(name).then((cache) => cache.keys()).then((keys) => keys.length)", name)
    assert held < 20, f"{held} files were downloaded while held"
    page.evaluate(ASK, "now")
    page.wait_for_function(CACHE_COMPLETE, arg=[name, files], polling=500, timeout=KERNEL_START)

"""Fixtures for the browser tests.

One site build per test session (reused when its inputs have not changed), served on
127.0.0.1, and Chromium pages that fail their test on any request beyond 127.0.0.1 and on any
console error (the missing favicon aside): the site must work offline and cleanly.

    site_dir      the built site (a Path), from lite.build
    site_url      its base URL, "http://127.0.0.1:PORT/"
    serve         serve(directory) -> base URL: serve any other directory the same way
    browser       one Chromium for the session
    new_context   new_context(**options) -> a fresh, guarded browser context (fresh storage)
    context, page a guarded context and a page in it, for one test
    numpy_bundled whether the built site ships NumPy for Pyodide
    needs_numpy   a test that uses it is skipped when NumPy is not bundled

site_tools.py has the guard and helpers for notebooks: wait_for_kernel(page),
run_cell(page, code), read_progress(page) (the IndexedDB records, as the dashboard reads them).
"""

import json
import os

import pytest
from playwright.sync_api import sync_playwright

from lite.build import OUTPUT, build
from lite.serve import serve_in_thread
from site_tools import CHROMIUM, CHROMIUM_ARGS, guarded_context

NUMPY_MISSING = "NumPy for Pyodide not bundled"


@pytest.fixture(scope="session")
def site_dir():
    # TINYTORCH_PYODIDE_DIST: NumPy for the Pyodide from npm, its wheel or a distribution holding it (see lite/build.py).
    dist = os.environ.get("TINYTORCH_PYODIDE_DIST") or None
    # TINYTORCH_SITE_OUT: another build folder, so that two checkouts or agents never rebuild each other's site.
    output = os.environ.get("TINYTORCH_SITE_OUT") or (OUTPUT.with_name("site-numpy") if dist else OUTPUT)
    return build(pyodide_dist=dist, output=output)  # two builds, no thrash


@pytest.fixture(scope="session")
def serve():
    servers = []

    def serve(directory):
        server, url = serve_in_thread(directory)
        servers.append(server)
        return url

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site_dir, serve):
    return serve(site_dir)


@pytest.fixture(scope="session")
def numpy_bundled(site_dir):
    return json.loads((site_dir / "course.json").read_text())["numpy_bundled"]


@pytest.fixture
def needs_numpy(numpy_bundled):
    if not numpy_bundled:
        pytest.skip(NUMPY_MISSING)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    made = []

    def new_context(**options):
        made.append(guarded_context(browser, **options))
        return made[-1][0]

    yield new_context
    for context, guard in made:
        context.close()
    for context, guard in made:
        guard.check()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()

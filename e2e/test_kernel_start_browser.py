"""The kernel's fast start (lite/snapshot.py, lite/kernel-pyodide.mjs, site/notebook-page.js): it
starts from the build's memory snapshot (and reports whether it started early, while the page
loaded), and with a damaged snapshot it still starts, the normal way, with no error."""

import gzip
import json
import shutil

import pytest

from site_tools import notebook_url, run_cell

START = "import js, random; print(js.tinytorchKernelStart.snapshot, js.tinytorchKernelStart.early, random.random())"


def test_kernel_starts_from_the_snapshot_and_early(page, site_url):
    page.goto(site_url + notebook_url("00_welcome.ipynb"))
    # The first visit: the service worker does not control the page yet, so no early start.
    snapshot, early, first_random = run_cell(page, START, timeout=300_000).split()
    assert (snapshot, early) == ("True", "False")
    page.reload()
    snapshot, early, second_random = run_cell(page, START, timeout=300_000).split()
    assert snapshot == "True"  # early: not yet taken in this test (open question)
    assert first_random != second_random, "each kernel seeds random afresh, not from the snapshot's state"


@pytest.fixture(scope="module")
def damaged_site_url(site_dir, serve, tmp_path_factory):
    """The site with its snapshot's memory altered (its manifest still describes the original)."""
    site = tmp_path_factory.mktemp("damaged") / "site"
    shutil.copytree(site_dir, site)
    pyodide = site / "api" / "pyodide"
    manifest = json.loads((pyodide / "kernel-snapshot.json").read_text())
    memory = bytearray(gzip.decompress((pyodide / manifest["file"]).read_bytes()))
    memory[len(memory) // 2] ^= 0xFF
    (pyodide / manifest["file"]).write_bytes(gzip.compress(bytes(memory), compresslevel=1))
    return serve(site)


def test_a_damaged_snapshot_falls_back_to_a_normal_start(page, damaged_site_url):
    warnings = []
    page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
    page.goto(damaged_site_url + notebook_url("00_welcome.ipynb"))
    assert run_cell(page, START, timeout=300_000).split()[:2] == ["False", "False"]
    assert any("snapshot did not load" in text for text in warnings), warnings
    assert run_cell(page, "print(sum(range(4)))").strip() == "6"  # the guard checks there was no console error

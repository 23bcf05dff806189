"""The kernel's fast start (lite/snapshot.py, lite/kernel-pyodide.mjs, site/notebook-page.js): it
starts from the build's memory snapshot (its IPython kernel created), early (while the page loads)
once the service worker controls the page, with a fresh random seed; a snapshot that is damaged or does not match this
Pyodide falls back to a normal start, with a warning and no console error."""

import gzip
import json
import shutil

import pytest

from site_tools import notebook_url, run_cell, wait_for_kernel

START = ("import js, random; start = js.tinytorchKernelStart; "
         "print(start.snapshot, start.early, start.created, random.random())")
NOTEBOOK = "00_welcome.ipynb"


def test_kernel_starts_from_the_snapshot_and_early(page, site_url, numpy_bundled):
    page.goto(site_url + notebook_url(NOTEBOOK))
    wait_for_kernel(page)
    # A first visit: early only if the service worker the page registers took over before
    # JupyterLite made the kernel's worker, so not checked here.
    snapshot, _, created, first_random = run_cell(page, START, timeout=300_000).split()
    assert (snapshot, created) == ("True", "True")
    page.reload()  # now the service worker controls the page from its start
    wait_for_kernel(page)
    snapshot, early, created, second_random = run_cell(page, START, timeout=300_000).split()
    assert (snapshot, early, created) == ("True", "True", "True")
    assert first_random != second_random, "each kernel seeds random afresh, not from the snapshot's state"
    # The early kernel imported NumPy (its files come in the blob) before the learner's first cell.
    assert run_cell(page, "import sys; print('numpy' in sys.modules)").strip() == str(numpy_bundled)
    # The files the snapshot's kernel has without unpacking its wheels: a module it never
    # imported, package metadata, and tito's course data.
    # A cell that imports them does not install their wheels again (the kernel loads the packages
    # a cell imports, unless Pyodide knows them as loaded).
    check = (f"import importlib.metadata, IPython.lib.pretty, jedi, tito.course{', numpy' * numpy_bundled}; course = tito.course.Course(); "
             "print(importlib.metadata.version('ipython'), course.module('01')[1]['title'], len(course.source_text('01')) > 0)")
    wheels = []
    page.context.on("request", lambda request: request.url.endswith(".whl") and wheels.append(request.url))
    output = run_cell(page, check, timeout=60_000)
    assert "Traceback" not in output and output.split()[-1] == "True", output
    assert wheels == [] and "Loading" not in output, (wheels, output)


def damage_memory(pyodide, manifest):
    memory = bytearray(gzip.decompress((pyodide / manifest["file"]).read_bytes()))
    memory[len(memory) // 2] ^= 0xFF
    (pyodide / manifest["file"]).write_bytes(gzip.compress(bytes(memory), compresslevel=1))


def damage_files(pyodide, manifest):
    files = bytearray(gzip.decompress((pyodide / manifest["files"]["file"]).read_bytes()))
    files[-100] ^= 0xFF
    (pyodide / manifest["files"]["file"]).write_bytes(gzip.compress(bytes(files), compresslevel=1))


def other_pyodide(pyodide, manifest):
    manifest["pyodide"] = "0.0.1"
    (pyodide / "kernel-snapshot.json").write_text(json.dumps(manifest))


# How each fault shows in the console: the snapshot is refused before loading, or fails to load.
FAULTS = {"damaged memory": (damage_memory, "snapshot did not load"),
          "damaged files": (damage_files, "snapshot did not load"),
          "another Pyodide": (other_pyodide, "starts without its snapshot")}


@pytest.fixture(scope="module", params=list(FAULTS))
def faulty_site(request, site_dir, serve, tmp_path_factory):
    """The site with one fault in its snapshot (the manifest still describes the original)."""
    fault, warning = FAULTS[request.param]
    site = tmp_path_factory.mktemp("faulty") / "site"
    shutil.copytree(site_dir, site)
    pyodide = site / "api" / "pyodide"
    fault(pyodide, json.loads((pyodide / "kernel-snapshot.json").read_text()))
    return serve(site), warning


def test_a_faulty_snapshot_falls_back_to_a_normal_start(page, faulty_site):
    url, warning = faulty_site
    warnings = []
    page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
    page.goto(url + notebook_url(NOTEBOOK))
    wait_for_kernel(page)
    assert run_cell(page, START, timeout=300_000).split()[0] == "False"
    assert any(warning in text for text in warnings), warnings
    assert run_cell(page, "print(sum(range(4)))").strip() == "6"  # the guard checks there was no console error

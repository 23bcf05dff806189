"""The offline workshop bundle (lite/bundle.py) on a laptop: unzipped into a folder, served by its
serve.py with the system's Python, and the course in Chromium with every request beyond
127.0.0.1 failing the test (the guarded context): module 00 completes from the very first visit,
and module 01 too when the bundle has NumPy. The bundle is made from the session's built site."""

import re
import subprocess
import zipfile

import pytest

from lite.bundle import FOLDER, bundle
from site_tools import complete_module, open_from_dashboard, run_notebook_cell

SYSTEM_PYTHON = "/usr/bin/python3"  # what a laptop has, not the project's venv


@pytest.fixture(scope="module")
def laptop_url(site_dir, tmp_path_factory):
    """The bundle unzipped into a fresh folder and served there as START-HERE.txt says; its URL."""
    folder = tmp_path_factory.mktemp("laptop")
    archive = bundle(site_dir, folder / "tinytorch-workshop.zip")
    zipfile.ZipFile(archive).extractall(folder)
    archive.unlink()
    process = subprocess.Popen([SYSTEM_PYTHON, "serve.py", "--no-browser"], cwd=folder / FOLDER,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = []
    for line in process.stdout:
        printed.append(line)
        found = re.search(r"TinyTorch is at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            break
    else:
        process.wait()
        raise AssertionError(f"serve.py printed no URL:\n{''.join(printed)}")
    yield found.group(1)
    process.terminate()
    process.wait()


def test_the_bundle_runs_the_course_with_nothing_beyond_the_laptop(page, laptop_url, request):
    open_from_dashboard(page, laptop_url, "Welcome", "00_welcome.ipynb")
    run_notebook_cell(page, 0)  # %load_ext tito
    assert "module 00 completed" in complete_module(page, "00")

    open_from_dashboard(page, laptop_url, "Tensor", "01_tensor.ipynb")
    run_notebook_cell(page, 0)
    request.getfixturevalue("needs_numpy")  # skips here when the bundle has no NumPy
    output = complete_module(page, "01")
    assert "module 01 completed" in output, output

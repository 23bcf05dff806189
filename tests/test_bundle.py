"""The offline workshop bundle (lite/bundle.py), the serve script it ships (lite/serve.py, run by
the system's Python with nothing but its standard library) and the service worker's precache list
(lite/build.py's write_precache). The bundle in a browser: e2e/test_bundle_browser.py."""

import json
import re
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from lite import build as lite
from lite.bundle import FOLDER, bundle
from lite.serve import MIME_TYPES, make_server

SYSTEM_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


def fake_site(folder, numpy_bundled=True):
    """A folder with what bundle() looks for and a few files of each served type."""
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>TinyTorch</title>")
    (folder / "course.json").write_text(json.dumps({"numpy_bundled": numpy_bundled}))
    (folder / "api" / "pyodide").mkdir(parents=True)
    (folder / "api" / "pyodide" / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (folder / "api" / "pyodide" / "pyodide.mjs").write_text("export {};")
    (folder / "api" / "pyodide" / "x-1.0-py3-none-any.whl").write_bytes(b"PK")
    return folder


def test_bundle_holds_the_site_the_serve_script_and_the_one_step_per_system(tmp_path):
    site = fake_site(tmp_path / "site")
    archive = bundle(site, tmp_path / "workshop.zip")
    with zipfile.ZipFile(archive) as zip_file:
        names = set(zip_file.namelist())
        assert {f"{FOLDER}/site/index.html", f"{FOLDER}/site/course.json", f"{FOLDER}/site/api/pyodide/pyodide.asm.wasm",
                f"{FOLDER}/serve.py", f"{FOLDER}/START-HERE.txt"} <= names
        assert all(name.startswith(f"{FOLDER}/") for name in names)  # one folder: unzipping scatters nothing
        assert zip_file.read(f"{FOLDER}/serve.py") == (lite.ROOT / "lite" / "serve.py").read_bytes()  # no second copy
        assert zip_file.getinfo(f"{FOLDER}/serve.py").external_attr >> 16 & 0o111  # executable
        start_here = zip_file.read(f"{FOLDER}/START-HERE.txt").decode()
    assert "python3 serve.py" in start_here and "py serve.py" in start_here, start_here
    assert "includes NumPy" in start_here
    assert not (tmp_path / "workshop.zip.part").exists()


def test_bundle_says_when_numpy_is_missing(tmp_path):
    archive = bundle(fake_site(tmp_path / "site", numpy_bundled=False), tmp_path / "workshop.zip")
    start_here = zipfile.ZipFile(archive).read(f"{FOLDER}/START-HERE.txt").decode()
    assert "no NumPy" in start_here and "--pyodide-dist" in start_here, start_here


def test_bundle_of_a_folder_that_is_not_a_built_site_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(lite.BuildError, match="is not a built site .*python -m lite build"):
        bundle(tmp_path / "empty", tmp_path / "workshop.zip")
    assert not (tmp_path / "workshop.zip").exists()


def unzipped(tmp_path, numpy_bundled=True):
    """The bundle of a fake site, unzipped into tmp_path: returns its folder."""
    archive = bundle(fake_site(tmp_path / "site", numpy_bundled), tmp_path / "workshop.zip")
    zipfile.ZipFile(archive).extractall(tmp_path / "laptop")
    return tmp_path / "laptop" / FOLDER


def start_serve(folder, *args):
    """serve.py of an unzipped bundle, run as a laptop would, by the system's Python with only its
    standard library (-I: no user site, no environment; -S: no site-packages). Returns the process
    and the URL it printed."""
    process = subprocess.Popen([SYSTEM_PYTHON, "-I", "-S", "serve.py", "--no-browser", *args], cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        found = re.search(r"TinyTorch is at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return process, found.group(1), lines
    process.wait()
    raise AssertionError(f"serve.py printed no URL:\n{''.join(lines)}")


def stop(process):
    process.terminate()
    process.wait()


def test_serve_script_serves_the_site_with_the_types_browsers_require(tmp_path):
    process, url, _ = start_serve(unzipped(tmp_path), "--port", "0")
    try:
        assert urllib.request.urlopen(url).read() == b"<!doctype html><title>TinyTorch</title>"
        for path, suffix in [("api/pyodide/pyodide.asm.wasm", ".wasm"), ("api/pyodide/pyodide.mjs", ".mjs"),
                             ("course.json", ".json"), ("api/pyodide/x-1.0-py3-none-any.whl", ".whl")]:
            with urllib.request.urlopen(url + path) as response:
                assert response.headers["Content-Type"] == MIME_TYPES[suffix], path
    finally:
        stop(process)


def test_serve_script_moves_to_the_next_port_when_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, url, lines = start_serve(unzipped(tmp_path), "--port", str(port))
        try:
            assert url != f"http://127.0.0.1:{port}/"
            assert f"port {port} is taken" in "".join(lines), lines
            assert urllib.request.urlopen(url).status == 200
        finally:
            stop(process)


def test_the_server_listens_on_127_0_0_1_only(tmp_path):
    server = make_server(fake_site(tmp_path / "site"))
    try:
        assert server.server_address[0] == "127.0.0.1"  # not 0.0.0.0: nobody else on the network reaches it
    finally:
        server.server_close()


def test_serve_script_says_what_to_do_when_the_site_is_not_beside_it(tmp_path):
    folder = unzipped(tmp_path)
    (folder / "site" / "index.html").unlink()
    result = subprocess.run([SYSTEM_PYTHON, "-I", "-S", "serve.py", "--no-browser"], cwd=folder,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "is not a built TinyTorch site" in result.stderr and "unzip the whole workshop archive" in result.stderr, result.stderr


def precache(site):
    text = (site / lite.PRECACHE).read_text()
    assert text.startswith("self.PRECACHE = ") and text.endswith(";\n")
    return json.loads(text.removeprefix("self.PRECACHE = ").removesuffix(";\n"))


def test_precache_lists_every_file_but_the_workers_scripts_and_its_version_follows_their_contents(tmp_path):
    site = fake_site(tmp_path / "site")
    for name in lite.NOT_PRECACHED:
        (site / name).write_text("// a script the browser keeps itself")
    lite.write_precache(site)
    first = precache(site)
    assert first["files"] == ["api/pyodide/pyodide.asm.wasm", "api/pyodide/pyodide.mjs",
                              "api/pyodide/x-1.0-py3-none-any.whl", "course.json", "index.html"]
    lite.write_precache(site)
    assert precache(site) == first  # the same files: the same version (learners keep their cache)
    (site / "course.json").write_text(json.dumps({"numpy_bundled": False}))
    lite.write_precache(site)
    assert precache(site)["version"] != first["version"]  # a changed file: a new cache


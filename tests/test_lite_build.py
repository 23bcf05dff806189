"""The site build (lite/build.py) on CPython: what it ships, what its config points at, and
taking NumPy from a Pyodide distribution (here a fake one: a lockfile and a dummy wheel)."""

import gzip
import hashlib
import io
import json
import shutil
import tomllib
import zipfile

import pytest

from lite import build as lite

NUMPY_WHEEL = "numpy-2.4.3-cp314-cp314-pyemscripten_2026_0_wasm32.whl"


@pytest.fixture(scope="module")
def site():
    return lite.build()


def test_the_only_jupyterlab_extension_is_the_kernels(site):
    """Not every extension of the build's Python: jupytext's is there for the course's tools."""
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert [extension["name"] for extension in config["federated_extensions"]] == ["@jupyterlite/pyodide-kernel-extension"]
    assert [path.name for path in (site / "extensions").iterdir()] == ["@jupyterlite"]


def test_config_never_points_beyond_the_site(site):
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./api/pyodide/kernel-pyodide.mjs"  # Pyodide's loadPyodide, from the snapshot if it fits
    assert kernel["disablePyPIFallback"] is True
    assert kernel["loadPyodideOptions"]["lockFileURL"] == "./api/pyodide/pyodide-lock.json"
    for path in site.rglob("jupyter-lite.json"):
        assert "cdn.jsdelivr" not in path.read_text() and "pypi.org" not in path.read_text(), path


def test_lockfile_lists_exactly_the_shipped_wheels(site):
    pyodide = site / "api" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) >= {"micropip", "ipython", "jedi", "comm", "pyodide-kernel", "tinytorch-grader"}
    for name, entry in lock["packages"].items():
        wheel = pyodide / entry["file_name"]
        assert wheel.exists(), f"{name}: {entry['file_name']} is in the lockfile but not shipped"
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
    assert {p.name for p in pyodide.glob("*.whl")} == {e["file_name"] for e in lock["packages"].values()}
    preload = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]["packages"]
    assert set(preload) <= set(lock["packages"])


def test_kernel_snapshot_matches_what_the_kernel_loads(site):
    """The snapshot's manifest names this lockfile, the kernel's environment and packages, the
    snapshot's memory and the blob of the wheels' files (lite/kernel-pyodide.mjs checks each)."""
    pyodide = site / "api" / "pyodide"
    manifest = json.loads((pyodide / "kernel-snapshot.json").read_text())
    options = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]
    assert manifest["lockfile_sha256"] == hashlib.sha256((pyodide / "pyodide-lock.json").read_bytes()).hexdigest()
    assert manifest["env"] == options["env"] and set(manifest["packages"]) <= set(options["packages"])
    assert "numpy" not in manifest["packages"]  # a snapshot cannot hold a loaded native library: the kernel imports it
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    assert ("numpy" in manifest["files"]["packages"]) == ("numpy" in lock)  # its files come in the blob when shipped
    assert manifest["files"]["names"] == [lock[key]["name"] for key in manifest["files"]["packages"]]
    memory = gzip.decompress((pyodide / manifest["file"]).read_bytes())
    assert (hashlib.sha256(memory).hexdigest(), len(memory)) == (manifest["sha256"], manifest["size"])
    files = gzip.decompress((pyodide / manifest["files"]["file"]).read_bytes())
    assert (hashlib.sha256(files).hexdigest(), len(files)) == (manifest["files"]["sha256"], manifest["files"]["size"])
    assert set(manifest["packages"]) <= set(manifest["files"]["packages"])
    assert manifest["pyodide"] == json.loads((lite.NPM_PYODIDE / "package.json").read_text())["version"]


def test_course_json_and_landing_page(site):
    course = json.loads((site / "course.json").read_text())
    assert course["modules"]["00"]["name"] == "welcome"
    assert "00_welcome.ipynb" in course["notebooks"]
    assert course["numpy_bundled"] == ("numpy" in json.loads((site / "api/pyodide/pyodide-lock.json").read_text())["packages"])
    assert (site / "index.html").read_text() == (lite.ROOT / "site" / "index.html").read_text()


def dummy_wheel():
    """A NumPy wheel in form only (the site's kernel blob unpacks it): a zip with a package and its metadata."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("numpy/__init__.py", '"""Not really NumPy."""\n')
        wheel.writestr("numpy-2.4.3.dist-info/METADATA", "Name: numpy\nVersion: 2.4.3\n")
        wheel.writestr("numpy-2.4.3.dist-info/RECORD", "")
    return buffer.getvalue()


DUMMY_NUMPY = dummy_wheel()


def official_numpy(monkeypatch, content=DUMMY_NUMPY):
    """Make the build's official lockfile vouch for a dummy NumPy wheel (`content`); returns the lock."""
    lock = lite.official_lock()
    lock["packages"]["numpy"]["sha256"] = hashlib.sha256(content).hexdigest()
    monkeypatch.setattr(lite, "official_lock", lambda: lock)
    return lock


def test_numpy_pin_is_the_browsers():
    """What passes on CPython passes in the browser: the same NumPy version as Pyodide's lockfile."""
    pinned = tomllib.loads((lite.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"numpy=={lite.official_lock()['packages']['numpy']['version']}" in pinned
    assert lite.official_lock()["packages"]["numpy"]["file_name"] == NUMPY_WHEEL


def test_numpy_wheel_is_shipped_with_its_lock_entry(tmp_path, monkeypatch):
    official_numpy(monkeypatch)
    (tmp_path / NUMPY_WHEEL).write_bytes(DUMMY_NUMPY)
    site = lite.build(pyodide_dist=str(tmp_path / NUMPY_WHEEL), output=tmp_path / "site")
    lock = json.loads((site / "api/pyodide/pyodide-lock.json").read_text())
    shipped = site / "api/pyodide" / NUMPY_WHEEL
    assert lock["packages"]["numpy"]["sha256"] == hashlib.sha256(shipped.read_bytes()).hexdigest()
    # The official wheel, its sources compiled to bytecode as the other wheels' are.
    names = zipfile.ZipFile(shipped).namelist()
    assert "numpy/__init__.pyc" in names and "numpy/__init__.py" not in names, names
    assert json.loads((site / "course.json").read_text())["numpy_bundled"] is True
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert "numpy" in config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]["packages"]


def test_a_wheel_that_does_not_match_its_sha256_is_rejected(tmp_path, monkeypatch):
    lock = official_numpy(monkeypatch)
    (tmp_path / NUMPY_WHEEL).write_bytes(b"tampered")
    with pytest.raises(lite.BuildError, match="sha256 .* does not match pyodide-lock.json"):
        lite.numpy_from_dist(tmp_path, lock)


def test_numpy_of_another_pyodide_is_rejected_by_name(tmp_path):
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl").write_bytes(b"other")
    with pytest.raises(lite.BuildError, match=f"has no {NUMPY_WHEEL}, the NumPy of the Pyodide 314.0.3 .* "
                                              "it has numpy-2.4.6-.*, from another Pyodide"):
        lite.numpy_from_dist(tmp_path, lite.official_lock())


def test_a_distribution_folder_and_tarball_are_read_too(tmp_path, monkeypatch):
    lock = official_numpy(monkeypatch)
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / NUMPY_WHEEL).write_bytes(DUMMY_NUMPY)
    (tmp_path / "pyodide" / "pyodide-lock.json").write_text("{}")  # a distribution's own: not needed
    wheel, entry = lite.numpy_from_dist(tmp_path, lock)
    assert wheel == tmp_path / "pyodide" / NUMPY_WHEEL and entry["file_name"] == NUMPY_WHEEL
    tarball = shutil.make_archive(str(tmp_path / "pyodide-314.0.3"), "bztar", tmp_path, "pyodide")
    monkeypatch.setattr(lite, "BUILD", tmp_path / "build")  # where the tarball is unpacked
    wheel, entry = lite.numpy_from_dist(tarball, lock)
    assert wheel.read_bytes() == DUMMY_NUMPY and entry["file_name"] == NUMPY_WHEEL

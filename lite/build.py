"""Build the site: JupyterLite with the Pyodide kernel, the course's learner notebooks, the
grader, and the landing page, as plain static files that never reach past their own origin.

    python -m lite build [--pyodide-dist PATH_OR_URL]      ->  build/site/

1. the grader wheel (`pip wheel --no-deps ./grader`),
2. the pure-Python wheels the kernel imports at start (IPython, jedi, micropip, ...) from PyPI,
   at the versions Pyodide's lockfile pins, cached in build/wheels/ so rebuilds are offline,
3. api/pyodide/: Pyodide's core from npm, those wheels compiled to bytecode (as Pyodide's own
   distribution ships them), and a lockfile that lists exactly the files shipped (Pyodide
   rebuilds pure wheels, so PyPI's sha256 differ from its own),
4. `jupyter lite build` with lite/jupyter_lite_config.json and the kernel settings below,
5. site/ on top (its index.html replaces JupyterLite's redirect), and course.json for it.

A build is skipped when none of its inputs changed since the last one.
"""

import base64
import email
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.request
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from tito import olympics
from tito.course import NO_CLASS, Course, TitoError, class_settings
from tito.grade import outline
from tito.kernel import KERNELSPEC, LANGUAGE_INFO
from packaging.utils import canonicalize_name, parse_wheel_filename

from lite.snapshot import SnapshotError, make_snapshot

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
OUTPUT = BUILD / "site"
WHEELS = BUILD / "wheels"  # PyPI downloads, kept between builds
NPM_PYODIDE = ROOT / "node_modules" / "pyodide"
NOTEBOOKS = ROOT / "grader" / "tito" / "course" / "notebooks" / "learner"
COURSE = ROOT / "curriculum" / "course.toml"
GRADER_BUILD = ROOT / "grader" / "build"  # setuptools' scratch folder: neither an input nor to be trusted
# The ipykernel / piplite / pyodide-kernel wheels that jupyterlite-pyodide-kernel ships.
# The one JupyterLab extension the site has, from this Python: the Pyodide kernel's (lite_build_config).
KERNEL_EXTENSION = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension"
KERNEL_WHEELS = KERNEL_EXTENSION / "static" / "pypi"

# What the kernel loads before it is ready (see initPackageManager / initKernel in
# pyodide-kernel's worker), with everything they depend on in the lockfile.
FROM_LOCKFILE = ["micropip", "ipython", "jedi"]
FROM_PYPI = ["comm==0.2.3"]  # pyodide-kernel needs it; Pyodide's lockfile does not have it
FROM_KERNEL = ["piplite", "ipykernel", "pyodide-kernel"]
GRADER = "tinytorch-grader"
# Where the site keeps Pyodide. Not JupyterLite's usual static/pyodide/: JupyterLite's service
# worker passes every GET through a fetch() of its own, except under /api/ (its stand-in server's
# files). Under /api/ the kernel's downloads (Pyodide's 9.6 MB of WebAssembly, the wheels) come
# straight from the browser's HTTP cache, which Chromium serves faster: the kernel was ready after
# a reload in 4.4 s here against 5.1 s under static/ (bench/bench_site.py); a first visit is the same.
PYODIDE = "api/pyodide"
# Listed in loadPyodideOptions.packages, the kernel loads them all at once from the lockfile
# instead of one by one through piplite; the grader comes with them, so `%load_ext tito` works.
PRELOAD = ["micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython", GRADER]

def build(pyodide_dist=None, output=OUTPUT, force=False, class_file=None):
    """Build the site into `output` (unless it is up to date) and return `output`. `class_file`:
    an instructor's class.toml (tito.course.class_settings), whose settings the dashboard and the
    kernel's tito honour."""
    output = Path(output)
    klass = read_class(class_file)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output.parent / f"{output.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; a second one then finds it current
        return build_unlocked(pyodide_dist, output, force, klass)


def read_class(class_file):
    """The class settings of `class_file` (None: no class), or a BuildError saying what is wrong."""
    if class_file is None:
        return NO_CLASS
    try:
        return class_settings(Path(class_file).read_text(encoding="utf-8"), Course(COURSE.parent))
    except OSError as error:
        raise BuildError(f"cannot read the class file {class_file}: {error.strerror}") from None
    except TitoError as error:
        raise BuildError(f"{class_file}: {error}") from None


def build_unlocked(pyodide_dist, output, force, klass=NO_CLASS):
    stamp = output.parent / f"{output.name}.stamp"
    inputs = input_digest(pyodide_dist, klass)
    if not force and output.is_dir() and stamp.exists() and stamp.read_text() == inputs:
        return output

    lite_dir = output.parent / f"{output.name}.lite"  # JupyterLite's input folder, made here
    shutil.rmtree(lite_dir, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    numpy_bundled = stage_pyodide(lite_dir / PYODIDE, pyodide_dist)  # JupyterLite leaves it alone
    preload = PRELOAD + ["numpy"] * numpy_bundled
    settings = lite_settings(preload, klass)
    write_json(lite_dir / "jupyter-lite.json", settings)
    stage_kernel_start(lite_dir / PYODIDE, settings["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN])
    write_json(lite_dir / "jupyter_lite_config.json", lite_build_config())
    stage_notebooks(lite_dir / "contents")

    jupyterlite = subprocess.run(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
         "--output-dir", str(output), "--contents", str(lite_dir / "contents")],
        cwd=lite_dir, capture_output=True, text=True,
    )
    if jupyterlite.returncode:
        raise BuildError(f"jupyter lite build failed:\n{jupyterlite.stdout[-3000:]}{jupyterlite.stderr[-3000:]}")
    shutil.copytree(lite_dir / PYODIDE, output / PYODIDE)
    write_kernel_worker(output)
    # site/service-worker.js wraps JupyterLite's (see there); site/notebook-page.js joins its pages.
    (output / "service-worker.js").rename(output / "jupyterlite-service-worker.js")
    shutil.copytree(ROOT / "site", output, dirs_exist_ok=True)
    for app in APPS:
        page = output / app / "index.html"
        page.write_text(page.read_text().replace("</head>", f'{NOTEBOOK_PAGE_SCRIPT}\n</head>', 1))
    # JupyterLab asks the server to resolve path-like words of an output (a traceback's "d/dx")
    # into links; a static site has no such server, and each 404 was an error in the console.
    # "Nothing resolved" is the true answer here, and JupyterLab then links nothing.
    write_json(output / "api" / "resolvePath", {"resolved": [], "unresolved": []})
    # Jupyter Notebook's page shows a notebook's kernel as busy or idle in its favicon, from
    # static/favicons/, which JupyterLite may not ship (each change was a 404): the site's one icon.
    (output / "static" / "favicons").mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOK_FAVICONS:
        if not (output / "static" / "favicons" / name).exists():
            shutil.copy(output / "notebooks" / "favicon.ico", output / "static" / "favicons" / name)
    if 'id="jupyter-config-data"' not in (output / "index.html").read_text():
        raise BuildError('site/index.html needs <script id="jupyter-config-data" type="application/json" '
                         'data-jupyter-lite-root=".">{}</script>: JupyterLite\'s apps read it from the root page')
    write_json(output / "course.json", course_json(numpy_bundled, klass))
    check_settings(output)
    write_precache(output)  # last: it lists every file of the site
    stamp.write_text(inputs)
    return output


# JupyterLite's apps (lite/jupyter_lite_config.json) and what the site adds to their pages.
APPS = ["lab", "notebooks"]
NOTEBOOK_FAVICONS = ["favicon-notebook.ico", "favicon-busy-1.ico"]
NOTEBOOK_PAGE_SCRIPT = '<script type="module" src="../notebook-page.js"></script>'


def stage_notebooks(folder):
    """The learner notebooks, naming the site's kernel as it names itself (tito.kernel), into `folder`."""
    folder.mkdir(parents=True)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["metadata"].update(kernelspec=KERNELSPEC, language_info=LANGUAGE_INFO)
        (folder / path.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# ---- the kernel's settings ---------------------------------------------------------------------


def lite_settings(preload, klass=NO_CLASS):
    """jupyter-lite.json: the Pyodide kernel loads everything from this site, nothing from a CDN
    or PyPI. Relative URLs are resolved against the site's root. The class's settings reach the
    kernel's tito in its environment (tito.course)."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "TinyTorch",
            "exposeAppInBrowser": True,  # window.jupyterapp, for site/notebook-page.js
            # site/notebook-page.js saves notebooks; JupyterLab's autosave beside it would race it.
            "settingsOverrides": {"@jupyterlab/docmanager-extension:plugin": {"autosave": False}},
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    "pyodideUrl": f"./{PYODIDE}/{KERNEL_PYODIDE}",
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {
                        "lockFileURL": f"./{PYODIDE}/pyodide-lock.json",
                        "packages": preload,
                        # IPython's profile in the grader wheel: it loads tito.kernel at the kernel's start.
                        "env": {"IPYTHONDIR": f"{site_packages()}/tito/ipython", "TINYTORCH_CLASS": json.dumps(klass)},
                    },
                }
            },
        },
    }


KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"

# The Pyodide kernel's extension as a site's only JupyterLab extension (LiteBuildConfig settings):
# not every one this Python has (jupytext's, there for the course's tools, would add its menus to
# the learner's pages and its code to their load).
ONLY_KERNEL_EXTENSION = {"ignore_sys_prefix": ["federated_extensions"], "federated_extensions": [str(KERNEL_EXTENSION)]}


def lite_build_config():
    """lite/jupyter_lite_config.json, with the kernel's extension only."""
    config = json.loads((ROOT / "lite" / "jupyter_lite_config.json").read_text())
    config["LiteBuildConfig"].update(ONLY_KERNEL_EXTENSION)
    return config


# The kernel's pyodideUrl: Pyodide's loadPyodide, started from the memory snapshot the build makes
# after the kernel's slow imports (lite/snapshot.py) when it fits, the normal way when not.
KERNEL_PYODIDE = "kernel-pyodide.mjs"


def stage_kernel_start(pyodide_dir, kernel):
    """Next to Pyodide: the kernel's pyodideUrl and the snapshot it starts from, made for the
    kernel's settings `kernel` (its environment, and the packages it loads but NumPy's)."""
    for name in (KERNEL_PYODIDE, "kernel-drive.mjs"):  # kernel-drive.mjs: for lite/kernel-worker.mjs
        shutil.copy(ROOT / "lite" / name, pyodide_dir)
    options = kernel["loadPyodideOptions"]
    try:
        make_snapshot(pyodide_dir, options["env"], [name for name in options["packages"] if name != "numpy"], site_packages())
    except SnapshotError as error:  # e.g. a Node.js without these WebAssembly flags: a slower start, nothing broken
        print(f"warning: no kernel snapshot, the kernel will start the normal way (slower): {error}", file=sys.stderr)


def write_kernel_worker(output):
    """api/pyodide/kernel-worker.mjs (lite/kernel-worker.mjs): the kernel's worker that
    site/notebook-page.js starts as the page loads, importing pyodide-kernel's own worker."""
    static = output / "extensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static"
    workers = sorted(static.glob("comlink.worker.*.js"))
    if len(workers) != 1:
        raise BuildError(f"expected one comlink.worker.*.js in {static} (pyodide-kernel's worker), found {[w.name for w in workers]}: "
                         "lite/kernel-worker.mjs and site/notebook-page.js need updating for this pyodide-kernel")
    url = "../../" + workers[0].relative_to(output).as_posix()
    worker = (ROOT / "lite" / "kernel-worker.mjs").read_text()
    (output / PYODIDE / "kernel-worker.mjs").write_text(worker.replace("%(kernel_worker)s", url))


def check_settings(output):
    """Fail the build if a JupyterLite config in `output` could send the kernel to a CDN or PyPI
    (an incremental JupyterLite rebuild has been seen to drop pyodideUrl)."""
    for path in output.rglob("jupyter-lite.json"):
        config = json.loads(path.read_text())["jupyter-config-data"]
        kernel = config.get("litePluginSettings", {}).get(KERNEL_PLUGIN)
        if path.parent == output:
            assert kernel, f"{path}: no Pyodide kernel settings"
        if kernel is not None:
            assert kernel.get("pyodideUrl") == f"./{PYODIDE}/{KERNEL_PYODIDE}", f"{path}: pyodideUrl is {kernel.get('pyodideUrl')!r}"
            assert kernel.get("disablePyPIFallback") is True, f"{path}: disablePyPIFallback is not true"


# ---- offline after one visit: the files site/service-worker.js keeps -------------------------

PRECACHE = "precache.js"
# The service worker's own scripts: the browser keeps and updates those itself.
NOT_PRECACHED = {"service-worker.js", "jupyterlite-service-worker.js", PRECACHE}


def write_precache(output):
    """precache.js: every file of the site in `output`, for site/service-worker.js to keep in the
    browser, and the build's version (a digest of their names and contents), which names the
    cache: a new build, a new cache; the same files, the same cache."""
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    files = [name for name in files if name not in NOT_PRECACHED]
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (output / name).read_bytes() + b"\0")
    manifest = {"version": digest.hexdigest()[:16], "files": files}
    (output / PRECACHE).write_text(f"self.PRECACHE = {json.dumps(manifest, indent=1)};\n")


# ---- api/pyodide: Pyodide's core, the wheels, the lockfile --------------------------------


def stage_pyodide(pyodide_dir, pyodide_dist=None):
    """Fill `pyodide_dir` with Pyodide's core (npm), the start-up wheels, the grader wheel and
    (from `pyodide_dist`) NumPy, and a lockfile of exactly those. Returns whether NumPy is in."""
    pyodide_dir.mkdir(parents=True)
    for path in NPM_PYODIDE.iterdir():
        if path.suffix in (".mjs", ".js", ".wasm", ".zip"):  # not the .d.ts, maps or demo pages
            shutil.copy(path, pyodide_dir)
    lock = official_lock()
    pinned = {canonicalize_name(name): entry for name, entry in lock["packages"].items()}

    wheels, entries = {}, {}  # by canonical name: the wheel, and its lock entry if Pyodide's has it
    for name in closure(FROM_LOCKFILE, pinned):
        wheels[name] = pypi_wheel(f"{pinned[name]['name']}=={pinned[name]['version']}")
        entries[name] = pinned[name]
    for requirement in FROM_PYPI:
        wheels[canonicalize_name(requirement.split("==")[0])] = pypi_wheel(requirement)
    for name in FROM_KERNEL:
        (wheels[name],) = KERNEL_WHEELS.glob(f"{name.replace('-', '_')}-*.whl")
    compiled = bytecode_wheels(wheels.values())
    packages = {name: ship(compiled[wheel], pyodide_dir, entries.get(name) or wheel_entry(wheel))
                for name, wheel in wheels.items()}
    grader = grader_wheel(pyodide_dir.parent.parent)
    packages[GRADER] = ship(grader, pyodide_dir, wheel_entry(grader))
    grader.unlink()
    if pyodide_dist is not None:
        wheel, entry = numpy_from_dist(pyodide_dist, lock)
        # Its wheel has sources: as bytecode, NumPy's first import in the kernel is 1 s faster.
        packages["numpy"] = ship(bytecode_wheels([wheel])[wheel], pyodide_dir, entry)

    missing = {dep for entry in packages.values() for dep in map(canonicalize_name, entry["depends"])} - set(packages)
    assert not missing, f"the shipped packages depend on packages not shipped: {sorted(missing)}"
    write_json(pyodide_dir / "pyodide-lock.json", {"info": lock["info"], "packages": packages})
    return "numpy" in packages


def closure(names, pinned):
    """`names` and everything they depend on in the lockfile, as canonical names."""
    seen, todo = [], [canonicalize_name(name) for name in names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.append(name)
            todo += [canonicalize_name(dep) for dep in pinned[name]["depends"]]
    return sorted(seen)


def ship(wheel, pyodide_dir, entry):
    """Copy `wheel` next to the lockfile; its lock entry, naming and hashing this very file."""
    shutil.copy(wheel, pyodide_dir)
    return {**entry, "file_name": wheel.name, "sha256": sha256(wheel)}


def wheel_entry(wheel):
    """A lock entry for a pure-Python wheel, from its METADATA and file list."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(metadata))
    depends = [r.name for r in map(Requirement, metadata.get_all("Requires-Dist", [])) if r.marker is None]
    tops = sorted({n.split("/")[0].removesuffix(".py") for n in names if ".dist-info/" not in n})
    return {
        "name": metadata["Name"], "version": metadata["Version"], "file_name": wheel.name,
        "install_dir": "site", "sha256": sha256(wheel), "package_type": "package",
        "imports": tops, "depends": depends, "unvendored_tests": False,
    }


def pypi_wheel(requirement):
    """The PyPI wheel for `requirement` ("name==version"), downloaded once into build/wheels/."""
    name, version = requirement.split("==")
    for path in WHEELS.glob("*.whl"):
        wheel_name, wheel_version, *_ = parse_wheel_filename(path.name)
        if wheel_name == canonicalize_name(name) and str(wheel_version) == version:
            return path
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.14", "--dest", str(WHEELS), requirement],
        check=True,
    )
    return pypi_wheel(requirement)


# Python compiles a module to bytecode the first time it imports it; from a PyPI wheel (sources
# only) that is at every kernel start, in WebAssembly: about 1 s of IPython's 1.7 s import here.
# Pyodide's own distribution ships its pure-Python wheels as .pyc instead; so does this site. The
# bytecode must come from Pyodide's very Python (3.14), so the Pyodide from npm runs in Node.
COMPILE = """
import {loadPyodide} from %s;
const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, {root: %s}, "/wheels");
pyodide.runPython(`
import compileall, os, py_compile, sysconfig
for name in os.listdir("/wheels"):  # one unpacked wheel each; its .py files become .pyc beside them
    assert compileall.compile_dir(
        f"/wheels/{name}", quiet=1, legacy=True, stripdir=f"/wheels/{name}", prependdir=sysconfig.get_path("purelib"),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)  # no mtimes: the same bytes each build
`);
"""


def bytecode_wheels(wheels):
    """{wheel: the same wheel with .pyc files in place of its .py files}, cached in build/wheels/
    by content (two files of the same name, e.g. a test's stand-in for NumPy, are two wheels)."""
    cached = {wheel: WHEELS / f"bytecode-pyodide-{pyodide_version()}" / sha256(wheel)[:16] / wheel.name for wheel in wheels}
    todo = [wheel for wheel in wheels if not cached[wheel].exists()]
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            for wheel in todo:
                zipfile.ZipFile(wheel).extractall(Path(tmp) / wheel.name)
            script = COMPILE % (json.dumps((NPM_PYODIDE / "pyodide.mjs").as_uri()), json.dumps(tmp))
            subprocess.run(["node", "--input-type=module", "-e", script], check=True)
            for wheel in todo:
                cached[wheel].parent.mkdir(parents=True, exist_ok=True)
                sourceless_wheel(Path(tmp) / wheel.name, cached[wheel])
    return cached


def sourceless_wheel(unpacked, path):
    """Zip the unpacked wheel at `unpacked` into `path`, without the .py files that have a .pyc,
    and with a RECORD that lists the files it has."""
    files = sorted(p for p in unpacked.rglob("*") if p.is_file() and not (p.suffix == ".py" and p.with_suffix(".pyc").exists()))
    (record,) = [p for p in files if p.parent.name.endswith(".dist-info") and p.name == "RECORD"]
    lines = []
    for p in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(p.read_bytes()).digest()).rstrip(b"=").decode()
        lines.append(f"{p.relative_to(unpacked).as_posix()},sha256={digest},{p.stat().st_size}" if p != record else "")
    record.write_text("\n".join(line for line in lines if line) + f"\n{record.relative_to(unpacked).as_posix()},,\n")
    with zipfile.ZipFile(path.with_suffix(".part"), "w", zipfile.ZIP_DEFLATED) as archive:
        for p in files:
            archive.write(p, p.relative_to(unpacked).as_posix())
    path.with_suffix(".part").rename(path)


def grader_wheel(dest):
    """Build the grader wheel (with the course data it carries) into `dest`; return its path.

    From a copy of grader/ without setuptools' scratch folders: setuptools keeps deleted files in
    grader/build/, and they would ship; and two builds at once (two sites) shared that folder."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "grader"
        shutil.copytree(ROOT / "grader", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "--wheel-dir", str(dest), str(source)],
            check=True,
        )
    (wheel,) = dest.glob("tinytorch_grader-*.whl")
    return wheel


# ---- NumPy from an official Pyodide distribution ----------------------------------------------


def numpy_from_dist(pyodide_dist, lock):
    """NumPy's wheel and lock entry, from `pyodide_dist`: the wheel itself, a folder holding it
    (an unpacked Pyodide distribution, or any folder), a distribution's .tar.bz2 or its URL.

    The wheel must be the very file that `lock` (the pyodide-lock.json of the Pyodide this site
    runs, from npm) lists: same name, same sha256. One official lockfile vouches for it, so a
    distribution needs no lockfile of its own and nothing is patched by hand."""
    entry = lock["packages"]["numpy"]
    wanted = entry["file_name"]
    wheel = find_wheel(str(pyodide_dist), wanted)
    if wheel is None:
        found = sorted(p.name for p in Path(pyodide_dist).expanduser().glob("**/numpy-*.whl")) if Path(pyodide_dist).expanduser().is_dir() else []
        raise BuildError(
            f"{pyodide_dist} has no {wanted}, the NumPy of the Pyodide {pyodide_version()} this site runs "
            f"(ABI {lock['info']['abi_version']})" + (f"; it has {', '.join(found)}, from another Pyodide" if found else "")
        )
    if sha256(wheel) != entry["sha256"]:
        raise BuildError(
            f"{wheel}: sha256 {sha256(wheel)} does not match pyodide-lock.json ({entry['sha256']}); "
            "the file is damaged or not the official one"
        )
    return wheel, entry


def find_wheel(pyodide_dist, name):
    """The file `name` in `pyodide_dist` (see numpy_from_dist), or None."""
    if pyodide_dist.startswith(("http://", "https://")):
        tarball = BUILD / "pyodide-dist" / pyodide_dist.rsplit("/", 1)[-1]
        if not tarball.exists():
            tarball.parent.mkdir(parents=True, exist_ok=True)
            urllib.request.urlretrieve(pyodide_dist, tarball.with_suffix(".part"))
            tarball.with_suffix(".part").rename(tarball)
        pyodide_dist = str(tarball)
    path = Path(pyodide_dist).expanduser()
    if path.is_file() and path.suffix == ".whl":
        return path if path.name == name else None
    if path.is_dir():
        return next((p for p in (path / name, path / "pyodide" / name) if p.is_file()), None)
    if not path.name.endswith(".tar.bz2"):
        raise BuildError(f"--pyodide-dist {pyodide_dist}: expected NumPy's wheel, a folder, a .tar.bz2 or its URL")
    folder = BUILD / "pyodide-dist" / path.name.removesuffix(".tar.bz2")
    if not (folder / name).exists():
        with tarfile.open(path) as archive:
            wanted = [m for m in archive.getmembers() if m.name.rsplit("/", 1)[-1] == name]
            archive.extractall(folder, members=wanted, filter="data")
    found = sorted(folder.rglob(name))
    return found[0] if found else None


def site_packages():
    """Where Pyodide installs wheels: /lib/python3.14/site-packages for the Python of the lockfile."""
    major, minor, *_ = official_lock()["info"]["python"].split(".")
    return f"/lib/python{major}.{minor}/site-packages"


def official_lock():
    """The pyodide-lock.json of the Pyodide this site runs (npm's), the one that vouches for every file."""
    return json.loads((NPM_PYODIDE / "pyodide-lock.json").read_text())


def pyodide_version():
    return json.loads((NPM_PYODIDE / "package.json").read_text())["version"]


class BuildError(Exception):
    pass


# ---- course.json and the build's inputs --------------------------------------------------------


def course_json(numpy_bundled, klass=NO_CLASS):
    """course.toml as JSON, plus the notebooks this site has, whether it can run NumPy, the
    class's settings, each module's number of checks (a progress file claiming another total was
    edited: the class page flags it) and the Torch Olympics' rules (tito.olympics)."""
    course = tomllib.loads(COURSE.read_text())
    notebooks = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    tito_course = Course(COURSE.parent)
    checks = {mid: len(outline(tito_course, mid, [])[0].checks) for mid in tito_course.written()}
    events, figures = olympics.rules(tito_course)
    return {**course, "notebooks": notebooks, "numpy_bundled": numpy_bundled, "class": klass, "checks": checks,
            "events": events, "figures": figures}


def input_digest(pyodide_dist, klass=NO_CLASS):
    """A digest of everything a build reads, to tell whether the last build is still current."""
    digest = hashlib.sha256(f"{sys.prefix} {pyodide_dist} {json.dumps(klass)}".encode())
    roots = [ROOT / "lite", ROOT / "site", ROOT / "grader", NPM_PYODIDE, COURSE, KERNEL_WHEELS.parent.parent]
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts and ".egg-info" not in str(path) and GRADER_BUILD not in path.parents:
                digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")

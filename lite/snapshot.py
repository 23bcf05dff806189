"""The kernel's memory snapshot: Pyodide's memory after the kernel's slow imports, made at build
time so that a kernel starts from it instead of importing IPython & co. in WebAssembly each time.

    make_snapshot(pyodide_dir, env)   ->  pyodide_dir/kernel-snapshot.bin.gz and kernel-snapshot.json

Pyodide 314 can save its WebAssembly memory (`loadPyodide({_makeSnapshot: true})`, then
`pyodide.makeMemorySnapshot()`) and start from it (`_loadSnapshot`). Here the Pyodide from npm runs
in Node, unpacks the site's start-up wheels (not NumPy: a snapshot cannot hold a loaded native
library) into site-packages and does what the kernel does at its start: its imports, and creating
the IPython kernel (1.5-3 s in a browser). The JavaScript objects it keeps are Pyodide's own
functions, which the snapshot names and the restored kernel finds in its own Pyodide.

The snapshot is the memory only: files live in JavaScript. So the build also writes the files those
wheels install, and NumPy's, as one blob (kernel-files.bin.gz, installed_files below), which the
kernel writes into its file system before Python starts, instead of unpacking each wheel in
WebAssembly (8-21 s of a start on a loaded machine, 1-2 s of it NumPy's). The kernel imports NumPy
as it starts, which compiles its native libraries (lite/kernel-pyodide.mjs).
lite/kernel-pyodide.mjs, the kernel's pyodideUrl, uses the snapshot only if kernel-snapshot.json
matches the Pyodide, the lockfile and the packages it is asked for and both files' sha256 match;
otherwise (or if Pyodide refuses it) the kernel starts the normal way.
"""

import gzip
import hashlib
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

SNAPSHOT = "kernel-snapshot.bin.gz"
FILES = "kernel-files.bin.gz"
MANIFEST = "kernel-snapshot.json"

# What the kernel's start does in Python (pyodide-kernel's worker: initPackageManager, then
# initKernel's `import pyodide_kernel`, which creates the IPython kernel, whose profile loads
# tito.kernel). The worker's own `import pyodide_kernel` then finds it done; what ties the kernel to
# its page (its output callbacks, the interrupt buffer) is set after the start, by the worker and tito.
IMPORTS = """
import piplite.piplite
import pyodide_kernel
import gc
gc.collect()  # nothing left for a later collection to close with this process's file descriptors
"""

MAKE = """
import fs from "node:fs";
import zlib from "node:zlib";
import {loadPyodide} from %(pyodide)s;
try {  // Pyodide's errors quote its whole minified source: only their message, which says what went wrong
const pyodide = await loadPyodide({indexURL: %(index)s, env: %(env)s, _makeSnapshot: true});
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, {root: %(index)s}, "/wheels");
pyodide.globals.set("wheels", pyodide.toPy(%(wheels)s));
pyodide.runPython(`
import gc, sysconfig, zipfile
for name in wheels:
    with zipfile.ZipFile("/wheels/" + name) as wheel:  # closed here: an open one, kept in the snapshot,
        wheel.extractall(sysconfig.get_path("purelib"))  # failed to close in the browser ("Bad file descriptor")
del wheels, wheel
gc.collect()
`);
pyodide.FS.unmount("/wheels");
pyodide.runPython(%(imports)s);
// micropip keeps some of Pyodide's own functions (loadPackage, ...): the snapshot names them, and
// lite/kernel-pyodide.mjs gives the restored kernel its own Pyodide's functions of those names.
const name = (value) => {
  for (const [where, holder] of [["pyodide", pyodide], ["api", pyodide._api]]) {
    const key = Object.getOwnPropertyNames(holder).find((key) => { try { return holder[key] === value; } catch { return false; } });
    if (key) return [where, key];
  }
  throw new Error(`the kernel's imports hold a JavaScript object that a snapshot cannot keep: ${value?.name ?? value}`);
};
fs.writeFileSync(%(out)s, pyodide.makeMemorySnapshot({serializer: name}));
} catch (error) {
  console.error(String(error?.message ?? error));
  process.exit(1);
}
"""


def make_snapshot(pyodide_dir, env, packages, site_packages):
    """Write the snapshot and its manifest into `pyodide_dir` (Pyodide's core, the wheels and the
    lockfile, as the site ships them), for a kernel started with `env` that loads `packages`
    (which must put every pure-Python wheel of the lockfile back: the snapshot imported from them)."""
    pyodide_dir = Path(pyodide_dir)
    lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    pure = {name: entry for name, entry in lock["packages"].items() if entry["file_name"].endswith("-none-any.whl")}
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "snapshot.bin"
        script = MAKE % {name: json.dumps(value) for name, value in {
            "pyodide": (pyodide_dir / "pyodide.mjs").as_uri(), "index": f"{pyodide_dir}/", "env": env,
            "wheels": sorted(entry["file_name"] for entry in pure.values()), "imports": IMPORTS, "out": str(raw)}.items()}
        node = subprocess.run(["node", *JSPI, "--input-type=module", "-e", script], capture_output=True, text=True)
        if node.returncode:
            raise SnapshotError(f"the kernel's snapshot could not be made:\n{node.stderr[-3000:]}")
        memory = raw.read_bytes()
    (pyodide_dir / SNAPSHOT).write_bytes(gzip.compress(memory, compresslevel=6, mtime=0))
    blob = {**pure, **{name: entry for name, entry in lock["packages"].items() if name == "numpy"}}  # NumPy if shipped
    files = installed_files(pyodide_dir, blob.values(), site_packages)
    (pyodide_dir / FILES).write_bytes(gzip.compress(files, compresslevel=6, mtime=0))
    manifest = {
        "file": SNAPSHOT,
        "size": len(memory),  # the kernel sets aside this much while it downloads the rest
        "sha256": hashlib.sha256(memory).hexdigest(),  # of the memory, as the kernel checks it once unpacked
        "pyodide": pyodide_version(pyodide_dir),
        "lockfile_sha256": hashlib.sha256((pyodide_dir / "pyodide-lock.json").read_bytes()).hexdigest(),
        "packages": sorted(packages),  # the kernel must load these (and so their dependencies)
        "files": {"file": FILES, "sha256": hashlib.sha256(files).hexdigest(), "size": len(files),
                  "packages": sorted(blob),  # installed by writing kernel-files
                  "names": [blob[key]["name"] for key in sorted(blob)]},  # as Pyodide's loadedPackages names them
        "env": env,
        "jspi": True,
    }
    (pyodide_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def installed_files(pyodide_dir, wheels, site_packages):
    """The files that installing the lockfile entries `wheels` puts into
    `site_packages`, as Pyodide's loadPackage writes them, in one blob that the kernel writes into
    its file system instead of unpacking each wheel in WebAssembly (a snapshot holds memory, not
    files): 4 bytes (little-endian) giving the length of a JSON list of [path, size], that list,
    then the files' bytes one after the other."""
    index, data = [], []
    for entry in sorted(wheels, key=lambda entry: entry["file_name"]):
        with zipfile.ZipFile(Path(pyodide_dir) / entry["file_name"]) as wheel:
            names = [name for name in wheel.namelist() if not name.endswith("/")]
            files = {name: wheel.read(name) for name in names}
        (dist_info,) = {name.split("/")[0] for name in names if name.split("/")[0].endswith(".dist-info")}
        # What loadPackage writes beside them (it also copies a wheel's .data/data/ to sys.prefix:
        # IPython's man page, left out here).
        files[f"{dist_info}/INSTALLER"] = b"pyodide.loadPackage"
        files[f"{dist_info}/PYODIDE_SOURCE"] = b"pyodide"
        for name, content in files.items():
            index.append([f"{site_packages}/{name}", len(content)])
            data.append(content)
    header = json.dumps(index).encode()
    return len(header).to_bytes(4, "little") + header + b"".join(data)


def pyodide_version(pyodide_dir):
    """The version pyodide.mjs in `pyodide_dir` exports (what the kernel's page compares)."""
    node = subprocess.run(["node", "--input-type=module", "-e",
                           f"import {{version}} from {json.dumps((Path(pyodide_dir) / 'pyodide.mjs').as_uri())}; console.log(version)"],
                          capture_output=True, text=True, check=True)
    return node.stdout.strip()


# WebAssembly stack switching (JSPI), which Pyodide uses where the JavaScript engine has it, as
# Chromium does. Pyodide's and Python's start record in memory what the engine has (JSPI; the
# WebAssembly GC that Python's call trampoline uses, without which a cell cannot suspend: "trying to
# suspend JS frames"), and a snapshot keeps that. So the snapshot is made with them (Node 20 has
# them behind these flags), and a kernel in a browser without JSPI (lite/kernel-pyodide.mjs
# checks) starts the normal way.
JSPI = ["--experimental-wasm-stack-switching", "--experimental-wasm-gc", "--experimental-wasm-type-reflection"]


class SnapshotError(Exception):
    pass

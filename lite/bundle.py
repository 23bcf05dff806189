"""The offline workshop bundle: one zip an organiser copies to laptops (USB stick, shared folder).

    python -m lite bundle [--pyodide-dist PATH_OR_URL]   ->  build/tinytorch-workshop.zip

It holds the built site, lite/serve.py as serve.py (standard library only: it runs on any Python
3.8+, nothing to install) and START-HERE.txt with the one step per system. Served on 127.0.0.1,
the site needs no network at all: it never loads anything from another origin.
"""

import json
import zipfile
from pathlib import Path

from lite.build import BUILD, BuildError

ARCHIVE = BUILD / "tinytorch-workshop.zip"
FOLDER = "tinytorch-workshop"  # the one folder in the zip, so unzipping never scatters files
SERVE = Path(__file__).resolve().parent / "serve.py"
STORED = (".whl", ".zip", ".png", ".ico", ".woff", ".woff2")  # compressed already: deflating them again only costs time

START_HERE = """\
TinyTorch workshop: build your own deep-learning framework, in your browser, without a network.

1. Unzip this archive (Windows: right-click it, "Extract All"; macOS: double-click it).
2. In the folder it made ({folder}), start the server:
     Linux:    python3 serve.py
     macOS:    python3 serve.py          (Terminal; if macOS offers to install developer tools, accept)
     Windows:  py serve.py               (or double-click serve.py; needs Python from python.org)
   It opens your browser at http://127.0.0.1:8000/ (the address is printed too). Keep it running.
3. Click module 00 and follow the notebook. Ctrl+C in the terminal stops the server.

Your progress and notebooks stay in this browser, for this address: start serve.py the same way
next time and they are there. Nothing is sent anywhere; the site works with the network off.
{numpy}
"""
WITH_NUMPY = "This bundle includes NumPy: every module works."
WITHOUT_NUMPY = ("This bundle has no NumPy for Pyodide: module 00 works, the rest need it. The organiser can\n"
                 "rebuild it with: python -m lite bundle --pyodide-dist <NumPy's wheel for Pyodide>")


def bundle(site, archive=ARCHIVE):
    """Zip the built site in `site` with serve.py and START-HERE.txt into `archive`; return it."""
    site, archive = Path(site), Path(archive)
    if not (site / "index.html").is_file() or not (site / "course.json").is_file():
        raise BuildError(f"{site} is not a built site (no index.html and course.json): build it first with python -m lite build")
    numpy_bundled = json.loads((site / "course.json").read_text())["numpy_bundled"]
    partial = archive.with_name(archive.name + ".part")  # a bundle that stopped half-way never looks done
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zip_file:
        text = START_HERE.format(folder=FOLDER, numpy=WITH_NUMPY if numpy_bundled else WITHOUT_NUMPY)
        zip_file.writestr(f"{FOLDER}/START-HERE.txt", text.replace("\n", "\r\n"))  # Notepad too shows its lines
        serve = zipfile.ZipInfo.from_file(SERVE, f"{FOLDER}/serve.py")
        serve.external_attr = 0o100755 << 16  # executable where unzip keeps modes
        zip_file.writestr(serve, SERVE.read_bytes(), zipfile.ZIP_DEFLATED)
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            compression = zipfile.ZIP_STORED if path.suffix in STORED else zipfile.ZIP_DEFLATED
            zip_file.write(path, f"{FOLDER}/site/{path.relative_to(site).as_posix()}", compression)
    partial.replace(archive)
    return archive

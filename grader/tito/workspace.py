"""The learner's workspace: their notebooks, the code they exported, and their `tinytorch` package.

Locally the workspace is the folder `tito` runs in; in the browser it is the kernel's working
folder (JupyterLite's /drive), so the same file code serves both.
"""

import importlib
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

from . import source
from .course import TitoError

PACKAGE_HEADER = '"""{title}: YOUR code for module {id}, written by `tito module complete {id}`.\n\nEdit your notebook, not this file: completing the module again rewrites it.\n"""\n'


def notebook_exports(path):
    """The `#| export` cells of a notebook file, and its `#| answers` cell (the Reflect block), as
    (label, source) pairs, label e.g. "01_tensor.ipynb, cell 5"."""
    path = Path(path)
    if not path.is_file():
        raise TitoError(f"there is no {path.name} in {path.parent}: start the module first (tito module start {path.name[:2]})")
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
            raise ValueError('its "cells" is not a list of cells')
    except (ValueError, KeyError, TypeError) as error:
        raise TitoError(f"{path.name} is not a readable notebook ({error}). Your work is untouched; "
                        f"restore it from a backup, or start over with `tito module reset {path.name[:2]} --yes`") from None
    exports = []
    for number, cell in enumerate(cells, start=1):
        text = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code" and source.cell_kind(text) in ("export", "answers"):
            exports.append((f"{path.name}, cell {number}", text))
    return exports


def history_exports(inputs, course, mid):
    """The `#| export` cells the learner ran in the kernel (IPython's `In` list), as (label, source).

    A cell run several times counts once, in its latest version, at its first position: two
    versions are the same cell when they define the same set of names. Cells that define only
    names another module's curriculum defines (run from another notebook in this kernel) are
    left out; the learner's own helper cells stay. The latest `#| answers` cell with one of this
    module's answer keys (they are unique in the course) comes last.
    """
    latest, answers = {}, None
    keys = {k for cell in source.parse(course.source_text(mid)) if cell.kind == "answers" for k in source.answer_keys(cell.source)}
    for number, text in enumerate(inputs):
        if source.cell_kind(text or "") == "answers" and keys & set(source.answer_keys(text)):
            answers = (f"cell In[{number}]", text)
        if source.cell_kind(text or "") != "export":
            continue
        try:
            names = frozenset(source.defined_names(text))
        except SyntaxError:
            continue  # it failed to run, so it defined nothing
        latest[names] = (f"cell In[{number}]", text)  # a dict keeps the first position of a key
    others = set()
    for other in course.written():
        if other != mid:
            others |= {n for cell in source.parse(course.source_text(other)) if cell.kind == "export"
                       for n in source.defined_names(cell.source, imports=False)}
    exports = []
    for label, text in latest.values():
        defines = set(source.defined_names(text, imports=False))
        if not defines or not defines <= others:
            exports.append((label, text))
    if answers:
        exports.append(answers)
    return exports


def write_package(workspace, course, mid, exports):
    """Write the learner's module into THEIR package, laid out like the reference:
    tinytorch/core/<name>.py, and a tinytorch/__init__.py importing the public names of every
    module written so far, in course order. Returns the module file's path."""
    package = Path(workspace) / "tinytorch"
    (package / "core").mkdir(parents=True, exist_ok=True)
    info = course.modules[mid]
    code = [source.without_directive(text).strip("\n") for _, text in exports if source.cell_kind(text) == "export"]
    module_file = package / "core" / f"{info['name']}.py"
    _write(module_file, PACKAGE_HEADER.format(title=info["title"], id=mid) + "\n" + "\n\n\n".join(code) + "\n")
    _write(package / "core" / "__init__.py", '"""The core framework, one file per module you completed."""\n')
    imports = []
    for other in course.written():
        path = package / "core" / f"{course.modules[other]['name']}.py"
        if path.is_file():
            imports.append(source.package_import(path.stem, path.read_text(encoding="utf-8")))
    _write(package / "__init__.py", '"""Your TinyTorch, written by `tito module complete`."""\n\n'
           + "\n".join(line for line in imports if line) + "\n")
    files_changed("tinytorch", "tinytorch.core", f"tinytorch.core.{info['name']}")
    return module_file


def files_changed(*modules):
    """Make files just written in the workspace importable in this very process: forget the folder
    listings Python's import system cached (JupyterLite's drive reports a folder's mtime as 0
    forever, so Python never notices a new file there by itself) and the given modules' old
    versions, so the next `import` reads the new files."""
    importlib.invalidate_caches()
    for name in modules:
        sys.modules.pop(name, None)


def start_notebook(workspace, course, mid, instructor=False, force=False):
    """Copy the module's notebook into the workspace. An existing notebook is the learner's work:
    it is replaced only with force=True, and then a backup is kept. Returns (path, backup or None)."""
    target = Path(workspace) / course.notebook_name(mid)
    shipped = course.notebook(mid, instructor)
    if not shipped.is_file():
        raise TitoError(f"this tito has no notebook {shipped.name}: run `python -m curriculum.generate` (or reinstall tito)")
    backup = None
    if target.exists():
        if not force:
            raise TitoError(f"{target.name} already exists in {target.parent}; your work in it is kept. "
                            f"To start over, use `tito module reset {mid} --yes` (a backup is kept)")
        backup = target.with_name(f"{target.stem}.backup-{datetime.now():%Y%m%d-%H%M%S}.ipynb")
        shutil.copy2(target, backup)
    Path(workspace).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shipped, target)
    return target, backup


def _write(path, text):
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")

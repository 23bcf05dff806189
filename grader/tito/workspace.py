"""The learner's workspace: their notebooks, the code they exported, and their `tinytorch` package.

Locally the workspace is the folder `tito` runs in; in the browser it is the kernel's working
folder (JupyterLite's /drive), so the same file code serves both.
"""

import importlib
import itertools
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

from . import source
from .course import TitoError

PACKAGE_HEADER = '"""{title}: YOUR code for module {id}, written by `tito module complete {id}`.\n\nEdit your notebook, not this file: completing the module again rewrites it.\n"""\n'
ELSEWHERE = "work in a folder of your own instead, e.g. `mkdir ~/my-tinytorch && cd ~/my-tinytorch`, or give `--workspace DIR`"


def check_workspace(folder):
    """Refuse a folder tito must not write to: a course checkout (its tinytorch/ is the reference,
    the learner's `module complete` would overwrite it and later modules would be graded against
    it), or any folder whose tinytorch/ tito did not write (its files start with PACKAGE_HEADER,
    or, for the package's __init__.py, name `tito module complete` too)."""
    folder = Path(folder)
    if (folder / "curriculum" / "course.toml").is_file():
        raise TitoError(f"{folder} is a TinyTorch course checkout: its tinytorch/ is the reference, which tito "
                        f"must not overwrite or grade you against; {ELSEWHERE}")
    package = folder / "tinytorch"
    for path in sorted(package.rglob("*.py")) if package.is_dir() else []:
        if "__pycache__" in path.parts or path == package / "core" / "__init__.py":
            continue
        with open(path, encoding="utf-8", errors="replace") as file:
            first = file.readline()
        if "`tito module complete" not in first:
            raise TitoError(f"{package} is not a package tito wrote ({path.relative_to(folder)} does not start with "
                            f"tito's header), so tito will not write over it or grade you against it; {ELSEWHERE}")


def notebook_exports(path):
    """The `#| export` cells of a notebook file, and its `#| answers` cell (the Reflect block), as
    (label, source) pairs, label e.g. "01_tensor.ipynb, cell 5"."""
    path = Path(path)
    if not path.is_file():
        others = [other.name for other in sorted(path.parent.glob(f"{path.stem}*.ipynb"))]
        if others:  # e.g. "01_tensor (1).ipynb" from a download, or only backups
            raise TitoError(f"there is no {path.name} in {path.parent}, but there is {', '.join(others[:3])}: tito grades "
                            f"the notebook named {path.name}, so rename (or copy) the one with your work to that name")
        raise TitoError(f"there is no {path.name} in {path.parent}: start the module first (tito module start {path.name[:2]})")
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
            raise ValueError('its "cells" is not a list of cells')
        for number, cell in enumerate(cells, start=1):
            text = cell.get("source", "")
            if not isinstance(text, str) and not (isinstance(text, list) and all(isinstance(line, str) for line in text)):
                raise ValueError(f"cell {number}'s source is not text")
    except (ValueError, KeyError, TypeError) as error:
        backups = [backup.name for backup in sorted(path.parent.glob(f"{path.stem}.backup-*.ipynb"))]
        restore = f"restore your backup {backups[-1]}" if backups else "fix it in a text editor"
        raise TitoError(f"{path.name} is not a readable notebook ({error}). Your work is untouched; "
                        f"{restore}, or start over with `tito module reset {path.name[:2]} --yes` (which keeps it as a backup)") from None
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
        # By the keys' text, not by parsing: an answers cell with a syntax error still counts, so the grader can name the error.
        if source.cell_kind(text or "") == "answers" and any(f'"{k}"' in text or f"'{k}'" in text for k in keys):
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
    # A class written over several cells (methods attached in later cells) is one class in the file.
    code = source.merge_methods([source.without_directive(text).strip("\n") for _, text in exports if source.cell_kind(text) == "export"])
    module_file = package / "core" / f"{info['name']}.py"
    _write(module_file, PACKAGE_HEADER.format(title=info["title"], id=mid) + "\n" + "\n\n\n".join(code) + "\n")
    write_init(workspace, course)
    files_changed(workspace, "tinytorch", "tinytorch.core", f"tinytorch.core.{info['name']}")
    return module_file


def write_init(workspace, course):
    """(Re)write the package's __init__ files from the module files in tinytorch/core/, so they
    import exactly what is there (also after files came from a backup); unchanged files are not touched."""
    package = Path(workspace) / "tinytorch"
    _write(package / "core" / "__init__.py", '"""The core framework, one file per module you completed."""\n')
    imports = []
    for other in course.written():
        path = package / "core" / f"{course.modules[other]['name']}.py"
        if path.is_file():
            imports.append(source.package_import(path.stem, path.read_text(encoding="utf-8")))
    _write(package / "__init__.py", '"""Your TinyTorch, written by `tito module complete`."""\n\n'
           + "\n".join(line for line in imports if line) + "\n")


def files_changed(workspace, *modules):
    """Make files just written in the workspace importable in this very process: forget the folder
    listings Python's import system cached (JupyterLite's drive reports a folder's mtime as 0
    forever, so Python never notices a new file there by itself) and the old versions of the
    given modules that came from the workspace's package (only those: a `tinytorch` imported from
    anywhere else, e.g. the reference in the course's own tests, stays)."""
    importlib.invalidate_caches()
    package = (Path(workspace) / "tinytorch").resolve()
    for name in modules:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file and Path(file).resolve().is_relative_to(package):
            del sys.modules[name]


def start_notebook(workspace, course, mid, instructor=False, force=False):
    """Copy the module's notebook into the workspace. An existing notebook is the learner's work:
    it is replaced only with force=True, and then a backup is kept. Returns (path, backup or None)."""
    target = Path(workspace) / course.notebook_name(mid)
    shipped = course.notebook(mid, instructor)
    if instructor and not shipped.is_file():
        raise TitoError(f"this course has no solutions ({course.root} is the learner's course): instructors, run "
                        f"tito with TITO_COURSE set to the instructor course, build/instructor/ in the course "
                        f"repository (made by `python -m curriculum.generate`)")
    if not shipped.is_file():
        raise TitoError(f"this tito has no notebook {shipped.name}: run `python -m curriculum.generate` (or reinstall tito)")
    backup = None
    if target.exists():
        if not force:
            raise TitoError(f"{target.name} already exists in {target.parent}; your work in it is kept. "
                            f"To start over, use `tito module reset {mid} --yes` (a backup is kept)")
        backup = _backup(target)
    Path(workspace).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shipped, target)
    return target, backup


def _backup(path):
    """Copy `path` to a new <stem>.backup-<time>[-N].ipynb, never over an existing file (two
    resets within one second get -2, -3, ...). Returns the backup's path."""
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    for number in itertools.count(1):
        backup = path.with_name(f"{path.stem}.backup-{stamp}{f'-{number}' if number > 1 else ''}{path.suffix}")
        try:
            with open(backup, "xb") as file:  # "x": fails if it exists, even if made a moment ago
                file.write(path.read_bytes())
        except FileExistsError:
            continue
        shutil.copystat(path, backup)
        return backup


def _write(path, text):
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")

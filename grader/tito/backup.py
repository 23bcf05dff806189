"""A full backup: the "files" section of a progress file (format version 2), the learner's
notebooks and their tinytorch package next to the progress records.

    "files": [{"path": "00_welcome.ipynb", "text": "<the notebook's JSON>"},
              {"path": "tinytorch/core/welcome.py", "text": "<the module tito wrote>"}, ...]

A path is a notebook at the top of the workspace (NN_name.ipynb, milestone_NN_name.ipynb, and
their copies such as backups) or a file of the package tito writes (tinytorch/__init__.py,
tinytorch/core/<name>.py); never anything else (.tito/ included). Locally the workspace is the
folder tito runs in; in the browser it is JupyterLite's drive, read and written by the
dashboard (site/backup.js, the same rules; the fixtures in tests/fixtures/progress/ keep the two
in step). Importing never overwrites a different file: the imported one is kept beside it as
"<name> (imported YYYY-MM-DD).<ext>".
"""

import itertools
import json
import re
from pathlib import Path

MAX_FILES = 200
MAX_FILE_BYTES = 10_000_000  # a notebook with outputs is rarely over 1 MB
FIELDS = ["path", "text"]
PATH = re.compile(r"(?:[0-9]{2}|milestone)_[A-Za-z0-9_.() -]{1,100}\.ipynb|tinytorch/(?:core/)?[A-Za-z_][A-Za-z0-9_]{0,100}\.py")
WHAT = "one of your notebooks (NN_name.ipynb, milestone_NN_name.ipynb) or a file of your tinytorch package"
HEADER = "`tito module complete"  # on the first line of every package file tito writes (tito/workspace.py)
# Made from the files in tinytorch/core/ (workspace.write_init): one the workspace has is kept, never doubled.
DERIVED = ("tinytorch/__init__.py", "tinytorch/core/__init__.py")


def files_problem(files):
    """What is wrong with a backup's "files" section, or "" when nothing is."""
    if not isinstance(files, list):
        return 'this backup has no "files" list'
    if len(files) > MAX_FILES:
        return f"this backup has {len(files)} files, more than the {MAX_FILES} a backup can hold"
    seen = set()
    for number, entry in enumerate(files, start=1):
        problem = file_problem(entry, number)
        if not problem and entry["path"] in seen:
            problem = f"this backup's file {_show(entry['path'])} appears twice"
        if problem:
            return problem
        seen.add(entry["path"])
    return ""


def file_problem(entry, number):
    """What is wrong with one file of a backup ({"path", "text"}), or ""; checked in the order backup.js checks."""
    if not isinstance(entry, dict):
        return f"this backup's file number {number} is not an object"
    unknown = sorted(key for key in entry if key not in FIELDS)
    if unknown:
        return f"this backup's file number {number} has an unknown field {_show(unknown[0])}"
    missing = [key for key in FIELDS if key not in entry]
    if missing:
        return f"this backup's file number {number} has no field {_show(missing[0])}"
    path, text = entry["path"], entry["text"]
    if not isinstance(path, str):
        return f"this backup's file number {number} has a path that is not a string"
    name = f"this backup's file {_show(path)}"
    if path.startswith(("/", "\\", "~")) or ".." in re.split(r"[/\\]", path) or ":" in path:
        return f"{name} is outside your workspace"
    if not PATH.fullmatch(path):
        return f"{name} is not {WHAT}"
    if not isinstance(text, str):
        return f"{name} has a text that is not a string"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800"): no file can hold it
        return f"{name} is not valid Unicode text"
    if size > MAX_FILE_BYTES:
        return f"{name} is over {MAX_FILE_BYTES} bytes"
    if path.endswith(".ipynb"):
        try:
            notebook = json.loads(text, parse_constant=_not_json)  # NaN is not JSON: the dashboard refuses it too
        except (ValueError, RecursionError):
            notebook = None
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            return f'{name} is not a notebook (JSON with a "cells" list)'
    elif path != "tinytorch/core/__init__.py" and HEADER not in text.split("\n", 1)[0]:
        return f"{name} was not written by tito (its first line is not tito's header)"
    return ""


def imported_name(path, day, number=1):
    """Where an imported file goes when the workspace has a different one at `path`:
    "01_tensor.ipynb" -> "01_tensor (imported 2026-12-01).ipynb", then "... 2026-12-01 2)" and so on."""
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    kept = f"{stem} (imported {day}{f' {number}' if number > 1 else ''}).{suffix}"
    return f"{folder}/{kept}" if folder else kept


def same(path, a, b):
    """Do two texts of the file `path` hold the same thing? Notebooks are compared as JSON (two
    programs indent them differently)."""
    if a == b:
        return True
    if not path.endswith(".ipynb"):
        return False
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


# ---- a workspace on disk --------------------------------------------------------------------------

def collect(workspace):
    """The workspace's files worth a backup, as (files, skipped): files [{"path", "text"}] in path
    order, skipped [(path, why)] for those that cannot go in one (say, a damaged notebook)."""
    root = Path(workspace)
    candidates = sorted([*root.glob("*.ipynb"), *(root / "tinytorch").rglob("*.py")])
    files, skipped = [], []
    for path in candidates:
        relative = path.relative_to(root).as_posix()
        if not PATH.fullmatch(relative) or not path.is_file():
            continue
        try:
            entry = {"path": relative, "text": path.read_text(encoding="utf-8")}
        except (OSError, UnicodeDecodeError) as error:
            skipped.append((relative, f"it cannot be read as UTF-8 text ({getattr(error, 'strerror', None) or error})"))
            continue
        problem = file_problem(entry, len(files) + 1)
        if problem:
            skipped.append((relative, problem.replace(f"this backup's file {_show(relative)} ", "it ")))
        else:
            files.append(entry)
    skipped += [(entry["path"], f"a backup holds at most {MAX_FILES} files") for entry in files[MAX_FILES:]]
    return files[:MAX_FILES], skipped


def restore(workspace, files, day):
    """Write a checked backup's files into the workspace, never over a different file. Returns
    (written, kept_both): the paths written, and [(path, where the imported one went)] for files
    the workspace already had in another version. A file already there as it is is left alone, and
    so are the package's DERIVED __init__ files (tito rewrites them to import every module there)."""
    root = Path(workspace)
    written, kept_both = [], []
    for entry in files:
        path, text = entry["path"], entry["text"]
        target = _place(root, path, text, day)
        if target is None:
            continue
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        with open(root / target, "x", encoding="utf-8", newline="") as file:  # "x": never over a file
            file.write(text)
        written.append(target)
        if target != path:
            kept_both.append((path, target))
    return written, kept_both


def _place(root, path, text, day):
    """Where `text` goes: `path` when it is free, else the first free imported_name; None when
    the file, or an imported copy of it, already holds this text, or it is DERIVED and there."""
    if path in DERIVED and (root / path).exists():
        return None
    for number in itertools.count(0):
        target = path if number == 0 else imported_name(path, day, number)
        if not (root / target).exists():
            return target
        if (root / target).is_file() and same(path, (root / target).read_text(encoding="utf-8", errors="replace"), text):
            return None


def _not_json(name):
    raise ValueError(f"{name} is not JSON")


def _show(x):
    text = json.dumps(x, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"

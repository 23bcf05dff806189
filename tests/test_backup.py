"""A full backup (tito/backup.py): `tito progress export` writes the progress records and the
learner's notebooks and tinytorch package; `tito progress import` brings them back, keeping both
versions of a file the workspace already has in another version. The rules for each file are
also run on the shared fixtures (tests/fixtures/progress/backup-*.json) by tests/test_progress.py
and, for the dashboard, by e2e/test_dashboard.py."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from test_cli import FIXTURES, course, saved, tito, ws  # noqa: F401 (fixtures)
from tito import backup, progress

TODAY = datetime.now(timezone.utc).date().isoformat()


def completed_workspace(ws):
    """A workspace in which module 00 of the fixture course was completed."""
    tito(ws, "module", "start", "00", "--with-solutions")
    code, out = tito(ws, "module", "complete", "00")
    assert code == 0, out
    return ws


def tree(folder):
    """{relative path: text} of every file under `folder`, .tito/ aside."""
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".tito" not in p.parts and "__pycache__" not in p.parts}


def test_export_then_import_into_a_fresh_workspace_restores_files_and_statuses(course, ws, tmp_path):
    completed_workspace(ws)
    (ws / "notes.txt").write_text("not course work")
    code, out = tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    assert code == 0 and "exported 1 records and 4 files" in out, out
    exported = json.loads((tmp_path / "backup.json").read_text())
    assert exported["version"] == 3  # 3: with submission records (tito.olympics); the files came in 2
    assert [f["path"] for f in exported["files"]] == [
        "00_first.ipynb", "tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/first.py"]

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    code, out = tito(fresh, "progress", "import", str(tmp_path / "backup.json"))
    assert code == 0 and "restored 4 files" in out and "1 records taken" in out, out
    assert tree(fresh) == {path: text for path, text in tree(ws).items() if path != "notes.txt"}
    assert saved(fresh) == saved(ws)
    code, out = tito(fresh, "module", "list")
    assert "00  First steps" in out and "completed" in out.splitlines()[0] and "available" in out.splitlines()[1], out


def test_importing_the_same_backup_twice_changes_nothing(course, ws, tmp_path):
    completed_workspace(ws)
    tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    before = tree(ws)
    code, out = tito(ws, "progress", "import", str(tmp_path / "backup.json"))
    assert code == 0 and "restored 0 files (4 already here)" in out and "imported one is" not in out, out
    assert tree(ws) == before


def test_a_different_version_of_a_file_is_kept_and_the_imported_one_written_beside_it(course, ws, tmp_path):
    completed_workspace(ws)
    tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    notebook = json.loads((ws / "00_first.ipynb").read_text())
    notebook["cells"].append({"cell_type": "markdown", "id": "mine", "metadata": {}, "source": "my later notes"})
    mine = json.dumps(notebook)
    (ws / "00_first.ipynb").write_text(mine)
    imported = json.loads((tmp_path / "backup.json").read_text())["files"][0]["text"]

    code, out = tito(ws, "progress", "import", str(tmp_path / "backup.json"))
    kept = f"00_first (imported {TODAY}).ipynb"
    assert code == 0 and f"you have another version of 00_first.ipynb, so it is kept as it is and the imported one is {kept}" in out, out
    assert (ws / "00_first.ipynb").read_text() == mine and (ws / kept).read_text() == imported
    # Once more: the imported copy is already there, so nothing new is written.
    code, out = tito(ws, "progress", "import", str(tmp_path / "backup.json"))
    assert "restored 0 files" in out and len(list(ws.glob("00_first (imported*"))) == 1, out


def test_an_older_progress_file_without_files_still_imports(course, ws):
    code, out = tito(ws, "progress", "import", str(FIXTURES / "valid.json"))
    assert code == 0 and "5 records taken" in out and "restored" not in out, out
    assert tree(ws) == {}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("backup-*.json")))
def test_a_hostile_backup_is_refused_with_its_reason_and_nothing_is_written(course, ws, tmp_path, name):
    expected = json.loads((FIXTURES / "expected.json").read_text())[name]["refused"]
    code, out = tito(ws, "progress", "import", str(FIXTURES / name))
    assert code == 1 and expected in out and "nothing was imported" in out and "Traceback" not in out, out
    assert list(ws.iterdir()) == [] and not (tmp_path / "evil.py").exists()


def test_huge_content_is_refused(course, ws, tmp_path):
    file = json.loads((FIXTURES / "valid-backup.json").read_text())
    file["files"][0]["text"] = json.dumps({"cells": [], "x": "x" * backup.MAX_FILE_BYTES})
    (tmp_path / "huge.json").write_text(json.dumps(file))
    code, out = tito(ws, "progress", "import", str(tmp_path / "huge.json"))
    assert code == 1 and f'this backup\'s file "00_welcome.ipynb" is over {backup.MAX_FILE_BYTES} bytes' in out, out
    file["files"] = [{"path": f"{n:02}_x.ipynb", "text": '{"cells": []}'} for n in range(backup.MAX_FILES + 1)]
    (tmp_path / "many.json").write_text(json.dumps(file))
    code, out = tito(ws, "progress", "import", str(tmp_path / "many.json"))
    assert code == 1 and f"more than the {backup.MAX_FILES} a backup can hold" in out, out
    assert list(ws.iterdir()) == []


def test_export_leaves_out_what_is_not_course_work_and_says_which_notebook_it_could_not_take(course, ws, tmp_path):
    completed_workspace(ws)
    (ws / "01_second.ipynb").write_text("{ damaged")
    (ws / ".tito" / "secret.ipynb").write_text("{}")
    (ws / "scratch.ipynb").write_text('{"cells": []}')
    (ws / "tinytorch" / "core" / "notes.txt").write_text("mine")
    code, out = tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    assert code == 0 and "01_second.ipynb is not in the backup: it is not a notebook" in out, out
    paths = [f["path"] for f in json.loads((tmp_path / "backup.json").read_text())["files"]]
    assert paths == ["00_first.ipynb", "tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/first.py"]


def test_every_backup_tito_writes_is_one_it_accepts(course, ws, tmp_path):
    completed_workspace(ws)
    (ws / "00_first (imported 2026-12-01).ipynb").write_text('{"cells": [], "note": "ünïcode ✓"}')
    tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    data = progress.parse((tmp_path / "backup.json").read_bytes())
    assert len(progress.check_document(data, course)) == 1 and len(data["files"]) == 5


NAMES = json.loads((FIXTURES.parent / "backup-names.json").read_text())["names"]  # e2e/test_backup.py runs them in JS


@pytest.mark.parametrize("path, day, number, name", NAMES)
def test_the_imported_copy_has_a_clear_name_that_is_itself_a_notebook_name(path, day, number, name):
    assert backup.imported_name(path, day, number) == name
    assert backup.PATH.fullmatch(name) if name.endswith(".ipynb") else not backup.PATH.fullmatch(name)


def test_the_shared_fixtures_cover_each_way_a_file_is_refused():
    expected = json.loads((FIXTURES / "expected.json").read_text())
    reasons = " ".join(v.get("refused", "") for k, v in expected.items() if k.startswith("backup-"))
    for words in ["outside your workspace", "is not one of your notebooks", "not written by tito", "is not a notebook",
                  "appears twice", "not valid Unicode", "is not a string", 'no "files" list', 'unknown field "files"']:
        assert words in reasons, words
    assert Path(FIXTURES / "valid-backup.json").is_file()


def test_a_milestone_whose_modules_are_completed_without_their_code_says_so(tmp_path):
    """After importing records without files (a version 1 file), the dashboard shows the modules
    completed: the milestone runner agrees, and says what is missing instead of "complete them first"."""
    import asyncio

    from tito import milestones
    from tito.course import Course, TitoError
    from tito.store import MemoryStore

    real = Course()
    at = progress.now()
    done = {f"module:{m}": progress.module_attempt(None, m, 1, 1, at) for m in real.milestones["01"]["requires"]}
    with pytest.raises(TitoError) as refused:
        asyncio.run(milestones.run("01", tmp_path, store=MemoryStore(done), course=real, prefix="%tito"))
    message = str(refused.value)
    assert "your progress says they are completed, but their code is not in your tinytorch package" in message, message
    assert "Open 01_tensor.ipynb, run its cells, then `%tito module complete 01`" in message, message


def test_a_backup_with_more_modules_joins_the_package_and_its_init_imports_them_all(course, ws, tmp_path):
    completed_workspace(ws)
    tito(ws, "module", "start", "01", "--with-solutions")
    assert tito(ws, "module", "complete", "01")[0] == 0
    tito(ws, "progress", "export", str(tmp_path / "backup.json"))
    other = tmp_path / "other"
    other.mkdir()
    completed_workspace(other)  # only module 00 here: its tinytorch/__init__.py imports 00 alone
    assert "second" not in (other / "tinytorch" / "__init__.py").read_text()

    code, out = tito(other, "progress", "import", str(tmp_path / "backup.json"))
    assert code == 0 and "another version" not in out, out
    assert (other / "tinytorch" / "__init__.py").read_text() == (ws / "tinytorch" / "__init__.py").read_text()
    assert not list(other.rglob("*(imported*")), "the package's __init__ files are rebuilt, never doubled"
    assert tree(other) == tree(ws)

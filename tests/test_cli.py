"""The `tito` commands, as a learner types them, on the fixture course (see test_grader.py)."""

import io
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_grader import edited_notebook, make_course
from tito import cli, commands

GRADER = str(Path(__file__).resolve().parent.parent / "grader")
FIXTURES = Path(__file__).parent / "fixtures" / "progress"


@pytest.fixture
def course(tmp_path, monkeypatch):
    course = make_course(tmp_path / "course")
    monkeypatch.setenv("TITO_COURSE", str(course.root))
    return course


@pytest.fixture
def ws(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


def tito(ws, *argv):
    """Run `tito --workspace ws ARGV...`; returns (exit code, output)."""
    out = io.StringIO()
    code = commands.run(["--workspace", str(ws), *argv], cli.TextOut(out))
    return code, out.getvalue()


def saved(ws):
    return {r["id"]: r for r in json.loads((ws / ".tito" / "progress.json").read_text())["records"]}


def test_start_copies_the_notebook_and_never_overwrites_it(course, ws):
    code, out = tito(ws, "module", "start", "0")
    assert code == 0 and (ws / "00_first.ipynb").read_text() == course.notebook("00").read_text(), out
    assert saved(ws)["module:00"]["status"] == "started"

    (ws / "00_first.ipynb").write_text("my work")
    code, out = tito(ws, "module", "start", "00", "--with-solutions")
    assert code == 1 and "already exists" in out and (ws / "00_first.ipynb").read_text() == "my work"

    code, out = tito(ws, "module", "start", "00", "--with-solutions", "--force")
    assert code == 0 and (ws / "00_first.ipynb").read_text() == course.notebook("00", instructor=True).read_text()
    [backup] = ws.glob("00_first.backup-*.ipynb")
    assert backup.read_text() == "my work" and backup.name in out


def test_what_next_opens_a_notebook_that_is_already_there(course, ws):
    tito(ws, "module", "start", "00", "--with-solutions")
    shutil.copy(course.notebook("01"), ws / "01_second.ipynb")  # as the site ships every notebook
    code, out = tito(ws, "module", "complete", "00")
    assert code == 0 and "module 01 (Second steps) is unlocked: open 01_second.ipynb" in out, out
    assert "module start 01" not in out


def test_complete_on_the_learner_notebook_fails_naming_the_stubs(course, ws):
    tito(ws, "module", "start", "00")
    code, out = tito(ws, "module", "complete", "00")
    assert code == 1
    assert "still to write (they raise NotImplementedError): double, halve" in out
    assert "not implemented yet: halve" in out and "0/3 checks passed" in out
    assert saved(ws)["module:00"]["status"] == "started" and saved(ws)["module:00"]["attempts"] == 1
    assert not (ws / "tinytorch").exists()


def test_complete_records_writes_the_package_and_says_what_is_next(course, ws):
    tito(ws, "module", "start", "00", "--with-solutions")
    code, out = tito(ws, "module", "complete", "00")
    assert code == 0, out
    assert "visible checks:\n  ✓ test_unit_double\nhidden checks:\n  ✓ test_hidden_double_negative" in out
    assert "3/3 checks passed" in out and "module 01 (Second steps) is unlocked: `tito module start 01`" in out
    assert "\033[" not in out  # no colour when the output is not a terminal
    assert (ws / "tinytorch" / "core" / "first.py").is_file()
    record = saved(ws)["module:00"]
    assert record["status"] == "completed" and record["last_result"]["passed"] == record["last_result"]["total"] == 3

    tito(ws, "module", "start", "01", "--with-solutions")
    code, out = tito(ws, "module", "complete", "01")
    assert code == 0 and "milestone 01 (Counting, 1642) is unlocked" in out, out


def test_test_grades_without_recording(course, ws):
    tito(ws, "module", "start", "00", "--with-solutions")
    code, out = tito(ws, "module", "test", "00")
    assert code == 0 and "3/3 checks passed" in out
    assert saved(ws)["module:00"]["attempts"] == 0 and not (ws / "tinytorch").exists()


def test_a_locked_module_cannot_be_completed(course, ws):
    code, out = tito(ws, "module", "complete", "01")
    assert code == 1 and "module 01 (Second steps) is locked: complete module 00 (First steps) first" in out



def test_export_to_a_folder_that_does_not_exist_says_so(course, ws, tmp_path):
    code, out = tito(ws, "progress", "export", str(tmp_path / "no-such-folder" / "progress.json"))
    assert code == 1 and "cannot write" in out and "No such file or directory" in out and "Traceback" not in out, out


def test_an_instructor_can_unlock_every_module_and_lock_them_again(course, ws):
    def status_of_01():
        return next(line.split()[-1] for line in tito(ws, "module", "list")[1].splitlines() if line.startswith("01"))

    assert status_of_01() == "locked"
    assert tito(ws, "progress", "unlock-all")[0] == 0
    assert saved(ws)["settings"]["unlock_all"] is True and status_of_01() == "available"
    assert tito(ws, "progress", "unlock-all", "--off")[0] == 0
    assert saved(ws)["settings"]["unlock_all"] is False and status_of_01() == "locked"


@pytest.mark.parametrize("argv, message", [
    (["module", "test", "5"], "there is no module 05: this course has modules 00 to 01"),
    (["module", "start", "02"], "module 02 (Third steps) is not written yet"),
    (["module", "test", "00"], "there is no 00_first.ipynb in"),
    (["milestone", "run", "02"], "there is no milestone 02 to run"),
    (["milestone", "run", "01"], "Milestone 01 needs modules 00 first, 01 second completed first"),
])
def test_bad_input_gets_a_specific_message(course, ws, argv, message):
    code, out = tito(ws, *argv)
    assert code == 1 and message in out, out


def test_a_notebook_that_is_not_json_is_reported_and_kept(course, ws):
    (ws / "00_first.ipynb").write_text("{oops")
    code, out = tito(ws, "module", "complete", "00")
    assert code == 1 and "00_first.ipynb is not a readable notebook" in out and "Your work is untouched" in out
    assert (ws / "00_first.ipynb").read_text() == "{oops"


def test_reset_asks_first_and_keeps_a_backup(course, ws):
    edited_notebook(course, "00", ws, old="return 2 * x", new="return 3 * x")
    mine = (ws / "00_first.ipynb").read_text()
    code, out = tito(ws, "module", "reset", "00")
    assert code == 1 and "--yes" in out and (ws / "00_first.ipynb").read_text() == mine
    code, out = tito(ws, "module", "reset", "00", "--yes")
    assert code == 0 and (ws / "00_first.ipynb").read_text() == course.notebook("00").read_text()
    assert [p.read_text() for p in ws.glob("00_first.backup-*.ipynb")] == [mine]


def test_list_and_status(course, ws):
    tito(ws, "module", "start", "00")
    code, out = tito(ws, "module", "list")
    assert code == 0 and out.split("\n")[:3] == [
        "00  First steps                  started", "01  Second steps                 locked", "02  Third steps                  coming soon"]
    code, out = tito(ws, "module", "status")
    assert "0 of 2 modules completed" in out and "next: tito module complete 00" in out
    code, out = tito(ws, "milestone", "list")
    assert "01  1642  Counting" in out and "locked" in out


def test_export_then_import_merges_without_downgrading(course, ws, tmp_path):
    tito(ws, "module", "start", "00", "--with-solutions")
    tito(ws, "module", "complete", "00")
    code, out = tito(ws, "progress", "export", str(tmp_path / "mine.json"))
    assert code == 0 and "exported 1 records" in out

    other = tmp_path / "other"
    other.mkdir()
    tito(other, "module", "start", "00")  # started, and newer than the completion
    code, out = tito(ws, "progress", "import", str(tmp_path / "mine.json"))
    assert code == 0 and "0 records taken" in out
    code, out = tito(ws, "progress", "export", str(tmp_path / "started.json"))
    tito(other, "progress", "export", str(tmp_path / "started.json"))
    code, out = tito(ws, "progress", "import", str(tmp_path / "started.json"))
    assert code == 0 and saved(ws)["module:00"]["status"] == "completed", out

    code, out = tito(other, "progress", "import", str(tmp_path / "mine.json"))
    assert code == 0 and "1 records taken" in out and saved(other)["module:00"]["status"] == "completed"


@pytest.mark.parametrize("text, message", [
    ("{", "is not valid JSON"),
    ('{"schema": "tinytorch-progress", "version": 9, "records": []}', "made by a newer TinyTorch (format version 9"),
    ('{"schema": "tinytorch-progress", "version": 1, "exported_at": "2025-01-01T00:00:00Z", "records": [{"id": "module:00", "kind": "module", "status": "completed",'
     ' "attempts": 1, "last_result": {"passed": 1, "total": 3, "at": "2025-01-01T00:00:00Z"},'
     ' "first_completed_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}]}',
     'record "module:00" looks edited or damaged: it is "completed" but its last result is 1 of 3'),
])
def test_a_bad_progress_file_is_refused_and_nothing_changes(course, ws, tmp_path, text, message):
    tito(ws, "module", "start", "00")
    before = saved(ws)
    (tmp_path / "bad.json").write_text(text)
    code, out = tito(ws, "progress", "import", str(tmp_path / "bad.json"))
    assert code == 1 and message in out and "nothing was imported" in out or "is not valid JSON" in out, out
    assert saved(ws) == before


def _complete(ws):
    os._exit(commands.run(["--workspace", str(ws), "module", "complete", "00"], cli.TextOut(io.StringIO())))


def test_two_completes_at_once_lose_nothing(course, ws):
    tito(ws, "module", "start", "00", "--with-solutions")
    runs = [multiprocessing.Process(target=_complete, args=(ws,)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert [run.exitcode for run in runs] == [0, 0]
    assert saved(ws)["module:00"]["attempts"] == 2 and saved(ws)["module:00"]["status"] == "completed"


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Terminal()
    cli.TextOut(out).line("done", "ok")
    assert out.getvalue() == "\033[32mdone\033[0m\n"
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    cli.TextOut(out).line("done", "ok")
    assert out.getvalue() == "done\n"


def test_the_magic_grades_what_was_run_in_the_kernel(course, ws, monkeypatch, capsys):
    from IPython.testing.globalipapp import start_ipython

    from tito.magic import HtmlOut

    ip = start_ipython()
    monkeypatch.chdir(ws)
    monkeypatch.setattr(HtmlOut, "_show", lambda self, markup: print(markup))  # no notebook front end here
    ip.run_line_magic("load_ext", "tito")
    assert "tito 0.1.0 | NumPy" in capsys.readouterr().out
    ip.run_cell("#| export\ndef double(x):\n    return 0", store_history=True)  # a first try...
    ip.run_cell("#| export\ndef double(x):\n    return 2 * x\n\ndef halve(x):\n    return x / 2", store_history=True)  # ...then the fix
    ip.run_line_magic("tito", "module complete 00")
    out = capsys.readouterr().out
    assert "3/3 checks passed" in out and "✅" in out and "%tito module start 01" in out, out
    assert saved(ws)["module:00"]["status"] == "completed"
    assert "return 2 * x" in (ws / "tinytorch" / "core" / "first.py").read_text()

    import tito

    assert tito.test("00") is True
    ip.run_cell("#| export\ndef halve(x):\n    return x * 2", store_history=True)
    assert tito.test("00") is False
    assert "halve(5): expected 2.5, got 10" in capsys.readouterr().out


def test_system_health_names_versions_and_where_progress_is(course, ws):
    tito(ws, "module", "start", "00")
    code, out = tito(ws, "system", "health")
    assert code == 0 and out.startswith("tito 0.1.0, Python 3.")
    assert f"course: 2 modules in {course.root}" in out and f"progress: 1 records in {ws / '.tito' / 'progress.json'}" in out


# --- hostile input: the learner's files, the reference and the grade are never lost -------------

def test_a_course_checkout_is_refused_as_a_workspace_and_left_untouched(course, ws):
    (ws / "curriculum").mkdir()
    (ws / "curriculum" / "course.toml").write_text("# the course\n")
    (ws / "tinytorch").mkdir()
    (ws / "tinytorch" / "__init__.py").write_text('"""TinyTorch: the reference."""\n')
    tito(ws, "module", "start", "00", "--with-solutions")  # refused too, so put the notebook there by hand
    edited_notebook(course, "00", ws)
    for argv in (["module", "complete", "00"], ["progress", "unlock-all"], ["module", "list"]):
        code, out = tito(ws, *argv)
        assert code == 1 and "is a TinyTorch course checkout" in out and "work in a folder of your own" in out, out
    assert (ws / "tinytorch" / "__init__.py").read_text() == '"""TinyTorch: the reference."""\n'
    assert not (ws / "tinytorch" / "core").exists() and not (ws / ".tito").exists()


def test_a_tinytorch_package_tito_did_not_write_is_refused(course, ws):
    tito(ws, "module", "start", "00", "--with-solutions")
    assert tito(ws, "module", "complete", "00")[0] == 0  # tito's own package: fine, again and again
    assert tito(ws, "module", "complete", "00")[0] == 0
    reference = '"""Tensor: the reference."""\n'
    (ws / "tinytorch" / "core" / "tensor.py").write_text(reference)
    code, out = tito(ws, "module", "complete", "00")
    assert code == 1 and "is not a package tito wrote (tinytorch/core/tensor.py does not start with tito's header)" in out, out
    assert (ws / "tinytorch" / "core" / "tensor.py").read_text() == reference


def test_two_resets_within_a_second_keep_both_notebooks(course, ws):
    kept = []
    for version in ("first try", "second try"):
        edited_notebook(course, "00", ws, old="return 2 * x", new=f"return 2 * x  # {version}")
        kept.append((ws / "00_first.ipynb").read_text())
        code, out = tito(ws, "module", "reset", "00", "--yes")
        assert code == 0, out
    backups = sorted(ws.glob("00_first.backup-*.ipynb"))
    assert sorted(path.read_text() for path in backups) == sorted(kept), [path.name for path in backups]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_export_never_writes_over_a_notebook(course, ws, force):
    tito(ws, "module", "start", "00")
    mine = (ws / "00_first.ipynb").read_text()
    code, out = tito(ws, "progress", "export", str(ws / "00_first.ipynb"), *force)
    assert code == 1 and "is a notebook: tito never writes progress over a notebook" in out, out
    assert (ws / "00_first.ipynb").read_text() == mine


def test_export_replaces_only_its_own_files_unless_forced(course, ws, tmp_path):
    tito(ws, "module", "start", "00")
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}')
    code, out = tito(ws, "progress", "export", str(notes))
    assert code == 1 and "exists and is not a progress file tito wrote" in out and "--force" in out, out
    assert notes.read_text() == '{"my": "notes"}'
    assert tito(ws, "progress", "export", str(tmp_path / "mine.json"))[0] == 0
    assert tito(ws, "progress", "export", str(tmp_path / "mine.json"))[0] == 0  # its own export: replaced
    code, out = tito(ws, "progress", "export", str(notes), "--force")
    assert code == 0 and json.loads(notes.read_text())["schema"] == "tinytorch-progress", out


@pytest.mark.parametrize("ending, said", [
    ("import sys\nsys.exit(0)", "your code called sys.exit(0) (SystemExit)"),
    ("raise SystemExit(1)", "your code called sys.exit(1) (SystemExit)"),
    ("import os\nos._exit(0)", "Python ended (exit code 0) while running 00_first.ipynb, cell "),
    ("raise KeyboardInterrupt", "interrupted (KeyboardInterrupt)"),
])
def test_code_that_exits_fails_the_grade_out_loud(course, ws, ending, said):
    edited_notebook(course, "00", ws, old="_SECRET = ", new=ending + "\n_SECRET = ")
    code, out = tito(ws, "module", "complete", "00")
    assert code == 1 and said in out and "0/3 checks passed" in out and "Traceback" not in out, out
    assert saved(ws)["module:00"]["status"] == "started"


def test_ctrl_c_stops_a_grading_at_once_without_a_traceback(course, ws):
    edited_notebook(course, "00", ws, old="return 2 * x", new="while True:\n        try:\n            x += 1\n        except BaseException:\n            pass")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "tito.cli", "--workspace", str(ws), "module", "test", "00"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PYTHONPATH=GRADER))
    while not grading_children(process.pid):  # the grading has started...
        assert time.monotonic() - started < 60 and process.poll() is None, process.communicate()[0]
        time.sleep(0.1)
    time.sleep(1.5)  # ...and is well into the runaway check (on a busy machine, maybe still starting)
    process.send_signal(signal.SIGINT)  # once: tito stops the grading there and then, and says so
    out = process.communicate(timeout=120)[0]
    assert process.returncode == 1, out
    assert "interrupted (Ctrl-C) while running " in out and "0/3 checks passed" in out and "Traceback" not in out, out


def grading_children(pid):
    """The processes whose parent is `pid` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(stat.parent.name)
        except (OSError, IndexError, ValueError):
            pass
    return children


def test_workspace_may_come_after_the_command(course, ws):
    tito(ws, "module", "start", "00")
    out = io.StringIO()
    code = commands.run(["module", "list", "--workspace", str(ws)], cli.TextOut(out))
    assert code == 0 and "00  First steps                  started" in out.getvalue(), out.getvalue()


def test_a_renamed_notebook_is_named(course, ws):
    edited_notebook(course, "00", ws).rename(ws / "00_first (1).ipynb")
    code, out = tito(ws, "module", "test", "00")
    assert code == 1 and "there is no 00_first.ipynb in" in out and "but there is 00_first (1).ipynb" in out and "rename" in out, out


@pytest.mark.parametrize("cells, why", [
    ([{"cell_type": "code", "source": [1, 2]}], "cell 1's source is not text"),
    ({"not": "a list"}, '"cells" is not a list of cells'),
])
def test_a_damaged_notebook_is_explained_and_only_real_backups_offered(course, ws, cells, why):
    (ws / "00_first.ipynb").write_text(json.dumps({"cells": cells}))
    code, out = tito(ws, "module", "test", "00")
    assert code == 1 and why in out and "backup" not in out.replace("keeps it as a backup", "") and "Traceback" not in out, out
    (ws / "00_first.backup-20250101-090000.ipynb").write_text("{}")
    code, out = tito(ws, "module", "test", "00")
    assert "restore your backup 00_first.backup-20250101-090000.ipynb" in out, out


@pytest.mark.parametrize("name", ["deep-nesting.json", "attempts-400-digits.json", "long-id.json"])
def test_a_hostile_progress_file_never_stops_a_command(course, ws, name):
    (ws / ".tito").mkdir()
    (ws / ".tito" / "progress.json").write_bytes((FIXTURES / name).read_bytes())
    for argv in (["module", "list"], ["system", "health"]):
        code, out = tito(ws, *argv)
        assert code == 0 and "Traceback" not in out and len(out) < 2000, out


def test_import_refuses_a_hostile_file_with_a_short_message(course, ws, tmp_path):
    for name in ("long-id.json", "deep-nesting.json", "value-400-digits.json"):
        code, out = tito(ws, "progress", "import", str(FIXTURES / name))
        assert code == 1 and "nothing was imported" in out and len(out) < 600 and "Traceback" not in out, out
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"schema": "tinytorch-progress", "version": 1, "records": [], "note": "x" * 50_000_000}))
    code, out = tito(ws, "progress", "import", str(huge))
    assert code == 1 and "too big for a progress file" in out and len(out) < 600, out


READ_ONLY = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\""


def read_only(ws, *argv):
    """Run `tito --workspace ws ARGV` with ws mounted read-only (a private mount namespace)."""
    run = subprocess.run(["unshare", "-rm", "sh", "-c", READ_ONLY, "sh", str(ws), sys.executable, "-m", "tito.cli",
                          "--workspace", str(ws), *argv], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=GRADER))
    return run.returncode, run.stdout + run.stderr


def test_read_only_commands_work_in_a_read_only_workspace(course, ws):
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("this system cannot make a private read-only mount (unshare -rm)")
    tito(ws, "module", "start", "00")
    (ws / ".tito" / "lock").unlink()
    for argv in (["module", "status"], ["module", "list"], ["system", "health"], ["milestone", "list"]):
        code, out = read_only(ws, *argv)
        assert code == 0 and "Traceback" not in out, out
    code, out = read_only(ws, "progress", "unlock-all")
    assert code == 1 and "your progress could not be saved in" in out and "read-only" in out and "Traceback" not in out, out

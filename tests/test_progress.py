"""Progress: the record rules (tito.progress) and the file store (tito.store.FileStore): strict
import checks, merges that never lose a completion, atomic writes under a lock."""

import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tito import progress
from tito.course import Course
from tito.store import FileStore, MemoryStore

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT / "curriculum")  # the real course map: the fixtures name its modules
FIXTURES = Path(__file__).parent / "fixtures" / "progress"
T0, T1, T2 = "2025-03-01T09:00:00+00:00", "2025-03-02T09:00:00Z", "2025-03-03T09:00:00.5+00:00"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def record(mid, status, passed, total, at):
    old = progress.module_started(None, mid, at)
    return progress.module_attempt(old, mid, passed, total, at) if status == "completed" or passed else old


# --- statuses ------------------------------------------------------------------------------------

def test_statuses_follow_the_course_order():
    records = {"module:00": record("00", "completed", 3, 3, T0), "module:01": record("01", "started", 1, 4, T0)}
    statuses = progress.module_statuses(COURSE, records)
    assert [statuses[m] for m in ("00", "01", "02", "03", "09")] == ["completed", "started", "locked", "locked", "coming soon"]
    assert progress.module_statuses(COURSE, {})["00"] == "available"  # the first module is always open

    records["settings"] = progress.settings(None, True, T1)
    assert progress.module_statuses(COURSE, records)["03"] == "available"


def test_milestones_unlock_when_their_modules_are_completed():
    done = {f"module:{m}": record(m, "completed", 1, 1, T0) for m in COURSE.milestones["01"]["requires"][:-1]}
    statuses = progress.module_statuses(COURSE, done)
    assert progress.milestone_status(COURSE, "01", done, statuses) == "locked"
    last = COURSE.milestones["01"]["requires"][-1]
    statuses[last] = "completed"
    assert progress.milestone_status(COURSE, "01", done, statuses) == "available"
    done["milestone:01"] = progress.milestone_attempt(None, "01", "accuracy", 0.5, 0.95, 1.0, T1)
    assert progress.milestone_status(COURSE, "01", done, statuses) == "not passed"
    assert progress.milestone_status(COURSE, "04", done, statuses) == "coming soon"


# --- making records ------------------------------------------------------------------------------

def test_a_completed_module_stays_completed_after_a_failing_attempt():
    passed = progress.module_attempt(None, "01", 12, 12, T0)
    assert passed["status"] == "completed" and passed["first_completed_at"] == T0 and passed["attempts"] == 1
    failed = progress.module_attempt(passed, "01", 3, 12, T1)
    assert failed["status"] == "completed" and failed["attempts"] == 2 and failed["updated_at"] == T1
    assert failed["last_result"] == passed["last_result"] and failed["first_completed_at"] == T0
    assert progress.check_document(progress.document({"module:01": failed}, T1), COURSE) == [failed]


def test_a_passed_milestone_stays_passed():
    passed = progress.milestone_attempt(None, "01", "accuracy", 0.97, 0.95, 2.0, T0)
    again = progress.milestone_attempt(passed, "01", "accuracy", 0.5, 0.95, 2.0, T1)
    assert again["passed"] and again["result"]["value"] == 0.97 and again["attempts"] == 2 and again["first_passed_at"] == T0


# --- merging -------------------------------------------------------------------------------------

modules = st.builds(lambda status, passed, day: record("01", status, passed if status == "started" else 5, 5, f"2025-03-{day:02d}T09:00:00Z"),
                    st.sampled_from(["started", "completed"]), st.integers(0, 4), st.integers(1, 28))


@given(modules, modules)
def test_merge_never_loses_a_completion_and_picks_one_winner(a, b):
    winner = a if progress.newer(a, b) else b
    if "completed" in (a["status"], b["status"]):
        assert winner["status"] == "completed"
    assert not (progress.newer(a, b) and progress.newer(b, a)), "two records cannot both be newer"


def test_a_passed_milestone_is_never_replaced_by_a_later_run_that_did_not_pass():
    passed = {"id": "milestone:01", "kind": "milestone", "attempts": 1, "passed": True, "first_passed_at": T0,
              "result": {"metric": "accuracy", "value": 0.97, "gate": 0.95, "seconds": 1.0, "at": T0}, "updated_at": T0}
    failed = {**passed, "passed": False, "first_passed_at": None, "result": {**passed["result"], "value": 0.5, "at": T1},
              "updated_at": T1}
    assert not progress.newer(failed, passed) and progress.newer(passed, failed)


def test_a_diverged_milestone_run_is_recorded_as_a_finite_failure():
    record = progress.milestone_attempt(None, "01", "accuracy", float("nan"), 0.95, 1.0, T0)
    assert record["passed"] is False and record["result"]["value"] == 0.0
    json.dumps(record, allow_nan=False)  # stays valid JSON


def test_the_newer_record_wins_and_a_tie_keeps_the_stored_one():
    old, new = record("02", "started", 1, 5, T0), record("02", "started", 3, 5, T1)
    assert progress.newer(new, old) and not progress.newer(old, new) and not progress.newer(old, dict(old))
    assert progress.newer(old, None)


# --- checking export files -----------------------------------------------------------------------

def test_a_valid_export_file_is_accepted():
    records = progress.check_document(load("valid.json"), COURSE)
    assert [r["id"] for r in records] == ["module:00", "module:01", "module:02", "milestone:01", "settings"]


@pytest.mark.parametrize("name, error, message", [
    ("newer.json", progress.NewerVersionError, "made by a newer TinyTorch (format version 2"),
    ("tampered.json", progress.ProgressError, 'record "module:01" looks edited or damaged: it is "completed" but its last result is 5 of 12'),
    ("foreign.json", progress.ProgressError, 'not a TinyTorch progress file'),
])
def test_bad_export_files_are_refused_with_a_reason(name, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        progress.check_document(load(name), COURSE)


def changed(path, value):
    """valid.json with one field changed; path like ["records", 1, "status"]."""
    data = load("valid.json")
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, message", [
    (["records", 1, "status"], "done", 'status \'done\' is not "started" or "completed"'),
    (["records", 1, "attempts"], -1, "attempts -1 is not a whole number"),
    (["records", 1, "attempts"], True, "attempts True is not a whole number"),
    (["records", 1, "id"], "module:99", "this course has no module with the id 'module:99'"),
    (["records", 1, "updated_at"], "yesterday", "updated_at 'yesterday' is not an ISO 8601 time"),
    (["records", 1, "updated_at"], "2025-13-01T00:00:00Z", "is not an ISO 8601 time"),
    (["records", 1, "last_result", "passed"], 11, 'it is "completed" but its last result is 11 of 12'),
    (["records", 3, "passed"], True, 'it is "passed" but accuracy 0.875 is below the gate 0.95'),
    (["records", 3, "result", "value"], "high", "result.value is not a number"),
    (["records", 4, "unlock_all"], "yes", "unlock_all must be true or false"),
    (["records", 2], "module:02", "it is not an object"),
    (["version"], "1", "unknown format version"),
])
def test_edited_records_are_refused_naming_the_problem(path, value, message):
    with pytest.raises(progress.ProgressError) as error:
        progress.check_document(changed(path, value), COURSE)
    assert message in str(error.value)


def test_a_record_listed_twice_is_refused():
    data = load("valid.json")
    data["records"].append(data["records"][0])
    with pytest.raises(progress.ProgressError, match='"module:00" looks edited or damaged: it appears twice'):
        progress.check_document(data, COURSE)


# --- the stores ----------------------------------------------------------------------------------

def bump(old):
    """A Store.update function: one more attempt at module 00."""
    return progress.module_attempt(old, "00", 0, 1, progress.now())


def test_memory_store_updates_one_record():
    store = MemoryStore()
    asyncio.run(store.update("module:00", bump))
    assert asyncio.run(store.update("module:00", bump))["attempts"] == 2
    assert list(asyncio.run(store.get_all())) == ["module:00"]


def test_file_store_keeps_records_in_the_export_format(tmp_path):
    store = FileStore(tmp_path, COURSE)
    assert asyncio.run(store.get_all()) == {} and not (tmp_path / ".tito").exists()
    asyncio.run(store.update("module:00", bump))
    data = json.loads((tmp_path / ".tito" / "progress.json").read_text())
    assert data["schema"] == "tinytorch-progress" and data["version"] == 1
    assert asyncio.run(FileStore(tmp_path, COURSE).get_all())["module:00"]["attempts"] == 1


@pytest.mark.parametrize("fixture, aside", [("malformed.json", "corrupt"), ("tampered.json", "corrupt"), ("newer.json", "newer")])
def test_an_unreadable_progress_file_is_moved_aside_never_overwritten(tmp_path, fixture, aside):
    (tmp_path / ".tito").mkdir()
    original = (FIXTURES / fixture).read_text()
    (tmp_path / ".tito" / "progress.json").write_text(original)
    told = []
    store = FileStore(tmp_path, COURSE, tell=told.append)
    asyncio.run(store.update("module:00", bump))
    [kept] = (tmp_path / ".tito").glob(f"progress.json.{aside}-*")
    assert kept.read_text() == original
    assert len(told) == 1 and str(kept) in told[0] and "tito progress import" in told[0]
    assert list(asyncio.run(store.get_all())) == ["module:00"]


def test_a_crash_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    store = FileStore(tmp_path, COURSE)
    asyncio.run(store.update("module:00", bump))
    before = (tmp_path / ".tito" / "progress.json").read_text()

    def crash(*args):
        raise OSError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="power cut"):
            asyncio.run(store.update("module:00", bump))
    assert (tmp_path / ".tito" / "progress.json").read_text() == before
    assert list((tmp_path / ".tito").glob("progress.json.tmp-*")), "the half-done write is left in a temp file"
    assert asyncio.run(store.update("module:00", bump))["attempts"] == 2
    assert not list((tmp_path / ".tito").glob("progress.json.tmp-*")), "the next write cleans it up"


WRITER = """
import asyncio, sys
from tito import progress
from tito.course import Course
from tito.store import FileStore
store = FileStore(sys.argv[1], Course(sys.argv[2]))
print("ready", flush=True)
while True:
    asyncio.run(store.update("module:00", lambda old: progress.module_attempt(old, "00", 0, 1, progress.now())))
"""


def test_killing_a_writer_at_any_moment_leaves_a_valid_file(tmp_path):
    for delay in (0.02, 0.05, 0.08, 0.11, 0.13, 0.17, 0.19, 0.23):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(ROOT / "curriculum")], stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"ready\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        records = asyncio.run(FileStore(tmp_path, COURSE, tell=pytest.fail).get_all())
        assert records["module:00"]["attempts"] > 0


def _attempts(folder, count):
    store = FileStore(folder, COURSE)
    for _ in range(count):
        asyncio.run(store.update("module:00", bump))


def test_concurrent_writers_lose_nothing(tmp_path):
    workers = [multiprocessing.Process(target=_attempts, args=(tmp_path, 25)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert asyncio.run(FileStore(tmp_path, COURSE).get_all())["module:00"]["attempts"] == 75

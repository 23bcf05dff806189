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
from tito.course import Course, TitoError
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
    assert [statuses[m] for m in ("00", "01", "02", "03")] == ["completed", "started", "locked", "locked"]
    assert progress.module_statuses(COURSE, {})["00"] == "available"  # the first module is always open

    records["settings"] = progress.settings(None, True, T1)
    assert progress.module_statuses(COURSE, records)["03"] == "available"


PLANNED = """
[[tier]]
modules = ["00", "01", "02", "03"]
[modules]
"00" = { name = "a", title = "A", source = "a.py" }
"01" = { name = "b", title = "B", source = "b.py" }
"02" = { name = "c", title = "C" }
"03" = { name = "d", title = "D", source = "d.py" }
[milestones]
"01" = { name = "m", title = "M", year = 1 }
"""


def test_a_module_not_written_yet_does_not_hold_back_the_next_one(tmp_path):
    (tmp_path / "course.toml").write_text(PLANNED)
    course = Course(tmp_path)
    statuses = progress.module_statuses(course, {"module:00": record("00", "completed", 1, 1, T0)})
    assert statuses == {"00": "completed", "01": "available", "02": "coming soon", "03": "locked"}
    statuses = progress.module_statuses(course, {f"module:{m}": record(m, "completed", 1, 1, T0) for m in ("00", "01")})
    assert statuses["03"] == "available" and course.previous("03") == "01"
    assert progress.milestone_status(course, "01", {}, statuses) == "coming soon"


def test_milestones_unlock_when_their_modules_are_completed():
    done = {f"module:{m}": record(m, "completed", 1, 1, T0) for m in COURSE.milestones["01"]["requires"][:-1]}
    statuses = progress.module_statuses(COURSE, done)
    assert progress.milestone_status(COURSE, "01", done, statuses) == "locked"
    last = COURSE.milestones["01"]["requires"][-1]
    statuses[last] = "completed"
    assert progress.milestone_status(COURSE, "01", done, statuses) == "available"
    done["milestone:01"] = progress.milestone_attempt(None, "01", "accuracy", 0.5, 0.95, 1.0, T1)
    assert progress.milestone_status(COURSE, "01", done, statuses) == "not passed"


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


# --- checking export files: the shared fixtures (the dashboard's e2e tests run the same) ----------

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def verdict(data):
    """What tito says of a file's bytes: {"records": n} or {"refused": message}."""
    try:
        return {"records": len(progress.check_document(progress.parse(data), COURSE))}
    except progress.ProgressError as error:
        return {"refused": str(error)}


def test_every_fixture_has_its_verdict_written_beside_it():
    files = sorted(path.name for path in FIXTURES.glob("*.json") if path.name != "expected.json")
    assert files == sorted(EXPECTED) and len(files) >= 30
    assert {"records", "refused"} == {key for expected in EXPECTED.values() for key in expected if key != "why"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gets_the_verdict_written_beside_it(name):
    expected, said = EXPECTED[name], verdict((FIXTURES / name).read_bytes())
    if "records" in expected:
        assert said == {"records": expected["records"]}
    else:
        assert expected["refused"] in said.get("refused", ""), said
        assert len(said["refused"]) < 300, "a message quotes a short excerpt, never a whole hostile value"


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed():
    data = json.dumps({**load("valid.json"), "note": "x" * progress.MAX_BYTES}).encode()
    assert verdict(data) == {"refused": f"this file is over {progress.MAX_BYTES} bytes, too big for a progress file"}


def test_every_file_tito_writes_is_one_it_accepts():
    records = {r["id"]: r for r in load("valid.json")["records"]}
    records["module:03"] = progress.module_attempt(progress.module_attempt(None, "03", 2, 7, progress.now()), "03", 7, 7, progress.now())
    records["milestone:02"] = progress.milestone_attempt(None, "02", "accuracy", float("nan"), 1.0, 1e-7, progress.now())
    data = json.dumps(progress.document(records, progress.now()), indent=1).encode()
    assert verdict(data) == {"records": 7}


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
    assert data["schema"] == "tinytorch-progress" and data["version"] == progress.VERSION
    assert asyncio.run(FileStore(tmp_path, COURSE).get_all())["module:00"]["attempts"] == 1


@pytest.mark.parametrize("fixture, aside", [("malformed.json", "corrupt"), ("newer.json", "newer")])
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


def test_one_bad_record_is_set_aside_on_its_own_and_the_rest_kept(tmp_path):
    (tmp_path / ".tito").mkdir()
    original = (FIXTURES / "unknown-milestone.json").read_text()
    (tmp_path / ".tito" / "progress.json").write_text(original)
    told = []
    records = asyncio.run(FileStore(tmp_path, COURSE, tell=told.append).get_all())
    assert sorted(records) == sorted(r["id"] for r in load("valid.json")["records"])
    [aside] = (tmp_path / ".tito").glob("progress.json.rejected-*")
    assert [r["id"] for r in json.loads(aside.read_text())["records"]] == ["milestone:07"]
    assert len(told) == 1 and '"milestone:07"' in told[0] and str(aside) in told[0] and "the rest of your progress is kept" in told[0]
    assert asyncio.run(FileStore(tmp_path, COURSE, tell=pytest.fail).get_all()) == records  # said once, then clean


@pytest.mark.parametrize("name, kept, aside", [
    ("deep-nesting.json", 0, "corrupt"), ("not-utf8.json", 0, "corrupt"), ("nan.json", 0, "corrupt"),
    ("unknown-file-field.json", 0, "corrupt"),
    ("attempts-400-digits.json", 4, "rejected"), ("value-400-digits.json", 4, "rejected"), ("long-id.json", 4, "rejected"),
])
def test_a_hostile_progress_file_is_set_aside_with_a_short_message(tmp_path, name, kept, aside):
    (tmp_path / ".tito").mkdir()
    (tmp_path / ".tito" / "progress.json").write_bytes((FIXTURES / name).read_bytes())
    told = []
    store = FileStore(tmp_path, COURSE, tell=told.append)
    assert len(asyncio.run(store.get_all())) == kept
    [moved] = (tmp_path / ".tito").glob(f"progress.json.{aside}-*")
    if aside == "corrupt":  # the whole file, untouched
        assert moved.read_bytes() == (FIXTURES / name).read_bytes()
    assert len(told) == 1 and len(told[0]) < 600, told
    asyncio.run(store.update("module:00", bump))  # and the workspace goes on working
    assert asyncio.run(store.get_all())["module:00"]["attempts"] == (1 if kept == 0 else 2)


def test_a_huge_progress_file_is_moved_aside_unread(tmp_path):
    (tmp_path / ".tito").mkdir()
    (tmp_path / ".tito" / "progress.json").write_text(json.dumps({**load("valid.json"), "note": "x" * 50_000_000}))
    told = []
    assert asyncio.run(FileStore(tmp_path, COURSE, tell=told.append).get_all()) == {}
    assert len(told) == 1 and "too big for a progress file" in told[0] and len(told[0]) < 600


def test_a_crash_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    store = FileStore(tmp_path, COURSE)
    asyncio.run(store.update("module:00", bump))
    before = (tmp_path / ".tito" / "progress.json").read_text()

    def crash(*args):
        raise OSError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(TitoError, match="your progress could not be saved in .*power cut"):
            asyncio.run(store.update("module:00", bump))
    assert (tmp_path / ".tito" / "progress.json").read_text() == before
    assert list((tmp_path / ".tito").glob("progress.json.tmp-*")), "the half-done write is left in a temp file"
    assert asyncio.run(store.update("module:00", bump))["attempts"] == 2
    assert not list((tmp_path / ".tito").glob("progress.json.tmp-*")), "the next write cleans it up"


WRITER = """
import asyncio, sys
from tito import progress
from tito.course import Course, TitoError
from tito.store import FileStore
store = FileStore(sys.argv[1], Course(sys.argv[2]))
def bump():
    asyncio.run(store.update("module:00", lambda old: progress.module_attempt(old, "00", 0, 1, progress.now())))
bump()
print("ready", flush=True)  # one attempt is saved: from here on, a kill may come at any moment
while True:
    bump()
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

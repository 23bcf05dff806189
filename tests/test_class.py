"""Instructors and the Torch Olympics in the learner's progress: a class's settings (class.toml ->
course.json and the kernel's tito), submission records (tito.olympics, tito.progress), and what
the site build publishes for the class report (each module's number of checks, the events)."""

import json
from pathlib import Path

import pytest

from lite.build import BuildError, course_json, lite_settings, read_class
from tinytorch.core.capstone import make_submission
from tito import commands, olympics, progress
from tito.cli import TextOut
from tito.course import Course, TitoError, class_settings
from tito.grade import outline
from tito.store import FileStore, MemoryStore, run_async

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT / "curriculum")
VECTORS = json.loads((ROOT / "tests" / "fixtures" / "olympics-checksums.json").read_text())["vectors"]
T0, T1 = "2025-03-01T09:00:00+00:00", "2025-03-02T09:00:00+00:00"
FIGURES = {"accuracy": 0.93, "bytes": 2720, "latency_s": 0.002, "baseline_bytes": 9640, "baseline_latency_s": 0.002}


# --- the class file ------------------------------------------------------------------------------

def test_a_class_file_unlocks_all_or_schedules_modules():
    assert class_settings("unlock_all = true", COURSE) == {"unlock_all": True, "opens": {}}
    assert class_settings('[opens]\n"05" = 2026-03-10\n"03" = 2026-03-01', COURSE) == \
        {"unlock_all": False, "opens": {"03": "2026-03-01", "05": "2026-03-10"}}


@pytest.mark.parametrize("text, message", [
    ("unlock_all = ", "not valid TOML"),
    ("unlock = true", "unknown setting 'unlock'"),
    ('unlock_all = "yes"', "unlock_all is 'yes': write true or false"),
    ('opens = "05"', "opens is not a table"),
    ('unlock_all = true\n[opens]\n"05" = 2026-03-10', "both unlock_all and [opens]"),
    ('[opens]\n"99" = 2026-03-10', "module '99', which this course does not have"),
    ('[opens]\n"05" = "2026-03-10"', "write a date without quotes"),
    ('[opens]\n"05" = 2026-03-10T09:00:00', "write a date without quotes"),
])
def test_a_bad_class_file_gets_a_clear_message(text, message):
    with pytest.raises(TitoError, match=message.replace("[", r"\[").replace("(", r"\(")):
        class_settings(text, COURSE)


def test_the_build_reads_the_class_file_into_course_json_and_the_kernel(tmp_path):
    (tmp_path / "class.toml").write_text('[opens]\n"02" = 2026-09-01\n')
    klass = read_class(tmp_path / "class.toml")
    assert course_json(True, klass)["class"] == klass
    kernel = lite_settings([], klass)["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert json.loads(kernel["loadPyodideOptions"]["env"]["TINYTORCH_CLASS"]) == klass
    (tmp_path / "bad.toml").write_text("unlock_all = 1")
    with pytest.raises(BuildError, match="bad.toml: the class file's unlock_all is 1"):
        read_class(tmp_path / "bad.toml")
    with pytest.raises(BuildError, match="cannot read the class file"):
        read_class(tmp_path / "absent.toml")


def test_course_json_publishes_each_modules_real_number_of_checks_and_the_events():
    data = course_json(True)
    assert data["checks"] == {mid: outline(COURSE, mid, [])[0].total for mid in COURSE.written()}
    assert data["checks"]["00"] > 0 and data["events"]["latency_sprint"]["best"] == "min"
    assert data["figures"] == ["accuracy", "bytes", "latency_s", "baseline_bytes", "baseline_latency_s"]


def test_tito_honours_the_class_settings(monkeypatch):
    monkeypatch.setenv("TINYTORCH_CLASS", json.dumps({"unlock_all": False, "opens": {"03": "2026-03-10"}}))
    course = Course(ROOT / "curriculum")
    before = progress.module_statuses(course, {}, today="2026-03-09")
    after = progress.module_statuses(course, {}, today="2026-03-10")
    assert (before["03"], after["03"], after["04"]) == ("locked", "available", "locked")
    monkeypatch.setenv("TINYTORCH_CLASS", json.dumps({"unlock_all": True, "opens": {}}))
    assert set(progress.module_statuses(Course(ROOT / "curriculum"), {}).values()) <= {"available", "coming soon"}
    monkeypatch.setenv("TINYTORCH_CLASS", "{")
    with pytest.raises(TitoError, match="TINYTORCH_CLASS is not JSON"):
        Course(ROOT / "curriculum")


def test_module_start_says_when_a_scheduled_module_opens(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TINYTORCH_CLASS", json.dumps({"unlock_all": False, "opens": {"00": "2999-01-01"}}))
    assert commands.run(["--workspace", str(tmp_path), "module", "start", "00"], TextOut(), store=MemoryStore()) == 1
    assert "module 00 (Welcome) opens on 2999-01-01 for your class" in capsys.readouterr().out


# --- submissions in the progress -----------------------------------------------------------------

def test_tito_computes_module_20s_checksum():
    for vector in VECTORS:
        assert olympics.checksum(vector["figures"]) == vector["checksum"], vector["figures"]
    # read back by progress.parse, a whole float is an int (as in JavaScript): the checksum stays
    whole = next(v for v in VECTORS if v["figures"]["accuracy"] == 1.0)
    assert olympics.checksum(progress.parse(json.dumps(whole["figures"]).encode())) == whole["checksum"]


def test_each_event_keeps_the_learners_best_submission():
    slow, fast = (make_submission("latency_sprint", dict(FIGURES, latency_s=s), "me", d) for s, d in ((0.003, "float32"), (0.001, "int8")))
    inaccurate = make_submission("latency_sprint", dict(FIGURES, accuracy=0.5, latency_s=0.0001), "me", "tiny")
    record = progress.submission_attempt(None, inaccurate, COURSE, T0)
    assert record["qualifies"] is False and record["attempts"] == 1
    record = progress.submission_attempt(record, slow, COURSE, T0)  # qualifying beats faster but not qualifying
    record = progress.submission_attempt(record, fast, COURSE, T1)
    record = progress.submission_attempt(record, slow, COURSE, T1)
    assert (record["description"], record["score"], record["attempts"], record["updated_at"]) == ("int8", 0.001, 4, T1)
    document = progress.document({record["id"]: record}, T1)
    assert progress.check_document(progress.parse(json.dumps(document).encode()), COURSE) == [record]
    assert olympics.forged(record, COURSE) == ""


@pytest.mark.parametrize("change, message", [
    (lambda s: {**s, "figures": {**s["figures"], "accuracy": 0.99}}, "its figures do not match their checksum"),
    (lambda s: {**s, "score": 0.0000001}, "its score does not follow from its figures"),
    (lambda s: {**s, "qualifies": False}, "its qualification does not follow"),
    (lambda s: {**s, "event": "marathon"}, "one of the events latency_sprint"),
    (lambda s: {**s, "description": ""}, "description is not a text"),
])
def test_a_forged_or_malformed_submission_is_not_kept(change, message):
    submission = change(make_submission("latency_sprint", FIGURES, "me", "int8"))
    with pytest.raises(progress.ProgressError, match=message):
        progress.submission_attempt(None, submission, COURSE, T0)


def test_submit_keeps_the_submissions_in_the_workspace_progress(tmp_path, capsys):
    subs = [make_submission(event, FIGURES, "me", "float32") for event in olympics.rules(COURSE)[0]]
    assert olympics.submit(*subs, workspace=tmp_path) is True
    records = run_async(FileStore(tmp_path, Course()).get_all())
    assert sorted(records) == sorted(f"submission:{event}" for event in olympics.rules(COURSE)[0])
    assert "latency_sprint: your best is 0.002 (float32, qualifies; 1 submitted)" in capsys.readouterr().out
    assert olympics.submit({**subs[0], "score": 1.0}, workspace=tmp_path) is False
    assert "not kept: its score does not follow" in capsys.readouterr().out


def test_python_m_lite_build_stops_at_a_bad_class_file(tmp_path):
    from lite.__main__ import main

    (tmp_path / "class.toml").write_text('[opens]\n"99" = 2026-01-01')
    with pytest.raises(SystemExit, match=r"build failed: .*class.toml: the class file's \[opens\] names module '99'"):
        main(["build", "--class", str(tmp_path / "class.toml")])

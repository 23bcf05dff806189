"""Progress records and their rules, independent of where they are stored.

The same rules live in the site's progress.js (the dashboard); the files in
tests/fixtures/progress/, each with the verdict both must give (expected.json), keep the two in
step. One record per module, milestone and the settings; an export file is
{"schema", "version", "exported_at", "records": [...], "files": [...]} (the learner's files, see
tito/backup.py; version 1 files have no "files"), with records of exactly these fields:

    {"id": "module:01", "kind": "module", "status": "started"|"completed", "attempts": int,
     "last_result": {"passed": int, "total": int, "at": iso} or null,
     "first_completed_at": iso|null, "updated_at": iso}
    {"id": "milestone:01", "kind": "milestone", "attempts": int,
     "result": {"metric": str, "value": float, "gate": float, "seconds": float, "at": iso} or null,
     "passed": bool, "first_passed_at": iso|null, "updated_at": iso}
    {"id": "settings", "kind": "settings", "unlock_all": bool, "updated_at": iso}
    {"id": "submission:latency_sprint", "kind": "submission", "attempts": int, "description": str,
     "figures": {module 20's FIGURES: numbers}, "qualifies": bool, "score": float, "checksum": hex,
     "at": iso, "updated_at": iso}   (the learner's best Torch Olympics submission in that event)

The record-making functions take the old record (or None) and return the new one, so they plug
straight into `Store.update(id, fn)`.
"""

import json
import math
import re
from datetime import date, datetime, timezone

from . import backup, olympics
from .course import TitoError

# 2: a full backup, with the learner's files (tito/backup.py); 3: submission records (tito/olympics.py). 1 and 2 still import.
SCHEMA, VERSION = "tinytorch-progress", 3
# Bounds, so a hostile file costs nothing: a whole course's progress is about 15 KB, its notebooks
# and package about 1 MB (tito/backup.py bounds each file and their number).
MAX_BYTES = 50_000_000
MAX_DEPTH = 4  # file > records > record > result (or figures)
MAX_TEXT = 100  # characters of a metric name or a submission's description
MAX_COUNT = 2**53 - 1  # the largest whole number JavaScript (the dashboard) holds exactly
FIELDS = {
    "file": ["schema", "version", "exported_at", "records", "files"],
    "file_v1": ["schema", "version", "exported_at", "records"],  # no files: progress records only
    "module": ["id", "kind", "status", "attempts", "last_result", "first_completed_at", "updated_at"],
    "milestone": ["id", "kind", "attempts", "result", "passed", "first_passed_at", "updated_at"],
    "settings": ["id", "kind", "unlock_all", "updated_at"],
    "submission": ["id", "kind", "attempts", "description", "figures", "qualifies", "score", "checksum", "at", "updated_at"],
    "last_result": ["passed", "total", "at"],
    "result": ["metric", "value", "gate", "seconds", "at"],
}


class ProgressError(TitoError):
    """A progress file that cannot be used: malformed, edited, or from another program."""


class NewerVersionError(ProgressError):
    """A progress file written by a newer tito: never overwrite or guess at it."""


def now():
    return datetime.now(timezone.utc).isoformat()


# --- making records ------------------------------------------------------------------------------

def module_started(old, mid, at):
    """Mark a module started; an existing record (started or completed) stays as it is."""
    if old:
        return old
    return {"id": f"module:{mid}", "kind": "module", "status": "started", "attempts": 0, "last_result": None,
            "first_completed_at": None, "updated_at": at}


def module_attempt(old, mid, passed, total, at):
    """Record one grading. All checks passing completes the module. A completed module is never
    downgraded: a later failing attempt is counted, but its last (passing) result is kept."""
    record = dict(old or module_started(None, mid, at))
    record["attempts"] += 1
    record["updated_at"] = at
    if passed == total:
        record.update(status="completed", last_result={"passed": passed, "total": total, "at": at})
        record["first_completed_at"] = record["first_completed_at"] or at
    elif record["status"] != "completed":
        record["last_result"] = {"passed": passed, "total": total, "at": at}
    return record


def milestone_attempt(old, mid, metric, value, gate, seconds, at):
    """Record one milestone run; it passes when value >= gate. A passed milestone stays passed."""
    record = dict(old or {"id": f"milestone:{mid}", "kind": "milestone", "attempts": 0, "result": None, "passed": False, "first_passed_at": None})
    record["attempts"] += 1
    record["updated_at"] = at
    if not math.isfinite(value):  # a run that diverged to NaN: JSON has no NaN, and it did not pass
        value = 0.0
    passed = value >= gate
    if passed or not record["passed"]:
        record["result"] = {"metric": metric, "value": float(value), "gate": float(gate), "seconds": float(seconds), "at": at}
    if passed:
        record["passed"] = True
        record["first_passed_at"] = record["first_passed_at"] or at
    return record


def settings(old, unlock_all, at):
    return {"id": "settings", "kind": "settings", "unlock_all": bool(unlock_all), "updated_at": at}


def submission_attempt(old, submission, course, at):
    """Record one Torch Olympics submission (module 20's make_submission); the record keeps the
    learner's best in its event (tito.olympics.better). A submission whose figures do not give
    its checksum, qualification or score is refused (ProgressError), and nothing is recorded."""
    events, figures = olympics.rules(course)
    if not isinstance(submission, dict) or submission.get("event") not in events:
        raise ProgressError(f"a submission names one of the events {', '.join(events)}: make it with make_submission")
    record = {"id": f"submission:{submission['event']}", "kind": "submission", "attempts": 0,
              "description": submission.get("description"), "figures": submission.get("figures"),
              "qualifies": submission.get("qualifies"), "score": submission.get("score"),
              "checksum": submission.get("checksum"), "at": at, "updated_at": at}
    if isinstance(record["figures"], dict) and sorted(record["figures"]) == sorted(figures):
        record["figures"] = olympics.canonical(record["figures"])
    problem = _record_problem(record, course) or olympics.forged(record, course)
    if problem:
        raise ProgressError(f"this {submission['event']} submission is not kept: {problem}")
    best = old if old and not olympics.better(submission["event"], course, record, old) else record
    return {**best, "attempts": (old or {"attempts": 0})["attempts"] + 1, "updated_at": at}


# --- statuses ------------------------------------------------------------------------------------

def module_statuses(course, records, today=None):
    """{module id: status} in course order: "started" / "completed" from its record, else
    "available", or "locked" while the module before it is not completed (the first module is
    always open; settings.unlock_all or the class's unlock_all opens all), or "coming soon" when
    it is not written yet (and then the module after it waits only for the written one before).
    A module the class schedules (course.class_settings["opens"]) is locked before its date and
    available from it, whatever is completed. `today`: "YYYY-MM-DD", this computer's date by default."""
    unlock_all = (records.get("settings") or {}).get("unlock_all") is True or course.class_settings["unlock_all"]
    opens, today = course.class_settings["opens"], today or date.today().isoformat()
    statuses, previous_done = {}, True
    for mid in course.order:
        record = records.get(f"module:{mid}")
        if "source" not in course.modules[mid]:
            statuses[mid] = "coming soon"
            continue  # not written yet: it does not hold back the modules after it
        if record:
            statuses[mid] = record["status"]
        elif mid in opens:
            statuses[mid] = "available" if today >= opens[mid] else "locked"
        else:
            statuses[mid] = "available" if previous_done or unlock_all else "locked"
        previous_done = statuses[mid] == "completed"
    return statuses


def milestone_status(course, mid, records, statuses):
    """"passed" / "not passed" once run, else "available" when every required module is completed, else "locked"."""
    info, record = course.milestones[mid], records.get(f"milestone:{mid}")
    if "source" not in info:
        return "coming soon"
    if record:
        return "passed" if record["passed"] else "not passed"
    return "available" if all(statuses.get(m) == "completed" for m in info.get("requires", [])) else "locked"


# --- export files --------------------------------------------------------------------------------

def document(records, at, files=()):
    """The export file's content for a {id: record} dict and the learner's files (tito/backup.py)."""
    return {"schema": SCHEMA, "version": VERSION, "exported_at": at,
            "records": [records[key] for key in sorted(records)], "files": list(files)}


def newer(incoming, stored):
    """Does `incoming` replace `stored`? A completed module or a passed milestone never gives way
    to one that is not (an achievement is the one thing a learner must never lose); otherwise the
    later updated_at wins, and on a tie the stored record stays."""
    if stored is None:
        return True
    def done(r):
        return (r["kind"] == "module" and r["status"] == "completed") or (r["kind"] == "milestone" and r["passed"] is True) \
            or (r["kind"] == "submission" and r["qualifies"] is True)
    if done(stored) != done(incoming):
        return done(incoming)
    return _time(incoming["updated_at"]) > _time(stored["updated_at"])


def parse(data):
    """The JSON of a progress file's bytes, read as the dashboard reads it (every number a double,
    no NaN), or a ProgressError: too big, not UTF-8, not JSON, nested too deeply."""
    if len(data) > MAX_BYTES:
        raise ProgressError(f"this file is over {MAX_BYTES} bytes, too big for a progress file")
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is dropped, as browsers do
    except UnicodeDecodeError:
        raise ProgressError("this file is not UTF-8 text, so it cannot be a progress export") from None
    too_deep = ProgressError(f"this file is nested more than {MAX_DEPTH} levels deep, so it cannot be a progress export")
    try:
        parsed = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_no_constant)
    except RecursionError:  # deeper than Python's parser goes, so far deeper than allowed
        raise too_deep from None
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise ProgressError(f"this file is not valid JSON ({_excerpt(str(error))}), so it cannot be a progress export") from None
    if _deeper_than(parsed, MAX_DEPTH):
        raise too_deep
    return parsed


def check_document(data, course):
    """The records of a valid export file (parsed JSON), or a ProgressError saying exactly what is wrong."""
    records, bad = sort_records(data, course)
    if bad:
        raise ProgressError(bad[0][1])
    return records


def sort_records(data, course):
    """The file's good records and its bad ones, [(record, why)]: one bad record need not cost the
    others (tito.store sets it aside on its own). A problem with the file itself raises ProgressError."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ProgressError(f'this is not a TinyTorch progress file: it has no "schema": "{SCHEMA}"')
    version = data.get("version")
    if not _count(version) or version < 1:
        raise ProgressError(f"this progress file has an unknown format version ({_show(version)})")
    if version > VERSION:
        raise NewerVersionError(f"this progress file was made by a newer TinyTorch (format version {version}, "
                                f"this tito reads version {VERSION}): update tito to use it")
    problem = _fields_problem(data, "file" if version > 1 else "file_v1")
    if problem:
        raise ProgressError(f"this progress file {problem}")
    if not isinstance(data["records"], list):
        raise ProgressError('this progress file has no "records" list')
    problem = backup.files_problem(data["files"]) if version > 1 else ""
    if problem:
        raise ProgressError(problem)
    if not _is_time(data["exported_at"]):
        raise ProgressError(f"this progress file's exported_at {_show(data['exported_at'])} is not an ISO 8601 time")
    good, bad, seen = [], [], set()
    for number, record in enumerate(data["records"], start=1):
        name = _show(record["id"]) if isinstance(record, dict) and isinstance(record.get("id"), str) else f"number {number}"
        problem = _record_problem(record, course) or ("it appears twice" if record["id"] in seen else "")
        if problem:
            bad.append((record, f"record {name} looks edited or damaged: {problem}"))
        else:
            good.append(record)
            seen.add(record["id"])
    return good, bad


def _record_problem(r, course):
    """What is wrong with one record, or "" if nothing is. The order of the checks is the
    dashboard's too, so both name the same problem."""
    if not isinstance(r, dict):
        return "it is not an object"
    if r.get("kind") not in ("module", "milestone", "settings", "submission"):
        return f"kind {_show(r.get('kind'))} is not module, milestone, settings or submission"
    problem = _fields_problem(r, r["kind"])
    if problem:
        return f"it {problem}"
    if not _is_time(r["updated_at"]):
        return f"updated_at {_show(r['updated_at'])} is not an ISO 8601 time"
    if r["kind"] == "settings":
        if r["id"] != "settings":
            return 'a settings record must have the id "settings"'
        return "" if isinstance(r["unlock_all"], bool) else "unlock_all must be true or false"
    kind, _, number = r["id"].partition(":") if isinstance(r["id"], str) else ("", "", "")
    known = {"module": course.modules, "milestone": course.milestones, "submission": olympics.rules(course)[0]}[r["kind"]]
    if kind != r["kind"] or number not in known:
        noun = "Torch Olympics event" if r["kind"] == "submission" else r["kind"]
        return f"this course has no {noun} with the id {_show(r['id'])}"
    if not _count(r["attempts"]):
        return f"attempts {_show(r['attempts'])} is not a whole number from 0 to {MAX_COUNT}"
    return {"module": _module_problem, "milestone": _milestone_problem}.get(r["kind"], _submission_problem)(r, course)


def _module_problem(r, course):
    if r["status"] not in ("started", "completed"):
        return f'status {_show(r["status"])} is not "started" or "completed"'
    if r["first_completed_at"] is not None and not _is_time(r["first_completed_at"]):
        return "first_completed_at is not a time or null"
    result = r["last_result"]
    if result is not None:
        if not isinstance(result, dict):
            return "last_result is not an object or null"
        problem = _fields_problem(result, "last_result")
        if problem:
            return f"last_result {problem}"
        if not _count(result["passed"]) or not _count(result["total"]):
            return "last_result needs whole numbers passed and total"
        if result["passed"] > result["total"]:
            return f"last_result says {result['passed']} of {result['total']} checks passed"
        if not _is_time(result["at"]):
            return "last_result.at is not an ISO 8601 time"
    if r["status"] == "completed":
        if result is None or result["passed"] != result["total"]:
            got = f"{result['passed']} of {result['total']}" if result else "missing"
            return f'it is "completed" but its last result is {got}'
        if r["first_completed_at"] is None:
            return 'it is "completed" but has no first_completed_at'
    return ""


def _milestone_problem(r, course):
    if not isinstance(r["passed"], bool):
        return "passed must be true or false"
    if r["first_passed_at"] is not None and not _is_time(r["first_passed_at"]):
        return "first_passed_at is not a time or null"
    result = r["result"]
    if result is not None:
        if not isinstance(result, dict):
            return "result is not an object or null"
        problem = _fields_problem(result, "result")
        if problem:
            return f"result {problem}"
        if not isinstance(result["metric"], str) or not 0 < len(result["metric"]) <= MAX_TEXT:
            return f"result.metric is not a name of 1 to {MAX_TEXT} characters"
        for key in ("value", "gate", "seconds"):
            if not _finite(result[key]):
                return f"result.{key} is not a number"
        if not _is_time(result["at"]):
            return "result.at is not an ISO 8601 time"
    if r["passed"]:
        if result is None or result["value"] < result["gate"]:
            why = f"{_excerpt(result['metric'])} {_show(result['value'])} is below the gate {_show(result['gate'])}" if result else "has no result"
            return f'it is "passed" but {why}'
        if r["first_passed_at"] is None:
            return 'it is "passed" but has no first_passed_at'
    return ""


def _submission_problem(r, course):
    """Its form only: whether its figures give its checksum and score is tito.olympics.forged."""
    if not isinstance(r["description"], str) or not 0 < len(r["description"]) <= MAX_TEXT:
        return f"description is not a text of 1 to {MAX_TEXT} characters"
    figures = r["figures"]
    if not isinstance(figures, dict) or sorted(figures) != sorted(olympics.rules(course)[1]):
        return f"figures must be exactly {', '.join(sorted(olympics.rules(course)[1]))}"
    for key in sorted(figures):
        if not _finite(figures[key]) or figures[key] < 0:
            return f"figures.{key} is not a number from 0 up"
    for key in olympics.WHOLE:
        if not _count(figures[key]):
            return f"figures.{key} is not a whole number"
    if not isinstance(r["qualifies"], bool):
        return "qualifies must be true or false"
    if not _finite(r["score"]):
        return "score is not a number"
    if not isinstance(r["checksum"], str) or not re.fullmatch(r"[0-9a-f]{64}", r["checksum"]):
        return "checksum is not 64 hexadecimal digits"
    return "" if _is_time(r["at"]) else "at is not an ISO 8601 time"


def _fields_problem(x, kind):
    """"has an unknown field ..." / "has no field ...", or "": x must have exactly FIELDS[kind]."""
    unknown = sorted(key for key in x if key not in FIELDS[kind])
    if unknown:
        return f"has an unknown field {_show(unknown[0])}"
    missing = [key for key in FIELDS[kind] if key not in x]
    return f"has no field {_show(missing[0])}" if missing else ""


def _number(text):
    """A JSON number as JavaScript reads it: a double, whole when it is a whole number JavaScript
    holds exactly (so 5.0 is 5, and a 400-digit integer is infinity, as on the dashboard)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= MAX_COUNT else value


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")  # Python's json takes NaN and Infinity; JSON (and browsers) do not


def _deeper_than(x, levels):
    """Is x nested more than `levels` deep (an object or array is one level)? Never looks further than that."""
    if not isinstance(x, (dict, list)):
        return False
    if levels == 0:
        return True
    return any(_deeper_than(item, levels - 1) for item in (x.values() if isinstance(x, dict) else x))


def _count(x):
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_COUNT


def _finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _show(x):
    """x as the dashboard shows it (JSON; numbers as JavaScript writes them), at most 40 characters:
    a message quotes a short excerpt of a hostile value, never all of it."""
    if isinstance(x, float):
        text = ("NaN" if x != x else "Infinity" if x > 0 else "-Infinity") if not math.isfinite(x) else \
            str(int(x)) if x.is_integer() and abs(x) < 1e21 else re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(x))
    else:
        text = json.dumps(x, ensure_ascii=False, separators=(",", ":"))
    return _excerpt(text)


def _excerpt(text, size=40):
    return text if len(text) <= size else text[:size] + "…"


# A full date and time with a time zone, as Python's isoformat() and JavaScript's toISOString() write it.
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")


def _time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _is_time(x):
    if not isinstance(x, str) or not _ISO.fullmatch(x):
        return False
    try:
        _time(x)  # refuses month 13, February 30, 24:00, second 60, year 0, an offset of 24 hours or more
    except ValueError:
        return False
    return True

"""Progress records and their rules, independent of where they are stored.

The same rules live in the site's progress.js (the dashboard). One record per module, milestone
and the settings; an export file is {"schema", "version", "exported_at", "records": [...]}:

    {"id": "module:01", "kind": "module", "status": "started"|"completed", "attempts": int,
     "last_result": {"passed": int, "total": int, "at": iso} or null,
     "first_completed_at": iso|null, "updated_at": iso}
    {"id": "milestone:01", "kind": "milestone", "attempts": int,
     "result": {"metric": str, "value": float, "gate": float, "seconds": float, "at": iso} or null,
     "passed": bool, "first_passed_at": iso|null, "updated_at": iso}
    {"id": "settings", "kind": "settings", "unlock_all": bool, "updated_at": iso}

The record-making functions take the old record (or None) and return the new one, so they plug
straight into `Store.update(id, fn)`.
"""

import math
import re
from datetime import datetime, timezone

from .course import TitoError

SCHEMA, VERSION = "tinytorch-progress", 1


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


# --- statuses ------------------------------------------------------------------------------------

def module_statuses(course, records):
    """{module id: status} in course order: "started" / "completed" from its record, else
    "available", or "locked" while the module before it is not completed (the first module is
    always open; settings.unlock_all opens all), or "coming soon" when it is not written yet."""
    unlock_all = (records.get("settings") or {}).get("unlock_all") is True
    statuses, previous_done = {}, True
    for mid in course.order:
        record = records.get(f"module:{mid}")
        if "source" not in course.modules[mid]:
            statuses[mid] = "coming soon"
        elif record:
            statuses[mid] = record["status"]
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

def document(records, at):
    """The export file's content for a {id: record} dict."""
    return {"schema": SCHEMA, "version": VERSION, "exported_at": at,
            "records": [records[key] for key in sorted(records)]}


def newer(incoming, stored):
    """Does `incoming` replace `stored`? A completed module or a passed milestone never gives way
    to one that is not (an achievement is the one thing a learner must never lose); otherwise the
    later updated_at wins, and on a tie the stored record stays."""
    if stored is None:
        return True
    def done(r):
        return (r["kind"] == "module" and r["status"] == "completed") or (r["kind"] == "milestone" and r["passed"] is True)
    if done(stored) != done(incoming):
        return done(incoming)
    return _time(incoming["updated_at"]) > _time(stored["updated_at"])


def check_document(data, course):
    """The records of a valid export file (parsed JSON), or a ProgressError saying exactly what is wrong."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ProgressError(f'this is not a TinyTorch progress file: it has no "schema": "{SCHEMA}"')
    version = data.get("version")
    if not _count(version) or version < 1:
        raise ProgressError(f"this progress file has an unknown format version ({version!r})")
    if version > VERSION:
        raise NewerVersionError(f"this progress file was made by a newer TinyTorch (format version {version}, "
                                f"this tito reads version {VERSION}): update tito to use it")
    if not isinstance(data.get("records"), list):
        raise ProgressError('this progress file has no "records" list')
    seen = set()
    for number, record in enumerate(data["records"], start=1):
        name = f'"{record["id"]}"' if isinstance(record, dict) and isinstance(record.get("id"), str) else f"number {number}"
        problem = _record_problem(record, course) or ("it appears twice" if record["id"] in seen else "")
        if problem:
            raise ProgressError(f"record {name} looks edited or damaged: {problem}")
        seen.add(record["id"])
    return data["records"]


def _record_problem(r, course):
    """What is wrong with one record, or "" if nothing is."""
    if not isinstance(r, dict):
        return "it is not an object"
    if not _is_time(r.get("updated_at")):
        return f"updated_at {r.get('updated_at')!r} is not an ISO 8601 time"
    if r.get("kind") == "settings":
        if r.get("id") != "settings":
            return 'a settings record must have the id "settings"'
        return "" if isinstance(r.get("unlock_all"), bool) else "unlock_all must be true or false"
    if r.get("kind") not in ("module", "milestone"):
        return f"kind {r.get('kind')!r} is not module, milestone or settings"
    kind, _, number = str(r.get("id")).partition(":")
    known = course.modules if r["kind"] == "module" else course.milestones
    if kind != r["kind"] or number not in known:
        return f"this course has no {r['kind']} with the id {r.get('id')!r}"
    if not _count(r.get("attempts")):
        return f"attempts {r.get('attempts')!r} is not a whole number >= 0"
    return _module_problem(r) if r["kind"] == "module" else _milestone_problem(r)


def _module_problem(r):
    if r.get("status") not in ("started", "completed"):
        return f'status {r.get("status")!r} is not "started" or "completed"'
    if r.get("first_completed_at") is not None and not _is_time(r["first_completed_at"]):
        return "first_completed_at is not a time or null"
    result = r.get("last_result")
    if result is not None:
        if not isinstance(result, dict) or not _count(result.get("passed")) or not _count(result.get("total")):
            return "last_result needs whole numbers passed and total"
        if result["passed"] > result["total"]:
            return f"last_result says {result['passed']} of {result['total']} checks passed"
        if not _is_time(result.get("at")):
            return "last_result.at is not an ISO 8601 time"
    if r["status"] == "completed":
        if result is None or result["passed"] != result["total"]:
            got = f"{result['passed']} of {result['total']}" if result else "missing"
            return f'it is "completed" but its last result is {got}'
        if r.get("first_completed_at") is None:
            return 'it is "completed" but has no first_completed_at'
    return ""


def _milestone_problem(r):
    if not isinstance(r.get("passed"), bool):
        return "passed must be true or false"
    if r.get("first_passed_at") is not None and not _is_time(r["first_passed_at"]):
        return "first_passed_at is not a time or null"
    result = r.get("result")
    if result is not None:
        if not isinstance(result, dict) or not isinstance(result.get("metric"), str):
            return "result needs a metric name"
        for key in ("value", "gate", "seconds"):
            value = result.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return f"result.{key} is not a number"
        if not _is_time(result.get("at")):
            return "result.at is not an ISO 8601 time"
    if r["passed"]:
        if result is None or result["value"] < result["gate"]:
            why = f"{result['metric']} {result['value']} is below the gate {result['gate']}" if result else "has no result"
            return f'it is "passed" but {why}'
        if r.get("first_passed_at") is None:
            return 'it is "passed" but has no first_passed_at'
    return ""


def _count(x):
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


# A full date and time with a time zone, as Python's isoformat() and JavaScript's toISOString() write it.
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)")


def _time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _is_time(x):
    if not isinstance(x, str) or not _ISO.fullmatch(x):
        return False
    try:
        _time(x)
    except ValueError:  # e.g. month 13
        return False
    return True

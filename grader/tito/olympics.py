"""The Torch Olympics (module 20) as the grader and the site read it: the events' rules, the check
of a submission's figures, and keeping a learner's submissions in their progress.

The rules have one source, module 20's curriculum file (its `EVENTS` and `FIGURES`): they are read
from it without running it, and the site build publishes them in course.json for the dashboard
and the class page (site/class.js checks submissions the same way; the test vectors in
tests/fixtures/olympics-checksums.json keep the two checksums in step).

    from tito.olympics import submit
    submit(make_submission("latency_sprint", figures, "me", "int8"))   # in module 20's notebook
"""

import ast
import hashlib
import json
import math
import sys
from pathlib import Path

from .course import TitoError

WHOLE = ("bytes", "baseline_bytes")  # figures that are whole numbers; every other one is a float
TOLERANCE = 1e-12  # how far a score may be from the one its figures give (module 20's check_submission)


def rules(course):
    """(EVENTS, FIGURES) of the course's capstone module, read from its curriculum file; ({}, [])
    in a course without one. Cached on the course."""
    if not hasattr(course, "_olympics"):
        found = ({}, [])
        for mid in course.written():
            if course.modules[mid]["name"] == "capstone":
                values = {}
                for node in ast.parse(course.source_text(mid)).body:
                    if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] in (["EVENTS"], ["FIGURES"]):
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                found = (values["EVENTS"], list(values["FIGURES"]))
        course._olympics = found
    return course._olympics


def canonical(figures):
    """The figures as their checksum is taken: whole numbers as ints, the others as floats (a
    progress file read back writes 1.0 as 1; the checksum must not change with it)."""
    return {key: int(value) if key in WHOLE else float(value) for key, value in figures.items()}


def checksum(figures):
    """SHA-256 of the figures as JSON with sorted keys, as module 20's `checksum` computes it."""
    return hashlib.sha256(json.dumps(canonical(figures), sort_keys=True).encode()).hexdigest()


def qualifies(event, figures):
    return all(figures[k] >= v for k, v in event["floor"].items()) and all(figures[k] <= v for k, v in event["ceiling"].items())


def score(name, event, figures):
    """The figure the event ranks by; the All-Around's formula is module 20's."""
    if name == "all_around":
        return float(figures["accuracy"] * (figures["baseline_bytes"] / figures["bytes"]) ** 0.25
                     * (figures["baseline_latency_s"] / figures["latency_s"]) ** 0.25)
    return float(figures[event["rank"]])


def forged(record, course):
    """Why a submission record (already well formed, see tito.progress) does not follow from its
    figures, or "": its checksum, its qualification and its score are recomputed."""
    name = record["id"].partition(":")[2]
    event = rules(course)[0][name]
    if checksum(record["figures"]) != record["checksum"]:
        return "its figures do not match their checksum"
    if record["qualifies"] != qualifies(event, record["figures"]):
        return "its qualification does not follow from its figures"
    try:
        expected = score(name, event, record["figures"])
    except ZeroDivisionError:
        return "its figures cannot be scored (a zero)"
    if not abs(record["score"] - expected) <= TOLERANCE * max(1.0, abs(expected)):
        return "its score does not follow from its figures"
    return ""


def better(name, course, a, b):
    """Is submission record a better personal best than b? Qualifying beats not; then the event's best score."""
    if a["qualifies"] != b["qualifies"]:
        return a["qualifies"]
    lower = rules(course)[0][name]["best"] == "min"
    return a["score"] < b["score"] if lower else a["score"] > b["score"]


def submit(*submissions, workspace=None):
    """Keep module 20's submissions in your progress (IndexedDB in the browser, else
    <workspace>/.tito/progress.json): each event keeps your best one, which the dashboard shows
    and your exported progress file carries to the class leaderboard."""
    from . import commands, progress
    from .cli import TextOut
    from .course import Course
    from .store import run_async

    course, out = Course(), TextOut()
    folder = Path(workspace or Path.cwd()).resolve()
    store = commands.default_store(folder, course, out)

    async def record():
        kept = {}  # event -> its record after the last of these submissions: one line per event
        for submission in submissions:
            kept[submission.get("event")] = await store.update(
                f"submission:{submission.get('event')}", lambda old: progress.submission_attempt(old, submission, course, progress.now()))
        for event, best in kept.items():
            said = "qualifies" if best["qualifies"] else "does not qualify yet"
            out.line(f"{event}: your best is {best['score']:.6g} ({best['description']}, {said}; "
                     f"{best['attempts']} submitted)", "ok" if best["qualifies"] else "warn")
        return True

    try:
        return run_async(record())
    except TitoError as error:
        out.line(str(error), "fail")
        return False

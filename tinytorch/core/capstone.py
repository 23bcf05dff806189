"""Torch Olympics: the reference solution of module 20.

Generated from curriculum/modules/20_capstone.py by `python -m curriculum.generate`. Do not edit.
"""

import hashlib
import json

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad
from tinytorch.core.profiling import model_bytes
from tinytorch.core.benchmarking import benchmark


EVENTS = {
    "latency_sprint": {"title": "Latency Sprint", "floor": {"accuracy": 0.90}, "ceiling": {}, "rank": "latency_s", "best": "min"},
    "memory_challenge": {"title": "Memory Challenge", "floor": {"accuracy": 0.90}, "ceiling": {}, "rank": "bytes", "best": "min"},
    "accuracy_contest": {"title": "Accuracy Contest", "floor": {}, "ceiling": {"bytes": 4000}, "rank": "accuracy", "best": "max"},
    "all_around": {"title": "All-Around", "floor": {"accuracy": 0.85}, "ceiling": {}, "rank": "all_around", "best": "max"},
}
FIGURES = ("accuracy", "bytes", "latency_s", "baseline_bytes", "baseline_latency_s")


def measure_entry(model, baseline, x, y, repeats=15):
    """The measured figures of `model` (and of `baseline`, the float32 model, in the same run) on the held-out (x, y)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = np.asarray(y)
    with no_grad():
        accuracy = float((model(x).data.argmax(axis=1) == y).mean())
        latency = benchmark(lambda: model(x), name="entry", warmup=2, repeats=repeats).median
        baseline_latency = benchmark(lambda: baseline(x), name="baseline", warmup=2, repeats=repeats).median
    return {"accuracy": accuracy, "bytes": model_bytes(model), "latency_s": latency,
            "baseline_bytes": model_bytes(baseline), "baseline_latency_s": baseline_latency}


def qualifies(event, figures):
    """Whether the figures meet the event's rules: every floor reached, every ceiling kept."""
    rules = EVENTS[_event(event)]
    return all(figures[k] >= v for k, v in rules["floor"].items()) and all(figures[k] <= v for k, v in rules["ceiling"].items())


def score(event, figures):
    """The figure the event ranks by; for the All-Around: accuracy x (baseline_bytes / bytes)^0.25 x (baseline_latency_s / latency_s)^0.25."""
    event = _event(event)
    if event == "all_around":
        return float(figures["accuracy"] * (figures["baseline_bytes"] / figures["bytes"]) ** 0.25
                     * (figures["baseline_latency_s"] / figures["latency_s"]) ** 0.25)
    return float(figures[EVENTS[event]["rank"]])


def _event(event):
    if event not in EVENTS:
        raise ValueError(f"there is no event {event!r}: the events are {', '.join(EVENTS)}")
    return event


def checksum(figures):
    """The SHA-256 hex digest of the figures as canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def make_submission(event, figures, learner, description):
    """A submission (a dict, ready for json.dumps) of `figures` in `event`."""
    missing = [k for k in FIGURES if k not in figures]
    if missing:
        raise ValueError(f"the figures lack {', '.join(missing)}: measure them with measure_entry")
    return {"event": _event(event), "learner": learner, "description": description, "figures": dict(figures),
            "qualifies": qualifies(event, figures), "score": score(event, figures), "checksum": checksum(figures)}


def check_submission(submission):
    """Raise a ValueError naming the problem unless the submission's checksum, qualification and score match its figures."""
    if checksum(submission["figures"]) != submission["checksum"]:
        raise ValueError(f"submission of {submission.get('learner')!r} to {submission.get('event')!r}: the figures do not match their checksum (edited?)")
    if submission["qualifies"] != qualifies(submission["event"], submission["figures"]) or \
            abs(submission["score"] - score(submission["event"], submission["figures"])) > 1e-12:
        raise ValueError(f"submission of {submission.get('learner')!r} to {submission.get('event')!r}: its score or qualification does not follow from its figures")
    return True


def leaderboard(submissions):
    """{event: [(learner, score, description), ...] best first}: each learner's best valid, qualifying entry per event."""
    best = {}
    for s in submissions:
        check_submission(s)
        if not s["qualifies"]:
            continue
        lower = EVENTS[s["event"]]["best"] == "min"
        key = (s["event"], s["learner"])
        if key not in best or (s["score"] < best[key]["score"] if lower else s["score"] > best[key]["score"]):
            best[key] = s
    board = {event: [] for event in EVENTS}
    for (event, learner), s in best.items():
        board[event].append((learner, s["score"], s["description"]))
    for event, rows in board.items():
        rows.sort(key=lambda row: row[1], reverse=EVENTS[event]["best"] == "max")
    return board

# %% [markdown]
# # Module 20: Torch Olympics, your optimized models in fixed events
#
# Everything from the Optimization tier comes together: you take a trained network, make it
# smaller (15, 16) or faster (17), and enter it in **events with published rules**, judged by the
# harness you built (19) on a held-out set, on your own machine. Each run becomes a
# **submission**: a small JSON file with the measured figures, a description of the model, and a
# checksum of the figures. An instructor can combine many learners' files into a class leaderboard.
#
# **You've built:** `model_bytes` (14), `quantize_model` (15), pruning (16), `benchmark` (19).
# **You'll build:** `measure_entry` (latency with its interval, bytes, accuracy: all measured),
# `qualifies` and `score` (the rules of each event), `make_submission` / `check_submission` (a JSON
# with a SHA-256 checksum of its figures) and `leaderboard` (the best valid entry per learner and event).
#
# ```
# ... -> KV cache (18) -> Benchmarking (19) -> [Torch Olympics (20)]
# ```
#
# **The events** (the rules are the `EVENTS` table below; they never change during a season):
#
# | event | wins | must hold |
# |---|---|---|
# | Latency Sprint | the lowest median latency | accuracy >= 0.90 |
# | Memory Challenge | the fewest bytes | accuracy >= 0.90 |
# | Accuracy Contest | the highest accuracy | bytes <= 4,000 |
# | All-Around | the highest accuracy x (baseline bytes / bytes)^0.25 x (baseline latency / latency)^0.25 | accuracy >= 0.85 |
#
# Latency is machine-dependent, so a submission records the **baseline** (the float32 model)
# measured in the same run, and the All-Around compares ratios, which travel between machines.

# %%
#| export
import hashlib
import json

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import no_grad
from tinytorch.core.profiling import model_bytes
from tinytorch.core.benchmarking import benchmark

# %% [markdown]
# ## The rules, as data
#
# Each event names a `floor` (figures that must reach a minimum), a `ceiling` (figures that must
# stay under a maximum) and what it ranks by. Writing the rules as data, not code, is what makes
# them publishable: the same table judges every entry.

# %%
#| export
EVENTS = {
    "latency_sprint": {"title": "Latency Sprint", "floor": {"accuracy": 0.90}, "ceiling": {}, "rank": "latency_s", "best": "min"},
    "memory_challenge": {"title": "Memory Challenge", "floor": {"accuracy": 0.90}, "ceiling": {}, "rank": "bytes", "best": "min"},
    "accuracy_contest": {"title": "Accuracy Contest", "floor": {}, "ceiling": {"bytes": 4000}, "rank": "accuracy", "best": "max"},
    "all_around": {"title": "All-Around", "floor": {"accuracy": 0.85}, "ceiling": {}, "rank": "all_around", "best": "max"},
}
FIGURES = ("accuracy", "bytes", "latency_s", "baseline_bytes", "baseline_latency_s")


def measure_entry(model, baseline, x, y, repeats=15):
    """The measured figures of `model` (and of `baseline`, the float32 model, in the same run) on the held-out (x, y).

    TODO: accuracy = the fraction of argmax predictions equal to y; bytes = model_bytes; latency_s =
          the median of benchmark(lambda: model(x), repeats=repeats), inside no_grad(); the same
          latency and bytes for the baseline. Return a dict with the keys of FIGURES (floats and ints).
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = np.asarray(y)
    ### BEGIN SOLUTION
    with no_grad():
        accuracy = float((model(x).data.argmax(axis=1) == y).mean())
        latency = benchmark(lambda: model(x), name="entry", warmup=2, repeats=repeats).median
        baseline_latency = benchmark(lambda: baseline(x), name="baseline", warmup=2, repeats=repeats).median
    return {"accuracy": accuracy, "bytes": model_bytes(model), "latency_s": latency,
            "baseline_bytes": model_bytes(baseline), "baseline_latency_s": baseline_latency}
    ### END SOLUTION


def qualifies(event, figures):
    """Whether the figures meet the event's rules: every floor reached, every ceiling kept.

    TODO: all(figures[k] >= v for the floor) and all(figures[k] <= v for the ceiling).
    """
    rules = EVENTS[_event(event)]
    ### BEGIN SOLUTION
    return all(figures[k] >= v for k, v in rules["floor"].items()) and all(figures[k] <= v for k, v in rules["ceiling"].items())
    ### END SOLUTION


def score(event, figures):
    """The figure the event ranks by; for the All-Around: accuracy x (baseline_bytes / bytes)^0.25 x (baseline_latency_s / latency_s)^0.25.

    TODO: the All-Around formula above, else figures[EVENTS[event]["rank"]].
    """
    event = _event(event)
    ### BEGIN SOLUTION
    if event == "all_around":
        return float(figures["accuracy"] * (figures["baseline_bytes"] / figures["bytes"]) ** 0.25
                     * (figures["baseline_latency_s"] / figures["latency_s"]) ** 0.25)
    return float(figures[EVENTS[event]["rank"]])
    ### END SOLUTION


def _event(event):
    if event not in EVENTS:
        raise ValueError(f"there is no event {event!r}: the events are {', '.join(EVENTS)}")
    return event

# %% [markdown]
# ## A submission: the figures, the model's description, a checksum
#
# A submission is plain JSON. The **checksum** is the SHA-256 of the figures written in one fixed
# way (`json.dumps(..., sort_keys=True)`): change one digit of one figure by hand and the
# checksum no longer matches. It is not a signature (anyone can recompute it), but it catches
# edits and copying mistakes, and it makes plain that the figures are what the harness measured.

# %%
#| export
def checksum(figures):
    """The SHA-256 hex digest of the figures as canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def make_submission(event, figures, learner, description):
    """A submission (a dict, ready for json.dumps) of `figures` in `event`.

    TODO: {"event", "learner", "description", "figures", "qualifies": qualifies(...),
           "score": score(...), "checksum": checksum(figures)}; refuse figures missing a key of FIGURES.
    """
    missing = [k for k in FIGURES if k not in figures]
    if missing:
        raise ValueError(f"the figures lack {', '.join(missing)}: measure them with measure_entry")
    ### BEGIN SOLUTION
    return {"event": _event(event), "learner": learner, "description": description, "figures": dict(figures),
            "qualifies": qualifies(event, figures), "score": score(event, figures), "checksum": checksum(figures)}
    ### END SOLUTION


def check_submission(submission):
    """Raise a ValueError naming the problem unless the submission's checksum, qualification and score match its figures."""
    if checksum(submission["figures"]) != submission["checksum"]:
        raise ValueError(f"submission of {submission.get('learner')!r} to {submission.get('event')!r}: the figures do not match their checksum (edited?)")
    if submission["qualifies"] != qualifies(submission["event"], submission["figures"]) or \
            abs(submission["score"] - score(submission["event"], submission["figures"])) > 1e-12:
        raise ValueError(f"submission of {submission.get('learner')!r} to {submission.get('event')!r}: its score or qualification does not follow from its figures")
    return True


def leaderboard(submissions):
    """{event: [(learner, score, description), ...] best first}: each learner's best valid, qualifying entry per event.

    TODO: check every submission (check_submission), keep the qualifying ones, keep each learner's best
          score per event ("min" or "max" from EVENTS), then sort each event's list best first.
    """
    ### BEGIN SOLUTION
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
    ### END SOLUTION

# %%
#| test
from tinytorch.core.layers import Linear, Sequential


def test_unit_rules_and_scores():
    print("🧪 Unit Test: the events' rules...")
    figures = {"accuracy": 0.93, "bytes": 2720, "latency_s": 0.002, "baseline_bytes": 9640, "baseline_latency_s": 0.001}
    assert qualifies("latency_sprint", figures) and qualifies("memory_challenge", figures) and qualifies("accuracy_contest", figures), \
        "accuracy 0.93 and 2,720 bytes meet the floors (0.90) and the ceiling (4,000 bytes)"
    assert not qualifies("accuracy_contest", dict(figures, bytes=9640)), "9,640 bytes break the Accuracy Contest's 4,000-byte ceiling"
    expected = 0.93 * (9640 / 2720) ** 0.25 * 0.5 ** 0.25
    assert abs(score("all_around", figures) - expected) < 1e-12, f"All-Around: expected {expected:.5f}, got {score('all_around', figures)}"
    assert score("memory_challenge", figures) == 2720, "the Memory Challenge ranks by bytes"
    print("✅ Rules work!")


def test_unit_submission_and_leaderboard():
    print("🧪 Unit Test: submissions and the leaderboard...")
    a = {"accuracy": 0.95, "bytes": 3000, "latency_s": 0.001, "baseline_bytes": 9640, "baseline_latency_s": 0.001}
    b = dict(a, accuracy=0.97)
    subs = [make_submission("accuracy_contest", a, "ada", "int8"), make_submission("accuracy_contest", b, "ada", "int8, retrained"),
            make_submission("accuracy_contest", dict(a, accuracy=0.96), "bob", "pruned")]
    board = leaderboard(json.loads(json.dumps(subs)))  # through JSON, as files would be
    assert [row[0] for row in board["accuracy_contest"]] == ["ada", "bob"] and board["accuracy_contest"][0][1] == 0.97, \
        f"each learner's best, best first: expected ada (0.97) then bob (0.96), got {board['accuracy_contest']}"
    edited = dict(subs[2], figures=dict(subs[2]["figures"], accuracy=0.99))
    try:
        check_submission(edited)
    except ValueError as error:
        assert "checksum" in str(error), f"the message must say the checksum does not match: {error}"
    else:
        raise AssertionError("a submission whose figures were edited must be refused")
    print("✅ Submissions and leaderboard work!")


test_unit_rules_and_scores()
test_unit_submission_and_leaderboard()

# %%
#| hidden
import time

from tito.checks import expect_error
from tinytorch.core.activations import ReLU


def test_hidden_measure_entry_measures():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((50, 8)), rng.integers(0, 3, 50)
    model = Sequential(Linear(8, 16), ReLU(), Linear(16, 3))
    small = Sequential(Linear(8, 3))
    figures = measure_entry(small, model, x, y, repeats=5)
    assert sorted(figures) == sorted(FIGURES), f"expected the figures {sorted(FIGURES)}, got {sorted(figures)}"
    expected_acc = float((small(Tensor(x)).data.argmax(axis=1) == y).mean())
    assert figures["accuracy"] == expected_acc, f"accuracy: expected {expected_acc}, got {figures['accuracy']}"
    assert figures["bytes"] == (8 * 3 + 3) * 4 and figures["baseline_bytes"] == (8 * 16 + 16 + 16 * 3 + 3) * 4, f"bytes must be measured by model_bytes, got {figures}"
    assert figures["latency_s"] > 0 and figures["baseline_latency_s"] > 0, f"latencies must be measured, got {figures}"

    class Slow(Sequential):  # a model that takes at least 5 ms per call
        def forward(self, x):
            end = time.perf_counter() + 0.005
            while time.perf_counter() < end:
                pass
            return super().forward(x)

    figures = measure_entry(Slow(Linear(8, 3)), small, x, y, repeats=3)
    assert figures["latency_s"] >= 0.005, f"a model that takes 5 ms per call: latency_s must be measured, >= 0.005, got {figures['latency_s']}"


def test_hidden_rules_edges_and_leaderboard_order():
    base = {"accuracy": 0.90, "bytes": 4000, "latency_s": 0.002, "baseline_bytes": 8000, "baseline_latency_s": 0.002}
    assert qualifies("latency_sprint", base) and qualifies("accuracy_contest", base), "exactly at the floor (0.90) and the ceiling (4,000) qualifies"
    assert not qualifies("latency_sprint", dict(base, accuracy=0.899)), "0.899 is under the 0.90 floor"
    subs = [make_submission("latency_sprint", dict(base, latency_s=0.001), "ada", "b"), make_submission("latency_sprint", dict(base, latency_s=0.003), "ada", "a"),
            make_submission("latency_sprint", dict(base, latency_s=0.002), "bob", "c"), make_submission("latency_sprint", dict(base, accuracy=0.5, latency_s=0.0001), "eve", "too inaccurate")]
    rows = leaderboard(subs)["latency_sprint"]
    assert [(r[0], r[1]) for r in rows] == [("ada", 0.001), ("bob", 0.002)], f"lowest latency first, each learner's best, unqualified entries out: got {rows}"
    tampered = dict(subs[0], score=0.0000001)
    expect_error(ValueError, lambda: check_submission(tampered), "score")
    edited = dict(subs[2], figures=dict(subs[2]["figures"], latency_s=0.0005))
    expect_error(ValueError, lambda: leaderboard(subs[:2] + [edited]), "checksum")
    expect_error(ValueError, lambda: make_submission("sprint", base, "ada", "x"), "latency_sprint")
    expect_error(ValueError, lambda: make_submission("latency_sprint", {"accuracy": 1.0}, "ada", "x"), "bytes")


test_hidden_measure_entry_measures()
test_hidden_rules_edges_and_leaderboard_order()

# %% [markdown]
# ## Use it: enter the digit reader of milestone 03
#
# Train the 64-32-10 network, make an int8 and a pruned version, measure each on the held-out
# digits, and submit each to every event. The JSON lines are your submissions.

# %%
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.activations import ReLU
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.quantization import quantize_model
from tinytorch.core.compression import structured_prune

try:
    from tito.milestones import data_path

    digits = np.load(data_path("digits.npz"))
    images, labels = digits["images"].reshape(-1, 64).astype(np.float32) / 16.0, digits["labels"].astype(np.int64)
except (ImportError, OSError):  # without the course data: a synthetic stand-in
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 1797)
    images = (rng.standard_normal((10, 64))[labels] + rng.standard_normal((1797, 64))).astype(np.float32)
order = np.random.default_rng(0).permutation(len(labels))
held_out, train_idx = order[:360], order[360:]
np.random.seed(0)
float_model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
optimizer = Adam(float_model.parameters(), lr=0.01)
for epoch in range(60):
    CrossEntropyLoss()(float_model(Tensor(images[train_idx])), labels[train_idx]).backward()
    optimizer.step()
    optimizer.zero_grad()
submissions = []
entries = {"float32": float_model, "int8": quantize_model(float_model, images[train_idx][:256]),
           "half the neurons": structured_prune(float_model, 0.5)}
for description, model in entries.items():
    figures = measure_entry(model, float_model, images[held_out], labels[held_out], repeats=9)
    for event in EVENTS:
        sub = make_submission(event, figures, "me", description)
        submissions.append(sub)
        print(json.dumps({k: sub[k] for k in ("event", "description", "qualifies", "score")}))

# %% [markdown]
# ## Keep your submissions
#
# `submit` keeps them in your progress: each event keeps your best entry (a qualifying one beats
# one that does not), which the course page shows as your personal best. Your exported progress
# file carries them to your instructor's class report, which checks every checksum and score
# against its figures before an entry joins the class leaderboard.

# %%
from tito.olympics import submit

submit(*submissions)

# %% [markdown]
# ## Reflect
#
# 1. A model of 2,720 bytes with accuracy 0.95: does it qualify for the Accuracy Contest (1 for yes, 0 for no)?
# 2. Its All-Around score, if the baseline has 9,640 bytes and both take the same time? (Two decimals.)
# 3. How many hexadecimal characters does a SHA-256 checksum have?

# %%
#| answers
answers = {
    "olympics_accuracy_contest_qualifies_2720": 1,  # 1. 2,720 bytes, accuracy 0.95: qualifies?
    "olympics_all_around_2720": 0.95 * (9640 / 2720) ** 0.25,  # 2. the All-Around score
    "olympics_checksum_hex_length": 64,  # 3. hex characters of a SHA-256 digest
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_olympics():
    figures = {"accuracy": 0.95, "bytes": 2720, "latency_s": 1.0, "baseline_bytes": 9640, "baseline_latency_s": 1.0}
    check_answer(answers, "olympics_accuracy_contest_qualifies_2720", int(qualifies("accuracy_contest", figures)),
                 "compare the bytes with the Accuracy Contest's ceiling")
    check_answer(answers, "olympics_all_around_2720", score("all_around", figures),
                 "accuracy x (baseline bytes / bytes)^0.25 x (latency ratio 1)^0.25", tolerance=0.01)
    check_answer(answers, "olympics_checksum_hex_length", len(checksum(figures)),
                 "SHA-256 makes 256 bits; one hexadecimal character holds 4")


test_reflect_olympics()

# %% [markdown]
# ## What you built
#
# Published rules as data, measured entries, submissions whose checksum shows they were not
# edited, and a leaderboard that keeps each learner's best. Your personal bests are on the course
# page; an instructor combines the class's progress files into a leaderboard on the site's class
# report (class.html), which checks each submission as your `check_submission` does.

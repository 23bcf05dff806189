"""Module 20 (Torch Olympics) in the browser, with NumPy: the learner's notebook enters three models
in every event, `tito.olympics.submit` keeps each event's best in IndexedDB, and the dashboard shows
it as their personal best. The figures must be measured in this run (checked against figures
recomputed in the kernel apart from the learner's code), the checksums must verify, and a record
edited afterwards in the browser's storage must be flagged on the dashboard, not shown as a best.

The notebook opened is the site's own 20_capstone.ipynb; its solutions are typed in, as a learner
would, over the reference tinytorch of this repository put in the kernel's /tmp (completing modules
01-19 in the browser first would take far longer and is what test_milestones_browser.py walks).
"""

import base64
import io
import json
import re
import zipfile
from pathlib import Path

from curriculum.generate import INSTRUCTOR_COURSE
from tito import olympics
from tito.course import Course
from tito.workspace import notebook_exports

from site_tools import notebook_url, read_progress, run_cell, run_notebook_cell, wait_for_kernel

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "20_capstone.ipynb"
USE_CELL, SUBMIT_CELL = 9, 11  # the notebook's "Use it" cell (train, make int8 and pruned, measure, submit to every event) and `submit(...)`
KERNEL_DIR = "/tmp/tinytorch-reference"  # the kernel's memory filesystem: the learner's drive is untouched
MARK = "OLYMPICS "
# The entries' sizes, from their architecture (64-32-10, and its 64-16-10 half; int8: 1 byte a weight, float32 scales and biases)
BYTES = {"float32": (64 * 32 + 32 + 32 * 10 + 10) * 4, "int8": 2720, "half the neurons": (64 * 16 + 16 + 16 * 10 + 10) * 4}


def reference_package():
    """A cell that unpacks this repository's tinytorch/ into KERNEL_DIR and imports it from there."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((ROOT / "tinytorch").rglob("*.py")):
            archive.write(path, path.relative_to(ROOT).as_posix())
    return "\n".join([
        "import base64, importlib, io, sys, zipfile",
        f"zipfile.ZipFile(io.BytesIO(base64.b64decode('{base64.b64encode(buffer.getvalue()).decode()}'))).extractall('{KERNEL_DIR}')",
        f"sys.path.insert(0, '{KERNEL_DIR}')",
        "importlib.invalidate_caches()",
        "import tinytorch",
        "print(tinytorch.__file__)",
    ])


# Run in the kernel after the Use cell: each entry's accuracy and latency measured again, here
# without the learner's measure_entry (plain NumPy and the clock), to compare with what was submitted.
REMEASURE = f"""
import json, statistics, time
def _again(model, x, y, repeats=15):
    x = Tensor(x)
    with no_grad():
        accuracy = float(np.mean(np.argmax(model(x).data, axis=1) == y))
        model(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return {{"accuracy": accuracy, "fastest_s": min(times), "slowest_s": max(times)}}
print('{MARK}' + json.dumps({{"submissions": submissions,
                             "again": {{d: _again(m, images[held_out], labels[held_out]) for d, m in entries.items()}}}}))
"""


def kernel_json(output):
    line = next((line for line in output.splitlines() if line.startswith(MARK)), None)
    assert line, output
    return json.loads(line[len(MARK):])


def best_per_event(submissions, course):
    """{event: submission}: what tito keeps, the submissions taken in order (a later one replaces the
    kept one only when strictly better, qualifying first)."""
    best = {}
    for sub in submissions:
        record = dict(sub, id=f"submission:{sub['event']}")
        if sub["event"] not in best or olympics.better(sub["event"], course, record, best[sub["event"]]):
            best[sub["event"]] = record
    return best


def shown(number):
    """A score as the dashboard shows it (toPrecision(4)), read back as a float."""
    return float(f"{number:.4g}")


def cards(page):
    """{event title: (status, detail)} of the dashboard's personal bests, once it has drawn them."""
    heading = page.get_by_role("heading", name="Torch Olympics: your personal bests")
    heading.wait_for()  # the dashboard draws its cards once the records are read and checked
    section = page.locator("section", has=heading)
    return {card.locator(".title").inner_text(): (card.get_attribute("data-status"), card.locator(".detail").inner_text())
            for card in section.locator(".card").all()}


def test_olympics_submissions_reach_progress_and_the_dashboard(needs_numpy, page, site_url):
    course = Course()
    events, figures_keys = olympics.rules(course)
    page.goto(site_url + notebook_url(NOTEBOOK))
    wait_for_kernel(page)
    assert run_notebook_cell(page, 0).startswith("tito ")  # %load_ext tito
    assert run_cell(page, reference_package()).strip() == f"{KERNEL_DIR}/tinytorch/__init__.py"
    for label, code in notebook_exports(Course(INSTRUCTOR_COURSE).notebook("20", instructor=True)):
        output = run_cell(page, code)
        assert "Traceback" not in output and "Error" not in output, f"module 20's solution ({label}) failed:\n{output}"

    output = run_notebook_cell(page, USE_CELL, timeout=300_000)
    assert "Traceback" not in output, output
    lines = [json.loads(line) for line in output.splitlines()]
    assert [(line["event"], line["description"]) for line in lines] == [
        (event, description) for description in BYTES for event in events], output
    output = run_notebook_cell(page, SUBMIT_CELL)
    assert "Traceback" not in output and "not kept" not in output, output
    said = [line.partition(":")[0] for line in output.splitlines() if ": your best is " in line]
    assert said == list(events), output  # one line per event

    kernel = kernel_json(run_cell(page, REMEASURE, timeout=120_000))
    submissions, again = kernel["submissions"], kernel["again"]
    expected = best_per_event(submissions, course)
    records = read_progress(page)
    kept = {key.partition(":")[2]: record for key, record in records.items() if key.startswith("submission:")}
    assert sorted(kept) == sorted(events), records.keys()
    for event, record in kept.items():
        sub = expected[event]
        # what the kernel submitted, measured in this run: sizes from the architecture, accuracy and
        # latency measured again apart from measure_entry. A median latency cannot be under half the
        # fastest run measured again, nor (on a busy machine too) over 4x the slowest: an entry made to
        # look faster, or its baseline slower, than it is fails.
        assert (record["description"], record["figures"], record["score"], record["qualifies"]) == \
            (sub["description"], sub["figures"], sub["score"], sub["qualifies"]), (event, record, sub)
        assert record["attempts"] == len(BYTES), record
        figures, remeasured = record["figures"], again[record["description"]]
        assert sorted(figures) == sorted(figures_keys), figures
        assert figures["bytes"] == BYTES[record["description"]] and figures["baseline_bytes"] == BYTES["float32"], figures
        assert figures["accuracy"] == remeasured["accuracy"], (figures, remeasured)
        for key, runs in (("latency_s", remeasured), ("baseline_latency_s", again["float32"])):
            assert runs["fastest_s"] / 2 <= figures[key] <= runs["slowest_s"] * 4, (event, key, figures, runs)
        assert record["checksum"] == olympics.checksum(figures) and olympics.forged(record, course) == "", record
    assert all(expected[event]["qualifies"] for event in events), expected  # each event's best entry qualifies

    # a submission whose figures were edited after it was made is refused by tito, and nothing changes
    sprint = expected["latency_sprint"]
    edited = {k: sprint[k] for k in sprint if k != "id"}
    edited["figures"] = dict(edited["figures"], latency_s=edited["figures"]["latency_s"] / 10)
    output = run_cell(page, f"import json\nsubmit(json.loads({json.dumps(json.dumps(edited))}))")
    assert "latency_sprint submission is not kept: its figures do not match their checksum" in output, output
    assert read_progress(page)["submission:latency_sprint"] == records["submission:latency_sprint"]

    page.goto(site_url)
    shown_cards = cards(page)
    assert sorted(shown_cards) == sorted(event["title"] for event in events.values()), shown_cards
    for name, event in events.items():
        record = kept[name]
        status, detail = shown_cards[event["title"]]
        figure = "score" if event["rank"] == "all_around" else event["rank"]
        match = re.fullmatch(rf"{figure} (\S+) · {re.escape(record['description'])} · {len(BYTES)} submitted", detail)
        assert status == "qualifies" and match and float(match[1]) == shown(record["score"]), (name, status, detail, record)

    # the same record edited in the browser's storage (a faster latency, its score to match, its
    # checksum left): the dashboard flags it and shows no score for it; the other events stay
    record = dict(kept["latency_sprint"])
    record["figures"] = dict(record["figures"], latency_s=record["figures"]["latency_s"] / 10)
    record["score"] = record["figures"]["latency_s"]
    page.evaluate("""record => new Promise((resolve, reject) => {
        const open = indexedDB.open("tinytorch");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const tx = open.result.transaction("progress", "readwrite");
            tx.objectStore("progress").put(record);
            tx.oncomplete = () => { open.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
        };
    })""", record)
    page.reload()
    shown_cards = cards(page)
    status, detail = shown_cards["Latency Sprint"]
    assert status == "flagged" and "its figures do not match their checksum" in detail, (status, detail)
    assert f"{shown(record['score'])}" not in detail and "latency_s" not in detail, detail
    assert all(shown_cards[events[name]["title"]][0] == "qualifies" for name in events if name != "latency_sprint"), shown_cards

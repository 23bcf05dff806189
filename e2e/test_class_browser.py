"""The instructor's class report (site/class.html) and what the dashboard shows of a class and of
the Torch Olympics. Thirty progress files are written here with tito's own record makers, some
damaged and some forged; the page must count the good ones and flag the others with why."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lite.build import course_json
from test_dashboard import PUT_RECORDS, card, dashboard, open_page, status  # noqa: F401 (dashboard: a fixture)
from tinytorch.core.capstone import make_submission
from tito import progress
from tito.course import Course

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT / "curriculum")
DATA = course_json(True)
CHECKS, ORDER = DATA["checks"], COURSE.written()
GATE = COURSE.milestones["01"]["gate"]
VECTORS = json.loads((ROOT / "tests" / "fixtures" / "olympics-checksums.json").read_text())["vectors"]
AT = "2025-03-01T09:00:00+00:00"
FIGURES = {"accuracy": 0.95, "bytes": 3000, "latency_s": 0.001, "baseline_bytes": 9640, "baseline_latency_s": 0.002}


def learner(i):
    """Learner i's records: modules 00.. completed (i % 8 of them), the next one half done, milestone 01
    passed or not, and for learners 1-6 a Latency Sprint submission (6's does not qualify)."""
    records = {}
    for n, mid in enumerate(ORDER[:i % 8]):
        for attempt in range(1 + i % 3):  # failing attempts first, then all checks pass
            passed = CHECKS[mid] if attempt == i % 3 else 0
            records[f"module:{mid}"] = progress.module_attempt(records.get(f"module:{mid}"), mid, passed, CHECKS[mid], AT)
    mid = ORDER[i % 8]
    records[f"module:{mid}"] = progress.module_attempt(None, mid, CHECKS[mid] // 2, CHECKS[mid], AT)
    if i % 4 in (0, 1):
        records["milestone:01"] = progress.milestone_attempt(None, "01", "accuracy", 0.97 if i % 4 == 0 else 0.5, GATE, 1.0, AT)
    if 1 <= i <= 6:
        figures = dict(FIGURES, latency_s=0.001 * i, accuracy=0.5 if i == 6 else 0.95)
        records["submission:latency_sprint"] = progress.submission_attempt(
            None, make_submission("latency_sprint", figures, "me", f"model {i}"), COURSE, AT)
    return records


def write(folder, name, records):
    path = folder / f"{name}.json"
    path.write_text(json.dumps(progress.document(records, AT), indent=1))
    return path


# file name -> what the flag must say
FLAGGED = {
    "broken-1.json": "not valid JSON",
    "broken-2.json": "not valid JSON",
    "not-passed.json": 'Record "module:00" looks edited or damaged: it is "completed" but its last result is 1 of',
    "total-1.json": "Module 01's result claims 3 checks, but the module has",
    "total-2.json": "Module 00's result claims 1 checks, but the module has",
    "gate.json": f"Milestone 01's result claims the gate 0.5, but its gate is {GATE}.",
    "checksum.json": "The Latency Sprint submission is forged: its figures do not match their checksum.",
    "score.json": "The Latency Sprint submission is forged: its score does not follow from its figures.",
}


@pytest.fixture
def class_files(tmp_path):
    """30 progress files: learner-01 ... learner-22, and the 8 of FLAGGED."""
    folder = tmp_path / "files"
    folder.mkdir()
    paths = [write(folder, f"learner-{i:02d}", learner(i)) for i in range(1, 23)]
    good = learner(7)  # seven completed modules
    text = json.dumps(progress.document(good, AT))
    (folder / "broken-1.json").write_text(text[: len(text) // 2])  # cut short
    (folder / "broken-2.json").write_text("")
    completed = dict(good["module:00"], last_result={"passed": 1, "total": CHECKS["00"], "at": AT})
    forged_total = {"module:01": progress.module_attempt(None, "01", 3, 3, AT)}  # "3 of 3": all passed, of a made-up total
    sub = good_sub = learner(1)["submission:latency_sprint"]
    variants = {
        "not-passed": {**good, "module:00": completed},
        "total-1": {**good, **forged_total},
        "total-2": {**good, "module:00": progress.module_attempt(None, "00", 1, 1, AT)},
        "gate": {**good, "milestone:01": progress.milestone_attempt(None, "01", "accuracy", 0.6, 0.5, 1.0, AT)},
        "checksum": {**good, "submission:latency_sprint": {**sub, "figures": {**sub["figures"], "latency_s": 0.0001}}},
        "score": {**good, "submission:latency_sprint": {**good_sub, "score": 0.00001}},
    }
    paths += [write(folder, name, records) for name, records in variants.items()]
    paths += [folder / "broken-1.json", folder / "broken-2.json"]
    assert len(paths) == 30
    return paths


def cell(page, learner, column):
    """The text of `learner`'s cell in the column headed `column`."""
    headings = page.locator("#progress thead th").all_inner_texts()
    index = [h.rstrip(" ▲▼") for h in headings].index(column)
    row = page.locator("#progress tbody tr", has=page.locator("th", has_text=re.compile(f"^{learner}$")))
    return row.locator("th, td").nth(index).inner_text()


def test_the_class_report_counts_good_files_and_flags_forged_ones(page, dashboard, class_files, tmp_path):
    page.goto(dashboard() + "class.html")
    page.wait_for_selector("#choose:enabled")
    page.set_input_files("#files", class_files)
    expect(page.locator("#summary")).to_have_text("30 files read: 22 learners counted, 8 flagged.")
    flagged = page.locator("#flagged li").all_inner_texts()
    assert len(flagged) == 8
    for name, why in FLAGGED.items():
        assert any(line.startswith(f"{name}: ") and why in line for line in flagged), (name, flagged)

    assert page.locator("#progress tbody tr").count() == 22
    # learner 10: modules 00-01 completed on the 2nd attempt (10 % 3 = 1), 02 half done; milestone 01 not passed
    assert [cell(page, "learner-10", c) for c in ("Modules completed", "00", "01", "02", "03")] == \
        ["2", "✓ (2)", "✓ (2)", f"{CHECKS['02'] // 2}/{CHECKS['02']} (1)", ""]
    assert cell(page, "learner-08", "M01") == "✓ 0.970 (1)" and cell(page, "learner-09", "M01") == "0.500 (1)"

    # Sort by modules completed, from the keyboard: most first after a second press.
    page.get_by_role("button", name="sort by Modules completed").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert page.locator("#progress th[aria-sort]").inner_text().startswith("Modules completed")
    order = page.locator("#progress tbody tr th").all_inner_texts()
    assert order[:3] == ["learner-07", "learner-15", "learner-06"], order  # 7 completed, 7, then 6 (ties by name)

    with page.expect_download() as download:
        page.click("#csv")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:4] == ["Learner", "Modules completed", "module 00 Welcome", "module 01 Tensor"]
    assert [r[0] for r in rows[1:4]] == order[:3] and len(rows) == 23
    assert rows[1:] == [page.locator("#progress tbody tr").nth(i).locator("th, td").all_inner_texts() for i in range(22)]

    board = [r.locator("td, th").all_inner_texts() for r in page.locator("#leaderboard tbody tr").all()]
    assert board == [["Latency Sprint", str(n), f"learner-{n:02d}", str(0.001 * n), f"model {n}"] for n in range(1, 6)]


def test_javascript_computes_module_20s_checksum(page, dashboard):
    page.goto(dashboard() + "class.html")
    said = page.evaluate("""async (vectors) => {
        const { checksum } = await import("./olympics.js");
        return Promise.all(vectors.map((v) => checksum(v.figures)));
    }""", VECTORS)
    assert said == [v["checksum"] for v in VECTORS]


def test_the_dashboard_shows_personal_bests_and_the_class_schedule(page, dashboard):
    url = dashboard(klass={"unlock_all": False, "opens": {"05": "2000-01-01", "06": "2999-01-01"}})
    open_page(page, url)
    page.evaluate(PUT_RECORDS, [learner(3)["submission:latency_sprint"]])
    open_page(page, url)
    assert [status(page, n) for n in ("01", "05", "06")] == ["locked", "available", "locked"]
    assert "opens on 2999-01-01" in card(page, "06").inner_text()
    best = page.locator(".card", has_text="Latency Sprint")
    assert best.locator(".status").inner_text().lower() == "qualifies"
    assert "latency_s 0.003000 · model 3 · 1 submitted" in best.inner_text()

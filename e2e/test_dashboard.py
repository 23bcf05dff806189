"""The landing page (site/): course map with statuses from IndexedDB, export / import of progress.

Each test serves site/ with a course.json made here from curriculum/course.toml, under a
subpath (/course/tinytorch/), as the site build does at its root. Records are written straight
into IndexedDB, as the grader in the kernel does.
"""

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lite.build import course_json
from tito.course import NO_CLASS

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
FIXTURES = ROOT / "tests" / "fixtures" / "progress"
SUBPATH = "course/tinytorch/"
COURSE = tomllib.loads((ROOT / "curriculum" / "course.toml").read_text())
SOON = next((id for tier in COURSE["tier"] for id in tier["modules"] if "source" not in COURSE["modules"][id]), None)  # not written yet

PUT_RECORDS = """async (records) => {
  const db = await new Promise((ok, fail) => {
    const request = indexedDB.open("tinytorch");
    request.onupgradeneeded = () => request.result.createObjectStore("progress", {keyPath: "id"});
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  await new Promise((ok, fail) => {
    const tx = db.transaction("progress", "readwrite");
    for (const record of records) tx.objectStore("progress").put(record);
    tx.oncomplete = ok;
    tx.onerror = () => fail(tx.error);
  });
  db.close();
}"""

GET_RECORDS = """async () => {
  const db = await new Promise((ok, fail) => {
    const request = indexedDB.open("tinytorch");
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  const records = await new Promise((ok, fail) => {
    const request = db.transaction("progress").objectStore("progress").getAll();
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  db.close();
  return records;
}"""

BLOCK_INDEXEDDB = """
IDBFactory.prototype.open = function () {
  throw new DOMException("The user denied permission to access the database.", "SecurityError");
};
"""


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def by_id(records):
    return {record["id"]: record for record in records}


@pytest.fixture
def dashboard(tmp_path, serve):
    """dashboard(numpy_bundled=True, klass=NO_CLASS) -> the URL of the landing page, served under a
    subpath, with a course.json made by the site build's course_json (klass: a class's settings)."""

    def dashboard(numpy_bundled=True, klass=NO_CLASS):
        root = tmp_path / f"numpy_{numpy_bundled}_{len(list(tmp_path.iterdir()))}"
        site = root / SUBPATH
        shutil.copytree(SITE, site)
        (site / "course.json").write_text(json.dumps(course_json(numpy_bundled, klass)))  # as the site build writes it
        (site / "notebooks").mkdir()
        (site / "notebooks" / "index.html").write_text("<!doctype html><title>Jupyter Notebook stand-in</title>")
        return serve(root) + SUBPATH

    return dashboard


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector("#import:enabled")  # the course map is drawn and the progress read


def card(page, number):
    return page.locator(".card", has=page.locator(".number", has_text=re.compile(f"^{number}$")))


def status(page, number):
    return card(page, number).locator(".status").inner_text().lower()


def import_file(page, path):
    with page.expect_file_chooser() as chooser:
        page.click("#import")
    chooser.value.set_files(path)


def export_file(page, tmp_path):
    with page.expect_download() as download:
        page.click("#export")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_empty_progress_opens_module_00_only(page, dashboard):
    open_page(page, dashboard())
    assert status(page, "00") == "available"
    assert card(page, "00").locator("a").get_attribute("href") == "notebooks/index.html?path=00_welcome.ipynb"
    assert status(page, "01") == "locked"
    assert card(page, "01").locator("a").count() == 0
    assert SOON is None or status(page, SOON) == "coming soon"
    assert status(page, "1958") == "locked"
    assert "needs modules 01, 02" in card(page, "1958").inner_text()
    assert page.locator("#next a").inner_text() == "Start with 00 Welcome"
    assert page.locator("#numpy-notice").is_hidden()
    assert page.locator("#storage-notice").is_hidden()


def test_statuses_come_from_indexeddb(page, dashboard):
    open_page(page, dashboard())
    page.evaluate(PUT_RECORDS, fixture("valid.json")["records"])
    open_page(page, page.url)
    assert [status(page, n) for n in ["00", "01", "02", "03"]] == ["completed", "completed", "started", "locked"]
    assert "4 of 9 checks passed" in card(page, "02").inner_text()
    assert card(page, "02").locator("a").get_attribute("href") == "notebooks/index.html?path=02_activations.ipynb"
    assert status(page, "1958") == "not passed"
    assert "accuracy 0.875 (pass mark 0.95)" in card(page, "1958").inner_text()
    assert page.locator("#next a").inner_text() == "Continue with 02 Activations"


def test_unlock_all_opens_every_module(page, dashboard):
    open_page(page, dashboard())
    page.evaluate(PUT_RECORDS, [{"id": "settings", "kind": "settings", "unlock_all": True,
                                 "updated_at": "2025-03-01T08:00:00Z"}])
    open_page(page, page.url)
    assert {status(page, n) for n in ["00", "01", "05", "08"]} == {"available"}
    assert SOON is None or status(page, SOON) == "coming soon"


def test_export_then_import_into_a_fresh_browser(page, new_context, dashboard, tmp_path):
    url = dashboard()
    records = fixture("valid.json")["records"]
    open_page(page, url)
    page.evaluate(PUT_RECORDS, records)
    saved = export_file(page, tmp_path)
    exported = json.loads(saved.read_text())
    assert exported["schema"] == "tinytorch-progress" and exported["version"] == 3
    assert exported["records"] == sorted(records, key=lambda r: r["id"])

    fresh = new_context().new_page()
    open_page(fresh, url)
    assert fresh.evaluate(GET_RECORDS) == []
    import_file(fresh, saved)
    expect(fresh.locator("#message")).to_have_text("Imported 5 of 5 records.")
    assert by_id(fresh.evaluate(GET_RECORDS)) == by_id(records)
    assert status(fresh, "01") == "completed" and status(fresh, "02") == "started"


@pytest.mark.parametrize("name, problem", [
    ("malformed.json", "This file is not valid JSON"),
    ("newer.json", "made by a newer TinyTorch (format version 4, this site reads version 3); update the site"),
    ("tampered.json", 'Record "module:01" looks edited or damaged: it is "completed" but its last result is 5 of 12.'),
    ("foreign.json", 'This is not a TinyTorch progress file: it has no "schema": "tinytorch-progress".'),
])
def test_invalid_files_are_rejected_and_change_nothing(page, dashboard, name, problem):
    before = fixture("valid.json")["records"]
    open_page(page, dashboard())
    page.evaluate(PUT_RECORDS, before)
    open_page(page, page.url)
    import_file(page, FIXTURES / name)
    message = page.locator("#message")
    expect(message).to_contain_text("Not imported: ")
    assert problem in message.inner_text()
    assert message.inner_text().endswith("Your progress is unchanged.")
    assert by_id(page.evaluate(GET_RECORDS)) == by_id(before)
    assert status(page, "02") == "started"


# --- the rulebook: the shared fixtures, with the verdicts tests/test_progress.py holds tito to -----

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())

VERDICTS = """async (files) => {
  const { parseExport } = await import("./progress.js");
  const course = await (await fetch("course.json")).json();
  const said = {};
  for (const [name, bytes] of Object.entries(files)) {
    try {
      said[name] = { records: parseExport(new Uint8Array(bytes), course).length };
    } catch (error) {
      said[name] = { refused: error.message };
    }
  }
  return said;
}"""


def test_every_shared_fixture_gets_the_verdict_written_beside_it(page, dashboard):
    open_page(page, dashboard())
    said = page.evaluate(VERDICTS, {name: list((FIXTURES / name).read_bytes()) for name in EXPECTED})
    wrong = {}
    for name, expected in EXPECTED.items():
        if "records" in expected:
            right = said[name] == {"records": expected["records"]}
        else:  # the dashboard starts its sentences with a capital
            fragment, message = expected["refused"], said[name].get("refused", "")
            right = (fragment in message or fragment[0].upper() + fragment[1:] in message) and len(message) < 300
        if not right:
            wrong[name] = (expected, said[name])
    assert len(EXPECTED) >= 30 and not wrong, "\n".join(f"{name}: expected {e}, got {g}" for name, (e, g) in wrong.items())


TOO_BIG = """async () => {
  const { parseExport, MAX_BYTES } = await import("./progress.js");
  try {
    parseExport(new Uint8Array(MAX_BYTES + 1), {});
    return "accepted";
  } catch (error) {
    return error.message;
  }
}"""


def test_a_file_over_the_size_limit_is_refused_unread(page, dashboard):
    open_page(page, dashboard())
    assert page.evaluate(TOO_BIG) == "This file is over 50000000 bytes, too big for a progress file."


def test_the_dashboard_takes_back_every_file_it_exports(page, new_context, dashboard, tmp_path):
    """IndexedDB may hold a record the rules refuse (another version wrote it): it is neither
    shown nor exported, so the export imports again."""
    url = dashboard()
    records = fixture("valid.json")["records"]
    stranger = fixture("unknown-milestone.json")["records"][-1]  # milestone:07, which this course has not
    open_page(page, url)
    page.evaluate(PUT_RECORDS, [*records, stranger])
    saved = export_file(page, tmp_path)
    assert sorted(r["id"] for r in json.loads(saved.read_text())["records"]) == sorted(r["id"] for r in records)

    fresh = new_context().new_page()
    open_page(fresh, url)
    import_file(fresh, saved)
    expect(fresh.locator("#message")).to_have_text("Imported 5 of 5 records.")


def test_a_hostile_file_gets_a_short_message(page, dashboard):
    open_page(page, dashboard())
    import_file(page, FIXTURES / "long-id.json")
    message = page.locator("#message")
    expect(message).to_contain_text("this course has no module with the id")
    assert len(message.inner_text()) < 300 and message.inner_text().endswith("Your progress is unchanged.")


MERGE = """async (pairs) => {
  const { newer } = await import("./progress.js");
  return pairs.map(([incoming, stored]) => newer(incoming, stored));
}"""


def test_the_merge_picks_the_same_winner_as_tito(page, dashboard):
    """Every pair of records from these times (microseconds apart, other offsets, year 0050) and
    statuses: the dashboard's newer() agrees with tito.progress.newer()."""
    from tito import progress

    times = ["2025-03-01T09:00:00.1234Z", "2025-03-01T09:00:00.1239+00:00", "2025-03-01T09:00:00.123Z",
             "2025-03-01T10:00:00+01:00", "2025-03-01T09:00:00Z", "2025-03-01T09:00:00.000001Z",
             "2025-02-28T23:30:00-09:30", "0050-03-01T10:00:00Z"]
    records = [{**fixture("valid.json")["records"][which], "updated_at": at} for at in times for which in (0, 2)]  # completed, started
    pairs = [(a, b) for a in records for b in records]
    open_page(page, dashboard())
    dashboard_says = page.evaluate(MERGE, pairs)
    wrong = [(a["updated_at"], a["status"], b["updated_at"], b["status"]) for (a, b), said in zip(pairs, dashboard_says)
             if said != progress.newer(a, b)]
    assert not wrong, wrong


def test_import_keeps_newer_records_and_never_undoes_a_completion(page, dashboard):
    incoming = by_id(fixture("valid.json")["records"])
    stored = {
        # newer than the file's: stays
        "module:02": {**incoming["module:02"], "status": "completed", "first_completed_at": "2025-04-01T00:00:00Z",
                      "last_result": {"passed": 9, "total": 9, "at": "2025-04-01T00:00:00Z"},
                      "updated_at": "2025-04-01T00:00:00Z"},
        # older, but passed while the file's run did not pass: a passed milestone is never undone
        "milestone:01": {**incoming["milestone:01"], "attempts": 7, "passed": True, "first_passed_at": "2025-01-01T00:00:00Z",
                         "result": {**incoming["milestone:01"]["result"], "value": 0.97}, "updated_at": "2025-01-01T00:00:00Z"},
        # newer, but only started while the file has it completed: the completion is imported
        "module:00": {**incoming["module:00"], "status": "started", "first_completed_at": None,
                      "updated_at": "2025-05-01T00:00:00Z"},
        # older than the file's: replaced
        "settings": {**incoming["settings"], "unlock_all": True, "updated_at": "2025-01-01T00:00:00Z"},
    }
    open_page(page, dashboard())
    page.evaluate(PUT_RECORDS, list(stored.values()))
    import_file(page, FIXTURES / "valid.json")
    expect(page.locator("#message")).to_have_text(
        "Imported 3 of 5 records (2 kept as they were: yours are newer or completed).")
    after = by_id(page.evaluate(GET_RECORDS))
    assert after == {**incoming, "module:02": stored["module:02"], "milestone:01": stored["milestone:01"]}


def test_numpy_notice_when_numpy_is_not_bundled(page, dashboard):
    open_page(page, dashboard(numpy_bundled=False))
    notice = page.locator("#numpy-notice")
    assert notice.is_visible()
    assert " ".join(notice.inner_text().split()) == (
        "NumPy is not bundled with this site, so modules 01 and later cannot run here yet. To add it, "
        "rebuild with: python -m lite build --pyodide-dist <Pyodide 314.0.3 distribution or its NumPy wheel>")
    assert status(page, "00") == "available"


def test_works_under_a_subpath_and_in_an_iframe(page, dashboard):
    url = dashboard()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, url)
    assert requested and all(u.startswith(url) for u in requested), requested
    page.locator("#next a").click()
    page.wait_for_url(url + "notebooks/index.html?path=00_welcome.ipynb")
    assert page.title() == "Jupyter Notebook stand-in"

    page.set_content(f'<iframe src="{url}" width="360" height="600" title="TinyTorch"></iframe>')
    assert status(page.frame_locator("iframe"), "00") == "available"


def test_keyboard_reaches_every_link_and_button(page, dashboard):
    open_page(page, dashboard())
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    # Locked modules are no stops: nothing to open there yet.
    assert reached == ["Start with 00 Welcome", "Welcome", "Export progress", "Import progress…"]
    page.keyboard.press("Shift+Tab")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.startswith("tinytorch-progress-")


def test_blocked_indexeddb_is_explained_and_export_still_works(page, dashboard, tmp_path):
    page.add_init_script(BLOCK_INDEXEDDB)
    open_page(page, dashboard())
    notice = page.locator("#storage-notice")
    assert notice.is_visible()
    assert "will not let the page save your progress (SecurityError" in notice.inner_text()
    assert "use Export progress to save a copy" in notice.inner_text()
    assert status(page, "00") == "available"

    import_file(page, FIXTURES / "valid.json")  # kept in the page only, so it can still be exported
    expect(page.locator("#message")).to_have_text("Imported 5 of 5 records.")
    assert status(page, "01") == "completed"
    exported = json.loads(export_file(page, tmp_path).read_text())
    assert by_id(exported["records"]) == by_id(fixture("valid.json")["records"])


def test_built_site_links_to_notebooks_it_has(page, site_url, site_dir):
    open_page(page, site_url)
    assert status(page, "00") == "available"
    hrefs = page.locator("a[href^='notebooks/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "notebooks/index.html?path=00_welcome.ipynb" in hrefs
    for href in hrefs:
        notebook = href.removeprefix("notebooks/index.html?path=")
        assert (site_dir / "files" / notebook).is_file(), f"{href}: the site has no {notebook}"
    assert (site_dir / "notebooks" / "index.html").is_file()

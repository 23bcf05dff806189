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

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
FIXTURES = ROOT / "tests" / "fixtures" / "progress"
SUBPATH = "course/tinytorch/"

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
    """dashboard(numpy_bundled=True) -> the URL of the landing page, served under a subpath."""

    def dashboard(numpy_bundled=True):
        course = tomllib.loads((ROOT / "curriculum" / "course.toml").read_text())
        notebooks = [f"{id}_{m['name']}.ipynb" for id, m in course["modules"].items() if "source" in m]
        notebooks += [f"milestone_{id}_{m['name']}.ipynb" for id, m in course["milestones"].items() if "source" in m]
        root = tmp_path / f"numpy_{numpy_bundled}"
        site = root / SUBPATH
        shutil.copytree(SITE, site)
        (site / "course.json").write_text(json.dumps({**course, "numpy_bundled": numpy_bundled, "notebooks": notebooks}))
        (site / "lab").mkdir()
        (site / "lab" / "index.html").write_text("<!doctype html><title>JupyterLab stand-in</title>")
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
    assert card(page, "00").locator("a").get_attribute("href") == "lab/index.html?path=00_welcome.ipynb"
    assert status(page, "01") == "locked"
    assert card(page, "01").locator("a").count() == 0
    assert status(page, "09") == "coming soon"
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
    assert card(page, "02").locator("a").get_attribute("href") == "lab/index.html?path=02_activations.ipynb"
    assert status(page, "1958") == "not passed"
    assert "accuracy 0.875 (pass mark 0.95)" in card(page, "1958").inner_text()
    assert page.locator("#next a").inner_text() == "Continue with 02 Activations"


def test_unlock_all_opens_every_module(page, dashboard):
    open_page(page, dashboard())
    page.evaluate(PUT_RECORDS, [{"id": "settings", "kind": "settings", "unlock_all": True,
                                 "updated_at": "2025-03-01T08:00:00Z"}])
    open_page(page, page.url)
    assert {status(page, n) for n in ["00", "01", "05", "08"]} == {"available"}
    assert status(page, "09") == "coming soon"


def test_export_then_import_into_a_fresh_browser(page, new_context, dashboard, tmp_path):
    url = dashboard()
    records = fixture("valid.json")["records"]
    open_page(page, url)
    page.evaluate(PUT_RECORDS, records)
    saved = export_file(page, tmp_path)
    exported = json.loads(saved.read_text())
    assert exported["schema"] == "tinytorch-progress" and exported["version"] == 1
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
    ("newer.json", "made by a newer TinyTorch (format version 2, this site reads version 1); update the site"),
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


PARSE_EXPORT = """async (text) => {
  const { parseExport } = await import("./progress.js");
  const course = await (await fetch("course.json")).json();
  try {
    return parseExport(text, course).length;
  } catch (error) {
    return error.message;
  }
}"""


def edited(index, **changes):
    """valid.json, as text, with record `index` changed."""
    file = fixture("valid.json")
    file["records"][index].update(changes)
    return json.dumps(file)


BAD_FILES = [
    (edited(2, id="module:99"), 'Record "module:99" looks edited or damaged: this course has no module with the id "module:99".'),
    (edited(2, id="module:02:x"), "this course has no module"),
    (edited(2, id="milestone:02"), "this course has no module"),
    (edited(2, status="done"), 'status "done" is not "started" or "completed"'),
    (edited(2, last_result={"passed": 10, "total": 9, "at": "2025-03-02T08:15:00Z"}), "last_result says 10 of 9 checks passed"),
    (edited(2, attempts=-1), "attempts -1 is not a whole number >= 0"),
    (edited(2, updated_at="yesterday"), 'updated_at "yesterday" is not an ISO 8601 time'),
    (edited(2, updated_at="2025-13-02T08:15:00Z"), "is not an ISO 8601 time"),
    (edited(2, updated_at="2025-03-02T08:15:00"), "is not an ISO 8601 time"),  # no time zone: ambiguous
    (edited(2, updated_at="2025-02-30T08:15:00Z"), "is not an ISO 8601 time"),  # no such day (Date.parse takes it)
    (edited(2, updated_at="2025-03-02T24:00:00Z"), "is not an ISO 8601 time"),
    (edited(0, first_completed_at=None), 'it is "completed" but has no first_completed_at'),
    (edited(3, passed=True, first_passed_at="2025-03-02T09:00:00Z"), "it is \"passed\" but accuracy 0.875 is below the gate 0.95"),
    (edited(4, kind="preferences"), 'kind "preferences" is not module, milestone or settings'),
    (edited(4, unlock_all="yes"), "unlock_all must be true or false"),
    (edited(1, id="module:00"), 'Record "module:00" looks edited or damaged: it appears twice.'),
    (json.dumps({**fixture("valid.json"), "records": {}}), 'This progress file has no "records" list.'),
    (json.dumps({**fixture("valid.json"), "version": "1"}), 'unknown format version ("1")'),
    (json.dumps([1, 2]), "This is not a TinyTorch progress file"),
]


def test_import_check_names_the_problem(page, dashboard):
    open_page(page, dashboard())
    assert page.evaluate(PARSE_EXPORT, (FIXTURES / "valid.json").read_text()) == 5
    wrong = [(problem, said) for text, problem in BAD_FILES if problem not in (said := page.evaluate(PARSE_EXPORT, text))]
    assert not wrong, "\n".join(f"expected {problem!r}, got {said!r}" for problem, said in wrong)


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
    page.wait_for_url(url + "lab/index.html?path=00_welcome.ipynb")
    assert page.title() == "JupyterLab stand-in"

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
    hrefs = page.locator("a[href^='lab/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "lab/index.html?path=00_welcome.ipynb" in hrefs
    for href in hrefs:
        notebook = href.removeprefix("lab/index.html?path=")
        assert (site_dir / "files" / notebook).is_file(), f"{href}: the site has no {notebook}"
    assert (site_dir / "lab" / "index.html").is_file()

"""A full backup through the dashboard: the learner completes module 00 in one browser, exports,
and imports the file into a fresh browser; their notebook (with what they typed), their
tinytorch package and their statuses are back, and the package imports in a new kernel. Needs
no NumPy: module 00's code is plain Python."""

import json
from datetime import datetime, timezone

from playwright.sync_api import expect

from site_tools import complete_module, open_from_dashboard, run_cell, run_notebook_cell
from test_dashboard import FIXTURES, PUT_RECORDS, card, dashboard, export_file, import_file, open_page, status  # noqa: F401 (fixture)

MARKER = "typed_by_the_learner = 'kept in the backup'"

# {path: text} of JupyterLite's drive (IndexedDB through localforage), read from the dashboard's page.
DRIVE = """async () => {
  const name = `JupyterLite Storage - ${new URL(".", location.href).pathname}`;
  if (!(await indexedDB.databases()).some((db) => db.name === name)) return {};
  const db = await new Promise((ok, fail) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  const records = await new Promise((ok, fail) => {
    const request = db.transaction("files").objectStore("files").getAll();
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  db.close();
  const text = (r) => r.format === "json" ? JSON.stringify(r.content)
    : r.format === "base64" ? new TextDecoder().decode(Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0))) : r.content;
  return Object.fromEntries(records.filter((r) => r.type !== "directory").map((r) => [r.path, text(r)]));
}"""

PACKAGE = ["tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/welcome.py"]


def test_export_then_import_into_a_fresh_browser_restores_notebooks_package_and_statuses(new_context, site_url, tmp_path):
    page = new_context().new_page()
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    run_notebook_cell(page, 0)  # %load_ext tito
    run_cell(page, MARKER)
    assert "module 00 completed" in complete_module(page, "00")
    page.keyboard.press("Control+s")
    open_page(page, site_url)
    for _ in range(50):  # JupyterLite saves in the background
        if "typed_by_the_learner" in page.evaluate(DRIVE).get("00_welcome.ipynb", ""):
            break
        page.wait_for_timeout(200)
    backup = export_file(page, tmp_path)
    exported = json.loads(backup.read_text())
    assert exported["version"] == 3 and [r["id"] for r in exported["records"]] == ["module:00"]
    paths = [f["path"] for f in exported["files"]]
    assert paths == ["00_welcome.ipynb", *PACKAGE], paths
    expect(page.locator("#message")).to_have_text("Exported 1 records and 4 files (your notebooks and tinytorch package).")
    before = page.evaluate(DRIVE)

    fresh = new_context().new_page()
    open_page(fresh, site_url)
    assert status(fresh, "00") == "available" and fresh.evaluate(DRIVE) == {}
    import_file(fresh, backup)
    expect(fresh.locator("#message")).to_have_text(
        "Imported 1 of 1 records. Restored 4 of 4 files (your notebooks and tinytorch package).")
    assert status(fresh, "00") == "completed" and status(fresh, "01") == "available"
    after = fresh.evaluate(DRIVE)
    assert {path: after[path] for path in PACKAGE} == {path: before[path] for path in PACKAGE}
    assert json.loads(after["00_welcome.ipynb"]) == json.loads(before["00_welcome.ipynb"])
    assert "typed_by_the_learner" in after["00_welcome.ipynb"] and "def dot" in after["00_welcome.ipynb"]

    # A hostile file changes nothing; a different version of a notebook is kept beside the learner's.
    import_file(fresh, FIXTURES / "backup-path-traversal.json")
    expect(fresh.locator("#message")).to_contain_text('Not imported: This backup\'s file "../evil.py" is outside your workspace.')
    assert fresh.evaluate(DRIVE) == after
    changed = json.loads(backup.read_text())
    notebook = json.loads(changed["files"][0]["text"])
    notebook["cells"].append({"cell_type": "markdown", "id": "later", "metadata": {}, "source": "written later elsewhere"})
    changed["files"][0]["text"] = json.dumps(notebook)
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    import_file(fresh, tmp_path / "changed.json")
    kept = f"00_welcome (imported {datetime.now(timezone.utc).date().isoformat()}).ipynb"
    expect(fresh.locator("#message")).to_have_text(
        "Imported 0 of 1 records (1 kept as they were: yours are newer or completed). Restored 0 of 4 files (your notebooks "
        f"and tinytorch package); 3 were here already. You have another version of 00_welcome.ipynb: yours is "
        f'kept, and the imported one is "{kept}".')
    both = fresh.evaluate(DRIVE)
    assert both["00_welcome.ipynb"] == after["00_welcome.ipynb"] and "written later elsewhere" in both[kept]

    # The notebook opens with the learner's cells, and their package imports in a new kernel.
    open_from_dashboard(fresh, site_url, "Welcome", "00_welcome.ipynb")
    expect(fresh.locator(".jp-Notebook")).to_contain_text("typed_by_the_learner")
    output = run_cell(fresh, "from tinytorch import dot\nprint(dot([1, 2], [3, 4]))")
    assert output.strip() == "11", output
    listed = run_cell(fresh, "%tito module list").splitlines()
    assert listed[0].startswith("00") and listed[0].endswith("completed") and listed[1].endswith("available"), listed


CHECK = """async ({ names, file }) => {
  const { importedName, MAX_FILE_BYTES, MAX_FILES } = await import("./backup.js");
  const { parseBackup } = await import("./progress.js");
  const course = await (await fetch("course.json")).json();
  const refused = (text) => { try { parseBackup(text, course); return "accepted"; } catch (error) { return error.message; } };
  const big = structuredClone(file);
  big.files[0].text = JSON.stringify({ cells: [], x: "x".repeat(MAX_FILE_BYTES) });
  const lots = structuredClone(file);
  lots.files = Array.from({ length: MAX_FILES + 1 }, (_, n) => ({ path: `${String(n).padStart(2, "0")}_x.ipynb`, text: '{"cells": []}' }));
  return { names: names.map(([path, day, number]) => importedName(path, day, number)),
    huge: refused(JSON.stringify(big)), many: refused(JSON.stringify(lots)), MAX_FILE_BYTES, MAX_FILES };
}"""


def test_the_dashboard_names_imported_copies_and_bounds_files_as_tito_does(page, site_url):
    from tito import backup

    names = json.loads((FIXTURES.parent / "backup-names.json").read_text())["names"]
    open_page(page, site_url)
    said = page.evaluate(CHECK, {"names": names, "file": json.loads((FIXTURES / "valid-backup.json").read_text())})
    assert said["names"] == [name for *_, name in names]
    assert (said["MAX_FILE_BYTES"], said["MAX_FILES"]) == (backup.MAX_FILE_BYTES, backup.MAX_FILES)
    assert said["huge"] == f'This backup\'s file "00_welcome.ipynb" is over {backup.MAX_FILE_BYTES} bytes.', said["huge"]
    assert said["many"] == f"This backup has {backup.MAX_FILES + 1} files, more than the {backup.MAX_FILES} a backup can hold.", said["many"]


def test_modules_completed_without_their_code_are_named_as_the_milestone_runner_names_them(page, dashboard):
    """Records imported without files (a version 1 file) say "completed", but the package lacks the
    code, which is what %tito milestone run uses: the dashboard says so on the cards, like the runner."""
    from tito import progress
    from tito.course import Course

    course = Course()
    open_page(page, dashboard())
    import_file(page, FIXTURES / "valid.json")  # version 1: 00 and 01 completed, no files
    expect(page.locator("#message")).to_have_text("Imported 5 of 5 records.")
    for number in ("00", "01"):
        assert "its code is not in your tinytorch package: open it and run %tito module complete " + number + " again" \
            in card(page, number).inner_text()
    import_file(page, FIXTURES / "valid-backup.json")  # brings module 00's code
    expect(page.locator("#message")).to_contain_text("Restored 4 of 4 files")
    assert "its code is not" not in card(page, "00").inner_text() and "its code is not" in card(page, "01").inner_text()
    assert "checks passed" in card(page, "00").inner_text()

    requires = course.milestones["02"]["requires"]
    at = progress.now()
    page.evaluate(PUT_RECORDS, [progress.module_attempt(None, m, 1, 1, at) for m in requires])
    open_page(page, page.url)
    year = str(course.milestones["02"]["year"])
    assert status(page, year) == "available"
    missing = ", ".join(m for m in requires if m != "00")
    assert card(page, year).locator(".detail").inner_text() == f"needs the code of modules {missing} in your tinytorch package"

"""The built site in Chromium: the learner's path from the landing page to a completed module,
and their progress surviving a reload, an export and an import. Offline: the guard in
conftest.py fails a test on any request beyond 127.0.0.1 or any console error.

One learner completes module 00 once (the `learner` fixture, about 10 s); the tests then look
at what that left behind, in the order a learner would.
"""

import json

import pytest

from site_tools import guarded_context, read_progress, run_cell, wait_for_kernel

# The learner's dot product for module 00 (its TODO), as they would type it.
DOT = '''#| export
def dot(a, b):
    if len(a) != len(b):
        raise ValueError(f"dot: the lists have different lengths, {len(a)} and {len(b)}")
    return sum(x * y for x, y in zip(a, b))
'''


def test_landing_page_shows_an_empty_course(page, site_url, numpy_bundled):
    page.goto(site_url)
    assert page.locator("h1").inner_text() == "TinyTorch"
    first = page.locator(".card", has_text="Welcome")
    assert first.get_attribute("data-status") == "available"
    assert page.locator(".card[data-status='completed']").count() == 0
    assert page.locator("#numpy-notice").is_visible() == (not numpy_bundled)
    assert read_progress(page) == {}


@pytest.fixture(scope="module")
def learner(browser, site_url):
    """A browser context in which module 00 was opened from the dashboard and completed through
    the grader; `.outputs` holds what the notebook printed."""
    context, guard = guarded_context(browser)
    page = context.new_page()
    page.goto(site_url)
    page.locator(".card", has_text="Welcome").get_by_role("link").click()
    page.wait_for_url("**/notebooks/index.html?path=00_welcome.ipynb")
    wait_for_kernel(page)
    context.outputs = {
        "load": run_cell(page, "%load_ext tito"),
        "export": run_cell(page, DOT),
        "dot": run_cell(page, "print(dot([1, 2, 3], [4, 5, 6]))"),
        "complete": run_cell(page, "%tito module complete 00"),
    }
    context.lab = page
    yield context
    context.close()
    guard.check()


def test_module_00_completes_through_the_grader(learner):
    assert learner.outputs["dot"].strip() == "32"
    assert "IndexedDB" in learner.outputs["load"], learner.outputs["load"]
    assert "Traceback" not in learner.outputs["complete"], learner.outputs["complete"]
    record = read_progress(learner.lab)["module:00"]
    assert record["status"] == "completed", record
    assert record["last_result"]["passed"] == record["last_result"]["total"] > 0, record


def test_progress_and_package_survive_a_reload(learner):
    page = learner.lab
    page.reload()
    wait_for_kernel(page)
    assert read_progress(page)["module:00"]["status"] == "completed"
    # The grader wrote the learner's code to tinytorch/ in the notebooks' folder (JupyterLite's
    # storage): a new kernel, started by the reload, imports it from there.
    output = run_cell(page, "import os, tinytorch.core.welcome as w\nprint(os.getcwd(), w.dot([1, 2], [3, 4]))")
    assert output.strip() == "/drive 11", output


def test_dashboard_shows_the_completed_module(learner, site_url):
    page = learner.new_page()
    page.goto(site_url)
    card = page.locator(".card", has_text="Welcome")
    assert card.get_attribute("data-status") == "completed"
    assert page.locator(".card", has_text="Tensor").get_attribute("data-status") == "available"


def export_progress(page, site_url, path):
    page.goto(site_url)
    page.locator(".card").first.wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    download.value.save_as(path)
    return json.loads(path.read_text())


def import_progress(page, path):
    page.locator("#import").wait_for(state="attached")
    page.wait_for_function("() => !document.getElementById('import').disabled")
    page.locator("#import-file").set_input_files(path)
    page.wait_for_function("() => document.getElementById('message').textContent !== ''")
    return page.locator("#message").inner_text()


def test_export_then_import_into_a_fresh_browser(learner, site_url, new_context, tmp_path):
    exported = export_progress(learner.new_page(), site_url, tmp_path / "progress.json")
    assert [r["id"] for r in exported["records"]] == ["module:00"]

    fresh = new_context().new_page()
    fresh.goto(site_url)
    assert read_progress(fresh) == {}
    message = import_progress(fresh, tmp_path / "progress.json")
    assert message.startswith("Imported 1 of 1"), message
    assert read_progress(fresh)["module:00"] == exported["records"][0]
    assert fresh.locator(".card", has_text="Welcome").get_attribute("data-status") == "completed"


def test_a_malformed_import_is_rejected_and_changes_nothing(learner, site_url, tmp_path):
    page = learner.new_page()
    before = read_progress(learner.lab)
    damaged = export_progress(page, site_url, tmp_path / "progress.json")
    damaged["records"][0]["status"] = "finished"
    (tmp_path / "damaged.json").write_text(json.dumps(damaged))
    message = import_progress(page, tmp_path / "damaged.json")
    assert message.startswith("Not imported"), message
    assert read_progress(page) == before

"""History milestones in the browser: the dashboard shows them, their notebooks open in
JupyterLite, and `%tito milestone run` refuses clearly until the learner's tinytorch has every
module the milestone needs, then trains with it (which needs NumPy in the browser).
"""

import re

from tito.course import Course

from site_tools import (SHOWN_NOTEBOOK, complete_module, notebook_url, open_from_dashboard, read_progress, run_cell, run_notebook_cell,
                        wait_for_kernel)

NOTEBOOK = "milestone_01_perceptron.ipynb"
LOAD_CELL, RUN_CELL = 0, 10  # the notebook's `%load_ext tito` and `%tito milestone run 01` cells
NEEDS = "01, 02, 03, 04, 05, 06, 07"  # course.toml: the modules milestone 01 trains with
REFUSAL = ("Milestone 01 needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 dataloader, "
           "06 autograd, 07 optimizers completed first: run `%tito module complete 01`")


def perceptron_card(page):
    return page.locator(".card", has=page.locator(".number", has_text=re.compile("^1958$")))


def test_a_fresh_browser_shows_the_milestone_locked_and_refuses_to_run_it(page, site_url):
    page.goto(site_url)
    card = perceptron_card(page)
    assert card.get_attribute("data-status") == "locked"
    assert card.locator(".title").inner_text() == "The Perceptron"
    assert card.locator(".detail").inner_text() == f"needs modules {NEEDS}"
    assert card.locator("a").count() == 0  # nothing to open from here yet: the learner can still go by URL

    page.goto(site_url + notebook_url(NOTEBOOK))
    wait_for_kernel(page)
    assert run_notebook_cell(page, LOAD_CELL).startswith("tito ")
    output = run_notebook_cell(page, RUN_CELL)
    assert output.strip() == REFUSAL, output
    assert "Traceback" not in output
    assert "milestone:01" not in read_progress(page), "a refused run must not be recorded"

    listing = [" ".join(line.split()) for line in run_cell(page, "%tito milestone list").splitlines()]
    expected = [f"{mid} {info['year']} {info['title']} {'locked' if 'source' in info else 'coming soon'}"
                for mid, info in sorted(Course().milestones.items())]
    assert listing == expected, listing


def test_a_learner_walks_the_foundation_and_replays_history(page, site_url, request):
    """The course as a new learner meets it: every module opened from the dashboard (one notebook,
    one kernel each), its solutions typed in and completed; milestone 01 run right after module 07
    in the kernel that completed it (the package it just wrote must import there); milestones 02
    and 03 opened from the dashboard. Every result recorded and shown."""
    course = Course()
    mids = ["00", *course.milestones["03"]["requires"]]  # 00 to 08
    for mid in mids:
        open_from_dashboard(page, site_url, course.modules[mid]["title"], course.notebook_name(mid))
        output = complete_module(page, mid)
        assert f"module {mid} completed" in output, output
        if mid == "00":
            request.getfixturevalue("needs_numpy")  # skips here when the site has no NumPy
        if mid == "07":  # the kernel that just wrote the package runs the milestone
            assert "milestone 01 (The Perceptron, 1958) is unlocked" in output, output
            output = run_cell(page, "%tito milestone run 01")
            assert re.search(r"Milestone 01 The Perceptron: accuracy \d\.\d{3} \(gate 0\.95\) in [\d.]+ s: PASSED", output), output
            assert "Traceback" not in output and "starting" not in output, output

    for mid in ["02", "03"]:
        info = course.milestones[mid]
        open_from_dashboard(page, site_url, info["title"], f"milestone_{mid}_{info['name']}.ipynb")
        output = run_notebook_cell(page, RUN_CELL)
        assert f"Milestone {mid} {info['title']}: " in output and ": PASSED" in output, output
        pictures = page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell").nth(RUN_CELL).locator(
            ".jp-OutputArea-output[data-mime-type='image/svg+xml']")
        assert pictures.count() >= 1, "expected the loss curve"

    records = read_progress(page)
    assert all(records[f"module:{mid}"]["status"] == "completed" for mid in mids), records
    assert all(records[f"milestone:{mid}"]["passed"] for mid in ["01", "02", "03"]), records
    page.goto(site_url)
    card = perceptron_card(page)
    assert card.get_attribute("data-status") == "passed"
    shown = re.fullmatch(r"accuracy ([\d.]+) \(pass mark 0\.95\)", card.locator(".detail").inner_text())
    assert shown and float(shown[1]) == round(records["milestone:01"]["result"]["value"], 3), card.inner_text()

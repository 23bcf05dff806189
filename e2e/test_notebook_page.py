"""What the site adds to JupyterLite's notebook page (site/notebook-page.js, tito/kernel.py,
site/service-worker.js), as a learner meets it: a notebook opens unmodified with `%tito` ready,
typed work is in the browser's storage before the learner can leave, an endless loop stops on
Interrupt with the kernel's state kept, and the tenth notebook opened costs what the first did
(one notebook, one kernel). None of it needs NumPy."""

import time

from site_tools import SHOWN_NOTEBOOK, notebook_url, open_from_dashboard, run_cell, type_cell, wait_for_kernel

CURRENT = "window.jupyterapp.shell.currentWidget"
KERNEL = f"{CURRENT}.sessionContext.session.kernel"


def test_a_notebook_opens_unmodified_with_tito_ready(page, site_url):
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    assert page.evaluate(f"{CURRENT}.context.model.dirty") is False, "opening a notebook must not modify it"
    output = run_cell(page, "%tito module status")  # no `%load_ext tito` run first
    assert "modules completed" in output and "UsageError" not in output, output
    # Path-like words in an output (JupyterLab asks the server to resolve them) log no 404.
    output = run_cell(page, "raise ValueError('d/dx of x**2 is 2*x, see ./notes/dx.py')")
    assert "ValueError" in output, output


def test_typed_work_survives_leaving_within_two_seconds(page, site_url):
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    type_cell(page, "my_answer = 'typed, never run'")
    time.sleep(1.5)  # then straight back to the dashboard, without saving or running anything
    page.goto(site_url)
    page.goto(site_url + notebook_url("00_welcome.ipynb"))
    wait_for_kernel(page)
    sources = page.evaluate(f"{CURRENT}.context.model.toJSON().cells.map(c => [].concat(c.source).join(''))")
    assert "my_answer = 'typed, never run'" in sources, sources[-3:]


def test_interrupt_stops_an_endless_loop_and_keeps_the_kernel(page, site_url):
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    run_cell(page, "before = 41")
    type_cell(page, "n = 0\nwhile True:\n    n += 1")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"{KERNEL}.status === 'busy'")
    time.sleep(1)
    page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell.jp-mod-active").click()  # back to the loop's cell
    page.keyboard.press("Escape")
    started = time.monotonic()
    page.keyboard.press("i")
    page.keyboard.press("i")  # I, I: Jupyter's Interrupt
    # Without Interrupt the loop never ends. It stops within about a second here; the bound is
    # generous because the two cores are shared (a timed assertion is not a benchmark).
    page.wait_for_function(f"{KERNEL}.status === 'idle'", timeout=30_000)
    print(f"the loop stopped {time.monotonic() - started:.1f} s after Interrupt")
    output = run_cell(page, "print(before + 1, n > 0)")
    assert output.strip() == "42 True", output
    loop = page.evaluate(f"""{CURRENT}.context.model.toJSON().cells
        .filter(c => [].concat(c.source).join('').includes('while True')).map(c => c.outputs)""")
    assert loop and loop[0] and "KeyboardInterrupt" in loop[0][0].get("ename", ""), loop


def test_each_visit_opens_one_notebook_with_one_kernel(page, site_url):
    for title, notebook in [("Welcome", "00_welcome.ipynb"), ("Tensor", "01_tensor.ipynb"), ("Welcome", "00_welcome.ipynb")]:
        page.goto(site_url + notebook_url(notebook))  # as a dashboard link does, for any module
        wait_for_kernel(page)
        shown = page.evaluate("[...window.jupyterapp.shell.widgets('main')].map(w => w.context?.path).filter(Boolean)")
        assert shown == [notebook], shown
        running = page.evaluate("[...window.jupyterapp.serviceManager.kernels.running()].length")
        assert running == 1, f"{running} kernels running after opening {notebook}"

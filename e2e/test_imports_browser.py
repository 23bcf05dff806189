"""The learner's package is importable in the very kernel that wrote it. JupyterLite's drive
reports a folder's mtime that never changes, so Python's import system, which re-reads a folder
only when its mtime changes, would keep believing tinytorch/ is not there (or lacks the module
just written) until the kernel restarts. Needs no NumPy: module 00's code is plain Python."""

from site_tools import complete_module, open_from_dashboard, run_cell, run_notebook_cell


def test_a_completed_module_imports_at_once_in_the_same_kernel(page, site_url):
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    run_notebook_cell(page, 0)  # %load_ext tito
    # The kernel looks for tinytorch before it exists: Python caches the drive's listing.
    before = run_cell(page, "try:\n    import tinytorch\nexcept ModuleNotFoundError as error:\n    print(error)")
    assert before.strip() == "No module named 'tinytorch'", before
    assert "module 00 completed" in complete_module(page, "00")
    after = run_cell(page, "from tinytorch.core.welcome import dot\nimport tinytorch\n"
                           "print(dot([1, 2], [3, 4]), tinytorch.dot is dot)")
    assert after.strip() == "11 True", after
    # The grader finds it too: testing the module again imports the package it just wrote.
    again = run_cell(page, "%tito module test 00")
    assert "checks passed" in again and "complete module" not in again, again

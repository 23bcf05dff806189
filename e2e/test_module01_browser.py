"""Module 01 (Tensor) completed in the browser, the way a learner does it: module 00 first, then
01_tensor.ipynb opened from the dashboard, its solutions typed in and graded by `%tito module
complete 01`, the result in IndexedDB and the learner's code in tinytorch/ in JupyterLite's drive.
Module 01 needs NumPy in the browser; the steps before it run on every site.
"""

import hashlib
import re

from site_tools import complete_module, open_from_dashboard, read_progress, run_cell, run_notebook_cell, wait_for_kernel
from curriculum.generate import INSTRUCTOR_COURSE
from tito.course import Course
from tito.workspace import notebook_exports, write_package


def expected_tensor_py(tmp_path):
    """tinytorch/core/tensor.py as the grader writes it from module 01's solutions (made here, locally)."""
    course = Course(INSTRUCTOR_COURSE)
    exports = notebook_exports(course.notebook("01", instructor=True))
    return write_package(tmp_path, course, "01", exports).read_bytes()


def test_module_01_completes_in_the_browser(page, site_url, request, tmp_path):
    open_from_dashboard(page, site_url, "Welcome", "00_welcome.ipynb")
    run_notebook_cell(page, 0)  # every course notebook starts with `%load_ext tito`
    assert "module 00 completed" in complete_module(page, "00")

    page.goto(site_url)
    assert page.locator(".card", has_text="Tensor").get_attribute("data-status") == "available"
    open_from_dashboard(page, site_url, "Tensor", "01_tensor.ipynb")
    assert run_notebook_cell(page, 0).startswith("tito ")
    request.getfixturevalue("needs_numpy")  # skips here when the site has no NumPy

    output = complete_module(page, "01")
    assert "Traceback" not in output, output
    passed, total = map(int, re.search(r"(\d+)/(\d+) checks passed", output).groups())
    assert passed == total > 0, output
    assert "module 01 completed: your code is now tinytorch.core.tensor (/drive/tinytorch/core/tensor.py)" in output, output
    record = read_progress(page)["module:01"]
    assert record["status"] == "completed" and record["first_completed_at"], record
    assert record["last_result"]["passed"] == record["last_result"]["total"] == total, record

    # The file is in the drive (the browser's storage): a new kernel, after a reload, finds it
    # exactly as the grader wrote it, and imports the learner's Tensor from it.
    page.reload()
    wait_for_kernel(page)
    output = run_cell(page, "import hashlib, pathlib\n"
                            "print(hashlib.sha256(pathlib.Path('tinytorch/core/tensor.py').read_bytes()).hexdigest())\n"
                            "from tinytorch import Tensor\n"
                            "print((Tensor([1.0, 2.0]) + Tensor([3.0, 4.0])).data.tolist())")
    assert output.splitlines() == [hashlib.sha256(expected_tensor_py(tmp_path)).hexdigest(), "[4.0, 6.0]"], output

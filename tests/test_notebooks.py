"""Run the generated notebooks in a real Jupyter kernel (this Python), the way a learner would.

Instructor notebooks must run top to bottom, hidden tests included. Learner notebooks must fail
only where the learner has work to do: every error is the NotImplementedError of a stub.
The kernel starts in an empty temporary folder, so no learner package there can shadow the
reference `tinytorch/`.
"""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from curriculum import generate
from curriculum.generate import COURSE_DATA, CURRICULUM, INSTRUCTOR_DATA, ROOT, source

COURSE = generate.course()
MODULES = generate.sources(COURSE, "modules")
MILESTONES = generate.sources(COURSE, "milestones")
FOUNDATION = next(tier["modules"] for tier in COURSE["tier"] if tier["id"] == "foundation")

# Appended to instructor notebooks: the grader runs the hidden tests, so they must pass on the reference.
RUN_HIDDEN_TESTS = """\
for _name, _test in list(globals().items()):
    if _name.startswith(("test_hidden_", "test_reflect_")) and callable(_test):
        _test()
"""


@pytest.fixture(scope="module")
def files():
    return generate.all_files(COURSE)


def run(text, cwd, extra_cell=None, first_on_path=()):
    """Execute a notebook (its .ipynb text) in a fresh python3 kernel; errors stay in the cells' outputs."""
    nb = nbformat.reads(text, as_version=4)
    if extra_cell:
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell, id="test-extra"))
    # The reference package and the grader, importable whether or not they are pip-installed.
    path = [*map(str, first_on_path), str(ROOT), str(ROOT / "grader"), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    client = NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=True, resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)
    return nb


def errors(nb):
    """(cell id, exception name, message) of every cell that raised."""
    return [(cell.id, out.ename, out.evalue) for cell in nb.cells if cell.cell_type == "code"
            for out in cell.outputs if out.output_type == "error"]


def notebook_path(kind, info, prefix=""):
    course = INSTRUCTOR_DATA if kind == "instructor" else COURSE_DATA  # the instructor notebooks are never shipped
    return f"{course}/notebooks/{kind}/{prefix}{Path(info['source']).stem}.ipynb"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_instructor_notebook_runs_with_hidden_tests(files, tmp_path, mid, info):
    nb = run(files[notebook_path("instructor", info)], tmp_path, RUN_HIDDEN_TESTS)
    failed = errors(nb)
    assert not failed, f"{info['source']}: instructor notebook errors (cell id, exception, message): {failed}"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_learner_notebook_fails_only_with_not_implemented(files, tmp_path, mid, info):
    nb = run(files[notebook_path("learner", info)], tmp_path)
    failed = errors(nb)
    other = [error for error in failed if error[1] != "NotImplementedError"]
    assert not other, f"{info['source']}: the learner notebook must fail only at the stubs, got (cell id, exception, message): {other}"
    if source.BEGIN in (CURRICULUM / info["source"]).read_text():
        assert failed, f"{info['source']}: has solution regions, yet the learner notebook ran without a NotImplementedError"
    if mid in FOUNDATION and failed:
        # Run All stops at the first error: it must be a test of the first thing to write, never a
        # demo that needs code the learner has not reached yet (demo cells go after their tests).
        first = next(cell for cell in nb.cells if cell.id == failed[0][0])
        assert first.metadata.get("tags") == ["test"], \
            f"{info['source']}: Run All first stops in a cell that is not a `#| test` cell ({failed[0]}):\n{first.source[:300]}"


def test_welcome_module_needs_no_numpy(files, tmp_path):
    """The browser may have no NumPy: module 00 must still open, run and pass without it."""
    blocker = tmp_path / "no_numpy"
    blocker.mkdir()
    (blocker / "numpy.py").write_text('raise ImportError("NumPy is blocked for this test")\n')
    info = dict(MODULES)["00"]
    nb = run(files[notebook_path("instructor", info)], tmp_path, RUN_HIDDEN_TESTS, first_on_path=[blocker])
    failed = errors(nb)
    assert not failed, f"{info['source']}: errors without NumPy (cell id, exception, message): {failed}"
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert "NumPy is not available in this environment" in printed, f"the environment check should say NumPy is missing, printed:\n{printed}"


@pytest.mark.parametrize("mid, info", MILESTONES, ids=[info["source"] for _, info in MILESTONES])
def test_milestone_notebook_runs(files, tmp_path, mid, info):
    nb = run(files[notebook_path("learner", info, prefix="milestone_")], tmp_path)
    failed = errors(nb)
    assert not failed, f"{info['source']}: milestone notebook errors (cell id, exception, message): {failed}"

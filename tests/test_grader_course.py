"""End to end on the real course as an instructor runs it (build/instructor/, from `python -m
curriculum.generate`: the course with its solutions): module 01 completed with the stubs, with
the solutions, with one bug."""

import io

import pytest

from curriculum.generate import INSTRUCTOR_COURSE
from tito import cli, commands
from tito.course import PACKAGED, Course

pytestmark = pytest.mark.skipif(not (PACKAGED / "notebooks" / "learner" / "01_tensor.ipynb").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")


def tito(ws, *argv):
    out = io.StringIO()
    return commands.run(["--workspace", str(ws), *argv], cli.TextOut(out)), out.getvalue()


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("TITO_COURSE", str(INSTRUCTOR_COURSE))  # --with-solutions needs it
    for argv in (["module", "start", "00", "--with-solutions"], ["module", "complete", "00"]):
        code, out = tito(tmp_path, *argv)
        assert code == 0, out
    return tmp_path


def test_the_untouched_learner_notebook_fails_naming_its_stubs(ws):
    tito(ws, "module", "start", "01")
    code, out = tito(ws, "module", "complete", "01")
    assert code == 1
    assert "still to write (they raise NotImplementedError): " in out and "Tensor.matmul" in out
    assert "not implemented yet: Tensor.matmul" in out
    assert not (ws / "tinytorch" / "core" / "tensor.py").exists()


def test_the_instructor_notebook_passes_and_becomes_the_learners_package(ws):
    tito(ws, "module", "start", "01", "--with-solutions")
    code, out = tito(ws, "module", "complete", "01")
    assert code == 0, out
    assert (ws / "tinytorch" / "core" / "tensor.py").is_file()
    assert "from .core.tensor import Tensor" in (ws / "tinytorch" / "__init__.py").read_text()
    assert "module 02 (Activations) is unlocked" in out


@pytest.mark.parametrize("old, new, expected", [
    ("self.data.sum(axis=axis, keepdims=keepdims)", "self.data.sum(axis=0, keepdims=keepdims)", "sum"),
    ("return Tensor(self.data @ other.data)", "return Tensor(self.data @ other.data.T)", "@"),
])
def test_a_one_token_bug_fails_pointing_at_the_behaviour(ws, old, new, expected):
    tito(ws, "module", "start", "01", "--with-solutions")
    notebook = ws / Course().notebook_name("01")
    text = notebook.read_text()
    assert old in text, f"the solution changed: update this test's bug ({old!r})"
    notebook.write_text(text.replace(old, new))
    code, out = tito(ws, "module", "complete", "01")
    assert code == 1, out
    failures = [line for line in out.split("\n") if line.startswith("      ")]
    assert failures and any(expected in line for line in failures), out
    assert "Traceback" not in out and "grade.py" not in out


def test_every_module_completes_in_order_and_still_passes_when_tested_again_later(ws):
    """The whole Foundation tier with the solutions; then re-testing an early module must not
    trip over the later modules in the learner's package (06 autograd imports 02's classes)."""
    foundation = [mid for mid in Course(PACKAGED).written() if mid != "00"]  # 00 is done by the fixture
    for mid in foundation:
        tito(ws, "module", "start", mid, "--with-solutions")
        code, out = tito(ws, "module", "complete", mid)
        assert code == 0, f"module {mid}:\n{out}"
    for mid in foundation:
        code, out = tito(ws, "module", "test", mid)
        assert code == 0, f"re-testing module {mid} after all were completed:\n{out}"

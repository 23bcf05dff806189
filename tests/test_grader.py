"""The grader (tito.grade, tito.workspace) on a tiny fixture course: it runs the LEARNER's code,
reports failures in their terms, stops runaway code, and writes their package."""

import json
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from curriculum import generate
from tito import grade, workspace
from tito.course import Course, TitoError

FIXTURE = Path(__file__).parent / "fixtures" / "course"


def make_course(root):
    """A copy of the fixture course with its learner and instructor notebooks, as tito ships them."""
    shutil.copytree(FIXTURE, root)
    for mid, info in tomllib.loads((root / "course.toml").read_text())["modules"].items():
        if "source" in info:
            for kind in ("learner", "instructor"):
                path = root / "notebooks" / kind / (Path(info["source"]).stem + ".ipynb")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(generate.notebook(root / info["source"], "module", mid, learner=kind == "learner"))
    return Course(root)


def edited_notebook(course, mid, folder, old="", new="", instructor=True):
    """Put the module's notebook into `folder`, with `old` replaced by `new` in its code (a learner's edit)."""
    text = course.notebook(mid, instructor).read_text()
    assert old in text, f"{old!r} is not in the notebook of module {mid}"
    path = folder / course.notebook_name(mid)
    path.write_text(text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))
    return path


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path / "course")


@pytest.fixture
def ws(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


def graded(course, ws, mid, **edit):
    exports = workspace.notebook_exports(edited_notebook(course, mid, ws, **edit))
    return grade.grade(course, mid, exports, ws)


def messages(result):
    return {check.name: check.message for check in result.checks if not check.passed}


def test_solution_passes_every_check(course, ws):
    result = graded(course, ws, "00")
    assert result.ok and result.summary() == "3/3 checks passed", (result.problem, messages(result))
    assert [(c.name, c.group) for c in result.checks] == [
        ("test_unit_double", "visible"), ("test_hidden_double_negative", "hidden"), ("test_hidden_halve", "hidden")]


def test_stubs_are_named_and_fail_as_not_implemented(course, ws):
    result = graded(course, ws, "00", instructor=False)
    assert result.stubs == ["double", "halve"]
    assert messages(result) == {"test_unit_double": "not implemented yet: double",
                                "test_hidden_double_negative": "not implemented yet: double",
                                "test_hidden_halve": "not implemented yet: halve"}
    assert result.summary() == "0/3 checks passed" and not result.ok


def test_a_one_token_bug_fails_with_the_checks_message(course, ws):
    result = graded(course, ws, "00", old="return x / 2", new="return x * 2")
    assert messages(result) == {"test_hidden_halve": "halve(5): expected 2.5, got 10"}
    assert result.summary() == "2/3 checks passed"


def test_an_exception_in_learner_code_points_at_their_line(course, ws):
    result = graded(course, ws, "00", old="return 2 * x", new="return 2 * x + undefined_name")
    message = messages(result)["test_unit_double"]
    assert message.startswith("NameError: name 'undefined_name' is not defined"), message
    assert "at 00_first.ipynb, cell " in message and "line 4: return 2 * x + undefined_name" in message, message
    assert "tito" not in message and "grade.py" not in message


def test_code_that_fails_to_run_is_reported_once_with_its_line(course, ws):
    result = graded(course, ws, "00", old="return x / 2", new="return x / 2\n\n1 / 0")
    assert "ZeroDivisionError" in result.problem and "line 11: 1 / 0" in result.problem, result.problem
    assert result.passed == 0 and result.total == 3

    result = graded(course, ws, "00", old="return x / 2", new="return x /")
    assert "SyntaxError" in result.problem and "return x /" in result.problem, result.problem


def graded_with(course, ws, mid="00", budget=grade.BUDGET, grader=grade.grade, **edit):
    exports = workspace.notebook_exports(edited_notebook(course, mid, ws, **edit))
    return grader(course, mid, exports, ws, budget=budget)


NOT_RUN = "not run: grading stopped at test_unit_double (see above)"


@pytest.mark.parametrize("loop", [
    "while True:\n        x += 1",
    # a retry loop that swallows everything, the stop too: on 3.11 sys.settrace gives up on it
    "while True:\n        try:\n            x += 1\n        except BaseException:\n            pass",
])
def test_a_runaway_check_is_stopped_where_it_loops_and_the_rest_are_not_run(course, ws, loop):
    result = graded_with(course, ws, budget=0.5, old="return 2 * x", new=loop)
    message = messages(result)["test_unit_double"]
    assert message.startswith("stopped after 0.5 s while running test_unit_double: the code may loop forever"), message
    assert "; it was at 00_first.ipynb, cell " in message, message
    assert message.rsplit(": ", 1)[1] in [line.strip() for line in loop.splitlines()], message  # a line of the loop, any
    # one runaway check costs one budget, not one per check
    assert messages(result) == {"test_unit_double": message, "test_hidden_double_negative": NOT_RUN, "test_hidden_halve": NOT_RUN}


def test_in_process_the_stop_is_not_swallowed_by_except_exception(course, ws):
    """The browser's path (no processes): a retry loop catching Exception is still stopped."""
    loop = "while True:\n        try:\n            x += 1\n        except Exception:\n            continue"
    result = graded_with(course, ws, budget=0.2, grader=grade.grade_here, old="return 2 * x", new=loop)
    message = messages(result)["test_unit_double"]
    assert message.startswith("stopped after 0.2 s") and "00_first.ipynb, cell " in message, message
    assert messages(result)["test_hidden_halve"] == NOT_RUN
    assert sys.gettrace() is None  # the time limit is gone: the kernel runs normally again


@pytest.mark.parametrize("ending, said", [
    ("import sys\nsys.exit(0)", "your code called sys.exit(0) (SystemExit)"),
    ("raise SystemExit", "your code called sys.exit(None) (SystemExit)"),
    ("raise SystemExit(1)", "your code called sys.exit(1) (SystemExit)"),
    ("import os\nos._exit(0)", "Python ended (exit code 0) while running 00_first.ipynb, cell "),
    ("raise KeyboardInterrupt", "interrupted (KeyboardInterrupt)"),
    # C-level recursion: a segfault, with no message of its own
    ("import sys\nsys.setrecursionlimit(10 ** 6)\nnested = []\nfor _ in range(300_000):\n    nested = [nested]\nrepr(nested)",
     "Python crashed (SIGSEGV) while running 00_first.ipynb, cell "),
])
def test_code_that_exits_or_crashes_fails_the_grade_with_what_it_did(course, ws, ending, said):
    # A generous budget: on a busy machine the recursion takes seconds to reach the end of the stack.
    result = graded_with(course, ws, budget=120, old="_SECRET = ", new=ending + "\n_SECRET = ")
    assert said in result.problem and not result.ok and result.passed == 0, result.problem
    assert set(messages(result).values()) == {"not run: your code did not run (see above)"}


def test_a_crash_inside_a_check_fails_that_check_and_names_the_line(course, ws):
    result = graded_with(course, ws, old="return x / 2", new="import os\n    os.kill(os.getpid(), 11)")
    message = messages(result)["test_hidden_halve"]
    assert message.startswith("Python crashed (SIGSEGV) while running test_hidden_halve; it was at 00_first.ipynb, cell "), message
    assert "os.kill(os.getpid(), 11)" in message and result.passed == 2, message


def test_a_thread_left_running_does_not_keep_tito_waiting(course, ws):
    result = graded_with(course, ws, old="_SECRET = ",  # a thread that never ends: waiting for it would hang here
                         new="import threading\nthreading.Thread(target=threading.Event().wait).start()\n_SECRET = ")
    assert result.ok, result.problem


def test_the_learners_code_cannot_touch_the_workspace(course, ws):
    (ws / ".tito").mkdir()
    (ws / ".tito" / "progress.json").write_text("{}")
    result = graded_with(course, ws, old="_SECRET = ", new="import os, shutil\nshutil.rmtree('.tito', ignore_errors=True)\n"
                         "for name in os.listdir('.'):\n    os.remove(name) if os.path.isfile(name) else None\n_SECRET = ")
    assert result.ok, result.problem
    assert (ws / ".tito" / "progress.json").read_text() == "{}" and (ws / "00_first.ipynb").is_file()


@pytest.mark.parametrize("old, new, said", [
    ("def halve(x):", "def halve(x):\nreturn 1", "00_first.ipynb, cell 3, line 8: IndentationError: expected an indented block"),
    ("_SECRET = ", "_SECRET = \u0000", "00_first.ipynb, cell 3, line 12: a NUL character"),
])
def test_syntax_problems_are_named_exactly(course, ws, old, new, said):
    result = graded_with(course, ws, old=old, new=new)
    assert result.problem.startswith(said), result.problem


def test_time_limit_leaves_quick_code_alone():
    with grade.time_limit(5):
        total = sum(i * i for i in range(1000))
    assert total == 332833500


def test_the_reference_tinytorch_never_leaks_in(course, ws):
    import tinytorch  # the reference package is installed in the dev environment

    before = {name: module for name, module in sys.modules.items() if name.startswith("tinytorch")}
    assert "tinytorch" in before
    result = graded(course, ws, "01")  # imports tinytorch.core.first, which the learner has not written yet
    assert "your tinytorch package is not in" in result.problem and "complete module 01 first" in result.problem, result.problem
    after = {name: module for name, module in sys.modules.items() if name.startswith("tinytorch")}
    assert after == before, "grading must leave the tinytorch modules imported before exactly as they were"
    del tinytorch


def test_later_modules_import_the_learners_package(course, ws):
    exports = workspace.notebook_exports(edited_notebook(course, "00", ws, old="return 2 * x", new="return x + x"))
    module_file = workspace.write_package(ws, course, "00", exports)
    assert module_file == ws / "tinytorch" / "core" / "first.py"
    assert "return x + x" in module_file.read_text() and "#| export" not in module_file.read_text()
    assert (ws / "tinytorch" / "__init__.py").read_text().endswith("from .core.first import double, halve\n")

    assert graded(course, ws, "01").ok
    module_file.write_text(module_file.read_text().replace("return x + x", "return x + x + 1"))
    assert messages(graded(course, ws, "01")) == {"test_unit_quadruple": "quadruple(2): expected 8, got 11"}


def test_history_keeps_the_latest_version_of_each_export_cell(course):
    history = ["", "#| export\ndef double(x):\n    return 0", "print(double(2))",
               "#| export\ndef helper():\n    return 1", "#| export\ndef double(x):\n    return 2 * x",
               "#| export\ndef quadruple(x):\n    return 0",  # module 01's, run in this kernel too
               "#| export\ndef broken(:", "%tito module complete 00"]
    assert workspace.history_exports(history, course, "00") == [
        ("cell In[4]", "#| export\ndef double(x):\n    return 2 * x"), ("cell In[3]", "#| export\ndef helper():\n    return 1")]


@pytest.mark.parametrize("text, why", [("{not json", "not a readable notebook"), ('{"cells": 3}', "not a readable notebook")])
def test_a_broken_notebook_is_refused_and_left_alone(ws, text, why):
    path = ws / "00_first.ipynb"
    path.write_text(text)
    with pytest.raises(TitoError, match=why):
        workspace.notebook_exports(path)
    assert path.read_text() == text


def test_unknown_and_unwritten_modules_are_named(course):
    with pytest.raises(TitoError, match="there is no module 07: this course has modules 00 to 01"):
        course.module("7")
    with pytest.raises(TitoError, match=r"module 02 \(Third steps\) is not written yet"):
        course.module("02")

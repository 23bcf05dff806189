"""The grader in the browser's Python: Pyodide 314 (Python 3.14, wasm32, no threads, no
signals, no NumPy here), run under Node from node_modules/pyodide. This is where
time_limit uses sys.monitoring, so a runaway loop is stopped even if it swallows exceptions."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"

pytestmark = pytest.mark.skipif(not PYODIDE.is_file() or not shutil.which("node"), reason="needs node and `npm ci`")

RUNNER = """
import { loadPyodide } from %(pyodide)s;
const py = await loadPyodide();
py.FS.mkdirTree("/grader");
py.FS.mount(py.FS.filesystems.NODEFS, { root: %(grader)s }, "/grader");
py.FS.mkdirTree("/course");
py.FS.mount(py.FS.filesystems.NODEFS, { root: %(course)s }, "/course");
console.log(await py.runPythonAsync(%(code)s));
"""

CODE = r"""
import json, sys
sys.path.insert(0, "/grader")
from tito import grade, source
from tito.course import Course

course = Course("/course")
text = course.source_text("00")
def exports(make):
    return [(f"cell {i}", make(c.source)) for i, c in enumerate(source.parse(text)) if c.kind == "export"]

solved = grade.grade(course, "00", exports(source.solution), "/tmp")
stubbed = grade.grade(course, "00", exports(lambda s: source.strip_solutions(s, "00")), "/tmp")
exiting = grade.grade(course, "00", exports(lambda s: source.solution(s) + "\nimport sys\nsys.exit(0)"), "/tmp")
bare = "while True:\n        try:\n            x += 1\n        except:\n            pass"  # swallows even BaseException
looping = grade.grade(course, "00", exports(lambda s: source.solution(s).replace("return 2 * x", bare)), "/tmp", budget=0.3)

def swallow():  # a loop that catches every exception, the time limit's too
    while True:
        try:
            while True:
                pass
        except Exception:
            pass

try:
    with grade.time_limit(0.3):
        swallow()
    stopped = False
except grade.CheckTimeout:
    stopped = True
json.dumps({"version": sys.version_info[:2], "numpy": "numpy" in sys.modules, "monitoring": hasattr(sys, "monitoring"),
            "solved": solved.summary(), "stubbed": [c.message for c in stubbed.checks], "stubs": stubbed.stubs,
            "stopped": stopped, "exiting": exiting.problem, "looping": [c.message for c in looping.checks],
            "tools_free": all(sys.monitoring.get_tool(i) is None for i in range(6)), "budget": grade.BUDGET})
"""


def test_grading_and_time_limit_in_pyodide(tmp_path):
    values = {"pyodide": PYODIDE.as_uri(), "grader": ROOT / "grader", "course": Path(__file__).parent / "fixtures" / "course", "code": CODE}
    script = tmp_path / "run.mjs"
    script.write_text(RUNNER % {key: json.dumps(str(value)) for key, value in values.items()})
    done = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().split("\n")[-1])
    assert got["version"] == [3, 14] and got["monitoring"] and not got["numpy"]
    assert got["solved"] == "3/3 checks passed"
    assert got["stubs"] == ["double", "halve"]
    assert got["stubbed"] == ["not implemented yet: double", "not implemented yet: double", "not implemented yet: halve"]
    assert got["stopped"] and got["tools_free"], got
    assert got["budget"] == 30, got  # 10 s on CPython: NumPy in the browser runs 50-100x slower
    # no child process here: sys.exit and a bare `except:` loop are still caught in the kernel itself
    assert got["exiting"].startswith("your code could not run: your code called sys.exit(0) (SystemExit)"), got
    assert got["looping"][0].startswith("stopped after 0.3 s") and "x += 1" in got["looping"][0], got
    assert got["looping"][1:] == ["not run: grading stopped at test_unit_double (see above)"] * 2, got

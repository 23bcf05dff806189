"""Shared test helpers.

A test file that sets `CURRICULUM_MODULE = "01"` and has a test taking `curriculum_test` runs,
as separate tests, every `test_unit_*` and `test_hidden_*` function of that curriculum module
against the module's reference solution.
"""

import ast
import functools
import os
import sys
import tomllib
from pathlib import Path

import pytest

# One BLAS thread, set before anything imports NumPy (child processes inherit it): as in the browser,
# and on a busy 2-core machine OpenBLAS threads only contend (a milestone took 60 s instead of 7).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "grader"))  # `tito`, also when the grader is not pip-installed
from tito import source  # noqa: E402


def _without_test_calls(code):
    """The code's syntax tree without its top-level `test_...()` calls: pytest runs the tests instead."""
    tree = ast.parse(code)
    tree.body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                                                    and getattr(node.value.func, "id", "").startswith("test_"))]
    return tree


@functools.cache
def curriculum_tests(module_id):
    """{name: function} of the test functions of a curriculum module, defined but not yet run.

    The export cells (solutions in place), test cells and hidden cells are executed in order in
    one namespace, as the grader does with a learner's code; demo cells are skipped.
    """
    course = tomllib.loads((ROOT / "curriculum" / "course.toml").read_text())
    path = ROOT / "curriculum" / course["modules"][module_id]["source"]
    namespace = {"__name__": f"curriculum_{module_id}"}
    for cell in source.parse(path.read_text()):
        if cell.kind in ("export", "test", "hidden", "answers", "reflect"):
            code = source.solution(source.without_directive(cell.source))
            exec(compile(_without_test_calls(code), str(path), "exec"), namespace)
    return {name: value for name, value in namespace.items() if name.startswith("test_") and callable(value)}


def pytest_generate_tests(metafunc):
    if "curriculum_test" in metafunc.fixturenames:
        tests = curriculum_tests(metafunc.module.CURRICULUM_MODULE)
        metafunc.parametrize("curriculum_test", list(tests.values()), ids=list(tests))


@pytest.fixture
def curriculum():
    """curriculum_tests itself, for a test that needs something from a module's namespace."""
    return curriculum_tests

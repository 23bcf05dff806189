"""A class written over several cells (module 01's Tensor: the class, then one cell per method,
`Tensor.sum = sum`): the stubs name the method, the grader grades it from the notebook and from
the kernel's history, and the learner's package file has one class, like the reference."""

import ast
import sys

import pytest

from tito import grade, source, workspace
from curriculum.generate import INSTRUCTOR_COURSE
from tito.course import PACKAGED, Course

pytestmark = pytest.mark.skipif(not (PACKAGED / "notebooks" / "learner" / "01_tensor.ipynb").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")

CLASS = "import numpy as np\n\n\nclass T:\n    def a(self):\n        return 1"
METHOD = "def sum(self, axis=None):\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n    return 2\n\n\nT.sum = sum\ndel sum  # keep Python's sum"


def test_method_cells_join_their_class_and_other_cells_stay_as_they_are():
    other = "def helper(x):\n    return x\n\n\nT.helper = lambda self: 3"  # not the pattern: kept, still runs
    merged = source.merge_methods([CLASS, METHOD, other])
    assert merged[1] == other and len(merged) == 2
    tree = ast.parse(merged[0])
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    assert [f.name for f in cls.body] == ["a", "sum"] and "del sum" not in merged[0], merged[0]
    namespace = {}
    exec("\n\n\n".join(merged), namespace)
    assert namespace["T"]().sum() == 2 and namespace["T"]().helper() == 3 and "sum" not in namespace
    assert source.public_names("\n\n\n".join(merged)) == ["T", "helper"]
    # a function attached to a class no earlier cell defines is left alone
    assert source.merge_methods([METHOD]) == [METHOD]


def test_the_stub_of_a_method_cell_names_the_class():
    stub = source.strip_solutions(f"def sum(self):\n    {source.BEGIN}\n    return 2\n    {source.END}\n\n\nT.sum = sum", "01")
    assert 'implement T.sum (see the TODO above)' in stub, stub


def module_01_exports():
    return workspace.notebook_exports(Course(INSTRUCTOR_COURSE).notebook("01", instructor=True))


def test_the_learners_tensor_py_is_one_class_and_imports_only_tensor(tmp_path):
    course = Course(PACKAGED)
    exports = module_01_exports()
    assert len([1 for _, text in exports if source.cell_kind(text) == "export"]) > 5, "module 01 writes its methods one cell each"
    path = workspace.write_package(tmp_path, course, "01", exports)
    tree = ast.parse(path.read_text())
    assert [type(node).__name__ for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr))] == \
        ["FunctionDef", "ClassDef"], "tensor.py: _check_broadcastable and the class, nothing else at the top"
    methods = {f.name for f in next(n for n in tree.body if isinstance(n, ast.ClassDef)).body if isinstance(f, ast.FunctionDef)}
    assert {"__sub__", "matmul", "sum", "max", "reshape", "transpose"} <= methods
    assert "from .core.tensor import Tensor\n" in (tmp_path / "tinytorch" / "__init__.py").read_text()


def test_graded_from_the_kernel_history_with_a_method_cell_run_again(tmp_path):
    """As in the browser: the cells as the learner ran them (a stub first, then the fix) grade the module."""
    course = Course(PACKAGED)
    cells = [text for _, text in module_01_exports()]
    sum_cell = next(text for text in cells if "Tensor.sum = sum" in text)
    # Run All on the stubs, then the sum cell written and run again (a new version of the same cell).
    history = ["", *[source.strip_solutions(text, "01") if text == sum_cell else text for text in cells], sum_cell]
    exports = workspace.history_exports(history, course, "01")
    assert sum(1 for _, text in exports if "Tensor.sum = sum" in text) == 1 and "implement Tensor.sum" not in "".join(t for _, t in exports)
    result = grade.grade(course, "01", exports, tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed]
    # another module graded in the same kernel leaves module 01's method cells out
    others = workspace.history_exports(history, course, "02")
    assert not any("Tensor.sum = sum" in text for _, text in others), others

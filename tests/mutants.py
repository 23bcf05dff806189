"""Grade a curriculum module's reference solution with one planted bug (a mutant), through the
real grader (tito.grade), as a learner's notebook would be graded: a gate proves it fires.

    result = grade_mutant("15", [("old line", "new line")], tmp_path)
    assert not result.ok

The workspace holds a copy of the reference tinytorch as the learner's package (the modules the
graded one imports); the graded module's own code is the mutated export cells.
"""

import shutil
from pathlib import Path

from tito import grade, source
from tito.course import PACKAGED, Course

ROOT = Path(__file__).resolve().parent.parent


def mutated_exports(mid, edits):
    """The module's export cells with solutions in place, each (old, new) replaced (old must occur exactly once)."""
    course = Course(PACKAGED)
    info = course.modules[mid]
    text = (ROOT / "curriculum" / info["source"]).read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"the text to mutate is not (exactly once) in {info['source']}: {old!r}"
        text = text.replace(old, new)
    name = Path(info["source"]).stem
    return [(f"{name}.ipynb, cell {number}", source.solution(cell.source))
            for number, cell in enumerate(source.parse(text), start=1) if cell.kind in ("export", "answers")]


def grade_mutant(mid, edits, workspace):
    """tito's grade Result for module `mid` with the reference solution changed by `edits`."""
    course = Course(PACKAGED)
    if not (Path(workspace) / "tinytorch").exists():
        shutil.copytree(ROOT / "tinytorch", Path(workspace) / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    return grade.grade(course, mid, mutated_exports(mid, edits), workspace)


def failed_checks(result):
    """The names of the checks that failed (all of them if the code could not run)."""
    return [check.name for check in result.checks if not check.passed]


def milestone_namespace(mid):
    """The names a milestone's code cells define (load_digits, train, ... and what they import),
    with the reference tinytorch, for tests that reuse a milestone's data and training."""
    course = Course(PACKAGED)
    text = (ROOT / "curriculum" / course.milestones[mid]["source"]).read_text()
    namespace = {"__name__": f"milestone_{mid}"}
    for cell in source.parse(text):
        if cell.kind == "code" and not cell.source.lstrip().startswith("# %tito"):
            exec(compile(cell.source, f"milestone {mid}", "exec"), namespace)
    return namespace

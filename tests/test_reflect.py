"""The Reflect block (curriculum/README.md): the learner's `#| answers` cell, checked by the
module's `#| reflect` cell against values computed on their own code, from the notebook file
and from the kernel's history alike; the answers never reach the learner notebook."""

import json

import pytest

from curriculum.generate import INSTRUCTOR_COURSE
from tito import grade, source, workspace
from tito.course import PACKAGED, Course

pytestmark = pytest.mark.skipif(not (PACKAGED / "notebooks" / "learner" / "01_tensor.ipynb").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")

CELL = '''#| answers
answers = {
    "bytes": 64 * 784 * 4,   # 1. bytes of a (64, 784) float32 tensor
    "growth": 8,             # 2. the work when n doubles
    "word": "rows",          # 3. what axis=1 keeps
}'''


def test_the_learner_sees_every_answer_as_none_with_its_question():
    blank = source.blank_answers(CELL)
    assert blank == '''#| answers
answers = {
    "bytes": None,   # 1. bytes of a (64, 784) float32 tensor
    "growth": None,  # 2. the work when n doubles
    "word": None,    # 3. what axis=1 keeps
}''', blank
    assert source.answer_keys(blank) == ["bytes", "growth", "word"]
    namespace = {}
    exec(blank, namespace)
    assert namespace["answers"] == {"bytes": None, "growth": None, "word": None}


def module_01_cells(kind="instructor"):
    course = Course(INSTRUCTOR_COURSE if kind == "instructor" else PACKAGED)
    return json.loads(course.notebook("01", kind == "instructor").read_text())["cells"]


def grade_01(tmp_path, answers_text):
    """Grade module 01 from its instructor notebook (the reference code) with `answers_text` as
    its answers cell (None: no answers cell at all)."""
    cells = module_01_cells()
    kept = []
    for cell in cells:
        text = "".join(cell["source"])
        if source.cell_kind(text) == "answers":
            if answers_text is None:
                continue
            cell["source"] = answers_text
        kept.append(cell)
    path = tmp_path / "01_tensor.ipynb"
    path.write_text(json.dumps({"cells": kept, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return grade.grade(Course(PACKAGED), "01", workspace.notebook_exports(path), tmp_path)


def reference_answers():
    return next("".join(c["source"]) for c in module_01_cells() if source.cell_kind("".join(c["source"])) == "answers")


def reflect_messages(result):
    return {c.name: c.message for c in result.checks if c.group == "reflect" and not c.passed}


def test_right_answers_pass_and_count_as_the_reflect_group(tmp_path):
    result = grade_01(tmp_path, reference_answers())
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed]
    assert [c.name for c in result.checks if c.group == "reflect"] == [
        "test_reflect_tensor_bytes", "test_reflect_matmul_flops", "test_reflect_matmul_growth"]


def test_a_wrong_answer_fails_with_an_explanation_not_the_value(tmp_path):
    result = grade_01(tmp_path, reference_answers().replace("64 * 784 * 4", "64 * 784 * 8"))
    assert not result.ok
    message = reflect_messages(result)["test_reflect_tensor_bytes"]
    assert message == ("answers['tensor_bytes_64x784'] = 401408 is not right. count the elements (64 x 784), then "
                       "multiply by the bytes of one element of your Tensor's dtype (float32: 4)"), message
    assert set(reflect_messages(result)) == {"test_reflect_tensor_bytes"}
    assert all(c.passed for c in result.checks if c.group != "reflect"), "a wrong answer fails only its own check"


def test_the_learners_blank_answers_are_not_filled_in_yet(tmp_path):
    blank = next("".join(c["source"]) for c in module_01_cells("learner") if source.cell_kind("".join(c["source"])) == "answers")
    messages = reflect_messages(grade_01(tmp_path, blank))
    assert len(messages) == 3 and all("is not filled in yet: replace its None in the `#| answers` cell" in m for m in messages.values()), messages


def test_missing_or_broken_answers_fail_only_the_reflect_checks(tmp_path):
    result = grade_01(tmp_path, None)
    assert not result.problem and all(c.passed == (c.group != "reflect") for c in result.checks)
    assert all(m.startswith("no Reflect answers: run the `#| answers` cell") for m in reflect_messages(result).values())

    result = grade_01(tmp_path, reference_answers().replace("64 * 784 * 4", "64 * 784 * undefined"))
    messages = reflect_messages(result)
    assert len(messages) == 3 and not result.problem, messages
    assert all(m.startswith("your answers could not run: NameError: name 'undefined' is not defined\n    at 01_tensor.ipynb, cell ")
               for m in messages.values()), messages

    messages = reflect_messages(grade_01(tmp_path, reference_answers().replace("}", "")))
    assert len(messages) == 3 and all(m.startswith("your answers could not run: 01_tensor.ipynb, cell ") and "SyntaxError" in m
                                      for m in messages.values()), messages


def test_from_the_kernel_history_the_latest_answers_of_this_module_count():
    course = Course(PACKAGED)
    exports = [cell for cell in module_01_cells() if source.cell_kind("".join(cell["source"])) == "export"]
    old, new = reference_answers().replace("8,", "7,"), reference_answers()
    other_module = '#| answers\nanswers = {"some_other_modules_key": 1}'
    history = ["", *["".join(c["source"]) for c in exports], old, "print(answers)", new, other_module, "%tito module complete 01"]
    found = workspace.history_exports(history, course, "01")
    assert found[-1] == (f"cell In[{history.index(new)}]", new), found[-1]
    assert sum(source.cell_kind(text) == "answers" for _, text in found) == 1

    broken = new.replace("}", "")  # a syntax error: still this module's answers, so grading can say what is wrong
    assert workspace.history_exports([*history, broken], course, "01")[-1] == (f"cell In[{len(history)}]", broken)


def test_answers_never_join_the_learners_package(tmp_path):
    course = Course(PACKAGED)
    exports = [(f"cell {i}", "".join(c["source"])) for i, c in enumerate(module_01_cells())
               if source.cell_kind("".join(c["source"])) in ("export", "answers")]
    assert any(source.cell_kind(text) == "answers" for _, text in exports)
    module_file = workspace.write_package(tmp_path, course, "01", exports)
    assert "answers" not in module_file.read_text()


def foundation_answers():
    """(module, its answers cell as written in the curriculum) for every module with a Reflect block."""
    course = Course(INSTRUCTOR_COURSE)  # the learner's course has the answers blanked
    found = []
    for mid in course.written():
        cells = [c for c in source.parse(course.source_text(mid)) if c.kind == "answers"]
        if cells and mid <= "08":
            found.append((mid, cells[0].source))
    return found


@pytest.mark.parametrize("mid, cell", foundation_answers(), ids=[mid for mid, _ in foundation_answers()])
def test_every_wrong_answer_fails_its_check_with_an_explanation(mid, cell, tmp_path):
    """Each Foundation module's answers, all made wrong (3 x + 7): every reflect check fails,
    saying which answer is not right and how to work it out; the other checks still pass."""
    from mutants import grade_mutant

    wrong = cell
    for key in source.answer_keys(cell):
        line = next(line for line in cell.split("\n") if line.strip().startswith(f'"{key}":'))
        name, rest = line.split(":", 1)
        value = rest.split("#")[0].strip().rstrip(",")
        wrong = wrong.replace(line, name + ":" + rest.replace(value, f"({value}) * 3 + 7", 1))
    result = grade_mutant(mid, [(cell, wrong)], tmp_path)
    reflect = [c for c in result.checks if c.group == "reflect"]
    assert reflect and not result.problem, result.problem
    assert all(not c.passed and " is not right. " in c.message for c in reflect), [(c.name, c.message) for c in reflect]
    assert all(c.passed for c in result.checks if c.group != "reflect"), [(c.name, c.message) for c in result.checks if not c.passed]

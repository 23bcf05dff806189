"""The solutions stay with the instructors: no line of a curriculum solution region reaches the
grader wheel (which the site ships) nor the learner's course; they are in build/instructor/ only.
tests/test_lite_build.py scans the built site with `leaks` too."""

import json
import zipfile
from pathlib import Path

import pytest

from curriculum import generate
from lite.build import grader_wheel
from tito import source
from tito.course import PACKAGED

pytestmark = pytest.mark.skipif(not (PACKAGED / "course.toml").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")

CURRICULUM = generate.CURRICULUM
# The grader's own code that must compute what a solution computes (README: "what a determined
# learner can still read"): file -> why.
GRADER_NEEDS = {"tito/olympics.py": "it checks a capstone submission's score with the events' scoring formula"}
SHORT = 20  # characters: shorter solution lines ("return out", "x = x + 1") are common code, not a solution


def solution_lines():
    """The lines of the curriculum's solution regions that are a solution: none of them occurs outside
    a solution region in any curriculum file, and each has SHORT or more characters."""
    inside, outside = set(), set()
    for path in sorted(CURRICULUM.glob("*/*.py")):
        region = False
        for line in path.read_text().split("\n"):
            stripped = line.strip()
            if stripped in (source.BEGIN, source.END):
                region = stripped == source.BEGIN
            else:
                (inside if region else outside).add(stripped)
    return {line for line in inside - outside if len(line) >= SHORT}


def readable(name, data):
    """A file's text as a reader sees it: a notebook's cells, not their JSON."""
    text = data.decode("utf-8", "replace")
    if name.endswith(".ipynb"):
        text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    return text


def texts(path):
    """(name, text) of every text file under `path` (a folder) and in every wheel among them."""
    for file in sorted(Path(path).rglob("*")):
        if file.suffix == ".whl":
            with zipfile.ZipFile(file) as wheel:
                for name in wheel.namelist():
                    yield f"{file.name}/{name}", readable(name, wheel.read(name))
        elif file.is_file() and file.suffix in (".py", ".ipynb", ".json", ".js", ".html", ".toml", ".md", ".txt"):
            yield str(file.relative_to(path)), readable(file.name, file.read_bytes())


def leaks(named_texts):
    """{file: [solution lines and solution markers in it]}, for the files that have any.
    GRADER_NEEDS files are left out."""
    lines = solution_lines()
    found = {}
    for name, text in named_texts:
        if any(name.endswith(allowed) for allowed in GRADER_NEEDS):
            continue
        body = {line.strip() for line in text.split("\n")}
        markers = [m for m in (source.BEGIN, source.END) if m in text and not name.endswith("tito/source.py")]  # it defines them
        hits = sorted(lines & body) + markers
        if hits:
            found[name] = hits
    return found


def test_the_solution_lines_are_found_where_they_are():
    lines = solution_lines()
    assert len(lines) > 200, f"only {len(lines)} solution lines: is the scan still reading the curriculum?"
    instructor = generate.INSTRUCTOR_COURSE
    assert leaks(texts(instructor / "notebooks" / "instructor")), "the instructor notebooks must show as leaking"
    assert leaks(texts(generate.ROOT / "tinytorch")), "the reference package must show as leaking"


def test_the_learners_course_has_no_solutions():
    assert not leaks(texts(PACKAGED)), "solutions in grader/tito/course/"
    assert not (PACKAGED / "notebooks" / "instructor").exists()


def test_the_grader_wheel_has_no_solutions(tmp_path):
    wheel = grader_wheel(tmp_path)
    assert not leaks(texts(tmp_path)), f"solutions in {wheel.name}"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "tito/course/modules/01_tensor.py" in names and "tito/course/notebooks/learner/01_tensor.ipynb" in names
    assert not [name for name in names if "instructor" in name]


def test_the_learners_source_keeps_the_checks_and_the_answer_keys():
    text = (PACKAGED / "modules" / "01_tensor.py").read_text()
    full = (CURRICULUM / "modules" / "01_tensor.py").read_text()
    kinds = ("test", "hidden", "reflect")
    assert [c for c in source.parse(text) if c.kind in kinds] == [c for c in source.parse(full) if c.kind in kinds]
    [answers] = [c.source for c in source.parse(text) if c.kind == "answers"]
    [reference] = [c.source for c in source.parse(full) if c.kind == "answers"]
    assert source.answer_keys(answers) == source.answer_keys(reference) and answers == source.blank_answers(reference)
    assert 'raise NotImplementedError("Module 01: implement Tensor.matmul (see the TODO above)")' in text

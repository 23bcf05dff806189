"""The generation pipeline: curriculum/ -> tinytorch/ and the learner/instructor notebooks."""

import json
import re
from pathlib import Path

import jupytext
import pytest

from curriculum import generate
from curriculum.generate import COURSE_DATA, CURRICULUM, INSTRUCTOR_DATA, PACKAGE, ROOT, source

COURSE = generate.course()
MODULES = generate.sources(COURSE, "modules")
FILES = generate.sources(COURSE, "modules") + generate.sources(COURSE, "milestones")
IDS = [info["source"] for _, info in FILES]


@pytest.fixture(scope="module")
def files():
    return generate.all_files(COURSE)


def notebook_cells(files, kind, info):
    """The cells of a generated notebook ("learner" or "instructor") of a module."""
    name = Path(info["source"]).stem
    course = INSTRUCTOR_DATA if kind == "instructor" else COURSE_DATA  # the instructor notebooks are never shipped
    return json.loads(files[f"{course}/notebooks/{kind}/{name}.ipynb"])["cells"]


def code_lines(cells):
    """Every line of every code cell, stripped of surrounding whitespace."""
    return {line.strip() for cell in cells if cell["cell_type"] == "code" for line in "".join(cell["source"]).split("\n")}


def regions(text):
    """Split a source text into (solution lines, other lines): the lines inside BEGIN/END SOLUTION and the rest."""
    inside, solution, other = False, [], []
    for line in text.split("\n"):
        if line.strip() in (source.BEGIN, source.END):
            inside = line.strip() == source.BEGIN
        else:
            (solution if inside else other).append(line)
    return solution, other


def test_reference_package_is_a_fresh_export():
    changed, stale = generate.differences(generate.package_files(COURSE), ROOT, [PACKAGE])
    assert not changed and not stale, f"tinytorch/ is out of date ({changed + stale}): run python -m curriculum.generate"


@pytest.mark.parametrize("mid, info", FILES, ids=IDS)
def test_solution_markers_are_paired_and_only_in_export_cells(mid, info):
    for cell in source.parse((CURRICULUM / info["source"]).read_text()):
        inside = False
        for number, line in enumerate(cell.source.split("\n"), start=1):
            marker = line.strip()
            if marker in (source.BEGIN, source.END):
                assert cell.kind == "export", f"{info['source']}: solution markers belong in `#| export` cells, found one in a {cell.kind} cell:\n{cell.source[:200]}"
                assert inside == (marker == source.END), f"{info['source']}: {marker!r} at line {number} of the cell starting {cell.source[:80]!r} has no matching {'END' if inside else 'BEGIN'}"
                inside = marker == source.BEGIN
        assert not inside, f"{info['source']}: a BEGIN SOLUTION without END SOLUTION in the cell starting {cell.source[:80]!r}"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_learner_notebook_hides_solutions_and_hidden_tests(files, mid, info):
    text = (CURRICULUM / info["source"]).read_text()
    solution, other = regions(text)
    # A solution line that also appears outside the solutions (e.g. `return out`) reveals nothing.
    revealing = {line.strip() for line in solution} - {line.strip() for line in other} - {""}
    learner = notebook_cells(files, "learner", info)
    leaked = revealing & code_lines(learner)
    assert not leaked, f"{info['source']}: solution lines in the learner notebook: {sorted(leaked)}"

    learner_text = "\n".join("".join(cell["source"]) for cell in learner)
    for cell in source.parse(text):
        if cell.kind == "hidden":
            assert cell.source not in learner_text, f"{info['source']}: a hidden cell is in the learner notebook:\n{cell.source[:200]}"
    assert "#| hidden" not in code_lines(learner), f"{info['source']}: the learner notebook has a `#| hidden` cell"
    assert not re.search(r"def test_hidden_", learner_text), f"{info['source']}: the learner notebook defines hidden tests"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_learner_notebook_has_one_stub_per_solution_region(files, mid, info):
    begins = sum(line.strip() == source.BEGIN for line in (CURRICULUM / info["source"]).read_text().split("\n"))
    stub = f'raise NotImplementedError("Module {mid}: implement'
    stubs = sum(line.strip().startswith(stub) for cell in notebook_cells(files, "learner", info) for line in "".join(cell["source"]).split("\n"))
    assert stubs == begins, f"{info['source']}: {begins} solution regions but {stubs} NotImplementedError stubs in the learner notebook"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_instructor_notebook_keeps_solutions_and_hidden_tests_without_markers(files, mid, info):
    text = (CURRICULUM / info["source"]).read_text()
    instructor = notebook_cells(files, "instructor", info)
    lines = code_lines(instructor)
    missing = {line.strip() for line in regions(text)[0]} - lines
    assert not missing, f"{info['source']}: solution lines missing from the instructor notebook: {sorted(missing)}"
    assert not {source.BEGIN, source.END} & lines, f"{info['source']}: the instructor notebook still has solution markers"
    hidden = sum(cell.kind == "hidden" for cell in source.parse(text))
    tagged = sum(cell["metadata"].get("tags") == ["hidden"] for cell in instructor)
    assert tagged == hidden, f"{info['source']}: {hidden} hidden cells in the source, {tagged} in the instructor notebook"


@pytest.mark.parametrize("mid, info", FILES, ids=IDS)
def test_notebook_cells_match_the_graders_parser(mid, info):
    """The notebooks are read with jupytext, the grader reads the source with tito.source: both must
    see the same graded cells. (Plain code cells may differ: jupytext turns `# %tito ...` into `%tito ...`.)"""
    text = (CURRICULUM / info["source"]).read_text()
    ours = [(cell.kind, cell.source) for cell in source.parse(text) if cell.kind != "markdown" and cell.kind != "code"]
    theirs = [(source.cell_kind(cell.source), cell.source) for cell in jupytext.reads(text, fmt="py:percent").cells
              if cell.cell_type == "code" and source.cell_kind(cell.source) != "code"]
    assert ours == theirs, f"{info['source']}: tito.source and jupytext split the file differently"


def test_notebooks_load_tito_first_and_use_the_python3_kernel(files):
    notebooks = {path: json.loads(text) for path, text in files.items() if path.endswith(".ipynb")}
    # The learner notebooks in both courses (the shipped one and build/instructor/, a whole course
    # with its solutions), the instructor notebooks in build/instructor/ only.
    assert len(notebooks) == 2 * len(FILES) + len(MODULES), f"unexpected notebooks: {sorted(notebooks)}"
    for path, nb in notebooks.items():
        assert "".join(nb["cells"][0]["source"]) == "%load_ext tito", f"{path}: the first cell should load tito"
        assert nb["metadata"]["kernelspec"]["name"] == "python3", f"{path}: kernelspec {nb['metadata']['kernelspec']}"
        for cell in nb["cells"]:
            first = "".join(cell["source"]).split("\n", 1)[0].strip()
            if cell["cell_type"] == "code" and first in source.DIRECTIVES:
                assert cell["metadata"].get("tags") == [source.DIRECTIVES[first]], f"{path}: cell {cell['id']} starts with {first!r} but has tags {cell['metadata'].get('tags')}"


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generation_is_deterministic_and_idempotent(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    generate.write(generate.all_files(COURSE), first)
    generate.write(generate.all_files(COURSE), second)
    assert tree(first) == tree(second), "two runs of the generator wrote different files"
    assert generate.write(generate.all_files(COURSE), first) == ([], []), "a second run into the same folder changed files"
    assert f"{PACKAGE}/__init__.py" in tree(first) and f"{COURSE_DATA}/course.toml" in tree(first)


def test_stale_generated_files_are_removed(tmp_path):
    generate.write(generate.all_files(COURSE), tmp_path)
    stale = [tmp_path / PACKAGE / "core" / "renamed.py", tmp_path / COURSE_DATA / "notebooks" / "old" / "99_old.ipynb"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("old")
    written, deleted = generate.write(generate.all_files(COURSE), tmp_path)
    assert written == [] and sorted(deleted) == sorted(p.relative_to(tmp_path).as_posix() for p in stale), f"written {written}, deleted {deleted}"
    assert not any(p.exists() for p in stale) and not (tmp_path / COURSE_DATA / "notebooks" / "old").exists()
    assert (tmp_path / COURSE_DATA / "notebooks" / "learner").is_dir(), "generated folders must stay"


def test_answer_keys_are_unique_in_the_course():
    """In the browser the grader finds a module's answers cell among everything the kernel ran by its keys."""
    seen = {}
    for mid, info in MODULES:
        for cell in source.parse((CURRICULUM / info["source"]).read_text()):
            if cell.kind == "answers":
                for key in source.answer_keys(cell.source):
                    assert key not in seen, f"{info['source']}: answer key {key!r} is also module {seen[key]}'s"
                    seen[key] = mid


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_reflect_answers_are_blank_for_the_learner_and_checked_by_the_grader(files, mid, info):
    cells = source.parse((CURRICULUM / info["source"]).read_text())
    answers = [cell for cell in cells if cell.kind == "answers"]
    reflect = [cell for cell in cells if cell.kind == "reflect"]
    assert len(answers) <= 1 and bool(answers) == bool(reflect), f"{info['source']}: a Reflect block is one `#| answers` cell and its `#| reflect` checks"
    if not answers:
        return
    keys = source.answer_keys(answers[0].source)
    assert keys, f"{info['source']}: the answers cell must be `answers = {{\"key\": value, ...}}`"
    checked = {key for cell in reflect for key in keys if repr(key) in cell.source or f'"{key}"' in cell.source}
    assert checked == set(keys), f"{info['source']}: answers never checked by a `#| reflect` cell: {sorted(set(keys) - checked)}"
    learner = [cell for cell in notebook_cells(files, "learner", info) if "".join(cell["source"]).startswith("#| answers")]
    assert len(learner) == 1, f"{info['source']}: the learner notebook needs its answers cell"
    namespace = {}
    exec("".join(learner[0]["source"]), namespace)
    assert namespace["answers"] == dict.fromkeys(keys), f"{info['source']}: the learner's answers must all be None, got {namespace['answers']}"


@pytest.mark.parametrize("mid, info", MODULES, ids=[info["source"] for _, info in MODULES])
def test_every_stub_points_to_a_todo_that_exists(mid, info):
    """A stub says "see the TODO above": the function it is in must have a TODO before the solution."""
    missing = []
    for cell in source.parse((CURRICULUM / info["source"]).read_text()):
        lines = cell.source.split("\n")
        for number, line in enumerate(lines):
            if line.strip() != source.BEGIN:
                continue
            indent = len(line) - len(line.lstrip())
            start = number
            while True:  # up to the outermost function enclosing the solution (a nested def's TODO may be its method's)
                outer = max((i for i in range(start) if re.match(r"\s*def ", lines[i]) and len(lines[i]) - len(lines[i].lstrip()) < indent), default=None)
                if outer is None:
                    break
                start, indent = outer, len(lines[outer]) - len(lines[outer].lstrip())
            depth = len(lines[start]) - len(lines[start].lstrip())
            owner = max((i for i in range(start) if re.match(r"\s*class ", lines[i]) and len(lines[i]) - len(lines[i].lstrip()) < depth), default=start)
            docstring = lines[owner:next((i for i in range(owner + 1, start + 1) if re.match(r"\s*def ", lines[i])), start)]
            if not any("TODO" in text for text in docstring + lines[start:number]):  # in the function, or its class's docstring
                owner = next((lines[i].strip() for i in range(start, -1, -1) if lines[i].startswith("class ")), "")
                missing.append(f"{owner} {lines[start].strip()}".strip())
    assert not missing, f"{info['source']}: no TODO above these solutions (their stubs say 'see the TODO above'): {missing}"


def test_the_reference_keeps_what_and_why_and_leaves_the_guidance_to_the_notebooks(files):
    """TODO/APPROACH/HINT/TRAP belong in the learner notebook; the reference's docstrings say what and why."""
    code = '''class A:
    """What A is.

    TODO: how to write it.
    APPROACH:
    1. a step
    2. another

    Why it matters, still kept.
    """

    def f(self):
        """Only guidance. TODO: write f."""
        return 1

    def g(self):
        """TODO: write g."""
        return 2
'''
    assert generate.without_guidance(code) == '''class A:
    """What A is.

    Why it matters, still kept.
    """

    def f(self):
        """Only guidance."""
        return 1

    def g(self):
        return 2
'''
    for path, text in files.items():
        if path.startswith(f"{PACKAGE}/") and path.endswith(".py"):
            assert not generate.GUIDANCE.search(text), f"{path}: the reference still has guidance: {generate.GUIDANCE.search(text)[0]!r}"
    assert "TODO:" in "".join("".join(c["source"]) for c in notebook_cells(files, "learner", dict(MODULES)["01"])), \
        "the learner notebook keeps its TODOs"


FOUNDATION = [mid for mid in next(t["modules"] for t in COURSE["tier"] if t["id"] == "foundation") if mid != "00"]


@pytest.mark.parametrize("mid", FOUNDATION)
def test_a_foundation_module_builds_uses_measures_and_reflects(mid):
    """Build -> Use -> Systems -> Reflect (curriculum/README.md): its methods one TODO per cell, a
    picture drawn by a demo cell, a Systems section of demo code (it runs on the learner's own
    classes), and a Reflect block the grader checks."""
    cells = source.parse((CURRICULUM / dict(MODULES)[mid]["source"]).read_text())
    crowded = [c.source.split("\n")[1][:60] for c in cells if c.kind == "export" and c.source.count(source.BEGIN) > 5]
    assert not crowded, f"module {mid}: export cells with more than 5 solutions to write (split them, one method per cell): {crowded}"
    assert any(c.kind == "code" and "svg." in c.source for c in cells), f"module {mid}: no picture (tito.svg in a demo cell)"
    systems = next((k for k, c in enumerate(cells) if c.kind == "markdown" and c.source.startswith("## Systems")), None)
    assert systems is not None and cells[systems + 1].kind == "code", f"module {mid}: no `## Systems` section followed by its code"
    assert [c.kind for c in cells if c.kind in ("answers", "reflect")] == ["answers", "reflect"], f"module {mid}: no Reflect block"

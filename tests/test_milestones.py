"""The milestone runner (tito/milestones.py), the milestones themselves, and their SVG pictures.

Every milestone must reach its gate with the reference tinytorch, and must miss it with a
workspace in which one line of the reference is broken: the milestones really test the framework.
"""

import asyncio
import json
import shutil
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from tito import milestones, svg  # noqa: E402
from tito import progress, workspace  # noqa: E402
from tito.course import Course, TitoError  # noqa: E402
from tito.store import MemoryStore  # noqa: E402

COURSE = Course()
READY = [m["id"] for m in milestones.list_milestones(COURSE) if m["ready"]]
QUIET = lambda epoch, epochs, loss: None  # noqa: E731


def run(mid, workspace, reference=False):
    """Run a milestone into a fresh store; returns (outcome, its progress record or None)."""
    store = MemoryStore()
    outcome = asyncio.run(milestones.run(mid, workspace, reference=reference, store=store, progress=QUIET, course=COURSE))
    return outcome, store.records.get(f"milestone:{mid}")


def workspace_with(tmp_path, edits):
    """A learner's workspace with every module completed: a copy of the reference tinytorch, with
    the lines in `edits`, [(file in tinytorch/core/, line, replacement)], replaced."""
    shutil.copytree(milestones.REFERENCE_ROOT / "tinytorch", tmp_path / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    for file, line, replacement in edits:
        path = tmp_path / "tinytorch" / "core" / file
        text = path.read_text()
        assert text.count(line) == 1, f"the line to break is not (exactly once) in the reference {file}: {line!r}"
        path.write_text(text.replace(line, replacement))
    for mid in COURSE.written():  # as tito writes them: its header on each module, its own __init__ files
        path = tmp_path / "tinytorch" / "core" / f"{COURSE.modules[mid]['name']}.py"
        info = COURSE.modules[mid]
        path.write_text(workspace.PACKAGE_HEADER.format(title=info["title"], id=mid) + "\n" + path.read_text())
    workspace.write_init(tmp_path, COURSE)
    return tmp_path


# Bugs a learner could make, each as the edits that put it into the reference.
BREAKS = {
    "optimizer step does nothing": [("optimizers.py", "p.data -= self.lr * g", "p.data -= 0.0 * g"),  # SGD
                                    ("optimizers.py", "p.data -= self.lr * m_hat", "p.data -= 0.0 * m_hat")],  # Adam
    "matmul weight gradient has the wrong sign": [("autograd.py", "grad_b = np.swapaxes(_data(a), -1, -2) @ grad_output",
                                                   "grad_b = -(np.swapaxes(_data(a), -1, -2) @ grad_output)")],
}


def test_the_first_three_milestones_are_ready():
    assert READY[:3] == ["01", "02", "03"], f"milestones with a curriculum file: {READY}"


@pytest.mark.parametrize("mid", READY)
def test_milestone_passes_its_gate_with_the_reference_and_is_not_recorded(mid):
    first, record = run(mid, workspace=None, reference=True)
    assert first.passed and first.value >= COURSE.milestones[mid]["gate"], first.summary()
    assert record is None, "a run of the reference must not count as the learner's"
    again, _ = run(mid, workspace=None, reference=True)
    assert again.value == first.value, f"milestone {mid} is not deterministic: {first.value} then {again.value}"


def test_a_learners_correct_framework_passes_and_is_recorded(tmp_path):
    outcome, record = run("02", workspace_with(tmp_path, []))
    assert outcome.passed, outcome.summary()
    assert record["passed"] is True and record["attempts"] == 1 and record["first_passed_at"], record
    assert record["result"] == {"metric": "accuracy", "value": outcome.value, "gate": 1.0,
                                "seconds": outcome.seconds, "at": record["updated_at"]}, record


@pytest.mark.parametrize("mid", READY)
@pytest.mark.parametrize("bug", BREAKS)
def test_milestone_fails_its_gate_with_a_broken_framework(tmp_path, mid, bug):
    outcome, record = run(mid, workspace_with(tmp_path, BREAKS[bug]))
    assert not outcome.passed, f"milestone {mid} passed although {bug}: {outcome.summary()}"
    assert record["passed"] is False and record["first_passed_at"] is None, record
    assert outcome.value < COURSE.milestones[mid]["gate"] and record["result"]["value"] == outcome.value
    assert "Hint:" in outcome.summary(), outcome.summary()


def test_an_error_in_the_learners_framework_names_their_line_and_records_nothing(tmp_path):
    workspace = workspace_with(tmp_path, [("layers.py", "        out = x @ self.weight\n", "        out = x @ self.weight.transpose()\n")])
    with pytest.raises(TitoError) as refused:
        run("01", workspace)
    message = str(refused.value)
    assert message.startswith("Milestone 01 stopped with an error: ValueError: matmul shape mismatch"), message
    assert "layers.py, line" in message and "out = x @ self.weight.transpose()" in message, message
    assert "Traceback" not in message


def test_an_optimizer_that_does_not_step_is_blamed_on_autograd_or_optimizers(tmp_path):
    workspace = workspace_with(tmp_path, BREAKS["optimizer step does nothing"])
    outcome, _ = run("01", workspace)
    assert "06 autograd" in outcome.hint and "07 optimizers" in outcome.hint, outcome.hint


def test_unfinished_workspace_is_refused_naming_the_missing_modules(tmp_path):
    shutil.copytree(milestones.REFERENCE_ROOT / "tinytorch", tmp_path / "tinytorch")
    (tmp_path / "tinytorch" / "core" / "autograd.py").unlink()
    (tmp_path / "tinytorch" / "core" / "optimizers.py").unlink()
    store = MemoryStore()
    with pytest.raises(TitoError) as error:
        asyncio.run(milestones.run("01", tmp_path, store=store, progress=QUIET, course=COURSE))
    message = str(error.value)
    assert "06 autograd, 07 optimizers" in message and "tito module complete 06" in message, message
    assert "01 tensor" not in message, message
    assert store.records == {}, "a refused run must not be recorded"


def test_an_empty_workspace_names_every_required_module(tmp_path):
    with pytest.raises(TitoError, match="needs modules 01 tensor, 02 activations, .*07 optimizers completed first"):
        asyncio.run(milestones.run("01", tmp_path, progress=QUIET, course=COURSE))


def test_a_run_uses_the_workspace_and_then_puts_back_the_tinytorch_imported_before(tmp_path):
    import tinytorch  # the reference, as a test or a notebook would have it

    before = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "tinytorch"}
    outcome, _ = run("01", workspace_with(tmp_path, BREAKS["optimizer step does nothing"]))
    assert not outcome.passed, "the run used the reference instead of the broken workspace"
    after = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "tinytorch"}
    assert after == before and sys.modules["tinytorch"] is tinytorch
    assert str(tmp_path) not in sys.path


def test_milestones_not_written_yet_cannot_run():
    planned = [m["id"] for m in milestones.list_milestones(COURSE) if not m["ready"]]
    for mid in planned + ["99"]:  # coming soon, and one the course does not have
        with pytest.raises(TitoError, match=f"there is no milestone {mid} to run"):
            asyncio.run(milestones.run(mid, None, reference=True, course=COURSE))


def test_pictures_are_saved_in_the_workspace(tmp_path):
    outcome, _ = run("01", workspace=None, reference=True)
    paths = milestones.save_pictures(outcome, tmp_path)
    assert sorted(p.name for p in paths) == ["01_perceptron_boundary.svg", "01_perceptron_loss.svg"]
    for path in paths:
        assert ElementTree.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg", path


def test_terminal_progress_draws_a_bar_that_ends_with_a_newline(capsys):
    milestones.terminal_progress(1, 4, 0.5)
    milestones.terminal_progress(4, 4, 0.25)
    out = capsys.readouterr().out
    assert out == "\r[########......................] epoch 1/4  loss 0.5000\r[##############################] epoch 4/4  loss 0.2500\n", repr(out)


# --- svg -------------------------------------------------------------------------------------------

def polyline_points(text):
    root = ElementTree.fromstring(text)
    line = root.find("{http://www.w3.org/2000/svg}polyline")
    return [tuple(map(float, p.split(","))) for p in line.get("points").split()]


def test_line_chart_puts_high_values_at_the_top():
    points = polyline_points(svg.line_chart([3.0, 1.0, 2.0]))
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert xs == sorted(xs) and len(points) == 3, points
    assert ys[0] < ys[2] < ys[1], f"loss 3 should be highest (smallest pixel y), then 2, then 1: {ys}"


def test_line_chart_of_a_flat_or_single_value_is_drawable():
    for values in ([0.5], [2.0, 2.0, 2.0]):
        assert len(polyline_points(svg.line_chart(values))) == len(values)


def test_line_chart_refuses_no_values():
    with pytest.raises(ValueError, match="empty"):
        svg.line_chart([])


def test_decision_boundary_colours_each_class_region():
    grid = [[0, 0, 1], [0, 1, 1]]  # rows are y, columns x
    root = ElementTree.fromstring(svg.decision_boundary([0, 1, 2], [0, 1], grid, [[0, 0], [2, 1]], [0, 1]))
    fills = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert fills.count(svg.REGION[0]) == 2 and fills.count(svg.REGION[1]) == 2, fills  # one run of each class per row
    circles = [c.get("fill") for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert circles == [svg.POINT[0], svg.POINT[1]], circles


def test_decision_boundary_refuses_a_grid_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"grid must have 2 rows of 3 classes"):
        svg.decision_boundary([0, 1, 2], [0, 1], [[0, 1], [1, 0]], [], [])


# --- in a notebook ---------------------------------------------------------------------------------

def test_milestone_notebook_runs_the_experiment_with_the_learners_tinytorch(tmp_path):
    """The learner's path: open the milestone notebook in their workspace and run every cell."""
    import os

    import nbformat
    from nbclient import NotebookClient

    workspace = workspace_with(tmp_path, [])
    nb = nbformat.read(COURSE.root / "notebooks" / "learner" / "milestone_01_perceptron.ipynb", as_version=4)
    grader = str(milestones.REFERENCE_ROOT / "grader")  # tito importable; the reference tinytorch is not
    env = dict(os.environ, PYTHONPATH=grader, PYTHONNOUSERSITE="1")
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(workspace)}}).execute(env=env)
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    shown = "\n".join(str(out.get("text", "")) + str(out.get("data", {})) for out in outputs)
    assert "Milestone 01 The Perceptron: accuracy" in shown and "PASSED" in shown, shown[-2000:]
    assert sum("image/svg+xml" in out.get("data", {}) for out in outputs) == 2, "expected the loss and boundary pictures"
    assert '<progress value="10" max="10">' in shown, "the progress bar should end at the last epoch"
    record = [r for r in json.loads((workspace / ".tito" / "progress.json").read_text())["records"] if r["id"] == "milestone:01"]
    assert record and record[0]["passed"] is True, record


# --- several gated figures, labelled curves, image grids, notes (the runner's optional keys) --------

FAKE_MILESTONE = '''# %%
def run_experiment(report=print, seed=0):
    report(1, 1, 0.5)
    return {{"value": {value}, "losses": [1.0, 0.5], "figures": {figures},
             "curves": {{"model": [1.0, 0.5], "baseline": [1.0, 0.8, 0.7]}},
             "images": {{"filters": {{"title": "Filters", "images": [[[1.0, -1.0], [0.0, 0.5]]] * 3}}}},
             "notes": ["a note from the experiment"]}}
'''


def fake_course(tmp_path, value, figures, also='{ margin = 0.05 }'):
    """A copy of the course with milestone 99: accuracy >= 0.9 and (by `also`) margin >= 0.05, needing no module."""
    root = tmp_path / "course"
    shutil.copytree(COURSE.root, root, ignore=shutil.ignore_patterns("notebooks"))
    (root / "milestones" / "99_fake.py").write_text(FAKE_MILESTONE.format(value=value, figures=figures))
    with open(root / "course.toml", "a") as toml:
        toml.write(f'"99" = {{ name = "fake", title = "Fake", year = 2099, source = "milestones/99_fake.py", requires = [], '
                   f'metric = "accuracy", gate = 0.9, also = {also} }}\n')
    return Course(root)


def run_fake(tmp_path, value, figures, **kwargs):
    course, store = fake_course(tmp_path, value, figures, **kwargs), MemoryStore()
    outcome = asyncio.run(milestones.run("99", tmp_path, store=store, progress=QUIET, course=course))
    return outcome, store.records["milestone:99"], course


def test_a_milestone_passes_only_when_every_gated_figure_reaches_its_gate(tmp_path):
    outcome, record, course = run_fake(tmp_path / "pass", 0.97, '{"margin": 0.07, "shown": 0.25}')
    assert outcome.passed and record["passed"] is True, outcome.summary()
    assert outcome.figures == [("accuracy", 0.97, 0.9), ("margin", 0.07, 0.05), ("shown", 0.25, None)], outcome.figures
    assert record["result"]["metric"] == "accuracy" and record["result"]["value"] == 0.97, record

    outcome, record, course = run_fake(tmp_path / "miss", 0.97, '{"margin": 0.02, "shown": 0.25}')
    assert not outcome.passed and record["passed"] is False, outcome.summary()
    # the record keeps the figure that missed, so the dashboard shows why
    assert (record["result"]["metric"], record["result"]["value"], record["result"]["gate"]) == ("margin", 0.02, 0.05), record
    assert (outcome.metric, outcome.value, outcome.gate) == ("margin", 0.02, 0.05) and "Hint:" in outcome.summary()
    assert progress.check_document(progress.document({"milestone:99": record}, record["updated_at"]), course) == [record], \
        "a missed run's record is a valid progress record"


def test_a_missed_main_metric_is_the_one_recorded(tmp_path):
    outcome, record, _ = run_fake(tmp_path, 0.5, '{"margin": 0.01}')
    assert not outcome.passed and record["result"]["metric"] == "accuracy" and record["result"]["value"] == 0.5, record


def test_a_gated_figure_that_is_nan_misses_and_is_recorded_finite(tmp_path):
    outcome, record, _ = run_fake(tmp_path, 0.97, '{"margin": float("nan")}')
    assert not outcome.passed and record["result"]["metric"] == "margin" and record["result"]["value"] == 0.0, record


def test_the_summary_shows_every_figure_its_gate_and_the_notes(tmp_path):
    outcome, _, _ = run_fake(tmp_path, 0.97, '{"margin": 0.07, "shown": 0.25}')
    assert outcome.summary() == ("Milestone 99 Fake: accuracy 0.970 (gate 0.9), margin 0.070 (gate 0.05), shown 0.250 "
                                 f"in {outcome.seconds:.2f} s: PASSED\na note from the experiment"), outcome.summary()


def test_a_figure_the_course_gates_but_the_experiment_does_not_return_is_named(tmp_path):
    with pytest.raises(TitoError, match=r"returned no figure margin .*it returned figures \['other'\]"):
        run_fake(tmp_path, 0.97, '{"other": 1.0}')


def test_labelled_curves_and_image_grids_become_pictures(tmp_path):
    outcome, _, _ = run_fake(tmp_path, 0.97, '{"margin": 0.07}')
    assert sorted(outcome.pictures) == ["99_fake_filters.svg", "99_fake_loss.svg"]
    loss = ElementTree.fromstring(outcome.pictures["99_fake_loss.svg"])
    lines = loss.findall("{http://www.w3.org/2000/svg}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 3], "one line per curve"
    assert len({line.get("stroke") for line in lines}) == 2, "each curve in its own colour"
    legend = [t.text for t in loss.iter("{http://www.w3.org/2000/svg}text")]
    assert "model" in legend and "baseline" in legend, legend
    grid = ElementTree.fromstring(outcome.pictures["99_fake_filters.svg"])
    pixels = [r for r in grid.iter("{http://www.w3.org/2000/svg}rect") if r.get("shape-rendering") == "crispEdges"]
    assert len(pixels) == 3 * 4, "three 2x2 images"


def test_image_grid_shades_positive_negative_and_zero():
    root = ElementTree.fromstring(svg.image_grid([[[2.0, -2.0], [0.0, 1.0]]]))
    fills = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("shape-rendering") == "crispEdges"]
    assert fills == [svg._shade(1.0), svg._shade(-1.0), "#ffffff", svg._shade(0.5)], fills
    assert svg._shade(1.0) == "#d9600b" and svg._shade(-1.0) == "#1f5fa8", "full scale is the strong orange / blue"


def test_image_grid_refuses_ragged_or_no_images():
    for images in ([], [[[1.0, 2.0], [3.0]]], [[[1.0]], [[1.0, 2.0]]]):
        with pytest.raises(ValueError, match="same .rows, columns. shape"):
            svg.image_grid(images)

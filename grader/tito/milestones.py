"""Run a history milestone with the learner's own tinytorch, check it against its gate, record it.

A milestone file (curriculum/milestones/NN_name.py) defines the experiment in its code cells,
ending with `run_experiment(report) -> {"value": float, "losses": [...], ...}` (the optional keys
are in curriculum/milestones/README.md); `report(epoch, epochs, loss)` is called after each epoch.
This runner knows nothing about any one milestone: it runs those cells with the chosen tinytorch
importable, times the call, compares the value (and any further figures course.toml gates with
`also`) with their gates, draws the pictures and records the result.

    outcome = await run("01", workspace, store=store)  # the learner's <workspace>/tinytorch/
    outcome = await run("01", None, reference=True)  # the repository's tinytorch; not recorded
"""

import math
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import source, svg
from . import workspace as workspace_files
from .course import Course, TitoError
from .grade import learner_package
from .progress import milestone_attempt, module_statuses, now

# The reference package: the repository's tinytorch/, next to grader/ (present in a checkout, not in a wheel).
REFERENCE_ROOT = Path(__file__).resolve().parents[2]

# Which modules to suspect when a run misses its gate, by what the loss did (nothing milestone-specific).
HINTS = {
    "not finite": ("02", "04"),  # exp/log overflowing: a sigmoid/softmax or a loss without its stabilising trick
    "flat": ("06", "07"),  # the loss did not go down: gradients (autograd) or the update (optimizer step) are wrong
    "too high": ("03", "04", "08", "09"),  # it learns, but not well: layers (dense, convolutional), the loss, the training loop
}


@dataclass
class Outcome:
    """The result of one milestone run.

    metric, value, gate: the figure that decides (and is recorded): the main metric, or, when the
    run missed, the first gated figure that missed. figures: every figure, [(name, value, gate or
    None)], the main metric first, then those course.toml gates with `also`, then the ungated ones.
    """

    id: str
    title: str
    metric: str
    value: float
    gate: float
    seconds: float
    passed: bool
    hint: str  # "" when passed
    pictures: dict = field(default_factory=dict)  # file name -> SVG text
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # lines the experiment wants shown (e.g. sample predictions)

    def summary(self):
        verdict = "PASSED" if self.passed else "NOT PASSED"
        figures = self.figures or [(self.metric, self.value, self.gate)]
        shown = ", ".join(f"{name} {value:.3f}" + ("" if gate is None else f" (gate {gate:g})") for name, value, gate in figures)
        line = "\n".join([f"Milestone {self.id} {self.title}: {shown} in {self.seconds:.2f} s: {verdict}", *self.notes])
        return line if self.passed else f"{line}\n{self.hint}"


def list_milestones(course):
    """[{id, title, year, requires, metric, gate, ready}] in course order; ready=False means coming soon."""
    return [{"id": mid, "title": info["title"], "year": info["year"], "requires": info.get("requires", []),
             "metric": info.get("metric"), "gate": info.get("gate"), "also": info.get("also", {}), "ready": "source" in info}
            for mid, info in sorted(course.milestones.items())]


def missing_modules(course, mid, workspace):
    """The required modules whose code is not in <workspace>/tinytorch/ yet (it arrives when a module is completed)."""
    package = Path(workspace) / "tinytorch" / "core"
    return [m for m in course.milestones[mid].get("requires", [])
            if not (package / f"{course.modules[m]['name']}.py").is_file()]


async def run(milestone_id, workspace, reference=False, store=None, progress=None, course=None, prefix="tito"):
    """Run a milestone, record the attempt in `store` (if given; not for the reference) and return its Outcome.

    reference=False uses <workspace>/tinytorch/ and first checks that every required module is
    completed; reference=True uses the repository's reference package. `progress(epoch, epochs,
    loss)` is called during training (default: a bar in the notebook or the terminal). `prefix`
    is how the learner types a command here ("tito", or "%tito" in a notebook), for messages.
    """
    course = course or Course()
    mid, info = course.milestone(milestone_id)
    has_reference = (REFERENCE_ROOT / "tinytorch" / "__init__.py").is_file()
    if reference:
        root = REFERENCE_ROOT
        if not has_reference:
            raise TitoError(f"the reference tinytorch is not here ({root / 'tinytorch'}): --reference works in a checkout of the course repository")
    else:
        root = Path(workspace)
        missing = missing_modules(course, mid, root)
        statuses = module_statuses(course, await store.get_all()) if missing and store is not None else {}
        if missing and all(statuses.get(m) == "completed" for m in missing):
            # What the dashboard shows (the records) and what runs (the package) disagree: say so.
            raise TitoError(f"Milestone {mid} needs the code of modules {', '.join(missing)}: your progress says they are "
                            f"completed, but their code is not in your tinytorch package (a progress file without it was "
                            f"imported?). Open {course.notebook_name(missing[0])}, run its cells, then "
                            f"`{prefix} module complete {missing[0]}` to write it again")
        if missing:
            names = ", ".join(f"{m} {course.modules[m]['name']}" for m in missing)
            # Suggest the reference only where it is (a checkout; not the browser, not a wheel).
            watch = f" (or watch it run with the reference tinytorch: `{prefix} milestone run {mid} --reference`)" if has_reference else ""
            raise TitoError(f"Milestone {mid} needs modules {names} completed first: run `{prefix} module complete {missing[0]}`{watch}")

        try:
            workspace_files.write_init(root, course)  # the package imports what its core/ has (a backup may have brought more)
        except OSError:
            pass  # a read-only workspace: its package is used as it is

    text = (course.root / info["source"]).read_text(encoding="utf-8")
    report = progress or default_progress()
    # `import tinytorch` in the milestone finds the package in `root` and only that one.
    with learner_package(root, f"tinytorch.milestone_{mid}") as namespace:
        try:
            run_cells(text, str(course.root / info["source"]), namespace)
            started = time.perf_counter()
            result = namespace["run_experiment"](report=report)
            seconds = time.perf_counter() - started
        except Exception as error:  # an error in the learner's framework: their lines, no grader internals
            raise TitoError(f"Milestone {mid} stopped with an error: {type(error).__name__}: {error}"
                            + "".join(f"\n    at {where}" for where in package_frames(error, root))) from None

    figures = gated_figures(mid, info, result)
    missed = [(name, value, gate) for name, value, gate in figures if gate is not None and not value >= gate]  # NaN misses
    passed = not missed
    metric, value, gate = missed[0] if missed else figures[0]
    outcome = Outcome(mid, info["title"], metric, value, gate, seconds, passed,
                      hint="" if passed else result.get("hint") or hint(course, info, result["losses"]),
                      pictures=pictures(f"{mid}_{info['name']}", info["title"], result),
                      figures=figures, notes=[str(line) for line in result.get("notes", [])])
    if store is not None and not reference:  # the reference's result is not the learner's
        at = now()
        # The record keeps one figure: the main one when passed, else the one that missed (so its value is below its gate).
        await store.update(f"milestone:{mid}", lambda old: milestone_attempt(old, mid, metric, value, gate, seconds, at))
    return outcome


def gated_figures(mid, info, result):
    """[(name, value, gate or None)]: the main metric and its gate, each figure course.toml gates
    with `also = {name = gate}`, then the experiment's other figures (shown, not gated)."""
    figures = {name: float(value) for name, value in result.get("figures", {}).items()}
    absent = [name for name in info.get("also", {}) if name not in figures]
    if absent:  # a mistake in the milestone, not the learner's
        raise TitoError(f"milestone {mid}'s run_experiment returned no figure {', '.join(absent)} (course.toml gates it with `also`); "
                        f"it returned figures {sorted(figures)}")
    also = info.get("also", {})
    return ([(info["metric"], float(result["value"]), info["gate"])]
            + [(name, figures[name], gate) for name, gate in also.items()]
            + [(name, value, None) for name, value in figures.items() if name not in also])


def package_frames(error, root):
    """Where in the tinytorch package at `root` the error passed, innermost last (at most 5)."""
    package = (Path(root) / "tinytorch").resolve()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve().is_relative_to(package)]
    return [f"{Path(f.filename).resolve().relative_to(package.parent)}, line {f.lineno}: {f.line}" for f in frames[-5:]]


def run_cells(text, filename, namespace):
    """Execute a milestone's code cells in `namespace`. Each cell is compiled at its own line in
    the file, so a traceback points at the right line of the milestone."""
    for cell in source.parse(text):
        if cell.kind == "code":
            line = text[: text.index(cell.source)].count("\n")
            exec(compile("\n" * line + cell.source, filename, "exec"), namespace)


def hint(course, info, losses):
    """Which of the milestone's modules most likely cause a missed gate, judged by the loss curve."""
    if not all(math.isfinite(loss) for loss in losses):
        why, suspects = "the loss became inf or nan", HINTS["not finite"]
    elif losses[-1] > 0.9 * losses[0]:
        why, suspects = "the loss barely went down, so the model did not learn", HINTS["flat"]
    else:
        why, suspects = "the loss went down, but not far enough", HINTS["too high"]
    requires = info.get("requires", [])
    likely = [m for m in suspects if m in requires] or requires
    names = [f"{m} {course.modules[m]['name']}" for m in likely]
    return f"Hint: {why}; the likely cause is in module {' or '.join(names)}."


def pictures(stem, title, result):
    """{file name: SVG}: the loss curve (or the labelled `curves`), the decision boundary when the
    experiment returns one, and one grid picture per entry of `images` (e.g. learned filters)."""
    out = {f"{stem}_loss.svg": svg.line_chart(result.get("curves") or result["losses"], f"{title}: training loss", "epoch", "loss")}
    if result.get("boundary"):
        b = result["boundary"]
        out[f"{stem}_boundary.svg"] = svg.decision_boundary(b["xs"], b["ys"], b["grid"], b["points"], b["labels"],
                                                            f"{title}: decision boundary")
    for name, picture in result.get("images", {}).items():
        out[f"{stem}_{name}.svg"] = svg.image_grid(picture["images"], picture["title"], picture.get("columns"))
    return out


def save_pictures(outcome, workspace):
    """Write the outcome's pictures to <workspace>/milestones/; returns their paths."""
    folder = Path(workspace) / "milestones"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in outcome.pictures.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def data_path(name):
    """The path of a data set shipped with the course, e.g. data_path("digits.npz")."""
    return Course().root / "data" / name


# --- progress while training ---------------------------------------------------------------------

def default_progress():
    """A live bar in a notebook (IPython display handle), else a text bar in the terminal."""
    if "IPython" not in sys.modules:  # not imported means not running in IPython
        return terminal_progress
    from IPython import get_ipython

    shell = get_ipython()
    in_notebook = shell is not None and type(shell).__name__ != "TerminalInteractiveShell"
    return notebook_progress() if in_notebook else terminal_progress


def bar(epoch, epochs, loss, width=30):
    done = round(width * epoch / epochs)
    return f"[{'#' * done}{'.' * (width - done)}] epoch {epoch}/{epochs}  loss {loss:.4f}"


def terminal_progress(epoch, epochs, loss):
    """Redraw one line in place (\\r goes back to its start); end it after the last epoch."""
    print("\r" + bar(epoch, epochs, loss), end="\n" if epoch == epochs else "", flush=True)


def notebook_progress():
    """A progress callback that redraws one output of the notebook cell in place: a bar and the loss."""
    from IPython.display import HTML, display

    def html(epoch, epochs, loss):
        return HTML(f'<progress value="{epoch}" max="{epochs}"></progress> <code>epoch {epoch}/{epochs}  loss {loss:.4f}</code>')

    handles = []  # shown at the first epoch, not before: a run that fails at once leaves no bar behind

    def report(epoch, epochs, loss):
        if handles:
            handles[0].update(html(epoch, epochs, loss))
        else:
            handles.append(display(html(epoch, epochs, loss), display_id=True))

    return report


def show_pictures(outcome):
    """Display an outcome's pictures in a notebook."""
    from IPython.display import SVG, display

    for text in outcome.pictures.values():
        display(SVG(text))

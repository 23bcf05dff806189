"""The explanatory pictures of the modules (tito.svg.arrays, tito.svg.graph): valid SVG that shows
every value, marks exactly the cells asked for, and draws every node and edge."""

import xml.etree.ElementTree as ET

from tito import svg

NS = "{http://www.w3.org/2000/svg}"


def test_arrays_shows_every_value_and_marks_the_cells_asked_for():
    text = svg.arrays([{"label": "a (2, 3)", "values": [[1, 2, 3], [4, 5, 6]], "marked": {(0, 1)}}, "@",
                       {"label": "v (3,)", "values": [7, 8, 9], "faded": {(0, 2)}}], "a title & more")
    root = ET.fromstring(text)  # well-formed, the & escaped
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert {"1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "a (2, 3)", "v (3,)", "a title & more"} <= set(texts), texts
    fills = [r.get("fill") for r in root.iter(f"{NS}rect")]
    assert fills.count(svg.MARK) == 1 and fills.count(svg.FADE) == 1 and fills.count("white") == 1 + 7, fills  # the background, and 9 cells less the two
    assert int(root.get("width")) >= len("a title & more") * 7


def test_graph_draws_every_node_and_edge():
    text = svg.graph({"x": (0, ["x (2,)", "grad [1, 2]"]), "w": (0, ["w"]), "y": (1, ["Mul"]), "s": (2, ["Sum"])},
                     [("x", "y"), ("w", "y"), ("y", "s")], "g")
    root = ET.fromstring(text)
    boxes = [r for r in root.iter(f"{NS}rect") if r.get("rx")]
    assert len(boxes) == 4 and len(list(root.iter(f"{NS}line"))) == 3
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert {"x (2,)", "grad [1, 2]", "Mul", "Sum"} <= set(texts)
    xs = {float(b.get("x")) for b in boxes}
    assert len(xs) == 3, "one column per depth: inputs, Mul, Sum"


def test_curves_paths_and_bars():
    curve = ET.fromstring(svg.line_chart({"a": [0, 1, 4], "b": [1, 1, 1]}, "c", xs=[-2, 0, 2]))
    assert len(list(curve.iter(f"{NS}polyline"))) == 2 and {"-2", "2", "a", "b"} <= {t.text for t in curve.iter(f"{NS}text")}
    walk = ET.fromstring(svg.paths({"sgd": [(0, 0), (1, 2)], "adam": [(0, 0), (2, 1), (3, 3)]}, "p", background=[[(0, 1), (1, 0)]]))
    assert len(list(walk.iter(f"{NS}polyline"))) == 3 and len(list(walk.iter(f"{NS}circle"))) == 4  # a start and an end each
    chart = ET.fromstring(svg.bars([0.5, 0.25, -0.25], ["x", "y", "z"], "b"))
    assert len([r for r in chart.iter(f"{NS}rect") if r.get("fill") == svg.POINT[0]]) == 3
    assert {"x", "y", "z", "0.5", "0.25", "-0.25"} <= {t.text for t in chart.iter(f"{NS}text")}


# --- the modules' own pictures: drawn by the notebook, from the learner's code --------------------

import re  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

import IPython.display  # noqa: E402
import pytest  # noqa: E402

from tito import source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COURSE = tomllib.loads((ROOT / "curriculum" / "course.toml").read_text())
FOUNDATION = [mid for mid in next(t["modules"] for t in COURSE["tier"] if t["id"] == "foundation") if mid != "00"]


def drawing_cells(mid):
    """(index, cell) of every demo cell of a module that shows an SVG, and all its cells."""
    cells = source.parse((ROOT / "curriculum" / COURSE["modules"][mid]["source"]).read_text())
    return [(k, cell) for k, cell in enumerate(cells) if cell.kind == "code" and "svg." in cell.source], cells


def run_notebook(mid, monkeypatch, learner):
    """Run a module's cells as Run All would (the hidden ones left out), the export cells as the
    reference or as the learner gets them (stubs); returns {drawing cell index: its SVGs or the
    exception it raised}. A cell before it that stops at a stub does not stop the others here.
    The run gets its own fresh `tinytorch` modules (a module's stubs patch the Tensor class: module
    06's autograd), and the ones imported before come back afterwards."""
    shown, before = [], {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] == "tinytorch"}
    try:
        return _run(mid, learner, shown, monkeypatch)
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "tinytorch"]:
            del sys.modules[name]
        sys.modules.update(before)


def _run(mid, learner, shown, monkeypatch):
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(o.data for o in objects))
    monkeypatch.chdir(ROOT)
    drawing, cells = drawing_cells(mid)
    namespace, results = {"__name__": f"picture_{mid}"}, {}
    for k, cell in enumerate(cells[:drawing[-1][0] + 1]):
        if cell.kind not in ("export", "test", "code"):
            continue
        code = source.without_directive(cell.source)
        code = source.strip_solutions(code, mid) if learner and cell.kind == "export" else source.solution(code)
        del shown[:]
        try:
            exec(compile(code, f"{mid} cell {k}", "exec"), namespace)
            outcome = list(shown)
        except Exception as error:
            outcome = error
        if k in dict(drawing):
            results[k] = outcome
    return results


@pytest.mark.parametrize("mid", FOUNDATION)
def test_each_foundation_module_draws_its_pictures_from_the_reference(mid, monkeypatch):
    results = run_notebook(mid, monkeypatch, learner=False)
    assert results, f"module {mid} has no picture (a demo cell showing an svg)"
    for k, svgs in results.items():
        assert isinstance(svgs, list) and svgs, f"module {mid}, cell {k}: expected SVGs, got {svgs!r}"
        for text in svgs:
            root = ET.fromstring(text)
            assert root.tag == f"{NS}svg" and len(list(root.iter())) > 10, f"module {mid}, cell {k}: an empty picture"


@pytest.mark.parametrize("mid", FOUNDATION)
def test_a_picture_on_the_untouched_stubs_stops_at_a_stub_or_draws_what_is_given(mid, monkeypatch):
    for k, outcome in run_notebook(mid, monkeypatch, learner=True).items():
        if isinstance(outcome, Exception):
            assert isinstance(outcome, NotImplementedError) and re.match(rf"Module {mid}: implement ", str(outcome)), \
                f"module {mid}, cell {k}: on the stubs the picture must stop at a stub, got {type(outcome).__name__}: {outcome}"
        else:  # a picture of what the module gives (e.g. 01's broadcasting, drawn by the given +)
            assert outcome and all(ET.fromstring(text) is not None for text in outcome)

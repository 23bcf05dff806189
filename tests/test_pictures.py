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

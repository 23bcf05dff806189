"""Milestone 04 (CNN, 1998): its data, its pictures and figures, and that it misses its gate when
the learner's convolutions do not learn. (tests/test_milestones.py runs it with the reference,
and with the broken frameworks every milestone must fail with.)"""

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from test_milestones import COURSE, run, workspace_with
from tito import milestones

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def experiment():
    """The milestone's own definitions (load_shifted_digits, make_cnn, ...), run with the reference tinytorch."""
    info = COURSE.milestones["04"]
    namespace = {"__name__": "milestone_04"}
    milestones.run_cells((COURSE.root / info["source"]).read_text(), info["source"], namespace)
    return namespace


def where_from(canvas, originals):
    """(index of the shipped digit, (row, column)) of the one 8x8 digit pasted on `canvas`."""
    for row in range(5):
        for col in range(5):
            window = canvas[row:row + 8, col:col + 8]
            if window.tobytes() in originals and window.sum() == canvas.sum():
                return originals[window.tobytes()], (row, col)
    raise AssertionError("a canvas that is not one shipped digit on a blank background")


def test_the_digits_are_moved_copies_of_the_shipped_ones_and_the_test_digits_are_never_trained_on(experiment):
    train_x, train_y, test_x, test_y = experiment["load_shifted_digits"]()
    assert train_x.shape == (2 * 1438, 1, 12, 12) and test_x.shape == (3 * 359, 1, 12, 12)
    assert train_x.dtype == test_x.dtype == np.float32 and train_y.dtype == test_y.dtype == np.int64
    digits = np.load(milestones.data_path("digits.npz"))
    images = digits["images"].astype(np.float32) / 16.0
    originals = {image.tobytes(): i for i, image in enumerate(images)}
    used, positions = {}, set()
    for part, canvases, labels in [("train", train_x, train_y), ("test", test_x, test_y)]:
        used[part] = set()
        for canvas, label in zip(canvases[:, 0], labels):
            index, position = where_from(canvas, originals)
            assert digits["labels"][index] == label, "each canvas keeps its digit's label"
            used[part].add(index)
            positions.add(position)
    assert not used["train"] & used["test"], "a test digit must never be trained on, at any position"
    assert len(used["train"]) + len(used["test"]) > 1780, "nearly every shipped digit is used (a few are identical images)"
    assert len(positions) == 25, f"digits should land at all 5 x 5 offsets, got {sorted(positions)}"
    again = experiment["load_shifted_digits"]()
    assert all(np.array_equal(a, b) for a, b in zip((train_x, train_y, test_x, test_y), again)), "the data must be the same on every run"


def test_the_two_models_have_about_the_same_number_of_parameters(experiment):
    np.random.seed(0)
    cnn, mlp = experiment["count_parameters"](experiment["make_cnn"]()), experiment["count_parameters"](experiment["make_mlp"]())
    assert abs(cnn - mlp) / cnn < 0.05, f"CNN {cnn} parameters, MLP {mlp}: a fair comparison needs about the same"


def test_the_reference_run_shows_both_curves_the_filters_and_both_accuracies():
    outcome, _ = run("04", workspace=None, reference=True)
    assert outcome.passed, outcome.summary()
    figures = {name: (value, gate) for name, value, gate in outcome.figures}
    assert figures["margin_over_mlp"][1] == 0.05 and figures["margin_over_mlp"][0] >= 0.05
    assert figures["mlp_test_accuracy"][1] is None and figures["mlp_test_accuracy"][0] < 0.9, "the MLP should fall on moved digits"
    assert figures["test_accuracy"][0] - figures["mlp_test_accuracy"][0] == pytest.approx(figures["margin_over_mlp"][0])
    assert "the CNN reads" in outcome.summary() and "the MLP" in outcome.summary()
    assert sorted(outcome.pictures) == ["04_cnn_digits.svg", "04_cnn_filters.svg", "04_cnn_loss.svg"]
    loss = ElementTree.fromstring(outcome.pictures["04_cnn_loss.svg"])
    assert len(loss.findall(f"{SVG}polyline")) == 2, "the CNN's and the MLP's loss curves"
    filters = ElementTree.fromstring(outcome.pictures["04_cnn_filters.svg"])
    assert len([r for r in filters.iter(f"{SVG}rect") if r.get("shape-rendering")]) == 16 * 9, "sixteen 3x3 filters"


def test_milestone_04_misses_when_the_convolution_weights_get_no_gradient(tmp_path):
    """Only the last Linear layer learns, on top of random filters: weight sharing untrained does not read digits."""
    broken = [("convolutions.py", "grad_weight = (g @ self.cols.T).reshape(weight.shape) if _needs_grad(weight) else None",
               "grad_weight = None")]
    outcome, record = run("04", workspace_with(tmp_path, broken))
    assert not outcome.passed and outcome.metric == "test_accuracy" and outcome.value < 0.95, outcome.summary()
    assert record["passed"] is False and record["result"]["value"] == outcome.value, record
    assert "09 convolutions" in outcome.hint, outcome.hint

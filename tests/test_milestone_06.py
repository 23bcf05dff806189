"""Milestone 06 (MLPerf-style): it passes with the reference (tests/test_milestones.py runs every
milestone that way, twice, and with a broken optimizer), and misses with a KV cache that is wrong
(different tokens) or that recomputes (no speedup), naming module 18."""

import pytest

from test_milestones import run, workspace_with

CACHE_BUGS = {
    "positions restart at 0 each step": ([("memoization.py", "    x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]\n",
                                            "    x = model.token_embedding(ids) + model.position_embedding.weight[:new]\n")],
                                         "identical_tokens"),
    "a cache that recomputes the whole sequence": ([("memoization.py", "                logits = cached_forward(model, pick[:, None], cache)\n",
                                                     "                cache.reset()\n                logits = cached_forward(model, ids, cache)\n")],
                                                   "kv_positions_saved"),
}


@pytest.mark.parametrize("bug", CACHE_BUGS)
def test_a_wrong_kv_cache_misses_the_milestone_and_names_module_18(tmp_path, bug):
    edits, figure = CACHE_BUGS[bug]
    outcome, record = run("06", workspace_with(tmp_path, edits))
    assert not outcome.passed, outcome.summary()
    assert outcome.metric == figure and outcome.value < {"identical_tokens": 1.0, "kv_positions_saved": 10.0}[figure], outcome.summary()
    assert "module 18" in outcome.hint, outcome.hint
    assert record["passed"] is False


def test_the_tables_show_measured_figures_and_no_invented_energy():
    outcome, _ = run("06", workspace=None, reference=True)
    shown = "\n".join(outcome.notes)
    for expected in ["tokens identical", "per token", "speedup", "positions", "cache memory", "the talk's goal", "float32", "int8", "pruned 80%", "energy: not measured", "backward ms"]:
        assert expected in shown, f"{expected!r} missing from:\n{shown}"
    figures = {name: value for name, value, _ in outcome.figures}
    assert figures["kv_positions_saved"] == (8 * sum(range(8, 72))) / (8 * 8 + 8 * 63), figures  # counted: exact
    assert figures["kv_speedup"] >= 2, figures
    assert figures["int8_test_accuracy"] >= figures["float32_test_accuracy"] - 0.01, figures

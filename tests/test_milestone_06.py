"""Milestone 06 (MLPerf-style): it passes with the reference (tests/test_milestones.py runs every
milestone that way, twice, and with a broken optimizer), and misses with a KV cache that is wrong
(different tokens), that recomputes (no saving, whether or not it hides it from the count of
positions), or with an int8 layer that keeps its float32 weight, naming the module to check."""

import pytest

from test_milestones import run, workspace_with

BUGS = {
    "positions restart at 0 each step": ([("memoization.py", "    x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]\n",
                                           "    x = model.token_embedding(ids) + model.position_embedding.weight[:new]\n")],
                                         "identical_tokens", "module 18"),
    "a cache that recomputes the whole sequence": ([("memoization.py", "                logits = cached_forward(model, pick[:, None], cache)\n",
                                                     "                cache.reset()\n                logits = cached_forward(model, ids, cache)\n")],
                                                   "kv_positions_saved", "module 18"),
    # recomputes every position each step but scores only the last one: the count of positions looks
    # right, the tokens are identical; only the measured time gives it away
    "a cache that recomputes and fakes the count": ([("memoization.py", "                logits = cached_forward(model, pick[:, None], cache)\n",
                                                      "                cache.reset()\n                logits = cached_forward(model, ids, cache)\n"),
                                                     ("memoization.py", "    return model.head(model.norm(x))\n", "    return model.head(model.norm(x[:, -1:]))\n")],
                                                    "kv_speedup_vs_goal", "module 18"),
    "an int8 layer that keeps the float32 weight": ([("quantization.py", "        self.bias = None if linear.bias is None else linear.bias.data.copy()\n",
                                                      "        self.bias = None if linear.bias is None else linear.bias.data.copy()\n        self.weight = linear.weight\n")],
                                                    "int8_size_reduction", "module 15"),
}
GATES = {"identical_tokens": 1.0, "kv_positions_saved": 10.0, "kv_speedup_vs_goal": 1.0, "int8_size_reduction": 3.0}


@pytest.mark.parametrize("bug", BUGS)
def test_a_wrong_cache_or_int8_layer_misses_the_milestone_and_names_the_module(tmp_path, bug):
    edits, figure, module = BUGS[bug]
    outcome, record = run("06", workspace_with(tmp_path, edits))
    assert not outcome.passed, outcome.summary()
    figures = {name: value for name, value, _ in outcome.figures}
    assert figures[figure] < GATES[figure], outcome.summary()  # this figure, whatever else a busy machine makes miss
    assert module in outcome.hint, outcome.hint
    assert record["passed"] is False


def test_the_tables_show_measured_figures_and_no_invented_energy():
    outcome, _ = run("06", workspace=None, reference=True)
    shown = "\n".join(outcome.notes)
    for expected in ["tokens identical", "per token", "speedup", "positions", "cache memory", "the talk's goal", "float32", "int8", "pruned 80%", "energy: not measured", "backward ms"]:
        assert expected in shown, f"{expected!r} missing from:\n{shown}"
    figures = {name: value for name, value, _ in outcome.figures}
    assert figures["kv_positions_saved"] == sum(range(8, 104)) / (8 + 95), figures  # counted: exact (16 prompts of 8, 96 new tokens)
    # the speedup is a measured time (tests/test_milestones.py runs the whole milestone, gate included)
    assert figures["kv_speedup"] > 1 and figures["kv_speedup_vs_goal"] == figures["kv_speedup"] / 10, figures
    assert figures["int8_test_accuracy"] >= figures["float32_test_accuracy"] - 0.01, figures
    assert figures["int8_size_reduction"] > 3.5, figures

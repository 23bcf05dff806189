"""Module 20 (Torch Olympics): the curriculum's checks against the reference, and the grader
catching planted bugs (an unchecked leaderboard, a rule read the wrong way, ...)."""

import json

import pytest

import tinytorch  # noqa: F401
from tinytorch.core.capstone import check_submission, leaderboard, make_submission

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "20"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("20", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "the leaderboard trusts every file": [("        check_submission(s)\n", "        pass\n")],
    "ceilings read as floors": [("all(figures[k] <= v for k, v in rules[\"ceiling\"].items())", "all(figures[k] >= v for k, v in rules[\"ceiling\"].items())")],
    "every entry kept, not the best": [("        if key not in best or (s[\"score\"] < best[key][\"score\"] if lower else s[\"score\"] > best[key][\"score\"]):\n",
                                        "        if True:\n")],
    "an invented latency": [("        latency = benchmark(lambda: model(x), name=\"entry\", warmup=2, repeats=repeats).median\n", "        latency = 0.001\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("20", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed an Olympics module with the bug: {name}"


def test_a_submission_file_round_trips_and_an_edit_is_refused(tmp_path):
    figures = {"accuracy": 0.95, "bytes": 2720, "latency_s": 0.001, "baseline_bytes": 9640, "baseline_latency_s": 0.001}
    path = tmp_path / "ada.json"
    path.write_text(json.dumps(make_submission("memory_challenge", figures, "ada", "int8")))
    loaded = json.loads(path.read_text())
    assert check_submission(loaded) and leaderboard([loaded])["memory_challenge"] == [("ada", 2720.0, "int8")]
    loaded["figures"]["bytes"] = 1000
    with pytest.raises(ValueError, match="checksum"):
        leaderboard([loaded])

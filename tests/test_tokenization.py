"""Module 10 (tokenization): the curriculum's own tests against the reference, plus round trips
of every Unicode string (hypothesis), deterministic merges, and bad input."""

import pytest
from hypothesis import given, settings, strategies as st

import tinytorch
from tinytorch.core.tokenization import BPETokenizer, CharTokenizer

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "10"
TRAINING_TEXT = "When shall we three meet again\nIn thunder, lightning, or in rain? Naïve café, 中文 😀😀! " * 4
BPE = BPETokenizer(320).train(TRAINING_TEXT)


def test_curriculum(curriculum_test):
    curriculum_test()


def test_public_names_are_importable_from_tinytorch():
    assert (tinytorch.CharTokenizer, tinytorch.BPETokenizer) == (CharTokenizer, BPETokenizer)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_bpe_round_trips_every_unicode_string(text):
    ids = BPE.encode(text)
    assert BPE.decode(ids) == text
    assert all(isinstance(i, int) and 0 <= i < 320 for i in ids)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_bpe_trained_on_any_text_round_trips_it_and_never_grows_it(text):
    tokenizer = BPETokenizer(270).train(text)
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert len(ids) <= len(text.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1))
def test_char_tokenizer_round_trips_its_own_characters(text):
    tokenizer = CharTokenizer(text)
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert tokenizer.vocab_size == len(set(text))


def test_merges_are_deterministic_and_shorten_the_training_text():
    again = BPETokenizer(320).train(TRAINING_TEXT)
    assert list(again.merges.items()) == list(BPE.merges.items())
    assert len(BPE.merges) == 64
    assert len(BPE.encode(TRAINING_TEXT)) < len(TRAINING_TEXT.encode("utf-8")) / 4


def test_encoding_applies_merges_in_the_order_learned():
    """Every merge learned: encoding the training text gives exactly what training ended with."""
    ids = list(TRAINING_TEXT.encode("utf-8"))
    from tinytorch.core.tokenization import _merge

    for pair, new_id in BPE.merges.items():
        ids = _merge(ids, pair, new_id)
    assert BPE.encode(TRAINING_TEXT) == ids


def test_unknown_character_is_named_with_its_position():
    with pytest.raises(ValueError, match=r"'ß' at position 3 is not in the vocabulary of 3 characters"):
        CharTokenizer("abc").encode("abcß")


@pytest.mark.parametrize("size", [0, 255, 256.0, "300"])
def test_bpe_vocab_size_below_the_bytes_is_refused(size):
    with pytest.raises(ValueError, match="vocab_size >= 256"):
        BPETokenizer(size)


MUTANTS = {
    "ids in order of first appearance": [("        self.chars = sorted(set(text))\n", "        self.chars = list(dict.fromkeys(text))\n")],
    "ties go to the larger pair": [("pair = min(counts, key=lambda p: (-counts[p], p))\n            ids",
                                    "pair = max(counts, key=lambda p: (counts[p], p))\n            ids")],
    "merges applied left to right, not in learned order": [(
        '            pair = min(zip(ids, ids[1:]), key=lambda p: self.merges.get(p, float("inf")))\n',
        '            pair = next((p for p in zip(ids, ids[1:]) if p in self.merges), None)\n')],
    "invalid bytes dropped": [('.decode("utf-8", errors="replace")\n', '.decode("utf-8", errors="ignore")\n')],
    "unknown characters skipped": [("            if char not in self.stoi:\n                raise",
                                    "            if char not in self.stoi:\n                continue\n                raise")],
}


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("10", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("10", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed module 10 with: {name}"

"""Module 18 (memoization, the KV cache): the curriculum's checks against the reference, the grader
catching planted bugs (a cache that recomputes, ...), and GPT.generate(use_cache=True) end to end.
The speedup itself is measured in bench/bench_optimization.py and milestone 06 (no timed assertions here)."""

import numpy as np
import pytest

import tinytorch  # noqa: F401
from tinytorch import GPT
from tinytorch.core.memoization import KVCache, cache_for, generate_cached

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "18"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("18", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


MUTANTS = {
    "a cache that recomputes the whole sequence every step": [(
        "            if step < max_new_tokens - 1:\n                logits = cached_forward(model, pick[:, None], cache)\n",
        "            if step < max_new_tokens - 1:\n                cache.reset()\n                logits = cached_forward(model, ids, cache)\n")],
    "positions restart at 0 each step": [("    x = model.token_embedding(ids) + model.position_embedding.weight[start:start + new]\n",
                                          "    x = model.token_embedding(ids) + model.position_embedding.weight[:new]\n")],
    "the prompt attends without causality": [("    allowed = None if new == 1 else np.tril(np.ones((new, total), dtype=bool), k=total - new)\n",
                                              "    allowed = None\n")],
    "never advances": [("        self.seq_len += self.pending\n", "        pass\n")],
    "get returns only the new keys": [("        return self.keys[layer_idx, :, :, :end], self.values[layer_idx, :, :, :end]\n",
                                       "        return self.keys[layer_idx, :, :, self.seq_len:end], self.values[layer_idx, :, :, self.seq_len:end]\n")],
    "a full cache overwrites the oldest keys": [("        if self.seq_len + new > self.max_seq_len:\n", "        if False:\n")],
    "get copies the cache": [("        return self.keys[layer_idx, :, :, :end], self.values[layer_idx, :, :, :end]\n",
                              "        return self.keys[layer_idx, :, :, :end].copy(), self.values[layer_idx, :, :, :end].copy()\n")],
}


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("18", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed a KV cache with the bug: {name}"


@pytest.mark.parametrize("seed", range(3))
def test_generate_with_and_without_cache_agree_for_random_gpts(seed):
    rng = np.random.default_rng(seed)
    np.random.seed(seed)
    layers, heads = int(rng.integers(1, 4)), int(rng.choice([1, 2, 4]))
    model = GPT(vocab_size=int(rng.integers(5, 50)), embed_dim=8 * heads, num_layers=layers, num_heads=heads, max_seq_len=30)
    prompt = rng.integers(0, model.vocab_size, (int(rng.integers(1, 4)), int(rng.integers(1, 10))))
    new = 30 - prompt.shape[1] + 1
    assert np.array_equal(model.generate(prompt, new, temperature=0), model.generate(prompt, new, temperature=0, use_cache=True))


def test_a_request_longer_than_the_cache_is_refused_with_the_way_out():
    model = GPT(vocab_size=5, embed_dim=4, num_layers=1, num_heads=2, max_seq_len=6)
    with pytest.raises(ValueError, match=r"4 prompt tokens \+ 4 new ones need 7 cached positions, more than max_seq_len=6; generate without use_cache"):
        model.generate([[1, 2, 3, 4]], 4, use_cache=True)
    assert model.generate([[1, 2, 3, 4]], 4).shape == (1, 8), "without the cache the window slides"


def test_cache_memory_is_the_arrays_and_reset_reuses_them():
    cache = cache_for(GPT(vocab_size=5, embed_dim=8, num_layers=2, num_heads=2, max_seq_len=10), 3)
    assert cache.memory_bytes() == 2 * 2 * 3 * 2 * 10 * 4 * 4
    cache.update(0, np.ones((3, 2, 4, 4)), np.ones((3, 2, 4, 4)))
    cache.update(1, np.ones((3, 2, 4, 4)), np.ones((3, 2, 4, 4)))
    cache.advance()
    keys = cache.keys
    cache.reset()
    assert cache.seq_len == 0 and cache.keys is keys
    with pytest.raises(IndexError, match=r"layer_idx must be in \[0, 2\)"):
        cache.get(2)
    assert isinstance(KVCache(1, 1, 1, 1, 1).keys, np.ndarray)
    assert generate_cached is not None

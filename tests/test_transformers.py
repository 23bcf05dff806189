"""Module 13 (transformers): the curriculum's own tests against the reference, plus GPT's
causality, generation (cropping, greedy, sampling), learning, and the module-18 hook."""

import numpy as np
import pytest

import tinytorch
from tinytorch.core.autograd import gradcheck
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.transformers import GPT, MLP, LayerNorm, TransformerBlock

from mutants import failed_checks, grade_mutant

CURRICULUM_MODULE = "13"


def test_curriculum(curriculum_test):
    curriculum_test()


def test_public_names_are_importable_from_tinytorch():
    assert (tinytorch.LayerNorm, tinytorch.MLP, tinytorch.TransformerBlock, tinytorch.GPT) == (LayerNorm, MLP, TransformerBlock, GPT)


def small_gpt(seed=0, **sizes):
    np.random.seed(seed)
    return GPT(**{"vocab_size": 7, "embed_dim": 8, "num_layers": 2, "num_heads": 2, "max_seq_len": 6, **sizes})


@pytest.mark.parametrize("position", range(6))
def test_no_logit_depends_on_a_later_token(position):
    model = small_gpt()
    tokens = np.random.default_rng(position).integers(0, 7, size=(3, 6))
    before = model(tokens).data
    tokens[:, position:] = (tokens[:, position:] + 1) % 7
    after = model(tokens).data
    np.testing.assert_array_equal(after[:, :position], before[:, :position])
    assert not np.array_equal(after[:, position:], before[:, position:])


def test_layernorm_gradcheck_with_large_offsets():
    norm = LayerNorm(6)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 6)) + 50.0, requires_grad=True)
    assert gradcheck(lambda x, w, b: norm(x), x, norm.weight, norm.bias)


def test_generate_crops_to_max_seq_len_and_accepts_a_tensor_prompt():
    model = small_gpt(max_seq_len=3)
    out = model.generate(Tensor([[1.0, 2.0, 3.0, 4.0]]), 3, temperature=0)  # a prompt longer than the context
    assert out.shape == (1, 7) and out.dtype == np.int64 and out[0, :4].tolist() == [1, 2, 3, 4]
    expected = int(model([[3, 4, out[0, 4]]]).data[0, -1].argmax())
    assert out[0, 5] == expected


def test_generate_leaves_no_graph_and_keeps_training_mode():
    model = small_gpt()
    model.generate([[1, 2]], 2)
    assert all(p.grad is None for p in model.parameters())


def test_use_cache_calls_module_18s_generate_cached(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("tinytorch.core.memoization")
    fake.generate_cached = lambda model, tokens, max_new_tokens, temperature, top_k: calls.append((tokens, max_new_tokens, temperature, top_k)) or "cached"
    monkeypatch.setitem(sys.modules, "tinytorch.core.memoization", fake)
    assert small_gpt().generate([[1]], 4, temperature=0.5, top_k=3, use_cache=True) == "cached"
    assert calls == [([[1]], 4, 0.5, 3)]


def test_use_cache_without_module_18_says_what_to_do(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tinytorch.core.memoization", None)  # as if the module does not exist
    with pytest.raises(RuntimeError, match="complete module 18 first"):
        small_gpt().generate([[1]], 1, use_cache=True)


def test_a_gpt_learns_to_repeat_the_token_it_reads():
    """Loss falls well below chance (log 7 = 1.95) on "repeat the token at your position"."""
    model = small_gpt(num_layers=1)
    optimizer = Adam(model.parameters(), lr=0.02)
    rng = np.random.default_rng(0)
    for _ in range(80):
        tokens = rng.integers(0, 7, size=(16, 6))
        loss = CrossEntropyLoss()(model(tokens).reshape(16 * 6, 7), tokens.reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert loss.item() < 0.2, loss.item()


def test_block_and_mlp_shapes():
    block = TransformerBlock(12, 3, mlp_ratio=2)
    assert block(Tensor(np.ones((2, 4, 12)))).shape == (2, 4, 12)
    assert [layer.weight.shape for layer in block.mlp.layers[::2]] == [(12, 24), (24, 12)]
    assert len(MLP(4, 8).parameters()) == 4


MUTANTS = {
    "LayerNorm backward without mean(g)": [("        return (self.inv_std * (g - mean_g - x_hat * mean_gx),)\n",
                                            "        return (self.inv_std * (g - x_hat * mean_gx),)\n")],
    "LayerNorm backward without the x_hat term": [("        return (self.inv_std * (g - mean_g - x_hat * mean_gx),)\n",
                                                   "        return (self.inv_std * (g - mean_g),)\n")],
    "LayerNorm over the batch axis": [("        return _normalize(x, tuple(range(-count, 0)), self.eps)", "        return _normalize(x, (0,), self.eps)")],
    "post-norm attention": [("        x = x + self.attn(self.norm1(x), mask=mask, is_causal=is_causal)\n",
                             "        x = self.norm1(x + self.attn(x, mask=mask, is_causal=is_causal))\n")],
    "no residual around the MLP": [("        return x + self.mlp(self.norm2(x))\n", "        return self.mlp(self.norm2(x))\n")],
    "blocks not causal": [("\n            x = block(x, is_causal=True)\n", "\n            x = block(x)\n")],
    "no final norm": [("\n        return self.head(self.norm(x))\n", "\n        return self.head(x)\n")],
    "generate does not crop the context": [("\n                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]",
                                            "\n                logits = self.forward(ids).data[:, -1, :]")],
    "generate reads the first position": [("\n                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]",
                                           "\n                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, 0, :]")],
}


def test_the_reference_passes_the_grader(tmp_path):
    result = grade_mutant("13", [], tmp_path)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


@pytest.mark.parametrize("name", MUTANTS)
def test_the_grader_catches_a_mutant(tmp_path, name):
    result = grade_mutant("13", MUTANTS[name], tmp_path)
    assert not result.ok and failed_checks(result), f"the checks passed module 13 with: {name}"

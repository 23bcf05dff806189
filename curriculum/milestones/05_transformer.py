# %% [markdown]
# # Milestone 05: Attention is all you need (2017)
#
# In June 2017 eight researchers at Google posted *Attention Is All You Need* (Vaswani et al.).
# Machine translation was then done by recurrent networks, which read a sentence one word after
# another, each step waiting for the previous one. The Transformer dropped recurrence altogether:
# every position looks at every other position at once through attention, so a whole sequence
# trains in parallel. A year later OpenAI stacked its decoder half into GPT, trained only to
# predict the next token, and everything since (GPT-2, GPT-3, ChatGPT) is that same design, scaled up.
#
# You replay it twice with a GPT made entirely of your modules:
#
# 1. **Sequence reversal**, the classic first test of a sequence model: given `abcdef|`, write
#    `fedcba`. The answer for the first output letter is the *last* input letter, so the model
#    must learn to look back to the right place: attention by position. **Goal:** at least 95%
#    of held-out sequences reversed exactly, every letter right.
# 2. **A character-level Shakespeare**: trained on *Macbeth*, it predicts the next character of
#    text it has never seen. The baseline is a **bigram** model, counted from the same training
#    text, that predicts each character from the one before it. **Goal:** a held-out loss at
#    least 0.3 nats below the bigram's: proof that your GPT uses more than the last character.
#
# Both parts first check that the model is **causal**: changing a later token must not change
# any earlier prediction, exactly. A model that peeks at the answer would look brilliant in
# training and be useless for generation, so it is refused before training starts.
#
# **Your modules at work:** 01 Tensor, 02 GELU and Softmax, 03 Linear, 04 CrossEntropyLoss,
# 06 autograd, 07 Adam, 08 CosineSchedule, 10 CharTokenizer, 11 Embedding and
# PositionalEmbedding, 12 MultiHeadAttention, 13 LayerNorm, TransformerBlock and GPT.

# %%
import numpy as np

from tinytorch import GPT, Adam, CharTokenizer, CosineSchedule, CrossEntropyLoss, no_grad
from tito.course import Course
from tito.milestones import data_path

GATES = Course().milestones["05"]  # the pass marks: "gate" (reversal accuracy) and "also" (nats below the bigram)

# %% [markdown]
# ## Causal or not? The check that comes first
#
# Feed random tokens, then change every token from position `t` on and feed them again: the
# logits at positions before `t` must stay *exactly* the same, for every `t`. Your attention's
# causal mask guarantees it (masked weights are exactly 0); an attention without its mask fails
# at once.

# %%
def peeking_position(model, vocab_size, length, seed=0):
    """The first position t such that changing the tokens from t on changes an earlier output; None if causal."""
    tokens = np.random.default_rng(seed).integers(0, vocab_size, size=(2, length))
    with no_grad():
        before = model(tokens).data
        for t in range(1, length):
            changed = tokens.copy()
            changed[:, t:] = (changed[:, t:] + 1) % vocab_size
            if not np.array_equal(model(changed).data[:, :t], before[:, :t]):
                return t
    return None


def refusal(part, position):
    """What run_experiment returns for a model that sees the future: nothing trained, every figure 0."""
    why = (f"REFUSED ({part}): changing the tokens from position {position} on changed the model's outputs at "
           f"earlier positions, so it sees the future. Check the causal mask in module 12 (True = may attend, "
           f"is_causal=True gives np.tril) and that GPT.forward passes is_causal=True to every block (module 13).")
    return {"value": 0.0, "losses": [0.0], "figures": {"nats_below_bigram": 0.0}, "notes": [why],
            "hint": "Hint: the model is not causal; the likely cause is in module 12 attention or 13 transformers."}


def train_steps(model, optimizer, batches, steps, report, done, total, every, schedule=None):
    """`steps` optimizer steps on next-token cross-entropy; batches(step) gives (inputs, targets, first
    position scored). Reports every `every` steps; returns the mean loss of each of those stretches."""
    losses, running = [], []
    for step in range(steps):
        if schedule is not None:
            optimizer.lr = schedule.get_lr(step)
        inputs, targets, first = batches(step)
        logits = model(inputs)
        if first:
            logits = logits[:, first:]  # only the positions from `first` on are scored
        batch, length, vocab = logits.shape
        loss = CrossEntropyLoss()(logits.reshape(batch * length, vocab), targets[:, first:].reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        running.append(loss.item())
        if (step + 1) % every == 0:
            losses.append(float(np.mean(running)))
            running = []
            report(done + len(losses), total, losses[-1])
    return losses

# %% [markdown]
# ## Part 1: reversing letters
#
# Sequences of 6 letters from `abcdefgh`, then the separator `|`, then the same letters reversed:
# `abcdef|fedcba`. The 8^6 = 262,144 possible sequences are shuffled once; the first 200 are the
# **test set** and never appear in training. The model reads 12 tokens and is scored only on the
# reversed half, predicting each letter of it from everything before (the last token, the final
# letter, is never an input). At test time it writes all 6 letters itself, greedily, one after
# another: one wrong letter and the sequence counts as wrong.

# %%
LETTERS, LENGTH = "abcdefgh", 6
SEPARATOR = len(LETTERS)  # token 8 is "|"


def reversal_sequences(codes):
    """Token sequences (n, 2 * LENGTH + 1) for sequence numbers `codes`: the letters are the base-8 digits."""
    letters = codes[:, None] // len(LETTERS) ** np.arange(LENGTH) % len(LETTERS)
    return np.concatenate([letters, np.full((len(codes), 1), SEPARATOR), letters[:, ::-1]], axis=1)


def show(tokens):
    return "".join("|" if t == SEPARATOR else LETTERS[t] for t in tokens)


def reverse_letters(report, done, total, seed, steps=140, batch_size=32):
    np.random.seed(seed)  # initial weights use np.random
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(LETTERS) ** LENGTH)
    test_codes, train_codes = order[:200], order[200:]
    model = GPT(vocab_size=len(LETTERS) + 1, embed_dim=16, num_layers=1, num_heads=2, max_seq_len=2 * LENGTH)
    position = peeking_position(model, len(LETTERS) + 1, 2 * LENGTH, seed)
    if position is not None:
        return None, position
    optimizer = Adam(model.parameters(), lr=0.02)

    def batches(step):
        sequences = reversal_sequences(rng.choice(train_codes, batch_size))
        return sequences[:, :-1], sequences[:, 1:], LENGTH  # score positions 6..11: they predict the reversed letters

    losses = train_steps(model, optimizer, batches, steps, report, done, total, every=10)
    test = reversal_sequences(test_codes)
    written = model.generate(test[:, : LENGTH + 1], LENGTH, temperature=0)  # the letters and "|"; the model writes the rest
    right = (written[:, LENGTH + 1:] == test[:, LENGTH + 1:]).all(axis=1)
    accuracy = float(right.mean())
    verdict = "PASSED!" if accuracy >= GATES["gate"] else "NOT PASSED:"
    notes = [f"Sequence reversal: {verdict} Accuracy: {accuracy:.1%} ({right.sum()} of {len(right)} held-out sequences)"]
    notes += [f"  {show(s[: LENGTH + 1])} -> {show(w[LENGTH + 1:])} {'ok' if r else 'WRONG, expected ' + show(s[LENGTH + 1:])}"
              for s, w, r in zip(test[:4], written[:4], right[:4])]
    return {"accuracy": accuracy, "losses": losses, "notes": notes}, None

# %% [markdown]
# ## Part 2: Shakespeare, one character at a time
#
# The text is *Macbeth* (Acts I to IV), lowercased: 39 different characters. Every tenth block of
# 1,000 characters is kept aside as the **held-out text**. The bigram baseline counts, in the
# training text, how often each character follows each other one (plus one for every pair, so
# no pair is impossible), and scores the held-out text with those frequencies.
#
# The GPT reads windows of 16 characters and learns all 16 next-character predictions of each
# window at once. Its score is the same cross-entropy, on the held-out text cut into windows of
# 16. A loss is in **nats** (natural logarithm): 0.3 nats less means the right next character
# gets, on average, e^0.3 = 1.35 times the probability the bigram gives it.

# %%
def load_text():
    """(tokenizer, training ids, held-out ids): Macbeth lowercased; blocks of 1,000 characters, every tenth held out."""
    text = data_path("macbeth.txt").read_text(encoding="utf-8").lower()
    tokenizer = CharTokenizer(text)
    ids = np.array(tokenizer.encode(text), dtype=np.int64)
    held = np.arange(len(ids)) // 1000 % 10 == 9
    return tokenizer, ids[~held], ids[held]


def bigram_loss(train, held, vocab_size):
    """Held-out cross-entropy (nats per character) of next-character frequencies counted in `train`, plus one."""
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    return float(-np.log(probabilities[held[:-1], held[1:]]).mean())


def model_loss(model, held, length):
    """Held-out cross-entropy of the model, on the held-out text cut into windows of `length` + 1."""
    windows = (len(held) - 1) // length
    sequences = held[np.arange(windows)[:, None] * length + np.arange(length + 1)]
    with no_grad():
        logits = model(sequences[:, :-1])
        return CrossEntropyLoss()(logits.reshape(windows * length, -1), sequences[:, 1:].reshape(-1)).item()


def write_like_shakespeare(report, done, total, seed, steps=360, batch_size=32, length=16):
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    tokenizer, train, held = load_text()
    vocab = tokenizer.vocab_size
    model = GPT(vocab_size=vocab, embed_dim=32, num_layers=1, num_heads=4, max_seq_len=length)
    position = peeking_position(model, vocab, length, seed)
    if position is not None:
        return None, position
    optimizer = Adam(model.parameters(), lr=0.03, betas=(0.9, 0.99))

    def batches(step):
        starts = rng.integers(0, len(train) - length - 1, size=batch_size)
        windows = train[starts[:, None] + np.arange(length + 1)]
        return windows[:, :-1], windows[:, 1:], 0

    losses = train_steps(model, optimizer, batches, steps, report, done, total, every=20,
                         schedule=CosineSchedule(0.03, 0.003, steps))
    bigram, gpt = bigram_loss(train, held, vocab), model_loss(model, held, length)
    prompt = tokenizer.encode("macbeth:\n")
    sample = tokenizer.decode(model.generate([prompt], 120, temperature=0.8, top_k=10)[0].tolist())
    notes = [f"Shakespeare: held-out loss {gpt:.3f} nats per character, the bigram's {bigram:.3f}: {bigram - gpt:.3f} lower",
             "Generated (temperature 0.8, top 10):", *("  " + line for line in sample.split("\n"))]
    return {"gap": bigram - gpt, "bigram": bigram, "gpt": gpt, "losses": losses, "notes": notes}, None

# %% [markdown]
# ## The experiment

# %%
def run_experiment(report=print, seed=0):
    total = 14 + 18  # progress: 14 stretches of 10 reversal steps, 18 of 20 Shakespeare steps
    reversal, position = reverse_letters(report, 0, total, seed)
    if reversal is None:
        return refusal("sequence reversal", position)
    shakespeare, position = write_like_shakespeare(report, len(reversal["losses"]), total, seed)
    if shakespeare is None:
        return refusal("Shakespeare", position)
    # The hint on a miss looks at the loss curve of the part that missed.
    missed_reversal = reversal["accuracy"] < GATES["gate"]
    return {"value": reversal["accuracy"],
            "losses": reversal["losses"] if missed_reversal else shakespeare["losses"],
            "figures": {"nats_below_bigram": shakespeare["gap"], "heldout_loss": shakespeare["gpt"], "bigram_loss": shakespeare["bigram"]},
            "curves": {"reversal (per 10 steps)": reversal["losses"], "Shakespeare (per 20 steps)": shakespeare["losses"]},
            "notes": reversal["notes"] + shakespeare["notes"]}

# %% [markdown]
# ## Run it
#
# The next cell checks that your GPT is causal, trains it on both tasks, shows the loss curves,
# the reversed sequences and a generated passage, and records the result in your progress.
# Locally: `tito milestone run 05`.

# %%
# %tito milestone run 05

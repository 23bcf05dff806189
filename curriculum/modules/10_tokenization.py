# %% [markdown]
# # Module 10: Tokenization, from text to numbers
#
# A language model reads and writes numbers. A **tokenizer** is the two-way dictionary between
# text and those numbers: `encode("to be")` gives a list of token ids, `decode` turns ids back
# into the exact same text. How text is cut into tokens decides what the model sees: single
# characters (a tiny vocabulary, long sequences), whole words (short sequences, but a new word
# has no id at all), or something in between, learned from data.
#
# **You've built:** the Foundation: `Tensor` to `Trainer` (01-08), and convolutions (09).
# **You'll build:** `CharTokenizer` (one token per character) and a byte-level `BPETokenizer`
# (byte-pair encoding, as GPT-2 and most models since: any text at all, common pieces merged).
# **You'll enable:** embeddings (11) turn the ids into vectors; milestone 05 trains a GPT on
# Shakespeare, one character at a time.
#
# ```
# [Tokenization (10)] -> Embeddings (11) -> Attention (12) -> Transformers (13)
# ```
#
# **Learning objectives**
# 1. Build a character vocabulary, and fail clearly on characters outside it.
# 2. See text as UTF-8 bytes, so that *every* string can be encoded, in 256 base tokens.
# 3. Learn byte-pair merges from a text, deterministically, and apply them in the same order.

# %%
#| export
from collections import Counter

# %% [markdown]
# ## CharTokenizer: one id per character
#
# The vocabulary is the sorted set of characters of a text: `"hello"` gives `['e', 'h', 'l', 'o']`,
# so `'e'` is 0 and `'o'` is 3. Sorting makes the ids the same on every run and machine (a
# Python `set` has no fixed order). Two dictionaries, `stoi` (string to integer) and `itos`,
# make both directions one lookup per character.
#
# A character the text never contained has no id. Quietly dropping it would make
# `decode(encode(s)) != s`; here it is an error naming the character and where it is.

# %%
#| export
class CharTokenizer:
    """One token per character of a vocabulary: the sorted distinct characters of `text`."""

    def __init__(self, text):
        """Build the vocabulary of `text`: self.chars (sorted), self.stoi {char: id}, self.itos {id: char}.

        TODO: sorted distinct characters; ids 0, 1, 2, ... in that order.
        HINT: sorted(set(text)) and enumerate.
        """
        if not isinstance(text, str) or not text:
            raise ValueError(f"CharTokenizer needs a non-empty string to build its vocabulary from, got {text!r}")
        ### BEGIN SOLUTION
        self.chars = sorted(set(text))
        self.stoi = {char: i for i, char in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))
        ### END SOLUTION

    @property
    def vocab_size(self):
        return len(self.chars)

    def encode(self, text):
        """The ids of the characters of `text`, a list of ints; a ValueError names an unknown character.

        TODO: look every character up in self.stoi; for one that is not there, raise a ValueError
              naming it and its position.
        """
        ### BEGIN SOLUTION
        ids = []
        for position, char in enumerate(text):
            if char not in self.stoi:
                raise ValueError(f"character {char!r} at position {position} is not in the vocabulary "
                                 f"of {self.vocab_size} characters this tokenizer was built from")
            ids.append(self.stoi[char])
        return ids
        ### END SOLUTION

    def decode(self, ids):
        """The text of a list of ids; a ValueError names an id outside [0, vocab_size).

        TODO: join the characters self.itos[i]; check each id first.
        """
        ### BEGIN SOLUTION
        chars = []
        for i in ids:
            if i not in self.itos:
                raise ValueError(f"token id {i!r} is not in [0, {self.vocab_size}) of this tokenizer")
            chars.append(self.itos[i])
        return "".join(chars)
        ### END SOLUTION

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size})"

# %%
#| test
def test_unit_char_tokenizer():
    print("🧪 Unit Test: CharTokenizer...")
    tokenizer = CharTokenizer("hello world")
    assert tokenizer.chars == [" ", "d", "e", "h", "l", "o", "r", "w"], f"CharTokenizer('hello world').chars: expected the sorted distinct characters, got {tokenizer.chars}"
    assert tokenizer.vocab_size == 8, f"vocab_size: expected 8, got {tokenizer.vocab_size}"
    ids = tokenizer.encode("hold")
    assert ids == [3, 5, 4, 1], f"encode('hold'): expected [3, 5, 4, 1], got {ids}"
    assert tokenizer.decode(ids) == "hold", f"decode({ids}): expected 'hold', got {tokenizer.decode(ids)!r}"
    assert tokenizer.decode(tokenizer.encode("world hello")) == "world hello", "decode(encode(s)) must give s back"
    print("✅ CharTokenizer works!")


test_unit_char_tokenizer()

# %%
#| hidden
from tito.checks import expect_error


def test_hidden_char_tokenizer_errors_and_unicode():
    tokenizer = CharTokenizer("abcé€😀\n")
    assert tokenizer.vocab_size == 7, f"CharTokenizer of 7 distinct characters (accents, emoji, newline): expected vocab_size 7, got {tokenizer.vocab_size}"
    text = "😀é\nabc€"
    assert tokenizer.decode(tokenizer.encode(text)) == text, "a CharTokenizer must round-trip any text made of its characters"
    assert tokenizer.encode("") == [] and tokenizer.decode([]) == "", "the empty text is the empty list of ids"
    expect_error(ValueError, lambda: tokenizer.encode("abz"), "z", "2")  # the character and its position
    expect_error(ValueError, lambda: tokenizer.decode([0, 7]), "7")
    expect_error(ValueError, lambda: tokenizer.decode([-1]), "-1")
    expect_error(ValueError, lambda: CharTokenizer(""), "non-empty")
    same = CharTokenizer("cba").encode("abc"), CharTokenizer("abcabc").encode("abc")
    assert same[0] == same[1] == [0, 1, 2], f"ids must follow sorted order, whatever the order of the text: got {same}"


test_hidden_char_tokenizer_errors_and_unicode()

# %% [markdown]
# ## Bytes: 256 tokens that can spell anything
#
# A character vocabulary breaks on the first emoji it has not seen. Every string, though, has
# a UTF-8 encoding: a sequence of bytes, each 0 to 255. `"é"` is the two bytes `[195, 169]`,
# `"😀"` is four. A tokenizer whose base tokens are the 256 byte values can encode any text, and
# decoding the bytes gives the text back exactly.
#
# ## Byte-pair encoding: merge what is frequent
#
# One token per byte makes sequences long. **BPE** (Sennrich et al., 2016, after Gage's 1994
# compression scheme; GPT-2 uses it on bytes) learns merges from a training text:
#
# 1. start from the text's bytes;
# 2. count every pair of neighbouring tokens; the most frequent pair, say `(116, 104)` = `"th"`,
#    becomes a new token 256, and every occurrence of the pair is replaced by it;
# 3. repeat until the vocabulary has `vocab_size` tokens (or no pair is left).
#
# Ties are broken by the smallest pair, so the same text always gives the same merges.
# `self.merges` maps each merged pair to its new id, in the order learned (Python dicts keep
# insertion order); `self.vocab` maps every id to its bytes.
#
# **Encoding** a new text replays the merges *in the order they were learned*: of all the pairs
# present that have a merge, apply the earliest-learned one (the lowest new id) everywhere, and
# repeat. **Decoding** joins the ids' bytes and decodes them as UTF-8; ids from a model that cut
# a character in half would be invalid UTF-8, and `errors="replace"` shows those as `�`.
#
# The loop over the tokens in `_merge` is the lesson here: BPE works on a short list of Python
# integers, where a loop is simple and fast enough.

# %%
#| export
def _merge(ids, pair, new_id):
    """`ids` with every occurrence of the neighbouring `pair` replaced by `new_id`, left to right."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BPETokenizer:
    """Byte-level byte-pair encoding: 256 byte tokens, then up to vocab_size - 256 learned merges."""

    def __init__(self, vocab_size):
        if not isinstance(vocab_size, int) or vocab_size < 256:
            raise ValueError(f"BPETokenizer needs vocab_size >= 256 (the 256 byte values come first), got {vocab_size!r}")
        self.vocab_size = vocab_size
        self.merges = {}  # (id, id) -> new id, in the order learned
        self.vocab = {i: bytes([i]) for i in range(256)}  # id -> the bytes it stands for

    def train(self, text):
        """Learn up to vocab_size - 256 merges from `text`; returns self.

        TODO: repeat: count neighbouring pairs, merge the most frequent (ties: the smallest pair).
        APPROACH: 1. ids = list(text.encode("utf-8")); start from no merges, 256 byte tokens
                  2. for new_id in range(256, self.vocab_size):
                     counts = Counter(zip(ids, ids[1:])); stop if empty
                     pair = min(counts, key=lambda p: (-counts[p], p))   (most frequent, then smallest)
                     ids = _merge(ids, pair, new_id); self.merges[pair] = new_id
                     self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
        """
        ### BEGIN SOLUTION
        ids = list(text.encode("utf-8"))
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for new_id in range(256, self.vocab_size):
            counts = Counter(zip(ids, ids[1:]))
            if not counts:
                break
            pair = min(counts, key=lambda p: (-counts[p], p))
            ids = _merge(ids, pair, new_id)
            self.merges[pair] = new_id
            self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
        return self
        ### END SOLUTION

    def encode(self, text):
        """The token ids of `text` (any str): its UTF-8 bytes, merged in the order the merges were learned.

        TODO: start from the bytes; while some neighbouring pair has a merge, apply the one learned
              first (the lowest new id) everywhere.
        HINT: pair = min(pairs, key=lambda p: self.merges.get(p, float("inf"))); stop when it has no merge.
        """
        if not isinstance(text, str):
            raise TypeError(f"BPETokenizer.encode needs a str, got {type(text).__name__}")
        ### BEGIN SOLUTION
        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: self.merges.get(p, float("inf")))
            if pair not in self.merges:
                break
            ids = _merge(ids, pair, self.merges[pair])
        return ids
        ### END SOLUTION

    def decode(self, ids):
        """The text of token ids: their bytes joined, decoded as UTF-8 (invalid bytes shown as U+FFFD).

        TODO: check every id is in self.vocab (ValueError naming it), join the bytes, decode.
        """
        ### BEGIN SOLUTION
        unknown = [i for i in ids if i not in self.vocab]
        if unknown:
            raise ValueError(f"token id {unknown[0]!r} is not in this tokenizer's {len(self.vocab)} tokens")
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
        ### END SOLUTION

    def __repr__(self):
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"

# %%
#| test
def test_unit_bpe_tokenizer():
    print("🧪 Unit Test: BPETokenizer...")
    tokenizer = BPETokenizer(258).train("aaabdaaabac")
    # bytes: a=97 b=98 c=99 d=100. Most frequent pair: (97, 97) "aa" (4 times) -> 256. The text is then
    # [256, 97, 98, 100, 256, 97, 98, 97, 99]: (256, 97) and (97, 98) both twice; the smaller pair wins.
    assert tokenizer.merges == {(97, 97): 256, (97, 98): 257}, f"BPETokenizer(258).train('aaabdaaabac'): expected merges {{(97, 97): 256, (97, 98): 257}}, got {tokenizer.merges}"
    assert tokenizer.vocab[257] == b"ab", f"vocab[257] must be the bytes of 97 then 98: b'ab', got {tokenizer.vocab.get(257)}"
    ids = tokenizer.encode("aaab")
    assert ids == [256, 257], f"encode('aaab'): expected [256, 257] ('aa' 'ab'), got {ids}"
    for text in ["aaabdaaabac", "", "naïve café 😀", "aaaa"]:
        assert tokenizer.decode(tokenizer.encode(text)) == text, f"decode(encode({text!r})) must give the text back, got {tokenizer.decode(tokenizer.encode(text))!r}"
    print("✅ BPETokenizer works!")


test_unit_bpe_tokenizer()

# %%
#| hidden
def test_hidden_bpe_ties_order_and_errors():
    tokenizer = BPETokenizer(259).train("abcabc")
    # pairs: (97,98) x2, (98,99) x2, (99,97) x1: the tie goes to the smaller pair (97, 98)
    assert list(tokenizer.merges) == [(97, 98), (256, 99), (257, 257)], f"train('abcabc') with ties broken by the smaller pair: got merges {list(tokenizer.merges)}"
    assert tokenizer.encode("abcabc") == [258], f"encode('abcabc') after merging 'ab', 'abc', 'abcabc': expected [258], got {tokenizer.encode('abcabc')}"
    assert tokenizer.encode("bcab") == [98, 99, 256], f"encode('bcab'): only 'ab' merges, expected [98, 99, 256], got {tokenizer.encode('bcab')}"
    ordered = BPETokenizer(258)
    ordered.merges, ordered.vocab = {(98, 99): 256, (97, 98): 257}, {**ordered.vocab, 256: b"bc", 257: b"ab"}
    assert ordered.encode("abc") == [97, 256], f"encode must apply the merge learned first ((98, 99) -> 256) before a later one: expected [97, 256], got {ordered.encode('abc')}"
    short = BPETokenizer(300).train("ab")
    assert len(short.merges) == 1, f"train('ab') has a single pair to merge: expected 1 merge, got {len(short.merges)}"
    assert BPETokenizer(300).train("").merges == {}, "training on an empty text learns no merge"
    expect_error(ValueError, lambda: BPETokenizer(100), "256", "100")
    expect_error(ValueError, lambda: tokenizer.decode([97, 999]), "999")
    expect_error(TypeError, lambda: tokenizer.encode(b"bytes"), "str")
    assert tokenizer.decode([0xC3]) == "\ufffd", "decoding half of a UTF-8 character must give U+FFFD, not raise"


def test_hidden_bpe_round_trips_and_compresses():
    text = "the cat sat on the mat; the cat ate the rat. " * 5
    tokenizer = BPETokenizer(300).train(text)
    assert tokenizer.encode(text) == tokenizer.encode(text) and len(tokenizer.encode(text)) < len(text.encode()) / 3, \
        f"after 44 merges on a repetitive text, it should take under a third as many tokens as bytes, got {len(tokenizer.encode(text))} for {len(text.encode())} bytes"
    for sample in ["the bat", "Ünïcödé ✓ 中文 🎉", "\x00\n\t", "rat the cat"]:
        assert tokenizer.decode(tokenizer.encode(sample)) == sample, f"round trip of {sample!r} failed: got {tokenizer.decode(tokenizer.encode(sample))!r}"
    again = BPETokenizer(300).train(text)
    assert again.merges == tokenizer.merges, "training twice on the same text must learn the same merges"


test_hidden_bpe_ties_order_and_errors()
test_hidden_bpe_round_trips_and_compresses()

# %% [markdown]
# ## Try it: characters against learned pieces

# %%
sample = "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer"
chars = CharTokenizer(sample)
bpe = BPETokenizer(300).train(sample * 3)
print(f"{len(sample)} characters -> {len(chars.encode(sample))} character tokens, {len(bpe.encode(sample))} BPE tokens")
print("first learned pieces:", [bpe.vocab[i].decode("utf-8", "replace") for i in list(bpe.merges.values())[:8]])

# %% [markdown]
# ## Systems: shorter sequences, at a training cost
#
# Everything below runs on YOUR tokenizers. A model's work grows with the number of tokens it
# reads (attention in module 12 even with its square), so fewer tokens per character is cheaper
# to run. Each merge shortens the training text, and costs one more pass over it. Below, as the
# number of merges doubles: tokens per character, and training time (read the growth, not the seconds).

# %%
from tito.systems import best_time

text = ("When shall we three meet again\nIn thunder, lightning, or in rain?\n"
        "When the hurlyburly's done,\nWhen the battle's lost and won.\n") * 8
print(f"characters: {len(text)}, UTF-8 bytes: {len(text.encode())}, character tokens: {len(CharTokenizer(text).encode(text))}")
print(f"{'merges':>6} {'tokens':>7} {'tokens/char':>12} {'train (s)':>10} {'time vs half':>13}")
previous = None
for merges in [16, 32, 64]:
    seconds = best_time(lambda: BPETokenizer(256 + merges).train(text), repeat=2)
    tokens = len(BPETokenizer(256 + merges).train(text).encode(text))
    growth = f"{seconds / previous:.1f}x" if previous else ""
    print(f"{merges:>6} {tokens:>7} {tokens / len(text):>12.3f} {seconds:>10.4f} {growth:>13}")
    previous = seconds

# %% [markdown]
# ## Reflect
#
# Answer in the cell below (numbers), run it, then `%tito module complete 10` checks your answers
# against your own tokenizers.
#
# 1. How many tokens does `BPETokenizer(256)` (no merges at all) make of `"naïve 😀"`?
# 2. `BPETokenizer(300).train(t)` on a long text learns how many merges?
# 3. A `CharTokenizer` built from `"to be or not to be"` has what `vocab_size`?

# %%
#| answers
answers = {
    "bpe_tokens_naive_emoji_no_merges": 11,  # 1. tokens of "naïve 😀" with the 256 byte tokens only
    "bpe_merges_vocab_300": 44,              # 2. merges learned by BPETokenizer(300) on a long text
    "char_vocab_to_be_or_not_to_be": 7,      # 3. CharTokenizer("to be or not to be").vocab_size
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_bytes_of_naive_emoji():
    check_answer(answers, "bpe_tokens_naive_emoji_no_merges", len(BPETokenizer(256).train("").encode("naïve 😀")),
                 "with no merges every UTF-8 byte is a token: ASCII letters and the space take 1 byte, 'ï' 2, an emoji 4")


def test_reflect_merges_for_vocab_300():
    long_text = "the quick brown fox jumps over the lazy dog, " * 30 + "".join(chr(c) for c in range(0x4E00, 0x4E80))
    check_answer(answers, "bpe_merges_vocab_300", len(BPETokenizer(300).train(long_text).merges),
                 "the first 256 ids are the byte values; every id after them is one learned merge")


def test_reflect_char_vocab():
    check_answer(answers, "char_vocab_to_be_or_not_to_be", CharTokenizer("to be or not to be").vocab_size,
                 "count the distinct characters, the space included")


test_reflect_bytes_of_naive_emoji()
test_reflect_merges_for_vocab_300()
test_reflect_char_vocab()

# %% [markdown]
# ## What you built
#
# Two tokenizers: characters (what milestone 05's GPT reads) and byte-level BPE, which encodes
# any text at all and learns its own pieces. Next, module 11 turns token ids into vectors.

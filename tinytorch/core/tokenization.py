"""Tokenization: the reference solution of module 10.

Generated from curriculum/modules/10_tokenization.py by `python -m curriculum.generate`. Do not edit.
"""

from collections import Counter


class CharTokenizer:
    """One token per character of a vocabulary: the sorted distinct characters of `text`."""

    def __init__(self, text):
        """Build the vocabulary of `text`: self.chars (sorted), self.stoi {char: id}, self.itos {id: char}."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"CharTokenizer needs a non-empty string to build its vocabulary from, got {text!r}")
        self.chars = sorted(set(text))
        self.stoi = {char: i for i, char in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))

    @property
    def vocab_size(self):
        return len(self.chars)

    def encode(self, text):
        """The ids of the characters of `text`, a list of ints; a ValueError names an unknown character."""
        ids = []
        for position, char in enumerate(text):
            if char not in self.stoi:
                raise ValueError(f"character {char!r} at position {position} is not in the vocabulary "
                                 f"of {self.vocab_size} characters this tokenizer was built from")
            ids.append(self.stoi[char])
        return ids

    def decode(self, ids):
        """The text of a list of ids; a ValueError names an id outside [0, vocab_size)."""
        chars = []
        for i in ids:
            if i not in self.itos:
                raise ValueError(f"token id {i!r} is not in [0, {self.vocab_size}) of this tokenizer")
            chars.append(self.itos[i])
        return "".join(chars)

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size})"


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
        """Learn up to vocab_size - 256 merges from `text`; returns self."""
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

    def encode(self, text):
        """The token ids of `text` (any str): its UTF-8 bytes, merged in the order the merges were learned."""
        if not isinstance(text, str):
            raise TypeError(f"BPETokenizer.encode needs a str, got {type(text).__name__}")
        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: self.merges.get(p, float("inf")))
            if pair not in self.merges:
                break
            ids = _merge(ids, pair, self.merges[pair])
        return ids

    def decode(self, ids):
        """The text of token ids: their bytes joined, decoded as UTF-8 (invalid bytes shown as U+FFFD)."""
        unknown = [i for i in ids if i not in self.vocab]
        if unknown:
            raise ValueError(f"token id {unknown[0]!r} is not in this tokenizer's {len(self.vocab)} tokens")
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")

    def __repr__(self):
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"

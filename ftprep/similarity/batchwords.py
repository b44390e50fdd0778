"""The distinct words of each text of a batch, as integer ids, from one split of the batch.

Building a set of words per text costs a split, a set and a few list operations per text
(microseconds each, thousands of texts a batch), and whatever is learnt about a word (a
hash, whether it negates) is then looked up per text again. Here the batch's texts are
joined around a separator word, split once, and each token gets the id of its word through
one ``dict.setdefault`` per token (``map`` runs it in C); what remains (which row a token
belongs to, which (row, word) pairs are distinct, how many words a row has) is numpy over
integer arrays. Callers learn each distinct word once, as a vocabulary entry, and read the
answers per (row, word) pair through the ids.

The words are exactly ``set(text.split())`` of each text: the separator is a word of its
own between spaces, and a batch in which some text holds that word is refused (``None``),
so the caller keeps its per-text path for it.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np

#: The word between two texts: a NUL character is no whitespace, so ``str.split`` keeps
#: it as a word, and (checked) no text of the batch may hold it as a whole word.
SEPARATOR = "\x00"


@dataclass(frozen=True)
class BatchWords:
    """The distinct words of each of ``n`` texts.

    ``vocab``: the batch's distinct words (first seen first; the separator among them, in
    no pair, when there are several texts); ``rows`` and ``ids``: one
    entry per distinct (text, word) pair, ordered by word id, then text; ``counts``: the
    number of distinct words of each text (``len(set(text.split()))``)."""

    vocab: list[str]
    rows: np.ndarray
    ids: np.ndarray
    counts: np.ndarray

    def rows_with(self, among: np.ndarray) -> np.ndarray:
        """The texts (sorted, distinct) holding a word whose id is set in the boolean
        vocabulary mask ``among``."""
        return np.unique(self.rows[among[self.ids]])


def token_ids(tokens: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(distinct tokens, first seen first; the id of each token: its position in them),
    from one ``dict.setdefault`` per token and numpy. The one coder of a batch's strings
    (words, stems, facts) into dense ids."""
    index: dict[str, int] = {}
    # the position of each token's first occurrence, one dict call per token, in C
    first = np.fromiter(map(index.setdefault, tokens, count()), dtype=np.int64, count=len(tokens))
    vocab = list(index)
    dense = np.empty(len(tokens), dtype=np.int64)
    dense[np.fromiter(index.values(), dtype=np.int64, count=len(vocab))] = np.arange(len(vocab))
    return vocab, dense[first]


def rows_of(ids: np.ndarray, marker: int, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, row of each) of a token stream in which the id ``marker`` separates ``n``
    rows, markers left out; None when the stream holds another number of markers."""
    if n <= 1:
        return ids, np.zeros(len(ids), dtype=np.int64)
    sep = ids == marker
    if np.count_nonzero(sep) != n - 1:
        return None
    rows = np.cumsum(sep)
    keep = ~sep
    return ids[keep], rows[keep]


def batch_words(texts: Sequence[str]) -> BatchWords | None:
    """The :class:`BatchWords` of ``texts``, or None when a text holds :data:`SEPARATOR`
    as a word (the rows could not be told apart)."""
    found = split_words(texts)
    if found is None:
        return None
    vocab, ids, rows = found
    return distinct_words(vocab, ids, rows, len(texts))


def split_words(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """(vocabulary, word id of each token, text of each token) of ``texts`` split at white
    space, by one split of them all joined around :data:`SEPARATOR`; None when a text
    holds the separator as a word."""
    n = len(texts)
    vocab, ids = token_ids(f" {SEPARATOR} ".join(texts).split())
    found = rows_of(ids, vocab.index(SEPARATOR) if n > 1 else -1, n)
    if found is None:
        return None
    return vocab, *found


def distinct_words(vocab: list[str], ids: np.ndarray, rows: np.ndarray, n: int) -> BatchWords:
    """The :class:`BatchWords` of ``n`` texts given every token's word id (into ``vocab``,
    any order of it) and text, tokens in text order: whatever found the words (one split
    here, or a cut of ASCII bytes without a Python object per token), the distinct pairs
    and counts are made alike."""
    # Tokens are in row order; a stable sort by word keeps each word's rows ascending, so a
    # pair is distinct where the word or the row changes. Word ids below 2**16 are sorted
    # by radix (linear time).
    small = len(vocab) <= 1 << 16
    order = np.argsort(ids.astype(np.uint16) if small else ids, kind="stable")
    ids, rows = ids[order], rows[order]
    new = np.ones(len(ids), dtype=bool)
    if len(ids) > 1:
        np.not_equal(ids[1:], ids[:-1], out=new[1:])
        new[1:] |= rows[1:] != rows[:-1]
    ids, rows = ids[new], rows[new]
    counts = np.bincount(rows, minlength=n)[:n] if n else np.zeros(0, dtype=np.int64)
    return BatchWords(vocab, rows, ids, counts)


def _crc_table() -> np.ndarray:
    """The byte table of CRC-32 (zlib's: reflected polynomial 0xEDB88320)."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table.astype(np.uint32)


_CRC = _crc_table()
#: Longest word whose letters are sorted and hashed in numpy (longer ones, rare, in Python).
_LONGEST = 24


def sorted_letter_crcs(words: list[str]) -> np.ndarray:
    """``zlib.crc32("".join(sorted(w)).encode("utf-8", "surrogatepass"))`` of each word, as
    uint32: what keys a word so that a transposition typo keeps it.

    Sorting each word's letters and hashing them cost about a microsecond a word in Python,
    and a batch of real text has thousands of distinct words; ASCII words up to
    :data:`_LONGEST` letters are laid in a matrix, sorted row by row and hashed column by
    column (the table-driven CRC over every word at once); the others take the Python path."""
    out = np.zeros(len(words), dtype=np.uint32)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    fast = np.fromiter(map(str.isascii, words), dtype=bool, count=len(words)) & (lens <= _LONGEST)
    slow = np.flatnonzero(~fast).tolist()
    for i in slow:
        out[i] = zlib.crc32("".join(sorted(words[i])).encode("utf-8", "surrogatepass"))
    rows = np.flatnonzero(fast)
    if len(rows) == 0:
        return out
    chosen = [words[i] for i in rows.tolist()] if slow else words
    size = lens[rows]
    width = int(size.max()) if len(size) else 0
    buf = np.frombuffer("".join(chosen).encode("ascii") + b"\0", dtype=np.uint8)
    starts = np.cumsum(size) - size
    column = np.arange(width)
    inside = column[None, :] < size[:, None]
    letters = np.where(inside, buf[np.minimum(starts[:, None] + column, len(buf) - 1)], 255)
    letters = np.sort(letters.astype(np.uint8), axis=1)  # 255 (no ASCII byte) sorts last
    crc = np.full(len(rows), 0xFFFFFFFF, dtype=np.uint32)
    for j in range(width):
        step = _CRC[(crc ^ letters[:, j]) & 0xFF] ^ (crc >> np.uint32(8))
        crc = np.where(inside[:, j], step, crc)
    out[rows] = crc ^ np.uint32(0xFFFFFFFF)
    return out


__all__ = [
    "SEPARATOR",
    "BatchWords",
    "batch_words",
    "distinct_words",
    "rows_of",
    "sorted_letter_crcs",
    "split_words",
    "token_ids",
]

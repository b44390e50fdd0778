"""The words of a batch's texts as numbers: one split, one dictionary, then numpy.

The answer profile asks of every answer's words the same few things: which distinct words
(and content words) it holds, the hash of each, the first five, a 256-bit filter of them.
Asked answer by answer, each question is a Python loop over the answer's words (a set, a
difference, a map, a reduce: ~18 µs per example on chat data). Asked of the batch, the
texts are joined and split once, each word gets an id from one dictionary (``map`` over
``dict.setdefault`` runs in C), and every question becomes an array operation over (row,
word id) pairs; what depends on the word itself (its hash, its content form) is computed
once per distinct word of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count, repeat

import numpy as np


@dataclass(frozen=True)
class BatchWords:
    """The words of ``m`` texts whose words are separated by single spaces (normalised
    texts: no other whitespace, none leading or trailing).

    ``vocab`` holds the distinct words in order of first appearance; ``ids`` the vocabulary
    index of every word of every text, text after text; ``rows`` the text (0..m-1) of each;
    ``lengths`` each text's word count and ``starts`` the index of its first word in
    ``ids``."""

    vocab: list[str]
    ids: np.ndarray
    rows: np.ndarray
    lengths: np.ndarray
    starts: np.ndarray
    words: list[str]


def batch_words(texts: Sequence[str]) -> BatchWords:
    """The :class:`BatchWords` of ``texts`` (each ``" ".join(t.split()) == t``).

    ``" ".join(texts).split()`` is each text's ``split()`` one after the other, and a text's
    word count is its spaces plus one (none for an empty text)."""
    m = len(texts)
    words = " ".join(texts).split()
    spaces = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64, count=m)
    filled = np.fromiter(map(bool, texts), dtype=bool, count=m)
    lengths = spaces + filled
    starts = np.zeros(m, dtype=np.int64)
    if m > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    # each word's id is the position of its first appearance (``setdefault`` keeps the
    # first position it was given); positions are then numbered densely
    index: dict[str, int] = {}
    first = np.fromiter(map(index.setdefault, words, count()), dtype=np.int64, count=len(words))
    dense = np.empty(len(words), dtype=np.int64)
    dense[np.fromiter(index.values(), dtype=np.int64, count=len(index))] = np.arange(len(index))
    return BatchWords(
        vocab=list(index),
        ids=dense[first],
        rows=np.repeat(np.arange(m, dtype=np.int64), lengths),
        lengths=lengths,
        starts=starts,
        words=words,
    )


def codes(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(distinct values in order of first appearance, each value's index among them)."""
    index: dict[str, int] = {}
    first = np.fromiter(map(index.setdefault, values, count()), dtype=np.int64, count=len(values))
    dense = np.empty(max(len(values), 1), dtype=np.int64)
    dense[np.fromiter(index.values(), dtype=np.int64, count=len(index))] = np.arange(len(index))
    return list(index), dense[first]


def crc_array(words: Sequence[str], crc: Callable[[bytes], int]) -> np.ndarray:
    """``crc`` of each word's UTF-8 bytes (surrogates passed through) as a uint32 array."""
    encoded = map(str.encode, words, repeat("utf-8"), repeat("surrogatepass"))
    return np.fromiter(map(crc, encoded), dtype=np.uint32, count=len(words))


def distinct_pairs(rows: np.ndarray, ids: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (row, id) pairs (ids below ``width``), sorted by row then id.

    A bitmap of every (row, id) when it is not much larger than the pairs (a small
    vocabulary: one pass to set, one to read), else the pairs' keys sorted."""
    if not len(rows):
        return rows, ids
    span = (int(rows.max()) + 1) * width
    if span <= 8 * len(rows):
        seen = np.zeros(span, dtype=bool)
        seen[rows * width + ids] = True
        keys = np.flatnonzero(seen)
        return keys // width, keys % width
    dtype = np.int32 if span < 2**31 else np.int64
    keys = np.sort(rows.astype(dtype) * dtype(width) + ids.astype(dtype))
    keep = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep].astype(np.int64)
    return keys // width, keys % width

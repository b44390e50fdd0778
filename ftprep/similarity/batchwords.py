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


def token_ids(tokens: list[str]) -> tuple[list[str], np.ndarray]:
    """(distinct tokens, first seen first; the id of each token: its position in them),
    from one ``dict.setdefault`` per token and numpy."""
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
    n = len(texts)
    vocab, ids = token_ids(f" {SEPARATOR} ".join(texts).split())
    found = rows_of(ids, vocab.index(SEPARATOR) if n > 1 else -1, n)
    if found is None:
        return None
    ids, rows = found
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


__all__ = ["SEPARATOR", "BatchWords", "batch_words", "rows_of", "token_ids"]

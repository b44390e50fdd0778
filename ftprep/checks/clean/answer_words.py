"""The words of a batch's texts as numbers: word ids for the batch, then numpy.

The answer profile asks of every answer's words the same few things: which distinct words
(and content words) it holds, the hash of each, the first five, a 256-bit filter of them.
Asked answer by answer, each question is a Python loop over the answer's words (a set, a
difference, a map, a reduce: ~18 µs per example on chat data). Asked of the batch, each
word of the joined texts gets an id (ASCII texts: cut and told apart by numpy, without a
Python object per word; others: one split and one dictionary, ``map`` over
``dict.setdefault`` in C), and every question becomes an array operation over (row, word
id) pairs; what depends on the word itself (its hash, its content form) is computed once
per distinct word of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from ftprep.checks.byte_words import word_bytes, word_spans
from ftprep.similarity.batchwords import token_ids
from ftprep.similarity.minhash import mix64


@dataclass(frozen=True)
class BatchWords:
    """The words of ``m`` texts whose words are separated by single spaces (normalised
    texts: no other whitespace, none leading or trailing).

    ``vocab`` holds the distinct words in order of first appearance; ``ids`` the vocabulary
    index of every word of every text, text after text; ``rows`` the text (0..m-1) of each;
    ``lengths`` each text's word count and ``starts`` the index of its first word in
    ``ids``. The vocabulary's order is not part of the result."""

    vocab: list[str]
    ids: np.ndarray
    rows: np.ndarray
    lengths: np.ndarray
    starts: np.ndarray


def batch_words(texts: Sequence[str]) -> BatchWords:
    """The :class:`BatchWords` of ``texts`` (each ``" ".join(t.split()) == t``).

    ASCII texts (most batches) are cut into words by numpy (:func:`_ascii_words`); others
    are split by Python (:func:`_split_words`). A batch mostly but not wholly ASCII (a
    few answers in another script) has its ASCII texts cut by numpy and the others split,
    the two vocabularies merged (:func:`_mixed_words`)."""
    m = len(texts)
    joined = "\n".join(texts)
    if texts and joined.isascii():  # (no texts and one empty text join alike)
        found = _ascii_words(joined.encode("ascii"), m)
        if found is not None:
            return found
        return _split_words(texts)
    plain = np.fromiter(map(str.isascii, texts), dtype=bool, count=m)
    if 2 * np.count_nonzero(plain) >= m:
        found = _mixed_words(texts, plain)
        if found is not None:
            return found
    return _split_words(texts)


def _split_words(texts: Sequence[str]) -> BatchWords:
    """:func:`batch_words` by Python: ``" ".join(texts).split()`` is each text's
    ``split()`` one after the other, and a text's word count is its spaces plus one (none
    for an empty text)."""
    m = len(texts)
    words = " ".join(texts).split()
    spaces = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64, count=m)
    filled = np.fromiter(map(bool, texts), dtype=bool, count=m)
    lengths = spaces + filled
    vocab, ids = token_ids(words)
    return BatchWords(
        vocab=vocab,
        ids=ids,
        rows=np.repeat(np.arange(m, dtype=np.int64), lengths),
        lengths=lengths,
        starts=_starts(lengths),
    )


def _mixed_words(texts: Sequence[str], plain: np.ndarray) -> BatchWords | None:
    """:func:`batch_words` of texts of which those marked ``plain`` are ASCII: those cut
    by numpy, the others split, each word's id then its place in the two vocabularies
    merged, each token laid at its text's place. None when the numpy cut gives up."""
    m = len(texts)
    rows = np.flatnonzero(plain), np.flatnonzero(~plain)
    chosen = [texts[i] for i in rows[0].tolist()]
    cut = _ascii_words("\n".join(chosen).encode("ascii"), len(chosen))
    if cut is None:
        return None
    parts = (cut, _split_words([texts[i] for i in rows[1].tolist()]))
    vocab, merged = token_ids(parts[0].vocab + parts[1].vocab)
    lengths = np.zeros(m, dtype=np.int64)
    for part, where in zip(parts, rows, strict=True):
        lengths[where] = part.lengths
    starts = _starts(lengths)
    ids = np.empty(int(lengths.sum()), dtype=np.int64)
    offset = 0
    for part, where in zip(parts, rows, strict=True):
        within = np.arange(len(part.ids)) - part.starts[part.rows]
        ids[starts[where][part.rows] + within] = merged[part.ids + offset]
        offset += len(part.vocab)
    rows_of = np.repeat(np.arange(m, dtype=np.int64), lengths)
    return BatchWords(vocab=vocab, ids=ids, rows=rows_of, lengths=lengths, starts=starts)


def ascii_batch_words(texts: Sequence[str]) -> BatchWords | None:
    """The :class:`BatchWords` of ASCII ``texts`` whose words are ``text.split()`` and
    are cut by spaces alone (normalised ASCII texts, whose other whitespace is folded;
    runs of spaces are allowed): numpy cuts them without a Python object per word. None
    when a text is not ASCII or holds a new line, or when the table probes too long."""
    joined = "\n".join(texts)
    if not texts or not joined.isascii() or joined.count("\n") != len(texts) - 1:
        return None
    return _ascii_words(joined.encode("ascii"), len(texts))


def _starts(lengths: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    return starts


#: Words up to this many bytes are told apart by two 64-bit numbers (their bytes) and
#: their length; longer ones by Python.
_KEY_BYTES = 16
#: Probing rounds before the table gives up (the Python split takes over).
_MAX_PROBES = 64
#: ``mix64`` of each word size up to :data:`_KEY_BYTES`: a word of at most eight bytes
#: has no second eight, and the inner mix of its key is its size's.
_SIZE_MIX = mix64(np.arange(_KEY_BYTES + 1, dtype=np.uint64))


def _ascii_words(buf: bytes, m: int) -> BatchWords | None:
    """:class:`BatchWords` of ``m`` ASCII texts joined by new lines (``buf``), without a
    Python object per word: words are the runs between spaces and new lines, each word
    up to 16 bytes is its (first eight bytes, next eight bytes, length) read as numbers,
    and equal words are found by an open-addressing hash table probed for all words at
    once (a word's first occurrence to claim a free slot stands for it). Longer words go
    through a dictionary. None when the table probes too long (the caller splits)."""
    padded = b"\n" + buf + b"\n" + b"\0" * (2 * 8)
    chars = np.frombuffer(padded, dtype=np.uint8)[: len(buf) + 2]
    starts, ends = word_spans((chars == 0x20) | (chars == 0x0A))
    total = len(starts)
    sizes = ends - starts
    # the texts' words lie between consecutive new lines (one before the first, one after
    # the last text)
    lengths = np.diff(np.searchsorted(starts, np.flatnonzero(chars == 0x0A))).astype(np.int64)
    rows = np.repeat(np.arange(m, dtype=np.int64), lengths)
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return BatchWords([], empty, empty, lengths, _starts(lengths))
    low = word_bytes(padded, starts, sizes)
    # the next eight bytes, of the words longer than eight (zero for the others, most)
    high = np.zeros(total, dtype=np.uint64)
    long = np.flatnonzero(sizes > 8)
    high[long] = word_bytes(padded, starts[long] + 8, sizes[long] - 8)
    owner = np.arange(total, dtype=np.int64)
    pending = np.flatnonzero(sizes <= _KEY_BYTES)
    if len(pending):
        bits = max(int(2 * len(pending) - 1).bit_length(), 4)
        table = np.full(1 << bits, -1, dtype=np.int64)
        # mix64(high ^ size): of the size alone where high is zero (a table of sizes)
        inner = _SIZE_MIX[np.minimum(sizes, _KEY_BYTES)]
        inner[long] = mix64(high[long] ^ sizes[long].astype(np.uint64))
        mixed = mix64(low ^ inner)
        slot = (mixed >> np.uint64(64 - bits)).astype(np.int64)
        whole = len(pending) == total  # every word keyed: the first round gathers nothing
        for _ in range(_MAX_PROBES):
            if whole:
                at, lo, hi, sz = slot, low, high, sizes
                whole = False
            else:
                at, lo, hi = slot[pending], low[pending], high[pending]
                sz = sizes[pending]
            free = table[at] < 0
            table[at[free]] = pending[free]  # one of the words landing on a slot claims it
            held = table[at]
            same = (low[held] == lo) & (high[held] == hi)
            same &= sizes[held] == sz
            owner[pending[same]] = held[same]
            pending = pending[~same]
            if not len(pending):
                break
            slot[pending] = (slot[pending] + 1) & ((1 << bits) - 1)
        else:
            return None
    longer = np.flatnonzero(sizes > _KEY_BYTES).tolist()
    if longer:
        seen: dict[bytes, int] = {}
        for t, a, b in zip(longer, starts[longer].tolist(), ends[longer].tolist(), strict=True):
            owner[t] = seen.setdefault(padded[a:b], t)
    # the tokens standing for their word: each word's id is its rank among them
    heads_of = np.flatnonzero(owner == np.arange(total))
    dense = np.empty(total, dtype=np.int64)
    dense[heads_of] = np.arange(len(heads_of))
    return BatchWords(
        words_at(padded, starts[heads_of], ends[heads_of]),
        dense[owner],
        rows,
        lengths,
        _starts(lengths),
    )


def words_at(data: bytes, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The ASCII words ``data[a:b]`` (no new line in them) of the spans ``starts`` to
    ``ends``, gathered by numpy into one buffer, each followed by a new line, then decoded
    and split once: a natural batch has thousands of distinct words, a slice and a decode
    each was ~0.3 us per example on natural text, this ~0.1. ``data`` must hold a byte
    after each span (read, and replaced by the new line in the copy)."""
    if not len(starts):
        return []
    sizes = ends - starts + 1  # each word and the new line after it
    at = np.cumsum(sizes)
    picks = np.repeat(starts - at + sizes, sizes) + np.arange(int(at[-1]))
    chars = np.frombuffer(data, dtype=np.uint8)[picks]
    chars[at - 1] = 0x0A
    return chars.tobytes().decode("ascii").split("\n")[:-1]


def crc_array(words: Sequence[str], crc: Callable[[bytes], int]) -> np.ndarray:
    """``crc`` of each word's UTF-8 bytes (surrogates passed through) as a uint32 array."""
    encoded = map(str.encode, words, repeat("utf-8"), repeat("surrogatepass"))
    return np.fromiter(map(crc, encoded), dtype=np.uint32, count=len(words))


def distinct_pairs(rows: np.ndarray, ids: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (row, id) pairs (ids below ``width``), sorted by row then id.

    A bitmap of every (row, id) when it is not much larger than the pairs (a small
    vocabulary: one pass to set, one to read), else the pairs' keys sorted. The callers'
    pairs come in a few runs of ascending rows (a batch's words text after text; facts
    found kind after kind), which a stable sort (timsort) merges instead of sorting
    afresh: ~30% faster than the default quicksort on a natural batch's 70,000 content
    words (on keys in random order it is slower)."""
    if not len(rows):
        return rows, ids
    span = (int(rows.max()) + 1) * width
    if span <= 8 * len(rows):
        seen = np.zeros(span, dtype=bool)
        seen[rows * width + ids] = True
        keys = np.flatnonzero(seen)
        return keys // width, keys % width
    dtype = np.int32 if span < 2**31 else np.int64
    keys = np.sort(rows.astype(dtype) * dtype(width) + ids.astype(dtype), kind="stable")
    keep = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep].astype(np.int64)
    return keys // width, keys % width

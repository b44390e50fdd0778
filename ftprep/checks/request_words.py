"""Which screened words each example's request holds, found for a whole batch at once.

Two extractors read the request an answer answers (the last user turn before it):
``asked_format`` (does it ask for code, JSON, a table…?) and ``prompt_shape`` (is a one-word
answer right for it?). Both screen their regexes with the request's words
(:mod:`ftprep.checks.words`): a rule whose words are all absent cannot match and is not
run. Built request by request, each screen split the text again and intersected sets in
Python (~5 µs per example for the two). Here every screen registers its words once, at
import, and gets a bit; for a batch, the ASCII requests are joined and lower-cased to words
by one ``bytes.translate``, and numpy finds each word's bits in a table of the screened
words (no Python object per word: a split and a dictionary look-up per word cost ~90 ns,
more than all the rest): a row's mask is the OR of its words' bits. Texts that are not
ASCII get no mask (``screened`` is False): their rules run unscreened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ftprep.checks.byte_words import or_by_owner, word_bytes, word_spans
from ftprep.checks.words import _WORD_BYTES
from ftprep.schema import ChatExample
from ftprep.turns import batch_turns

#: Joins the requests of a batch: a word of its own after the translate (kept as it is,
#: with spaces around it), which no screen asks about.
SEPARATOR = "\x01"
_SEPARATOR_BIT = 1 << 62
_TABLE = _WORD_BYTES[:1] + SEPARATOR.encode("ascii") + _WORD_BYTES[2:]
#: Each screened word's bits (bytes, as the translate leaves them).
_BITS: dict[bytes, int] = {SEPARATOR.encode("ascii"): _SEPARATOR_BIT}
_screens: list[frozenset[str]] = []


def screen(words: Iterable[str]) -> int:
    """A new screen over ``words`` (lower-case ``\\w+`` words): the bit that a request's
    mask has exactly when its word set meets ``words``."""
    bit = 1 << len(_screens)
    if bit >= _SEPARATOR_BIT:
        raise ValueError("too many request screens")
    _screens.append(frozenset(words))
    for w in _screens[-1]:
        key = w.encode("ascii")
        _BITS[key] = _BITS.get(key, 0) | bit
    return bit


def last_request(roles: Sequence[str], texts: Sequence[str], last: int | None) -> str:
    """The last user turn before the final answer (the request that answer answers), from
    an example's message roles and texts and its last assistant index."""
    for j in range(len(roles) - 1 if last is None else last - 1, -1, -1):
        if roles[j] == "user":
            return texts[j]
    return ""


@dataclass(frozen=True)
class Requests:
    """Per example of a batch: its request (:func:`last_request`), whether it was screened
    (ASCII), and the OR of the :func:`screen` bits of its words (0 when not screened)."""

    texts: list[str]
    screened: np.ndarray
    masks: np.ndarray


def batch_requests(batch: Sequence[ChatExample], memo: dict[str, Any]) -> Requests:
    """The batch's :class:`Requests`, built by the first extractor that asks."""
    cached = memo.get("request_words")
    if cached is None:
        turns = batch_turns(batch, memo)
        texts = [
            t[last - 1] if last and r[last - 1] == "user" else last_request(r, t, last)
            for r, t, last in zip(turns.roles, turns.texts, turns.last, strict=True)
        ]
        cached = memo["request_words"] = Requests(texts, *masks_of(texts))
    return cached


def _translated(joined: str) -> bytes:
    """The joined requests as word bytes (:data:`_TABLE`), with a space before and eight
    after (every word then has eight bytes to read from its start)."""
    return b" " + joined.encode("ascii").translate(_TABLE) + b" " * 8


def masks_of(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(screened, masks) of ``texts``: a text is screened when it is ASCII (and holds no
    separator character); its mask is the OR of the bits of the screened words it holds
    (``ascii_words(text) & words`` is not empty exactly when the screen's bit is set).

    No word becomes a Python object: the joined texts' translated bytes are cut at the
    spaces with numpy, each word's first eight bytes read as one 64-bit number (the word
    itself when it is no longer), and looked up in a table of the screened words."""
    n = len(texts)
    screened = np.fromiter(map(str.isascii, texts), dtype=bool, count=n)
    joiner = f" {SEPARATOR} "
    rows = np.flatnonzero(screened)
    chosen = [texts[i] for i in rows.tolist()]
    buf = _translated(joiner.join(chosen))
    if np.count_nonzero(np.frombuffer(buf, dtype=np.uint8) == 1) != max(len(chosen) - 1, 0):
        # a text holds the separator character: it is not screened
        screened &= np.fromiter((SEPARATOR not in t for t in texts), dtype=bool, count=n)
        rows = np.flatnonzero(screened)
        chosen = [texts[i] for i in rows.tolist()]
        buf = _translated(joiner.join(chosen))
    masks = np.zeros(n, dtype=np.int64)
    if not chosen:
        return screened, masks
    starts, ends = word_spans(np.frombuffer(buf, dtype=np.uint8) == 0x20)
    lengths = ends - starts
    keys = word_bytes(buf, starts, lengths)
    table = _lookup()
    slots = (keys * table.multiplier) >> np.uint64(64 - _SLOT_BITS)
    bits = np.where((table.keys[slots] == keys) & (lengths <= 8), table.bits[slots], 0)
    if table.long_bits:  # words longer than eight bytes: the few whose start fits, by name
        maybe = np.flatnonzero((table.long_keys[slots] == keys) & (lengths > 8))
        for t in maybe.tolist():
            s = int(starts[t])
            bits[t] = table.long_bits.get(buf[s : s + int(lengths[t])], 0)
    owner = np.cumsum(bits == _SEPARATOR_BIT)
    hit = np.flatnonzero(bits & ~_SEPARATOR_BIT)
    masks[rows] = or_by_owner(len(chosen), owner[hit], bits[hit])  # hits in row order
    return screened, masks


_SLOT_BITS = 16


@dataclass(frozen=True)
class _Lookup:
    """The screened words as a hash table over their first eight bytes (a little-endian
    64-bit number; no word holds a zero byte, so 0 marks an empty slot): ``keys`` and
    ``bits`` of the words of at most eight bytes, ``long_keys`` of the longer ones (whose
    bits ``long_bits`` holds by the whole word). ``multiplier`` sends every key to a slot
    of its own (``key * multiplier >> (64 - _SLOT_BITS)``)."""

    screens: int
    multiplier: np.uint64
    keys: np.ndarray
    bits: np.ndarray
    long_keys: np.ndarray
    long_bits: dict[bytes, int]


_lookups: list[_Lookup] = []


def _lookup() -> _Lookup:
    """The :class:`_Lookup` of the screens registered so far (built again after a new one)."""
    if _lookups and _lookups[-1].screens == len(_screens):
        return _lookups[-1]
    short = {int.from_bytes(w, "little"): b for w, b in _BITS.items() if len(w) <= 8}
    long_bits = {w: b for w, b in _BITS.items() if len(w) > 8}
    long_keys = {int.from_bytes(w[:8], "little") for w in long_bits}
    every = sorted(short.keys() | long_keys)
    size = 1 << _SLOT_BITS
    for attempt in range(1, 1000):
        multiplier = (0x9E3779B97F4A7C15 * attempt) & ((1 << 64) - 1) | 1
        slots = [(k * multiplier & ((1 << 64) - 1)) >> (64 - _SLOT_BITS) for k in every]
        if len(set(slots)) == len(slots):
            break
    else:  # pragma: no cover - 2**16 slots for a few hundred words
        raise RuntimeError("no collision-free multiplier for the request screens")
    keys = np.zeros(size, dtype=np.uint64)
    bits = np.zeros(size, dtype=np.int64)
    long_table = np.zeros(size, dtype=np.uint64)
    for k in every:
        slot = (k * multiplier & ((1 << 64) - 1)) >> (64 - _SLOT_BITS)
        if k in short:
            keys[slot], bits[slot] = k, short[k]
        if k in long_keys:
            long_table[slot] = k
    table = _Lookup(len(_screens), np.uint64(multiplier), keys, bits, long_table, long_bits)
    _lookups[:] = [table]
    return table

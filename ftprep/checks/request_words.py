"""Which screened words each example's request holds, found for a whole batch at once.

Two extractors read the request an answer answers (the last user turn before it):
``asked_format`` (does it ask for code, JSON, a table…?) and ``prompt_shape`` (is a one-word
answer right for it?). Both screen their regexes with the request's words
(:mod:`ftprep.checks.words`): a rule whose words are all absent cannot match and is not
run. Built request by request, each screen split the text again and intersected sets in
Python (~5 µs per example for the two). Here every screen registers its words once, at
import, and gets a bit; for a batch, the ASCII requests are joined, lower-cased to words by
one ``bytes.translate`` and split once, and each word's bits come from one dictionary
(``map`` over ``dict.get`` runs in C): a row's mask is the OR of its words' bits. Texts that
are not ASCII get no mask (``screened`` is False): their rules run unscreened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

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


def masks_of(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(screened, masks) of ``texts``: a text is screened when it is ASCII (and holds no
    separator character); its mask is the OR of the bits of the screened words it holds
    (``ascii_words(text) & words`` is not empty exactly when the screen's bit is set)."""
    n = len(texts)
    screened = np.fromiter(map(str.isascii, texts), dtype=bool, count=n)
    joiner = f" {SEPARATOR} "
    rows = np.flatnonzero(screened)
    chosen = [texts[i] for i in rows.tolist()]
    joined = joiner.join(chosen)
    if joined.count(SEPARATOR) != max(len(chosen) - 1, 0):  # a text holds the separator
        screened &= np.fromiter((SEPARATOR not in t for t in texts), dtype=bool, count=n)
        rows = np.flatnonzero(screened)
        chosen = [texts[i] for i in rows.tolist()]
        joined = joiner.join(chosen)
    masks = np.zeros(n, dtype=np.int64)
    words = joined.encode("ascii").translate(_TABLE).split()
    bits = np.fromiter(map(_BITS.get, words, repeat(0)), dtype=np.int64, count=len(words))
    separators = bits == _SEPARATOR_BIT
    owner = np.cumsum(separators)
    hit = np.flatnonzero(bits & ~_SEPARATOR_BIT)
    found = np.zeros(len(chosen), dtype=np.int64)
    np.bitwise_or.at(found, owner[hit], bits[hit])
    masks[rows] = found
    return screened, masks

"""Capitalised names found over the bytes of a batch's ASCII texts, without a regex match
(a Python object) per name.

Two patterns look for names: the prompt sketch's (:data:`ftprep.checks.clean.contradictions
._MID_NAME`) and the answer facts' (:data:`ftprep.checks.clean.answer_profile._FACT_NAME`).
Both are a capital, then letters (``[A-Z][a-zA-Z]+``), kept when the character before is
not in a set (a word character, an apostrophe, ...) and no sentence end followed by one or
two spaces stands before the capital; they differ in those two sets. On ASCII text each
test is a byte-table lookup at a fixed distance from a capital, so the matches of a whole
batch laid end to end are found by numpy from the capitals alone (tests/test_fast_patterns.py
and tests/test_prompt_sketch_batch.py hold them to the patterns).
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import numpy as np

from ftprep.checks.byte_words import SPACE, byte_class
from ftprep.checks.clean.answer_words import words_at

#: ASCII letters: a name goes on over them.
LETTER = byte_class(string.ascii_letters)


def name_starts(b: np.ndarray, not_before: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Where the names of ASCII text (its bytes ``b``) start: capitals followed by a
    letter, with a byte before them that is not in ``not_before``, and not preceded by a
    byte of ``end`` and one or two spaces (the capital opens a sentence). The same tests as
    the patterns', read from the bytes around each capital. (A match runs over letters,
    so no capital inside it starts another.)"""
    at = np.flatnonzero((b - np.uint8(65)) < 26)  # the capitals
    at = at[(at >= 1) & (at + 1 < len(b))]
    at = at[LETTER[b[at + 1]] & ~not_before[b[at - 1]]]
    # a sentence end, then one or two spaces, before the capital: it opens a sentence
    spaced = SPACE[b[at - 1]]
    two, three = np.maximum(at - 2, 0), np.maximum(at - 3, 0)
    opens = spaced & (at >= 2) & end[b[two]]
    opens |= spaced & (at >= 3) & SPACE[b[two]] & end[b[three]]
    return at[~opens]


#: Letters a name's end is looked for one byte at a time, before the bytes that are no
#: letter are listed (a name is a word: most are found in a few steps, and listing every
#: byte that is no letter of the batch cost more than all the rest on most batches).
_NAME_STEPS = 16


def name_ends(b: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Where the names starting at ``starts`` (a capital and a letter) in the bytes ``b``
    end: at the first byte after them that is no letter, or at the end of ``b``."""
    ends = starts + 2
    active = np.arange(len(starts))
    for _ in range(_NAME_STEPS):
        at = ends[active]
        going = at < len(b)
        going[going] = LETTER[b[at[going]]]
        active = active[going]
        if not len(active):
            return ends
        ends[active] += 1
    breaks = np.flatnonzero(~LETTER[b])
    at = np.searchsorted(breaks, ends[active])
    ends[active] = np.where(at < len(breaks), breaks[np.minimum(at, len(breaks) - 1)], len(b))
    return ends


def names_in(
    texts: Sequence[str],
    join: str,
    not_before: np.ndarray,
    end: np.ndarray,
    lead: str = "",
    lower: bool = False,
) -> tuple[np.ndarray, list[str]]:
    """(text index, name) of every name (:func:`name_starts`, :func:`name_ends`) of the
    ASCII ``texts`` laid end to end, ``lead`` before the first and ``join`` between two
    (a string after which no name begins nor a sentence opens: each text is searched as
    if alone); ``lower``: the names lower-cased. Each name is cut from the bytes at once
    (:func:`~ftprep.checks.clean.answer_words.words_at`)."""
    data = (lead + join.join(texts)).encode("ascii")
    b = np.frombuffer(data, dtype=np.uint8)
    at = name_starts(b, not_before, end)
    ends = name_ends(b, at)
    firsts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        sizes = np.fromiter(map(len, texts[:-1]), dtype=np.int64, count=len(texts) - 1)
        np.cumsum(sizes + len(join), out=firsts[1:])
    owners = np.searchsorted(firsts + len(lead), at, side="right") - 1
    return owners, words_at((data.lower() if lower else data) + b"\n", at, ends)


__all__ = ["LETTER", "name_ends", "name_starts", "names_in"]

"""Which texts of a batch surely repeat no 3-word phrase: ``clean.repetition``'s screen.

``find_repetition`` gives up on a text in which no 3-word phrase occurs twice, which is
nearly every text; telling so took a list of the text's words and a set of its word
triples, some ninety Python objects for an answer of forty words (about 6 µs). Here the
texts of a batch are read together as bytes, with numpy: each word (a run of bytes that
are not white space, after ``repetition._ASCII_WORDS`` has lower-cased the text and made
its punctuation space, exactly as ``repetition._words`` cuts it) becomes a 64-bit number
made of its length and its first and last eight bytes, each triple of consecutive words
of a text a number made of those three and of the text's index, and a sort of the triples
finds the numbers that occur twice.

Equal phrases in a text always give equal numbers, so a text whose numbers are all
distinct surely repeats no phrase; two different phrases giving the same number only send
their text to the full rule, which decides as before. Only texts the byte reading cuts
exactly as ``_words`` does are screened: ASCII texts without code (no backtick or tilde:
``strip_code`` leaves them as they are); any other text goes to the full rule.
tests/test_check_batches.py holds the screen to the word triples it stands for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Bytes ``str.split()`` splits an ASCII text at.
_WHITE = b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_IS_WORD = np.ones(256, dtype=bool)
_IS_WORD[list(_WHITE)] = False
#: The low ``k`` bytes of a little-endian 64-bit word, for ``k`` = 0..8.
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
#: Odd multipliers that mix the parts of a word's and a triple's number.
_HEAD, _TAIL, _LENGTH, _FIRST, _SECOND, _THIRD, _TEXT = (
    np.uint64(m)
    for m in (
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
        0x8EBC6AF09C88C6E3,
    )
)
#: Texts read together: arrays of a few hundred kilobytes at most stay in the cache and
#: the sort stays short (measured: 256 texts a group cost a third less than a batch).
_GROUP = 256


def screenable(text: str) -> bool:
    """Whether the bytes of ``text`` are cut into words as ``repetition._words`` cuts its
    prose: ASCII (one byte a character) and without code (``strip_code`` keeps it)."""
    return text.isascii() and "`" not in text and "~" not in text


def phrases_unique(words_table: bytes, texts: Sequence[str]) -> list[bool]:
    """Per text: True when surely no three consecutive words of it occur twice in it,
    its words being those of ``text.encode().translate(words_table).split()``; False
    when they may, or when the text is not :func:`screenable`."""
    out = [False] * len(texts)
    picked = [i for i, text in enumerate(texts) if screenable(text)]
    for start in range(0, len(picked), _GROUP):
        group = picked[start : start + _GROUP]
        repeats = _repeating([texts[i] for i in group], words_table)
        for k, i in enumerate(group):
            out[i] = k not in repeats
    return out


def _repeating(texts: list[str], words_table: bytes) -> set[int]:
    """The indices of ``texts`` (all screenable) where two word triples get one number."""
    data = " ".join(texts).encode("ascii").translate(words_table)
    pad = b"\0" * 8
    buffer = pad + data + pad
    word = _IS_WORD[np.frombuffer(data, dtype=np.uint8)].view(np.int8)
    edges = np.flatnonzero(np.diff(word, prepend=np.int8(0), append=np.int8(0)))
    starts, ends = edges[0::2], edges[1::2]
    if len(starts) < 3:
        return set()
    lengths = ends - starts
    # the eight bytes from each offset of ``data``, as a number (``buffer`` is padded)
    eights = np.ndarray((len(buffer) - 7,), dtype="<u8", buffer=buffer, strides=(1,))
    head = eights[starts + 8] & _LOW_BYTES[np.minimum(lengths, 8)]
    tail = np.where(lengths > 8, eights[ends], np.uint64(0))  # the last eight bytes
    number = head * _HEAD + tail * _TAIL + lengths.astype(np.uint64) * _LENGTH
    firsts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
    owner = np.searchsorted(firsts, starts, side="right") - 1
    same = owner[:-2] == owner[2:]  # the triple lies in one text
    triple = (
        number[:-2] * _FIRST
        + number[1:-1] * _SECOND
        + number[2:] * _THIRD
        + owner[:-2].astype(np.uint64) * _TEXT
    )[same]
    ordered = np.sort(triple)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(twice):
        return set()
    return set(owner[:-2][same][np.isin(triple, twice)].tolist())


__all__ = ["phrases_unique", "screenable"]

"""Which texts of a batch surely repeat no 3-word phrase: ``clean.repetition``'s screen.

``find_repetition`` gives up on a text in which no 3-word phrase occurs twice, which is
nearly every text; telling so took a list of the text's words and a set of its word
triples, some ninety Python objects for an answer of forty words (about 6 µs). Here the
words are numbers (:mod:`ftprep.checks.byte_words`, read with ``repetition._ASCII_WORDS``,
the table ``repetition._words`` cuts its prose with), each triple of consecutive words of
a text a number made of those three and of the text's index, and a sort of the triples
finds the numbers that occur twice.

Equal phrases in a text always give equal numbers, so a text whose numbers are all
distinct surely repeats no phrase; two different phrases giving the same number only send
their text to the full rule, which decides as before. Only texts whose bytes are cut into
words exactly as ``_words`` cuts them are screened: ASCII texts without code (no backtick
or tilde: ``strip_code`` leaves them as they are); any other text goes to the full rule.
tests/test_check_batches.py holds the screen to the word triples it stands for.

On natural text that screen rules out little: a long answer nearly always says some phrase
twice ("one of the"). :func:`loops_ruled_out` asks instead what ``find_repetition`` needs
before it can report anything (with Gopher's ratios off): two lines, or two sentences,
with the same words (a repeated block), or a phrase that comes back within ``max_unit``
words often enough to be a loop's period (``repetition._periods``). Natural answers have
neither.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ftprep.checks.byte_words import (
    SPACE,
    WIDE_SPACE,
    byte_class,
    cut_words,
    groups,
    word_numbers,
    worth_going_on,
)

#: Odd multipliers that mix a triple's words and text into its number.
_FIRST, _SECOND, _THIRD, _TEXT = (
    np.uint64(m)
    for m in (0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3)
)


def screenable(text: str) -> bool:
    """Whether the bytes of ``text`` are cut into words as ``repetition._words`` cuts its
    prose: ASCII (one byte a character) and without code (``strip_code`` keeps it)."""
    return text.isascii() and "`" not in text and "~" not in text


def phrases_unique(words_table: bytes, texts: Sequence[str]) -> list[bool]:
    """Per text: True when surely no three consecutive words of it occur twice in it,
    its words being those of ``text.encode().translate(words_table).split()``; False
    when they may, when the text is not :func:`screenable`, and for the texts after a
    group where the screen was not worth it (``byte_words.WORTH``: long natural answers
    nearly all repeat some phrase, "one of the")."""
    out = [False] * len(texts)
    for part in groups(texts):
        group = [i for i in part if screenable(texts[i])]
        chosen = [texts[i] for i in group]
        repeats = _repeating(chosen, words_table) if chosen else set()
        for k, i in enumerate(group):
            out[i] = k not in repeats
        if not worth_going_on([texts[i] for i in part], [out[i] for i in part]):
            break
    return out


def _repeating(texts: list[str], words_table: bytes) -> set[int]:
    """The indices of ``texts`` (all screenable) where two word triples get one number."""
    owner, number = word_numbers(texts, words_table)
    if len(number) < 3:
        return set()
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


#: The ASCII bytes ``str.splitlines`` ends a line at (``byte_words.SPACE``: those the
#: regex ``\s`` matches). A sentence ends (``repetition._SENTENCE_END``) at a new line,
#: and at white space after a stop (``.``, ``!``, ``?``).
_LINE_END = byte_class("\n\r\x0b\x0c\x1c\x1d\x1e")
#: Odd multipliers: a word's place in its line or sentence, the unit's length.
_PLACE, _LENGTH = (np.uint64(m) for m in (0x9FB21C651E98DF25, 0xBF58476D1CE4E5B9))
#: ``_PLACE ** -1`` modulo ``2**64`` (an odd number has an inverse there).
_UNPLACE = np.uint64(pow(int(_PLACE), -1, 1 << 64))


def loops_ruled_out(words_table: bytes, texts: Sequence[str], max_unit: int) -> list[bool]:
    """Per text: True when ``repetition.find_repetition`` surely finds no loop in it
    with Gopher's ratios off and ``max_unit`` its longest looping phrase: no two of its
    lines and no two of its sentences hold the same words (``_block_loop`` needs a unit
    that comes back), and no word triple recurs within ``max_unit`` words often enough
    to give ``_periods`` a period. False when one may, when the text is not
    :func:`readable`, and for the texts after a group where the screen was not worth it
    (``byte_words.WORTH``)."""
    out = [False] * len(texts)
    for part in groups(texts):
        group: list[int] = []
        chosen: list[bytes] = []
        for i in part:
            text = texts[i]
            if text.isascii():  # :func:`readable` and :func:`_encoded`, inline for most
                if "`" not in text and "~" not in text:
                    group.append(i)
                    chosen.append(text.encode("ascii"))
            elif readable(text):
                group.append(i)
                chosen.append(_encoded(text))
        open_ = _may_loop(chosen, words_table, max_unit) if chosen else set()
        for k, i in enumerate(group):
            out[i] = k not in open_
        if not worth_going_on([texts[i] for i in part], [out[i] for i in part]):
            break
    return out


def readable(text: str) -> bool:
    """Whether :func:`loops_ruled_out` reads ``text``: without code (``strip_code``
    keeps it), and ASCII or free of white space beyond ASCII (its lower case's UTF-8
    bytes are then cut into ``repetition._words``' words, lines and sentences at their
    ASCII white space and stops; lower-casing a text and its parts, cut at white space,
    gives the same words)."""
    if "`" in text or "~" in text:
        return False
    return text.isascii() or not WIDE_SPACE.search(text)


def _encoded(text: str) -> bytes:
    """What :func:`loops_ruled_out` reads of a :func:`readable` text: its bytes, for a
    text beyond ASCII those of its lower case (``repetition._words`` lower-cases such a
    text before its table; an ASCII text's table lower-cases it)."""
    if text.isascii():
        return text.encode("ascii")
    return text.lower().encode("utf-8", "surrogatepass")


def _may_loop(texts: list[bytes], words_table: bytes, max_unit: int) -> set[int]:
    """The indices of ``texts`` (:func:`_encoded`) that :func:`loops_ruled_out` leaves open."""
    cut = cut_words(texts, words_table)
    if len(cut.number) < 3:
        return set()
    raw, starts, owner = cut.raw, cut.starts, cut.owner
    # where lines and sentences end, found among the few control and stop bytes: a unit
    # starts at a text's first word and at the first word after an end
    control = np.flatnonzero(raw < 0x20)
    stops = np.flatnonzero((raw == 0x2E) | (raw == 0x21) | (raw == 0x3F)) + 1
    ends = [np.concatenate((control[raw[control] == 0x0A], stops[SPACE[raw[stops]]]))]
    line_ends = control[_LINE_END[raw[control]]]
    if len(line_ends):  # else each text is one line
        ends.append(line_ends)
    open_ = _repeated_units(ends, starts, cut.number, owner)
    return open_ | _periodic(cut.number, owner, len(texts), max_unit)


#: ``_PLACE ** i`` and ``_UNPLACE ** i`` for ``i = 1, 2, …``, as many as a group has
#: needed so far (grown by doubling).
_POWERS: list[np.ndarray] = [np.ones(0, dtype=np.uint64)] * 2


def _powers(count: int) -> tuple[np.ndarray, np.ndarray]:
    """``_PLACE ** i`` and ``_UNPLACE ** i`` (modulo ``2**64``) for ``i = 1 .. count``."""
    if len(_POWERS[0]) < count:
        size = max(count, 2 * len(_POWERS[0]), 1 << 14)
        _POWERS[:] = [np.cumprod(np.full(size, b, dtype=np.uint64)) for b in (_PLACE, _UNPLACE)]
    return _POWERS[0][:count], _POWERS[1][:count]


def _repeated_units(
    ends: list[np.ndarray], starts: np.ndarray, number: np.ndarray, owner: np.ndarray
) -> set[int]:
    """The owners of two units of one kind that may hold the same words; a kind of unit
    (lines, sentences) given by the places in the buffer where its units end (each of
    ``ends``), a text's first word starting one too. Each unit is a number made of its
    kind, its text, its length and its words' numbers each times ``_PLACE`` to the power
    of the word's place in it (equal units, equal numbers): the difference of a running
    sum of ``number[i] * _PLACE ** i`` at its ends, times ``_PLACE ** -first``."""
    count = len(number)
    ahead, back = _powers(count)
    running = np.zeros(count + 1, dtype=np.uint64)
    np.cumsum(number * ahead, out=running[1:])
    text_first = np.empty(count, dtype=bool)
    text_first[0] = True
    np.not_equal(owner[1:], owner[:-1], out=text_first[1:])
    keys, owners = [], []
    for kind, where in enumerate(ends):
        starting = text_first.copy()
        after = np.searchsorted(starts, where)
        starting[after[after < count]] = True
        first = np.flatnonzero(starting)
        bounds = np.append(first, count)
        key = (running[bounds[1:]] - running[first]) * back[first]
        key += np.diff(bounds).astype(np.uint64) * _LENGTH
        key += owner[first].astype(np.uint64) * _TEXT + np.uint64(kind)
        keys.append(key)
        owners.append(owner[first])
    key, of = np.concatenate(keys), np.concatenate(owners)
    order = np.argsort(key)
    ordered = key[order]
    return set(of[order[1:][ordered[1:] == ordered[:-1]]].tolist())


def _periodic(number: np.ndarray, owner: np.ndarray, texts: int, max_unit: int) -> set[int]:
    """The texts where a word triple may recur within ``max_unit`` words often enough
    for ``repetition._periods``: some ``g`` has ``max(1, g - 2)`` or more triples whose
    previous occurrence is ``g`` words back or nearer.

    Each triple is a 32-bit number (equal triples, equal numbers) and its previous
    occurrence the nearest equal number within ``max_unit``. Two triples sharing a number
    only bring an occurrence nearer, so the count of triples recurring within ``g`` words
    never falls below the count ``_periods`` takes at ``g``: no text it gives a period
    is missed."""
    triple = (
        (number[:-2] * _FIRST + number[1:-1] * _SECOND + number[2:] * _THIRD) >> np.uint64(32)
    ).astype(np.uint32)
    later, gaps = [], []
    for gap in range(1, min(max_unit, len(triple) - 1) + 1):
        equal = triple[gap:] == triple[:-gap]
        if equal.any():  # seldom: cheaper asked first than the places found
            found = np.flatnonzero(equal) + gap
            later.append(found)
            gaps.append(np.full(len(found), gap))
    if not later:
        return set()
    # each triple's nearest previous occurrence: the first, gaps rising
    where, first = np.unique(np.concatenate(later), return_index=True)
    near = np.concatenate(gaps)[first]
    # inside the triple's own text (a triple across two texts' words never recurs there)
    text_start = np.searchsorted(owner, owner[where])
    mine = (near <= where - text_start) & (owner[where] == owner[where + 2])
    where, near = where[mine], near[mine]
    width = max_unit + 1
    hits = np.bincount(owner[where] * width + near, minlength=texts * width)
    within = np.cumsum(hits.reshape(texts, width), axis=1)
    need = np.maximum(1, np.arange(width) - 2)
    need[0] = len(triple) + 1  # no gap of zero
    return set(np.flatnonzero((within >= need).any(axis=1)).tolist())


__all__ = ["loops_ruled_out", "phrases_unique", "readable", "screenable"]

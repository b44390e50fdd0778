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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ftprep.checks.byte_words import groups, word_numbers, worth_going_on

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


__all__ = ["phrases_unique", "screenable"]

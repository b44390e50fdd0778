"""The words of a text, as a set: the cheap screen in front of word-bounded regex rules.

Most text rules are alternations of words between ``\\b`` boundaries ("\\bclassify\\b",
"\\bhow (?:many|much)\\b"). Scanning a text with such a regex costs microseconds per
hundred characters; a set of the text's words costs about as much once, and then tells
every rule in a few nanoseconds whether it can match at all (none of its words present:
no match) or surely matches (a one-word alternative present). A check builds the set once
per text and asks all its rules. Sets are not kept in the batch memo for other checks:
thousands of live sets per batch make the cyclic garbage collector walk the whole batch
again and again, which cost more (measured: +18 µs per example) than rebuilding the odd
set twice.

Only ASCII texts get a set: for them lower-casing is exactly what ``re.IGNORECASE`` does
and ``\\w`` is ``[A-Za-z0-9_]``, so "word in set" and "``\\bword\\b`` matches" agree
exactly. Other texts get None, and callers run their rules unscreened.
"""

from __future__ import annotations

#: ASCII bytes to lower-case word bytes; every non-word byte (``\W``) becomes a space.
_WORD_BYTES = bytes(
    (ord(chr(b).lower()) if chr(b).isalnum() or b == 0x5F else 0x20) if b < 128 else b
    for b in range(256)
)

#: The table the word lists here are cut with (``text.encode("ascii").translate(WORD_BYTES)
#: .decode("ascii").split()``), for readers of many texts at once (``checks.byte_words``).
WORD_BYTES = _WORD_BYTES


def _build(text: str) -> frozenset[str]:
    return frozenset(text.encode("ascii").translate(_WORD_BYTES).decode("ascii").split())


def ascii_words(text: str) -> frozenset[str] | None:
    """The lower-cased ``\\w+`` runs of ``text`` when it is ASCII; None otherwise.

    For an ASCII text, a word ``w`` (lower case, word characters only) is in the set exactly
    when ``re.search(rf"\\b{w}\\b", text, re.I)`` matches."""
    if not text.isascii():
        return None
    return _build(text)


def ascii_word_list(text: str) -> list[str] | None:
    """The words of :func:`ascii_words`, as a list (repeats kept): enough, and cheaper, for
    asking whether any of a few words is there before the set is worth building."""
    if not text.isascii():
        return None
    return text.encode("ascii").translate(_WORD_BYTES).decode("ascii").split()


def ascii_words_among(text: str, among: frozenset[str]) -> frozenset[str] | None:
    """``ascii_words(text) & among`` (None for a text that is not ASCII), without building
    the set of all the text's words: a screen that asks about a few dozen words needs only
    those of them the text has."""
    words = ascii_word_list(text)
    return None if words is None else among.intersection(words)


__all__ = ["WORD_BYTES", "ascii_word_list", "ascii_words", "ascii_words_among"]

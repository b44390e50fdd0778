"""The prose of a message: its text with code removed.

Several text checks (placeholders, markup residue, repetition, truncation) must not read
code as prose: a Jinja template in a code block legitimately holds ``{{ name }}``, an HTML
answer holds ``<div>``, and code repeats lines by nature. Fenced blocks (```` ``` ```` or
``~~~``, closed or not) and inline code spans are blanked out; the cheap path (no backtick,
no tilde fence) returns the text unchanged.
"""

from __future__ import annotations

import re

_FENCE_BLOCK = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n?.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_INLINE = re.compile(r"`[^`\n]+`")
_FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})", re.M)


def strip_code(text: str) -> str:
    """``text`` with fenced code blocks and inline code spans replaced by a space."""
    if "`" not in text and "~~~" not in text:
        return text
    text = _FENCE_BLOCK.sub(" ", text)
    return _INLINE.sub(" ", text) if "`" in text else text


def fence_count(text: str) -> int:
    """Number of lines opening or closing a code fence (odd = a block never closed)."""
    if "```" not in text and "~~~" not in text:
        return 0
    return len(_FENCE_LINE.findall(text))


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (for word lists written as one string)."""
    return frozenset(text.split())


def normalize_quotes(text: str) -> str:
    """Typographic apostrophes as ASCII, so phrase patterns need one spelling."""
    if "\u2019" in text or "\u2018" in text:
        return text.replace("\u2019", "'").replace("\u2018", "'")
    return text


__all__ = ["fence_count", "normalize_quotes", "strip_code", "word_set"]

"""Encoding damage: mojibake, replacement characters, control characters, lone surrogates."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import ftfy
from ftfy.badness import is_bad

from ftprep.checks.base import CheckSettings, example_check
from ftprep.checks.batch_view import CheckBatch, Turns, by_turns, turns_of
from ftprep.checks.signs import CONTROL
from ftprep.schema import ChatExample, PreferenceExample

#: Characters that never belong in text: C0 controls other than tab/newline/return, DEL,
#: C1 controls, a byte-order mark inside text, U+FFFD and unpaired surrogates.
_DAMAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffd\ud800-\udfff]")
_ASCII_DAMAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Cheap screen for mojibake: a UTF-8 lead byte read as Latin-1/cp1252 (Ã, Â, â, æ, ...)
#: followed by a continuation byte read the same way, or the box/maths signs that MacRoman
#: and cp437 turn UTF-8 into. Only texts passing it pay for ftfy's full heuristic.
_LEAD = "\u00c2-\u00f4"
_CONTINUATION = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013"
    "\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_BOX = "\u221a\u2248\u2260\u2264\u2265\u251c\u252c\u2524\u2534\u253c\u2550-\u256c\u2310"
_MOJIBAKE_HINT = re.compile(f"[{_LEAD}][{_CONTINUATION}]|[{_BOX}]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
#: The non-ASCII characters of cp437 and MacRoman: a run :func:`_legacy_run` repairs is
#: all of one of them (the box and maths signs above are all cp437's).
_LEGACY_CHARS = re.escape(
    "".join(sorted({*bytes(range(0x80, 0x100)).decode("cp437"),
                    *bytes(range(0x80, 0x100)).decode("mac_roman")}))
)  # fmt: skip
#: What every mojibake starts with: a lead or legacy character, then a continuation or
#: another legacy character (a run to repair is two long), unless the first is a box or
#: maths sign. One pattern starting with a single character class, which the regex
#: engine scans for fast (``_MOJIBAKE_HINT``'s two branches are tried at every place);
#: natural text rarely holds one ("’", "–" and "…" are MacRoman's, but alone).
_MOJIBAKE_SCREEN = re.compile(
    f"[{_LEAD}{_LEGACY_CHARS}](?:(?<=[{_BOX}])|[{_CONTINUATION}{_LEGACY_CHARS}])"
)
#: Text a repaired run may hold: Latin letters, general punctuation, currency signs.
_PLAUSIBLE = re.compile("[\u00a0-\u024f\u2010-\u2044\u20a0-\u20bf\u2122]+")
_NAMES = {"\ufffd": "replacement character U+FFFD", "\ufeff": "byte-order mark U+FEFF"}


def _describe(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"unpaired surrogate U+{code:04X}"
    return f"control character U+{code:04X}"


def _legacy_run(text: str) -> tuple[str, str] | None:
    """UTF-8 read as cp437 or MacRoman (``ΓÇÖ``, ``‚Äô``), which ftfy's heuristic misses:
    a run of non-ASCII characters that re-encodes to valid UTF-8 of Latin text."""
    for m in _NON_ASCII_RUN.finditer(text):
        run = m[0]
        for enc in ("cp437", "mac_roman"):
            try:
                repaired = run.encode(enc).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(repaired) < len(run) and _PLAUSIBLE.fullmatch(repaired):
                return run, repaired
    return None


def mojibake(text: str) -> tuple[str, str] | None:
    """(damaged snippet, its repair) when ``text`` holds mojibake that can be undone."""
    if _MOJIBAKE_SCREEN.search(text) is None:
        return None
    hint = _MOJIBAKE_HINT.search(text)
    if hint is not None and is_bad(text) and ftfy.fix_encoding(text) != text:
        start = max(0, hint.start() - 2)
        snippet = text[start : hint.end() + 2]
        return snippet, ftfy.fix_encoding(snippet)
    return _legacy_run(text)


def damage(text: str, sign: bytes | None = None) -> list[str]:
    """Descriptions of the encoding damage in one text (empty when clean); ``sign``: the
    text's :func:`~ftprep.checks.signs.sign_of`, when known (an ASCII text whose sign holds
    no control character is clean)."""
    found: list[str] = []
    if sign is not None and CONTROL.isdisjoint(sign):
        return found
    if text.isascii():
        m = _ASCII_DAMAGE.search(text)
        return [_describe(m[0])] if m else found
    for ch in dict.fromkeys(_DAMAGE.findall(text)):
        found.append(_describe(ch))
    bad = mojibake(text)
    if bad is not None:
        found.append(f"mojibake {bad[0]!r} (probably {bad[1]!r})")
    return found


@example_check(
    "clean.encoding",
    "clean",
    "error",
    "{count} examples have damaged text encoding",
    kinds=("chat", "preference", "text"),
)
def encoding(ex: ChatExample | PreferenceExample, settings: CheckSettings) -> Iterator[str]:
    """Text is damaged by a wrong encoding.

    What: mojibake — UTF-8 text decoded as Latin-1, Windows-1252, MacRoman or cp437, once
    or twice (`Ã©` for `é`, `â€™` for `’`, `√©`, `├⌐`) — detected with ftfy's badness
    heuristic and confirmed only when ftfy can actually undo it; the replacement character
    U+FFFD (bytes lost in an earlier decode); control characters other than tab and
    newline (including C1 controls and a stray byte-order mark); unpaired UTF-16 surrogates
    (broken `\\ud83d`-style escapes, which platforms reject as invalid UTF-8).
    Why: the model learns to write the garbage it is shown; mojibake in answers becomes
    mojibake in production output, and an unpaired surrogate makes the file unencodable.
    Threshold: any occurrence.
    Fix: re-export the source with the right encoding; `ftfy.fix_text` repairs most
    mojibake. Text with U+FFFD has lost information and needs the original.
    """
    found = damage_in(turns_of(ex), settings)
    if found:
        yield found


def damage_in(
    turns: Turns, settings: CheckSettings, signs: Sequence[bytes | None] | None = None
) -> str | None:
    """``clean.encoding``'s detail for an example's ``(role, text)`` turns (``signs``:
    their signs, when known), or None."""
    found = [
        f"{problem} in message {i} ({role})"
        for i, (role, text) in enumerate(turns, start=1)
        if text
        for problem in damage(text, None if signs is None else signs[i - 1])
    ]
    return "; ".join(found) if found else None


def _clean_row(batch: CheckBatch, row: int) -> bool:
    """No control character in any text of an all-ASCII row: nothing to report."""
    sign = batch.row_signs[row]
    return sign is not None and CONTROL.isdisjoint(sign)


by_turns("clean.encoding", damage_in, signed=True, clean=_clean_row)

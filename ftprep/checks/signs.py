"""A text's telling characters, found in one pass: the screen several text rules share.

Template residue needs one of ``<[{#:`` or a new line, placeholders one of ``{[<%_`` or a
capitalised marker (``TODO``, ``XX/XX``, ``PLACEHOLDER``), encoding damage a control
character, PII an ``@`` or a digit. Each rule used to scan the whole text for its own
characters (a regex character class: about half a microsecond per 200 characters, four
times per text). For an ASCII text, one ``bytes.translate`` that deletes every other byte
leaves its *sign*: the few telling characters it holds, in order (capital letters
included, so that a run of capitals in the text is a run in the sign too). Each screen
then asks the sign, a few bytes long, instead of the text.

A sign only rules a rule out: when the sign says a character is present, the rule runs
as it always did. Texts that are not ASCII get no sign (None) and their rules screen the
text itself. tests/test_text_screens.py holds every sign screen to the scan it replaces.
"""

from __future__ import annotations

_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: Every byte some screen asks about.
KEPT = b"<[{#:\n%_$@0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _CONTROL


def all_but(kept: bytes) -> bytes:
    """The bytes to delete so that only ``kept`` remain (a ``bytes.translate`` argument)."""
    return bytes(b for b in range(256) if b not in kept)


_DROP = all_but(KEPT)


def sign_of(text: str) -> bytes | None:
    """The bytes of :data:`KEPT` in ``text``, in order, when it is ASCII; None otherwise."""
    if not text.isascii():
        return None
    return text.encode("ascii").translate(None, _DROP)


def ascii_sign_of(text: str) -> bytes:
    """The bytes of :data:`KEPT` among ``text``'s ASCII characters, in order, for any
    text: its UTF-8 form, whose other characters are all bytes above 0x7F, translated.
    The sign of an ASCII text; for another, what a screen for ASCII characters only may
    ask (a run of capitals broken only by non-ASCII letters is a run in it, which only
    lets more through)."""
    return text.encode("utf-8", "surrogatepass").translate(None, _DROP)


def screen(chars: bytes) -> frozenset[int]:
    """What a screen for any of ``chars`` (all in :data:`KEPT`) asks a sign:
    ``screen(b"@").isdisjoint(sign)`` is true when the text holds no "@"."""
    if not set(chars) <= set(KEPT):
        raise ValueError(f"signs do not keep {bytes(set(chars) - set(KEPT))!r}")
    return frozenset(chars)


#: The control characters ``clean.encoding`` reports.
CONTROL = screen(_CONTROL)
#: Digits to "0", every other byte to "x" (a translate without deletions, then a count).
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x78 for b in range(256))


def digits_in(sign: bytes) -> int:
    """How many digits the text of ``sign`` holds (signs keep every digit)."""
    return sign.translate(_DIGITS_AS_ZERO).count(b"0")


__all__ = ["CONTROL", "KEPT", "ascii_sign_of", "digits_in", "screen", "sign_of"]

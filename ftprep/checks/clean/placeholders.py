"""Unfilled template placeholders: {{name}}, [INSERT ...], <PLACEHOLDER>, lorem ipsum, TODO."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain

from ftprep.checks.base import REGISTRY, CheckSettings, batch_form, example_check
from ftprep.checks.batch_view import CheckBatch, Turns, turns_of
from ftprep.checks.prose import strip_code
from ftprep.checks.signs import ascii_sign_of, screen
from ftprep.schema import ChatExample

_SLOT_NOUNS = r"(?:Name|Date|Address|Number|Email|Phone|Title|Amount|Signature|Company|City)"
_SLOT_LOWER = r"(?:name|date|address|number|email|phone|link|url|amount|company|signature)"
#: (kind, pattern). Each is a syntax templates use and prose does not.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("template variable", r"\{\{\s*[A-Za-z_][\w.\- ]{0,40}?\s*\}\}"),
    ("template variable", r"\{%-?\s*(?:if|for|set|endif|endfor|block|include)\b[^%]{0,80}%\}"),
    ("template variable", r"\$\{[A-Za-z_][\w.]{0,40}\}"),
    (
        "template variable",
        r"\{(?<![\w{]\{)(?:[a-z]+(?:_[a-z0-9]+)+|name|first|last|date|company|customer|"
        r"product|email|phone|address|amount|city|user|username|title)\}(?!\})",
    ),
    ("template variable", r"%\([a-z_]{2,40}\)s"),
    ("template variable", r"\b__[A-Z][A-Z0-9_]{2,40}__\b"),
    (
        "bracket placeholder",
        r"\[\s*(?i:insert|enter|fill in|your|placeholder|tbd|"
        r"todo)\b[^\[\]\n]{0,60}\](?!\()",
    ),
    (
        "bracket placeholder",
        r"\[\s*(?:[A-Z]{2,}[ _]){0,4}(?:NAME|DATE|ADDRESS|NUMBER|EMAIL|PHONE|TITLE|"
        r"AMOUNT|SIGNATURE|COMPANY|CITY|HERE|PRODUCT|ID|LINK|URL)\s*\](?!\()",
    ),
    ("bracket placeholder", rf"\[\s*(?:[A-Z][a-z']+\s+){{1,3}}{_SLOT_NOUNS}\s*\](?!\()"),
    ("bracket placeholder", rf"\[{_SLOT_LOWER}\](?!\()"),
    (
        "angle placeholder",
        r"<\s*(?:PLACEHOLDER|INSERT[ _A-Z]*|YOUR[ _][A-Z_ ]{2,40}|[A-Z]+_(?:NAME|ID|"
        r"HERE|DATE|NUMBER|ADDRESS|EMAIL|PHONE|AMOUNT|VALUE))\s*>",
    ),
    ("angle placeholder", r"<\s*(?i:insert|your|enter|add|placeholder)\b[^<>\n]{0,40}>"),
    (
        "placeholder token",
        r"\b(?:[A-Z]+_)*(?:NAME|DATE|ADDRESS|NUMBER|EMAIL|PHONE|KEY|TOKEN|ID|VALUE|"
        r"TEXT|LINK|URL|CONTENT|ANSWER)_HERE\b|\bXX/XX/XX(?:XX)?\b|"
        r"\bX{3,}-X{2,}-X{3,}\b",
    ),
    ("lorem ipsum", r"\b(?i:lorem ipsum|dolor sit amet)\b"),
    (
        "todo marker",
        r"\b(?:TODO|FIXME)\b(?=\s*[:\-\])]|\s*$)|^\s*(?:TODO|TBD|FIXME)\s*\.?\s*$|"
        r"(?<=[\"'])(?:TODO|TBD|FIXME|PLACEHOLDER)(?=[\"'])",
    ),
)
_KIND = {f"p{i}": kind for i, (kind, _) in enumerate(PATTERNS)}
#: Each pattern needs a literal that plain substring search finds at memchr speed; a text
#: only meets the patterns whose literal it contains.
#: Lorem ipsum's: its pattern ignores case, but no needle of other cases is looked for.
_LOREM_NEEDLES = ("orem", "OREM", "olor", "OLOR")
_NEEDLES: tuple[tuple[str, ...], ...] = (
    ("{",), ("{%",), ("${",), ("{",), ("%(",), ("__",), ("[",), ("[",), ("[",), ("[",),
    ("<",), ("<",), ("_HERE", "XX"), _LOREM_NEEDLES, ("TODO", "FIXME", "TBD", "PLACEHOLDER"),
)  # fmt: skip
_GROUPS: dict[tuple[str, ...], re.Pattern[str]] = {
    needles: re.compile(
        "|".join(f"(?P<p{i}>{PATTERNS[i][1]})" for i, n in enumerate(_NEEDLES) if n == needles)
    )
    for needles in dict.fromkeys(_NEEDLES)
}

#: Any needle at all: one scan rejects the text most are, before the per-group tests.
_ANY_NEEDLE = re.compile("|".join(re.escape(n) for n in dict.fromkeys(sum(_NEEDLES, ()))))


def _may_hold_lorem(text: str) -> bool:
    """False when lorem ipsum's pattern (``(?i:lorem ipsum|dolor sit amet)``) surely
    finds nothing in ``text``: its lower-case form holds neither "lorem" nor "dolor".
    Natural text holds its needles far more often ("color", "theorem") than lorem ipsum.
    Lower-cased as UTF-8 bytes (ASCII letters only, several times faster than
    ``str.lower``), which is exact here: no character but the ASCII letters themselves
    matches one of these letters ignoring case."""
    lower = text.encode("utf-8", "surrogatepass").lower()
    return b"lorem" in lower or b"dolor" in lower


#: The needles by the character of a sign (``checks.signs``) that each needs: a bracket or
#: other punctuation, a run of capitals, or lower-case letters (which signs do not keep).
_PUNCT_NEEDLES = screen(b"{[<%_$")
_CAPITAL_NEEDLES = re.compile(rb"XX|OREM|OLOR|TODO|FIXME|TBD|PLACEHOLDER")


def _may_hold_needle(text: str, sign: bytes) -> bool:
    """False when ``text`` (of :func:`~ftprep.checks.signs.sign_of` ``sign``) holds no
    needle: what ``_ANY_NEEDLE`` tells, from the sign but for two lower-case needles."""
    return (
        not _PUNCT_NEEDLES.isdisjoint(sign)
        or _CAPITAL_NEEDLES.search(sign) is not None
        or "orem" in text
        or "olor" in text
    )


def find_placeholders(text: str, sign: bytes | None = None) -> list[tuple[str, str]]:
    """(kind, placeholder) pairs found in the prose of ``text`` (code excluded), in order;
    ``sign``: the text's :func:`~ftprep.checks.signs.sign_of`, when known."""
    if sign is not None and not _may_hold_needle(text, sign):
        return []
    if not _ANY_NEEDLE.search(text):
        return []
    groups = [
        rx
        for needles, rx in _GROUPS.items()
        if any(n in text for n in needles) and (needles != _LOREM_NEEDLES or _may_hold_lorem(text))
    ]
    if not groups:
        return []
    prose = strip_code(text)
    found = sorted(
        (m.start(), _KIND[m.lastgroup or "p0"], m[0]) for rx in groups for m in rx.finditer(prose)
    )
    return [(kind, value) for _, kind, value in found]


_LOREM = re.compile(r"(?i:lorem ipsum|dolor sit amet)")
_MATERIAL_WORDS = 8


def _given_as_material(text: str) -> bool:
    """True when lorem ipsum in a user turn is the material of a real instruction ("count
    the words in 'Lorem ipsum…'"), not the whole prompt: enough words come before it."""
    m = _LOREM.search(text)
    return m is not None and len(text[: m.start()].split()) >= _MATERIAL_WORDS


@example_check(
    "clean.placeholder", "clean", "warning", "{count} examples contain unfilled placeholders"
)
def placeholder(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Text contains an unfilled template placeholder.

    What: template syntax left in the text instead of a value — `{{name}}`, `{% if %}`,
    `${var}`, `{customer_name}`, `%(name)s`, `__NAME__`, `[INSERT DATE]`, `[Your Name]`,
    `<PLACEHOLDER>`, `<CUSTOMER_NAME>`, `<insert link>`, `XX/XX/XXXX`, lorem ipsum, and
    TODO/FIXME/TBD markers — in any turn, outside code blocks and inline code (a Jinja
    answer legitimately contains `{{ }}`). In an assistant turn, a placeholder that already
    appears in the prompt (the user asked about it) is not flagged, nor is lorem ipsum that
    a user turn hands over as material after a real instruction ("How many words are in
    'Lorem ipsum dolor…'?").
    Why: a generation or mail-merge step that failed leaves slots unfilled; the model then
    learns to answer with `[Customer Name]` instead of using the conversation's details,
    or to emit filler text.
    Threshold: any placeholder.
    Fix: fill the slots from the source data or drop the example. If the assistant is meant
    to produce templates (e.g. drafting letters with `[Your Name]`), switch this check off.
    """
    found = placeholders_in(turns_of(ex), settings)
    if found:
        yield found


def placeholders_in(
    turns: Turns, settings: CheckSettings, signs: Sequence[bytes | None] | None = None
) -> str | None:
    """``clean.placeholder``'s detail for a conversation's ``(role, text)`` turns
    (``signs``: their signs, when known), or None."""
    prompt = ""
    details: list[str] = []
    for i, (role, text) in enumerate(turns, start=1):
        if not text:
            continue
        found = find_placeholders(text, None if signs is None else signs[i - 1])
        if role != "assistant":
            prompt += "\n" + text
        if not found:
            continue
        if role == "user" and any(k == "lorem ipsum" for k, _ in found):
            found = [f for f in found if f[0] != "lorem ipsum" or not _given_as_material(text)]
        if role == "assistant":
            found = [f for f in found if f[1] not in prompt]
        details += [f"{k} '{v[:40]}' in message {i} ({role})" for k, v in dict.fromkeys(found)]
    return "; ".join(details) if details else None


def _row_sign(batch: CheckBatch, row: int) -> bytes:
    """The sign of ``row``'s texts: the shared one, or for a row with non-ASCII text the
    sign of its ASCII characters, texts joined by NUL (``signs.ascii_sign_of``: every
    needle is ASCII)."""
    sign = batch.row_signs[row]
    return ascii_sign_of("\0".join(batch.texts[row])) if sign is None else sign


def _lorem_row(batch: CheckBatch, row: int) -> bool:
    """Whether a text of ``row`` holds one of lorem ipsum's needles and may hold lorem
    ipsum (:func:`_may_hold_lorem`)."""
    texts = batch.texts[row]
    if not any("orem" in text or "olor" in text for text in texts):
        return False
    return any(map(_may_hold_lorem, texts))


def _clean_row(batch: CheckBatch, row: int) -> bool:
    """No needle in any text of the row, or only lorem ipsum's where it cannot be: no
    placeholder to find."""
    sign = _row_sign(batch, row)
    if not _PUNCT_NEEDLES.isdisjoint(sign) or _CAPITAL_NEEDLES.search(sign):
        return False
    return not _lorem_row(batch, row)


#: What :func:`_clean_row` looks for in a row's sign, as one pattern (no space: signs hold
#: none, so signs joined by spaces are searched at once and a match never spans two).
_SIGN_NEEDLES = re.compile(rb"[{\[<%_$]|" + _CAPITAL_NEEDLES.pattern)


def _suspects(batch: CheckBatch, rows: list[int]) -> set[int]:
    """The rows of ``rows`` that :func:`_clean_row` does not find clean, asked of all of
    them at once: their signs joined and searched, then the texts of the ASCII rows left
    joined (by NUL, which no needle holds) and searched for the two lower-case needles,
    where a match lies worked out only when there is one; a row with non-ASCII text is
    searched by itself (joined with the others, it would make a string of four bytes a
    character). A row holding a needle is asked whether it may hold lorem ipsum at all."""
    row_signs, texts_of = batch.row_signs, batch.texts
    signs: list[bytes] = []
    others: list[int] = []  # the rows with non-ASCII text
    for row in rows:
        if row_signs[row] is None:
            others.append(row)
        signs.append(_row_sign(batch, row))
    suspects: set[int] = set()
    joined = b" ".join(signs)
    starts: list[int] = []
    for m in _SIGN_NEEDLES.finditer(joined):
        starts = starts or list(accumulate([len(sign) + 1 for sign in signs], initial=0))
        suspects.add(rows[bisect_right(starts, m.start()) - 1])
    for row in others:
        if row not in suspects and _lorem_row(batch, row):
            suspects.add(row)
    rows = [row for row in rows if row_signs[row] is not None]
    rows = [row for row in rows if row not in suspects] if suspects else rows
    text = "\0".join(chain.from_iterable(map(texts_of.__getitem__, rows)))
    firsts: list[int] = []
    for needle in ("orem", "olor"):
        pos = text.find(needle)
        while pos >= 0:
            if not firsts:  # where each row's texts start in ``text``
                counts = [sum(map(len, texts_of[row])) + len(texts_of[row]) for row in rows]
                firsts = list(accumulate(counts, initial=0))
            k = bisect_right(firsts, pos) - 1
            if rows[k] not in suspects and _lorem_row(batch, rows[k]):
                suspects.add(rows[k])
            pos = text.find(needle, firsts[k + 1])
    return suspects


@batch_form("clean.placeholder")
def placeholder_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``clean.placeholder`` on the batch's shared texts and signs: :func:`placeholders_in`
    on the rows :func:`_clean_row` does not rule out (:func:`_suspects`, all at once)."""
    rows = batch.rows(REGISTRY["clean.placeholder"].kinds)
    suspects = _suspects(batch, rows)
    turns = batch.turns
    for row in rows:
        if row in suspects:
            found = placeholders_in(turns[row], settings, batch.signs(row))
            if found is not None:
                yield row, found

"""Missing input: an instruction that points at a text, list or link that is not there.

"Summarize the following article." with no article, "Find the longest word in the given
sentence." with no sentence: the instruction's ``input`` field was lost (an empty CSV cell, a
generator that dropped it), and the answer was made up without it. A reference counts as
answered when content follows it (a colon, a new line, a quote, a list, or a real clause);
"this …" and "the above …" may also point back to earlier text in the turn. Only the
opening prompt is read: later in a conversation "this paragraph" means the previous answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from ftprep.checks.base import CheckSettings, batch_form, example_check
from ftprep.checks.batch_view import CheckBatch, Turns, turns_of
from ftprep.checks.prose import strip_code
from ftprep.schema import ChatExample
from ftprep.similarity.normalize import media_key

_NOUN = (
    r"(?:text|texts|sentences?|paragraphs?|passages?|articles?|excerpts?|input|data|dataset"
    r"|list|array|string|code|snippet|program|function|poem|story|e-?mail|letter|message"
    r"|document|review|statement|table|numbers|urls?|links?|web ?page|webpage|website|tweet"
    r"|essay|conversation|dialogu?e|transcript|equation|expression|phrase|content|recipe"
    r"|query|json|csv|xml|html|sql|scenario|description|report|abstract|quote|lyrics|memo"
    r"|file|image|photo|picture|chart|graph|song|speech|argument|claim|matrix|values|post"
    r"|comment|headline|words|items|options|choices|sequence|series|set of \w+|pair of \w+"
    r"|invoice|receipt|contract|clause|agreement|note|form|bill|resume|cv|log|error"
    r"|screenshot|spreadsheet|question|problem|riddle|poem|lines?)"
)
#: (direction, keys, pattern) on lower-cased text: "after" — the referent must follow;
#: "either" — it may also precede. A pattern runs only when one of its keys is in the text.
_REFS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    # the few words naming the material stay on the reference's line: what follows a new
    # line is the material itself ("Arrange the following notes\nG, B, E")
    ("after", ("following",), re.compile(r"\b(?:the|these|this) following\b(?:[ \t]+[\w-]+){0,3}")),
    ("after", ("below",), re.compile(rf"\b{_NOUN}\s+(?:below|provided below|given below)\b")),
    ("after", ("follows", "below"), re.compile(r"\b(?:as follows|below)\s*[:.]?\s*\Z")),
    (
        "after",
        ("given", "provided", "attached", "enclosed", "included", "supplied"),
        re.compile(
            rf"\bthe (?:given|provided|attached|enclosed|included|supplied)\s+(?:[\w-]+\s+)"
            rf"{{0,2}}?{_NOUN}\b"
        ),
    ),
    (
        "either",
        ("this ", "these "),
        re.compile(rf"\b(?:this|these)\s+(?:[\w-]+\s+){{0,1}}?{_NOUN}\b"),
    ),
    (
        "either",
        ("above", "previous"),
        re.compile(rf"\bthe (?:above|previous)\s+(?:[\w-]+\s+){{0,1}}?{_NOUN}\b"),
    ),
    ("either", ("above",), re.compile(rf"\b{_NOUN}\s+above\b")),
)
#: The words a match of each of these patterns begins with (``\b`` comes before them,
#: which ``Pattern.match`` at a position checks as a search does), or None, per pattern
#: of ``_REFS`` in order: natural text says "this" and "the" in most prompts, and asking
#: the pattern only where a reference may begin spares running it over the whole text.
#: (Not a dict keyed by pattern: a compiled pattern hashes its whole source every time.)
_STARTS: tuple[tuple[str, ...] | None, ...] = (
    ("the following", "these following", "this following"),
    None,
    None,
    tuple(f"the {word}" for word in _REFS[3][1]),
    ("this", "these"),
    ("the above", "the previous"),
    None,
)
_REFS_AND_HEADS = tuple(zip(_REFS, _STARTS, strict=True))


def _matches_at(rx: re.Pattern[str], text: str, heads: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` for a pattern each match of which begins with one of
    ``heads``: the pattern is tried only where one begins (found at memchr speed), and
    as ``finditer`` would, from the end of the last match on."""
    starts: set[int] = set()
    for head in heads:
        pos = text.find(head)
        while pos >= 0:
            starts.add(pos)
            pos = text.find(head, pos + 1)
    end = 0
    for pos in sorted(starts):
        if pos >= end and (m := rx.match(text, pos)) is not None:
            yield m
            end = m.end()


#: Commonest first: the screen stops at the first one found.
_SCREEN = ("this ", "following", "given", "these ", "below", "above", "provided", "previous",
           "follows", "attached", "included", "enclosed", "supplied")  # fmt: skip
#: Content after the reference: a colon, a new line, a quote or bracket, then something.
_CONTENT = re.compile(r"\b[\w-]+\.[a-z]{2,4}\b|[:\n\"'“‘«\[{(<]\s*\S|\d|https?://|www\.")
_WORD = re.compile(r"[^\W\d_]+")
_AFTER_WORDS = 12
_BEFORE_WORDS = 12


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def find_missing_reference(prompt: str) -> str | None:
    """The phrase of ``prompt`` that refers to an input that is not there, or None."""
    lower = prompt.lower()
    for key in _SCREEN:
        if key in lower:
            break
    else:
        return None
    text = strip_code(lower).rstrip()
    for (direction, keys, rx), heads in _REFS_AND_HEADS:
        for key in keys:  # a loop, not any() over a generator: half the cost
            if key in text:
                break
        else:
            continue
        for m in rx.finditer(text) if heads is None else _matches_at(rx, text, heads):
            after = text[m.end() :]
            if _CONTENT.search(after) or _words(after) >= _AFTER_WORDS:
                continue
            if direction == "either":
                before = text[: m.start()]
                if _CONTENT.search(before) or _words(before) >= _BEFORE_WORDS:
                    continue
            return " ".join(m[0].split())
    return None


@example_check(
    "clean.missing_input",
    "clean",
    "warning",
    "{count} instructions refer to an input that is missing",
)
def missing_input(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Instruction refers to an input that is not there.

    What: the opening user turn (before any assistant turn) refers to material — "the
    following article", "the given sentence", "the text below", "this paragraph", "the
    above list" — and nothing follows it (no colon, new line, quote, list, link or number,
    and fewer than twelve more words) nor, for "this …"/"the above …", comes before it.
    "A given number" (a generic task), references answered in the turn, and examples that
    carry images, video or audio (the media are the input) are left alone.
    Why: the input field was lost on the way (an empty column, a generator that dropped
    it); the answer was written without it, so the model learns to invent the material it
    was supposed to read.
    Threshold: any dangling reference.
    Fix: restore the input from the source data, or drop the example.
    """
    found = missing_reference_in(turns_of(ex))
    # "describe this image": the image is the input, beside the text (asked only now:
    # rendering the media is dearer than the reference search)
    if found and not media_key(ex):
        yield found


def missing_reference_in(turns: Turns) -> str | None:
    """``clean.missing_input``'s detail for a conversation's ``(role, text)`` turns, media
    aside: the first dangling reference of the opening user turns."""
    for i, (role, text) in enumerate(turns, start=1):
        if role == "assistant":
            return None
        if role != "user" or not text:
            continue
        found = find_missing_reference(text)
        if found:
            return f"message {i}: '{found[:60]}' but nothing follows"
    return None


#: ASCII bytes lower-cased, every other byte kept (a ``bytes.translate`` table).
_ASCII_LOWER = bytes(b + 32 if 0x41 <= b <= 0x5A else b for b in range(256))
#: The first four bytes of each of ``_SCREEN`` as a little-endian number (every key is
#: at least four characters long), and 2**16 booleans true at the hash of each: one
#: lookup rules out nearly every place of a text.
_HEADS = np.unique(
    np.array([int.from_bytes(k[:4].encode("ascii"), "little") for k in _SCREEN], np.uint32)
)
_MIX = np.uint32(0x9E3779B1)
_HEAD_HASHES = np.zeros(1 << 16, dtype=bool)
_HEAD_HASHES[(_HEADS * _MIX) >> np.uint32(16)] = True
#: The first eight bytes (at most) of each key, as numbers, by the mask of their length.
_PREFIXES: dict[int, np.ndarray] = {}
for _key in _SCREEN:
    _start = _key[:8].encode("ascii")
    _mask = (1 << (8 * len(_start))) - 1
    _PREFIXES[_mask] = np.union1d(
        _PREFIXES.get(_mask, np.zeros(0, np.uint64)),
        np.array([int.from_bytes(_start, "little")], np.uint64),
    )


def _without_keys(texts: list[str]) -> list[bool]:
    """Per text: True when it surely holds none of ``_SCREEN`` once lower-cased (then
    :func:`find_missing_reference` finds nothing in it).

    The texts are read together as UTF-8 joined by 0xFF (a byte UTF-8 never holds), their
    ASCII letters lower-cased: every key is ASCII, and the only characters ``str.lower``
    makes ASCII letters of (KELVIN SIGN to "k"; "İ" to "i" and a combining dot, which no
    key can go on from) never complete one, so a key of the lower-cased text is a key of
    these bytes. Every four bytes there make a number; the places where it is the head
    of a key (a table lookup, then a search among ``_HEADS``) are asked for the key's
    first eight bytes.
    """
    parts = [text.encode("utf-8", "surrogatepass") for text in texts]
    data = b"\xff".join(parts).translate(_ASCII_LOWER) + b"\xff" * 8
    fours = np.ndarray((len(data) - 3,), dtype="<u4", buffer=data, strides=(1,))
    at = np.flatnonzero(_HEAD_HASHES[(fours * _MIX) >> np.uint32(16)])
    at = at[np.isin(fours[at], _HEADS)]
    if not len(at):
        return [True] * len(texts)
    eights = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))[at]
    found = np.zeros(len(at), dtype=bool)
    for mask, prefixes in _PREFIXES.items():
        found |= np.isin(eights & np.uint64(mask), prefixes)
    firsts = np.cumsum([0] + [len(part) + 1 for part in parts[:-1]])
    held = set((np.searchsorted(firsts, at[found], side="right") - 1).tolist())
    return [k not in held for k in range(len(texts))]


def _opening_users(roles: tuple[str, ...]) -> tuple[int, ...]:
    """Where the user turns before the first assistant turn are in ``roles``: the turns
    :func:`missing_reference_in` reads."""
    at: list[int] = []
    for i, role in enumerate(roles):
        if role == "assistant":
            break
        if role == "user":
            at.append(i)
    return tuple(at)


@batch_form("clean.missing_input")
def missing_input_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``clean.missing_input`` on the batch's shared texts: :func:`missing_reference_in`
    on the rows whose opening prompts may hold one of ``_SCREEN`` (asked of all the
    batch's opening prompts at once, :func:`_without_keys`)."""
    turns, roles, texts = batch.turns, batch.roles, batch.texts
    owners: list[int] = []
    prompts: list[str] = []
    openings: dict[tuple[str, ...], tuple[int, ...]] = {}  # a batch holds a few role orders
    for row in batch.rows(("chat",)):
        at = openings.get(roles[row])
        if at is None:
            at = openings[roles[row]] = _opening_users(roles[row])
        for i in at:
            text = texts[row][i]
            if text:
                owners.append(row)
                prompts.append(text)
    suspects = dict.fromkeys(
        row for row, clean in zip(owners, _without_keys(prompts), strict=True) if not clean
    )
    for row in suspects:
        found = missing_reference_in(turns[row])
        if found and not media_key(batch.target(row)):  # type: ignore[arg-type]
            yield row, found

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
    if not any(k in lower for k in _SCREEN):
        return None
    text = strip_code(lower).rstrip()
    for direction, keys, rx in _REFS:
        if not any(k in text for k in keys):
            continue
        for m in rx.finditer(text):
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


@batch_form("clean.missing_input")
def missing_input_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``clean.missing_input`` on the batch's shared texts."""
    turns = batch.turns
    for row in batch.rows(("chat",)):
        found = missing_reference_in(turns[row])
        if found and not media_key(batch.target(row)):  # type: ignore[arg-type]
            yield row, found

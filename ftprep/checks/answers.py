"""The shape of assistant answers, computed once per example while the data streams.

One pass over each answer yields what several dataset checks compare across the set: its
format (plain, markdown, fenced code, JSON, fenced JSON, broken JSON), the key set of a JSON
object, a label candidate for short classification-style answers, and how the answer ends
(terminal punctuation, a structure such as a list or code block, mid-sentence, on a
dangling word, or visibly broken: an unclosed code fence or JSON cut off), and whether the
final answer starts mid-word or mid-sentence. Everything is a
small integer, a hash or a short masked string, so the table stays compact.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, compress, repeat
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from ftprep.checks.dataset import first_excerpts, remember_once
from ftprep.checks.prose import fence_count, word_set
from ftprep.features import FeatureContext, register_feature
from ftprep.masking import excerpt
from ftprep.schema import ChatExample
from ftprep.similarity.normalize import hash64
from ftprep.turns import batch_turns

# Answer formats.
NONE, PLAIN, MARKDOWN, FENCED, JSON, JSON_FENCED, JSON_INVALID = range(7)
FORMAT_NAMES = ("none", "plain", "markdown", "code", "json", "fenced json", "invalid json")
# How an answer ends, from harmless to broken.
E_NONE, E_TERMINAL, E_STRUCTURED, E_SHORT, E_OPEN, E_DANGLING, E_BROKEN = range(7)

LABEL_MAX_CHARS = 40
LABEL_MAX_WORDS = 4

_JSON_FENCE = re.compile(r"\A\s*```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)\n?[ \t]*```\s*\Z", re.S)
# Bold is `**text**` opening at a word start and closing at a word end: `3**2 + 4**2`
# (Python's power operator) and `a ** b` are not markdown.
_MARKDOWN = re.compile(
    r"^#{1,6}[ \t]+\S|(?<![\w*])\*\*(?=[^\s*])[^*\n]*?[^\s*]\*\*(?![\w*])"
    r"|^[ \t]*\|.*\|[ \t]*$|\[[^\]\n]+\]\((?:https?://|/|#)",
    re.M,
)


def _may_be_markdown(text: str) -> bool:
    """False when ``_MARKDOWN`` cannot match: each alternative holds one of these literals
    ("#" a heading, "**" bold, "|" a table row, "](" a link), and substring search costs
    far less than trying the alternatives at every position."""
    return "#" in text or "**" in text or "|" in text or "](" in text


_TERMINAL = frozenset(".!?…。！？؟")
_CLOSERS = "\"'”’»)]}*_`>"
_DANGLING_MARKS = frozenset(",;:-–—(/&+=\\")
_DANGLING_WORDS = word_set(
    "the a an and or but nor of to with for from that which who whose because your my our "
    "their its is are was were will would can could should than if as by at into such "
    "including please whether while although"
)
_LABEL_LINE = re.compile(r"^[A-Z][\w'’ -]{0,30}:\s+\S")
_LIST_LINE = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S|^\s*\||^\s*#{1,6}\s")
_CODE_LINE = re.compile(
    r"^\s{2,}\S|[;{}]\s*$|^\s*(?:def|class|import|from|return|if|elif|else|for|while|function"
    r"|const|let|var|#include|public|private|SELECT|FROM|WHERE)\b"
)
_BRACKET_PROSE = re.compile(r"\[\s*(?:[^\s\[\]{}\"'0-9tfn-]|\d+\s*\]\s*[^\s,\]])")
_URL_END = re.compile(r"(?:https?://|www\.)\S+$")
#: What follows a sign-off's comma: at most three pieces of 1-60 characters, a piece
#: ending a line or not (``(?:[^\n]{1,60}\n?){1,3}``), i.e. one to three non-empty lines
#: whose lengths need at most three 60-character pieces in all. Written out line by line:
#: the nested form has many ways to cut a long line into pieces, and a search that fails
#: (most answers) tried them all (~0.36 ms a tail on natural answers).
_SIGNATURE = (
    r"(?:[^\n]{1,180}|[^\n]{1,60}\n[^\n]{1,120}|[^\n]{61,120}\n[^\n]{1,60}"
    r"|[^\n]{1,60}\n[^\n]{1,60}\n[^\n]{1,60})\n?"
)
#: Complete endings without a full stop: a letter's sign-off ("Yours sincerely, Jane",
#: "Best regards,\nAnna"), an attribution ("— Mark Twain", "- Harry"), a hashtag, a number
#: or a unit, and a tool call whose result the runtime fills in ("… is python('…') Celsius").
_SIGN_OFF = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:(?:yours|sincerely|regards|best|cheers|love|respectfully"
    r"|faithfully|cordially|warmly|affectionately|fondly|thanks|thank you|with|forever|until"
    r"|your|all the best|kind regards|warm regards|many thanks|see you|take care|god bless"
    r"|hugs|peace|ever)\b[^\n.!?]{0,50}),\s*" + _SIGNATURE + r"\Z",
    re.I,
)
_ATTRIBUTION = re.compile(r"(?:^|\s)[-–—~]{1,2}\s*[A-Z\[][^\n.!?]{0,60}\Z")
_HASHTAG_END = re.compile(r"(?:#\w+\s*)+\Z")
_NUMBER_END = re.compile(r"\d[\d,.]*\s*(?:%|[a-zA-Z°]{0,12})\Z")
_TOOL_CALL = re.compile(r"\b[a-z_]\w*\(\s*['\"][^\n]*['\"]\s*\)")


def parse_json(text: str) -> tuple[int, Any, bool]:
    """(format, parsed value or None, truncated?) for an answer that looks like JSON.

    Returns (PLAIN, None, False) when the text does not look like JSON at all.
    """
    body = text.strip()
    fmt_ok = JSON
    if body.startswith("```"):
        m = _JSON_FENCE.match(body)
        if m is None:
            return PLAIN, None, False
        body, fmt_ok = m[1].strip(), JSON_FENCED
    if not body or body[0] not in "{[":
        return PLAIN, None, False
    if body[0] == "[" and _BRACKET_PROSE.match(body):
        return PLAIN, None, False  # "[1] The court held…", "[Note] …" are prose
    try:
        return fmt_ok, json.loads(body), False
    except json.JSONDecodeError as exc:
        truncated = exc.msg.startswith("Unterminated string") or exc.pos >= len(body) - 1
        return JSON_INVALID, None, truncated or _open_depth(body) > 0


def _open_depth(text: str) -> int:
    """Brackets still open at the end of a JSON-like text (strings skipped)."""
    depth, in_str, esc = 0, False, False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth + (1 if in_str else 0)


def answer_format(text: str) -> tuple[int, Any, bool]:
    """(format, parsed JSON or None, JSON truncated?) of one answer."""
    if not text.strip():
        return NONE, None, False
    fmt, value, truncated = parse_json(text)
    if fmt != PLAIN:
        return fmt, value, truncated
    if fence_count(text):
        return FENCED, None, False
    if _may_be_markdown(text) and _MARKDOWN.search(text):
        return MARKDOWN, None, False
    return PLAIN, None, False


def _quotes_unbalanced(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") != text.count("”")


def _brackets_open(text: str) -> bool:
    opened = text.count("(") - text.count(":(") - text.count(";(")
    return opened > text.count(")") or text.count("[") > text.count("]")


def _looks_like_code(lines: list[str]) -> bool:
    code = sum(1 for ln in lines if _CODE_LINE.search(ln))
    return len(lines) >= 2 and code * 2 >= len(lines)


def ending(text: str, fmt: int | None = None, truncated: bool = False) -> int:
    """How ``text`` ends: one of the ``E_*`` classes."""
    t = text.rstrip()
    if not t:
        return E_NONE
    if fmt is None:
        fmt, _, truncated = answer_format(t)
    if fence_count(t) % 2 == 1 or truncated:
        return E_BROKEN
    if fmt in (JSON, JSON_FENCED, JSON_INVALID):
        return E_STRUCTURED
    lines = t.splitlines()
    last_line = lines[-1].strip()
    if last_line.startswith(("```", "~~~")):
        return E_STRUCTURED
    core = t.rstrip(_CLOSERS + " ")
    if core and core[-1] in _TERMINAL:
        return E_TERMINAL
    last = t[-1]
    if unicodedata.category(last) in ("So", "Sk"):
        return E_TERMINAL
    words = t.split()
    if len(lines) == 1 and len(words) <= LABEL_MAX_WORDS:
        return E_SHORT
    if _looks_like_code(lines):
        return E_STRUCTURED
    if last in _CLOSERS:
        return E_STRUCTURED if not _quotes_unbalanced(t) else E_DANGLING
    if last in _DANGLING_MARKS:
        return E_DANGLING
    last_word = words[-1].lower().strip(_CLOSERS)
    if last_word in _DANGLING_WORDS:
        return E_DANGLING
    if _URL_END.search(last_line):
        return E_STRUCTURED
    if _LIST_LINE.match(last_line):
        return E_STRUCTURED
    if _complete_without_stop(t, lines, last_line):
        return E_TERMINAL
    if _brackets_open(t) or _quotes_unbalanced(t):
        return E_DANGLING
    if _LIST_LINE.match(last_line):
        return E_STRUCTURED
    return E_OPEN


def _complete_without_stop(text: str, lines: list[str], last_line: str) -> bool:
    """True when ``text`` ends in a form that is complete without terminal punctuation: a
    sign-off, an attribution, a hashtag, a number, a tool call, verse or a list of
    "Label: text" lines."""
    tail = text[-200:]
    if _SIGN_OFF.search(tail) or _ATTRIBUTION.search(last_line):
        return True
    if _HASHTAG_END.search(last_line) or _NUMBER_END.search(last_line):
        return True
    if _TOOL_CALL.search(last_line):
        return True
    body = [ln.strip() for ln in lines if ln.strip()]
    if len(body) >= 3 and all(len(ln) <= 80 for ln in body):
        return True  # verse, an itinerary, a list of short lines
    return len(body) >= 2 and all(_LABEL_LINE.match(ln) for ln in body[-2:])


#: First words that show an answer starting in the middle of a word ("ing the report…") or
#: of a sentence ("and then restart…"), lower-case as the cut leaves them.
_FRAGMENT_STARTS = word_set(
    "ing ings tion tions sion ed ly ment ments ness er ers est ity ies ous ive al able ible "
    "ance ence ation ations ure ent ant ism ist ists"
)
_CONTINUATION_STARTS = word_set(
    "and but or nor because which whom whose while although though whereas of than"
)
_COMPLETION_PROMPT = re.compile(
    r"\b(?:complete|continue|finish|fill in|fill the|next word|rest of|autocomplete)\b", re.I
)
#: The words :data:`_COMPLETION_PROMPT` needs, lower-case: an ASCII prompt whose lower-case
#: text holds none of them cannot match it (a case-blind match of ASCII text is a match
#: of its lower case), and a search for literals skips ahead where a case-blind
#: alternation opening with ``\b`` tries every position (~8 µs for a natural prompt).
_COMPLETION_WORDS = (
    "complete",
    "continue",
    "finish",
    "fill in",
    "fill the",
    "next word",
    "rest of",
)
_FIRST_WORD = re.compile(r"\s*([a-z]+)\b")
_LATER_CAPITAL = re.compile(r"[.!?]\s+[A-Z]")
_NAME_WITH_VERSION = re.compile(r"\s*[a-z]+\d*\s+(?:v?\d+\.\d|--?[a-z])")


def starts_mid(text: str, prompt: str = "") -> bool:
    """True when prose ``text`` starts in the middle of a word or sentence: a lower-case
    word fragment ("ing", "tion"), a conjunction that continues something ("and", "which"),
    or any lower-case first word in a text whose later sentences start with a capital,
    unless the prompt asks to complete or continue a text or itself ends mid-sentence (or
    trails off with "…", inviting the continuation)."""
    m = _FIRST_WORD.match(text)
    if m is None:
        return False
    word = m[1]
    if word not in _FRAGMENT_STARTS and word not in _CONTINUATION_STARTS:
        if not _LATER_CAPITAL.search(text):
            return False  # all lower-case writing is a style, not a cut
        if _NAME_WITH_VERSION.match(text):
            return False  # a tool written in lower case: "npm 10.2 ships with…", "python3 -m"
    after = text.lstrip()[len(word) : len(word) + 1]
    if (
        # (no more than LABEL_MAX_WORDS words: split no further than one word past them)
        len(text.split(None, LABEL_MAX_WORDS)) <= LABEL_MAX_WORDS
        or after in "(_-0123456789"
        or (
            after == "." and len(word) <= 2  # "e.g.", "i.e."
        )
    ):
        return False
    tail = prompt.rstrip()
    ends_open = bool(tail) and (tail[-1] not in ".!?:)\"'*`>" or tail.endswith(("...", "…")))
    return not (ends_open or _asks_completion(prompt))


def _asks_completion(prompt: str) -> bool:
    """Whether ``prompt`` asks to complete or continue a text (:data:`_COMPLETION_PROMPT`),
    an ASCII prompt screened first by the words the pattern needs."""
    if prompt.isascii():
        low = prompt.lower()
        if not any(map(low.__contains__, _COMPLETION_WORDS)):
            return False
    return _COMPLETION_PROMPT.search(prompt) is not None


def label_candidate(text: str, fmt: int) -> str | None:
    """The answer as a label when it is short enough to be a class name (masked)."""
    t = text.strip()
    if fmt != PLAIN or not t or len(t) > LABEL_MAX_CHARS or "\n" in t:
        return None
    if len(t.split()) > LABEL_MAX_WORDS:
        return None
    return excerpt(t, LABEL_MAX_CHARS)


def json_key_set(value: Any) -> tuple[int, str | None]:
    """(hash of the sorted top-level keys, their names) of a JSON object; (0, None) otherwise."""
    if not isinstance(value, dict):
        return 0, None
    keys = sorted(str(k) for k in value)
    return hash64("\x1f".join(keys)) or 1, ", ".join(keys)


@register_feature(
    "answer_shape",
    (
        "answer_format",
        "json_keys",
        "json_keys_text",
        "label_candidate",
        "answer_end",
        "answer_end_worst",
        "answer_end_message",
        "answer_start_mid",
    ),
    gather=first_excerpts("json_keys_text", "json_keys"),
)
def answer_shape_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Format, JSON key set, label candidate and ending of the answers of each example.

    Most answers are plain prose ending in a full stop: :func:`_plain_prose` finds them for
    the whole batch (none of the characters any other format needs), and their format,
    ending, label and start follow from a few string operations mapped over the batch. The
    other answers, and prose ending any other way, run :func:`answer_format` and
    :func:`ending` as before."""
    n = len(batch)
    fmt_col = np.zeros(n, dtype=np.int8)
    keys_col = np.zeros(n, dtype=np.uint64)
    end_col = np.zeros(n, dtype=np.int8)
    worst_col = np.zeros(n, dtype=np.int8)
    worst_msg = np.zeros(n, dtype=np.int16)
    keys_text: list[str | None] = [None] * n
    labels: list[str | None] = [None] * n
    start_mid = np.zeros(n, dtype=bool)
    turns = batch_turns(batch, ctx.batch)
    # every assistant message with text, example after example, in order
    owners: list[int] = []
    positions: list[int] = []
    texts: list[str] = []
    finals: list[int] = []  # index in ``texts`` of each example's final answer
    for i, (roles, msgs, last, kind) in enumerate(
        zip(turns.roles, turns.texts, turns.last, map(attrgetter("kind"), batch), strict=True)
    ):
        if last is None or kind == "text":  # a pretraining document is not an answer
            continue
        if roles.count("assistant") == 1:
            if msgs[last]:
                finals.append(len(texts))
                owners.append(i)
                positions.append(last)
                texts.append(msgs[last])
            continue
        for j, text in enumerate(msgs):
            if roles[j] == "assistant" and text:
                if j == last:
                    finals.append(len(texts))
                owners.append(i)
                positions.append(j)
                texts.append(text)
    if not texts:
        return _shape_columns(
            fmt_col, keys_col, keys_text, labels, end_col, worst_col, worst_msg, start_mid
        )
    stripped = list(map(str.strip, texts))
    plain = _plain_prose(texts, stripped)
    cores = map(str.rstrip, map(str.rstrip, texts), repeat(_CLOSERS + " "))
    ends = np.fromiter(
        map(_TERMINAL.__contains__, map(itemgetter(slice(-1, None)), cores)),
        dtype=np.int8,
        count=len(texts),
    )
    ends *= plain  # E_TERMINAL (1) where plain prose ends in terminal punctuation
    is_final = np.zeros(len(texts), dtype=bool)
    is_final[finals] = True
    for k in np.flatnonzero(ends == E_NONE).tolist():
        text = texts[k]
        if plain[k]:
            end = ending(text, PLAIN, False)
        elif is_final[k]:
            fmt, value, truncated = answer_format(text)
            end = ending(text, fmt, truncated)
            i = owners[k]
            fmt_col[i] = fmt
            key, names = json_key_set(value)
            keys_col[i] = key
            if names is not None and remember_once(ctx, "json_keys", key):
                keys_text[i] = excerpt(names, 200)
        else:
            end = ending(text)
        ends[k] = end
    final_rows = np.asarray(owners, dtype=np.int64)[finals]
    fmt_col[final_rows[plain[finals]]] = PLAIN
    final_fmts = fmt_col[final_rows].tolist()
    for k, fmt in zip(finals, final_fmts, strict=True):
        if len(stripped[k]) <= LABEL_MAX_CHARS:
            labels[owners[k]] = label_candidate(texts[k], fmt)
    # an answer starting in lower case, after a user turn, in plain text or markdown
    lower = map(_LOWER.__contains__, map(itemgetter(slice(0, 1)), stripped))
    lowered = np.fromiter(lower, dtype=bool, count=len(texts))[finals]
    for k, fmt in compress(zip(finals, final_fmts, strict=True), lowered.tolist()):
        i, j = owners[k], positions[k]
        if fmt in (PLAIN, MARKDOWN) and j and turns.roles[i][j - 1] == "user":
            start_mid[i] = starts_mid(texts[k], turns.texts[i][j - 1])
    end_col[[owners[k] for k in finals]] = ends[finals]
    _worst_endings(np.asarray(owners), np.asarray(positions), ends, worst_col, worst_msg)
    return _shape_columns(
        fmt_col, keys_col, keys_text, labels, end_col, worst_col, worst_msg, start_mid
    )


#: Characters every answer format but plain prose needs: a code fence (``` or ~~~), a
#: markdown heading, bold or table row, a link's "](" (JSON starts with "{" or "[").
_SHAPING = "`~#*|]"
#: First characters of an answer :func:`starts_mid` may find cut (``_FIRST_WORD``).
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


def _plain_prose(texts: list[str], stripped: list[str]) -> np.ndarray:
    """Which texts :func:`answer_format` surely finds plain, with no fence for
    :func:`ending`: not blank, not starting with "{" or "[", and holding none of
    :data:`_SHAPING` (looked for in the joined texts: a text found, the search goes on
    at the next text)."""
    m = len(texts)
    plain = np.fromiter(map(bool, stripped), dtype=bool, count=m)
    plain &= ~np.fromiter(map(str.startswith, stripped, repeat(("{", "["))), dtype=bool, count=m)
    joined = "\0".join(texts)
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
    for char in _SHAPING:
        pos = joined.find(char)
        while pos >= 0:
            k = bisect_right(starts, pos) - 1
            plain[k] = False
            pos = joined.find(char, starts[k + 1])
    return plain


def _worst_endings(
    owners: np.ndarray, positions: np.ndarray, ends: np.ndarray, worst: np.ndarray, at: np.ndarray
) -> None:
    """Each example's worst ending among its answers and the (1-based) message holding the
    first of them (none for examples whose answers all end well, E_NONE)."""
    row_worst = np.zeros(len(worst), dtype=np.int8)
    np.maximum.at(row_worst, owners, ends)
    hit = np.flatnonzero((ends == row_worst[owners]) & (ends > E_NONE))
    rows, first = np.unique(owners[hit], return_index=True)
    worst[rows] = row_worst[rows]
    at[rows] = positions[hit[first]] + 1


def _shape_columns(
    fmt_col: np.ndarray,
    keys_col: np.ndarray,
    keys_text: list[str | None],
    labels: list[str | None],
    end_col: np.ndarray,
    worst_col: np.ndarray,
    worst_msg: np.ndarray,
    start_mid: np.ndarray,
) -> dict[str, object]:
    return {
        "answer_format": fmt_col,
        "json_keys": keys_col,
        "json_keys_text": keys_text,
        "label_candidate": labels,
        "answer_end": end_col,
        "answer_end_worst": worst_col,
        "answer_end_message": worst_msg,
        "answer_start_mid": start_mid,
    }

"""What format the user's request asks for: code, JSON, a table, markdown, a list, length.

An answer's format is only inconsistent when nothing asked for it: a code block is the
right answer to "write a Python function", a table to "make a table of …", JSON to "reply in
JSON". ``consistent.output_format`` compares answers with their task's usual format and
excuses those whose own request asked for what they did.

Only the last user turn (the request the answer answers) is read, never the system prompt:
a system prompt is shared by the whole task, so it cannot explain why one answer differs
from the others. The patterns are deliberately specific: "the ICD-10 code", "zip code" and
"promo code" are not requests for a program; "steps" is not a request for a list.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

import numpy as np

from ftprep.checks.prose import word_set
from ftprep.checks.request_words import SEPARATOR, batch_requests, screen
from ftprep.checks.words import ascii_words_among
from ftprep.features import FeatureContext, register_feature
from ftprep.schema import ChatExample

ASK_CODE, ASK_JSON, ASK_TABLE, ASK_MARKDOWN, ASK_LIST, ASK_LONG = 1, 2, 4, 8, 16, 32

_LANGS = (
    r"python|javascript|typescript|java|c\+\+|c#|golang|rust|ruby|php|kotlin|swift|scala|perl|"
    r"bash|shell|powershell|sql|mysql|postgres(?:ql)?|html|css|jsx|react|node\.?js|matlab|"
    r"haskell|lua|dart|assembly|latex|yaml|regex|regexp"
)
#: A line of the request that is itself code.
_CODE_LINE = r"^[ \t]*(?:def|class|import|from [\w.]+ import|function|public|#include|SELECT)\b"
_CODE = re.compile(
    r"\b(?:program(?:me)?s?|script|snippet|pseudo-?code|source code|function|method|class|"
    r"algorithm|implement(?:ation|s|ed)?|refactor|debug|compile|regular expression|"
    r"command(?:-line| line)?|one-liner|query|"
    r"(?:write|give|show|provide|generate|create|fix|complete|modify|edit|rewrite|optimi[sz]e|"
    r"convert|translate|add)\b[^.?!\n]{0,40}\bcode|"
    r"code (?:for|to|that|which|snippet|example|sample|block)|(?:this|the following|my|your) code|"
    rf"{_LANGS})\b"
    r"|```|代码|程序|函数|脚本|算法|正则|编程|SQL"
    rf"|{_CODE_LINE}",
    re.I | re.M,
)
#: The word alternatives of a pattern share one ``\b``: written ``\bjson\b|\byaml\b|…``, the
#: engine tested a boundary per alternative at every position of a request (the list and
#: markdown patterns cost ~50 µs on a natural request, ~10 so); the same matches
#: (tests/test_request_patterns.py).
_JSON = re.compile(r"\b(?:json|yaml|xml|csv)\b|键值|字典格式", re.I)
_TABLE = re.compile(
    r"\b(?:tables?|tabular|columns?|spreadsheet|chart)\b|表格|下表|图表|"
    r"^[ \t]*\|.*\|[ \t]*$",  # the request holds a table: answering with one is natural
    re.I | re.M,
)
_MARKDOWN = re.compile(
    r"\b(?:markdown\b|headings?\b|bold\b|outline\b|readme\b|cheat ?sheet\b|"
    r"format(?:ted)? (?:it |them |this |the \w+ )?(?:as|in|with|into)\b|"
    r"blog post\b|article\b|tutorial\b|documentation\b|links?\b|urls?\b)|"
    r"标题|加粗|大纲|文章|教程|链接",
    re.I,
)
_LIST = re.compile(
    r"\b(?:list\b|bullet|enumerate\b|steps?\b|tips\b|ideas\b|ways\b|examples\b|"
    r"reasons\b|pros and cons\b|compare\b|comparison\b|differences?\b|"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:\w+ ){0,2}"
    r"(?:things|items|ways|tips|ideas|examples|reasons|steps|facts|questions|points|words)\b)|"
    r"列出|列举|步骤|清单|几个|哪些|比较|区别|不同之处|建议",
    re.I,
)
#: Requests for extended text: a long answer is what they asked for.
_LONG = re.compile(
    r"\b(?:explain|describe|essay|story|speech|monologue|step[- ]by[- ]step|detailed|"
    r"in detail|elaborate|tutorial|overview|biography|history of|"
    r"write an? (?:letter|poem|article|blog post|report|script|scene|dialogue))\b|"
    r"解释|描述|文章|故事|演讲|详细|步骤|介绍",
    re.I,
)


#: Literals one of which every match of a pattern contains. Its alternatives in other
#: scripts (those not ASCII) are substrings of the screens of a request that is not ASCII
#: (:data:`_WIDE_SUBSTRINGS`); tests/test_text_screens.py asks the rest of the screens.
_LANG_WORDS = tuple(w for w in _LANGS.replace("\\", "").replace("?", "").split("|") if w)
_LITERALS = {
    ASK_CODE: (
        "program", "script", "snippet", "code", "function", "method", "class", "algorithm",
        "implement", "refactor", "debug", "compile", "regular expression", "command",
        "one-liner", "query", "```", "def", "import", "public", "#include", "select",
        "代码", "程序", "函数", "脚本", "算法", "正则", "编程", "sql", "c+", "c#", "node",
        "postgres", *_LANG_WORDS,
    ),
    ASK_JSON: ("json", "yaml", "xml", "csv", "键值", "字典格式"),
    ASK_TABLE: (
        "table", "tabular", "column", "spreadsheet", "chart", "表格", "下表", "图表", "|",
    ),
    ASK_MARKDOWN: (
        "markdown", "heading", "bold", "outline", "readme", "cheat", "format", "blog post",
        "article", "tutorial", "documentation", "link", "url", "标题", "加粗", "大纲",
        "文章", "教程", "链接",
    ),
    ASK_LIST: (
        "list", "bullet", "enumerate", "step", "tips", "ideas", "ways", "examples",
        "reasons", "pros and cons", "compar", "difference", "thing", "item", "fact",
        "question", "point", "word", "列出", "列举", "步骤", "清单", "几个", "哪些", "比较",
        "区别", "不同之处", "建议",
    ),
    ASK_LONG: (
        "explain", "describe", "essay", "story", "speech", "monologue", "step", "detail",
        "elaborate", "tutorial", "overview", "biography", "history of", "write a",
        "解释", "描述", "文章", "故事", "演讲", "详细", "步骤", "介绍",
    ),
}  # fmt: skip
#: The patterns, matched against the lower-cased request (case-insensitive matching of
#: Unicode text is several times slower in ``re``, and requests stream past in bulk).
_PATTERNS = tuple(
    (bit, _LITERALS[bit], re.compile(p.pattern.lower(), p.flags & ~re.I))
    for bit, p in (
        (ASK_CODE, _CODE),
        (ASK_JSON, _JSON),
        (ASK_TABLE, _TABLE),
        (ASK_MARKDOWN, _MARKDOWN),
        (ASK_LIST, _LIST),
        (ASK_LONG, _LONG),
    )
)
#: For an ASCII request (whose word set ``words.ascii_words`` gives): per pattern, its
#: one-word alternatives (one of them present: the pattern surely matches, it is not run),
#: then the words and substrings one of which every match holds (none present: it cannot
#: match, it is not run either). Only the rare request between the two meets the regex.
_ASCII_SCREENS: dict[int, tuple[frozenset[str], frozenset[str], tuple[str, ...]]] = {
    ASK_CODE: (
        _code_words := word_set(
            "program programme programs programmes script snippet pseudocode function method "
            "class algorithm implement implementation implements implemented refactor debug "
            "compile command query python javascript typescript java golang rust ruby php "
            "kotlin swift scala perl bash shell powershell sql mysql postgres postgresql html "
            "css jsx react nodejs matlab haskell lua dart assembly latex yaml regex regexp"
        ),
        # pseudo-code, regular expression, one-liner, c++/c#, node.js
        _code_words | word_set("pseudo regular liner c node code"),
        # "sql" is also matched inside words; "code" is a whole word in every match
        # (``…\bcode)\b``: not in "encode", "codes")
        ("```", "sql"),
    ),
    ASK_JSON: (_json_words := word_set("json yaml xml csv"), _json_words, ()),
    ASK_TABLE: (
        _table_words := word_set("table tables tabular column columns spreadsheet chart"),
        _table_words,
        ("|",),  # a table row in the request
    ),
    ASK_MARKDOWN: (
        _markdown_words := word_set(
            "markdown heading headings bold outline readme cheatsheet article tutorial "
            "documentation link links url urls"
        ),
        _markdown_words | word_set("cheat format formatted blog"),
        (),
    ),
    ASK_LIST: (
        _list_words := word_set(
            "list enumerate step steps tips ideas ways examples reasons compare comparison "
            "difference differences"
        ),
        # pros and cons; "three (…) things/items/…"
        _list_words | word_set("pros things items facts questions points words"),
        ("bullet",),
    ),
    ASK_LONG: (
        _long_words := word_set(
            "explain describe essay story speech monologue detailed elaborate tutorial "
            "overview biography"
        ),
        # step-by-step, in detail, history of, write a letter/poem/…
        _long_words | word_set("step detail history write"),
        (),
    ),
}
#: When a request has none of a pattern's needed words and substrings, the one alternative
#: of the pattern still possible, with the words it needs: a line opening code ("import os")
#: can only match there, and one anchored scan of the lines settles it.
_ASCII_RESIDUE: dict[int, tuple[frozenset[str], re.Pattern[str]]] = {
    ASK_CODE: (
        word_set("def class import from function public include select"),
        re.compile(_CODE_LINE.lower(), re.M),
    ),
}
#: Every word a screen above asks about: a request's words are intersected with these once,
#: and each screen then asks the few left (``X.isdisjoint(words)`` equals
#: ``X.isdisjoint(words & _SCREENED)`` for every ``X`` within it), not all of them.
_SCREENED: frozenset[str] = frozenset().union(
    *(sure | needed for sure, needed, _ in _ASCII_SCREENS.values()),
    *(line_words for line_words, _ in _ASCII_RESIDUE.values()),
)
#: The word screens hold for a request that is not ASCII too, its words being the ``\w+``
#: runs of the lower-cased request (Unicode word characters, as the patterns' ``\b`` reads
#: them: a word of the screens is such a run exactly where ``\bword\b`` matches), once the
#: patterns' alternatives in other scripts (no word boundary around them) join the
#: substrings one of which a match without a needed word holds.
_WORD = re.compile(r"\w+")
_WIDE_SUBSTRINGS = {
    bit: substrings + tuple(lit for lit in _LITERALS[bit] if not lit.isascii())
    for bit, (_, _, substrings) in _ASCII_SCREENS.items()
}
#: The characters of those alternatives: a request holding none (most that are not ASCII:
#: an accent, a quote mark) holds none of them either.
_WIDE_CHARACTERS = re.compile(
    "[{}]".format(
        "".join(
            sorted({c for subs in _WIDE_SUBSTRINGS.values() for sub in subs for c in sub})
        ).translate(dict.fromkeys(range(128)))
    )
)
#: Characters of a request read: the end, where the request follows any preamble.
MAX_REQUEST_CHARS = 2_000


def asked_format(request: str) -> int:
    """Bit mask of the formats ``request`` asks for (``ASK_*``; 0 when none)."""
    if not request:
        return 0
    tail = request[-MAX_REQUEST_CHARS:]
    text = tail.lower()
    words = ascii_words_among(tail, _SCREENED)
    asks = 0
    wide = False
    if words is None:
        words = _SCREENED.intersection(_WORD.findall(text))
        wide = _WIDE_CHARACTERS.search(text) is not None
    for bit, _, pattern in _PATTERNS:
        sure, needed, substrings = _ASCII_SCREENS[bit]
        if not sure.isdisjoint(words):
            asks |= bit
            continue
        if wide:
            substrings = _WIDE_SUBSTRINGS[bit]
        if not needed.isdisjoint(words) or any(sub in text for sub in substrings):
            if pattern.search(text):
                asks |= bit
        elif bit in _ASCII_RESIDUE:
            line_words, line = _ASCII_RESIDUE[bit]
            if not line_words.isdisjoint(words) and line.search(text):
                asks |= bit
    return asks


_PATTERN_OF = {bit: pattern for bit, _, pattern in _PATTERNS}
#: The screens of :data:`_ASCII_SCREENS` and :data:`_ASCII_RESIDUE` as request-word bits
#: (:func:`ftprep.checks.request_words.screen`): per format, (bit, sure, needed, residue).
_BATCH_SCREENS = tuple(
    (
        bit,
        screen(sure),
        screen(needed),
        screen(_ASCII_RESIDUE[bit][0]) if bit in _ASCII_RESIDUE else 0,
        substrings,
    )
    for bit, (sure, needed, substrings) in _ASCII_SCREENS.items()
)


#: The batch's tighter screen of the list pattern (its wider one holds "questions",
#: "words", "points": most natural requests): with none of its one-word alternatives
#: there, only "bullet…", "pros and cons" or a count of things ("three useful things",
#: "12 questions": a count word or a digit, and a counted noun) can match.
_LIST_PROS_BIT = screen(word_set("pros"))
_LIST_NOUN_BIT = screen(word_set("things items facts questions points words"))
_LIST_COUNT_BIT = screen(word_set("two three four five six seven eight nine ten"))
_DIGIT = re.compile(r"[0-9]")


def _list_may_match(
    masks: np.ndarray, bullets: np.ndarray, texts: list[str], rows: np.ndarray
) -> np.ndarray:
    """Which requests the list pattern may match (``masks``: their request-word masks,
    ``bullets``: which hold "bullet"), asked for those marked in ``rows`` (ASCII, with no
    one-word alternative of the pattern): a digit is looked for only in a request holding
    a counted noun and no count word."""
    may = ((masks & _LIST_PROS_BIT) != 0) | bullets
    nouns = (masks & _LIST_NOUN_BIT) != 0
    counted = (masks & _LIST_COUNT_BIT) != 0
    for i in np.flatnonzero(rows & nouns & ~counted & ~may).tolist():
        counted[i] = _DIGIT.search(texts[i]) is not None
    return may | (nouns & counted)


@register_feature("asked_format", ("asked_format",))
def asked_format_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: the ``ASK_*`` bit mask of its last request.

    The screens of :func:`asked_format` read the batch's request words
    (:mod:`ftprep.checks.request_words`): a format whose one-word alternative is there is
    asked for, one with none of the words or substrings its matches need is not, and only
    the rest run the format's pattern on the lower-cased request. Requests that are not
    ASCII, or longer than ``MAX_REQUEST_CHARS``, run :func:`asked_format`."""
    requests = batch_requests(batch, ctx.batch)
    texts = requests.texts
    n = len(texts)
    masks = requests.masks
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    fast = requests.screened & (lengths <= MAX_REQUEST_CHARS)
    holding = _substrings_held(texts, np.flatnonzero(fast))
    asks = np.zeros(n, dtype=np.int8)
    lowered: dict[int, str] = {}
    for bit, sure, needed, residue, substrings in _BATCH_SCREENS:
        surely = (masks & sure) != 0
        asks[surely] |= bit
        if bit == ASK_LIST:
            maybe = _list_may_match(masks, holding["bullet"], texts, fast & ~surely)
        else:
            maybe = (masks & needed) != 0
            for sub in substrings:
                maybe |= holding[sub]
        # as asked_format: the pattern where a needed word or substring is there, else
        # the line pattern where a line word is
        for i in np.flatnonzero(fast & ~surely & maybe).tolist():
            if _PATTERN_OF[bit].search(lowered.get(i) or lowered.setdefault(i, texts[i].lower())):
                asks[i] |= bit
        if residue:
            line = _ASCII_RESIDUE[bit][1]
            for i in np.flatnonzero(fast & ~surely & ~maybe & ((masks & residue) != 0)).tolist():
                if line.search(lowered.get(i) or lowered.setdefault(i, texts[i].lower())):
                    asks[i] |= bit
    for i in np.flatnonzero(~fast).tolist():
        asks[i] = asked_format(texts[i])
    return {"asked_format": asks}


def _substrings_held(texts: list[str], rows: np.ndarray) -> dict[str, np.ndarray]:
    """For each substring a screen asks about: which of ``rows``' texts (lower-cased) hold
    it, found in one joined text (a row found, the search goes on at the next row)."""
    n = len(texts)
    chosen = [texts[i] for i in rows.tolist()]
    joined = SEPARATOR.join(chosen).lower()
    starts = list(accumulate((len(t) + 1 for t in chosen), initial=0))
    held = {}
    for _, _, _, _, substrings in _BATCH_SCREENS:
        for sub in substrings:
            found = np.zeros(n, dtype=bool)
            pos = joined.find(sub)
            while pos >= 0:
                k = bisect_right(starts, pos) - 1
                found[rows[k]] = True
                pos = joined.find(sub, starts[k + 1])
            held[sub] = found
    return held

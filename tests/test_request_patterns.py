"""The request patterns of ``asked_format``, rewritten for speed, match what they replaced.

``\\bjson\\b|\\byaml\\b|…`` opened each alternative with its own word boundary: the regex
engine tested the boundary once per alternative at every position of a request (~50 µs on a
natural request for the list and markdown patterns). Written ``\\b(?:json|yaml|…)``, the
boundary is tested once a position and the alternatives are tried in the same order at the
same place: the same matches, spans included, on any text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.consistent import requests
from ftprep.features import FeatureContext
from ftprep.schema import ChatExample, Message, SourceLocation

ORIGINAL_JSON = r"\bjson\b|\byaml\b|\bxml\b|\bcsv\b|键值|字典格式"
ORIGINAL_TABLE = (
    r"\btables?\b|\btabular\b|\bcolumns?\b|\bspreadsheet\b|\bchart\b|表格|下表|图表|"
    r"^[ \t]*\|.*\|[ \t]*$"
)
ORIGINAL_MARKDOWN = (
    r"\bmarkdown\b|\bheadings?\b|\bbold\b|\boutline\b|\breadme\b|\bcheat ?sheet\b|"
    r"\bformat(?:ted)? (?:it |them |this |the \w+ )?(?:as|in|with|into)\b|"
    r"\bblog post\b|\barticle\b|\btutorial\b|\bdocumentation\b|\blinks?\b|\burls?\b|"
    r"标题|加粗|大纲|文章|教程|链接"
)
ORIGINAL_LIST = (
    r"\blist\b|\bbullet|\benumerate\b|\bsteps?\b|\btips\b|\bideas\b|\bways\b|\bexamples\b|"
    r"\breasons\b|\bpros and cons\b|\bcompare\b|\bcomparison\b|\bdifferences?\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:\w+ ){0,2}"
    r"(?:things|items|ways|tips|ideas|examples|reasons|steps|facts|questions|points|words)\b|"
    r"列出|列举|步骤|清单|几个|哪些|比较|区别|不同之处|建议"
)
#: (rewritten pattern, original source, original flags)
PAIRS = [
    (requests._JSON, ORIGINAL_JSON, re.I),
    (requests._TABLE, ORIGINAL_TABLE, re.I | re.M),
    (requests._MARKDOWN, ORIGINAL_MARKDOWN, re.I),
    (requests._LIST, ORIGINAL_LIST, re.I),
]

WORDS = (
    "json yaml xml csv 键值 字典格式 table tables tabular column columns spreadsheet chart "
    "表格 下表 图表 markdown heading headings bold outline readme cheat sheet cheatsheet "
    "format formatted it them this the as in with into blog post article tutorial "
    "documentation link links url urls 标题 链接 list bullet bullets enumerate step steps "
    "tips ideas ways examples reasons pros and cons compare comparison difference "
    "differences two three ten 12 7 things items facts questions points words 列出 建议 "
    "x é Ünï ٣ _ JSON Table LIST Steps"
).split()
PIECES = [*WORDS, " ", " ", "  ", "\n", "|", "-", ".", "?", "'", "\t", "_", "3"]
TEXTS = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join),
    st.text(max_size=60),
)


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _batch_column(texts: list[str]) -> list[int]:
    """The ``asked_format`` column of a batch of one-exchange examples asking ``texts``."""
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(
            messages=[Message(role="user", content=t), Message(role="assistant", content="ok")],
            location=where,
        )
        for t in texts
    ]
    col = requests.asked_format_feature(batch, FeatureContext(encoding=None))["asked_format"]
    return col.tolist()  # type: ignore[attr-defined,no-any-return]


@settings(max_examples=600, deadline=None)
@given(text=TEXTS)
def test_rewritten_request_patterns_match_the_originals(text: str) -> None:
    lowered = text.lower()
    for pattern, source, flags in PAIRS:
        original = re.compile(source, flags)
        assert _found(pattern, text) == _found(original, text)
        # as asked_format runs them: lower-case patterns on the lower-cased request
        low = re.compile(source.lower(), flags & ~re.I)
        assert _found(re.compile(pattern.pattern.lower(), flags & ~re.I), lowered) == _found(
            low, lowered
        )


def test_every_alternative_still_matches() -> None:
    for text in [
        "as json", "the csv", "a table", "3 columns", "| a | b |", "in markdown",
        "format it as prose", "cheat sheet", "a blog post", "make a list", "bullets",
        "pros and cons", "three useful things", "12 questions", "列出", "表格", "键值",
    ]:  # fmt: skip
        for pattern, source, flags in PAIRS:
            assert _found(pattern, text) == _found(re.compile(source, flags), text)
    assert requests.asked_format("give me three useful things") == requests.ASK_LIST


_WIDE_PIECES = [
    *WORDS, "python", "code", "write", "the code", "```", "sql", "class", "def", "\nimport",
    "explain", "step-by-step", "in detail", "history of", "write a poem", "three things",
    "代码", "程序", "函数", "脚本", "算法", "正则", "编程", "SQL", "字典格式", "下表", "图表",
    "加粗", "大纲", "文章", "教程", "列举", "步骤", "清单", "几个", "哪些", "比较", "区别",
    "不同之处", "解释", "描述", "故事", "演讲", "详细", "介绍", "é", "É", "ü", "İ", "K", "ß",
    "代", "东京", "٣", "\u2003", " ", " ", "\n", "|", ".", "-", "_",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_WIDE_PIECES), max_size=25).map("".join))
def test_asked_format_of_text_not_ascii_is_the_unscreened_rules(text: str) -> None:
    """Word screens on the Unicode words of the lower-cased request, the alternatives in
    other scripts among the substrings: every pattern's answer as the pattern gives it."""
    for request in (text, text + " é", "é" + text.upper()):
        lowered = request[-requests.MAX_REQUEST_CHARS :].lower()
        expected = sum(bit for bit, _, p in requests._PATTERNS if p.search(lowered))
        assert requests.asked_format(request) == expected, request


def test_batch_list_screen_agrees_with_the_pattern() -> None:
    """Counts of things (count words, digits in and out of the count), "pros and cons",
    "bullet…", each counted noun, in several cases, through the batch's tighter screen."""
    phrases = [
        "three useful things", "12 questions", "ten facts", "two big red points",
        "x2 words", "7 items", "items 7", "list of 3 things", "pros and cons", "bulleted",
        "questions", "nine or more words", "in 2024 we had points", "eight ways", "facts",
    ]  # fmt: skip
    requests_ = [
        f"{before}{case(p)}{after}"
        for p in phrases
        for case in (str.lower, str.upper, str.title)
        for before, after in (("", ""), ("Give ", " please."), ("a-", "_x"))
    ]
    expected = [requests.asked_format(r) for r in requests_]
    assert _batch_column(requests_) == expected
    assert sum(bool(e & requests.ASK_LIST) for e in expected) > len(requests_) // 3


def test_code_is_asked_for_as_a_word() -> None:
    """The letters "code" inside a word (encode, codes, code_x) ask for no code; as a word
    after a verb, before "for", after "my" it does: per request and through the batch."""
    texts = [
        f"{before}{word}{after}"
        for word in ["code", "codes", "encode", "barcode", "code_x", "x-code", "code-block",
                     "pseudo-code", "pseudocode", "source code", "coder", "CODE", "Code"]
        for before, after in [("", ""), ("write the ", ""), ("my ", " now"), ("", " for me"),
                              ("give me ", "."), ("this ", "?")]
    ]  # fmt: skip
    for text in texts:
        expected = sum(bit for bit, _, p in requests._PATTERNS if p.search(text.lower()))
        assert requests.asked_format(text) == expected, text
    assert _batch_column(texts) == [requests.asked_format(t) for t in texts]

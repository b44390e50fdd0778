"""Patterns rewritten for speed find exactly what the patterns they replace found.

The answer profile and the prompt sketch scan every answer and prompt for capitalised
words and numbers. Their patterns were written look-behind first, which the regex engine
tries at every position; the rewrites start with the capital or the digit and test the
character before it afterwards. Same matches, same spans, same groups, on any text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean import answer_profile, contradictions

ORIGINAL_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)+|\d{2,})%?(?![\w])")
ORIGINAL_ANSWER_NAME = re.compile(r"(?<![\w'])([A-Z][a-zA-Z]+)")
ORIGINAL_PROMPT_NAME = re.compile(r"(?<![\w'])[A-Z][a-zA-Z]+")

PIECES = ["1", "23", "4.5", ",", ".", "%", "a", "Paris", "I", "x", "'", " ", "\n", "_", "é",
          "Ünïcode", "٣", "Ab", "B", "z9", "..", "10,000", "3.14%"]  # fmt: skip
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
    st.text(max_size=60),
)


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), (m[0], *m.groups())) for m in pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_rewritten_patterns_match_the_originals(text: str) -> None:
    assert _found(answer_profile._NUMBER, text) == _found(ORIGINAL_NUMBER, text)
    assert _found(answer_profile._NAME, text) == _found(ORIGINAL_ANSWER_NAME, text)
    assert _found(contradictions._NAME, text) == _found(ORIGINAL_PROMPT_NAME, text)


def test_examples() -> None:
    text = "In 2024 Paris had 2,100,000 people (3.5% more); x12 and O'Brien. Ask Bob."
    assert answer_profile.facts(text) == {"2024", "paris", "2,100,000", "3.5", "bob"}
    assert [m[0] for m in contradictions._NAME.finditer(text)] == ["In", "Paris", "Ask", "Bob"]

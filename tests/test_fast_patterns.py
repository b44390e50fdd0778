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
    if text.isascii():
        assert _found(answer_profile._ASCII_NUMBER, text) == _found(ORIGINAL_NUMBER, text)


def test_examples() -> None:
    text = "In 2024 Paris had 2,100,000 people (3.5% more); x12 and O'Brien. Ask Bob."
    assert answer_profile.facts(text) == {"2024", "paris", "2,100,000", "3.5", "bob"}
    assert [m[0] for m in contradictions._NAME.finditer(text)] == ["In", "Paris", "Ask", "Bob"]


_OPENS_SENTENCE = re.compile(r"(?:^|[.!?:|]\s*|\n\s*)$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")


def _names_not_opening(text: str, opens: re.Pattern[str]) -> list[str]:
    """The original rule: every capitalised word, tested in Python on the three characters
    before it."""
    return [
        m[0]
        for m in ORIGINAL_PROMPT_NAME.finditer(text)
        if opens.search(text[max(0, m.start() - 3) : m.start()]) is None
    ]


SENTENCES = ["Paris", "Ab", " ", "  ", "\n", "\t", ". ", ".", "!", "?", ":", "|", "\u2003", "'",
             "a", "x.", "\n \n", "I", "é", "_", "9"]  # fmt: skip


def _pieces_or_text(pieces: list[str], most: int, chars: int) -> st.SearchStrategy[str]:
    """Texts joined from up to ``most`` of ``pieces`` (the cases a rule turns on), or any
    text of up to ``chars`` characters."""
    return st.one_of(
        st.lists(st.sampled_from(pieces), max_size=most).map("".join), st.text(max_size=chars)
    )


sentences = _pieces_or_text(SENTENCES, 25, 60)


@settings(max_examples=1000, deadline=None)
@given(text=sentences)
def test_mid_sentence_names_are_the_names_the_python_test_kept(text: str) -> None:
    """The sentence-start test written into the patterns keeps exactly the words the test
    on the three characters before each word kept (prompt names and answer facts)."""
    assert contradictions._MID_NAME.findall(text) == _names_not_opening(text, _OPENS_SENTENCE)
    assert answer_profile._FACT_NAME.findall(text) == _names_not_opening(text, _SENTENCE_START)


@settings(max_examples=500, deadline=None)
@given(texts=st.lists(st.one_of(texts, st.text(max_size=40)), min_size=1, max_size=6))
def test_prompt_numbers_screened_by_word_equal_the_regex(texts: list[str]) -> None:
    """A prompt's numbers found only when one of its words holds a digit are the numbers
    the regex finds in every prompt (words learnt over a batch, as the sketch does)."""
    known = contradictions._PromptWords()
    for text in texts:
        words = set(text.split())
        known.learn(words)
        assert known.numbers(text, words) == " ".join(contradictions._DIGITS.findall(text))


_WORDS = ["no", "on", "not", "nto", "ton", "never", "nevre", "without", "wihtout", "wont",
          "town", "none", "neon", "nor", "cant", "nact", "except", "unless", "paris", "the", "4",
          "x2"]  # fmt: skip


def _negations_as_before(words: set[str]) -> str:
    """The rule as first written: negations, and the negation a word's letters spell."""
    found = words & contradictions.NEGATIONS
    for w in words:
        key = "".join(sorted(w))
        if len(w) > 2 and key in contradictions._NEGATION_KEYS:
            found.add(contradictions._NEGATION_KEYS[key])
    return " ".join(sorted(found))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sets(st.one_of(st.sampled_from(_WORDS), st.text(max_size=8))), max_size=5))
def test_prompt_negations_learnt_per_word_equal_the_rule(word_sets: list[set[str]]) -> None:
    known = contradictions._PromptWords()
    for words in word_sets:
        known.learn(words)
        assert known.negations(words) == _negations_as_before(words)


_ANSWER_PIECES = ["Paris", "in", "2024", "the", "3.5%", "x12", " ", ". ", "\n", "`code_id`",
                  "Bob", "é", "10,000", "and", "7"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ANSWER_PIECES), min_size=8, max_size=30).map("".join),
                min_size=1, max_size=8))  # fmt: skip
def test_answer_profile_counts_the_facts_of_every_answer(answers: list[str]) -> None:
    """Numbers are looked for only in answers holding a digit: the profile's fact counts are
    those of :func:`facts` on each answer."""
    from ftprep.features import FeatureContext
    from ftprep.schema import ChatExample, Message, SourceLocation

    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role="user", content="Q?"),
                              Message(role="assistant", content=a)], location=where)
        for a in answers
    ]  # fmt: skip
    cols = answer_profile.answer_profile_feature(batch, FeatureContext(encoding=None))
    for i, text in enumerate(answers):
        if cols["answer_type"][i] == answer_profile.FREE:
            assert cols["answer_facts_n"][i] == len(answer_profile.facts(text))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(texts, sentences), among=st.sets(st.sampled_from(
    ["paris", "ab", "x", "1", "23", "i", "z9", "code", "list", "é", "ünïcode"])))  # fmt: skip
def test_ascii_words_among_is_the_words_within(text: str, among: set[str]) -> None:
    from ftprep.checks.words import ascii_words, ascii_words_among

    words = ascii_words(text)
    expected = None if words is None else words & frozenset(among)
    assert ascii_words_among(text, frozenset(among)) == expected


_ASCII_SENTENCES = st.one_of(
    st.lists(st.sampled_from([p for p in SENTENCES if p.isascii()] + ["\x1c", "\x1f", "\x0b",
                              "O'Neil", "x'A", "BOB", "'", "''", "3Ab", "_Ab", ": Ab",
                              ":  Ab", ". Ab", "!\tAb", "?\x1c\x1cAb", "|Ab", ".Ab"]),
             max_size=25).map("".join),
    st.text(alphabet=st.characters(max_codepoint=127, exclude_characters="\x00"), max_size=60),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(texts=st.lists(_ASCII_SENTENCES, max_size=6))
def test_names_of_joined_ascii_texts_are_each_texts_own(texts: list[str]) -> None:
    """The one-pass name search over the bytes of a batch's ASCII texts (joined after
    apostrophes) finds, text by text, the lower-cased :data:`_FACT_NAME` matches."""
    owners, names = answer_profile.ascii_names(texts)
    expected = [
        (k, w.lower()) for k, t in enumerate(texts) for w in answer_profile._FACT_NAME.findall(t)
    ]
    assert list(zip(owners, names, strict=True)) == expected


#: The sign-off pattern as first written: the part after the comma as nested pieces.
ORIGINAL_SIGN_OFF = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:(?:yours|sincerely|regards|best|cheers|love|respectfully"
    r"|faithfully|cordially|warmly|affectionately|fondly|thanks|thank you|with|forever|until"
    r"|your|all the best|kind regards|warm regards|many thanks|see you|take care|god bless"
    r"|hugs|peace|ever)\b[^\n.!?]{0,50}),\s*(?:[^\n]{1,60}\n?){1,3}\Z",
    re.I,
)
#: Runs of letters at the lengths where the pieces change (1, 60, 120, 180 and beside).
SIGN_OFF_PIECES = [
    "Best regards", "yours", "With love", "Thanks", "x", ",", ", ", ",\n", "\n", "\n\n", " ",
    ".", "! ", "?", "\t", "Jane", "é", *("a" * k for k in (1, 2, 59, 60, 61, 119, 120, 121)),
]  # fmt: skip


#: A sign-off, its comma, then lines of any length around the limits (ending a line or not).
_signed_tails = st.builds(
    lambda head, sep, lines: (head + sep + "".join("a" * n + end for n, end in lines))[-200:],
    st.sampled_from(["Best regards", "Thanks. Cheers", "x\nwith love"]),
    st.sampled_from([",", ", ", ",\n", ",\n\n"]),
    st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from([1, 59, 60, 61, 119, 120, 121, 179, 180, 181]), st.integers(0, 185)
            ),
            st.sampled_from(["", "\n", "\n\n", " "]),
        ),
        max_size=4,
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(SIGN_OFF_PIECES), max_size=12).map(lambda p: "".join(p)[-200:]),
        _signed_tails,
    )
)
def test_sign_off_written_line_by_line_matches_the_nested_pieces(tail: str) -> None:
    """The sign-off pattern of ``checks.answers`` (the lines after the comma written out)
    finds a sign-off exactly where the original nested form did, at the same span."""
    from ftprep.checks import answers

    def span(pattern: re.Pattern[str]) -> tuple[int, int] | None:
        m = pattern.search(tail)
        return None if m is None else m.span()

    assert span(answers._SIGN_OFF) == span(ORIGINAL_SIGN_OFF)


def test_sign_off_examples() -> None:
    from ftprep.checks import answers

    for tail in ("Thanks.\nBest regards,\nAnna", "Yours sincerely, Jane Doe", "Cheers,\nA\nB\nC\n"):
        assert answers._SIGN_OFF.search(tail) and ORIGINAL_SIGN_OFF.search(tail)
    for tail in ("Best regards,\nA\nB\nC\nD", "With love, " + "a" * 181, "Thanks,\nA\n\nB"):
        assert not answers._SIGN_OFF.search(tail) and not ORIGINAL_SIGN_OFF.search(tail)


def test_sign_off_agrees_at_every_line_length_limit() -> None:
    """Every shape of one to three lines at the piece limits (1, 59-61, 119-121,
    179-181 characters), ending a line or not, blank lines between or not: both forms
    agree."""
    from itertools import product

    from ftprep.checks import answers

    limits = [1, 59, 60, 61, 119, 120, 121, 179, 180, 181]
    shapes: list[list[tuple[int, str]]] = [[(n, end)] for n in limits for end in ("", "\n")]
    for a, b in product(limits, repeat=2):
        shapes += [[(a, inner), (b, end)] for inner in ("\n", "\n\n") for end in ("", "\n")]
    for a, b, c in product([1, 59, 60, 61, 120], repeat=3):
        shapes += [[(a, "\n"), (b, "\n"), (c, end)] for end in ("", "\n")]
    for shape, sep in product(shapes, (", ", ",\n")):
        tail = ("Best regards" + sep + "".join("a" * n + end for n, end in shape))[-200:]
        assert bool(answers._SIGN_OFF.search(tail)) == bool(ORIGINAL_SIGN_OFF.search(tail)), tail


#: Prompt pieces around the words a completion request needs: their case variants, parts
#: of them, word characters against them, and characters a case-blind match treats as
#: letters of them (dotted and dotless i, long s, the Kelvin sign).
COMPLETION_PIECES = ["complete", "Complete", "COMPLETE", "continue", "CONTINUE", "finish",
                     "Finish", "fill in", "Fill The", "fill  in", "next word", "Next Word",
                     "rest of", "REST OF", "autocomplete", "comp", "lete", "fill", "in", "the",
                     " ", "\n", "_", "x", "1", ".", "?", "\u0130", "\u0131", "\u017f",
                     "\u212a", "\u00e9"]  # fmt: skip
prompts = _pieces_or_text(COMPLETION_PIECES, 12, 40)


@settings(max_examples=800, deadline=None)
@given(prompt=prompts)
def test_completion_screen_answers_as_the_pattern(prompt: str) -> None:
    """The screened test (ASCII prompts ruled out by the words the pattern needs) answers
    as the case-blind pattern searched over the whole prompt."""
    from ftprep.checks import answers

    want = answers._COMPLETION_PROMPT.search(prompt) is not None
    assert answers._asks_completion(prompt) is want


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bc", " ", "  ", "\n", "\t", "\u3000", "\x1c"]),
                     max_size=16).map("".join))  # fmt: skip
def test_a_bounded_split_counts_the_label_words_as_a_whole_split(text: str) -> None:
    from ftprep.checks.answers import LABEL_MAX_WORDS

    bounded = len(text.split(None, LABEL_MAX_WORDS)) <= LABEL_MAX_WORDS
    assert bounded is (len(text.split()) <= LABEL_MAX_WORDS)

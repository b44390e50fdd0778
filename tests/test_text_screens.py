"""Cheap screens in front of the text rules never change a rule's answer.

Each screened function is compared with its rule run unscreened, on texts generated from
the rule's own trigger words (so the screens' "surely matches" and "cannot match" branches
and the regexes between them all get exercised), mixed with punctuation, digits, other case
and non-ASCII letters.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ftprep.checks import answers, byte_words
from ftprep.checks.base import CheckSettings
from ftprep.checks.batch_view import CheckBatch, turns_of
from ftprep.checks.clean import (
    encoding,
    language,
    pii,
    placeholders,
    refusal,
    refusal_words,
    repetition,
    residue,
)
from ftprep.checks.clean import short_answer as sa
from ftprep.checks.consistent import requests
from ftprep.checks.prose import normalize_quotes, strip_code
from ftprep.checks.signs import CONTROL, KEPT, digits_in, sign_of
from ftprep.checks.words import WORD_BYTES, ascii_word_list, ascii_words
from ftprep.pii.detectors import may_hold_pii
from ftprep.schema import ChatExample, Message, SourceLocation

_TRIGGERS = (
    # asked_format
    "program programmes script snippet pseudo-code pseudocode source code function method class "
    "algorithm implemented refactor debug compile regular expression command-line one-liner "
    "query write give code code for this code my code python c++ c# node.js nodejs postgresql "
    "postgres def import from x import y public #include select ``` json yaml xml csv table "
    "tabular columns spreadsheet chart | markdown headings bold outline readme cheat sheet "
    "cheatsheet format formatted as in into blog post article tutorial documentation links "
    "urls list bullet bulleted enumerate steps tips ideas ways examples reasons pros and cons "
    "compare comparison differences three two 12 things items facts questions points words "
    "explain describe essay story step-by-step step by step detailed in detail elaborate "
    "overview biography history of write a letter poem "
    # short_answer
    "yes or no true or false classify categorise categorize label sentiment which one of "
    "choose pick one the select in a single a few word one-word single word briefly short "
    "answer what am i riddle calculate compute convert haiku title slogan tagline acronym "
    "abbreviation synonym antonym rate this it how many much old long far often soon "
    "you are you're respond reply act play playing role-play roleplay pretend is are do does "
    "can could would will you isn't don't Yes No maybe 3 42% f(x) Grrrr hmmm a week "
    # answer_format (markdown)
    "# ## **bold** ** [a](https://x) [b](/c) | x | "
    # others
    "the and of print() café naïve ﬁle İs K"
)
#: Phrases the rules match as a whole, so that generated texts hold them intact.
_PHRASES = (
    "write the code", "code for", "this code", "source code", "regular expression",
    "from x import y", "\ndef f", "\nimport os", "\nSELECT a", "cheat sheet",
    "format it as", "blog post", "pros and cons", "three useful things", "12 questions",
    "step-by-step", "in detail", "history of", "write a poem", "yes or no", "which one",
    "pick the", "in one word", "one-word", "short answer", "what am i", "rate this",
    "how many", "how long", "you are", "act as", "role-play", "Is it safe?", "Does it apply?",
    "Can you help?", "| a | b |", "\n# Title", "**bold**", "[a](https://x)",
)  # fmt: skip
_TOKENS = (
    _TRIGGERS.split() + list(_PHRASES) + ["\n", "\n\n", "?", ".", "!", ":", ",", "-", " ", "  "]
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(_TOKENS), max_size=30))
    seps = draw(st.lists(st.sampled_from([" ", "", "\n", " ", "-", "_"]), min_size=len(parts)))
    text = "".join(p + s for p, s in zip(parts, seps, strict=False))
    if draw(st.booleans()):
        text = text.upper() if draw(st.booleans()) else text.title()
    return text + draw(st.sampled_from(["", "?", " ?", "?\n", ".", "  "]))


_ANY_TEXT = st.one_of(_texts(), st.text(max_size=80))


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT, st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True))
def test_ascii_words_agree_with_word_boundaries(text: str, word: str) -> None:
    words = ascii_words(text)
    if not text.isascii():
        assert words is None
        return
    assert words is not None
    assert (word in words) == bool(re.search(rf"\b{word}\b", text, re.I))
    for w in words:
        assert re.search(rf"\b{re.escape(w)}\b", text, re.I)


def _asked_format_unscreened(request: str) -> int:
    text = request[-requests.MAX_REQUEST_CHARS :].lower()
    return sum(bit for bit, _, pattern in requests._PATTERNS if pattern.search(text))


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_asked_format_equals_unscreened_rules(request: str) -> None:
    assert requests.asked_format(request) == _asked_format_unscreened(request)


def _short_answer_unscreened(prompt: str, answer: str) -> bool:
    prompt = prompt.strip()
    if sa._SHORT_OK.search(prompt) or sa._CALL_OR_NUMBER.fullmatch(answer):
        return True
    if sa._QUANTITY_QUESTION.search(prompt) and sa._QUANTITY.search(answer):
        return True
    if sa._ROLE_PLAY.search(prompt) and sa._SOUND.search(answer):
        return True
    return bool(sa._YES_NO_QUESTION.search(prompt) and sa._YES_NO_ANSWER.match(answer))


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT, _ANY_TEXT)
def test_short_answer_plausible_equals_unscreened_rules(prompt: str, answer: str) -> None:
    assert sa.short_answer_plausible(prompt, answer) == _short_answer_unscreened(prompt, answer)


_CASES = [str.lower, str.upper, str.title, str.swapcase]
_SOUNDS = st.lists(
    st.sampled_from(["a", "A", "b", "B", "z", "Z", "aa", "Aa", "AAa", "zZz", " ", "-", "1", "_"]),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        _texts(),
        _SOUNDS,
        st.text(alphabet=string.printable, max_size=80),
        st.builds(lambda t, case: case(t), st.sampled_from(_TOKENS), st.sampled_from(_CASES)),
    )
)
def test_lower_case_patterns_find_in_lowered_ascii_what_folding_ones_find(text: str) -> None:
    """The short-answer patterns asked of lower-cased ASCII text without ``re.I``."""
    _assert_lower_case_patterns_agree(text)


def test_lower_case_patterns_agree_on_every_trigger_in_every_case() -> None:
    for token in _TOKENS:
        for case in _CASES:
            _assert_lower_case_patterns_agree(f"x {case(token)} y")


def _assert_lower_case_patterns_agree(text: str) -> None:
    low = sa._lowered(text)
    if low is None:
        assert not text.isascii()
        return
    for folding, lower in _PROMPT_PATTERN_PAIRS:
        assert _spans(folding, text) == _spans(lower, low)
    if text.isascii():  # the answer's sound (a back-reference) is lowered for ASCII alone
        assert bool(sa._SOUND.search(text)) == bool(sa._SOUND_LOWER.search(low))


_PROMPT_PATTERN_PAIRS = [
    (sa._SHORT_OK, sa._SHORT_OK_LOWER),
    (sa._ROLE_PLAY, sa._ROLE_PLAY_LOWER),
    (sa._QUANTITY_QUESTION, sa._QUANTITY_QUESTION_LOWER),
    (sa._YES_NO_QUESTION, sa._YES_NO_QUESTION_LOWER),
]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


#: Characters whose case the folding engine and ``str.lower`` treat apart from ASCII's.
_ODD = ["K", "İ", "ı", "ſ", "É", "ß", "ẞ", "Σ", "ς", "Ⅰ", "Ⓐ", "ǅ", "\u2003", "٣", "é"]


@settings(max_examples=400, deadline=None)
@given(_texts(), st.lists(st.tuples(st.integers(0, 200), st.sampled_from(_ODD)), max_size=4))
def test_lower_case_prompt_patterns_find_in_any_lowered_text_what_folding_ones_find(
    text: str, inserts: list[tuple[int, str]]
) -> None:
    """Not ASCII: characters lowered to ASCII (Kelvin sign), lowered to two (dotted I),
    taken for an ASCII letter by re.I alone (dotless i, long s), others of every kind."""
    for at, char in inserts:
        text = text[:at] + char + text[at:]
    _assert_lower_case_patterns_agree(text)
    for folding, lower in _PROMPT_PATTERN_PAIRS[:1]:  # a trigger word with an odd letter
        for word in ("claſſify", "thıs", "tİtle", "Kelvin sKip", "sentİment ſelect the"):
            low = sa._lowered(word)
            assert low is None or _spans(folding, word) == _spans(lower, low)


def test_lower_keeps_what_the_prompt_patterns_read_of_every_character() -> None:
    """What :func:`short_answer._lowered` relies on, for every code point: ``lower`` gives
    one character (but for the dotted I), a word character, a space or neither as the
    character was, an ASCII letter only for that letter in either case or the Kelvin sign;
    and ``re.I`` takes for an ASCII letter exactly those and the odd folds."""
    letters = re.compile("[a-z]", re.I)
    for code in range(0x110000):
        char = chr(code)
        low = char.lower()
        if char in sa._ODD_FOLDS:
            continue
        assert len(low) == 1, hex(code)
        assert low.isalnum() == char.isalnum() and low.isspace() == char.isspace(), hex(code)
        if code >= 128 and (low.isascii() or letters.match(char)):
            assert char == "\u212a" and low == "k", hex(code)


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT)
def test_markdown_screen_never_hides_markdown(text: str) -> None:
    if answers._MARKDOWN.search(text):
        assert answers._may_be_markdown(text)


_REFUSAL_PHRASES = (
    "As an AI language model,", "as an AI, I", "I'm an AI", "I am just an AI", "I'm an AI's",
    "I don't have personal opinions", "I cannot browse the internet", "I can't access websites",
    "my knowledge cutoff", "the training data cut-off", "as of my last update",
    "My training data goes up to", "I was trained by OpenAI", "I'm not a doctor",
    "I am not a licensed lawyer", "I can't provide legal advice", "I cannot help with that.",
    "I'm sorry, but I can't assist you.", "I won't be able to help with this",
    "I must decline", "I'll have to refuse", "this request violates", "your prompt goes against",
    "against my guidelines", "violates OpenAI's usage policies",
    "it is not appropriate for me to", "It's unethical for me to", "I'm not comfortable with that",
    "I don't feel comfortable providing", "I do not think it is appropriate to",
    "I cannot stress enough", "I can't refund orders", "Who are you?", "role play as an AI",
    "I’m an AI", "I can’t help with that.",
)  # fmt: skip
_FILLER = ("Sure", "here", "is", "the", "answer", "x" * 60, "\n", ".", ",", "'", "-")


@st.composite
def _answers(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(_REFUSAL_PHRASES + _FILLER), max_size=25))
    seps = draw(st.lists(st.sampled_from([" ", "", "\n", "'"]), min_size=len(parts)))
    text = "".join(p + s for p, s in zip(parts, seps, strict=False))
    return text.upper() if draw(st.booleans()) and draw(st.booleans()) else text


def _find_refusal_unscreened(text: str, skip: frozenset[str]) -> tuple[str, str] | None:
    lower = normalize_quotes(text).lower()
    if refusal._SCREEN.isdisjoint(lower.translate(refusal._PUNCT).split()):
        return None
    short = len(lower) <= refusal._BEFORE + refusal._AFTER
    for kind, keys, rx in refusal._COMPILED:
        if kind in skip:
            continue
        for key in keys:
            pos = lower.find(key)
            if pos == -1:
                continue
            if short:
                m = rx.search(lower)
                if m:
                    return kind, " ".join(m[0].split())
                break
            while pos != -1:
                m = rx.search(lower, max(0, pos - refusal._BEFORE), pos + len(key) + refusal._AFTER)
                if m:
                    return kind, " ".join(m[0].split())
                pos = lower.find(key, pos + 1)
    return None


@settings(max_examples=300, deadline=None)
@given(st.one_of(_answers(), st.text(max_size=80)), st.booleans())
def test_find_refusal_equals_unscreened_rules(text: str, skip_disclaimers: bool) -> None:
    skip = refusal._NO_DISCLAIMER if skip_disclaimers else frozenset()
    assert refusal.find_refusal(text, skip) == _find_refusal_unscreened(text, skip)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_answers(), _texts()), st.lists(_answers(), min_size=1, max_size=2))
def test_refusal_check_reads_the_prompt_when_it_matters(prompt: str, replies: list[str]) -> None:
    messages = [Message(role="user", content=prompt)]
    for a in replies:
        messages += [Message(role="assistant", content=a), Message(role="user", content=prompt)]
    ex = ChatExample(messages=messages[:-1], location=SourceLocation(source="t", line=1))
    expected = []
    for i, m in enumerate(ex.messages, start=1):
        if m.role == "assistant" and m.text:
            ask = refusal.asks_about_assistant(prompt)
            found = _find_refusal_unscreened(m.text, refusal._NO_DISCLAIMER if ask else frozenset())
            if found:
                expected.append(f"{found[0]} in message {i}: '{found[1][:60]}'")
    assert list(refusal.refusal(ex, CheckSettings())) == (["; ".join(expected)] if expected else [])


_SCREEN_FILLER = ("_", "ai_model", "real-time", "real time", "cut-off", "won't", "can't",
                  "As an A.I.,", "i", "I", "as", "it", "not", "é", "1", "I’m", "can’t", "AI\u3000x",
                  "\u3000", "\xa0", "ＡＩ", "\u212a", "NOT", "Not\u2019s", "ĀI", "\x1c", "NOT\x1fA",
                  "ADVICE", "Cannot", "İ", "\u0130 cannot", "—i", "²i", "é", "Ω", "中",
                  "I\u00a0cannot help with that.", "I cannot\u2028help you.")  # fmt: skip


@st.composite
def _screened_answers(draw: st.DrawFn) -> str:
    """Answers of refusal phrases, filler and the pieces the batch screen cuts
    ``_SCREEN``'s words into, run together or apart."""
    parts = draw(
        st.lists(st.sampled_from(_REFUSAL_PHRASES + _FILLER + _SCREEN_FILLER), max_size=25)
    )
    seps = draw(st.lists(st.sampled_from([" ", "", "\n", "'", "_", "."]), min_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=False))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_screened_answers(), _answers()), max_size=8))
def test_refusal_batch_screen_passes_every_answer_that_may_refuse(texts: list[str]) -> None:
    """An answer the batch screen (``refusal._plain_answers``) rules out meets none of
    the patterns' word groups or none of ``_SCREEN``'s words, and the rule finds nothing
    there."""
    for text, out in zip(texts, refusal._plain_answers(texts, CheckSettings()), strict=True):
        if not out:
            continue
        lower = normalize_quotes(text).lower()
        screened = not refusal._SCREEN.isdisjoint(lower.translate(refusal._PUNCT).split())
        if text.isascii() or not refusal._LOWERS_TO_ASCII.search(text):
            # beyond ASCII: read with a "?" for each such character
            read = text.encode("ascii", "replace").decode("ascii")
            listed = ascii_word_list(read) or []
            words = frozenset(listed)
            needs = refusal._NEEDS
            possible = any(
                all(not g.isdisjoint(words) for g in n) and refusal_words.may_match(listed, runs)
                for n, runs in zip(needs, refusal_words.PARSED, strict=True)
            )
        else:
            possible = True  # the rule asks every pattern
        assert not (possible and screened), text
        assert _find_refusal_unscreened(text, frozenset()) is None, text


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(_screened_answers(), _answers(), st.text(max_size=80)), max_size=8),
    st.booleans(),
)
def test_find_refusal_after_the_batch_screen_equals_unscreened_rules(
    texts: list[str], skip_disclaimers: bool
) -> None:
    """``find_refusal`` reading the group bits the batch screen left (``_HELD``) finds
    what the unscreened rule finds, on the answers the screen left open and the others."""
    skip = refusal._NO_DISCLAIMER if skip_disclaimers else frozenset()
    refusal._plain_answers(texts, CheckSettings())
    for text in texts:
        assert refusal.find_refusal(text, skip) == _find_refusal_unscreened(text, skip), text


#: Pieces of the patterns' phrases, cut where a match may end or run into what follows,
#: and the words around them, for answers that come close to a pattern or meet one.
_RUN_PIECES = ("I", "i", "I'm", "I’m", "I am", "I 'm", "am", "'m", "m", "as", "As", "as a",
               "as an", "a", "an", "A.I.", "a.i", "AI", "AIs", "aim", "LLM", "LLMs", "llama",
               "language model", "large", "artificial intelligence", "just", "merely", "not",
               "can't", "can’t", "cannot", "can not", "won't", "will not", "unable to",
               "not able to", "not going to be able to", "must decline to", "refuse to",
               "have to decline to", "help", "assist you", "with that", "with requests", ".",
               "!", "fulfill this", "comply", "provide such content", "engage in any",
               "do that.", "continue with this", "do not", "don't", "have", "personal opinions",
               "access", "browse", "the internet", "the web", "the ability to", "my", "the",
               "knowledge", "training", "data", "cut-off", "cutoff", "of", "last update",
               "goes", "up to", "was", "have been", "'ve been", "trained", "made", "by",
               "OpenAI", "Google", "Metaverse", "Microsoft", "a doctor", "licensed",
               "physician", "qualified to", "give", "legal", "advice", "advices", "must",
               "need to", "will have to", "'ll have to", "respectfully", "decline",
               "declined", "refuse", "this", "your", "request", "question", "violates",
               "violated", "breaches", "is against", "is in violation of", "against",
               "violate", "guidelines", "programming", "principles", "policies", "'s",
               "usage policy", "it", "It", "is", "would be", "not appropriate",
               "inappropriate", "unethical", "for me to", "comfortable", "feel comfortable",
               "think it's appropriate", "providing", "x" * 50, "\n", "é", "\u3000", "\xa0",
               "中", "½", "٣", "ſ", "ı", "—")  # fmt: skip


@st.composite
def _run_answers(draw: st.DrawFn) -> str:
    """Answers made of ``_RUN_PIECES``, run together or apart, in any case."""
    parts = draw(st.lists(st.sampled_from(_RUN_PIECES + _REFUSAL_PHRASES), max_size=30))
    seps = draw(st.lists(st.sampled_from([" ", " ", "", "\n", "'", ".", ",", "-", "\u2019",
                                          "\xa0", "é"]), min_size=len(parts)))  # fmt: skip
    text = "".join(p + s for p, s in zip(parts, seps, strict=False))
    case = draw(st.sampled_from(["", "upper", "title"]))
    return text.upper() if case == "upper" else text.title() if case == "title" else text


def _pattern_matches(lower: str, keys: tuple[str, ...], rx: re.Pattern[str]) -> bool:
    """Whether the rule finds a match of one pattern (``keys``, ``rx``) in ``lower``, as
    ``find_refusal`` looks for it: in windows around its keys, or in a short text whole."""
    short = len(lower) <= refusal._BEFORE + refusal._AFTER
    for key in keys:
        pos = lower.find(key)
        while pos != -1:
            if short:
                return rx.search(lower) is not None
            if rx.search(lower, max(0, pos - refusal._BEFORE), pos + len(key) + refusal._AFTER):
                return True
            pos = lower.find(key, pos + 1)
    return False


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_run_answers(), _screened_answers()))
def test_refusal_runs_hold_every_match(text: str) -> None:
    """A pattern the rule matches in an answer (read as the batch screen reads it:
    beyond ASCII, a "?" for each character, unless one lowers to ASCII) has one of its
    runs of words (``refusal_words.RUNS``) in the answer's words."""
    if not text.isascii() and refusal._LOWERS_TO_ASCII.search(text):
        return  # the screen asks every pattern of such an answer
    lower = normalize_quotes(text).lower()
    words = ascii_word_list(text.encode("ascii", "replace").decode("ascii")) or []
    for (_, keys, rx), runs in zip(refusal._COMPILED, refusal_words.PARSED, strict=True):
        if _pattern_matches(lower, keys, rx):
            assert refusal_words.may_match(words, runs), (rx.pattern, text)


#: Per pattern, a short phrase it matches whose last word a window's end may cut or
#: that may run into what follows.
_MATCHED = ("as an ai", "i'm an ai", "i don't have opinions", "i can't browse the web",
            "my training cutoff", "as of my update", "my training data goes to",
            "i was made by google", "i'm not a doctor", "i can't give legal advice",
            "i cannot help with that", "i must decline", "your query violates",
            "against my guidelines", "it is unethical for me to", "i'm not comfortable with this",
            "i don't feel comfortable to")  # fmt: skip


@pytest.mark.parametrize("pattern", range(len(refusal.PATTERNS)))
def test_refusal_runs_hold_matches_cut_by_a_window(pattern: int) -> None:
    """A pattern's phrase found in a window around an earlier key, the window's end
    falling anywhere in the phrase or in a word the phrase's last word runs into, holds
    one of the pattern's runs (every filler length puts the end somewhere else)."""
    _, keys, rx = refusal._COMPILED[pattern]
    runs = refusal_words.PARSED[pattern]
    found = 0
    for glue in ("", "zz", "developed", "s"):
        for filler in range(150):
            text = f"{keys[0]} {'q' * filler} {_MATCHED[pattern]}{glue} end"
            if _pattern_matches(text, keys, rx):
                found += 1
                assert refusal_words.may_match(ascii_word_list(text) or [], runs), text
    assert found


@st.composite
def _around_a_match(draw: st.DrawFn, pattern: int) -> str:
    """A text of one match of ``pattern`` (drawn from its regex, in any case when ASCII),
    after one of its keys and filler (so that the rule's window may end inside it) and
    before what its last word may run into."""
    _, keys, rx = refusal._COMPILED[pattern]
    alphabet = st.characters(max_codepoint=0x3000, exclude_characters="\u0130\u212a")
    match = draw(st.from_regex(rx, fullmatch=True, alphabet=alphabet))
    if match.isascii() and draw(st.booleans()):
        match = match.upper() if draw(st.booleans()) else match.title()
    key = draw(st.sampled_from(keys))
    before = draw(st.sampled_from(["", "x ", f"{key} ", f"{key} "]))
    if before == f"{key} " and draw(st.booleans()):
        # the window around the key ends ``cut`` characters into the match (at its end
        # half the time: where what its last word runs into is cut off)
        cut = draw(st.one_of(st.just(len(match)), st.integers(0, len(match))))
        filler = "q" * max(0, len(key) + refusal._AFTER - len(before) - 1 - cut)
    else:
        filler = "q" * draw(st.integers(0, 150))
    after = draw(st.sampled_from(["", "s", "zz", "developed", "s", " end", ".", "\u2019s"]))
    tail = draw(st.sampled_from(["", " z" * 40]))  # a text of over 144 characters is
    return f"{before}{filler} {match}{after}{tail}"  # searched in windows


@pytest.mark.parametrize("pattern", range(len(refusal.PATTERNS)))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_refusal_runs_hold_the_patterns_matches(pattern: int, data: st.DataObject) -> None:
    """Every match of a pattern (drawn from its regex, with what may stand around it),
    where the rule finds it, holds one of the pattern's runs in the words the batch
    screen reads."""
    _, keys, rx = refusal._COMPILED[pattern]
    text = data.draw(_around_a_match(pattern))
    if _pattern_matches(normalize_quotes(text).lower(), keys, rx):
        read = text.encode("ascii", "replace").decode("ascii")
        assert refusal_words.may_match(ascii_word_list(read) or [], refusal_words.PARSED[pattern])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_run_answers(), st.text(max_size=40)), min_size=1, max_size=8))
@example(["I am", "not a doctor", "as an", "AI, I", "as", "ai", "by", "google"])
@example(["i can't", "do that", "i", "cannot", "help"])
def test_run_reader_reads_what_may_match_reads(texts: list[str]) -> None:
    """``RunReader.held`` over a batch's hits tells, per text, exactly which runs
    ``may_match`` finds in the text's words."""
    read = [t.encode("ascii", "replace") for t in texts]
    found = byte_words.hits(read, WORD_BYTES, refusal._ASKED_NUMBERS, follow=True)
    held = refusal._RUNS.held(len(texts), found).tolist()
    runs = [run for pattern in refusal_words.PARSED for run in pattern]
    for text, bits in zip(read, held, strict=True):
        words = ascii_word_list(text.decode("ascii")) or []
        expected = sum(
            1 << k for k, run in enumerate(runs) if refusal_words.may_match(words, (run,))
        )
        assert bits == expected, text


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=60))
def test_refusal_ascii_screen_words_in_one_translation(text: str) -> None:
    """An ASCII text's words cut by ``_ASCII_LOWER_PUNCT`` (lower case, punctuation and
    the 0x1c-0x1f separators) are ``_screen_words`` of its lower case."""
    cut = text.encode("ascii").translate(refusal._ASCII_LOWER_PUNCT).split()
    assert [w.decode("ascii") for w in cut] == refusal._screen_words(text.lower())


def test_only_two_characters_lower_to_ascii() -> None:
    """``refusal._LOWERS_TO_ASCII`` holds every character beyond ASCII whose lower case
    holds an ASCII character."""
    found = [c for c in map(chr, range(0x80, 0x110000)) if not c.lower().isascii()
             and any(ch.isascii() for ch in c.lower())]  # fmt: skip
    found += [c for c in map(chr, range(0x80, 0x110000)) if c.lower().isascii()]
    assert sorted(found) == sorted(refusal._LOWERS_TO_ASCII.pattern.strip("[]"))


def test_refusal_batch_screen_rules_out_plain_answers() -> None:
    texts = [
        "Sure, here is the answer.",  # no pattern's words
        "I think it is not a problem.",  # a pattern's words, a screen word, no run of them
        "I think it is not appropriate for me to say.",  # a run ("it is not"): the rule
        "I think it is fine, as you said.",  # a pattern's words, no screen word
        "As an A.I., I cannot say.",
        "I can_not say",  # an underscore: left to the rule
        "Voilà, c'est très bien.",  # beyond ASCII: every pattern, but no screen word
        "Voilà: I’m not sure.",  # beyond ASCII, a screen word, no run
        "Voilà: I’m not a doctor.",  # beyond ASCII, a screen word and a run
        "Voilà\u3000bien",  # white space beyond ASCII: read as "?" too
        "\u0130\u3000bien",  # a capital that lowers to ASCII, and such white space: the rule
        "\u212a is not fine",  # the Kelvin sign: every pattern, and a screen word
    ]
    assert refusal._plain_answers(texts, CheckSettings()) == [
        *(True, True, False, True, False, False),
        *(True, True, False, True, False, False),
    ]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: Letters of every script the detector knows, their neighbours just outside its ranges,
#: and characters beyond the BMP (two UTF-16 surrogates each) and lone surrogates.
_SCRIPT_CHARS = st.one_of(
    st.characters(),
    st.sampled_from("аяЀӿͰϿ؀ۿݐݿ֐׿ऀॿ฀๿가힯ᄀᇿ぀ヿ一鿿㐀䶿ͯ԰܀຀ꀀힰ\ud800\udfff𝔘😀𠀀ÀéİıſK１٣\u3000\xa0’"),
)


@settings(max_examples=300, deadline=None)
@given(st.text(_SCRIPT_CHARS, max_size=60))
def test_script_letters_are_what_each_script_regex_finds(text: str) -> None:
    """``language._script_letters`` counts, per script, the characters its regex finds."""
    expected = [len(rx.findall(text)) for _, rx in language._SCRIPT_RX]
    assert language._script_letters(text) == expected


def _detect_language_unscreened(text: str) -> str | None:
    text = strip_code(text)[: language._SAMPLE_CHARS]
    counts: dict[str, int] = {}
    if _NON_ASCII.search(text):
        for name, rx in language._SCRIPT_RX:
            n = len(rx.findall(text))
            if n:
                counts[name] = n * (3 if name in language._WIDE else 1)
        if "Japanese" in counts and "Chinese" in counts:
            counts["Japanese"] += counts.pop("Chinese")
    words = language._WORDS.findall(text.lower())
    latin = sum(map(len, words))
    if latin:
        counts["Latin"] = latin
    total = sum(counts.values())
    if total < language._MIN_LETTERS:
        return None
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < language._MIN_SHARE * total:
        return None
    if script != "Latin":
        return script
    if language._name_list(text):
        return "Latin"
    hits = dict.fromkeys(language._STOPWORDS, 0)
    for w in words:
        lang = language._WORD_LANGUAGE.get(w)
        if lang is not None:
            hits[lang] += 1
    (best, lang), (second, _) = sorted(((n, k) for k, n in hits.items()), reverse=True)[:2]
    if best >= language._MIN_STOPWORDS and best >= language._STOPWORD_LEAD * second:
        return lang
    return "Latin"


def _language_mismatch_unscreened(prompt: str, context: str, answer: str) -> object:
    asks = (prompt + "\n" + context).lower()
    if any(k in asks for k in language._LANGUAGE_WORDS):
        return None
    asked = _detect_language_unscreened(prompt)
    if asked is None or (asked == "Latin" and not _NON_ASCII.search(answer)):
        return None
    given = _detect_language_unscreened(answer)
    if given is None or given == asked:
        return None
    if "Latin" in (asked, given) and (asked in language._STOPWORDS or given in language._STOPWORDS):
        return None
    return asked, given


_LANGUAGE_TOKENS = (
    *sorted(language._WORD_LANGUAGE)[::3],
    *"the and of to is what how your".split(),
    "机器学习", "日本語です", "Привет мир", "Γειά σου", "안녕하세요", "ありがとう", "شكرا",
    "translate", "French", "in English", "`code`", "```\nprint(1)\n```", "\n1. Les 400 Coups",
    "\n- Paris", "\n* Café de Flore", "words", "lorem", "ipsum", "123",
)  # fmt: skip


@st.composite
def _language_texts(draw: st.DrawFn) -> str:
    return " ".join(draw(st.lists(st.sampled_from(_LANGUAGE_TOKENS), max_size=40)))


@settings(max_examples=300, deadline=None)
@given(_language_texts(), st.sampled_from(["", "Answer in French."]), _language_texts())
def test_language_mismatch_equals_unscreened_rules(prompt: str, context: str, answer: str) -> None:
    assert language.detect_language(prompt) == _detect_language_unscreened(prompt)
    assert language.detect_language(answer) == _detect_language_unscreened(answer)
    expected = _language_mismatch_unscreened(prompt, context, answer)
    assert language.language_mismatch_of(prompt, context, answer) == expected


def _find_placeholders_unscreened(text: str) -> list[tuple[str, str]]:
    """Each group of patterns over the prose where the text holds one of its needles (the
    rule: lorem ipsum in a case none of its needles has, "LoReM", is not looked for)."""
    rx = [r for needles, r in placeholders._GROUPS.items() if any(n in text for n in needles)]
    prose = strip_code(text)
    found = sorted(
        (m.start(), placeholders._KIND[m.lastgroup or "p0"], m[0])
        for r in rx
        for m in r.finditer(prose)
    )
    return [(kind, value) for _, kind, value in found]


_PLACEHOLDER_TOKENS = (
    "{{name}}", "{% if x %}", "${var}", "{customer_name}", "%(name)s", "__NAME__",
    "[INSERT DATE]", "[Your Name]", "[name]", "<PLACEHOLDER>", "<insert link>", "EMAIL_HERE",
    "XX/XX/XXXX", "Lorem ipsum", "dolor sit amet", "DOLOR SIT AMET", "color", "theorem",
    "İpsum", "é", "TODO:", "TBD", "FIXME", "'PLACEHOLDER'",
    "`{{code}}`", "```\n{{x}}\n```", "{", "}", "[", "]", "<", ">", "_", "X", "text", "\n",
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PLACEHOLDER_TOKENS), max_size=12).map(" ".join) | st.text())
def test_find_placeholders_equals_unscreened_rules(text: str) -> None:
    assert placeholders.find_placeholders(text) == _find_placeholders_unscreened(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60) | st.text(max_size=40))
def test_pii_screen_is_the_digit_at_or_ipv6_colons_test(text: str) -> None:
    ipv6 = "::" in text or text.count(":") >= 7
    assert may_hold_pii(text) == ("@" in text or re.search(r"\d", text) is not None or ipv6)


_ODD_CHARS = ["a", "Z", "\ud800", "\udfff", "É", "İ", "ß", "\u212a", "—", ",", "'", " ", "\x1c"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60)
    | st.text(max_size=40)
    | st.lists(st.sampled_from(_ODD_CHARS), max_size=20).map("".join)
)
def test_repetition_words_equal_lower_translate_split(text: str) -> None:
    assert repetition._words(text) == text.lower().translate(repetition._PUNCT).split()


_SIGN_TOKENS = (
    "{{name}}", "{% if %}", "${v}", "%(n)s", "__X__", "_HERE", "[", "]", "<", ">", "#", ":",
    "XX/XX", "X", "Lorem ipsum", "LOREM", "dolor", "DOLOR", "TODO", "FIXME", "TBD",
    "PLACEHOLDER", "TO", "DO", "jo@x.io", "42", "\n", "\t", "\x00", "\x07", "\x1b", "\x7f",
    "word", "Word", "WORD", " ", "é", "\ufffd",
)  # fmt: skip
_SIGN_TEXTS = st.one_of(
    st.lists(st.sampled_from(_SIGN_TOKENS), max_size=12).map("".join),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(_SIGN_TEXTS)
def test_sign_screens_rule_out_only_what_the_text_scans_rule_out(text: str) -> None:
    """Each screen asking a text's sign (``checks.signs``) says "absent" only when the scan
    it replaces finds nothing, and the rules given the sign answer as without it."""
    sign = sign_of(text)
    if sign is None:
        assert not text.isascii()
        return
    assert sign == bytes(b for b in text.encode() if b in KEPT)
    if residue._SIGN_SCREEN.isdisjoint(sign):
        assert not residue._SCREEN.search(text)
    if CONTROL.isdisjoint(sign):
        assert not encoding._ASCII_DAMAGE.search(text)
    if pii._SIGN_SCREEN.isdisjoint(sign) and b"::" not in sign and sign.count(b":") < 7:
        assert not may_hold_pii(text) and not pii._may_hold(sign, (text,))
    if not pii._may_hold(sign, (text,)):
        assert not pii.pii_in([("user", text)], [Message(role="user", content=text)],
                              frozenset(pii.CATEGORIES), frozenset())  # fmt: skip
    if not placeholders._may_hold_needle(text, sign):
        assert not placeholders._ANY_NEEDLE.search(text)
    assert placeholders.find_placeholders(text, sign) == placeholders.find_placeholders(text)
    assert encoding.damage(text, sign) == encoding.damage(text)
    for role in ("user", "assistant"):
        for opening in (True, False):
            screened = residue.find_residue(text, role, opening, sign)
            assert screened == residue.find_residue(text, role, opening)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SIGN_TEXTS, min_size=1, max_size=4))
def test_row_screens_pass_every_row_a_rule_could_flag(texts: list[str]) -> None:
    """A row that a rule's row screen calls clean gets nothing from the rule."""
    messages = [Message(role=("user", "assistant")[i % 2], content=t) for i, t in enumerate(texts)]
    ex = ChatExample(messages=messages, location=SourceLocation(source="t", line=1))
    batch = CheckBatch([ex], [ex])
    turns = turns_of(ex)
    if encoding._clean_row(batch, 0):
        assert encoding.damage_in(turns, CheckSettings()) is None
    if placeholders._clean_row(batch, 0):
        assert placeholders.placeholders_in(turns, CheckSettings()) is None


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT)
def test_word_list_is_the_word_set_as_a_list(text: str) -> None:
    listed = ascii_word_list(text)
    words = ascii_words(text)
    assert (listed is None) == (words is None)
    if listed is not None:
        assert frozenset(listed) == words
    lower = text.lower()
    assert refusal._screen_words(lower) == lower.translate(refusal._PUNCT).split()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_ODD_CHARS, "(", "|", "_", "?"]), max_size=20).map("".join))
def test_refusal_screen_words_of_any_text(text: str) -> None:
    lower = text.lower()
    assert refusal._screen_words(lower) == lower.translate(refusal._PUNCT).split()


_PII_TOKENS = (
    "jo@x.io", "support@acme.com", "555-0142", "(415) 555-0199", "+44 20 7946 0958",
    "123-45-6789", "SSN", "4111 1111 1111 1111", "4242424242424242", "10.0.0.1", "8.8.8.8",
    "2001:db8::1", "fe80::1:2:3:4", "DOB", "d.o.b", "date of birth", "born on", "Mr No",
    "MRN", "mr#", "medical record number", "03/14/1962", "00482913", "1", "12", ".", ":",
    " ", "\n", "call", "patient", "v1.2.3.4", "٣", "Ⅻ",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PII_TOKENS), max_size=10).map(" ".join) | st.text(max_size=40))
def test_pii_digit_count_screens_change_nothing(text: str) -> None:
    from ftprep.pii import detectors

    sign = sign_of(text)
    if sign is not None:
        assert digits_in(sign) == sum(c.isdigit() for c in text)
        count = digits_in(sign)
        assert detectors.find_pii(text, digit_count=count) == detectors.find_pii(text)

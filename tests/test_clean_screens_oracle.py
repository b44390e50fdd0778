"""The text rules' screens against the rules run unscreened, on text like natural text.

Natural text holds colons, digits, capitals, quotes and the odd non-ASCII letter in most
messages; each screen in front of a rule (``clean.template_residue``, ...) may rule a text
out only where the rule, run on it in full, finds nothing. Each test here compares the
screened rule with a copy of it that has no screen, on generated texts mixing the rule's
trigger characters and words with prose.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.base import CheckSettings
from ftprep.checks.batch_view import CheckBatch, turns_of
from ftprep.checks.clean import encoding, missing_input, placeholders, residue
from ftprep.checks.prose import strip_code
from ftprep.checks.signs import sign_of
from ftprep.schema import ChatExample, Message, SourceLocation

_PROSE = (
    "The", "answer", "is", "Input", "Context", "Text", "input", "none", "N/A", "nan", "-",
    "no input", "Response", "Instruction", "Output", ":", ": ", ".", ",", " ", "\n", "\n\n",
    "\t", "#", "##", "### ", "<", ">", "[", "]", "{", "}", "|", "/", "INST", "SYS", "<<",
    ">>", "<|", "|>", "im_start", "noinput", "{input}", "{{input}}", "`", "```", "é", "İ",
    "2", "Mr.", "'", '"', "[INST]", "[/INST]", "<<SYS>>", "### Response:", "## Input:",
    "<noinput>", "< no input >", "<|im_start|>", "{question}",
)  # fmt: skip
_TEXTS = st.one_of(
    st.lists(st.sampled_from(_PROSE), max_size=14).map("".join),
    st.lists(st.sampled_from(_PROSE), max_size=10).map(" ".join),
    st.text(max_size=40),
)


def _find_residue_unscreened(text: str, role: str, opening: bool) -> list[str]:
    """``residue.find_residue`` with no screen: every pattern over the whole text."""
    found: list[str] = []
    stripped = text.strip()
    prompt = opening and role in ("user", "system")
    if (
        prompt
        and stripped
        and len(stripped) <= residue._SHORT_FIELD
        and residue._EMPTY_FIELD.fullmatch(stripped)
    ):
        return [f"the whole turn is '{stripped}'"]
    prose = strip_code(text)
    found += [f"'{' '.join(m[0].split())}'" for m in residue._MARKER.finditer(prose)]
    if role != "assistant":
        found += [f"'{m[0]}'" for m in residue._FIELD.finditer(prose)]
    if prompt:
        if "\n\n" in stripped:
            last = stripped.rsplit("\n\n", 1)[1].strip()
            if (
                len(last) <= residue._SHORT_FIELD
                and residue._EMPTY_FIELD.fullmatch(last)
                and last not in found
            ):
                found.append(f"input field '{last}'")
        if residue._DANGLING_LABEL.search(text):
            found.append("an empty 'Input:' field")
    return list(dict.fromkeys(found))


@settings(max_examples=500, deadline=None)
@given(_TEXTS, st.sampled_from(["user", "system", "assistant"]), st.booleans())
def test_find_residue_equals_the_rule_unscreened(text: str, role: str, opening: bool) -> None:
    expected = _find_residue_unscreened(text, role, opening)
    assert residue.find_residue(text, role, opening) == expected
    assert residue.find_residue(text, role, opening, sign_of(text)) == expected


def _chat(texts: list[str], line: int = 1) -> ChatExample:
    messages = [Message(role=("user", "assistant")[i % 2], content=t) for i, t in enumerate(texts)]
    return ChatExample(messages=messages, location=SourceLocation(source="t", line=line))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TEXTS, min_size=1, max_size=4), min_size=1, max_size=6))
def test_residue_batch_equals_the_rule_unscreened(rows: list[list[str]]) -> None:
    examples = [_chat(texts, n) for n, texts in enumerate(rows)]
    got = list(residue.residue_rows(CheckBatch(examples, examples), CheckSettings()))
    expected = []
    for row, texts in enumerate(rows):
        details: list[str] = []
        opening = True
        for i, text in enumerate(texts, start=1):
            role = ("user", "assistant")[(i - 1) % 2]
            if text:
                found = _find_residue_unscreened(text, role, opening)
                details += [f"{r} in message {i} ({role})" for r in found]
            opening = opening and role != "assistant"
        if details:
            expected.append((row, "; ".join(details)))
    assert got == expected


_PLACEHOLDER_PROSE = (
    "{{name}}", "[Your Name]", "<PLACEHOLDER>", "TODO:", "TBD", "XX/XX/XXXX", "__NAME__",
    "Lorem ipsum", "lorem ipsum dolor", "dolor sit amet", "DOLOR SIT AMET", "color",
    "theorem", "OREM", "olor", "Count the words in this short piece of text please:",
    "é", "İ", "😀", "中文", "T", "O", "D", " ", "\n", "`", "TO", "DO",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.lists(st.sampled_from(_PLACEHOLDER_PROSE), max_size=8).map("".join),
            min_size=1,
            max_size=4,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_placeholder_batch_equals_the_rule_on_every_row(rows: list[list[str]]) -> None:
    """The batch form (signs of non-ASCII rows, lorem ipsum's needles refined) flags each
    row as the rule run on every text of it does."""
    examples = [_chat(texts, n) for n, texts in enumerate(rows)]
    got = list(placeholders.placeholder_rows(CheckBatch(examples, examples), CheckSettings()))
    expected = []
    for row, ex in enumerate(examples):
        found = placeholders.placeholders_in(turns_of(ex), CheckSettings())
        if found is not None:
            expected.append((row, found))
    assert got == expected


_REFERENCE_PROSE = (
    "this", "these", "the", "following", "given", "provided", "attached", "above", "below",
    "previous", "follows", "text", "article", "list", "sentence", "code", "data", "x",
    "athis", "thisthe", "the given", "this following", "these following", "the following",
    " ", "  ", "\n", ":", ".", "-", "1", "é", "İ", "\u212a", "`", '"',
)  # fmt: skip
_REFERENCE_TEXTS = st.one_of(
    st.lists(st.sampled_from(_REFERENCE_PROSE), max_size=16).map(" ".join),
    st.lists(st.sampled_from(_REFERENCE_PROSE), max_size=16).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(_REFERENCE_TEXTS)
def test_matches_at_heads_are_finditer(text: str) -> None:
    for (_, _, rx), heads in missing_input._REFS_AND_HEADS:
        if heads is None:
            continue
        spans = [m.span() for m in missing_input._matches_at(rx, text, heads)]
        assert spans == [m.span() for m in rx.finditer(text)]


def _find_missing_reference_unscreened(prompt: str) -> str | None:
    """``missing_input.find_missing_reference`` with every pattern run over the text."""
    mi = missing_input
    text = strip_code(prompt.lower()).rstrip()
    for direction, _, rx in mi._REFS:
        for m in rx.finditer(text):
            after = text[m.end() :]
            if mi._CONTENT.search(after) or mi._words(after) >= mi._AFTER_WORDS:
                continue
            if direction == "either":
                before = text[: m.start()]
                if mi._CONTENT.search(before) or mi._words(before) >= mi._BEFORE_WORDS:
                    continue
            return " ".join(m[0].split())
    return None


@settings(max_examples=500, deadline=None)
@given(_REFERENCE_TEXTS)
def test_find_missing_reference_equals_the_rule_unscreened(text: str) -> None:
    expected = _find_missing_reference_unscreened(text)
    assert missing_input.find_missing_reference(text) == expected
    if expected is not None:
        assert not missing_input._without_keys([text])[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(_REFERENCE_TEXTS, min_size=1, max_size=3).flatmap(
            lambda texts: st.permutations(
                [
                    ("system", texts[0]),
                    *[(("user", "assistant")[i % 2], t) for i, t in enumerate(texts[1:])],
                ]
            )
        ),
        min_size=1,
        max_size=6,
    )
)
def test_missing_input_batch_equals_the_rule_on_every_row(
    rows: list[list[tuple[str, str]]],
) -> None:
    examples = [
        ChatExample(
            messages=[Message(role=role, content=text) for role, text in turns],
            location=SourceLocation(source="t", line=n),
        )
        for n, turns in enumerate(rows)
    ]
    got = list(missing_input.missing_input_rows(CheckBatch(examples, examples), CheckSettings()))
    expected = [
        (row, found)
        for row, ex in enumerate(examples)
        if (found := missing_input.missing_reference_in(turns_of(ex))) is not None
    ]
    assert got == expected


def _mojibake_unscreened(text: str) -> tuple[str, str] | None:
    """``encoding.mojibake`` without its screen: the hint, ftfy and every run tried."""
    import ftfy
    from ftfy.badness import is_bad

    hint = encoding._MOJIBAKE_HINT.search(text)
    if hint is not None and is_bad(text) and ftfy.fix_encoding(text) != text:
        start = max(0, hint.start() - 2)
        snippet = text[start : hint.end() + 2]
        return snippet, ftfy.fix_encoding(snippet)
    return encoding._legacy_run(text)


_ENCODING_PROSE = (
    "Ã©", "â€™", "Ã", "©", "â", "€", "™", "√©", "├⌐", "ΓÇÖ", "‚Äô", "Â", "ô", "\u0080",
    "’", "–", "…", "“", "é", "ăş", "你好", "😀", "≈", "═", "⌐", "√", "Ω", "∂", "ﬁ", "café",
    "naïve", "\ufffd", "\x07", "\ufeff", "word", " ", "\n", "résumé",
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(_ENCODING_PROSE), max_size=10).map("".join)
    | st.lists(st.sampled_from(_ENCODING_PROSE), max_size=10).map(" ".join)
    | st.text(max_size=30)
)
def test_mojibake_equals_the_rule_unscreened(text: str) -> None:
    assert encoding.mojibake(text) == _mojibake_unscreened(text)
    if encoding._MOJIBAKE_SCREEN.search(text) is None:
        assert _mojibake_unscreened(text) is None

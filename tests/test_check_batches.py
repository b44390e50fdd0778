"""Every per-example check's batch form flags exactly what its function flags, row by row.

The batch forms (``ftprep.checks.base.batch_form``) run in place of the functions in every
run; the functions stay the reference. Both are run over the examples of every real and
defect file in the repository, and over generated batches whose messages mix every
structure the screens look for (unknown roles, missing content, weights, extra keys, tool
calls and results, blank turns, preference pairs, documents) with the trigger phrases of
the text rules.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.checks.base import REGISTRY, Flag
from ftprep.checks.batch_view import CheckBatch, run_example_check
from ftprep.checks.clean.target import TargetSettings
from ftprep.config import Config
from ftprep.features import batch_scope, chat_view
from ftprep.loaders.registry import LoadOptions
from ftprep.loaders.source import load_record, open_source
from ftprep.schema import ChatExample, Example, Message, PreferenceExample, SourceLocation
from ftprep.turns import batch_turns

REPO = Path(__file__).resolve().parent.parent
_NOT_DATA = {"judgments.jsonl", "benchmark_items.jsonl"}  # ftprep's own records, not examples
FILES = sorted(
    p
    for p in [
        *(REPO / "tests/data/real").glob("*.json*"),
        *(REPO / "tests/data/text_warnings").glob("*.json*"),
        *(REPO / "tests/data/consistency").glob("*.json*"),
        *(REPO / "tests/data").glob("*.json*"),
        REPO / "tests/defects/corpus.jsonl",
        REPO / "sample_data/alpaca_small.json",
        REPO / "sample_data/clinical_coding.jsonl",
    ]
    if p.name not in _NOT_DATA
)
BATCHED = sorted(cid for cid, spec in REGISTRY.items() if spec.batch is not None)


def _per_example(cid: str, check_settings: Any, examples: list[Example]) -> list[Flag]:
    """The flags of ``cid``'s function, run example by example as the engine once did."""
    spec = REGISTRY[cid]
    assert spec.func is not None
    views = [chat_view(ex) for ex in examples]
    found = []
    with batch_scope():
        for row, ex in enumerate(examples):
            if ex.kind in spec.kinds:
                target = ex if ex.kind != "chat" else views[row]
                found += [Flag(row, d) for d in spec.func(target, check_settings)]
    return found


def _batched(cid: str, check_settings: Any, examples: list[Example]) -> list[Flag]:
    with batch_scope():
        batch = CheckBatch(examples, [chat_view(ex) for ex in examples])
        return run_example_check(REGISTRY[cid], check_settings, batch)


def _assert_same(examples: list[Example], config: Config) -> None:
    for cid in BATCHED:
        spec = REGISTRY[cid]
        check_settings = config.check_settings(cid, spec.settings)
        assert _batched(cid, check_settings, examples) == _per_example(
            cid, check_settings, examples
        ), cid


def _load(path: Path) -> list[Example]:
    options = LoadOptions()
    source = open_source(path, options)
    out: list[Example] = []
    for raw in source.raw_records():
        result = load_record(raw, source.name, source.format, source.container, options)
        if not hasattr(result, "reason") and not hasattr(result, "code"):
            out.append(result)  # type: ignore[arg-type]
    return out


def test_the_text_and_structure_checks_have_batch_forms() -> None:
    assert {"clean.refusal", "clean.unknown_role", "consistent.role_order"} <= set(BATCHED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_batch_forms_flag_what_the_functions_flag_on_real_files(path: Path) -> None:
    examples = _load(path)
    assert examples
    _assert_same(examples, Config())


@pytest.mark.parametrize("target", ["openai", "together", "mistral", "llamafactory"])
def test_target_batch_forms_with_a_target(target: str) -> None:
    examples = _load(REPO / "tests/data/real/llamafactory_glaive_toolcall_en_demo.json")
    examples += _load(REPO / "tests/data/real/llamafactory_dpo_en_demo.json")
    examples += _load(REPO / "tests/defects/corpus.jsonl")[:300]
    for cid in BATCHED:
        if cid.startswith("clean.target_"):
            check_settings = TargetSettings(target=target)
            got = _batched(cid, check_settings, examples)
            assert got == _per_example(cid, check_settings, examples), cid


_PHRASES = (
    "As an AI language model, I", "I'm sorry, but I can't help with that.", "Who are you?",
    "I must decline", "{{name}}", "[Your Name]", "<PLACEHOLDER>", "TODO:", "lorem ipsum",
    "<noinput>", "N/A", "### Response:", "{input}", "<|im_start|>", "Input:",
    "Summarize the following article.", "the given sentence", "this paragraph",
    "jane.roe@gmail.com", "(415) 555-0199", "SSN 123-45-6789", "4111 1111 1111 1111",
    "Ã©tÃ©", "caf\ufffd", "\x07", "Привет, как дела? Это тест на русском языке.",
    "¿Qué es esto? La casa de mi madre es muy grande y está en la ciudad.",
    "machine learning is the study of algorithms that improve with data",
    "I think I think I think I think I think", "Same line.\nSame line.\nSame line.",
    "```python\nprint('{{x}}')\n```", "`TODO`", "Translate to French:", "", " ", "\n",
    "Hello there.", "the and of to is", "Yes.", "Lorem ipsum dolor", "colorem", "XXL TBD",
)  # fmt: skip
_ROLES = ("system", "developer", "user", "assistant", "tool", "function", "human", "gpt")


@st.composite
def _texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):  # one phrase alone: a whole prompt or answer of its own
        return draw(st.sampled_from(_PHRASES))
    parts = draw(st.lists(st.sampled_from(_PHRASES), max_size=6))
    return draw(st.sampled_from([" ", "\n", "\n\n", ""])).join(parts)


@st.composite
def _messages(draw: st.DrawFn, min_size: int = 0) -> list[Message]:
    out = []
    for _ in range(draw(st.integers(min_size, 6))):
        role = draw(st.sampled_from(_ROLES[:4] * 4 + _ROLES))
        data: dict[str, Any] = {"role": role}
        shape = draw(st.sampled_from(["text"] * 6 + ["none", "parts", "missing"]))
        if shape == "text":
            data["content"] = draw(_texts())
        elif shape == "none":
            data["content"] = None
        elif shape == "parts":
            data["content"] = [
                {"type": "text", "text": draw(_texts())},
                {"type": "reasoning", "reasoning": draw(_texts())},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
            ][: draw(st.integers(1, 3))]
        if draw(st.integers(0, 5)) == 0:
            calls = []
            for _ in range(draw(st.integers(1, 2))):
                args = draw(st.sampled_from(['{"a": 1}', "{bad", "[1]", "{}"]))
                name = draw(st.sampled_from(["get", "put", None]))
                calls.append(
                    {
                        "id": draw(st.sampled_from(["c1", "c2", None])),
                        "type": "function",
                        "function": {"name": name, "arguments": args},
                    }
                )
            data["tool_calls"] = calls
        if draw(st.integers(0, 8)) == 0:
            data["function_call"] = {"name": "get", "arguments": "{}"}
        if role == "tool" and draw(st.booleans()):
            data["tool_call_id"] = draw(st.sampled_from(["c1", "c2", "c9"]))
        if draw(st.integers(0, 6)) == 0:
            data["weight"] = draw(st.sampled_from([0, 1, 2, 0.5, True]))
        if draw(st.integers(0, 6)) == 0:
            data[draw(st.sampled_from(["refusal", "thoughts", "id"]))] = "x"
        if draw(st.integers(0, 6)) == 0:
            data["name"] = draw(st.sampled_from(["bob", "555-123-4567"]))
        out.append(Message.model_validate(data))
    return out


_WHERE = SourceLocation(source="t.jsonl", line=1)
_TOOLS = [None, [{"type": "function", "function": {"name": "get"}}]]


#: Whole prompts and answers that trip the rules reading a prompt with its answer.
_PROMPTS = (
    "Summarize the following article.", "Find the longest word in the given sentence.",
    "Привет, как дела? Это тест на русском языке, и он довольно длинный.",
    "¿Qué es esto? La casa de mi madre es muy grande y está en la ciudad.",
    "What is machine learning? Tell me what it is and how it works, in detail.",
    "Who are you?", "Describe this image.",
    "Mis favoritos:\n1. Porque muy pronto\n2. Tambien hay ruido\n3. Cuando todos vuelven",
    "Dime porque los perros del barrio son muy amables y tambien por que hay tantos, sin ruido.",
    "Explain `el perro de la casa que los gatos` and `para los que la casa` please, in detail.",
    "Por favor, dime que es la casa de los padres y para que sirve. " * 40,
    "Tell me what the code does and why it is written like this, in detail.",
)  # fmt: skip
_ANSWERS = (
    "Machine learning is the study of algorithms that improve with data, and it is useful.",
    "La casa de mi madre es muy grande y está en la ciudad, y no es para mí.",
    "Это тест на русском языке, и он довольно длинный, как и вопрос.",
    "As an AI language model, I cannot browse the internet.", "I'm sorry, but I can't help.",
    "Dime porque los perros del barrio son muy amables y tambien por que hay tantos, sin ruido.",
    "Le chat est dans la maison avec les enfants, et nous sommes pour les vacances dans une ville.",
)  # fmt: skip


@st.composite
def _exchanges(draw: st.DrawFn) -> Example:
    system = draw(st.sampled_from(["Be brief.", "Answer in French."]))
    messages = [Message(role="system", content=system)]
    for _ in range(draw(st.integers(1, 2))):
        messages.append(Message(role="user", content=draw(st.sampled_from(_PROMPTS))))
        messages.append(Message(role="assistant", content=draw(st.sampled_from(_ANSWERS))))
    meta = draw(st.sampled_from([{}, {}, {"images": ["a.png"]}]))
    return ChatExample(messages=messages, metadata=meta, location=_WHERE)


@st.composite
def _examples(draw: st.DrawFn) -> Example:
    if draw(st.integers(0, 3)) == 0:
        return draw(_exchanges())
    kind = draw(st.sampled_from(["chat"] * 6 + ["text", "preference"]))
    tools = draw(st.sampled_from(_TOOLS))
    meta = draw(st.sampled_from([{}, {"images": ["a.png"]}]))
    if kind == "preference":
        return PreferenceExample(
            input=draw(_messages()),
            preferred=draw(_messages()),
            non_preferred=draw(_messages()),
            tools=tools,
            metadata=meta,
            location=_WHERE,
        )
    if kind == "text":
        return ChatExample(
            kind="text",
            messages=[Message(role="assistant", content=draw(_texts()))],
            location=_WHERE,
        )
    return ChatExample(
        messages=draw(_messages(min_size=1)), tools=tools, metadata=meta, location=_WHERE
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_examples(), min_size=1, max_size=12))
def test_batch_forms_flag_what_the_functions_flag_on_generated_batches(
    examples: list[Example],
) -> None:
    _assert_same(examples, Config())


def test_a_users_check_of_the_same_id_drops_the_batch_form(tmp_path: Path) -> None:
    """Registering an id again replaces the function and its batch form with it."""
    from ftprep.checks.base import example_check

    spec = REGISTRY["clean.empty_turn"]
    try:

        @example_check("clean.empty_turn", "clean", "error", "{count} mine")
        def mine(ex: ChatExample, settings: Any) -> Any:
            """Mine."""
            yield "mine"

        assert REGISTRY["clean.empty_turn"].batch is None
        ex = ChatExample(messages=[Message(role="user", content="hi")], location=_WHERE)
        assert _batched("clean.empty_turn", None, [ex]) == [Flag(0, "mine")]
    finally:
        REGISTRY["clean.empty_turn"] = spec


def test_a_disabled_check_is_not_run(tmp_path: Path) -> None:
    """``--disable`` keeps a batch-formed check out of the run and out of the report."""
    from click.testing import CliRunner

    from ftprep.cli import main

    data = tmp_path / "d.jsonl"
    record = {"messages": [{"role": "human", "content": "hi"}, {"role": "gpt", "content": ""}]}
    data.write_text(json.dumps(record) + "\n")
    out = tmp_path / "r.json"
    for disable, present in (([], True), (["--disable", "clean.unknown_role"], False)):
        CliRunner().invoke(
            main,
            ["validate", str(data), "-q", "--report", str(out), *disable],
            catch_exceptions=False,
        )
        report = json.loads(out.read_text())
        ids = {f["check"] for f in report["findings"]}
        assert ("clean.unknown_role" in ids) is present
        assert "clean.empty_turn" in ids


_WORDS = ("a", "I", "the", "loop", "Loop", "internationalization", "internationalisation",
          "ab12345678cd", "ab87654321cd", "x-y", "don't", "", "42")  # fmt: skip
_GAPS = (" ", "  ", "\n", "\t", "\x0b", "\x1c", "\x1f", ", ", ". ", "!", "_", "/", "(", "`", "~",
         "é ")  # fmt: skip


@st.composite
def _word_texts(draw: st.DrawFn) -> str:
    """Texts of a few words (long ones that share their first or last eight bytes, case
    and punctuation variants) between every separator ``str.split`` and the word table
    know, and now and then a backtick, a tilde or a non-ASCII letter."""
    n = draw(st.integers(0, 14))
    return "".join(draw(st.sampled_from(_WORDS)) + draw(st.sampled_from(_GAPS)) for _ in range(n))


@settings(max_examples=300, deadline=None)
@given(st.lists(_word_texts(), max_size=8))
def test_phrase_screen_passes_every_text_that_repeats_a_phrase(texts: list[str]) -> None:
    """A text the screen calls unique repeats no word triple (as ``find_repetition`` cuts
    its words); a text it cannot read exactly is never called unique."""
    from ftprep.checks.clean.phrase_screen import phrases_unique, screenable
    from ftprep.checks.clean.repetition import _ASCII_WORDS, _words

    for text, unique in zip(texts, phrases_unique(_ASCII_WORDS, texts), strict=True):
        if not unique:
            continue
        assert screenable(text)
        words = _words(text)
        triples = list(zip(words, words[1:], words[2:], strict=False))
        assert len(set(triples)) == len(triples), text


def test_phrase_screen_rules_out_plain_answers() -> None:
    from ftprep.checks.clean.phrase_screen import phrases_unique
    from ftprep.checks.clean.repetition import _ASCII_WORDS

    texts = ["one two three four", "a b c a b c", "Intl internationalization x y z", "`a b`"]
    assert phrases_unique(_ASCII_WORDS, texts) == [True, False, True, False]


_LOOP_GAPS = (" ", ". ", ".\n", "\n", "\n\n", "! ", "?\t", ".\x0b", "\r", "\r\n", "\x0c", "\x1c",
              ".\x1f", "\x1f", "?", ", ", "-", " --- ", "\n---\n", " | ", ".\xa0", "\u3000",
              "\u2028", "\x85", "。", "é ")  # fmt: skip
_LOOP_WORDS = (*_WORDS, "Σ", "ΟΔΟΣ", "οδος", "οδοσ", "İ", "i̇", "\u212a", "k", "Straße", "STRASSE",
               "日本", "é", "É", "ǅ")  # fmt: skip


@st.composite
def _looping_texts(draw: st.DrawFn) -> str:
    """Texts made of pieces (a few words of a small vocabulary, with line and sentence
    ends among the separators) some of which come back, often back to back: loops,
    repeated lines and sentences, and near misses of them."""
    pieces = [
        "".join(
            draw(st.sampled_from(_LOOP_WORDS)) + draw(st.sampled_from(_LOOP_GAPS))
            for _ in range(draw(st.integers(1, 6)))
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    order = draw(st.lists(st.integers(0, len(pieces) - 1), max_size=12))
    return "".join(pieces[i] * draw(st.integers(1, 4)) for i in order)


def _loop_needs(text: str, max_unit: int) -> bool:
    """What ``find_repetition`` needs, by its own rules, before it reports a loop with
    Gopher's ratios off: four words or more and a phrase said twice, and then a line or
    a sentence whose words come back, or a period."""
    from ftprep.checks.clean import repetition as rep

    words = rep._words(text)
    grams = list(zip(words, words[1:], words[2:], strict=False))
    if len(words) < 4 or len(set(grams)) == len(grams):
        return False
    if rep._periods(grams, max_unit):
        return True
    for parts in (text.splitlines(), rep._SENTENCE_END.split(text)):
        keys = [k for k in map(rep._unit_key, parts) if k]
        if len(set(keys)) < len(keys):
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(_looping_texts(), _word_texts()), max_size=8),
    st.sampled_from([1, 2, 3, 5, 30, 100]),
)
def test_loop_screen_passes_every_text_that_may_loop(texts: list[str], max_unit: int) -> None:
    """A text ``loops_ruled_out`` rules out has no line or sentence that comes back and
    no loop period (so ``find_repetition`` finds nothing there, whatever its other
    settings); a text it cannot read exactly is never ruled out."""
    from ftprep.checks.clean.phrase_screen import loops_ruled_out, readable
    from ftprep.checks.clean.repetition import _ASCII_WORDS, RepetitionSettings, find_repetition

    loose = RepetitionSettings(
        min_loop_repeats=2, min_loop_words=2, min_block_words=2, max_unit=max_unit
    )
    for text, out in zip(texts, loops_ruled_out(_ASCII_WORDS, texts, max_unit), strict=True):
        if out:
            assert readable(text)
            assert not _loop_needs(text, max_unit), text
            assert find_repetition(text, loose) is None


def test_loop_screen_rules_out_natural_answers_only() -> None:
    from ftprep.checks.clean.phrase_screen import loops_ruled_out
    from ftprep.checks.clean.repetition import _ASCII_WORDS

    texts = [
        "One of the ways. It is one of the best, and one of the last to go.",  # far apart
        "It goes on and on and on and on.",  # a period of two words
        "Stop here. Then go. Stop here. Fine.",  # a sentence said twice
        "A list\nof lines\nA LIST\nend",  # a line said twice
        "Fine, `code` here and there.",  # code: not read
        "Plain words, nothing twice: a b c d e f.",
        "a b c d a b c d",  # two triples four words back: period 4 (it needs two)
        "a b c d a b c",  # one: none
        "a b. c\nd e. c\nd x",  # sentence "c" twice (a new line ends one)
        "a b. c d e. c d x",  # not: "c d e." and "c d x"
        "Ça va. Ça va. Très bien.",  # beyond ASCII: a sentence said twice
        "Ça va, très bien, merci.",  # beyond ASCII: nothing twice
        "Ça\u3000va ça va ça va",  # white space beyond ASCII: left to the rule
        "émile dort. ÉMILE DORT. Fin.",  # the same sentence, lower-cased
    ]
    assert loops_ruled_out(_ASCII_WORDS, texts, 30) == [
        *(True, False, False, False, False, True),
        *(False, True, False, True),
        *(False, True, False, False),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(_word_texts(), max_size=8), st.sampled_from(["words", "letters"]))
def test_word_screen_passes_every_text_holding_a_word(texts: list[str], how: str) -> None:
    """``byte_words.hits`` finds in an ASCII text every word looked for among the words
    its rule cuts (\\w runs for refusals, letter runs for languages), and only those
    (up to eight bytes, where the word's length tells it from any other)."""
    from ftprep.checks.byte_words import hits, numbers_of
    from ftprep.checks.clean.language import _ASCII_LETTERS
    from ftprep.checks.words import WORD_BYTES

    table = WORD_BYTES if how == "words" else _ASCII_LETTERS
    asked = {"i", "the", "loop", "internationalization", "ab12345678cd", "don", "t", "x"}
    needles = numbers_of(asked, table)
    wanted = set(" ".join(asked).encode("ascii").translate(table).decode("ascii").split())
    plain = [t for t in texts if t.isascii()]
    found = hits([t.encode("ascii") for t in plain], table, needles)
    held = set(found.owner.tolist())
    for k, text in enumerate(plain):
        cut = text.encode("ascii").translate(table).decode("ascii").split()
        assert (k in held) == (not wanted.isdisjoint(cut)), text
    short = found.length <= 8
    assert set(zip(found.owner[short].tolist(), found.length[short].tolist(), strict=True)) <= {
        (k, len(w))
        for k, text in enumerate(plain)
        for w in text.encode("ascii").translate(table).decode("ascii").split()
        if w in wanted
    }


_RANDOM = random.Random(7)
#: Thousands of words, of up to twelve letters and digits: enough that some needles
#: share their numbers' top bits.
_MANY = sorted(
    {
        "".join(_RANDOM.choices("abcdefghijklmnopqrstuvwxyz0123", k=_RANDOM.randint(1, 12)))
        for _ in range(6000)
    }
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([*_MANY, "zz9", "x", "abcdefghij", "Ab", "a-b"])), max_size=6)
)
def test_word_screen_tells_needles_that_share_top_bits(texts: list[list[str]]) -> None:
    """With thousands of needles, many share the top bits ``Needles.slot`` is indexed by
    (a sorted search tells them apart): ``hits`` finds each word of up to eight bytes
    that is a needle, as that needle, and no other word."""
    from ftprep.checks.byte_words import _SEVERAL, hits, numbers_of, word_numbers
    from ftprep.checks.words import WORD_BYTES

    asked = set(_MANY[::2])
    needles = numbers_of(asked, WORD_BYTES)
    assert (needles.slot == _SEVERAL).sum() > 10
    short = {w for w in _MANY if len(w) <= 8}
    encoded = [" ".join(words).encode("ascii") for words in texts]
    found = hits(encoded, WORD_BYTES, needles, follow=True)
    expected = []
    for k, text in enumerate(encoded):
        for w in text.decode("ascii").lower().replace("-", " ").split():
            if w in asked and w in short:
                expected.append((k, int(word_numbers([w], WORD_BYTES)[1][0])))
    as_str = hits([t.decode("ascii") for t in encoded], WORD_BYTES, needles, follow=True)
    listed = [[None if c is None else c.tolist() for c in h] for h in (found, as_str)]
    assert listed[0] == listed[1]  # ASCII texts given as str: the same hits
    fits = found.length <= 8  # longer words may share a needle's number
    got = zip(found.owner[fits].tolist(), needles.numbers[found.needle[fits]].tolist(), strict=True)
    assert list(got) == expected


def test_word_screen_finds_the_words() -> None:
    from ftprep.checks.byte_words import hits, numbers_of
    from ftprep.checks.words import WORD_BYTES

    needles = numbers_of({"i", "knowledge"}, WORD_BYTES)
    texts = [b"I said", b"no such word", b"Knowledge!", b"knowledgeable", b"ii x", b"i"]
    found = hits(texts, WORD_BYTES, needles, sizes=True)
    assert found.owner.tolist() == [0, 2, 5]
    assert found.word_bytes is not None
    assert found.word_bytes.tolist() == [5, 10, 9, 13, 3, 1]


def test_word_screen_groups_cover_the_texts() -> None:
    from ftprep.checks.byte_words import GROUP, groups

    texts = ["word " * 50] * 600 + ["so i said"]
    parts = list(groups(texts))
    assert [i for part in parts for i in part] == list(range(601))
    assert all(sum(len(texts[i]) for i in part) <= GROUP for part in parts)


def test_suspect_rows_reads_on_only_where_the_screen_pays() -> None:
    """Rows whose texts the screen rules out are skipped; after a first group of rows
    where it rules out too little, every other row is yielded unread."""
    from ftprep.checks.batch_view import SCREEN_FIRST, suspect_rows

    asked: list[str] = []

    def clean(texts: list[str]) -> list[bool]:
        asked.extend(texts)
        return [t == "plain" for t in texts]

    rows = list(range(SCREEN_FIRST * 2))
    mostly_plain = {r: ["plain"] if r % 10 else ["odd"] for r in rows}
    got = list(suspect_rows(rows, mostly_plain.__getitem__, clean))
    assert got == [r for r in rows if r % 10 == 0] and len(asked) == len(rows)
    asked.clear()
    mostly_odd = {r: ["odd"] if r % 10 else ["plain"] for r in rows}
    got = list(suspect_rows(rows, mostly_odd.__getitem__, clean))
    assert got == [r for r in rows[:SCREEN_FIRST] if r % 10] + rows[SCREEN_FIRST:]
    assert len(asked) == SCREEN_FIRST


def _assert_shared_turns(examples: list[Example]) -> None:
    """A batch of chat examples leaves in the batch memo the ``Turns`` that
    ``turns.batch_turns`` reads of its views; any other batch leaves none."""
    views = [chat_view(ex) for ex in examples]
    with batch_scope() as memo:
        assert len(CheckBatch(examples, views).marks) == len(examples)
        shared = memo.get("turns")
    if all(isinstance(ex, ChatExample) for ex in examples):
        assert shared == batch_turns(views, {})
    else:
        assert shared is None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_check_batch_shares_the_turns_of_real_files(path: Path) -> None:
    _assert_shared_turns(_load(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_examples(), min_size=1, max_size=12))
def test_check_batch_shares_the_turns_of_generated_batches(examples: list[Example]) -> None:
    _assert_shared_turns(examples)


def _clash_as_it_was(prompt: str, answer: str) -> tuple[str, str] | None:
    """``language._clash`` as it read before it asked whether the prompt is a list of
    names only when the answer makes it matter."""
    from ftprep.checks.clean.language import _STOPWORDS, detect_language

    asked = detect_language(prompt)
    if asked is None or (asked == "Latin" and answer.isascii()):
        return None
    given = detect_language(answer, asked if asked in _STOPWORDS else None)
    if given is None or given == asked:
        return None
    if "Latin" in (asked, given) and (asked in _STOPWORDS or given in _STOPWORDS):
        return None
    return asked, given


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PROMPTS + _ANSWERS), st.sampled_from(_PROMPTS + _ANSWERS))
def test_language_clash_asks_for_name_lists_late_and_alike(prompt: str, answer: str) -> None:
    from ftprep.checks.clean.language import _clash

    assert _clash(prompt, answer) == _clash_as_it_was(prompt, answer)


_LANGUAGE_PARTS = (
    "the", "The", "AND", "of", "you", "el", "los", "las", "para", "porque", "ustedes", "der",
    "und", "nicht", "wird", "het", "een", "niet", "les", "des", "nous", "il", "della", "os",
    "uma", "voce", "as", "in", "die", "do", "y", "e", "machine", "learning", "theory", "a1",
    "1", "x_y", "don't", "l'homme", "El", "DER", "los123", "nosotros", "`", "~~~", "é",
)  # fmt: skip
_LANGUAGE_GAPS = (" ", "  ", ", ", ". ", "\n", "-", "'", "1", "_", "\t")


def _words_between_gaps(draw: st.DrawFn, parts: Sequence[str]) -> str:
    """Up to 40 of ``parts``, each followed by a separator, the whole repeated 1, 3 or 120
    times (some texts longer than the sample the detector reads)."""
    words = draw(st.lists(st.sampled_from(parts), max_size=40))
    text = "".join(w + draw(st.sampled_from(_LANGUAGE_GAPS)) for w in words)
    return text * draw(st.sampled_from([1, 1, 1, 3, 120]))


@st.composite
def _language_texts(draw: st.DrawFn) -> str:
    """Texts of function words of several languages, English homographs and other
    words between separators; some longer than the sample the detector reads."""
    return _words_between_gaps(draw, _LANGUAGE_PARTS)


@settings(max_examples=400, deadline=None)
@given(st.lists(_language_texts(), max_size=8))
def test_clear_languages_are_what_the_detector_finds(texts: list[str]) -> None:
    """``language._clear_languages`` gives a plain text the language ``_detect`` gives it
    when its function words are clearly ahead (name lists aside), and -1 when it gives
    None or "Latin"."""
    from ftprep.checks.clean import language

    plain = [t for t in texts if language._plain(t)]
    for text, found in zip(plain, language._clear_languages(plain), strict=True):
        expected = language._detect(text, None, False)
        if expected in language._STOPWORDS:
            assert language._RANKED[found] == expected, text
        else:
            assert found == -1, text


def test_clear_languages_of_plain_texts() -> None:
    from ftprep.checks.clean.language import _RANKED, _clear_languages

    texts = [
        "The cat and the dog of the house are in the garden with you.",
        "El perro de los vecinos es para ustedes porque no tiene casa.",
        "the el los",  # too few letters
        "Machine learning theory without any function words in sight",
    ]
    found = _clear_languages(texts)
    assert [_RANKED[k] if k >= 0 else None for k in found] == ["English", "Spanish", None, None]


def test_like_ascii_characters_read_as_an_ascii_separator() -> None:
    """Every character ``language._like_plain`` lets by beyond ASCII is read by
    ``_detect`` as it reads "?" (``_as_plain``'s stand-in): no script's letter, no letter
    of ``_WORDS``, its own lower case, not part of code marks."""
    from ftprep.checks.clean import language

    pattern = language._NOT_LIKE_ASCII
    seen = 0
    for code in range(0x80, 0x110000):
        char = chr(code)
        if pattern.match(char):
            continue
        seen += 1
        assert char.lower() == char, hex(code)
        assert not language._WORDS.search(char.lower()), hex(code)
        assert not language._ANY_SCRIPT.search(char), hex(code)
    assert seen > 2000
    assert language._as_plain("don’t — «é»") == "don?t ? ???" and language._like_plain("a “b”")
    assert not language._like_plain("café") and not language._like_plain("“`x`”")


_LIKE_ASCII_PARTS = (
    *_LANGUAGE_PARTS, "don’t", "“the”", "l’homme", "—", "…", "«", "»", "¿", "¡", "°", "×",
    "\u00a0", "\u3000", "\u2028", "😀", "ª", "µ", "÷", "ß", "\u212a", "Å", "Σ", "中", "ç",
    "•", "١",
)  # fmt: skip


@st.composite
def _like_ascii_texts(draw: st.DrawFn) -> str:
    """:func:`_language_texts` with typographic punctuation, symbols, emoji and letters
    beyond ASCII (accents, signs that lower-case to ASCII, other scripts) among them."""
    return _words_between_gaps(draw, _LIKE_ASCII_PARTS)


@settings(max_examples=400, deadline=None)
@given(st.lists(_like_ascii_texts(), max_size=8))
def test_clear_languages_of_texts_read_as_plain(texts: list[str]) -> None:
    """A text ``_like_plain`` lets by gets from ``_clear_languages`` (of its
    ``_as_plain`` stand-in) the language ``_detect`` finds clearly ahead in the text
    itself, -1 when it finds None or "Latin"."""
    from ftprep.checks.clean import language

    chosen = [t for t in texts if language._like_plain(t)]
    found = language._clear_languages([language._as_plain(t) for t in chosen])
    for text, language_found in zip(chosen, found, strict=True):
        expected = language._detect(text, None, False)
        if expected in language._STOPWORDS:
            assert language._RANKED[language_found] == expected, text
        else:
            assert language_found == -1, text


@st.composite
def _one_language_texts(draw: st.DrawFn) -> str:
    """Texts mostly of one language's function words (so that pairs clash), between
    separators beyond ASCII too, with some of :data:`_LIKE_ASCII_PARTS`."""
    from ftprep.checks.clean.language import _EXCLUSIVE

    own = sorted(_EXCLUSIVE[draw(st.sampled_from(sorted(_EXCLUSIVE)))])
    words = draw(st.lists(st.sampled_from([*own, "the", "é", "—", "中"]), min_size=3, max_size=12))
    gaps = st.sampled_from([*_LANGUAGE_GAPS, "’", " — ", "\u00a0", "…", "“"])
    filler = "machine learning " * draw(st.sampled_from([0, 2]))
    return "".join(w + draw(gaps) for w in words) + filler


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.one_of(_one_language_texts(), _like_ascii_texts()),
            st.one_of(_one_language_texts(), _like_ascii_texts()),
            st.booleans(),
        ),
        max_size=10,
    )
)
def test_language_batch_form_on_text_beyond_ascii(pairs: list[tuple[str, str, bool]]) -> None:
    """``clean.language_mismatch``'s batch form flags what its function flags on pairs
    with punctuation, symbols and letters beyond ASCII (a list of names in the prompt
    too)."""
    examples: list[Example] = []
    for k, (prompt, answer, listed) in enumerate(pairs):
        if listed:
            prompt = "".join(f"{n}. {w}\n" for n, w in enumerate(prompt.split()[:5])) + prompt
        messages = [Message(role="user", content=prompt), Message(role="assistant", content=answer)]
        examples.append(ChatExample(messages=messages, location=SourceLocation(source="t", line=k)))
    cid = "clean.language_mismatch"
    check_settings = Config().check_settings(cid, REGISTRY[cid].settings)
    assert _batched(cid, check_settings, examples) == _per_example(cid, check_settings, examples)


_KEY_PARTS = (
    "this ", "THIS ", "This", "thİs ", "th\u0130s ", "\u212a", "following", "FOLLOWS", "follow",
    "given", "Giv", "these ", "below", "ABOVE", "provided", "previous", "attached", "included",
    "enclosed", "supplied", "suppl", "encl", "\xff", "\x00", "ÿ", "é", "—", " ", "\n", "x", "Q",
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_KEY_PARTS), max_size=8).map("".join), max_size=10))
def test_missing_input_screen_passes_every_text_holding_a_key(texts: list[str]) -> None:
    """``missing_input._without_keys`` rules a text out only when its lower-cased text
    holds none of the keys ``find_missing_reference`` screens with."""
    from ftprep.checks.clean.missing_input import _SCREEN, _without_keys

    for text, clean in zip(texts, _without_keys(texts), strict=True):
        if clean:
            assert not any(k in text.lower() for k in _SCREEN), text


def test_missing_input_screen_rules_out_texts_without_keys() -> None:
    from ftprep.checks.clean.missing_input import _without_keys

    texts = ["Sum those numbers.", "Thistle thesis", "Read the text BELOW", "Give it", "", "é"]
    assert _without_keys(texts) == [True, True, False, True, True, True]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_examples(), min_size=1, max_size=12))
def test_shape_feature_counts_the_roles_of_each_view(examples: list[Example]) -> None:
    """The ``shape`` columns, read from the batch's shared roles (published by the
    check batch or read by ``batch_turns``), count each view's messages' roles."""
    from ftprep.checks.consistent.conversation_shape import shape_feature
    from ftprep.features import FeatureContext
    from ftprep.tokens.encodings import get_encoding

    views = [chat_view(ex) for ex in examples]
    for shared in (True, False):
        with batch_scope() as memo:
            if shared:
                assert len(CheckBatch(examples, views).marks) == len(examples)
            ctx = FeatureContext(
                encoding=get_encoding("o200k_base"), config=Config(), examples=examples, batch=memo
            )
            columns = shape_feature(views, ctx)
        roles = [[m.role for m in view.messages] for view in views]
        assert columns["turns"].tolist() == [
            len(r) - r.count("system") - r.count("developer") for r in roles
        ]
        assert columns["exchanges"].tolist() == [r.count("user") for r in roles]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["plain", "odd", "plain plain"]), max_size=3), max_size=150),
    st.integers(0, 3),
)
def test_suspect_rows_of_gathered_texts_yields_what_suspect_rows_yields(
    texts_by_row: list[list[str]], skip: int
) -> None:
    """``suspect_rows_of`` (texts gathered once for the batch) yields the rows, and asks
    the screen about the texts, that ``suspect_rows`` does."""
    from ftprep.checks.batch_view import suspect_rows, suspect_rows_of

    def clean(texts: list[str]) -> list[bool]:
        return [t.startswith("plain") for t in texts]

    rows = [r for r in range(len(texts_by_row)) if r % 4 != skip]  # rows of other kinds left out
    owners = [r for r in rows for _ in texts_by_row[r]]
    texts = [t for r in rows for t in texts_by_row[r]]
    expected = list(suspect_rows(rows, texts_by_row.__getitem__, clean))
    gathered = lambda: (owners, texts)  # noqa: E731
    got = suspect_rows_of(rows, texts_by_row.__getitem__, gathered, clean)
    assert list(got) == expected


def test_check_batch_answers_are_the_assistant_texts_of_its_rows() -> None:
    examples = _load(REPO / "tests/data/real/fastchat_dummy_conversation.jsonl")
    batch = CheckBatch(examples, [chat_view(ex) for ex in examples])
    owners, texts = batch.answers(("chat",))
    expected = [
        (row, text)
        for row in batch.rows(("chat",))
        for role, text in batch.turns[row]
        if role == "assistant" and text
    ]
    assert list(zip(owners, texts, strict=True)) == expected and texts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_examples(), min_size=1, max_size=12))
def test_placeholder_suspects_are_the_rows_not_found_clean(examples: list[Example]) -> None:
    """``placeholders._suspects`` (all rows at once) is every row ``_clean_row`` does not
    rule out."""
    from ftprep.checks.clean.placeholders import _clean_row, _suspects

    batch = CheckBatch(examples, [chat_view(ex) for ex in examples])
    rows = batch.rows(("chat",))
    assert _suspects(batch, rows) == {row for row in rows if not _clean_row(batch, row)}


def test_flag_pickles_as_its_fields() -> None:
    """A flag crosses the pool as a call with its four fields (Flag.__reduce__): every
    field, defaults or not, comes back equal, and so does a batch result's flags."""
    import pickle

    from ftprep.batch import BatchResult

    flags = [
        Flag(0),
        Flag(5, "why", False),
        Flag(7, None, True, 3),
        Flag(2**40, "é\x00", False, -1),
    ]
    for flag in flags:
        back = pickle.loads(pickle.dumps(flag))
        assert back == flag and type(back) is Flag
        assert (back.row, back.detail, back.fixable, back.group) == (
            flag.row,
            flag.detail,
            flag.fixable,
            flag.group,
        )
    result = BatchResult(source=0, n=3, columns={}, flags={"c": flags})
    assert pickle.loads(pickle.dumps(result)).flags == {"c": flags}

"""The answer extractors computed for a whole batch give, column by column, what their
per-example rules give each example on its own (so computing them batchwise never changes
a finding): generated batches mix ASCII and other scripts, code spans, JSON answers,
empty and blank answers, tool calls, metadata tools and KTO records."""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks import answers, request_words
from ftprep.checks.clean import answer_profile as ap
from ftprep.checks.clean import answer_words
from ftprep.checks.clean import short_answer as sa
from ftprep.checks.consistent import requests
from ftprep.checks.dataset import remember_once
from ftprep.checks.words import ascii_words
from ftprep.features import FEATURES, FeatureContext
from ftprep.masking import excerpt
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.minhash import signatures_of_sets
from ftprep.similarity.normalize import hash64, normalize_text
from tests.test_text_screens import _ANY_TEXT, _CASES, _TOKENS

_PIECES = ["Paris", "in", "2024", "the", "3.5%", "x12", " ", ". ", "\n", "{", "Bob", "é",
           "Straße", "ÉCOLE", "cats", "cat", "a", "yes", "No", "!", "\t", "ﬁ", "`code_x`",
           "```py\nprint(foo_bar)\n```", "E11.9 — ", "M54.50: ", "I", "you", "we're", "(",
           "=", "1,200", "O'Neil", ": ", "?  ", "is", "its", "news", "boss", "ss", "\u00a0",
           "\x1f", "Zürich", "日本語", "42"]  # fmt: skip
_TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
    st.text(max_size=40),
    st.sampled_from(["", "   ", "\n", "Positive", "Paris", " Yes.", "No, it is not."]),
    st.builds(
        json.dumps,
        st.one_of(
            st.dictionaries(st.sampled_from(["a", "b", "é"]), st.integers(), max_size=3),
            st.lists(st.sampled_from(["x", "Paris", 1]), max_size=3),
        ),
    ),
    st.sampled_from(['{"a": 1', "[1] The court held", "{not json}", " [2, 1] "]),
)
_CALLS = st.one_of(
    st.none(),
    st.just([{"function": {"name": "f", "arguments": '{"x": 1, "a": [2]}'}}]),
    st.just([{"function": {"name": "g", "arguments": "not json"}}, {"id": "no function"}]),
)
_META = st.sampled_from(
    [{}, {"tools": [{"name": "f"}]}, {"label": True}, {"kto_tag": "x"}, {"label": "pos"}]
)
_TURN = st.tuples(st.sampled_from(["system", "user", "assistant", "tool"]), _TEXT, _CALLS)
_EXAMPLE = st.tuples(st.lists(_TURN, min_size=1, max_size=4), _META)


def _examples(specs: list[tuple[list[tuple[str, str, Any]], dict[str, Any]]]) -> list[ChatExample]:
    where = SourceLocation(source="x", line=1)
    return [
        ChatExample(
            messages=[
                Message(role=r, content=t, tool_calls=c if r == "assistant" else None)
                for r, t, c in turns
            ],
            metadata=meta,
            location=where,
        )
        for turns, meta in specs
    ]


def _profile_of(ex: ChatExample) -> dict[str, Any]:
    """One example's profile from the per-answer rules, each value as the rule defines it."""
    meta = ex.metadata
    tools = ap._metadata_tools(meta) if meta else ""
    row: dict[str, Any] = {
        "answer_type": ap.NONE,
        "answer_value": 0,
        "answer_head": [0] * ap.HEAD,
        "answer_bloom": [0, 0, 0, 0],
        "answer_words_sig": ([], []),
        "answer_words_n": 0,
        "answer_code": 0,
        "answer_facts": [0] * ap.FACT_SKETCH,
        "answer_facts_n": 0,
        "input_extra": hash64(tools) if tools else 0,
        "kto": bool(meta) and ap._is_kto(meta),
    }
    last = ex.last_assistant_index
    if last is None:
        return row
    message = ex.messages[last]
    text = message.text
    kind, value = ap.classify(text, message.tool_calls)
    row["answer_type"] = kind
    if kind:
        row["answer_value"] = hash64(value)
    if kind not in (ap.LABEL, ap.FREE):
        return row
    words = normalize_text(text.strip()).split()
    assert words == value.split()
    code = ap._LEADING_CODE.match(text)
    row["answer_code"] = hash64(code[1]) if code else 0
    if kind == ap.FREE:
        found = ap.facts(text)
        row["answer_facts_n"] = len(found)
        sketch = sorted({zlib.crc32(f.encode("utf-8", "surrogatepass")) or 1 for f in found})
        sketch = sketch[: ap.FACT_SKETCH]
        row["answer_facts"] = sketch + [0] * (ap.FACT_SKETCH - len(sketch))
    heads = [hash64(" ".join(words[:k])) for k in range(1, min(ap.HEAD, len(words)) + 1)]
    row["answer_head"] = heads + [0] * (ap.HEAD - len(heads))
    if len(words) <= ap.BLOOM_WORDS:
        bits = [0, 0, 0, 0]
        for w in set(words):
            bit = zlib.crc32(w.encode("utf-8", "surrogatepass")) & 0xFF
            bits[bit >> 6] |= 1 << (bit & 63)
        row["answer_bloom"] = bits
    content = set(ap._content_words(value))
    row["answer_words_n"] = len(content)
    hashes = [zlib.crc32(w.encode("utf-8", "surrogatepass")) for w in content]
    row["answer_words_sig"] = ([0] * len(hashes), hashes)
    return row


_DTYPES = {
    "answer_type": np.int8,
    "answer_value": np.uint64,
    "answer_head": np.uint64,
    "answer_bloom": np.uint64,
    "answer_words_sig": np.uint16,
    "answer_words_n": np.int32,
    "answer_code": np.uint64,
    "answer_facts": np.uint32,
    "answer_facts_n": np.int32,
    "input_extra": np.uint64,
    "kto": np.bool_,
}


@settings(max_examples=400, deadline=None)
@given(st.lists(_EXAMPLE, min_size=1, max_size=10))
def test_answer_profile_of_a_batch_is_each_answers_own(
    specs: list[tuple[list[tuple[str, str, Any]], dict[str, Any]]],
) -> None:
    batch = _examples(specs)
    cols = ap.answer_profile_feature(batch, FeatureContext(encoding=None))
    assert set(cols) == set(_DTYPES)
    for name, dtype in _DTYPES.items():
        col = cols[name]
        assert isinstance(col, np.ndarray) and col.dtype == dtype and len(col) == len(batch), name
    for i, ex in enumerate(batch):
        expected = _profile_of(ex)
        owners, hashes = expected.pop("answer_words_sig")
        sig = signatures_of_sets(owners, hashes, 1, ap.WORD_BINS)[0]
        assert cols["answer_words_sig"][i].tolist() == sig.tolist()  # type: ignore[index]
        for name, value in expected.items():
            got = cols[name][i]  # type: ignore[index]
            assert (got.tolist() if isinstance(got, np.ndarray) else got) == value, name


def test_answer_profile_of_no_examples_and_of_no_answers() -> None:
    ctx = FeatureContext(encoding=None)
    empty = ap.answer_profile_feature([], ctx)
    assert all(len(col) == 0 for col in empty.values())  # type: ignore[arg-type]
    batch = _examples([([("user", "Q?", None)], {}), ([("assistant", "  ", None)], {})])
    cols = ap.answer_profile_feature(batch, FeatureContext(encoding=None))
    assert cols["answer_type"].tolist() == [ap.NONE, ap.NONE]  # type: ignore[attr-defined]
    assert (cols["answer_words_sig"] == 0xFFFF).all()  # type: ignore[operator]


#: Words sharing their first eight bytes with a longer screened word, or longer than it.
_NEAR_WORDS = ["document", "documentary", "documentation", "documentations", "spreadsheets",
               "implementation", "implementations", "javascripts", "javascript", "programme",
               "programmer", "regexps", "cheatsheet", "cheatsheets", "comparisons", "tutorials",
               "overviews", "markdowns", "examplesx"]  # fmt: skip
_REQUEST = st.one_of(
    _ANY_TEXT,
    _TEXT,
    st.sampled_from(["", "a\x01b code", "x" * 2100 + " code"]),
    st.lists(st.sampled_from([*_NEAR_WORDS, " ", ", ", "\n", "Write"]), max_size=12).map("".join),
)
_CONVERSATION = st.lists(
    st.tuples(st.sampled_from(["system", "user", "assistant", "tool"]), _REQUEST),
    min_size=1,
    max_size=5,
)


def _conversations(convs: list[list[tuple[str, str]]]) -> list[ChatExample]:
    return _examples([([(r, t, None) for r, t in turns], {}) for turns in convs])


@settings(max_examples=400, deadline=None)
@given(st.lists(_CONVERSATION, min_size=1, max_size=8))
def test_asked_format_of_a_batch_is_each_requests_own(convs: list[list[tuple[str, str]]]) -> None:
    """The batch's request words settle most rows; every row equals :func:`asked_format`
    of its last request (the last user turn before the final answer)."""
    batch = _conversations(convs)
    col = requests.asked_format_feature(batch, FeatureContext(encoding=None))["asked_format"]
    assert isinstance(col, np.ndarray) and col.dtype == np.int8
    for i, ex in enumerate(batch):
        last = ex.last_assistant_index
        cut = len(ex.messages) if last is None else last
        asks = [m.text for m in ex.messages[:cut] if m.role == "user"]
        assert col[i] == requests.asked_format(asks[-1] if asks else ""), i


@settings(max_examples=400, deadline=None)
@given(st.lists(_CONVERSATION, min_size=1, max_size=8))
def test_prompt_shape_of_a_batch_is_each_prompts_own(convs: list[list[tuple[str, str]]]) -> None:
    batch = _conversations(convs)
    col = sa.prompt_shape_feature(batch, FeatureContext(encoding=None))["short_answer_plausible"]
    assert isinstance(col, np.ndarray) and col.dtype == np.bool_
    for i, ex in enumerate(batch):
        last = ex.last_assistant_index
        expected = False
        if last and ex.messages[last - 1].role == "user":
            prompt, answer = ex.messages[last - 1].text, ex.messages[last].text
            expected = sa.short_answer_plausible(prompt, answer)
        assert col[i] == expected, i


@settings(max_examples=300, deadline=None)
@given(st.lists(_REQUEST, max_size=8))
def test_request_word_masks_are_the_screens_word_sets(texts: list[str]) -> None:
    screened, masks = request_words.masks_of(texts)
    for text, ok, mask in zip(texts, screened.tolist(), masks.tolist(), strict=True):
        words = ascii_words(text)
        assert ok == (words is not None and request_words.SEPARATOR not in text)
        if not ok:
            assert mask == 0
            continue
        for k, among in enumerate(request_words._screens):
            assert bool(mask >> k & 1) == (not among.isdisjoint(words)), (text, sorted(among))


def test_prompt_shape_rows_the_screens_leave_to_the_rules() -> None:
    """A closed question answered "Yes", a number, a call, a role-play sound, a quantity,
    a prompt that is not ASCII: each is settled by the per-prompt rule."""
    pairs = [
        ("Is it safe?", "Yes."),
        ("Is it safe?  ", "No"),
        ("Tell me about Paris.", "Yes."),
        ("Give the total.", "42"),
        ("Look it up.", "search('x')"),
        ("You are a bear.", "Grrrr"),
        ("How many cats?", "three"),
        ("Est-ce sûr ?", "Oui"),
        ("Is it sûr?", "Yes"),
        ("Write about cats.", "Cats."),
    ]
    batch = _conversations([[("user", p), ("assistant", a)] for p, a in pairs])
    col = sa.prompt_shape_feature(batch, FeatureContext(encoding=None))["short_answer_plausible"]
    expected = [sa.short_answer_plausible(p, a) for p, a in pairs]
    assert col.tolist() == expected  # type: ignore[attr-defined]
    assert expected == [True, True, False, True, True, True, True, False, True, False]


def test_prompt_shape_of_every_trigger_in_every_case() -> None:
    """Each trigger word and phrase of the prompt rules, in four cases, before and after
    other words, answered by a label, a sound and a word: the batch's tighter screens
    (a one-word alternative settles the prompt pattern; the other alternatives need a word
    of each set of a group) decide as the per-prompt rule does."""
    pairs = [
        (f"{before}{case(token)}{after}", answer)
        for token in [*_TOKENS, *(f"how {w}" for w in "much old far often soon".split())]
        for case in _CASES
        for before, after in (("", ""), ("so ", " i?"), ("x-", " now."))
        for answer in ("Yes", "Grrrr", "words", "three")
    ]
    batch = _conversations([[("user", p), ("assistant", a)] for p, a in pairs])
    col = sa.prompt_shape_feature(batch, FeatureContext(encoding=None))["short_answer_plausible"]
    expected = [sa.short_answer_plausible(p, a) for p, a in pairs]
    assert col.tolist() == expected  # type: ignore[attr-defined]
    assert sum(expected) > len(pairs) // 10


def _shape_as_before(batch: list[ChatExample]) -> dict[str, list[Any]]:
    """The answer shape columns message by message, as the rules define them."""
    ctx = FeatureContext(encoding=None)
    cols: dict[str, list[Any]] = {name: [] for name in _SHAPE_COLUMNS}
    for ex in batch:
        row = dict.fromkeys(_SHAPE_COLUMNS, 0)
        row.update(json_keys_text=None, label_candidate=None, answer_start_mid=False)
        last = ex.last_assistant_index
        texts = [m.text for m in ex.messages]
        roles = [m.role for m in ex.messages]
        for j, text in enumerate(texts):
            if last is None or ex.kind == "text" or roles[j] != "assistant" or not text:
                continue
            if j == last:
                fmt, value, truncated = answers.answer_format(text)
                end = answers.ending(text, fmt, truncated)
                key, names = answers.json_key_set(value)
                row.update(answer_format=fmt, answer_end=end, json_keys=key)
                if names is not None and remember_once(ctx, "json_keys", key):
                    row["json_keys_text"] = excerpt(names, 200)
                row["label_candidate"] = answers.label_candidate(text, fmt)
                if fmt in (answers.PLAIN, answers.MARKDOWN) and j and roles[j - 1] == "user":
                    row["answer_start_mid"] = answers.starts_mid(text, texts[j - 1])
            else:
                end = answers.ending(text)
            if end > row["answer_end_worst"]:
                row.update(answer_end_worst=end, answer_end_message=j + 1)
        for name in _SHAPE_COLUMNS:
            cols[name].append(row[name])
    return cols


#: The columns answer_shape registers (the reference below fills the same ones).
_SHAPE_COLUMNS = FEATURES["answer_shape"].columns
_SHAPE_TEXT = st.one_of(
    _TEXT,
    _ANY_TEXT,
    st.sampled_from(
        [
            "```python\nprint(1)\n```",
            '```json\n{"a": 1}\n```',
            "Here:\n```\ncode",
            "# Title\nBody text",
            "**Bold** claim",
            "| a | b |",
            "See [docs](https://x).",
            "~~~\nx\n~~~",
            "and then it stopped",
            "the reason is that",
            "Yours sincerely,\nJane",
            "Done (see above)",
            '{"a": [1, 2',
            "[1] The court held.",
            "ing the report was late. Then it came.",
        ]
    ),
)
_SHAPE_TURN = st.tuples(st.sampled_from(["system", "user", "assistant", "tool"]), _SHAPE_TEXT)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_SHAPE_TURN, min_size=1, max_size=5), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_answer_shape_of_a_batch_is_each_answers_own(
    convs: list[tuple[list[tuple[str, str]], bool]],
) -> None:
    batch = _conversations([turns for turns, _ in convs])
    for ex, (_, document) in zip(batch, convs, strict=True):
        if document:
            ex.kind = "text"
    cols = answers.answer_shape_feature(batch, FeatureContext(encoding=None))
    expected = _shape_as_before(batch)
    for name in _SHAPE_COLUMNS:
        col = cols[name]
        got = col.tolist() if isinstance(col, np.ndarray) else list(col)  # type: ignore[call-overload]
        assert got == expected[name], name


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([(2, 3), (30, 400)]), st.integers(0, 6))
def test_distinct_pairs_are_the_sorted_unique_pairs(
    data: st.DataObject, shape: tuple[int, int], pad: int
) -> None:
    """Both ways of finding a batch's distinct (row, id) pairs (a bitmap for a small
    vocabulary, sorted keys otherwise) give the sorted distinct pairs."""
    top_row, top_id = shape
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, top_row), st.integers(0, top_id)), max_size=60)
    )
    width = top_id + 1 + pad
    rows = np.array([r for r, _ in sorted(pairs)], dtype=np.int64)
    ids = np.array([i for _, i in sorted(pairs)], dtype=np.int64)
    got_rows, got_ids = answer_words.distinct_pairs(rows, ids, width)
    assert list(zip(got_rows.tolist(), got_ids.tolist(), strict=True)) == sorted(set(pairs))


_WORD = st.one_of(
    st.text(alphabet="ab0\x00\x07", min_size=1, max_size=20),
    st.sampled_from(["a" * 7, "a" * 8, "a" * 9, "a" * 15, "a" * 16, "a" * 17, "a" * 16 + "b",
                     "a" * 8 + "\x00", "a\x00", "a", "é", "ﬁ"]),
)  # fmt: skip
_NORMS = st.lists(st.lists(_WORD, max_size=8).map(" ".join), max_size=8)


def _check_words(texts: list[str], words: answer_words.BatchWords) -> None:
    assert len(set(words.vocab)) == len(words.vocab)
    assert words.lengths.tolist() == [len(t.split()) for t in texts]
    for r, text in enumerate(texts):
        start, length = int(words.starts[r]), int(words.lengths[r])
        ids = words.ids[start : start + length].tolist()
        assert [words.vocab[i] for i in ids] == text.split()
        assert words.rows[start : start + length].tolist() == [r] * length


@settings(max_examples=400, deadline=None)
@given(_NORMS, st.sampled_from([0, 1, 64]), st.booleans())
def test_batch_words_give_each_texts_words(texts: list[str], probes: int, collide: bool) -> None:
    """Cut by numpy (ASCII batches, words told apart by their bytes and a hash table
    probed up to ``probes`` times) or split by Python (other batches, or when the table
    gives up), each text's words come back in order, with one id per distinct word.
    ``collide``: every word hashes to the same slot, so words are told apart by the
    table's comparison alone."""
    saved = answer_words._MAX_PROBES, answer_words.mix64
    answer_words._MAX_PROBES = probes
    if collide:
        answer_words.mix64 = np.zeros_like
    try:
        _check_words(texts, answer_words.batch_words(texts))
    finally:
        answer_words._MAX_PROBES, answer_words.mix64 = saved


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(min_codepoint=0, max_codepoint=127, exclude_characters="\n")),
    st.data(),
)
def test_words_gathered_at_once_are_each_spans_slice(data: str, draw: st.DataObject) -> None:
    """The vocabulary of an ASCII cut, gathered by numpy and decoded at once, is each
    span's own slice, in order (empty spans, spans at the end of the data, repeats)."""
    buf = data.encode("ascii") + b"\n"
    spans = draw.draw(
        st.lists(st.tuples(st.integers(0, len(buf) - 1), st.integers(0, len(buf) - 1)).map(sorted))
    )
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    expected = [buf[a:b].decode("ascii") for a, b in spans]
    assert answer_words.words_at(buf, starts, ends) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(_EXAMPLE, min_size=1, max_size=10))
def test_answer_hashes_shared_by_hashes_and_profile_in_either_order(
    specs: list[tuple[list[tuple[str, str, Any]], dict[str, Any]]],
) -> None:
    """The batch hashes each normalised final answer once (hash_answer, and answer_value
    of the plain answers): whichever extractor runs first, both columns are what each
    gives on its own."""
    from ftprep.features import FEATURES

    hashes = FEATURES["hashes"].extract
    batch = _examples(specs)
    alone_p = ap.answer_profile_feature(batch, FeatureContext(encoding=None))
    alone_h = hashes(batch, FeatureContext(encoding=None))
    for first, second in ((hashes, ap.answer_profile_feature), (ap.answer_profile_feature, hashes)):
        ctx = FeatureContext(encoding=None)
        got = {**first(batch, ctx), **second(batch, ctx)}
        for name, col in [*alone_p.items(), *alone_h.items()]:
            assert np.array_equal(got[name], col), name

"""Token counts in reports equal tiktoken's own encodings under OpenAI's counting rules.

The reference encodings are built by tiktoken itself (``tiktoken.get_encoding``), loading the
rank files from a cache directory the way it does after a download, checking OpenAI's
published hashes. The reference counter is written here from the cookbook's rules, one
message at a time, independently of ftprep's batched counter.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.tokens.counting import count_batch
from ftprep.tokens.encodings import get_encoding

URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


@pytest.fixture(scope="module")
def tiktoken_own(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """tiktoken.get_encoding, served from a populated cache (no network)."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name, url in URLS.items():
        blob = resources.files("ftprep.tokens").joinpath("data", f"{name}.tiktoken.gz")
        key = hashlib.sha1(url.encode()).hexdigest()
        (cache / key).write_bytes(gzip.decompress(blob.read_bytes()))
    old = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        yield tiktoken.get_encoding
    finally:
        if old is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = old


def reference_counts(record: dict[str, Any], enc: tiktoken.Encoding) -> tuple[int, int]:
    """(total, trained) by the cookbook's rules: 3 per message, every value encoded (the role
    too), +1 per name, +3 reply priming; content parts' texts joined by newlines; each tool
    call's function and the tools list as sorted JSON; ``weight`` is not text. Trained: the
    assistant turns without weight 0, role excluded."""

    def n(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    total = 3
    trained = 0
    for msg in record["messages"]:
        total += 3
        values: list[str] = [msg["role"]]
        content = msg.get("content")
        if isinstance(content, list):
            values.append("\n".join(p["text"] for p in content if p.get("text")))
        else:
            values.append(content or "")
        if msg.get("name"):
            values.append(msg["name"])
            total += 1
        for call in msg.get("tool_calls") or []:
            values.append(json.dumps(call["function"], ensure_ascii=False, sort_keys=True))
        if msg.get("tool_call_id"):
            values.append(msg["tool_call_id"])
        counts = [n(v) for v in values]
        total += sum(counts)
        if msg["role"] == "assistant" and msg.get("weight", 1) != 0:
            trained += sum(counts[1:])
    if record.get("tools"):
        total += n(json.dumps(record["tools"], ensure_ascii=False, sort_keys=True))
    return total, trained


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_formulary",
            "description": "Look up a drug in the hospital formulary.",
            "parameters": {
                "type": "object",
                "properties": {"drug": {"type": "string"}, "route": {"enum": ["oral", "iv"]}},
                "required": ["drug"],
            },
        },
    }
]

REAL_RECORDS: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "You are a careful clinical documentation assistant."},
            {
                "role": "user",
                "name": "dr_okafor",
                "content": "Summarise: 67-year-old with community-acquired pneumonia, started "
                "on ceftriaxone 1 g IV q24h and azithromycin 500 mg PO daily; afebrile "
                "since day 2, SpO₂ 95% on room air.",
            },
            {
                "role": "assistant",
                "content": "67M, CAP, improving on ceftriaxone + azithromycin; afebrile from "
                "day 2 and saturating 95% on room air. Plan: oral step-down per protocol.",
            },
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "Is amoxicillin on our formulary for oral use?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_7Qx",
                        "type": "function",
                        "function": {
                            "name": "lookup_formulary",
                            "arguments": '{"drug": "amoxicillin", "route": "oral"}',
                        },
                    }
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "call_7Qx",
                "content": '{"listed": true, "strengths": ["250 mg", "500 mg"]}',
            },
            {"role": "assistant", "content": "Yes: oral amoxicillin 250 mg and 500 mg."},
        ],
        "tools": TOOLS,
    },
    {
        "messages": [
            {"role": "system", "content": "Réponds en français, de façon concise."},
            {"role": "user", "content": "Quelle est la différence entre un bail et un prêt ?"},
            {"role": "assistant", "content": "Brouillon sans intérêt.", "weight": 0},
            {"role": "user", "content": "Plus précisément, s'il te plaît."},
            {
                "role": "assistant",
                "weight": 1,
                "content": "Un bail confère l'usage d'un bien contre un loyer ; un prêt "
                "transfère des fonds (ou l'usage gratuit d'une chose) à charge de restitution.",
            },
        ]
    },
    {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "合同第 4.2 条的违约金是多少？"},
                    {"type": "text", "text": "请用一句话回答 🙏"},
                ],
            },
            {"role": "assistant", "content": "第 4.2 条约定违约金为合同总价的 5%。"},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "What does <|endoftext|> do in a GPT prompt?"},
            {
                "role": "assistant",
                "name": "helper_bot",
                "content": "It marks the end of a document:\n```python\ntext += '<|endoftext|>'"
                "\n```\nTreat it as plain text in training data.",
            },
        ]
    },
]


def _write(tmp_path: Path, records: list[dict[str, Any]], copies: int = 1) -> Path:
    path = tmp_path / "real.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for _ in range(copies) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("model", "encoding"), [("gpt-4o-mini", "o200k_base"), ("gpt-3.5-turbo", "cl100k_base")]
)
def test_report_tokens_equal_tiktoken_reference(tmp_path, cli, tiktoken_own, model, encoding):
    enc = tiktoken_own(encoding)
    path = _write(tmp_path, REAL_RECORDS)
    result = cli("validate", path, "--model", model, "--json")
    assert result.exit_code == 1  # 5 examples: not ready (sufficient), but counted
    tok = json.loads(result.stdout)["stats"]["tokens"]
    ref = [reference_counts(r, enc) for r in REAL_RECORDS]
    assert tok["encoding"] == encoding
    assert tok["approximate"] is False and tok["approximation"] is None
    assert tok["total"] == sum(t for t, _ in ref)
    assert tok["trained"] == sum(t for _, t in ref)
    assert tok["per_example"]["min"] == min(t for t, _ in ref)
    assert tok["per_example"]["max"] == max(t for t, _ in ref)
    assert tok["trained_per_example"]["max"] == max(t for _, t in ref)


def test_weight_zero_turns_are_not_trained(tiktoken_own):
    enc = tiktoken_own("o200k_base")
    record = REAL_RECORDS[2]
    total, trained = reference_counts(record, enc)
    draft = len(enc.encode("Brouillon sans intérêt."))
    unweighted = {**record, "messages": [{k: v for k, v in m.items() if k != "weight"}
                                         for m in record["messages"]]}  # fmt: skip
    assert reference_counts(unweighted, enc) == (total, trained + draft)


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_batch_counter_matches_per_example(tiktoken_own, encoding):
    ours, theirs = get_encoding(encoding), tiktoken_own(encoding)
    examples = [
        ChatExample(
            messages=[Message.model_validate(m) for m in r["messages"]],
            tools=r.get("tools"),
            location=SourceLocation(source="mem", line=i + 1),
        )
        for i, r in enumerate(REAL_RECORDS)
    ]
    counts = count_batch(examples, ours)
    expected = [reference_counts(r, theirs) for r in REAL_RECORDS]
    assert counts.total.tolist() == [t for t, _ in expected]
    assert counts.trained.tolist() == [t for _, t in expected]


def test_bundled_encoding_equals_tiktoken_on_text(tiktoken_own):
    text = " ".join(json.dumps(r, ensure_ascii=False) for r in REAL_RECORDS)
    for name in URLS:
        assert get_encoding(name).encode_ordinary(text) == tiktoken_own(name).encode_ordinary(text)


def test_over_limit_counts_examples_longer_than_the_limit(tmp_path, tiktoken_own):
    enc = tiktoken_own("o200k_base")
    path = _write(tmp_path, REAL_RECORDS)
    totals = sorted(reference_counts(r, enc)[0] for r in REAL_RECORDS)
    limit = totals[2]  # two examples are longer
    report = ftprep.validate(path, config=ftprep.Config(checks={
        "clean.over_token_limit": {"max_tokens": limit}}))  # fmt: skip
    assert report.stats["tokens"]["limit"] == limit
    assert report.stats["tokens"]["over_limit"] == 2
    cost = report.stats["cost"]
    # every example billed up to the limit, whichever side of the split it landed on
    assert cost["billed_tokens_per_epoch"] + cost["validation_tokens"] == sum(
        min(limit, t) for t in totals
    )
    over = report.findings_for("clean.over_token_limit")[0]
    assert over.count == 2


def test_long_and_short_strings_count_alike(tiktoken_own):
    """Long strings go through tiktoken's thread pool, short ones directly: same counts."""
    from ftprep.tokens.counting import LONG_STRING, encoded_lengths

    long_text = " ".join(json.dumps(r, ensure_ascii=False) for r in REAL_RECORDS) * 6
    assert len(long_text) >= LONG_STRING
    strings = ["user", long_text, "é", "", long_text[: LONG_STRING - 1], "<|endoftext|> x"]
    enc = tiktoken_own("o200k_base")
    expected = [len(enc.encode(s, disallowed_special=())) for s in strings]
    assert encoded_lengths(strings, get_encoding("o200k_base")).tolist() == expected


def _slow_counts(ex: ChatExample, enc) -> tuple[int, int, int]:
    """(total, trained, final answer) of one example, message by message, string by string."""
    from ftprep.tokens.counting import _message_strings

    total, trained, last = 3, 0, 0
    for j, m in enumerate(ex.messages):
        total += 3 + len(enc.encode_ordinary(m.role)) + (1 if m.name else 0)
        n = sum(len(enc.encode_ordinary(s)) for s in _message_strings(m))
        total += n
        if m.role == "assistant" and m.weight != 0:
            trained += n
        if j == ex.last_assistant_index:
            last += n
    if ex.tools:
        total += len(enc.encode_ordinary(json.dumps(ex.tools, ensure_ascii=False, sort_keys=True)))
    return total, trained, last


_turn = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "tool", "bot"]),
        "content": st.one_of(
            st.none(),
            st.sampled_from(["same text", "", "x\ud800y", "<|endoftext|>"]),
            st.text(max_size=12),
            st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["text", "reasoning"])},
                    optional={"text": st.text(max_size=5), "reasoning": st.text(max_size=5)},
                ),
                max_size=2,
            ),
        ),
    },
    optional={
        "name": st.one_of(st.none(), st.sampled_from(["", "bob"])),
        "weight": st.sampled_from([0, 1, None]),
        "tool_call_id": st.sampled_from(["", "c1"]),
        "tool_calls": st.just([{"id": "c1", "function": {"name": "f", "arguments": "{}"}}]),
        "function_call": st.just({"name": "g", "arguments": "{}"}),
    },
)


TOKEN_COLUMNS = ("tokens_total", "tokens_trained", "tokens_last_answer")


def tokens_feature(examples: list[ChatExample], ctx: Any) -> dict[str, Any]:
    """The registered ``tokens`` feature extractor."""
    from ftprep.features import FEATURES

    return FEATURES["tokens"].extract(examples, ctx)


def _examples(rows: list[tuple[list[dict], list | None]]) -> list[ChatExample]:
    """Chat examples of generated (turns, tools) rows, each at its own line."""
    return [
        ChatExample(
            messages=[Message.model_validate(m) for m in turns],
            tools=tools,
            location=SourceLocation(source="mem", line=i + 1),
        )
        for i, (turns, tools) in enumerate(rows)
    ]


def _assert_counts_as_one_by_one(counts, examples: list[ChatExample], enc) -> None:
    """``counts`` (total, trained, last answer; int64) equal counting each example's
    messages one by one."""
    got = list(zip(counts.total.tolist(), counts.trained.tolist(),
                   counts.assistant_last.tolist(), strict=True))  # fmt: skip
    assert got == [_slow_counts(ex, enc) for ex in examples]
    assert counts.total.dtype == counts.trained.dtype == counts.assistant_last.dtype == np.int64


def _batches(turn: st.SearchStrategy[Any], max_size: int) -> st.SearchStrategy[Any]:
    """Batches of 1 to ``max_size`` examples: 1-4 messages drawn from ``turn`` each, with
    or without a tool list."""
    return st.lists(
        st.tuples(
            st.lists(turn, min_size=1, max_size=4),
            st.one_of(st.none(), st.just([{"type": "function", "function": {"name": "f"}}])),
        ),
        min_size=1,
        max_size=max_size,
    )


@settings(max_examples=200, deadline=None)
@given(_batches(_turn, 5))
def test_batch_counts_equal_message_by_message(rows) -> None:
    """The batched counter (field-dict fast path, distinct strings once, index sums)
    gives each example's counts as counting its messages one by one does; also as the
    tokens feature runs in a batch, after the checks' batch view filled the batch memo
    (its turns, and whether every message is text only)."""
    from ftprep.checks.batch_view import CheckBatch
    from ftprep.features import FeatureContext, batch_scope
    from ftprep.turns import TEXT_ONLY

    enc = get_encoding("o200k_base")
    examples = _examples(rows)
    counts = count_batch(examples, enc)
    _assert_counts_as_one_by_one(counts, examples, enc)
    with batch_scope() as memo:
        assert CheckBatch(examples, examples).marks
        assert TEXT_ONLY in memo
        columns = tokens_feature(examples, FeatureContext(encoding=enc, batch=memo))
    assert [columns[c].tolist() for c in TOKEN_COLUMNS] == [
        counts.total.tolist(),
        counts.trained.tolist(),
        counts.assistant_last.tolist(),
    ]


_bare_turn = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system"]),
        "content": st.one_of(st.none(), st.sampled_from(["same text", "", "a b"])),
    }
)


#: A turn holding one thing beyond its role and text, each of which the counter counts.
_odd_turn = st.sampled_from(
    [
        {"role": "assistant", "content": "a", "name": "bob"},
        {"role": "tool", "content": "a", "tool_call_id": "c1"},
        {"role": "user", "content": "a", "tool_call_id": "c1"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "function": {"name": "f"}}],
        },
        {"role": "assistant", "content": None, "function_call": {"name": "g", "arguments": "{}"}},
        {"role": "assistant", "content": "a", "weight": 0},
        {"role": "assistant", "content": [{"type": "reasoning", "reasoning": "why so"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "t"}, {"type": "text"}]},
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_bare_turn, _bare_turn, _odd_turn, _turn), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_text_only_batches_seen_by_the_batch_view(turns) -> None:
    """Batches of bare text turns with now and then one turn holding more (a name, a tool
    call or its id, a weight, parts): the tokens feature, told by the checks' batch view
    whether every message is text only, counts as message by message does."""
    from ftprep.checks.batch_view import CheckBatch
    from ftprep.features import FeatureContext, batch_scope

    enc = get_encoding("o200k_base")
    examples = _examples([(each, None) for each in turns])
    with batch_scope() as memo:
        assert CheckBatch(examples, examples).marks
        counts = tokens_feature(examples, FeatureContext(encoding=enc, batch=memo))
    got = list(zip(*(counts[c].tolist() for c in TOKEN_COLUMNS), strict=True))
    assert got == [_slow_counts(ex, enc) for ex in examples]


_plain_turn = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "bot"]),
        "content": st.one_of(
            st.none(), st.sampled_from(["same text", "", "<|endoftext|>"]), st.text(max_size=8)
        ),
    },
    optional={"weight": st.sampled_from([0, 1, 0.0, None]), "name": st.just("")},
)


@settings(max_examples=200, deadline=None)
@given(_batches(_plain_turn, 6))
def test_plain_batches_count_as_message_by_message(rows) -> None:
    """Batches of text-only (or no-content) messages take the whole-batch path
    (``_plain_counts``): the same counts, weights, tools, final answers and empty names
    included; alone, and as the tokens feature runs it in a batch, on the roles and texts
    the checks' batch view left in the batch memo."""
    from ftprep.checks.batch_view import CheckBatch
    from ftprep.features import FeatureContext, batch_scope
    from ftprep.tokens.counting import _plain_counts

    enc = get_encoding("o200k_base")
    examples = _examples(rows)
    counts = _plain_counts(examples, enc)
    assert counts is not None
    _assert_counts_as_one_by_one(counts, examples, enc)
    with batch_scope() as memo:
        assert CheckBatch(examples, examples).marks  # fills the memo's turns
        assert "turns" in memo
        assert _plain_counts(examples, enc, memo) is not None
        columns = tokens_feature(examples, FeatureContext(encoding=enc, batch=memo))
    assert [columns[c].tolist() for c in TOKEN_COLUMNS] == [
        counts.total.tolist(),
        counts.trained.tolist(),
        counts.assistant_last.tolist(),
    ]

"""A batch of JSONL lines loaded at once (:func:`ftprep.loaders.record.load_records`, what a
worker does with its batch) gives, line for line, exactly what parsing each line and loading
its record one at a time gives: the same example (every slot, nested models, origin) or the
same load error, for every format, on generated, hostile and BOM-led lines."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.loaders.readers import JsonLines, parse_line
from ftprep.loaders.record import load_record, load_records
from ftprep.loaders.registry import LoadOptions
from ftprep.schema import LoadError
from tests.test_exact_models import _deep, plain_records, records
from tests.test_robust_properties import HOSTILE_LINES

PATH = Path("data.jsonl")


def _one_by_one(lines: JsonLines, fmt: str, options: LoadOptions) -> list[Any]:
    out = []
    for number, item in zip(lines.lines, lines.items, strict=True):
        raw = item if not isinstance(item, bytes) else parse_line(PATH, number, item)
        out.append(load_record(raw, "in.jsonl", fmt, "jsonl", options))
    return out


def _deep_result(result: Any) -> Any:
    if isinstance(result, LoadError):
        return ("error", result)
    return (_deep(result), _deep(result._origin))


def _check(texts: list[str], fmt: str = "chat", options: LoadOptions | None = None) -> None:
    options = options or LoadOptions()
    data = [t.encode("utf-8", "surrogatepass") for t in texts]
    lines = JsonLines(PATH, list(range(1, len(data) + 1)), list(data))
    batch = load_records(lines, "in.jsonl", fmt, "jsonl", options)
    single = _one_by_one(lines, fmt, options)
    assert [_deep_result(r) for r in batch] == [_deep_result(r) for r in single]


lines_of_records = st.lists(
    st.one_of(
        plain_records.map(lambda r: json.dumps(r)),
        records.map(lambda r: json.dumps(r, ensure_ascii=False)),
        st.sampled_from(HOSTILE_LINES),
        st.text(max_size=20),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines_of_records, st.sampled_from([None, "You are terse."]), st.booleans())
def test_batch_loads_like_each_line(texts: list[str], system: str | None, bom: bool) -> None:
    if bom:
        texts = [codecs.BOM_UTF8.decode("utf-8") + texts[0], *texts[1:]]
    _check(texts, options=LoadOptions(system=system))


@pytest.mark.parametrize(
    "extra",
    [
        "",
        ', "id": 123456789012345678901234',
        ', "id": "123456789012345678901234"',
        ', "deep": ' + "[" * 120 + "]" * 120,
        ', "n": 1e999',
        ', "s": "\\ud800"',
        ', "id": 17, "ok": true, "tag": null, "name": "n"',
        ', "id": 9223372036854775807, "low": -9223372036854775808',
        ', "id": 18446744073709551616',
        ', "score": 1.5',
        ', "tools": null',
        ', "interactions": []',
        ', "available_tools": []',
    ],
)
def test_plain_chat_lines_with_what_orjson_reads_differently(extra: str) -> None:
    """Lines the chat format's plain path builds, and the same with a top-level key holding
    what only the strict reader reads right (a long integer, deep nesting, an overflow, a
    lone surrogate)."""
    turns = json.dumps([{"role": "user", "content": "q 1234567890123456789012"}])
    _check(["{}", f'{{"messages": {turns}{extra}}}', f'{{"messages": {turns}}}'])
    _check(["{}", f'{{"messages": {turns}{extra}}}'], options=LoadOptions(system="Be terse."))


@pytest.mark.parametrize("fmt", ["chat", "alpaca", "sharegpt", "prompt_completion", "text"])
def test_other_formats_load_like_each_line(fmt: str) -> None:
    texts = [
        json.dumps({"messages": [{"role": "user", "content": "hi"}]}),
        json.dumps({"instruction": "do", "input": "", "output": "done"}),
        json.dumps({"conversations": [{"from": "human", "value": "hi"}]}),
        json.dumps({"prompt": "p", "completion": "c"}),
        json.dumps({"text": "t"}),
        "[" * 101 + "]" * 101,
        "not json",
    ]
    _check(texts, fmt)


def test_lines_already_read_as_records_are_kept() -> None:
    """A line the reader already turned into a record (one too large, say) stays it."""
    error = parse_line(PATH, 2, b"{bad")
    lines = JsonLines(PATH, [1, 2], [b'{"messages": [{"role": "user", "content": "x"}]}', error])
    batch = load_records(lines, "in.jsonl", "chat", "jsonl", LoadOptions())
    assert not isinstance(batch[0], LoadError) and batch[0].messages[0].content == "x"
    assert isinstance(batch[1], LoadError) and batch[1] == load_record(
        error, "in.jsonl", "chat", "jsonl", LoadOptions()
    )

"""JSONL lines parsed by orjson (:mod:`ftprep.loaders.fastjson`) read exactly as the strict
decoder reads them: the same value (types included: an int stays an int, ``-0.0`` stays
``-0.0``) or the same load error, on generated and hostile lines."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.loaders import fastjson
from ftprep.loaders.readers import parse_line
from tests.badinput.cases import message
from tests.test_robust_properties import HOSTILE_LINES

PATH = Path("data.jsonl")

pytestmark = pytest.mark.skipif(fastjson.orjson is None, reason="orjson is not installed")


def _typed(value: Any) -> Any:
    """A value with the type of every part spelled out (floats by their repr)."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _read(data: bytes, number: int, fast: bool) -> Any:
    saved = fastjson.orjson
    fastjson.orjson = saved if fast else None
    try:
        rec = parse_line(PATH, number, data)
    finally:
        fastjson.orjson = saved
    return rec.line, rec.error, _typed(rec.value)


def _same(data: bytes, number: int = 2) -> None:
    assert _read(data, number, True) == _read(data, number, False)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
numbers = st.from_regex(
    r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
)
escapes = st.lists(
    st.one_of(
        st.text(max_size=3),
        st.integers(0xD700, 0xE0FF).map(lambda c: f"\\u{c:04x}"),
        st.sampled_from(["\\n", "\\/", '\\"', "\\\\", "\\x", "\\u12", "\t", "\x00", "\x7f"]),
    ),
    max_size=6,
).map("".join)

PIECES = ['{"a": ', "[", "]", "{", "}", ",", ":", '"k"', "1", "-", "1e999", "NaN", " ", "\ufeff"]


@settings(max_examples=400, deadline=None)
@given(json_values, st.booleans())
def test_json_values(value: Any, ascii_only: bool) -> None:
    text = json.dumps({"messages": [], "v": value}, ensure_ascii=ascii_only)
    _same(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=400, deadline=None)
@given(numbers)
def test_numbers(number: str) -> None:
    _same(f'{{"n": {number}, "l": [{number}]}}'.encode())
    if "." not in number and "e" not in number.lower():
        return
    parsed = float(number)
    if math.isfinite(parsed):  # orjson's float is the correctly rounded one, as float()'s
        assert fastjson.quick_loads(number.encode()) in (None, (parsed, 0))


@settings(max_examples=300, deadline=None)
@given(escapes)
def test_escapes_and_surrogates(text: str) -> None:
    _same(f'{{"messages": [], "t": "{text}"}}'.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.sampled_from([1, 2]))
def test_fragments(text: str, number: int) -> None:
    _same(text.encode("utf-8"), number)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.sampled_from([1, 2]))
def test_bytes(data: bytes, number: int) -> None:
    _same(data, number)


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE_LINES,
        "[" * 1000 + "]" * 1000,
        "[" * 101 + "]" * 101,
        "[" * 99 + "]" * 99,
        '{"a": [' * 60 + "1" + "]}" * 60,
        '{"n": 18446744073709551616}',
        '{"n": -9223372036854775809}',
        '{"n": 9223372036854775807, "m": -9223372036854775808}',
        '{"id": "1234567890123456789012"}',
        '{"a": 1, "b": 2, "a": 3}',
        message("emoji \\ud83d\\ude00 pair"),
        message("low first \\ude00\\ud83d"),
        '{"x": -0, "y": -0.0, "z": 1E2, "w": 2.5e-324}',
        '\ufeff{"messages": []}',
        '{"messages": []}\x00',
        '{"t": "\x01"}',
    ],
)
@pytest.mark.parametrize("number", [1, 2])
def test_hostile_lines(text: str, number: int) -> None:
    _same(text.encode("utf-8", "surrogatepass"), number)


def test_bad_utf8_and_encoded_surrogates() -> None:
    for data in (b'{"t": "\xed\xa0\x80"}', b'{"t": "\xc0\xaf"}', b'{"t": "\xff"}'):
        _same(data)


def test_chat_lines_take_the_quick_path() -> None:
    line = json.dumps({"messages": [{"role": "user", "content": "hi, 12345"}]}).encode()
    assert fastjson.quick_loads(line) is not None

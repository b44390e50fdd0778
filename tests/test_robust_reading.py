"""The bounded reading layer: line splitting, record limits, strict values, escapes."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.errors import ConfigError, printable
from ftprep.loaders import readers
from ftprep.loaders.readers import iter_lines, json_data, parse_json


class Chunked(io.BytesIO):
    """A stream returning at most ``size`` bytes per read, to cross chunk boundaries."""

    def __init__(self, data: bytes, size: int) -> None:
        super().__init__(data)
        self.size = size

    def read(self, n: int = -1) -> bytes:
        return super().read(self.size)


@given(
    st.lists(st.text(alphabet="ab{}", max_size=6), max_size=8),
    st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=8, max_size=8),
    st.integers(min_value=1, max_value=7),
)
def test_lines_split_at_every_ending_whatever_the_chunking(parts, ends, size):
    pairs = list(zip(parts, ends, strict=False))
    # "\r" then an empty line ending in "\n" is one CRLF ending, not two lines
    assume(
        not any(
            e == b"\r" and not p2 and e2[:1] == b"\n"
            for (_, e), (p2, e2) in itertools.pairwise(pairs)
        )
    )
    data = b"".join(p.encode() + e for p, e in pairs)
    readers_chunk = readers._CHUNK
    try:
        readers._CHUNK = size
        lines = list(iter_lines(Chunked(data, size), limit=1000))
    finally:
        readers._CHUNK = readers_chunk
    assert [ln.data.decode() for ln in lines] == parts
    assert [ln.number for ln in lines] == list(range(1, len(parts) + 1))


def test_a_line_over_the_limit_is_skipped_not_held():
    data = b"short\n" + b"x" * 5000 + b"\nafter\n"
    lines = list(iter_lines(io.BytesIO(data), limit=100))
    assert [(ln.number, ln.data, ln.size) for ln in lines] == [
        (1, b"short", 5),
        (2, None, 5000),
        (3, b"after", 5),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a": NaN}', "clean.malformed_json"),
        ('{"a": [Infinity]}', "clean.malformed_json"),
        ('{"a": 1e309}', "clean.malformed_json"),
        ('{"a": 1' + "0" * 250 + "e99}", "clean.malformed_json"),  # no 3-digit exponent
        ('{"a": -' + "9" * 400 + ".5}", "clean.malformed_json"),
        ('{"a": "\\ud800"}', "clean.invalid_utf8"),
        ('{"\\udc00": 1}', "clean.invalid_utf8"),
        ("[" * 101 + "]" * 101, "clean.record_too_large"),
        ("[" * 5000 + "]" * 5000, "clean.record_too_large"),
        ('{"n": ' + "1" * 4301 + "}", "clean.record_too_large"),
    ],
)
def test_values_that_cannot_be_written_back_are_refused(text, code):
    value, problem = parse_json(text)
    assert value is None and problem is not None and problem[0] == code


@pytest.mark.parametrize(
    "text",
    ['{"a": "\\ud83d\\ude00"}', "[" * 100 + "]" * 100, '{"a": 1e308, "b": "e123"}', '"x"'],
)
def test_values_at_the_limits_are_kept(text):
    value, problem = parse_json(text)
    assert problem is None and json.dumps(value, allow_nan=False)


def test_a_float_overflow_in_a_json_array_element_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "data.json"
    good = '{"messages": [{"role": "user", "content": "q"}]}'
    path.write_text(f'[{good},\n{{"x": 1{"0" * 250}e99}},\n{good}]\n', encoding="utf-8")
    records = list(readers.read_json_array(path))
    assert [r.line for r in records] == [1, 2, 3]
    assert [r.error.code if r.error else None for r in records] == [
        None,
        "clean.malformed_json",
        None,
    ]
    assert "out of range, NaN or Infinity" in records[1].error.message


def test_in_memory_values_become_json_data():
    value, problem = json_data(
        {"when": dt.date(2024, 1, 2), "price": Decimal("1.5"), "rows": (1, 2)}
    )
    assert problem is None and value == {"when": "2024-01-02", "price": 1.5, "rows": [1, 2]}
    assert json_data({"x": {1, 2}})[1][0] == "clean.unreadable_record"
    assert json_data({"x": float("nan")})[1][0] == "clean.malformed_json"
    assert json_data({"x": float("nan")}, nan_is_missing=True) == ({}, None)


def test_parquet_nan_cell_is_missing_and_infinity_an_error(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [
        {"question": f"q {i}", "answer": f"a {i}", "score": v}
        for i, v in enumerate([1.0, float("nan"), float("inf")])
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    loaded = ftprep.load(tmp_path / "d.parquet")
    assert len(loaded) == 2
    assert [(e.code, e.location.line) for e in loaded.errors] == [("clean.malformed_json", 4)]


def test_printable_escapes_terminal_controls_but_keeps_text():
    assert printable("a\x1b[31mb\nc\u202ed\udcff é 日本") == "a\\x1b[31mb\\nc\\u202ed\\udcff é 日本"


def test_max_record_mb_is_a_validated_setting(tmp_path):
    (tmp_path / "ftprep.toml").write_text("max_record_mb = 0\n")
    with pytest.raises(ConfigError, match="max_record_mb"):
        ftprep.validate([{"messages": []}], config=tmp_path / "ftprep.toml")
    path = tmp_path / "d.jsonl"
    big = {
        "messages": [{"role": "user", "content": "x" * 3000}, {"role": "assistant", "content": "y"}]
    }
    path.write_text(json.dumps(big) + "\n")
    errors = ftprep.validate(path, max_record_mb=0.001).findings
    assert "clean.record_too_large" in {f.check for f in errors}


def test_jsonl_chunks_shipped_to_workers_parse_to_the_records_read_jsonl_gives(tmp_path):
    """The engine ships a JSONL file as unparsed line bytes (parsed in the worker): the
    records, errors, lines and messages are those of reading the file in one process."""
    import pickle

    from ftprep.loaders import LoadOptions
    from ftprep.loaders.source import Source

    lines = [
        b'\xef\xbb\xbf{"messages": [{"role": "user", "content": "q"}]}',
        b"",
        b"   ",
        b"{broken",
        b'{"a": NaN}',
        b'{"a": "\xff"}',
        b'{"a": "\\ud800"}',
        b'{"a": 1e400}',
        b"x" * 300,
        b'{"ok": 1}',
    ]
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\r\n".join(lines) + b"\n")
    source = Source(path, "jsonl", "chat", LoadOptions(max_record_bytes=200))
    expected = list(readers.read_jsonl(path, source.options.max_record_bytes))
    assert len(expected) == 8 and expected[6].error.code == "clean.record_too_large"
    for size in (1, 3, 100):
        chunks = list(source.record_chunks(size))
        assert all(isinstance(c, readers.JsonLines) for c in chunks)
        shipped = [pickle.loads(pickle.dumps(c)) for c in chunks]
        assert [r for c in shipped for r in c] == expected
        assert [len(c) for c in chunks][:-1] == [size] * (len(chunks) - 1)


def _items_line_by_line(path, limit):
    """jsonl_items by its definition: iter_lines, a line at a time."""
    out = []
    with readers.open_binary(path) as fh:
        for line in iter_lines(fh, limit):
            if line.data is None:
                error = readers.too_large(path, line.number, line.size, limit, "line")
                out.append((line.number, error))
            elif line.data.removeprefix(b"\xef\xbb\xbf" if line.number == 1 else b"").strip():
                out.append((line.number, line.data))
    return out


BITS = [b"{}", b"ab", b"x" * 9, b" ", b"\t", b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(BITS), max_size=40),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=12),
)
def test_jsonl_items_in_bulk_split_as_line_by_line(tmp_path_factory, pieces, chunk, limit):
    path = tmp_path_factory.mktemp("bulk") / "data.jsonl"
    path.write_bytes(b"".join(pieces))
    readers_chunk = readers._CHUNK
    try:
        readers._CHUNK = chunk
        expected = [(n, repr(x)) for n, x in _items_line_by_line(path, limit)]
        got = [(n, repr(x)) for n, x in readers.jsonl_items(path, limit)]
    finally:
        readers._CHUNK = readers_chunk
    assert got == expected

"""Container readers: turn a file into a stream of raw records, each with its 1-based line.

A reader knows nothing about chat formats; it yields ``RawRecord`` values (a parsed value or
a load error) so that one malformed record never stops the rest of the file from loading.
Files are streamed: JSONL and CSV line by line, JSON arrays element by element through an
incremental decoder, gzip transparently.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ftprep.errors import InputError
from ftprep.schema import LoadError, SourceLocation

_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the container: a parsed value, or an error at its line."""

    line: int
    value: Any = None
    error: LoadError | None = None


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for binary reading, transparently decompressing ``.gz``."""
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from exc


def container_of(path: Path) -> str:
    """The container type from the file name (``jsonl``, ``json``, ``csv``, ``tsv``...)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    return {
        "ndjson": "jsonl",
        "jsonlines": "jsonl",
        "txt": "jsonl",
        "pq": "parquet",
        "xlsm": "xlsx",
    }.get(ext, ext)


def sniff_json_container(path: Path) -> str:
    """Tell a JSON array from JSON Lines by content, since ``.json`` files are often JSONL."""
    with open_binary(path) as fh:
        head = fh.read(4096)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        with open_binary(path) as fh:
            first = fh.readline()
        try:
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"
    return "jsonl"


def _error(path: Path, line: int, code: str, message: str) -> RawRecord:
    loc = SourceLocation(source=str(path), line=line)
    return RawRecord(line=line, error=LoadError(code=code, message=message, location=loc))


def read_jsonl(path: Path) -> Iterator[RawRecord]:
    """Yield one record per non-blank line; a bad line becomes an error at that line."""
    with open_binary(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield _error(
                    path,
                    lineno,
                    "clean.invalid_utf8",
                    f"not valid UTF-8 at byte {exc.start}; re-save the file as UTF-8",
                )
                continue
            try:
                yield RawRecord(line=lineno, value=json.loads(text))
            except json.JSONDecodeError as exc:
                yield _error(
                    path,
                    lineno,
                    "clean.malformed_json",
                    f"invalid JSON at column {exc.colno}: {exc.msg}",
                )


class _JsonArrayStream:
    """A sliding text buffer over a binary file that tracks the line number of its start."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self.buf = ""
        self.line = 1
        self.eof = False

    def fill(self) -> bool:
        """Read one more chunk; False at end of file."""
        if self.eof:
            return False
        chunk = self._fh.read(_CHUNK)
        if not chunk:
            self.eof = True
            self.buf += self._decoder.decode(b"", final=True)
            return False
        self.buf += self._decoder.decode(chunk)
        return True

    def peek(self) -> str:
        """The next non-whitespace character ('' at end of file), consuming the whitespace."""
        while True:
            stripped = self.buf.lstrip(" \t\r\n")
            self.consume(len(self.buf) - len(stripped))
            if self.buf or not self.fill():
                return self.buf[:1]

    def consume(self, n: int) -> None:
        self.line += self.buf.count("\n", 0, n)
        self.buf = self.buf[n:]

    def value(self) -> Any:
        """Decode one JSON value at the buffer start, reading more while it is incomplete."""
        while True:
            try:
                value, end = self._json.raw_decode(self.buf)
            except json.JSONDecodeError as exc:
                if self.fill():
                    continue
                raise _ArrayError(exc.msg, self.buf.count("\n", 0, exc.pos)) from exc
            self.consume(end)
            return value


class _ArrayError(Exception):
    def __init__(self, msg: str, newlines: int) -> None:
        self.msg = msg
        self.newlines = newlines


def read_json_array(path: Path) -> Iterator[RawRecord]:
    """Stream the elements of a top-level JSON array, each with the line it starts on.

    Uses ``json.JSONDecoder.raw_decode`` on a sliding buffer, so memory is bounded by the
    largest element, not the file. A top-level object is read as a single record. A JSON
    array cannot be resynchronised after a syntax error, so the first one ends the file with
    an error naming its line; every element before it is kept.
    """
    with open_binary(path) as fh:
        stream = _JsonArrayStream(fh)
        try:
            first = stream.peek()
            if not first:
                return
            if first != "[":
                line = stream.line
                yield RawRecord(line=line, value=stream.value())
                if stream.peek():
                    yield _error(
                        path,
                        stream.line,
                        "clean.malformed_json",
                        "extra data after the top-level JSON value",
                    )
                return
            stream.consume(1)
            expect_value = True
            while True:
                ch = stream.peek()
                if not ch:
                    yield _error(
                        path,
                        stream.line,
                        "clean.malformed_json",
                        "the JSON array is not closed with ']'",
                    )
                    return
                if ch == "]":
                    return
                if ch == ",":
                    if expect_value:
                        raise _ArrayError("unexpected ','", 0)
                    stream.consume(1)
                    expect_value = True
                    continue
                if not expect_value:
                    raise _ArrayError("expected ',' or ']' between elements", 0)
                line = stream.line
                yield RawRecord(line=line, value=stream.value())
                expect_value = False
        except _ArrayError as exc:
            yield _error(
                path,
                stream.line + exc.newlines,
                "clean.malformed_json",
                f"invalid JSON: {exc.msg}; the rest of the array cannot be read, "
                "fix the syntax at this line",
            )
        except UnicodeDecodeError as exc:
            yield _error(
                path,
                stream.line,
                "clean.invalid_utf8",
                f"not valid UTF-8 near byte {exc.start}; re-save the file as UTF-8",
            )


def read_delimited(path: Path, delimiter: str) -> Iterator[RawRecord]:
    """Yield each CSV/TSV row as a dict keyed by the header; the header is line 1.

    A row with the wrong number of fields or undecodable bytes becomes an error at the line
    the row starts on. Quoted fields may span lines; the row's first line is reported.
    """
    bad_lines: dict[int, str] = {}

    def lines() -> Iterator[str]:
        with open_binary(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    bad_lines[lineno] = f"not valid UTF-8 at byte {exc.start}"
                    yield raw.decode("utf-8", errors="replace")

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(str(path), f"cannot read the header row: {exc}") from exc
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(str(path), f"duplicate column names in the header: {', '.join(dup)}")
    prev_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _error(
                path,
                prev_end + 1,
                "clean.malformed_row",
                f"unreadable row ({exc}); the rest of the file cannot be read",
            )
            return
        start = prev_end + 1
        prev_end = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        spanned = [n for n in range(start, prev_end + 1) if n in bad_lines]
        if spanned:
            yield _error(
                path,
                start,
                "clean.invalid_utf8",
                bad_lines[spanned[0]] + "; re-save the file as UTF-8",
            )
            continue
        if len(row) != len(header):
            yield _error(
                path,
                start,
                "clean.malformed_row",
                f"{len(row)} fields where the header has {len(header)}; "
                "check quoting and delimiters on this row",
            )
            continue
        yield RawRecord(line=start, value=dict(zip(header, row, strict=False)))


def read_container(path: Path, container: str, sheet: str | None = None) -> Iterator[RawRecord]:
    """Dispatch to the reader for ``container`` (``sheet`` picks an Excel worksheet)."""
    if container == "jsonl":
        return read_jsonl(path)
    if container == "json":
        return read_json_array(path)
    if container == "csv":
        return read_delimited(path, ",")
    if container == "tsv":
        return read_delimited(path, "\t")
    if container == "parquet":
        from ftprep.loaders.tabular import read_parquet

        return read_parquet(path)
    if container == "xlsx":
        from ftprep.loaders.tabular import read_xlsx

        return read_xlsx(path, sheet)
    raise InputError(str(path), f"unsupported container '{container}'")

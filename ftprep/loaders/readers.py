"""Container readers: turn a file into a stream of raw records, each with its 1-based line.

A reader knows nothing about chat formats; it yields ``RawRecord`` values (a parsed value or
a load error) so that one malformed record never stops the rest of the file from loading.
Files are streamed: JSONL and CSV line by line, JSON arrays element by element through an
incremental decoder, gzip transparently.

Reading is bounded, because inputs are untrusted: a record (a line, a CSV row, an array
element) larger than the maximum record size is skipped with a load error instead of being
held in memory; values nested deeper than :data:`MAX_DEPTH`, integers longer than
:data:`MAX_INT_DIGITS` digits, ``NaN``/``Infinity`` and lone UTF-16 surrogates become load
errors at their line, since none of them can be written back as strict UTF-8 JSON. Lines
end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports), so CR-only files read normally.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import gzip
import json
import math
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ftprep.errors import InputError
from ftprep.loaders.fastjson import quick_loads
from ftprep.loaders.raw import RawRecord, parsed_record
from ftprep.schema import LoadError, SourceLocation

_CHUNK = 1 << 20
#: Default maximum size of one record (a line, a CSV row or a JSON array element), in MiB.
DEFAULT_MAX_RECORD_MB = 8
DEFAULT_MAX_RECORD_BYTES = DEFAULT_MAX_RECORD_MB << 20
#: Deepest nesting of arrays/objects in one record; real chat records nest under 10 levels.
MAX_DEPTH = 100
#: Python's own limit for converting digit strings to integers (``sys.int_info``).
MAX_INT_DIGITS = 4300
#: Errors a damaged compressed stream raises while being read.
STREAM_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, OSError)
TEXT_CONTAINERS = ("jsonl", "json", "csv", "tsv")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


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


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes (decompressed for ``.gz``); a damaged file is an InputError."""
    try:
        with open_binary(path) as fh:
            return fh.read(size)
    except (EOFError, zlib.error, OSError) as exc:
        if path.suffix == ".gz":
            raise InputError(
                str(path), f"the gzip data is corrupt or truncated ({exc}); re-create the archive"
            ) from exc
        raise InputError(str(path), f"cannot read: {exc}") from exc


def text_problem(head: bytes) -> str | None:
    """Why the start of a file shows it is not UTF-8 text at all (one diagnosis for the
    whole file instead of one error per line), or None."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "is UTF-32 encoded; re-save it as UTF-8 (e.g. iconv -f UTF-32 -t UTF-8)"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "is UTF-16 encoded; re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)"
    sample = head[:4096]
    if sample.count(0) <= 0.1 * len(sample):
        return None  # a stray NUL is an error on its line, not a diagnosis of the file
    even, odd = sample[0::2], sample[1::2]
    if (
        len(sample) >= 4
        and (even.count(0) > 0.3 * len(even) or odd.count(0) > 0.3 * len(odd))
        and sample.count(0) < 0.75 * len(sample)
    ):
        return (
            "looks UTF-16 encoded (no byte-order mark); re-save it as UTF-8 "
            "(e.g. iconv -f UTF-16LE -t UTF-8)"
        )
    return "contains NUL bytes: it is binary data, not a text file; pass the exported data file"


def sniff_json_container(path: Path, head: bytes | None = None, named: str = "json") -> str:
    """Tell a JSON array (or pretty-printed objects) from JSON Lines by content: ``.json``
    files are often JSONL and ``.jsonl`` files are sometimes a JSON array. ``named`` is the
    container the file name says; a ``.jsonl`` file whose first line is merely broken stays
    JSON Lines, so the lines after it still load."""
    head = read_head(path) if head is None else head
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith(("[", "{")):
        return "jsonl"
    first, _, rest = text.partition("\n")
    first = first.split("\r", 1)[0].strip()
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        if named == "jsonl" and not (first in ("{", "[") or first.startswith("[")):
            return "jsonl"
        return "json"
    if text.startswith("[") and isinstance(value, list) and not rest.strip():
        return "json"  # a whole JSON array on one line
    return "jsonl"


def _error(path: Path, line: int, code: str, message: str) -> RawRecord:
    loc = SourceLocation(source=str(path), line=line)
    return RawRecord(line=line, error=LoadError(code=code, message=message, location=loc))


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def too_large(path: Path, line: int, size: int, limit: int, what: str = "record") -> RawRecord:
    return _error(
        path,
        line,
        "clean.record_too_large",
        f"the {what} is over {_mb(size)}, more than the maximum record size of {_mb(limit)}; "
        "shorten it, or raise the limit with --max-record-mb (or max_record_mb in the config)",
    )


class _Rejected(ValueError):
    """A JSON value that parses but cannot be written back as strict JSON."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _reject_constant(name: str) -> Any:
    raise _Rejected(
        "clean.malformed_json",
        f"{name} is not valid JSON (strict JSON has no NaN or Infinity); write a number or null",
    )


class _Overflow(Exception):
    """A number in the JSON text overflows a float (``1e999``): the value is suspect."""


def _finite_float(text: str) -> float:
    """``float(text)``, the decoder's own conversion, raising :class:`_Overflow` for a
    number too large for a float, so that the costly checks of :func:`value_problem` run
    only on records that may need them (the decoder calls this only for numbers with a
    fraction or an exponent, which chat records rarely hold)."""
    number = float(text)
    if math.isinf(number):
        raise _Overflow
    return number


#: The strict decoder: rejects NaN/Infinity, flags float overflow (the fast path).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
#: The same without the overflow flag: decodes a record :data:`_DECODER` flagged, whose
#: problems :func:`value_problem` then names.
_PLAIN_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def value_problem(value: Any, nan_is_missing: bool = False) -> tuple[str, str] | None:
    """``(code, message)`` when ``value`` cannot be written as strict UTF-8 JSON: nested
    deeper than :data:`MAX_DEPTH`, a non-finite float, or a lone surrogate. Iterative, so it
    never recurses however deep the value is. ``nan_is_missing``: NaN is a missing cell
    (the pandas/Parquet convention), not an error."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return (
                        "clean.invalid_utf8",
                        f"lone surrogate \\u{ord(item[exc.start]):04x} in a string is not "
                        "valid Unicode; fix the text (it was probably cut inside an emoji)",
                    )
        elif isinstance(item, float):
            if not math.isfinite(item) and not (nan_is_missing and math.isnan(item)):
                return (
                    "clean.malformed_json",
                    f"the number {item} is not valid JSON (out of range, NaN or Infinity); "
                    "write a finite number or null",
                )
        elif isinstance(item, dict | list | tuple):
            if depth > MAX_DEPTH:
                return (
                    "clean.record_too_large",
                    f"values nested more than {MAX_DEPTH} levels deep; flatten the record",
                )
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if isinstance(key, str):
                    stack.append((key, depth))
                stack.append((child, depth + 1))
    return None


class _NotJson(Exception):
    """Raised inside the sniffer: the head of the file is not JSON."""


def _jsonable(value: Any, nan_is_missing: bool = False) -> Any:
    """``value`` as plain JSON data (recursive: call only on values :func:`value_problem`
    passed, which are at most :data:`MAX_DEPTH` deep)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str | int | float | bool) and k is not None:
                raise _NotJson(f"a key of type {type(k).__name__}")
            if nan_is_missing and isinstance(v, float) and math.isnan(v):
                continue
            out[k if isinstance(k, str) else json.dumps(k)] = _jsonable(v, nan_is_missing)
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(v, nan_is_missing) for v in value]
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise _NotJson("a non-finite decimal")
        return number
    raise _NotJson(f"a value of type {type(value).__name__}")


def json_data(value: Any, nan_is_missing: bool = False) -> tuple[Any, tuple[str, str] | None]:
    """Records held in memory or read from Parquet/Excel as plain, strictly writable JSON
    data (dates become ISO text, decimals numbers, a NaN cell of a table a missing key):
    ``(value, None)`` or ``(None, problem)``.
    """
    problem = value_problem(value, nan_is_missing)
    if problem is not None:
        return None, problem
    try:
        return _jsonable(value, nan_is_missing), None
    except _NotJson as exc:
        return None, (
            "clean.unreadable_record",
            f"the record holds {exc}, which is not JSON data; convert it to text or a number",
        )


def _suspect(text: str) -> bool:
    """Cheap tests on a record's JSON text: might :func:`value_problem` find something
    besides float overflow (which the decoder flags itself)?"""
    return bool(
        text.count("[") + text.count("{") > MAX_DEPTH
        or ("\\u" in text and _SURROGATE_ESCAPE.search(text))
    )


def parse_json(text: str) -> tuple[Any, tuple[str, str] | None]:
    """Parse one JSON text strictly: ``(value, None)`` or ``(None, (code, message))``.

    The deep checks of :func:`value_problem` run only when the decoder met a number that
    overflows a float or cheap tests on the text say they might find something (many
    brackets, a surrogate escape).
    """
    suspect = False
    try:
        try:
            value = _DECODER.decode(text)
        except _Overflow:
            suspect = True
            value = _PLAIN_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, ("clean.malformed_json", f"invalid JSON at column {exc.colno}: {exc.msg}")
    except _Rejected as exc:
        return None, (exc.code, str(exc))
    except RecursionError:
        return None, (
            "clean.record_too_large",
            f"values nested more than {MAX_DEPTH} levels deep; flatten the record",
        )
    except ValueError as exc:  # integer with more digits than Python converts
        if "digits" in str(exc):
            return None, (
                "clean.record_too_large",
                f"an integer with more than {MAX_INT_DIGITS} digits; write it as a string",
            )
        return None, ("clean.malformed_json", f"invalid JSON: {exc}")
    if suspect or _suspect(text):
        problem = value_problem(value)
        if problem is not None:
            return None, problem
    return value, None


@dataclass(frozen=True)
class Line:
    """One physical line: its number, its bytes without the terminator (None when it is
    longer than the limit and was skipped), its terminator and its full size."""

    number: int
    data: bytes | None
    end: bytes
    size: int


def iter_lines(fh: IO[bytes], limit: int) -> Iterator[Line]:
    """Split a binary stream at ``\\n``, ``\\r\\n`` and lone ``\\r``, holding at most
    ``limit`` bytes of one line; a longer line is yielded with ``data=None``."""
    number = 1
    parts: list[bytes] = []
    size = 0
    pending_cr = False
    ended: list[Line] = []

    def emit(number: int, data: bytes | None, end: bytes, size: int) -> None:
        ended.append(Line(number, data, end, size))

    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        if pending_cr:
            pending_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    continue
        number, size, pending_cr = _split_slowly(chunk, number, parts, size, limit, emit)
        yield from ended
        ended.clear()
    if size or parts:
        yield Line(number, None if size > limit else b"".join(parts), b"", size)


def _decode_line(line: Line) -> str:
    return _decode(line.number, line.data or b"")


def _decode(number: int, data: bytes) -> str:
    """Line ``number``'s bytes as text (a byte-order mark starting the file dropped)."""
    if number == 1 and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8")


def _broken_stream(path: Path, line: int, exc: BaseException) -> RawRecord:
    return _error(
        path,
        line,
        "clean.unreadable_record",
        f"the file cannot be read past this line ({type(exc).__name__}: {exc}); the "
        "compressed data is corrupt or truncated: re-create or re-download it",
    )


def jsonl_items(
    path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[tuple[int, bytes | RawRecord]]:
    """The records of a JSONL file before parsing, with their lines: ``(line, bytes)`` for
    each non-blank line within the limit, ``(line, error)`` for a line over it or where a
    compressed stream broke. :func:`parse_line` turns the bytes into a record."""
    for lines, items in jsonl_blocks(path, limit):
        yield from zip(lines, items, strict=True)


def jsonl_blocks(
    path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[tuple[list[int], list[bytes | RawRecord]]]:
    """:func:`jsonl_items` a read of the file at a time, as two lists (line numbers, items).

    The lines of a read with no ``\\r`` in it are split with one ``bytes.split`` and pass
    on in bulk, where :func:`iter_lines` makes an object per line: the process that reads
    the file for the workers (the run's serial step) spent ~4 µs a line on it, 0.4 s per
    100,000 records. A read holding a ``\\r`` follows :func:`iter_lines` line by line, so
    every file splits as it does (tests/test_robust_reading.py)."""
    lines: list[int] = []
    items: list[bytes | RawRecord] = []

    def emit(number: int, data: bytes | None, end: bytes, size: int) -> None:
        if data is None:
            lines.append(number)
            items.append(too_large(path, number, size, limit, "line"))
        elif data.removeprefix(codecs.BOM_UTF8 if number == 1 else b"").strip():
            lines.append(number)
            items.append(data)

    number = 1  # of the line being read
    parts: list[bytes] = []  # its bytes so far (none once it is over the limit)
    size = 0  # its size so far
    pending_cr = False
    with open_binary(path) as fh:
        while True:
            try:
                chunk = fh.read(_CHUNK)
            except STREAM_ERRORS as exc:
                lines.append(number)
                items.append(_broken_stream(path, number, exc))
                yield lines, items
                return
            if not chunk:
                break
            if pending_cr:
                pending_cr = False
                if chunk[:1] == b"\n":
                    chunk = chunk[1:]
                    if not chunk:
                        continue
            if b"\r" in chunk:
                number, size, pending_cr = _split_slowly(chunk, number, parts, size, limit, emit)
            else:
                pieces = chunk.split(b"\n")
                tail = pieces.pop()  # the start of a line the next read goes on with
                if pieces and (size or number == 1):
                    first = pieces.pop(0)  # ends the line begun in an earlier read
                    size += len(first)
                    emit(number, None if size > limit else b"".join([*parts, first]), b"\n", size)
                    number, parts, size = number + 1, [], 0
                if pieces:
                    if max(map(len, pieces)) > limit or not all(map(bytes.strip, pieces)):
                        for i, piece in enumerate(pieces):
                            data = None if len(piece) > limit else piece
                            emit(number + i, data, b"\n", len(piece))
                    else:
                        lines.extend(range(number, number + len(pieces)))
                        items.extend(pieces)
                    number += len(pieces)
                if tail:
                    size += len(tail)
                    if size <= limit:
                        parts.append(tail)
                    else:
                        parts.clear()
            if items:
                yield lines, items
                lines, items = [], []
    if size or parts:
        emit(number, None if size > limit else b"".join(parts), b"", size)
    if items:
        yield lines, items


def _split_slowly(
    chunk: bytes,
    number: int,
    parts: list[bytes],
    size: int,
    limit: int,
    emit: Callable[[int, bytes | None, bytes, int], None],
) -> tuple[int, int, bool]:
    """One read split at ``\\n``, ``\\r\\n`` and a lone ``\\r`` (for :func:`iter_lines`, and
    :func:`jsonl_blocks` on a read holding a ``\\r``): each line ended goes to ``emit`` (its
    number, bytes or None past ``limit``, terminator, size), the start of an unended one
    stays in ``parts``. Returns the next line number, the unended line's size, and
    whether the read ended with a ``\\r`` (a ``\\n`` starting the next read belongs to it)."""
    pending_cr = False
    pieces = chunk.splitlines(keepends=True)
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if piece[-1:] in (b"\n", b"\r"):
            end = b"\r\n" if piece.endswith(b"\r\n") else piece[-1:]
            body = piece[: -len(end)]
            if end == b"\r" and i == last:
                pending_cr = True
            size += len(body)
            emit(number, None if size > limit else b"".join([*parts, body]), end, size)
            number += 1
            parts.clear()
            size = 0
        else:
            size += len(piece)
            if size <= limit:
                parts.append(piece)
            else:
                parts.clear()
    return number, size, pending_cr


def parse_line(path: Path, number: int, data: bytes) -> RawRecord:
    """The record of JSONL line ``number`` (its bytes without the line end): the parsed
    value, or a load error at the line. Most lines are parsed by orjson
    (:func:`~ftprep.loaders.fastjson.quick_loads`); the rest, and every line that is
    wrong, by the strict decoder, which names the problem."""
    quick = quick_loads(data[3:] if number == 1 and data.startswith(codecs.BOM_UTF8) else data)
    if quick is not None:
        value, openers = quick
        # orjson refuses what else value_problem finds: only the depth is left to check
        problem = value_problem(value) if openers > MAX_DEPTH else None
        if problem is not None:
            return _error(path, number, *problem)
        return parsed_record(number, value)
    try:
        text = _decode(number, data)
    except UnicodeDecodeError as exc:
        return _error(
            path,
            number,
            "clean.invalid_utf8",
            f"not valid UTF-8 at byte {exc.start}; re-save the file as UTF-8",
        )
    value, problem = parse_json(text)
    if problem is not None:
        return _error(path, number, *problem)
    return RawRecord(line=number, value=value)


def read_jsonl(path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[RawRecord]:
    """Yield one record per non-blank line; a bad line becomes an error at that line."""
    for number, item in jsonl_items(path, limit):
        yield item if isinstance(item, RawRecord) else parse_line(path, number, item)


@dataclass(frozen=True)
class JsonLines:
    """Consecutive records of a JSONL file, read but not parsed yet (``items`` holds each
    one's line bytes, or its load error; ``lines`` their line numbers).

    This is the form in which the engine ships a JSONL file's records to worker
    processes: bytes pickle at memory speed, whereas parsed values cost about as much to
    pickle and unpickle as to parse, and parsing in the reading process would make it the
    run's serial bottleneck. Iterating parses each line (:func:`parse_line`), giving the
    records :func:`read_jsonl` gives.
    """

    path: Path
    lines: list[int]
    items: list[bytes | RawRecord]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[RawRecord]:
        path = self.path
        for number, item in zip(self.lines, self.items, strict=True):
            yield item if isinstance(item, RawRecord) else parse_line(path, number, item)


class _JsonArrayStream:
    """A sliding text buffer over a binary file that tracks the line number of its start.

    The buffer is consumed by advancing ``pos`` and compacted only when the consumed part
    is large, so reading many small elements costs linear time.
    """

    def __init__(self, fh: IO[bytes], limit: int) -> None:
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.limit = limit
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def fill(self) -> bool:
        """Read one more chunk; False at end of file."""
        if self.eof:
            return False
        chunk = self._fh.read(_CHUNK)
        if self.pos:
            self.buf = self.buf[self.pos :]
            self.pos = 0
        if not chunk:
            self.eof = True
            self.buf += self._decoder.decode(b"", final=True)
            return False
        self.buf += self._decoder.decode(chunk)
        return True

    def peek(self) -> str:
        """The next non-whitespace character ('' at end of file), consuming the whitespace."""
        while True:
            n = len(self.buf)
            i = self.pos
            while i < n and self.buf[i] in " \t\r\n":
                i += 1
            self.consume(i - self.pos)
            if self.pos < n or not self.fill():
                return self.buf[self.pos : self.pos + 1]

    def consume(self, n: int) -> None:
        self.line += self.buf.count("\n", self.pos, self.pos + n)
        self.pos += n

    def value(self) -> tuple[Any, str, bool]:
        """Decode one JSON value at the buffer position, reading more while it is
        incomplete: the value, its text, and whether a number in it overflows a float."""
        decoder = _DECODER
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except _Overflow:
                decoder = _PLAIN_DECODER
                continue
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > self.limit:
                    raise _ArrayError(
                        f"an element over the maximum record size of {_mb(self.limit)} "
                        "(raise it with --max-record-mb)",
                        0,
                        "clean.record_too_large",
                    ) from exc
                newlines = self.buf.count("\n", self.pos, exc.pos)
                if self.fill():
                    continue
                raise _ArrayError(exc.msg, newlines) from exc
            except _Rejected as exc:
                raise _ArrayError(str(exc), 0, exc.code) from exc
            except RecursionError as exc:
                raise _ArrayError(
                    f"values nested more than {MAX_DEPTH} levels deep", 0, "clean.record_too_large"
                ) from exc
            except ValueError as exc:
                raise _ArrayError(str(exc), 0, "clean.record_too_large") from exc
            text = self.buf[self.pos : end]
            self.consume(end - self.pos)
            return value, text, decoder is _PLAIN_DECODER


class _ArrayError(Exception):
    def __init__(self, msg: str, newlines: int, code: str = "clean.malformed_json") -> None:
        self.msg = msg
        self.newlines = newlines
        self.code = code


def _element(path: Path, line: int, value: Any, text: str, limit: int, overflow: bool) -> RawRecord:
    """One decoded element, checked like a JSONL line (``overflow``: the decoder met a
    number too large for a float in it)."""
    if len(text) > limit:
        return too_large(path, line, len(text.encode("utf-8", "surrogatepass")), limit, "element")
    if overflow or _suspect(text):
        problem = value_problem(value)
        if problem is not None:
            return _error(path, line, *problem)
    return RawRecord(line=line, value=value)


def read_json_array(path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[RawRecord]:
    """Stream the elements of a top-level JSON array, each with the line it starts on.

    Uses ``json.JSONDecoder.raw_decode`` on a sliding buffer, so memory is bounded by the
    largest element, not the file. Top-level objects (one, or several pretty-printed one after
    another) are read as one record each. A JSON array cannot be resynchronised after a syntax
    error, so the first one ends the file with an error naming its line; every element
    before it is kept.
    """
    with open_binary(path) as fh:
        stream = _JsonArrayStream(fh, limit)
        try:
            first = stream.peek()
            if not first:
                return
            if first != "[":
                while stream.peek():
                    line = stream.line
                    value, text, overflow = stream.value()
                    yield _element(path, line, value, text, limit, overflow)
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
                    stream.consume(1)
                    if stream.peek():
                        yield _error(
                            path,
                            stream.line,
                            "clean.malformed_json",
                            "extra data after the closing ']' of the JSON array",
                        )
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
                value, text, overflow = stream.value()
                yield _element(path, line, value, text, limit, overflow)
                expect_value = False
        except _ArrayError as exc:
            yield _error(
                path,
                stream.line + exc.newlines,
                exc.code,
                f"invalid JSON: {exc.msg}; the rest of the file cannot be read, "
                "fix it at this line",
            )
        except UnicodeDecodeError as exc:
            yield _error(
                path,
                stream.line,
                "clean.invalid_utf8",
                f"not valid UTF-8 near byte {exc.start}; re-save the file as UTF-8",
            )
        except STREAM_ERRORS as exc:
            yield _broken_stream(path, stream.line, exc)


class _RowTooLarge(Exception):
    """The CSV row being read grew past the maximum record size."""


class _LineFeed:
    """Decoded lines for ``csv.reader``, remembering which lines the current row used so a
    row that went wrong (an unclosed quote swallowing the lines after it) can be reported
    at its first line and the following lines read again as rows of their own."""

    def __init__(self, lines: Iterator[Line], limit: int) -> None:
        self._lines = lines
        self.limit = limit
        self.replay: deque[Line] = deque()
        self.taken: list[Line] = []
        self.size = 0
        self.bad_utf8: dict[int, str] = {}

    def start_row(self) -> None:
        self.taken = []
        self.size = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        line = self.replay.popleft() if self.replay else next(self._lines)
        self.taken.append(line)
        self.size += line.size
        if line.data is None or self.size > self.limit:
            raise _RowTooLarge
        try:
            text = _decode_line(line)
        except UnicodeDecodeError as exc:
            self.bad_utf8[line.number] = f"not valid UTF-8 at byte {exc.start}"
            text = (line.data or b"").decode("utf-8", errors="replace")
        return text + line.end.decode("ascii")

    def push_back_after_first(self) -> int:
        """Queue every line of the current row but its first to be read again; the first
        line's number."""
        first, rest = self.taken[0], self.taken[1:]
        self.replay.extendleft(reversed(rest))
        return first.number


def read_delimited(
    path: Path, delimiter: str, limit: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[RawRecord]:
    """Yield each CSV/TSV row as a dict keyed by the header; the header is line 1.

    A row with the wrong number of fields or undecodable bytes becomes an error at the line
    the row starts on. Quoted fields may span lines; the row's first line is reported. A
    quote that is never closed would swallow every line after it: such a row is reported at
    its first line and the lines after it are read again, so no row is lost.
    """
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    with open_binary(path) as fh:
        feed = _LineFeed(iter_lines(fh, limit), limit)
        reader = csv.reader(feed, delimiter=delimiter)
        header: list[str] | None = None
        while True:
            feed.start_row()
            try:
                row = next(reader)
            except StopIteration:
                return
            except _RowTooLarge:
                if header is None:
                    raise InputError(
                        str(path),
                        f"the header row is over the maximum record size of {_mb(limit)}; "
                        "is this really a CSV/TSV file? (raise the limit with --max-record-mb)",
                    ) from None
                reader = csv.reader(feed, delimiter=delimiter)
                if len(feed.taken) == 1:
                    line = feed.taken[0]
                    yield too_large(path, line.number, line.size, limit, "row")
                    continue
                start = feed.push_back_after_first()
                yield _unclosed(path, start, limit)
                continue
            except csv.Error as exc:
                if header is None:
                    raise InputError(str(path), f"cannot read the header row: {exc}") from exc
                reader = csv.reader(feed, delimiter=delimiter)
                if not feed.taken:
                    return
                start = feed.push_back_after_first()
                yield _error(path, start, "clean.malformed_row", f"unreadable row ({exc})")
                continue
            except STREAM_ERRORS as exc:
                last = feed.taken[-1].number if feed.taken else 0
                yield _broken_stream(path, last + 1, exc)
                return
            if not feed.taken:
                return
            start = feed.taken[0].number
            if header is None:
                header = [h.strip() for h in row]
                if len(set(header)) != len(header):
                    dup = sorted({h for h in header if header.count(h) > 1})
                    raise InputError(
                        str(path), f"duplicate column names in the header: {', '.join(dup)}"
                    )
                if any(n in feed.bad_utf8 for n in (t.number for t in feed.taken)):
                    raise InputError(str(path), "the header row is not valid UTF-8")
                continue
            if not row or all(not c.strip() for c in row):
                continue
            if len(feed.taken) == 1 and any("\n" in c or "\r" in c for c in row):
                # the file ended inside a quote opened on its last line
                yield _error(path, start, "clean.malformed_row", _UNCLOSED)
                continue
            if len(feed.taken) > 1 and _swallowed(feed.taken, len(row), len(header), delimiter):
                # A quote opened on the first line and was closed late or never: report it
                # there and read the lines it swallowed again.
                feed.push_back_after_first()
                reader = csv.reader(feed, delimiter=delimiter)
                yield _error(path, start, "clean.malformed_row", _UNCLOSED)
                continue
            spanned = [t.number for t in feed.taken if t.number in feed.bad_utf8]
            if spanned:
                yield _error(
                    path,
                    start,
                    "clean.invalid_utf8",
                    feed.bad_utf8[spanned[0]] + "; re-save the file as UTF-8",
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


_UNCLOSED = (
    "a quoted field opened on this line is not closed where the row should end; close or "
    'escape the quote ("" inside a quoted field)'
)


def _swallowed(taken: list[Line], fields: int, width: int, delimiter: str) -> bool:
    """Did a quote opened on the first line swallow the lines after it? Either the row
    ended inside the quote (its last line has no quote: the file ended first), or the row
    has the wrong number of fields, is closed by a stray quote (not one followed by the
    delimiter or the line end, as a writer puts it) and the lines it swallowed read as rows
    of their own."""
    if b'"' not in (taken[-1].data or b""):
        return True
    if fields == width or _closes_cleanly(taken[-1].data or b"", delimiter.encode()):
        return False
    if len(taken) < 3 or any(t.data is None for t in taken):
        return False
    texts = [(t.data + t.end).decode("utf-8", "replace") for t in taken[1:] if t.data]
    try:
        rows = list(csv.reader(texts, delimiter=delimiter))
    except csv.Error:
        return False
    rows = [r for r in rows if any(c.strip() for c in r)]
    return len(rows) >= 2 and sum(len(r) == width for r in rows) >= 2 * len(rows) / 3


def _closes_cleanly(data: bytes, sep: bytes) -> bool:
    """Is the quote that ends a multi-line field on this line followed by the delimiter or
    the line end, as every CSV writer puts it?"""
    i = data.find(b'"')
    while i != -1 and data[i + 1 : i + 2] == b'"':
        i = data.find(b'"', i + 2)
    return i != -1 and data[i + 1 : i + 1 + len(sep)] in (sep, b"")


def _unclosed(path: Path, line: int, limit: int) -> RawRecord:
    return _error(
        path,
        line,
        "clean.malformed_row",
        f"a quoted field opened on this line runs past the maximum record size of "
        f'{_mb(limit)}; close or escape the quote ("" inside a quoted field)',
    )


def read_container(
    path: Path,
    container: str,
    sheet: str | None = None,
    limit: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[RawRecord]:
    """Dispatch to the reader for ``container`` (``sheet`` picks an Excel worksheet,
    ``limit`` is the maximum record size in bytes)."""
    if container == "jsonl":
        return read_jsonl(path, limit)
    if container == "json":
        return read_json_array(path, limit)
    if container == "csv":
        return read_delimited(path, ",", limit)
    if container == "tsv":
        return read_delimited(path, "\t", limit)
    if container == "parquet":
        from ftprep.loaders.tabular import read_parquet

        return read_parquet(path)
    if container == "xlsx":
        from ftprep.loaders.tabular import read_xlsx

        return read_xlsx(path, sheet)
    raise InputError(str(path), f"unsupported container '{container}'")

"""Open one input file: detect its container and format, then stream its records.

Detection mirrors sqlite-utils' ``rows_from_file``: the container comes from the file name
(or the first bytes for ``.json`` that is really JSONL, or ``.jsonl`` that is a JSON array),
the format from the keys of the first records. The result says what it detected so the
report can show it.

Whatever the path, opening either succeeds or raises :class:`InputError` with one line
naming the cause (missing, a directory, a device, a symlink loop, not searchable, UTF-16,
binary...). A pipe or ``-`` (standard input) is read once into a private spool file, since
the analysis and the split writer each need a pass. Iterating a source never raises for a
bad record: whatever an adapter cannot handle becomes a load error at the record's line.

In-memory data (:mod:`ftprep.loaders.memory` wraps it as :class:`Records`) opens the same
way, as a :class:`MemorySource`; files and records choose their format with one function,
:func:`choose_format`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import itertools
import json
import os
import stat
import sys
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ftprep.errors import InputError
from ftprep.loaders.mapped import guess_mapping, validate_mapping
from ftprep.loaders.memory import Records, from_records, is_in_memory
from ftprep.loaders.probe import check_understood, supported
from ftprep.loaders.readers import (
    JsonLines,
    RawRecord,
    container_of,
    jsonl_blocks,
    read_container,
    read_head,
    sniff_json_container,
    text_problem,
)
from ftprep.loaders.record import load_record
from ftprep.loaders.registry import FORMATS, LoadOptions, detect_format
from ftprep.schema import Example, LoadError, SourceLocation

CONTAINERS = ("jsonl", "json", "csv", "tsv", "parquet", "xlsx")
#: Containers whose records are flat rows (columns), so the format comes from column names.
FLAT = ("csv", "tsv", "xlsx")
_PEEK = 100


@dataclass(frozen=True)
class LoadedRecord:
    """One input record after loading: exactly one of ``example`` and ``error`` is set."""

    location: SourceLocation
    example: Example | None = None
    error: LoadError | None = None


@dataclass
class Source:
    """An input file with its detected container and format; iterate it for records."""

    path: Path
    container: str
    format: str
    options: LoadOptions
    counts: dict[str, int] = field(
        default_factory=lambda: {"records": 0, "examples": 0, "load_errors": 0}
    )
    #: Where the records are read from when that differs from ``path``: the private copy of
    #: a pipe or standard input (read only once, and the split needs a second pass), or the
    #: real file when its name is not valid UTF-8 (``path`` then shows it escaped).
    spool: Path | None = None
    #: The location of a remote input (``s3://...``), read from its local copy ``spool``.
    uri: str | None = None

    @property
    def label(self) -> str:
        return f"{self.container}/{self.format}"

    @property
    def name(self) -> str:
        """How locations name this source (the path or URI as given)."""
        return self.uri if self.uri is not None else str(self.path)

    @property
    def data_path(self) -> Path:
        """The file the records are read from."""
        return self.spool if self.spool is not None else self.path

    def raw_records(self) -> Iterator[RawRecord]:
        """The container's records before format adaptation."""
        return read_container(
            self.data_path, self.container, self.options.sheet, self.options.max_record_bytes
        )

    def record_chunks(self, size: int) -> Iterator[list[RawRecord] | JsonLines]:
        """The records of :meth:`raw_records` in consecutive chunks of ``size`` (the last
        may be shorter). A JSONL file's chunks are :class:`JsonLines`, parsed when iterated:
        the engine ships them to its workers, so reading stays the only serial step."""
        if self.container == "jsonl":
            lines: list[int] = []
            items: list[bytes | RawRecord] = []
            for more_lines, more_items in jsonl_blocks(
                self.data_path, self.options.max_record_bytes
            ):
                lines += more_lines
                items += more_items
                while len(items) >= size:
                    yield JsonLines(self.data_path, lines[:size], items[:size])
                    del lines[:size], items[:size]
            if items:
                yield JsonLines(self.data_path, lines, items)
            return
        raws = self.raw_records()
        while records := list(itertools.islice(raws, size)):
            yield records

    def sha256(self) -> str:
        """Fingerprint of the input, to detect a change between two passes."""
        return sha256_file(self.data_path)

    def __iter__(self) -> Iterator[LoadedRecord]:
        self.counts = {"records": 0, "examples": 0, "load_errors": 0}
        for raw in self.raw_records():
            self.counts["records"] += 1
            result = load_record(raw, self.name, self.format, self.container, self.options)
            if isinstance(result, LoadError):
                self.counts["load_errors"] += 1
                yield LoadedRecord(location=result.location, error=result)
            else:
                self.counts["examples"] += 1
                yield LoadedRecord(location=result.location, example=result)


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (compressed files hash compressed)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _peek(path: Path, container: str, options: LoadOptions) -> list[RawRecord]:
    records = read_container(path, container, options.sheet, options.max_record_bytes)
    return list(itertools.islice(records, _PEEK))


def _mapped(options: LoadOptions, mapping: dict[str, str]) -> LoadOptions:
    return dataclasses.replace(options, format=None, mapping=mapping)


def _safe_detect(value: object) -> str | None:
    try:
        return detect_format(value)
    except Exception:  # a detector that trips on an odd value: that value fits no format
        return None


def detect(
    values: list[object],
    container: str,
    options: LoadOptions,
    where: str,
    columns: list[str] | None = None,
) -> tuple[str, LoadOptions]:
    """The format (and load options) for records that look like ``values``.

    Flat rows (CSV, TSV, Excel) are matched by column names; nested records (JSON, Parquet,
    in-memory) by the registered detectors, then by column names as a fallback. ``columns``
    are a DataFrame's (a row leaves out its missing values, so the first row may not name
    them all); without them, the first record's keys.
    """
    if not values:
        return "chat", options  # empty or all-broken: the chat adapter reports it
    first = values[0]
    flat = container in FLAT
    names = columns if columns is not None else list(first) if isinstance(first, dict) else []
    mapping = guess_mapping(names)
    if flat and mapping:
        return "mapped", _mapped(options, mapping)
    found = [_safe_detect(value) for value in values]
    for fmt in found:
        if fmt is not None:
            # a file mixing plain chat records with LLaMA-Factory v1 ones is read by the v1
            # reader, which also reads plain chat; the chat reader would read v1 turns empty
            if fmt == "chat" and "llamafactory_v1" in found:
                return "llamafactory_v1", options
            return fmt, options
    if mapping:
        return "mapped", _mapped(options, mapping)
    if columns is not None:
        raise InputError(
            where,
            f"cannot tell which columns hold the conversation (columns: {', '.join(columns)}); "
            "pass mapping={'user': COLUMN, 'assistant': COLUMN}",
        )
    if flat and isinstance(first, dict):
        raise InputError(
            where,
            "cannot tell which columns hold the conversation; pass "
            "--map user=COLUMN --map assistant=COLUMN (columns: "
            f"{', '.join(map(str, first.keys()))})",
        )
    keys = sorted(map(str, first.keys())) if isinstance(first, dict) else [type(first).__name__]
    raise InputError(
        where,
        f"no record looks like a supported format (first record has {', '.join(keys)}); "
        f"{supported()}",
    )


def choose_format(
    forced: str | None,
    values: list[object],
    lines: Sequence[int],
    container: str,
    options: LoadOptions,
    where: str,
    columns: list[str] | None = None,
) -> tuple[str, LoadOptions]:
    """The format (and load options) that reads records like ``values``, the first records
    of a file, of in-memory data or of a DataFrame (at ``lines``; ``columns`` for a frame):
    with a mapping, ``forced`` or the mapped format; else ``forced`` (``--from``); else
    :func:`detect`. A format that reads none of them is refused here, once
    (:func:`~ftprep.loaders.probe.check_understood`)."""
    if options.mapping:
        fmt, opts = forced or "mapped", options
    elif forced is not None:
        fmt, opts = forced, options
    else:
        fmt, opts = detect(values, container, options, where, columns)
    check_understood(fmt, values, lines, opts, where, container)
    return fmt, opts


_OS_CAUSES = {
    errno.ENOENT: "no such file",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EACCES: "permission denied (the file or a folder on its path cannot be read)",
    errno.EPERM: "permission denied",
}


def os_cause(exc: OSError) -> str:
    """A short cause for an OS error, without the path (the caller names it)."""
    return _OS_CAUSES.get(exc.errno or 0, exc.strerror or str(exc))


def input_kind(p: Path) -> str:
    """``file``, ``stream`` (a pipe: read once) or raise InputError saying why ``p`` cannot
    be an input."""
    try:
        st = p.stat()
    except OSError as exc:
        raise InputError(str(p), os_cause(exc)) from exc
    except ValueError as exc:  # embedded NUL byte in the name
        raise InputError(repr(str(p)), f"not a usable file name ({exc})") from exc
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        raise InputError(str(p), "is a directory; pass the data files inside it")
    if stat.S_ISFIFO(st.st_mode):
        return "stream"
    what = "a terminal" if stat.S_ISCHR(st.st_mode) and _isatty(p) else "a device or socket"
    raise InputError(str(p), f"is {what}, not a data file; pass a file, or pipe data in with '-'")


def _isatty(p: Path) -> bool:
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def spool(stream: IO[bytes], given: str, suffix: str) -> Path:
    """Copy a pipe into a private temporary file (the caller removes it with the source
    that reads it). Text that starts with NUL bytes is refused at once, so an
    endless binary stream (``cat /dev/zero |``) cannot fill the disk."""
    fd, name = tempfile.mkstemp(prefix="ftprep-stream-", suffix=suffix)
    path = Path(name)
    first = True
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                if first and not suffix.endswith((".gz", ".parquet", ".pq", ".xlsx", ".xlsm")):
                    problem = text_problem(chunk)
                    if problem is not None:
                        raise InputError(given, problem)
                first = False
                out.write(chunk)
    except OSError as exc:
        _unlink(name)
        raise InputError(given, f"cannot read the stream: {os_cause(exc)}") from exc
    except BaseException:
        _unlink(name)
        raise
    return path


def _unlink(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _spooled(p: Path) -> Path:
    suffix = "".join(p.suffixes[-2:]) if p.suffixes else ""
    if str(p) == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("<stdin>", "standard input is a terminal; pipe the data in")
        return spool(sys.stdin.buffer, "<stdin>", "")
    try:
        with p.open("rb") as fh:
            return spool(fh, str(p), suffix)
    except OSError as exc:
        raise InputError(str(p), os_cause(exc)) from exc


def _displayable(name: str) -> str:
    """A file name as text that can be written to JSON and a terminal: bytes that are not
    UTF-8 (held as surrogates by ``os.fsdecode``) become ``\\xff`` escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")


def _check_mapping_columns(path: str, mapping: dict[str, str], values: list[object]) -> None:
    """A --map column that no record has is one message, not one error per record."""
    rows = [v for v in values if isinstance(v, dict)]
    if not rows:
        return
    seen: set[str] = set()
    for row in rows:
        seen.update(map(str, row.keys()))
    missing = [
        f"{target}={column}"
        for target, column in mapping.items()
        if column not in seen and column.split(".", 1)[0] not in seen
    ]
    if missing:
        raise InputError(
            path,
            f"no column named for --map {', '.join(missing)} (columns: "
            f"{', '.join(sorted(seen)[:30])})",
        )


def open_source(path: str | Path | Any, options: LoadOptions | None = None) -> Source:
    """Detect the container and format of ``path`` and return a streamable :class:`Source`.

    Raises :class:`InputError` when the file is missing or no supported format fits; a bad
    *record* is never an exception, it becomes a load error when iterated.
    """
    options = options or LoadOptions()
    if isinstance(path, Source):
        return path
    if options.mapping:
        validate_mapping(options.mapping)
    if is_in_memory(path):
        return open_records(from_records(path), options)
    from ftprep.loaders.remote import as_uri, fetch

    uri = as_uri(path)
    if uri is not None:
        local = fetch(uri)
        try:
            source = _open_file(Path(path), local, uri, options)
        except BaseException:
            _unlink(str(local))
            raise
        source = dataclasses.replace(source, spool=local, uri=uri)
        weakref.finalize(source, _unlink, str(local))
        return source
    p = Path(path)
    kind = "stream" if str(p) == "-" else input_kind(p)
    given = "<stdin>" if str(p) == "-" else str(p)
    data = _spooled(p) if kind == "stream" else p
    try:
        source = _open_file(p, data, given, options)
    except BaseException:
        if data is not p:
            _unlink(str(data))
        raise
    if data is not p:
        weakref.finalize(source, _unlink, str(data))
    return source


def _open_file(p: Path, data: Path, given: str, options: LoadOptions) -> Source:
    """Detect container and format of ``data`` (``p`` itself, or the spool of a pipe)."""
    forced = options.format
    container = container_of(p)
    if forced in CONTAINERS:
        container, forced = forced, None
    elif container == "xls":
        raise InputError(given, "old Excel .xls files are not supported; save the sheet as .xlsx")
    elif container not in CONTAINERS and container not in ("", "json"):
        raise InputError(
            given,
            f"unsupported file type '.{container}'; supported: "
            ".jsonl, .json, .csv, .tsv (optionally .gz), .parquet, .xlsx, or pass --from",
        )
    if forced is not None and forced not in FORMATS:
        names = ", ".join([*sorted(FORMATS), *CONTAINERS])
        raise InputError(given, f"unknown format '{forced}' for --from; choose one of {names}")
    if container not in ("parquet", "xlsx"):
        head = read_head(data)
        problem = text_problem(head)
        if problem is not None:
            raise InputError(given, problem)
        if container in ("", "json", "jsonl") and options.format not in ("jsonl", "json"):
            container = sniff_json_container(data, head, container)
    elif not os.access(data, os.R_OK):
        raise InputError(given, "permission denied")

    shown = _displayable(given)

    def made(fmt: str, opts: LoadOptions) -> Source:
        if data is p and shown == given:
            return Source(p, container, fmt, opts)
        return Source(Path(shown), container, fmt, opts, spool=data)

    peeked = [r for r in _peek(data, container, options) if r.error is None]
    values = [r.value for r in peeked]
    if options.mapping:
        _check_mapping_columns(given, options.mapping, values)
    lines = [r.line for r in peeked]
    return made(*choose_format(forced, values, lines, container, options, given))


@dataclass
class MemorySource(Source):
    """A :class:`Source` over in-memory records."""

    records: Records | None = None

    @property
    def name(self) -> str:
        assert self.records is not None
        return self.records.name

    def raw_records(self) -> Iterator[RawRecord]:
        assert self.records is not None
        for i, value in enumerate(self.records.rows(), start=1):
            yield RawRecord(line=i, value=value)

    def sha256(self) -> str:
        h = hashlib.sha256()
        for raw in self.raw_records():
            try:
                text = json.dumps(raw.value, sort_keys=True, default=str)
            except (RecursionError, ValueError, TypeError):  # a record loading rejects anyway
                text = f"<unencodable record {raw.line}>"
            h.update(text.encode("utf-8", "surrogatepass"))
            h.update(b"\n")
        return h.hexdigest()


def open_records(records: Records, options: LoadOptions | None = None) -> MemorySource:
    """Detect the format of in-memory records (as for files) and return their source."""
    options = options or LoadOptions()
    forced = options.format
    if forced is not None and forced not in FORMATS:
        raise InputError(
            records.name, f"unknown format '{forced}'; choose one of {', '.join(sorted(FORMATS))}"
        )
    values = [v for v in itertools.islice(records.rows(), _PEEK)]
    lines = range(1, len(values) + 1)
    fmt, opts = choose_format(forced, values, lines, records.container, options, records.name)
    return MemorySource(
        path=Path(records.name),
        container=records.container,
        format=fmt,
        options=opts,
        records=records,
    )

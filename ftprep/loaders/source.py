"""Open one input file: detect its container and format, then stream its records.

Detection mirrors sqlite-utils' ``rows_from_file``: the container comes from the file name
(or the first bytes for ``.json`` that is really JSONL), the format from the keys of the
first records. The result says what it detected so the report can show it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftprep.errors import InputError
from ftprep.loaders.mapped import guess_mapping, validate_mapping
from ftprep.loaders.probe import check_understood, supported
from ftprep.loaders.readers import (
    RawRecord,
    container_of,
    open_binary,
    read_container,
    sniff_json_container,
)
from ftprep.loaders.registry import FORMATS, LoadOptions, detect_format
from ftprep.schema import Example, LoadError, RawOrigin, SourceLocation

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

    @property
    def label(self) -> str:
        return f"{self.container}/{self.format}"

    @property
    def name(self) -> str:
        """How locations name this source (the path as given)."""
        return str(self.path)

    def raw_records(self) -> Iterator[RawRecord]:
        """The container's records before format adaptation."""
        return read_container(self.path, self.container, self.options.sheet)

    def sha256(self) -> str:
        """Fingerprint of the input, to detect a change between two passes."""
        return sha256_file(self.path)

    def __iter__(self) -> Iterator[LoadedRecord]:
        adapt = FORMATS[self.format].adapt
        name = self.name
        self.counts = {"records": 0, "examples": 0, "load_errors": 0}
        for raw in self.raw_records():
            self.counts["records"] += 1
            if raw.error is not None:
                self.counts["load_errors"] += 1
                yield LoadedRecord(location=raw.error.location, error=raw.error)
                continue
            loc = SourceLocation(source=name, line=raw.line)
            result = adapt(raw.value, loc, self.options)
            if isinstance(result, LoadError):
                self.counts["load_errors"] += 1
                yield LoadedRecord(location=loc, error=result)
            else:
                self.counts["examples"] += 1
                result._origin = RawOrigin(
                    value=raw.value, layout=self.format, container=self.container
                )
                yield LoadedRecord(location=loc, example=result)


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (compressed files hash compressed)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _peek(path: Path, container: str, sheet: str | None) -> list[RawRecord]:
    return list(itertools.islice(read_container(path, container, sheet), _PEEK))


def _mapped(options: LoadOptions, mapping: dict[str, str]) -> LoadOptions:
    return LoadOptions(format=None, mapping=mapping, system=options.system, sheet=options.sheet)


def detect(
    values: list[object], container: str, options: LoadOptions, where: str
) -> tuple[str, LoadOptions]:
    """The format (and load options) for records that look like ``values``.

    Flat rows (CSV, TSV, Excel) are matched by column names; nested records (JSON, Parquet,
    in-memory) by the registered detectors, then by column names as a fallback.
    """
    if not values:
        return "chat", options  # empty or all-broken: the chat adapter reports it
    first = values[0]
    flat = container in FLAT
    mapping = guess_mapping(list(first.keys())) if isinstance(first, dict) else {}
    if flat and mapping:
        return "mapped", _mapped(options, mapping)
    found = [detect_format(value) for value in values]
    for fmt in found:
        if fmt is not None:
            # a file mixing plain chat records with LLaMA-Factory v1 ones is read by the v1
            # reader, which also reads plain chat; the chat reader would read v1 turns empty
            if fmt == "chat" and "llamafactory_v1" in found:
                return "llamafactory_v1", options
            return fmt, options
    if mapping:
        return "mapped", _mapped(options, mapping)
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
    from ftprep.loaders.memory import from_records, is_in_memory, open_records

    if is_in_memory(path):
        return open_records(from_records(path), options)
    p = Path(path)
    if not p.exists():
        raise InputError(str(p), "no such file")
    if p.is_dir():
        raise InputError(str(p), "is a directory; pass the data files inside it")
    open_binary(p).close()
    forced = options.format
    container = container_of(p)
    if forced in CONTAINERS:
        container, forced = forced, None
    elif container == "json" or container not in CONTAINERS:
        if container == "xls":
            raise InputError(
                str(p), "old Excel .xls files are not supported; save the sheet as .xlsx"
            )
        if container not in CONTAINERS and container not in ("", "json"):
            raise InputError(
                str(p),
                f"unsupported file type '.{container}'; supported: "
                ".jsonl, .json, .csv, .tsv (optionally .gz), .parquet, .xlsx, or pass --from",
            )
        container = sniff_json_container(p)
    if forced is not None and forced not in FORMATS:
        names = ", ".join([*sorted(FORMATS), *CONTAINERS])
        raise InputError(str(p), f"unknown format '{forced}' for --from; choose one of {names}")

    peeked = [r for r in _peek(p, container, options.sheet) if r.error is None]
    values = [r.value for r in peeked]
    if options.mapping:
        fmt, opts = forced or "mapped", options
    elif forced is not None:
        fmt, opts = forced, options
    else:
        fmt, opts = detect(values, container, options, str(p))
    check_understood(fmt, values, [r.line for r in peeked], opts, str(p))
    return Source(p, container, fmt, opts)

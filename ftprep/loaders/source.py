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

from ftprep.errors import InputError
from ftprep.loaders.mapped import guess_mapping, validate_mapping
from ftprep.loaders.readers import (
    RawRecord,
    container_of,
    open_binary,
    read_container,
    sniff_json_container,
)
from ftprep.loaders.registry import FORMATS, LoadOptions, detect_format
from ftprep.schema import Example, LoadError, SourceLocation

CONTAINERS = ("jsonl", "json", "csv", "tsv")
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

    def __iter__(self) -> Iterator[LoadedRecord]:
        adapt = FORMATS[self.format].adapt
        name = str(self.path)
        self.counts = {"records": 0, "examples": 0, "load_errors": 0}
        for raw in read_container(self.path, self.container):
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
                yield LoadedRecord(location=loc, example=result)


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (compressed files hash compressed)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _peek(path: Path, container: str) -> list[RawRecord]:
    return list(itertools.islice(read_container(path, container), _PEEK))


def open_source(path: str | Path, options: LoadOptions | None = None) -> Source:
    """Detect the container and format of ``path`` and return a streamable :class:`Source`.

    Raises :class:`InputError` when the file is missing or no supported format fits; a bad
    *record* is never an exception, it becomes a load error when iterated.
    """
    options = options or LoadOptions()
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
        if container not in CONTAINERS and container not in ("", "json"):
            raise InputError(
                str(p),
                f"unsupported file type '.{container}'; supported: "
                ".jsonl, .json, .csv, .tsv (optionally .gz), or pass --from",
            )
        container = sniff_json_container(p)
    if forced is not None and forced not in FORMATS:
        names = ", ".join([*sorted(FORMATS), *CONTAINERS])
        raise InputError(str(p), f"unknown format '{forced}' for --from; choose one of {names}")

    if options.mapping:
        validate_mapping(options.mapping)
        return Source(p, container, forced or "mapped", options)
    if forced is not None:
        return Source(p, container, forced, options)

    peeked = _peek(p, container)
    values = [r.value for r in peeked if r.error is None]
    if not values:
        return Source(p, container, "chat", options)  # empty or all-broken: chat reports it
    if container in ("csv", "tsv"):
        columns = list(values[0].keys())
        mapping = guess_mapping(columns)
        if not mapping:
            raise InputError(
                str(p),
                "cannot tell which columns hold the conversation; pass "
                "--map user=COLUMN --map assistant=COLUMN (columns: "
                f"{', '.join(columns)})",
            )
        return Source(
            p, container, "mapped", LoadOptions(format=None, mapping=mapping, system=options.system)
        )
    for value in values:
        fmt = detect_format(value)
        if fmt is not None:
            return Source(p, container, fmt, options)
    keys = sorted(values[0].keys()) if isinstance(values[0], dict) else [type(values[0]).__name__]
    raise InputError(
        str(p),
        "no record looks like a supported format (first record has "
        f"{', '.join(keys)}); pass --from FORMAT or --map user=FIELD --map assistant=FIELD",
    )

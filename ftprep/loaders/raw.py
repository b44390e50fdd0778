"""The record a container reader yields, before any format reads it.

Its own module so the readers of every container (text in :mod:`ftprep.loaders.readers`,
Parquet and Excel in :mod:`ftprep.loaders.tabular`) can yield it without importing each
other: the readers dispatch to the tabular ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ftprep.schema import LoadError


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the container: a parsed value, or an error at its line."""

    line: int
    value: Any = None
    error: LoadError | None = None


_new = object.__new__
_set = object.__setattr__


def parsed_record(line: int, value: Any) -> RawRecord:
    """``RawRecord(line=line, value=value)``, built without the frozen dataclass's
    ``__init__`` (three ``object.__setattr__`` calls, half the cost of loading a parsed
    line's record): the same instance, field for field."""
    record = _new(RawRecord)
    _set(record, "__dict__", {"line": line, "value": value, "error": None})
    return record

"""pandas DataFrames in and out: examples to a frame and back, findings as a frame.

For notebooks. pandas is optional (``pip install 'ftprep[pandas]'``); these functions
import it when called and raise :class:`MissingDependency` with that hint when it is absent.

- :func:`to_frame`: one row per example, the columns of its JSONL record (``messages``,
  ``tools`` for chat; ``input``, ``preferred_output``, ``non_preferred_output`` for
  preference pairs) plus ``kind``, ``metadata``, ``source`` and ``line``.
- :func:`from_frame`: the reverse, through the same format adapters files go through, so a
  frame from :func:`to_frame` round-trips, and a plain table with ``question``/``answer``
  (or ``--map``-style ``mapping``) columns loads like a CSV would. Bad rows become load
  errors with their row, exactly as in a file.
- :func:`findings_frame`: one row per finding location, for filtering and grouping.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ftprep.errors import FtprepError, InputError
from ftprep.loaders import FORMATS, LoadOptions
from ftprep.loaders.loaded import Loaded
from ftprep.loaders.mapped import validate_mapping
from ftprep.loaders.source import choose_format
from ftprep.schema import Example, LoadError, SourceLocation

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ftprep.report.model import Report

#: Rows whose format is tried before reading the frame (as for files and records).
_PEEK = 100
#: Columns that describe a row rather than belong to the record.
LOCATION_COLUMNS = ("kind", "metadata", "source", "line")
FINDING_COLUMNS = ("check", "item", "severity", "count", "message", "source", "line", "detail")


class MissingDependency(FtprepError):
    """An optional dependency is not installed; the message says which extra provides it."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingDependency("this needs pandas: pip install 'ftprep[pandas]'") from None
    return pandas


def to_frame(examples: Iterable[Example] | Loaded) -> pd.DataFrame:
    """One row per example: its record's fields, ``kind``, ``metadata``, ``source``, ``line``."""
    pd = _pandas()
    rows = []
    for ex in examples:
        rows.append(
            {
                "kind": ex.kind,
                **ex.to_record(),
                "metadata": dict(ex.metadata),
                "source": ex.location.source,
                "line": ex.location.line,
            }
        )
    columns = ["kind"]
    for row in rows:
        columns += [k for k in row if k not in columns and k not in LOCATION_COLUMNS]
    columns += ["metadata", "source", "line"]
    return pd.DataFrame(rows, columns=columns)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: v for k, v in row.items() if k not in LOCATION_COLUMNS and not _missing(v)}
    meta = row.get("metadata")
    if isinstance(meta, dict):
        for key, value in meta.items():
            record.setdefault(key, value)
    return {
        str(k): (v.item() if hasattr(v, "item") and callable(v.item) else v)
        for k, v in record.items()
    }


def from_frame(
    frame: pd.DataFrame,
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    source: str = "dataframe",
) -> Loaded:
    """Examples (and load errors) from a DataFrame, through the same adapters as files.

    Locations come from ``source``/``line`` columns when the frame has them (a frame made
    by :func:`to_frame`), else ``source`` and the 1-based row position.
    """
    _pandas()
    columns = [str(c) for c in frame.columns if str(c) not in LOCATION_COLUMNS]
    rows = frame.to_dict(orient="records")
    records = [_record(r) for r in rows]
    locations = [
        SourceLocation(
            source=str(row["source"]) if not _missing(row.get("source")) else source,
            line=int(row["line"]) if not _missing(row.get("line")) else position,
        )
        for position, row in enumerate(rows, start=1)
    ]
    options = LoadOptions(format=format, mapping=dict(mapping or {}), system=system)
    if options.mapping:
        validate_mapping(options.mapping)
    if format is not None and format not in FORMATS:
        raise InputError(
            source, f"unknown format '{format}'; choose one of {', '.join(sorted(FORMATS))}"
        )
    fmt, options = choose_format(
        format,
        list(records[:_PEEK]),
        [loc.line for loc in locations[:_PEEK]],
        "dataframe",
        options,
        source,
        columns,
    )
    adapt = FORMATS[fmt].adapt
    result = Loaded(formats={source: fmt})
    for record, loc in zip(records, locations, strict=True):
        out = adapt(record, loc, options)
        if isinstance(out, LoadError):
            result.errors.append(out)
        else:
            result.examples.append(out)
    return result


def findings_frame(report: Report) -> pd.DataFrame:
    """One row per location of every finding (one row with empty location for a finding
    about the whole dataset), in the report's order: severity, then count."""
    pd = _pandas()
    rows = []
    for f in report.findings:
        base = {
            "check": f.check,
            "item": f.item,
            "severity": f.severity,
            "count": f.count,
            "message": f.message,
        }
        if not f.locations:
            rows.append({**base, "source": None, "line": None, "detail": None})
        for loc in f.locations:
            rows.append({**base, "source": loc.source, "line": loc.line, "detail": loc.detail})
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame["line"] = frame["line"].astype("Int64")
    return frame


__all__ = ["MissingDependency", "findings_frame", "from_frame", "to_frame"]

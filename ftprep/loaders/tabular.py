"""Readers for binary tabular containers: Parquet (pyarrow) and Excel ``.xlsx`` (openpyxl).

Both stream: Parquet through ``ParquetFile.iter_batches`` (one record batch in memory at a
time), Excel through openpyxl's read-only mode (``iter_rows``). Line numbers follow the
tabular convention of the CSV reader: the header is line 1, so the first data row is line 2
(for Excel, the sheet's own row number).

Parquet and Arrow unify the fields of nested structs across rows, so a message written
without ``weight`` comes back with ``weight: None``; such null-valued keys are removed so the
record looks the way it was written (a null and an absent key mean the same in every chat
format ftprep reads).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftprep.errors import InputError
from ftprep.loaders.raw import RawRecord
from ftprep.optional import require

PARQUET_BATCH = 1024


def drop_nulls(value: Any) -> Any:
    """``value`` with null-valued keys removed from every nested object."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Cell values as JSON-friendly Python values (dates as ISO text)."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def read_parquet(path: Path) -> Iterator[RawRecord]:
    """Yield each Parquet row as a dict; row ``i`` (0-based) is line ``i + 2``."""
    pq = require("pyarrow.parquet", "parquet", f"reading {path.name}")
    try:
        pfile = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from exc
    line = 2
    try:
        for batch in pfile.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                clean = {k: _plain(drop_nulls(v)) for k, v in row.items() if v is not None}
                yield RawRecord(line=line, value=clean)
                line += 1
    except OSError as exc:
        raise InputError(str(path), f"Parquet data unreadable near row {line - 1}: {exc}") from exc


def read_xlsx(path: Path, sheet: str | None = None) -> Iterator[RawRecord]:
    """Yield each row of ``sheet`` (default: the first) as a dict keyed by the header row.

    The header is the sheet's first non-empty row; data rows keep their sheet row numbers.
    Empty rows are skipped; formulas give their cached values (``data_only``).
    """
    openpyxl = require("openpyxl", "excel", f"reading {path.name}")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / xml errors for a corrupt or non-xlsx file
        raise InputError(str(path), f"not a readable .xlsx workbook: {exc}") from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputError(
                str(path), f"no sheet named '{sheet}'; sheets: {', '.join(wb.sheetnames)}"
            )
        header: list[str] | None = None
        for lineno, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                continue
            if header is None:
                header = _header(path, row)
                continue
            values = {
                header[i]: _plain(v) for i, v in enumerate(row) if i < len(header) and v is not None
            }
            extra = [v for v in row[len(header) :] if v is not None]
            if extra:
                yield RawRecord(
                    line=lineno,
                    error=_row_error(path, lineno, len(header)),
                )
                continue
            yield RawRecord(line=lineno, value=values)
    finally:
        wb.close()


def _header(path: Path, row: tuple[Any, ...]) -> list[str]:
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    header = [
        str(c).strip() if c is not None and str(c).strip() else f"column_{i + 1}"
        for i, c in enumerate(cells)
    ]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(str(path), f"duplicate column names in the header: {', '.join(dup)}")
    return header


def _row_error(path: Path, line: int, width: int) -> Any:
    from ftprep.schema import LoadError, SourceLocation

    return LoadError(
        code="clean.malformed_row",
        message=f"values beyond the {width} header columns; add a header for them or "
        "remove the stray cells",
        location=SourceLocation(source=str(path), line=line),
    )

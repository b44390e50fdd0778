"""In-memory inputs: pandas DataFrames, Hugging Face ``datasets`` objects and any iterable of
dicts, so a notebook can hand ftprep what it already holds (``ftprep.validate(df)``).

Neither pandas nor datasets is imported here: objects are recognised by their type's module,
so both stay optional. Records are read lazily in chunks and may be read twice (the split
writes in a second pass); a one-shot iterator (a generator) is therefore materialised into a
list once. A record's "line" is its 1-based position (row 0 of a DataFrame is line 1).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftprep.errors import InputError
from ftprep.loaders.tabular import drop_nulls

CHUNK = 1000


def _kind(obj: Any) -> str | None:
    """``dataframe``, ``dataset`` or None, from the object's type (no imports needed)."""
    module = type(obj).__module__ or ""
    name = type(obj).__name__
    if module.startswith("pandas") and name == "DataFrame":
        return "dataframe"
    if module.startswith("datasets"):
        if name in ("DatasetDict", "IterableDatasetDict"):
            splits = ", ".join(map(repr, obj.keys()))
            raise InputError(f"<{name}>", f"pass one split, e.g. ds['train'] (splits: {splits})")
        return "dataset"
    return None


def is_in_memory(obj: Any) -> bool:
    """True for a DataFrame, a datasets object, or a non-empty iterable of dicts."""
    if isinstance(obj, Records) or _kind(obj) is not None:
        return True
    if isinstance(obj, str | bytes | Path | dict) or not isinstance(obj, Iterable):
        return False
    if isinstance(obj, list | tuple):
        return bool(obj) and isinstance(obj[0], dict)
    return True


def _py(value: Any) -> Any:
    """numpy/pandas scalars and arrays as plain Python; NaN and NA as None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: v for k, v in ((k, _py(v)) for k, v in value.items()) if v is not None}
    if isinstance(value, list | tuple):
        return [_py(v) for v in value]
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and type(value).__module__.startswith("numpy"):
        return _py(tolist())
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "isoformat") and type(value).__module__.startswith("pandas"):
        return value.isoformat()
    return value


def _frame_rows(df: Any) -> Iterator[dict[str, Any]]:
    for start in range(0, len(df), CHUNK):
        for row in df.iloc[start : start + CHUNK].to_dict(orient="records"):
            yield {str(k): v for k, v in ((k, _py(v)) for k, v in row.items()) if v is not None}


def _dataset_rows(ds: Any) -> Iterator[dict[str, Any]]:
    for row in ds:
        yield {k: drop_nulls(v) for k, v in row.items() if v is not None}


@dataclass(frozen=True)
class Records:
    """Records held in memory, re-readable: ``rows()`` starts a fresh pass each call."""

    rows: Callable[[], Iterable[Any]]
    name: str
    container: str


def from_records(obj: Any, name: str | None = None) -> Records:
    """Wrap a DataFrame, a datasets ``Dataset`` or an iterable of dicts as an input.

    ``name`` is how locations name it in reports (default ``<DataFrame>``, ``<Dataset>``,
    ``<records>``).
    """
    if isinstance(obj, Records):
        return obj
    kind = _kind(obj)
    if kind == "dataframe":
        return Records(lambda: _frame_rows(obj), name or "<DataFrame>", "dataframe")
    if kind == "dataset":
        return Records(lambda: _dataset_rows(obj), name or "<Dataset>", "dataset")
    if isinstance(obj, str | bytes | Path) or not isinstance(obj, Iterable):
        raise InputError(str(obj)[:40], "not a DataFrame, Dataset or iterable of records")
    data = obj if isinstance(obj, list | tuple) else list(obj)
    return Records(lambda: iter(data), name or "<records>", "records")

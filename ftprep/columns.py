"""Column storage of the feature table: compact object columns, and numpy columns spilled
to disk past a memory budget.

The feature table holds a few values per example for the whole dataset, so what each
value costs decides how large a dataset fits in memory. Two kinds of column:

* **numpy columns** (hashes, counts, signatures): fixed width. Gathered batch by batch as
  chunks; while the chunks of all columns stay within :data:`SPILL_BUDGET` they are joined in
  memory once every batch is in; past it, every chunk is appended to one file per column in
  a private temporary folder and the finished column is a read-only ``np.memmap`` of it, so
  the operating system pages the data in and out instead of the process holding it.
* **object columns** (a kind, a label, an excerpt, a small array; ``None`` for most rows):
  a Python list costs a pointer per row plus an object per value, 50–100 bytes for a short
  string. :class:`Coded` keeps a small integer code per row and each distinct value once,
  and reads like the list it replaces (index, iterate, ``len``, ``np.asarray``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, overload

import numpy as np

#: Bytes of gathered numpy chunks held in memory before they go to disk (64 MiB; the
#: environment variable FTPREP_FEATURE_MEMORY_MB overrides it, see docs/limits.md).
SPILL_BUDGET = 64 << 20
#: Code of a row without a value (None).
NONE = -1


def spill_budget() -> int:
    """The budget in bytes: FTPREP_FEATURE_MEMORY_MB when set, else :data:`SPILL_BUDGET`."""
    value = os.environ.get("FTPREP_FEATURE_MEMORY_MB")
    if value is None or not value.strip():
        return SPILL_BUDGET
    try:
        return max(int(float(value) * (1 << 20)), 0)
    except ValueError:
        return SPILL_BUDGET


def _key(value: Any) -> Any:
    """A dictionary key equal for equal values, or None for a value that has none (an
    array): such values are kept once per row that holds one."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


class _Gone:
    """The placeholder of a value no row holds any more (its object is released)."""

    __slots__ = ()


GONE = _Gone()


class Coded:
    """An object column as a code per row (:data:`NONE` for None) and the distinct values.

    Reads like a list of its values. Equal hashable values share one slot (so one object,
    whichever batch they came from); unhashable ones (arrays) get a slot each. Gatherers may
    still assign rows: ``col[i] = None`` releases the value's object as soon as no row of
    the column holds it, as it would in a list."""

    __slots__ = ("_index", "_uses", "codes", "values")

    def __init__(self, codes: np.ndarray, values: list[Any]) -> None:
        self.codes = codes
        self.values = values
        #: value key -> slot, while values are being added (dropped after: it costs memory).
        self._index: dict[Any, int] | None = None
        #: rows holding each slot's value.
        self._uses = np.bincount(codes[codes >= 0], minlength=len(values)).astype(np.int64)

    @classmethod
    def of(cls, items: Iterable[Any]) -> Coded:
        """The coded form of ``items`` (a list's values, in order)."""
        items = items if isinstance(items, list) else list(items)
        kinds = set(map(type, items))
        kinds.discard(type(None))
        if not kinds:  # only None (most columns of most batches: a rare finding's excerpt)
            return cls(np.full(len(items), NONE, dtype=np.int32), [])
        if len(kinds) <= 1 and kinds <= _PLAIN:
            return cls._of_plain(items)
        if kinds == {np.ndarray}:
            return cls._of_arrays(items)
        out = cls(np.zeros(0, dtype=np.int32), [])
        codes = np.asarray([out._code(v) for v in items], dtype=np.int32)
        return cls(codes, out.values)

    @classmethod
    def _of_plain(cls, items: list[Any]) -> Coded:
        """:meth:`of` for values of one plain type besides None (the engine's text and
        label columns), with the dictionary work done in C: several times faster than
        :meth:`_code` per value, which cost the gathering process ~0.3 s per 100,000 rows.
        Within one such type equal values are equal keys, so the slots, their order (first
        occurrence) and their objects (the first one seen) are those :meth:`_code` gives."""
        distinct = dict.fromkeys(items)  # first occurrences, in order, first objects kept
        distinct.pop(None, None)
        values = list(distinct)
        index = dict(zip(values, range(len(values)), strict=True))
        index[None] = NONE
        codes = np.fromiter(map(index.__getitem__, items), dtype=np.int32, count=len(items))
        return cls(codes, values)

    @classmethod
    def _of_arrays(cls, items: list[Any]) -> Coded:
        """:meth:`of` for arrays (and None): an array has no key, so :meth:`_code` gives each
        one a slot of its own, in row order; the same slots without a failed hash per value
        (a system-prompt sketch per row cost the gathering process ~0.1 s per 100,000)."""
        rows = [i for i, v in enumerate(items) if v is not None]
        codes = np.full(len(items), NONE, dtype=np.int32)
        codes[rows] = np.arange(len(rows), dtype=np.int32)
        return cls(codes, [items[i] for i in rows])

    @classmethod
    def join(cls, chunks: list[Coded]) -> Coded:
        """One column from the chunks of the batches, in order; values no row uses any more
        (released by a gatherer) are left out, and codes take the smallest integer type."""
        held = [np.flatnonzero(chunk._uses) for chunk in chunks]
        pairs = zip(chunks, held, strict=True)
        used = [[chunk.values[i] for i in slots.tolist()] for chunk, slots in pairs]
        kinds = {type(v) for values in used for v in values}
        out = cls(np.zeros(0, dtype=np.int32), [])
        # Values of one plain type: a plain dictionary gives the slots _code gives (see
        # _of_plain), without a key object per value (the sample's texts: ~0.1 s at 100K).
        index: dict[Any, int] = {}
        code = out._code if len(kinds) > 1 or not kinds <= _PLAIN else None
        parts = []
        for chunk, slots, values in zip(chunks, held, used, strict=True):
            remap = np.full(len(chunk.values) + 1, NONE, dtype=np.int32)
            if code is None:
                remap[slots] = [index.setdefault(v, len(index)) for v in values]
            else:
                remap[slots] = [code(v) for v in values]
            parts.append(remap[chunk.codes])  # NONE (-1) reads the extra last slot: NONE
        values = out.values if code is not None else list(index)
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return cls(codes.astype(_code_dtype(len(values)), copy=False), values)

    def _code(self, value: Any) -> int:
        """The slot of ``value`` (added when new)."""
        if value is None:
            return NONE
        if self._index is None:
            self._index = {}
            for i, v in enumerate(self.values):
                if v is not GONE and (k := _key(v)) is not None:
                    self._index.setdefault(k, i)
        key = _key(value)
        if key is not None and key in self._index:
            return self._index[key]
        self.values.append(value)
        if key is not None:
            self._index[key] = len(self.values) - 1
        return len(self.values) - 1

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, row: int) -> Any: ...
    @overload
    def __getitem__(self, row: slice) -> list[Any]: ...
    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self._value(int(c)) for c in self.codes[row]]
        return self._value(int(self.codes[row]))

    def _value(self, code: int) -> Any:
        return None if code == NONE else self.values[code]

    def __setitem__(self, row: int, value: Any) -> None:
        old = int(self.codes[row])
        if old != NONE and type(self.values[old]) is type(value) and _same(self.values[old], value):
            return  # e.g. an interner handing back an equal string
        new = self._code(value)
        if new == old:
            return
        if new > np.iinfo(self.codes.dtype).max:
            self.codes = self.codes.astype(np.int32)
        self.codes[row] = new
        if new != NONE:
            if new >= len(self._uses):
                self._uses = np.concatenate([self._uses, np.zeros(len(self._uses) + 1, np.int64)])
            self._uses[new] += 1
        if old != NONE:
            self._uses[old] -= 1
            if self._uses[old] == 0:
                gone, self.values[old] = self.values[old], GONE
                key = _key(gone)
                if self._index is not None and key is not None and self._index.get(key) == old:
                    del self._index[key]

    def release(self, rows: np.ndarray) -> None:
        """``col[i] = None`` for each of ``rows`` (indexes, or a mask of the rows), in one
        step: a gatherer releasing most of a batch's texts (the text sample) would
        otherwise pay a Python assignment per row."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else np.unique(rows)
        old = self.codes[rows]
        old = old[old != NONE]
        if not len(old):
            return
        self.codes[rows] = NONE
        self._uses -= np.bincount(old, minlength=len(self._uses))
        slots = np.unique(old)
        values, index = self.values, self._index
        for slot in slots[self._uses[slots] == 0].tolist():
            gone, values[slot] = values[slot], GONE
            if index is not None and (key := _key(gone)) is not None and index.get(key) == slot:
                del index[key]

    def tally(self, rows: np.ndarray) -> Counter[Any]:
        """``Counter(v for v in (col[i] for i in rows) if v is not None)``, from the codes:
        each distinct code counted in numpy and its value looked up once, not a value
        decoded per row. The keys come in the order of their first row, as the Counter of
        the decoded values lists them (dataset checks name, e.g., the first of tied labels);
        values equal across codes (``1`` and ``True``) add up under the first one's key."""
        codes = self.codes[rows]
        codes = codes[codes != NONE]
        distinct, first, counts = np.unique(codes, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        out: Counter[Any] = Counter()
        values = self.values
        for code, count in zip(distinct[order].tolist(), counts[order].tolist(), strict=True):
            out[values[code]] += count
        return out

    def __iter__(self) -> Iterator[Any]:
        values = self.values
        for c in self.codes.tolist():
            yield None if c == NONE else values[c]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        table = np.empty(len(self.values) + 1, dtype=object)
        table[:-1] = _objects(self.values)
        table[-1] = None
        out = table[self.codes]
        return out if dtype is None or np.dtype(dtype).hasobject else out.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Coded, list)):
            return len(self) == len(other) and all(
                _same(a, b) for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Coded({len(self)} rows, {len(self.values)} values)"


#: Types :meth:`Coded.of` codes by a plain dictionary when a column holds values of only
#: one of them (and None): hashable, and never equal to a value of another type in the
#: column (unlike 1, 1.0 and True, which mixed types would merge).
_PLAIN = frozenset({str, bytes, int})


def as_coded(column: Any) -> Coded:
    """An object column in its coded form (a table's list columns already are; a list is
    coded), for readers that work on the codes."""
    return column if isinstance(column, Coded) else Coded.of(list(column))


def held(column: Any, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` of an object column holds a value (is not None), as a bool
    array: a coded column answers from its codes, without decoding a value per row (a
    dataset check asking it of every row paid ~0.2 µs a row in Python)."""
    if isinstance(column, Coded):
        return np.asarray(column.codes[rows] != NONE)
    return np.fromiter((column[int(i)] is not None for i in rows), dtype=bool, count=len(rows))


def held_rows(column: Any) -> np.ndarray:
    """The rows of an object column that hold a value, ascending (:func:`held` of every
    row): where a column is mostly None (hits, first excerpts), the rows a reader visits."""
    return np.flatnonzero(held(column, np.arange(len(column))))


def tally(column: Any, rows: np.ndarray) -> Counter[Any]:
    """The Counter of the values (None left out) of ``rows`` of an object column, keys in
    the order of their first row: :meth:`Coded.tally` for a coded column."""
    if isinstance(column, Coded):
        return column.tally(rows)
    return Counter(v for v in (column[int(i)] for i in rows) if v is not None)


def among(column: Any, rows: np.ndarray, wanted: Any) -> np.ndarray:
    """The positions in ``rows`` whose value is ``in wanted`` (a set or dict; None never
    is), ascending: a coded column asks once per distinct code, not once per row."""
    if isinstance(column, Coded):
        codes = column.codes[rows]
        present = np.unique(codes[codes != NONE]).tolist()
        chosen = [c for c in present if column.values[c] in wanted]
        return np.flatnonzero(np.isin(codes, chosen))
    return np.asarray(
        [k for k, i in enumerate(rows) if (v := column[int(i)]) is not None and v in wanted],
        dtype=np.intp,
    )


def _objects(values: list[Any]) -> np.ndarray:
    """An object array holding each value as one element (an array value stays whole)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    return bool(a == b)


def _code_dtype(values: int) -> type[np.signedinteger[Any]]:
    for dtype in (np.int8, np.int16):
        if values <= np.iinfo(dtype).max:
            return dtype
    return np.int32


class SpillStore:
    """Numpy chunks of the gathered columns, on disk once they outgrow the memory budget.

    ``add`` takes a batch's chunk of one column; ``flush`` writes the chunks held so far to
    one file per column (created on the first flush, in a private temporary folder);
    ``column`` gives the finished column: joined in memory when nothing was written, else a
    read-only ``np.memmap`` of the column's file (its rows held in memory are appended
    first). The folder is removed once the columns are mapped (a mapped file stays readable
    after removal on POSIX), and in any case when the store is collected or the process
    exits: no temporary file outlives the run, even on Ctrl-C or SIGTERM."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held: dict[str, list[np.ndarray]] = {}
        self.held_bytes = 0
        #: Column -> (file, dtype, row shape, rows written) once it has gone to disk.
        self.files: dict[str, tuple[Path, np.dtype[Any], tuple[int, ...], int]] = {}
        #: Columns whose chunks changed type after they went to disk: kept in memory after.
        self.pinned: set[str] = set()
        self.folder: Path | None = None
        self._cleanup: weakref.finalize | None = None

    @property
    def spilled(self) -> bool:
        return self.folder is not None

    def add(self, name: str, chunk: np.ndarray) -> None:
        self.held.setdefault(name, []).append(chunk)
        self.held_bytes += chunk.nbytes

    def over_budget(self) -> bool:
        return self.held_bytes > self.budget

    def flush(self) -> None:
        """Write every chunk held in memory to its column's file."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="ftprep-features-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self.folder, True)
        for name in list(self.held):
            if name in self.pinned:
                continue
            chunks = self.held.pop(name)
            written = self._write(name, chunks)
            if written < len(chunks):
                self.held[name] = chunks[written:]
                self.pinned.add(name)
        self.held_bytes = sum(c.nbytes for cs in self.held.values() for c in cs)

    def _write(self, name: str, chunks: list[np.ndarray]) -> int:
        """Append ``chunks`` to the column's file, opened once for them all (a file opened
        per chunk cost the gathering process ~0.1 s per 100,000 rows), up to the first
        whose type differs from the file's (the column then stays in memory from that
        chunk on); how many were written."""
        assert self.folder is not None
        if not chunks:
            return 0
        if name not in self.files:
            path = self.folder / f"{len(self.files)}.bin"
            path.touch()
            self.files[name] = (path, chunks[0].dtype, chunks[0].shape[1:], 0)
        path, dtype, shape, rows = self.files[name]
        written = 0
        with path.open("ab") as f:
            for chunk in chunks:
                if chunk.dtype != dtype or chunk.shape[1:] != shape or chunk.dtype.hasobject:
                    break
                f.write(np.ascontiguousarray(chunk).data)
                rows += len(chunk)
                written += 1
        self.files[name] = (path, dtype, shape, rows)
        return written

    def column(self, name: str) -> np.ndarray:
        """The finished column (the store lets go of its chunks)."""
        chunks = self.held.pop(name, [])
        self.held_bytes -= sum(c.nbytes for c in chunks)
        if name in self.files and name not in self.pinned:
            if self._write(name, chunks) < len(chunks):
                raise AssertionError("unreachable: a differing chunk pins its column")
            chunks = []
        if name not in self.files:
            return np.concatenate(chunks) if chunks else np.zeros(0)
        path, dtype, shape, rows = self.files[name]
        mapped: np.ndarray = (
            np.memmap(path, dtype=dtype, mode="r", shape=(rows, *shape))
            if rows
            else np.zeros((0, *shape), dtype=dtype)
        )
        return np.concatenate([mapped, *chunks]) if chunks else mapped

    def close(self) -> None:
        """Remove the folder (mapped columns stay readable where the system allows it; on
        a system that forbids removing a mapped file the folder goes when the process ends)."""
        if self.folder is None:
            return
        try:
            shutil.rmtree(self.folder)
        except OSError:
            return
        if self._cleanup is not None:
            self._cleanup.detach()


__all__ = [
    "GONE",
    "NONE",
    "SPILL_BUDGET",
    "Coded",
    "SpillStore",
    "among",
    "held",
    "held_rows",
    "spill_budget",
    "tally",
]

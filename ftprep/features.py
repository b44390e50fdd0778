"""Compact per-example features that dataset checks, statistics and the split read.

Dataset checks never see the full texts: while examples stream past, registered feature
extractors turn each batch into a few numbers per example (hashes, token counts, sketches),
so memory grows by a small constant per example. A dataset check declares the features it
``needs``; only those are computed. Adding a feature is one decorated function here or in
the module that owns the concept.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ftprep.allocator import give_back_freed_memory
from ftprep.columns import NONE, Coded, SpillStore, spill_budget
from ftprep.loaders.exact import exact_detailed_location
from ftprep.schema import ChatExample, Example, SourceLocation

BatchExtractor = Callable[[Sequence[ChatExample], "FeatureContext"], dict[str, Any]]


class Gatherer(Protocol):
    """The step after the batches: sees each batch's columns in input order as the engine
    gathers them (``add``; a column an extractor gave as a list arrives as its
    :class:`~ftprep.columns.Coded` form, which the table holds), may rewrite them in place
    (e.g. release texts past a bound: ``col[i] = None``), and finishes on the whole table.
    Created fresh for each run, in the process that gathers; so extractors themselves stay
    pure functions of their batch, whatever runs them (in-process, a process pool, Ray)."""

    def add(self, columns: dict[str, Any], start: int) -> None: ...

    def finish(self, table: FeatureTable) -> None: ...


#: A gatherer may also have ``trim(columns)``: called with a batch's columns before the
#: table codes them (list columns still lists), to blank values its ``add`` would release at
#: once; the table ends up the same, without coding (hashing) values that are dropped.
#:
#: It may also have ``hint()``: what its ``add`` would drop at once from any batch gathered
#: from now on (so a hint may only grow stricter over a run). The engine reads it as each
#: batch is read and hands it to the feature's extractor (``FeatureContext.hints``), which
#: leaves those values out where it runs: a pool worker then neither pickles them nor the
#: gathering process unpickles them. The table ends up the same.


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    columns: tuple[str, ...]
    extract: BatchExtractor
    needs: tuple[str, ...] = ()
    #: Makes this run's :class:`Gatherer` from the run's config (None: plain concatenation).
    gather: Callable[[Any], Gatherer] | None = None
    #: Loads, from the run's config, what the extractor loads once per process (an index):
    #: :func:`warm_features` calls it before worker processes are forked.
    warm: Callable[[Any], None] | None = None


FEATURES: dict[str, FeatureSpec] = {}


def register_feature(
    name: str,
    columns: tuple[str, ...],
    needs: tuple[str, ...] = (),
    gather: Callable[[Any], Gatherer] | None = None,
    warm: Callable[[Any], None] | None = None,
) -> Callable[[BatchExtractor], BatchExtractor]:
    """Register a batch extractor producing ``columns`` (arrays or lists, one value each).

    A numpy column must keep its dtype and row shape from batch to batch (it may go to disk
    as one file); a list column is stored coded (:class:`~ftprep.columns.Coded`): equal
    values share one object, and checks read it like the list.

    The extractor must depend on its batch only (no state carried between batches): batches
    run in any process, in any order. What needs the whole dataset goes in ``gather``.
    What it loads once per process and only reads after (an index, a table) may be loaded
    by ``warm(config)`` before the workers fork, so they share one copy instead of each
    loading its own.
    """

    def deco(fn: BatchExtractor) -> BatchExtractor:
        for other in FEATURES.values():
            clash = set(columns) & set(other.columns)
            if other.name != name and clash:
                raise ValueError(
                    f"feature {name!r} redefines column(s) {sorted(clash)} of {other.name!r}"
                )
        FEATURES[name] = FeatureSpec(name, columns, fn, needs, gather, warm)
        return fn

    return deco


def warm_features(names: Sequence[str], config: Any) -> None:
    """Load what the extractors of ``names`` load once per process (their ``warm``), in
    this process: workers forked after it inherit it, where each loaded its own copy in its
    first batch (the contamination index and its screen: ~40 ms a worker)."""
    for name in names:
        if (warm := FEATURES[name].warm) is not None:
            warm(config)


@dataclass
class FeatureContext:
    """What extractors may use besides the examples, for one batch: the encoding, the run's
    config, the batch's original examples, and a memo that lives as long as the batch."""

    encoding: Any
    config: Any = None
    #: The batch's examples as loaded (a preference pair stays a pair; extractors receive
    #: their chat views).
    examples: Sequence[Example] = ()
    #: Memo for this batch only (e.g. normalised texts several extractors share).
    batch: dict[str, Any] = field(default_factory=dict)
    #: Feature name -> its gatherer's ``hint()`` when the batch was read (see
    #: :class:`Gatherer`); absent when the gathering process gave none.
    hints: dict[str, Any] = field(default_factory=dict)


_BATCH_MEMO: ContextVar[dict[str, Any] | None] = ContextVar("ftprep_batch_memo", default=None)


@contextmanager
def batch_scope() -> Iterator[dict[str, Any]]:
    """A memo that lives exactly as long as one batch (the engine opens one per batch).

    Per-example checks have no context argument; what they share with the feature
    extractors of the same batch (e.g. an example converted to a target format) goes here,
    never in module state that would outlive the batch or differ between processes."""
    memo: dict[str, Any] = {}
    token = _BATCH_MEMO.set(memo)
    try:
        yield memo
    finally:
        _BATCH_MEMO.reset(token)


def batch_memo() -> dict[str, Any]:
    """The current batch's memo; outside a batch, a fresh dict (nothing is remembered)."""
    memo = _BATCH_MEMO.get()
    return {} if memo is None else memo


class FirstExcerpts:
    """Gatherer for an excerpt column filled at the first occurrence of each key within a
    batch: keeps it only at the key's first occurrence in the whole run, for at most
    ``cap`` keys, so excerpt memory stays bounded however many batches there are."""

    def __init__(self, text_column: str, key_column: str, cap: int) -> None:
        self.text_column, self.key_column, self.cap = text_column, key_column, cap
        self.seen: set[int] = set()

    def add(self, columns: dict[str, Any], start: int) -> None:
        texts, keys = columns[self.text_column], columns[self.key_column]
        # the rows holding a text (few: the first of each key within the batch)
        if isinstance(texts, Coded):
            rows = np.flatnonzero(texts.codes != NONE).tolist()
        else:
            rows = [i for i, text in enumerate(texts) if text is not None]
        for i in rows:
            key = int(keys[i])
            if key in self.seen or len(self.seen) >= self.cap:
                texts[i] = None
            else:
                self.seen.add(key)

    def finish(self, table: FeatureTable) -> None:
        """Nothing to add once every batch is in: repeats were blanked as they came."""


def chat_view(ex: Example) -> ChatExample:
    """The conversation a feature measures: chat as is; a preference pair as prompt + preferred."""
    if isinstance(ex, ChatExample):
        return ex
    return ChatExample(
        messages=[*ex.input, *ex.preferred],
        tools=ex.tools,
        metadata=ex.metadata,
        location=ex.location,
    )


@dataclass
class Derived:
    """Results several stages share, derived from the columns: each is computed by the
    module that owns it (named below), memoised by the parameters it was computed with, so
    a check and the split asking with the same configured settings share one computation,
    and no result depends on which checks happened to run first."""

    #: similarity.neardup: (threshold, bands) -> (group label per row, verified pairs)
    near_duplicates: dict[tuple[float, int], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )
    #: checks.clean.contradictions: same-answer similarity -> row groups
    contradictions: dict[float, list[np.ndarray]] = field(default_factory=dict)
    #: checks.clean.contradictions: settings -> verified (i, j) pairs
    near_contradictions: dict[tuple[float, ...], np.ndarray] = field(default_factory=dict)
    #: similarity.neardup: bands -> the LSH buckets of the ``minhash`` rows
    #: (:class:`~ftprep.similarity.minhash.BandBuckets`), kept by the near-duplicate groups
    #: for the near duplicates across a split
    band_buckets: dict[int, Any] = field(default_factory=dict)
    #: similarity.neardup: (threshold, bands, digests of the two row sets) -> near-duplicate
    #: pairs across a split and their similarities (the last split measured)
    straddling: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: similarity.topics: topic parameters (JSON) -> Topics or None
    topics: dict[str, Any] = field(default_factory=dict)
    #: evaluation.tasks: task parameters (JSON) -> TaskInfo
    tasks: dict[str, Any] = field(default_factory=dict)
    #: checks.dataset: (min_size, documents) -> the task groups (rows, reference rows)
    task_groups: dict[tuple[int, bool], list[tuple[np.ndarray, np.ndarray]]] = field(
        default_factory=dict
    )
    #: checks.diverse: the diversity profile (the report's ``stats.diversity``)
    diversity: dict[str, Any] | None = None
    #: split.strata: what the split stratified by ("label", "cluster"; None: nothing)
    strata_by: str | None = None
    #: Results being computed elsewhere (a forked child, see :mod:`ftprep.prefetch`): a
    #: reader missing its result calls :meth:`settle` first, which waits for them.
    pending: Callable[[], None] | None = None

    def settle(self) -> None:
        """Wait for the results being computed elsewhere, if any (they join these)."""
        if self.pending is not None:
            wait, self.pending = self.pending, None
            wait()


#: Rows whose locations :meth:`FeatureTable.locations` reads at a time.
LOCATION_CHUNK = 1024


class FeatureTable:
    """Columns of per-example features, one row per loaded example, in input order.

    ``record`` maps a row to its global record index (load errors have records but no
    rows); ``source``/``line`` give the location without keeping a model per example.
    """

    def __init__(self, sources: list[str], spill: int | None = None) -> None:
        self.sources = sources
        #: Bytes of numpy chunks held in memory before they go to disk (default:
        #: :func:`ftprep.columns.spill_budget`).
        self.spill = spill_budget() if spill is None else spill
        self._store: SpillStore | None = None
        self._coded: dict[str, list[Coded]] = {}
        self._order: list[str] = []
        self._cols: dict[str, Any] = {}
        self.n = 0
        #: Rows appended so far (``n`` is set when the table is finished).
        self.rows = 0
        #: Results derived from columns that several stages share, each computed once by
        #: the module that owns it.
        self.derived = Derived()

    def append(self, columns: dict[str, Any], rows: int | None = None) -> None:
        """Add a batch's columns (``rows``: how many rows they hold; default: ``record``'s
        length). A column given as a list is replaced, in ``columns``, by its
        :class:`~ftprep.columns.Coded` form, which the table keeps: gatherers that run
        after this (and may release values in place) change what the table holds."""
        if self._store is None:
            self._store = SpillStore(self.spill)
        for key, value in columns.items():
            if key not in self._order:
                self._order.append(key)
            if isinstance(value, np.ndarray):
                self._store.add(key, value)
            else:
                coded = value if isinstance(value, Coded) else Coded.of(value)
                columns[key] = coded
                self._coded.setdefault(key, []).append(coded)
        self.rows += len(columns["record"]) if rows is None else rows
        if self._store.over_budget():
            self._store.flush()

    def finish(self) -> None:
        """Join each column's chunks, one column at a time (so joining never holds a second
        copy of the whole table); spilled columns become read-only memory maps."""
        store, self._store = self._store, None
        for key in self._order:
            if key in self._coded:
                self._cols[key] = Coded.join(self._coded.pop(key))
            elif store is not None:
                self._cols[key] = store.column(key)
                give_back_freed_memory()  # the column's chunks, before the next is joined
        self._order = []
        if store is not None:
            store.close()
        give_back_freed_memory()
        self.n = len(self._cols.get("record", []))

    @property
    def spilled(self) -> bool:
        """Whether the numpy columns are memory maps of files (the table outgrew the budget)."""
        return any(isinstance(v, np.memmap) for v in self._cols.values())

    def release_pages(self) -> None:
        """Let the system take back the pages of spilled columns read so far (they count in
        the process's memory while mapped in, though the file holds them): the next read
        maps them in again from the page cache. The engine calls this between dataset
        checks, so each check holds only the columns it reads."""
        for col in self._cols.values():
            mapped = getattr(col, "_mmap", None) if isinstance(col, np.memmap) else None
            if mapped is not None and hasattr(mapped, "madvise"):
                mapped.madvise(mmap.MADV_DONTNEED)
        give_back_freed_memory()

    def columns(self) -> list[str]:
        """The column names, in the order the features produced them."""
        return list(self._cols)

    def __getitem__(self, key: str) -> Any:
        return self._cols[key]

    def __contains__(self, key: str) -> bool:
        return key in self._cols

    def location(self, row: int, detail: str | None = None) -> SourceLocation:
        return SourceLocation(
            source=self.sources[int(self["source"][row])],
            line=int(self["line"][row]),
            detail=detail,
        )

    def locations(
        self, rows: Sequence[int], details: Sequence[str | None] | None = None
    ) -> Iterator[SourceLocation]:
        """``location(row, detail)`` for each of ``rows`` (``details``: one per row, default
        none), lazily, :data:`LOCATION_CHUNK` rows at a time.

        A finding of a big file lists tens of thousands of rows (26,000 on 100,000 natural
        examples, all of them in the report ``validate`` returns): reading the two columns
        one scalar at a time cost a memmap ``__getitem__`` call each, more than the model.
        Here each chunk's columns are read by one gather (building the report: 0.14 ->
        0.11 s CPU on that file), and each location is built without validating the
        values it holds (:func:`~ftprep.loaders.exact.exact_detailed_location`: a source
        name, a line number, a detail or None). Chunks keep it lazy: a caller taking the
        first hundred reads no more than a chunk."""
        source, line, names = self["source"], self["line"], self.sources
        located = exact_detailed_location
        for start in range(0, len(rows), LOCATION_CHUNK):
            chunk = np.asarray(rows[start : start + LOCATION_CHUNK], dtype=np.int64)
            some = (
                details[start : start + LOCATION_CHUNK]
                if details is not None
                else [None] * len(chunk)
            )
            for s, n, d in zip(
                np.asarray(source)[chunk].tolist(),
                np.asarray(line)[chunk].tolist(),
                some,
                strict=True,
            ):
                yield located(names[s], n, d)

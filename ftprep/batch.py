"""The engine seam: one pure function from a batch of raw records to what the run keeps.

:func:`process_batch` adapts each raw record to an example (or a load error), runs the
per-example checks on it and extracts the compact features the dataset checks need. It
reads nothing but its arguments (and the registries filled at import), keeps nothing
afterwards, and returns plain picklable data, so the same function runs in-process
(``--jobs 1``), in a local process pool over batches (``--jobs N``) or on remote workers;
the engine merges the results in input order, so the report never depends on who ran
which batch.

The pool uses the platform's default start method (fork on Linux: workers inherit every
check registered so far, including a notebook's own; under spawn only the modules imported
here register theirs).
"""

from __future__ import annotations

import gc
import itertools
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, cast

import numpy as np

import ftprep.checks
import ftprep.similarity.normalize
import ftprep.tokens.counting  # noqa: F401  (registers the tokens feature)
from ftprep.allocator import start_worker
from ftprep.checks.base import REGISTRY, Flag
from ftprep.checks.batch_view import CheckBatch, run_example_check
from ftprep.features import FEATURES, FeatureContext, batch_scope, chat_view, warm_features
from ftprep.forked_map import can_fork
from ftprep.loaders.readers import JsonLines, RawRecord
from ftprep.loaders.record import load_records
from ftprep.loaders.registry import LoadOptions
from ftprep.schema import Example, LoadError
from ftprep.similarity.normalize import hash64
from ftprep.tokens.encodings import get_encoding

#: Raw records per batch: large enough to amortise a worker round trip, small enough that
#: a batch's examples (the only full texts ever held) stay a few MB.
BATCH = 2048


@dataclass(frozen=True)
class BatchPlan:
    """What every batch of a run needs besides its records; the same for all batches."""

    config: Any
    encoding: str
    pattern: str
    example_checks: tuple[str, ...]
    features: tuple[str, ...]


@dataclass
class RecordBatch:
    """Consecutive raw records of one source; ``first`` is the first one's record index.

    ``raws`` is a list of parsed records, or, for a JSONL file, a :class:`JsonLines` of
    line bytes that :func:`process_batch` parses where it runs (a worker), so the process
    reading the file never parses it and the batch pickles at memory speed.
    """

    source: int
    name: str
    format: str
    options: LoadOptions
    first: int
    raws: list[RawRecord] | JsonLines
    #: The file's container (``jsonl``, ``json``, ``csv``...): the target rules judge
    #: records as they stand in it.
    container: str = "jsonl"
    #: Feature name -> what the gathering process knew, when the batch was read, of the
    #: values its gatherer will drop at once (:attr:`ftprep.features.FeatureContext.hints`):
    #: the extractor leaves them out of the result instead of sending them to be dropped.
    #: The table is the same without hints (a Ray run, or an empty dict).
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    """One batch's examples reduced to columns, flags (rows local to the batch) and load
    errors (with their global record index)."""

    source: int
    n: int
    columns: dict[str, Any]
    flags: dict[str, list[Flag]] = field(default_factory=dict)
    load_errors: list[tuple[int, LoadError]] = field(default_factory=list)


#: An example's metadata, kind and line, read in one ``map`` over a batch.
_METADATA = attrgetter("metadata")
_KIND = attrgetter("kind")
_LINE = attrgetter("location.line")


def meta_columns(batch: Sequence[Example]) -> dict[str, Any]:
    """Group and label from metadata, and the example kind: read by the split and checks.

    A batch whose examples have no metadata at all (the usual chat file) has no group and
    no label: its columns are made whole, without a step per example."""
    n = len(batch)
    groups = np.zeros(n, dtype=np.uint64)
    metas = list(map(_METADATA, batch))
    kinds = list(map(_KIND, batch))
    if not any(metas):
        return {"meta_group": groups, "meta_label": [None] * n, "kind": kinds}
    labels: list[str | None] = []
    for i, meta in enumerate(metas):
        g = meta.get("group", meta.get("conversation_id"))
        if g is not None:
            groups[i] = hash64(f"group:{g}") or 1
        label = meta.get("label")
        # a true/false label is KTO's "desirable completion" flag, not a class to predict
        kto = isinstance(label, bool) or "kto_tag" in meta
        labels.append(None if label is None or kto else str(label))
    return {"meta_group": groups, "meta_label": labels, "kind": kinds}


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for one batch (and back as it was after).

    A batch allocates some ten container objects per message (parsed records, models,
    their dicts) and keeps them all until it ends, so every collection the allocations
    trigger rescans the growing batch to free nothing: 12% of a worker's CPU on chat
    batches, measured. What a batch leaves is freed by reference counting; a batch of
    chat records leaves no cycles (measured), and whatever cycles one might leave are
    found at the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def process_batch(plan: BatchPlan, batch: RecordBatch) -> BatchResult:
    """Adapt, check and reduce one batch (see the module docstring)."""
    examples: list[Example] = []
    records: list[int] = []
    errors: list[tuple[int, LoadError]] = []
    with collector_paused():
        loaded = load_records(batch.raws, batch.name, batch.format, batch.container, batch.options)
        if not any(issubclass(kind, LoadError) for kind in set(map(type, loaded))):
            # the usual batch, every record an example: no step per record to sort them
            records = list(range(batch.first, batch.first + len(loaded)))
            return reduce_examples(
                plan, batch.source, cast(list[Example], loaded), records, hints=batch.hints
            )
        for offset, result in enumerate(loaded):
            record = batch.first + offset
            if isinstance(result, LoadError):
                errors.append((record, result))
            else:
                examples.append(result)
                records.append(record)
        return reduce_examples(plan, batch.source, examples, records, errors, batch.hints)


def reduce_examples(
    plan: BatchPlan,
    source: int,
    examples: list[Example],
    records: list[int],
    errors: list[tuple[int, LoadError]] | None = None,
    hints: dict[str, Any] | None = None,
) -> BatchResult:
    """Per-example checks and feature columns of already-loaded examples (``hints``: see
    :attr:`RecordBatch.hints`)."""
    config = plan.config
    n = len(examples)
    flags: dict[str, list[Flag]] = {}
    columns: dict[str, Any] = {
        "record": np.asarray(records, dtype=np.int64),
        "source": np.full(n, source, dtype=np.int32),
        "line": np.fromiter(map(_LINE, examples), dtype=np.int64, count=n),
        **meta_columns(examples),
    }
    with batch_scope() as memo:
        views = [chat_view(ex) for ex in examples]
        shared = CheckBatch(examples, views)
        for cid in plan.example_checks:
            spec = REGISTRY[cid]
            found = run_example_check(spec, config.check_settings(cid, spec.settings), shared)
            if found:
                flags[cid] = found
        del shared
        fctx = FeatureContext(
            encoding=get_encoding(plan.encoding, plan.pattern),
            config=config,
            examples=examples,
            batch=memo,
            hints=hints or {},
        )
        for name in plan.features:
            columns.update(FEATURES[name].extract(views, fctx))
    return BatchResult(source=source, n=n, columns=columns, flags=flags, load_errors=errors or [])


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover (macOS, Windows)
        return max(os.cpu_count() or 1, 1)


def _workers_can_run(plan: BatchPlan) -> bool:
    """Whether pool workers will know every check and feature of ``plan``: always under
    fork (they inherit the registries); under spawn or forkserver only when all of them
    come from ftprep's own modules, which the workers import (a notebook's own check would
    be unknown there, so such a run stays in this process)."""
    if can_fork():
        return True
    funcs = [REGISTRY[cid].func for cid in plan.example_checks]
    funcs += [FEATURES[name].extract for name in plan.features]
    return all(getattr(f, "__module__", "").startswith("ftprep.") for f in funcs)


#: The fewest records worth a worker of their own: below this, a pool's start-up (a fork,
#: pickling the plan and the results) costs more than the half batch it saves.
MIN_PIECE = 256


def split_batch(batch: RecordBatch, parts: int) -> list[RecordBatch]:
    """``batch`` as up to ``parts`` consecutive batches of at least :data:`MIN_PIECE`
    records each (``[batch]`` when it is too small to share)."""
    n = len(batch.raws)
    parts = min(parts, n // MIN_PIECE)
    if parts <= 1:
        return [batch]
    bounds = [n * i // parts for i in range(parts + 1)]
    raws = batch.raws
    pieces = []
    for start, stop in itertools.pairwise(bounds):
        if isinstance(raws, JsonLines):
            part: Any = JsonLines(raws.path, raws.lines[start:stop], raws.items[start:stop])
        else:
            part = raws[start:stop]
        pieces.append(replace(batch, first=batch.first + start, raws=part))
    return pieces


#: Batches in flight per worker process: one running, one waiting in its queue.
IN_FLIGHT = 2


def last_split(batches: Iterator[RecordBatch], parts: int) -> Iterator[RecordBatch]:
    """``batches`` with the last one cut in up to ``parts`` pieces (:func:`split_batch`).

    The workers then finish together: the run's last batch would otherwise keep one worker
    busy for up to a batch's time (~0.7 s of chat data) while the others wait; and a small
    input, which is one batch, gets every core (a 1,000-example file: ~0.25 s less wall
    time on 2 cores). The result is the same whatever the batch size
    (tests/test_engine_jobs.py)."""
    last = next(batches, None)
    if last is None:
        return
    for batch in batches:
        yield last
        last = batch
    yield from split_batch(last, parts)


def first_split(batches: Iterator[RecordBatch], parts: int) -> Iterator[RecordBatch]:
    """``batches`` with the first one cut in up to ``parts`` pieces (:func:`split_batch`),
    when more follow (a lone batch is :func:`last_split`'s to cut).

    Every worker then starts on a piece of the first batch as soon as it is read, and the
    first results come back after a piece's time, not a whole batch's: the gathering (and
    the progress shown) begins sooner. The result is the same whatever the batch size
    (tests/test_engine_jobs.py)."""
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if second is None:
        yield first
        return
    yield from split_batch(first, parts)
    yield second
    yield from batches


#: Pieces the run's first batch is cut in, per worker (:func:`first_split`).
FIRST_PIECES = 2


def run_batches(
    plan: BatchPlan, batches: Iterator[RecordBatch], jobs: int
) -> Iterator[BatchResult]:
    """Results of ``batches`` in input order: in-process for ``jobs == 1`` or a single
    batch too small to share (:func:`split_batch`), else on a pool of ``jobs`` processes
    with at most ``IN_FLIGHT × jobs`` batches in flight (so memory stays bounded however
    far the reader runs ahead), the last batch cut in ``jobs`` pieces (:func:`last_split`)."""
    if jobs > 1:
        batches = first_split(last_split(batches, jobs), FIRST_PIECES * jobs)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if jobs <= 1 or second is None or not _workers_can_run(plan):
        yield process_batch(plan, first)
        if second is not None:
            yield process_batch(plan, second)
            for batch in batches:
                yield process_batch(plan, batch)
        return
    if can_fork():
        warm_features(plan.features, plan.config)  # inherited, not loaded in each worker
    pool: Executor = ProcessPoolExecutor(jobs, initializer=start_worker)
    try:
        pending: deque[Future[BatchResult]] = deque()
        for batch in itertools.chain((first, second), batches):
            pending.append(pool.submit(process_batch, plan, batch))
            if len(pending) >= IN_FLIGHT * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

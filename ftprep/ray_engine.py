"""``--engine ray``: the per-batch work of :mod:`ftprep.batch` on a Ray cluster (Ray Data).

The seam stays the pure :func:`~ftprep.batch.process_batch`: a Ray Data pipeline reads each
input shard on a worker into batches of raw records (one read task per shard, each batch its
own block), ``map_batches`` runs ``process_batch`` on them wherever Ray puts them (the
batches of one large shard on all the cluster's CPUs), and the driver gathers the compact
results back **in input order** (by shard, then first record), whatever order the workers
finish in. Everything after that (the feature
table, the dataset checks, the split plan) runs unchanged on the driver, so the report and
the split are the local engine's (tests/test_ray_engine.py proves it on a local Ray).

Ray retries a task whose worker dies (Ray Data's map tasks: without limit; the split's
write tasks: :data:`MAX_RETRIES` times); an error in ftprep's own code is not retried and
stops the run before anything is published (see :mod:`ftprep.split.sharded`).
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ftprep.batch import BATCH, BatchPlan, BatchResult, RecordBatch, process_batch
from ftprep.errors import ConfigError
from ftprep.loaders.readers import JsonLines, RawRecord
from ftprep.loaders.remote import shard_records
from ftprep.loaders.source import Source

#: Times Ray runs a task again when its worker process or node dies.
MAX_RETRIES = 3
INSTALL = "--engine ray needs Ray Data: pip install 'ftprep[ray]'"


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or a usage error saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError(INSTALL) from exc
    return ray


def connect(address: str | None) -> Any:
    """Join the cluster at ``address`` (``auto``: the one this job was submitted to), or
    start a local Ray on this machine's cores; a Ray already initialised in this process
    (a notebook, the test session) is used as it is."""
    ray = import_ray()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(include_dashboard=False, log_to_driver=False)
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # ftprep reports progress itself
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True
    return ray


def _read_shards(
    batch: dict[str, np.ndarray], sources: Sequence[Source], size: int
) -> Iterator[dict[str, np.ndarray]]:
    """Ray Data read step: each shard of ``batch`` as batches of ``size`` raw records (the
    last one flagged, an empty shard as one empty batch), pickled for the next step. A
    JSONL shard this node can read goes as unparsed line bytes (:class:`JsonLines`, as the
    local engine ships them): the process step parses, so no record is parsed twice or
    pickled as Python values through the object store."""
    for index in batch["source"]:
        source = sources[int(index)]
        if source.uri is None or source.data_path.exists():
            chunks: Iterator[list[RawRecord] | JsonLines] = source.record_chunks(size)
        else:
            chunks = _chunked(shard_records(source), size)
        first = 0
        for chunk in chunks:
            if len(chunk) < size:  # the shard's last chunk
                yield _row(int(index), first, chunk, last=True)
                break
            yield _row(int(index), first, chunk, last=False)
            first += len(chunk)
        else:  # no short chunk: an empty one says the shard is complete
            yield _row(int(index), first, [], last=True)


def _chunked(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def _row(
    source: int, first: int, raws: list[RawRecord] | JsonLines, last: bool
) -> dict[str, np.ndarray]:
    return {
        "source": np.array([source], dtype=np.int64),
        "first": np.array([first], dtype=np.int64),
        "last": np.array([last]),
        "payload": np.array([pickle.dumps(raws, protocol=5)], dtype=object),
    }


def _process(
    batch: dict[str, np.ndarray], plan: BatchPlan, sources: Sequence[Source]
) -> dict[str, np.ndarray]:
    """Ray Data map step: :func:`process_batch` on each batch of raw records, the same
    function the local engine runs (records numbered within their shard)."""
    out = []
    keys = zip(batch["source"], batch["first"], batch["payload"], strict=True)
    for index, first, payload in keys:
        source = sources[int(index)]
        records = RecordBatch(
            int(index),
            source.name,
            source.format,
            source.options,
            int(first),
            pickle.loads(payload),
            source.container,
        )
        out.append(pickle.dumps(process_batch(plan, records), protocol=5))
    return {
        "source": batch["source"],
        "first": batch["first"],
        "last": batch["last"],
        "payload": np.array(out, dtype=object),
    }


def _renumbered(result: BatchResult, offset: int) -> BatchResult:
    """A shard's result with record numbers counted from the start of all inputs."""
    if offset:
        result.columns["record"] = result.columns["record"] + offset
        result.load_errors = [(record + offset, error) for record, error in result.load_errors]
    return result


def in_input_order(
    rows: Iterator[tuple[int, int, bool, BatchResult]],
) -> Iterator[tuple[int, BatchResult]]:
    """Results keyed (shard, first record, last of shard) in input order, whatever order
    they arrive in: early ones wait until every result before them is there."""
    waiting: dict[tuple[int, int], tuple[bool, BatchResult]] = {}
    shard, first = 0, 0
    for key_shard, key_first, last, result in rows:
        waiting[(key_shard, key_first)] = (last, result)
        while (shard, first) in waiting:
            last, ready = waiting.pop((shard, first))
            yield shard, ready
            if last:
                shard, first = shard + 1, 0
            else:
                first += ready.n + len(ready.load_errors)
    if waiting:  # pragma: no cover - a read task lost a batch: never publish a partial run
        raise RuntimeError(f"ray engine: {len(waiting)} batches arrived out of sequence")


@dataclass
class RayEngine:
    """Runs the per-batch work on Ray; ``address`` joins a cluster (``auto`` inside a
    ``ray job submit``), None starts a local Ray. ``batch_size`` raw records per batch."""

    address: str | None = None
    batch_size: int = BATCH
    name: str = "ray"

    def read(self, sources: Sequence[Source]) -> Any:
        """The Ray dataset of the inputs' raw records: one read task per shard, each
        yielding batches of ``batch_size`` records, **one batch per block**.

        Why one per block: Ray Data cuts a task's output into blocks of up to
        ``DataContext.target_max_block_size`` (128 MiB), so a large shard's batches would
        share a few blocks, and the next step's tasks run block by block: one file would run
        on one CPU. The streaming repartition (fused into the read task, no shuffle, nothing
        materialised) ends every block after one batch, and as Ray Data never fuses a step
        after it, ``map_batches(_process)`` runs as its own tasks, one per batch, on every
        CPU of the cluster."""
        ray = connect(self.address)
        shards = ray.data.from_items(
            [{"source": i} for i in range(len(sources))], override_num_blocks=len(sources)
        )
        return shards.map_batches(
            _read_shards,
            batch_size=1,
            fn_kwargs={"sources": list(sources), "size": self.batch_size},
        ).repartition(target_num_rows_per_block=1)

    def writer(self) -> Any:
        """The runner :func:`ftprep.split.sharded.write_sharded` writes the parts with."""
        return ray_writer(self.address)

    def results(
        self,
        plan: BatchPlan,
        sources: Sequence[Source],
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> Iterator[BatchResult]:
        """Every batch's result, in input order, with global record numbers."""
        if not sources:
            return
        raws = self.read(sources)
        done = raws.map_batches(
            _process, batch_size=1, fn_kwargs={"plan": plan, "sources": list(sources)}
        )
        rows = (
            (int(r["source"]), int(r["first"]), bool(r["last"]), pickle.loads(r["payload"]))
            for r in done.iter_rows()
        )
        offset, shard, seen = 0, 0, 0
        for index, result in in_input_order(rows):
            while shard < index:  # the shards before are complete: count their records
                shard += 1
                offset = seen
            seen += result.n + len(result.load_errors)
            if progress:
                progress("loading", seen, None)
            yield _renumbered(result, offset)


def ray_writer(address: str | None) -> Any:
    """Runs the split's shard writes as Ray tasks (retried when a worker dies)."""
    from ftprep.split.sharded import ShardJob, ShardWritten, write_shard

    def run(jobs: Sequence[ShardJob]) -> list[ShardWritten]:
        ray = connect(address)
        task = ray.remote(write_shard).options(max_retries=MAX_RETRIES)
        return list(ray.get([task.remote(job) for job in jobs]))

    return run


def engine_for(name: str | Any, address: str | None = None) -> Any:
    """The engine object for ``--engine NAME`` (None: the local process pool)."""
    if name is None or name == "local":
        if address:
            raise ConfigError("--ray-address needs --engine ray")
        return None
    if name == "ray":
        import_ray()
        return RayEngine(address=address or os.environ.get("FTPREP_RAY_ADDRESS"))
    if isinstance(name, str):
        raise ConfigError(f"unknown engine '{name}'; choose local or ray")
    return name  # an engine object (RayEngine with its own batch size, in tests)


__all__ = ["INSTALL", "MAX_RETRIES", "RayEngine", "connect", "engine_for", "ray_writer"]

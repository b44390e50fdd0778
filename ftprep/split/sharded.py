"""A split written as shards: one ``train-*`` and one ``validation-*`` part per input shard.

``--engine ray`` writes this layout (and ``split --sharded`` locally): for input shard ``i``
of ``n``, ``train-0000i-of-0000n.jsonl`` and ``validation-0000i-of-0000n.jsonl`` hold that
shard's kept examples, in input order, with the lines :func:`~ftprep.split.writer.output_line`
gives (the single-file writer's own), by the plan the driver made. Concatenating the parts
in name order gives exactly ``train.jsonl`` / ``validation.jsonl``.

Each part is written by :func:`write_shard`, a plain function of one :class:`ShardJob`
(picklable; Ray runs it on a worker, the local engine in this process), into the split's
staging folder under a temporary name and renamed when complete, so a retried task starts
clean. Only when every part is there does the driver publish the split with its manifest,
which records each shard's counts; :func:`conservation_problems` (run by
:func:`~ftprep.split.writer.verify_split`) checks train + validation + dropped = records for
every shard and for the whole split, against the lines actually in the files.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ftprep.errors import ConfigError, OutputError
from ftprep.loaders.remote import shard_records
from ftprep.loaders.source import Source, load_record
from ftprep.schema import LoadError
from ftprep.split.conservation import SIDES, conservation_problems
from ftprep.split.plan import TRAIN, VALIDATION
from ftprep.split.writer import Analysed, Staging, output_line

_PART = re.compile(r"(train|validation)-\d{5}-of-\d{5}\.jsonl")


def part_name(side: str, index: int, count: int) -> str:
    """``train-00000-of-00004.jsonl``: the part of input shard ``index`` of ``count``."""
    return f"{side}-{index:05d}-of-{count:05d}.jsonl"


def part_pattern(side: str, count: int) -> str:
    """How the report names one side of a sharded split (``train-*-of-00004.jsonl``)."""
    return f"{side}-*-of-{count:05d}.jsonl"


@dataclass
class ShardJob:
    """What writing one input shard's parts needs: its rows' record numbers within the
    shard, their sides (TRAIN, VALIDATION or DROPPED) and ``--fix`` changes (by position
    among the shard's rows), and the folder to write into."""

    index: int
    count: int
    source: Source
    records: np.ndarray
    sides: np.ndarray
    fixes: dict[int, list[str]]
    folder: str
    total: int  # records the analysis read from this shard


@dataclass
class ShardWritten:
    """What one shard's parts hold."""

    index: int
    records: int
    train: int
    validation: int
    files: dict[str, str] = field(default_factory=dict)  # side -> file name


def write_shard(job: ShardJob) -> ShardWritten:
    """Read the shard again and write its kept examples to its train and validation parts.

    Refuses (OutputError) when the shard no longer holds what the analysis read, so a
    changed input never yields a split that disagrees with its report."""
    folder = Path(job.folder)
    names = {side: part_name(side, job.index, job.count) for side in SIDES}
    tag = f"{os.getpid()}.{secrets.token_hex(4)}"
    tmps = {side: folder / f".{names[side]}.{tag}.tmp" for side in SIDES}
    counts = {TRAIN: 0, VALIDATION: 0}
    source = job.source
    row = record = 0
    n_rows = len(job.records)
    try:
        with (
            tmps["train"].open("w", encoding="utf-8", newline="\n") as train,
            tmps["validation"].open("w", encoding="utf-8", newline="\n") as val,
        ):
            for raw in shard_records(source):
                loaded = load_record(raw, source.name, source.format, source.container,
                                     source.options)  # fmt: skip
                if not isinstance(loaded, LoadError):
                    if row >= n_rows or job.records[row] != record:
                        raise OutputError(f"{source.name}: the input changed while splitting")
                    goes = int(job.sides[row])
                    if goes in counts:
                        text, _ = output_line(loaded, job.fixes.get(row, []), loaded.location)
                        (train if goes == TRAIN else val).write(text)
                        counts[goes] += 1
                    row += 1
                record += 1
        if record != job.total or row != n_rows:
            raise OutputError(f"{source.name}: the input changed while splitting; run again")
        for side in SIDES:
            os.replace(tmps[side], folder / names[side])
    finally:
        for tmp in tmps.values():
            tmp.unlink(missing_ok=True)
    return ShardWritten(job.index, record, counts[TRAIN], counts[VALIDATION], names)


def shard_jobs(analysis: Analysed, folder: Path) -> list[ShardJob]:
    """One job per input shard, cut from the analysis' rows (consecutive per shard)."""
    plan = analysis.plan
    assert plan is not None
    table = analysis.features
    sources = analysis.sources
    source_of_row = np.asarray(table["source"])
    bounds = np.searchsorted(source_of_row, np.arange(len(sources) + 1), side="left")
    fixes_by_row = analysis.fix_changes
    jobs = []
    offset = 0
    for i, source in enumerate(sources):
        start, stop = int(bounds[i]), int(bounds[i + 1])
        fixes = {r - start: list(f) for r, f in fixes_by_row.items() if start <= r < stop}
        jobs.append(
            ShardJob(
                index=i,
                count=len(sources),
                source=source,
                records=np.asarray(table["record"][start:stop]) - offset,
                sides=np.asarray(plan.assignment[start:stop]),
                fixes=fixes,
                folder=str(folder),
                total=source.counts["records"],
            )
        )
        offset += source.counts["records"]
    return jobs


def refuse_unsupported(config: Any, to: str | None) -> None:
    """What the sharded layout cannot do (yet): platform formats with companion files, and
    redaction, whose placeholders number values across the whole dataset in input order."""
    if to is not None:
        raise ConfigError("--to writes one file per side: use it without --engine ray/--sharded")
    if getattr(config, "redact", None):
        raise ConfigError(
            "--redact numbers placeholders across all shards in order: use it without "
            "--engine ray/--sharded"
        )


Runner = Callable[[Sequence[ShardJob]], list[ShardWritten]]


def run_here(jobs: Sequence[ShardJob]) -> list[ShardWritten]:
    """The local engine's runner: each shard in turn, in this process."""
    return [write_shard(job) for job in jobs]


def write_sharded(analysis: Analysed, stage: Staging, run: Runner = run_here) -> dict[str, Any]:
    """Write every shard's parts into ``stage`` (with ``run``: here, or on Ray workers),
    check that nothing was lost, and record the counts in the manifest. Returns them."""
    plan = analysis.plan
    assert plan is not None
    jobs = shard_jobs(analysis, stage.folder)
    written = sorted(run(jobs), key=lambda w: w.index)
    parts: list[dict[str, Any]] = []
    for job, done in zip(jobs, written, strict=True):
        parts.append(
            {
                "input": job.source.name,
                "records": done.records,
                "train": done.train,
                "validation": done.validation,
                "dropped": done.records - done.train - done.validation,
                "train_file": done.files["train"],
                "validation_file": done.files["validation"],
            }
        )
    summary: dict[str, Any] = {
        "layout": "sharded",
        "records": analysis.records,
        "train": sum(p["train"] for p in parts),
        "validation": sum(p["validation"] for p in parts),
        "dropped": sum(p["dropped"] for p in parts),
        "parts": parts,
    }
    if (summary["train"], summary["validation"]) != (plan.train, plan.validation) or sum(
        p["records"] for p in parts
    ) != analysis.records:
        raise OutputError("the shards written do not add up to the planned split; run again")
    readable = [(s.sha256(), h) for s, h in zip(analysis.sources, analysis.hashes, strict=True)
                if s.data_path.exists()]  # fmt: skip
    if any(now != before for now, before in readable):
        raise OutputError("an input changed while splitting; nothing was written, run again")
    names = [name for part in parts for name in (part["train_file"], part["validation_file"])]
    stage.files += names
    stage.stale += [n for n in _existing_parts(stage.directory) if n not in names]
    stage.extra["split"] = summary
    return summary


def _existing_parts(directory: Path) -> list[str]:
    """Part files an earlier sharded split left in ``directory`` (replaced by this one)."""
    try:
        return sorted(p.name for p in directory.iterdir() if _PART.fullmatch(p.name))
    except OSError:
        return []


__all__ = [
    "ShardJob",
    "ShardWritten",
    "conservation_problems",
    "part_name",
    "part_pattern",
    "refuse_unsupported",
    "run_here",
    "write_shard",
    "write_sharded",
]

"""The analysis pass: stream inputs once, run per-example checks and feature extractors on
batches, then dataset checks on the features, then plan the split.

Everything the report says comes from the :class:`Analysis` this returns; the writer makes a
second streaming pass over the inputs to write the split, so no step holds the examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ftprep import prefetch
from ftprep.batch import (
    BATCH,
    BatchPlan,
    BatchResult,
    RecordBatch,
    default_jobs,
    reduce_examples,
    run_batches,
)
from ftprep.checks.base import (
    ON_REQUEST,
    REGISTRY,
    CheckResult,
    CheckSpec,
    DatasetContext,
    Flag,
)
from ftprep.checks.clean.contradictions import contradiction_group_key
from ftprep.checks.diverse import sample_measures
from ftprep.config import Config
from ftprep.contamination.feature import eval_copies
from ftprep.evaluation.tasks import infer_task, task_params
from ftprep.features import FEATURES, FeatureTable
from ftprep.loaders import LoadOptions, Source, open_source
from ftprep.schema import LoadError
from ftprep.similarity.neardup import split_group_key
from ftprep.similarity.topics import topic_params, topics
from ftprep.split.plan import DROPPED, SplitPlan, plan_split
from ftprep.split.refine import refine
from ftprep.split.strata import strata_by_cluster, strata_by_label
from ftprep.tokens.encodings import get_encoding
from ftprep.tokens.models import ModelInfo, resolve_model

Progress = Callable[[str, int, int | None], None]
#: Features every run computes, whichever checks are enabled: statistics need the token
#: counts, and the split needs hashes, near-duplicate sketches (groups), prompt sketches
#: (contradiction groups), the text sample (topic strata) and answer kinds (label strata).
#: Disabling a check never changes the split (tests/test_engine_jobs.py checks each one).
CORE_FEATURES = ("tokens", "hashes", "minhash", "prompt_sketch", "text_sample", "answers")


@dataclass
class Analysis:
    """What one pass over the inputs found; the report and the writer read only this."""

    config: Config
    model: ModelInfo
    sources: list[Source]
    hashes: list[str]
    features: FeatureTable
    results: dict[str, CheckResult]
    load_errors: list[tuple[int, LoadError]]
    records: int
    fix_drops: dict[int, str] = field(default_factory=dict)  # row -> check id
    fix_changes: dict[int, list[str]] = field(default_factory=dict)  # row -> fixes
    #: What each row's change did, for the report (redactions, masked), filled while the
    #: split is written.
    change_details: dict[tuple[int, str], str] = field(default_factory=dict)
    plan: SplitPlan | None = None
    #: The validation file(s) of an existing split (``validate --validation``), analysed
    #: with the same options; the report lists their record-level findings too.
    validation: Analysis | None = None
    #: Which engine ran the per-batch work (``local`` or ``ray``); the report names it.
    engine: str = "local"


def _enabled(config: Config) -> dict[str, tuple[CheckSpec, Any]]:
    out = {}
    for cid, spec in REGISTRY.items():
        settings = config.check_settings(cid, spec.settings)
        if settings.enabled:
            out[cid] = (spec, settings)
    return out


def _needed_features(checks: Iterable[CheckSpec], config: Config | None = None) -> list[str]:
    wanted: list[str] = list(CORE_FEATURES)
    if config is not None and config.eval_sets:
        wanted.append("contamination")  # the split keeps eval-item copies out of validation
    for spec in checks:
        wanted += [n for n in spec.needs if n not in wanted]
    resolved: list[str] = []

    def add(name: str) -> None:
        if name in resolved:
            return
        if name not in FEATURES:
            raise KeyError(f"unknown feature '{name}'")
        for dep in FEATURES[name].needs:
            add(dep)
        resolved.append(name)

    for name in wanted:
        add(name)
    return resolved


def _record_batches(
    sources: Sequence[Source],
    progress: Progress | None,
    size: int,
    hinters: dict[str, Callable[[], Any]] | None = None,
    read: Callable[[], None] | None = None,
) -> Iterator[RecordBatch]:
    """The inputs' raw records in batches of ``size``, in input order, each with the
    gatherers' hints as it is read (``hinters``: feature name -> its gatherer's ``hint``);
    ``read`` is called once the last record has been read."""
    record = 0
    hinters = hinters or {}
    for src_index, source in enumerate(sources):
        for raws in source.record_chunks(size):
            yield RecordBatch(
                src_index,
                source.name,
                source.format,
                source.options,
                record,
                raws,
                source.container,
                {name: h for name, hint in hinters.items() if (h := hint()) is not None},
            )
            record += len(raws)
            if progress and len(raws) >= size:
                progress("loading", record, None)
    if read is not None:
        read()


def analyze(
    inputs: Sequence[str | Path | Any],
    config: Config,
    load_options: LoadOptions | None = None,
    progress: Progress | None = None,
    existing: Any = None,
    jobs: int | None = None,
    batch_size: int = BATCH,
    engine: Any = None,
) -> Analysis:
    """Load, check and plan the split of ``inputs`` under ``config``.

    ``existing`` (a :class:`ftprep.leakage.ExistingSplit`) replaces the planned split with
    a given validation file, which the split checks then compare against. ``jobs`` is the
    number of processes for the per-batch work (default: all cores; 1 runs in-process);
    the result is the same whatever it is, and whatever ``batch_size``. ``engine`` (an
    object with ``name`` and ``results(plan, sources, progress)``, such as
    :class:`ftprep.ray_engine.RayEngine`) runs the per-batch work elsewhere instead; it
    yields the same results in the same order.
    """
    model = resolve_model(config.model, config.models)
    checks = _enabled(config)
    example_ids = tuple(cid for cid, (s, _) in checks.items() if s.kind == "example")
    dataset_specs = [s for s, _ in checks.values() if s.kind == "dataset"]
    feature_names = _needed_features(dataset_specs, config)
    plan = BatchPlan(
        config=config,
        encoding=model.encoding,
        pattern=model.pattern,
        example_checks=example_ids,
        features=tuple(feature_names),
    )
    get_encoding(model.encoding, model.pattern)  # a bad rank file fails before any work

    sources = [open_source(p, load_options) for p in inputs]
    table = FeatureTable([s.name for s in sources])
    named = {n: make(config) for n in feature_names if (make := FEATURES[n].gather)}
    gatherers = list(named.values())
    trims = [trim for g in gatherers if (trim := getattr(g, "trim", None)) is not None]
    hinters = {n: hint for n, g in named.items() if (hint := getattr(g, "hint", None))}
    flags: dict[str, list[Flag]] = defaultdict(list)
    load_errors: list[tuple[int, LoadError]] = []
    counts = [{"records": 0, "examples": 0, "load_errors": 0} for _ in sources]
    hashes: list[str] = []

    def fingerprint() -> None:
        """The inputs' SHA-256, taken once the reader has read them all: the workers are
        still busy with the batches in flight then, where after the last batch hashing
        (0.07 s per 100,000 natural examples) delayed the dataset checks and the report."""
        hashes[:] = [s.sha256() for s in sources]

    if engine is not None:
        batch_results: Iterator[BatchResult] = engine.results(plan, sources, progress)
    else:
        batches = _record_batches(sources, progress, batch_size, hinters, fingerprint)
        batch_results = run_batches(plan, batches, jobs or default_jobs())
    for result in batch_results:
        start = table.rows
        for cid, found in result.flags.items():
            flags[cid].extend(Flag(start + f.row, f.detail, f.fixable) for f in found)
        load_errors.extend(result.load_errors)
        count = counts[result.source]
        count["records"] += result.n + len(result.load_errors)
        count["examples"] += result.n
        count["load_errors"] += len(result.load_errors)
        if result.n:
            for trim in trims:  # what a gatherer would release at once, before it is coded
                trim(result.columns)
            table.append(result.columns, result.n)  # list columns become Coded, in place
            for gatherer in gatherers:
                gatherer.add(result.columns, start)
    record = sum(c["records"] for c in counts)
    for source, count in zip(sources, counts, strict=True):
        source.counts = count
    if progress:
        progress("loading", record, record)
    table.finish()
    if table.n == 0:
        _empty_columns(table, plan)
    for gatherer in gatherers:
        gatherer.finish(table)

    results: dict[str, CheckResult] = {cid: CheckResult(flags=f) for cid, f in flags.items()}
    for cid in example_ids:
        results.setdefault(cid, CheckResult())
    ctx = DatasetContext(model=model, records=record, load_errors=len(load_errors), config=config)
    before = [spec for spec in dataset_specs if not spec.after_split]
    # With jobs to spare, a forked child computes the topic clusters meanwhile; the checks
    # that may read them run last, and wait for the child when they do (their results are
    # stored in the checks' order all the same).
    side = (
        prefetch.start(table, _topics_work(config, checks), jobs or default_jobs())
        if engine is None and "sample_input" in table
        else None
    )
    later = [s for s in before if side is not None and prefetch.reads_topics(s.id)]
    done: dict[str, CheckResult] = {}

    def run(specs: list[CheckSpec]) -> None:
        for spec in specs:
            done[spec.id] = spec.func(table, checks[spec.id][1], ctx)  # type: ignore[misc]
            table.release_pages()
            if progress:
                progress(spec.id, 1, 1)

    keys: list[Any] | None = None
    try:
        run([s for s in before if s not in later])
        # While the child may still be busy: what the split plan reads besides the topics
        # (its grouping keys and the task's labels, the first strata tried), so that less
        # is left to do once the topics are in.
        if not hashes:  # another engine read the inputs
            fingerprint()
        if side is not None and existing is None:
            keys = plan_keys(table, config)
            if "answer_kind" in table and table.n:
                infer_task(table, task_params(config))
        run(later)
        table.derived.settle()  # the child's topics, when no check asked for them
    finally:
        if side is not None:
            side.close()
    for spec in before:  # in the checks' order, whichever ran first
        results[spec.id] = done[spec.id]

    analysis = Analysis(
        config=config,
        model=model,
        sources=sources,
        hashes=hashes,
        features=table,
        results=results,
        load_errors=load_errors,
        records=record,
        engine=engine.name if engine is not None else "local",
    )
    if config.fix:
        _decide_fixes(analysis, checks)
    kept = np.ones(table.n, dtype=bool)
    kept[list(analysis.fix_drops)] = False
    analysis.plan = existing.plan(analysis, kept) if existing else plan_for(analysis, kept, keys)
    ctx.kept, ctx.plan, ctx.existing = kept, analysis.plan, existing
    for spec in dataset_specs:
        if spec.after_split:
            results[spec.id] = spec.func(table, checks[spec.id][1], ctx)  # type: ignore[misc]
    return analysis


def _topics_work(config: Config, checks: dict[str, Any]) -> Callable[[FeatureTable], object]:
    """What a topics child computes: the topic clusters, sharing their candidate k-means
    runs with a helper of its own, and the measures of the sampled texts when a diverse
    check will read them (so that the parent does not take them after the topics)."""
    params = topic_params(config)
    if any(cid in checks for cid in ("diverse.coverage", "diverse.cluster_balance")):
        return lambda ft: sample_measures(ft, params, helpers=1)
    return lambda ft: topics(ft, params, helpers=1)


def _empty_columns(table: FeatureTable, plan: BatchPlan) -> None:
    """Give an empty table every column, so dataset checks need no special case."""
    table.append(reduce_examples(plan, 0, [], []).columns, 0)
    table.finish()


def _decide_fixes(analysis: Analysis, checks: dict[str, tuple[CheckSpec, Any]]) -> None:
    """Which rows ``--fix`` drops or changes: only the remediations a check declares safe."""
    for cid in sorted(analysis.results):
        spec = REGISTRY.get(cid)
        if spec is None or spec.fix is None or cid not in checks:
            continue
        if spec.fix in ON_REQUEST and ON_REQUEST[spec.fix] not in analysis.config.redact:
            continue
        for flag in analysis.results[cid].flags:
            if not flag.fixable:
                continue
            if spec.fix in ("drop", "drop_repeats"):
                analysis.fix_drops.setdefault(flag.row, cid)
            else:
                analysis.fix_changes.setdefault(flag.row, [])
                if spec.fix not in analysis.fix_changes[flag.row]:
                    analysis.fix_changes[flag.row].append(spec.fix)
    for row in analysis.fix_drops:
        analysis.fix_changes.pop(row, None)


#: Extra grouping keys for the split: functions of the feature table returning
#: (values, valid mask) pairs. The similarity stage adds near-duplicate groups here.
GROUP_KEYS: list[Callable[[FeatureTable, Config], tuple[np.ndarray, np.ndarray | None]]] = [
    lambda ft, config: (ft["meta_group"], ft["meta_group"] != 0),
    split_group_key,
    contradiction_group_key,
]
#: Stratum providers, tried in order; the first returning an array wins.
STRATA: list[Callable[[FeatureTable, Config], np.ndarray | None]] = [
    strata_by_label,
    strata_by_cluster,
]


def plan_keys(ft: FeatureTable, config: Config) -> list[Any]:
    """The split's grouping keys (:data:`GROUP_KEYS`): functions of the table alone, so
    they may be computed before the rows ``--fix`` drops are known."""
    return [fn(ft, config) for fn in GROUP_KEYS]


def plan_for(analysis: Analysis, kept: np.ndarray, keys: list[Any] | None = None) -> SplitPlan:
    """The planned split of ``analysis``'s rows (``kept``: the rows not dropped; ``keys``:
    :func:`plan_keys`, when already computed)."""
    ft = analysis.features
    if keys is None:
        keys = plan_keys(ft, analysis.config)
    strata = None
    for provider in STRATA:
        strata = provider(ft, analysis.config)
        if strata is not None:
            break

    pinned = eval_copies(ft, analysis.config)

    def replan(group_keys: list[Any]) -> SplitPlan:
        return plan_split(
            ft["hash_conversation"],
            kept,
            seed=analysis.config.seed,
            fraction=analysis.config.validation_fraction,
            group_keys=group_keys,
            strata=strata,
            pinned=pinned,
        )

    return refine(ft, replan(keys), analysis.config, replan, keys)


__all__ = ["DROPPED", "Analysis", "analyze"]

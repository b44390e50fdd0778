"""The analysis pass: stream inputs once, run per-example checks and feature extractors on
batches, then dataset checks on the features, then plan the split.

Everything the report says comes from the :class:`Analysis` this returns; the writer makes a
second streaming pass over the inputs to write the split, so no step holds the examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import ftprep.checks
import ftprep.similarity.normalize
import ftprep.tokens.counting  # noqa: F401  (registers the tokens feature)
from ftprep.checks.base import REGISTRY, CheckResult, CheckSpec, DatasetContext, Flag
from ftprep.checks.clean.contradictions import contradiction_group_key
from ftprep.config import Config
from ftprep.contamination.feature import eval_copies
from ftprep.features import FEATURES, FeatureContext, FeatureTable, chat_view
from ftprep.loaders import LoadOptions, Source, open_source
from ftprep.schema import Example, LoadError
from ftprep.similarity.neardup import split_group_key
from ftprep.similarity.normalize import hash64
from ftprep.split.plan import DROPPED, SplitPlan, plan_split
from ftprep.split.refine import refine
from ftprep.split.strata import strata_by_cluster, strata_by_label
from ftprep.tokens.encodings import get_encoding
from ftprep.tokens.models import ModelInfo, resolve_model

BATCH = 2048
Progress = Callable[[str, int, int | None], None]
#: Features every run computes, whichever checks are enabled: statistics need the token
#: counts, and the split needs hashes, near-duplicate sketches (groups), the text sample
#: (topic strata) and answer kinds (label strata). Disabling a check never changes the split.
CORE_FEATURES = ("tokens", "hashes", "minhash", "text_sample", "answers")


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
    plan: SplitPlan | None = None
    #: The validation file(s) of an existing split (``validate --validation``), analysed
    #: with the same options; the report lists their record-level findings too.
    validation: Analysis | None = None


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


def _meta_columns(batch: Sequence[Example]) -> dict[str, Any]:
    groups = np.zeros(len(batch), dtype=np.uint64)
    labels: list[str | None] = []
    for i, ex in enumerate(batch):
        meta = ex.metadata
        g = meta.get("group", meta.get("conversation_id"))
        if g is not None:
            groups[i] = hash64(f"group:{g}") or 1
        label = meta.get("label")
        labels.append(None if label is None else str(label))
    return {"meta_group": groups, "meta_label": labels, "kind": [ex.kind for ex in batch]}


def analyze(
    inputs: Sequence[str | Path | Any],
    config: Config,
    load_options: LoadOptions | None = None,
    progress: Progress | None = None,
    existing: Any = None,
) -> Analysis:
    """Load, check and plan the split of ``inputs`` under ``config``.

    ``existing`` (a :class:`ftprep.leakage.ExistingSplit`) replaces the planned split with
    a given validation file, which the split checks then compare against.
    """
    model = resolve_model(config.model, config.models)
    encoding = get_encoding(model.encoding, model.pattern)
    checks = _enabled(config)
    example_checks = [(s, st) for s, st in checks.values() if s.kind == "example"]
    dataset_specs = [s for s, _ in checks.values() if s.kind == "dataset"]
    feature_names = _needed_features(dataset_specs, config)
    fctx = FeatureContext(encoding=encoding, settings={"config": config})

    sources = [open_source(p, load_options) for p in inputs]
    names = [s.name for s in sources]
    table = FeatureTable(names)
    flags: dict[str, list[Flag]] = defaultdict(list)
    load_errors: list[tuple[int, LoadError]] = []
    record = 0
    row = 0

    def flush(batch: list[Example], batch_records: list[int], src: int) -> None:
        nonlocal row
        if not batch:
            return
        views = [chat_view(ex) for ex in batch]
        for offset, ex in enumerate(batch):
            for spec, settings in example_checks:
                if ex.kind not in spec.kinds:
                    continue
                target = ex if ex.kind != "chat" else views[offset]
                for detail in spec.func(target, settings):  # type: ignore[misc]
                    flags[spec.id].append(Flag(row + offset, detail))
        columns: dict[str, Any] = {
            "record": np.asarray(batch_records, dtype=np.int64),
            "source": np.full(len(batch), src, dtype=np.int32),
            "line": np.fromiter(
                (ex.location.line for ex in batch), dtype=np.int64, count=len(batch)
            ),
        }
        columns.update(_meta_columns(batch))
        fctx.batch.clear()
        fctx.settings["batch"] = batch  # the original examples, for extractors that need them
        for name in feature_names:
            columns.update(FEATURES[name].extract(views, fctx))
        table.append(columns)
        row += len(batch)

    for src_index, source in enumerate(sources):
        batch: list[Example] = []
        batch_records: list[int] = []
        for loaded in source:
            if loaded.error is not None:
                load_errors.append((record, loaded.error))
            else:
                assert loaded.example is not None
                batch.append(loaded.example)
                batch_records.append(record)
                if len(batch) >= BATCH:
                    flush(batch, batch_records, src_index)
                    batch, batch_records = [], []
                    if progress:
                        progress("loading", record + 1, None)
            record += 1
        flush(batch, batch_records, src_index)
    if progress:
        progress("loading", record, record)
    table.finish()
    if table.n == 0:
        _empty_columns(table, feature_names, fctx)

    results: dict[str, CheckResult] = {cid: CheckResult(flags=f) for cid, f in flags.items()}
    for spec, _ in example_checks:
        results.setdefault(spec.id, CheckResult())
    ctx = DatasetContext(
        model=model, records=record, load_errors=len(load_errors), settings={"config": config}
    )
    late_items = ("sufficient", "split", "evaluated")
    #: evaluated checks that --fix acts on run before the fixes are decided
    early = ("evaluated.contamination", "evaluated.eval_overlap")
    for spec in dataset_specs:
        if spec.item not in late_items or spec.id in early:
            results[spec.id] = spec.func(table, checks[spec.id][1], ctx)  # type: ignore[misc]
            if progress:
                progress(spec.id, 1, 1)

    analysis = Analysis(
        config=config,
        model=model,
        sources=sources,
        hashes=[s.sha256() for s in sources],
        features=table,
        results=results,
        load_errors=load_errors,
        records=record,
    )
    if config.fix:
        _decide_fixes(analysis, checks)
    kept = np.ones(table.n, dtype=bool)
    kept[list(analysis.fix_drops)] = False
    analysis.plan = existing.plan(analysis, kept) if existing else plan_for(analysis, kept)
    ctx.settings.update({"kept": kept, "plan": analysis.plan, "existing": existing})
    for spec in dataset_specs:
        if spec.item in late_items and spec.id not in early:
            results[spec.id] = spec.func(table, checks[spec.id][1], ctx)  # type: ignore[misc]
    return analysis


def _empty_columns(table: FeatureTable, names: list[str], fctx: FeatureContext) -> None:
    """Give an empty table every column, so dataset checks need no special case."""
    table.append(
        {
            "record": np.zeros(0, dtype=np.int64),
            "source": np.zeros(0, dtype=np.int32),
            "line": np.zeros(0, dtype=np.int64),
            **_meta_columns([]),
        }
    )
    for name in names:
        table.append(FEATURES[name].extract([], fctx))
    table.finish()


def _decide_fixes(analysis: Analysis, checks: dict[str, tuple[CheckSpec, Any]]) -> None:
    """Which rows ``--fix`` drops or changes: only the remediations a check declares safe."""
    for cid in sorted(analysis.results):
        spec = REGISTRY.get(cid)
        if spec is None or spec.fix is None or cid not in checks:
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


def plan_for(analysis: Analysis, kept: np.ndarray) -> SplitPlan:
    ft = analysis.features
    keys = [fn(ft, analysis.config) for fn in GROUP_KEYS]
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

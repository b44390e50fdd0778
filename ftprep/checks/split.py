"""Checks for the *split* item: a validation set large enough to measure, nothing straddling."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, dataset_check
from ftprep.features import FeatureTable
from ftprep.schema import SourceLocation
from ftprep.split.view import SplitView, split_view
from ftprep.wording import plural


class ValidationSizeSettings(CheckSettings):
    minimum: int = Field(50, ge=0, description="warn when validation has fewer examples")


@dataset_check(
    "split.validation_size",
    "split",
    "warning",
    "the validation set is too small to measure improvement",
    settings=ValidationSizeSettings,
    after_split=True,
)
def validation_size(
    ft: FeatureTable, settings: ValidationSizeSettings, ctx: DatasetContext
) -> CheckResult:
    """Validation set is too small to measure improvement.

    What: the number of examples the planned split puts in validation (groups of
    near-copies are kept whole, so it can fall a little short of the fraction).
    Why: with a few dozen validation examples, one example moves accuracy by several
    points; you cannot tell a better model from noise, or spot overfitting in the
    validation loss.
    Threshold: warning below `minimum` (50) validation examples.
    Fix: add data, or raise `--validation-fraction` (e.g. 0.2 for small sets).
    """
    plan = ctx.plan
    assert plan is not None
    config = ctx.config
    existing = ctx.existing is not None
    strata_by = ft.derived.strata_by or "none"
    metrics = {
        "train": plan.train,
        "validation": plan.validation,
        "groups": plan.groups,
        "strata": plan.strata,
        "strata_by": strata_by,
        "target_validation": plan.target_validation,
    }
    if config is not None and not existing:
        metrics.update(seed=config.seed, validation_fraction=config.validation_fraction)
    if existing:
        summary = f"existing split: {plan.train} train / {plan.validation} validation"
    else:
        strata = f", {plan.strata} strata by {strata_by}" if plan.strata > 1 else ""
        summary = (
            f"seed {metrics.get('seed')}, fraction {metrics.get('validation_fraction')}: "
            f"{plan.train} train / {plan.validation} validation, {plan.groups} groups kept "
            f"whole{strata}"
        )
    if plan.validation < settings.minimum:
        return CheckResult(
            metrics=metrics,
            summary=summary,
            message=f"only {plan.validation} validation examples "
            f"(< {settings.minimum}): too few to measure improvement; add data or raise "
            "--validation-fraction",
        )
    return CheckResult(metrics=metrics, summary=summary)


# --- leakage, size ratio and drift: the planned split, or an existing one (--validation) ---


def _loc(ft: FeatureTable, row: int, detail: str) -> SourceLocation:
    return ft.location(int(row), detail)


def _where(ft: FeatureTable, row: int) -> str:
    loc = ft.location(int(row))
    return f"{loc.source}:{loc.line}"


def _pair_locations(
    view: SplitView, pairs: list[tuple[int, int]], what: str
) -> list[SourceLocation]:
    """Both lines of every (train row, validation row) pair, validation side first."""
    out = []
    for t, v in sorted(pairs, key=lambda p: (p[1], p[0])):
        out.append(_loc(view.validation, v, f"{what} {_where(view.train, t)} (train)"))
        out.append(_loc(view.train, t, f"{what} {_where(view.validation, v)} (validation)"))
    return out


def _record(ctx: DatasetContext, key: str, value: Any) -> None:
    """Note what a split check verified in the plan's details (shown in the split section)."""
    plan = ctx.plan
    if plan is not None:
        plan.details.setdefault("leakage", {})[key] = value


def exact_leak_pairs(view: SplitView, column: str) -> list[tuple[int, int]]:
    """(train row, validation row) pairs with equal ``column`` hashes (first train match)."""
    train_keys = view.train[column][view.train_rows]
    order = np.argsort(train_keys, kind="stable")
    sorted_keys = train_keys[order]
    val_keys = view.validation[column][view.validation_rows]
    pos = np.searchsorted(sorted_keys, val_keys)
    pos_c = np.minimum(pos, max(len(sorted_keys) - 1, 0))
    hit = (
        (pos < len(sorted_keys)) & (sorted_keys[pos_c] == val_keys)
        if len(sorted_keys)
        else (np.zeros(len(val_keys), dtype=bool))
    )
    return [
        (int(view.train_rows[order[pos_c[i]]]), int(view.validation_rows[i]))
        for i in np.flatnonzero(hit)
    ]


@dataset_check(
    "split.leakage_exact",
    "split",
    "error",
    "{count} locations: validation examples that also appear in training",
    needs=("hashes",),
    after_split=True,
)
def leakage_exact(ft: FeatureTable, settings: CheckSettings, ctx: DatasetContext) -> CheckResult:
    """Validation example also appears in training (same conversation or same input).

    What: validation examples whose normalised conversation, or whose prompt (everything
    before the final answer), is identical to a training example's. Both lines are listed:
    the validation line, then the training line it matches. Runs on the planned split and
    on an existing one (`ftprep validate train.jsonl --validation val.jsonl`).
    Why: the model has seen these examples (or their inputs) during training, so the
    validation score overstates how well it generalises.
    Threshold: any shared conversation is an error; inputs shared with a different answer
    (no shared conversation) are a warning.
    Fix: remove the listed validation examples (or move them to train); let `ftprep split`
    make the split, which keeps copies on one side.
    """
    view = split_view(ft, ctx)
    if view is None:
        return CheckResult()
    conv = exact_leak_pairs(view, "hash_conversation")
    conv_val = {v for _, v in conv}
    prompt = [p for p in exact_leak_pairs(view, "hash_prompt") if p[1] not in conv_val]
    locations = _pair_locations(view, conv, "same conversation as") + _pair_locations(
        view, prompt, "same input as"
    )
    leaked = len(conv) + len(prompt)
    _record(ctx, "exact", leaked)
    metrics = {"leaked_exact": leaked}
    if not leaked:
        return CheckResult(metrics=metrics)
    return CheckResult(
        locations=locations,
        metrics=metrics,
        severity="error" if conv else "warning",
        message=f"{plural(leaked, 'validation example appears', 'validation examples appear')} "
        "also in training "
        f"({len(conv)} identical conversations, {len(prompt)} identical inputs)",
    )


class LeakageNearSettings(CheckSettings):
    threshold: float = Field(
        0.8, gt=0, le=1, description="estimated Jaccard similarity of 5-byte shingles"
    )
    bands: int = Field(16, ge=1, le=128, description="LSH bands (more = more recall)")


@dataset_check(
    "split.leakage_near",
    "split",
    "warning",
    "{count} locations: validation examples nearly identical to training examples",
    settings=LeakageNearSettings,
    needs=("minhash", "hashes"),
    after_split=True,
)
def leakage_near(
    ft: FeatureTable, settings: LeakageNearSettings, ctx: DatasetContext
) -> CheckResult:
    """Validation example is a near duplicate of a training example.

    What: pairs of a validation and a training example whose conversations (system prompt
    excluded) share at least `threshold` of their 5-character shingles (MinHash + LSH, the
    same measure as `clean.near_duplicate`); identical ones are left to
    `split.leakage_exact`. Both lines of every pair are listed.
    Why: a lightly edited copy of a training example in validation measures memorisation,
    not generalisation.
    Threshold: any pair is reported; `threshold` 0.8, `bands` 16.
    Fix: drop or move the listed validation examples; `ftprep split` keeps near-duplicate
    groups on one side.
    """
    from ftprep.similarity.minhash import cross_pairs_of_rows
    from ftprep.similarity.neardup import boilerplate_discount, straddling_pairs

    view = split_view(ft, ctx)
    if view is None or "minhash" not in view.validation:
        return CheckResult()
    if view.train is view.validation:  # ftprep's own split: measured by the refinement
        pairs, sims = straddling_pairs(
            ft, view.train_rows, view.validation_rows, settings.threshold, settings.bands
        )
    else:
        pairs, sims = cross_pairs_of_rows(
            view.train["minhash"],
            view.train_rows,
            view.validation["minhash"],
            view.validation_rows,
            settings.threshold,
            settings.bands,
        )
    if view.train is view.validation and len(pairs):
        # ftprep's own split: judge pairs as clean.near_duplicate and the split's groups do,
        # with a preamble most of the set shares set aside (toolformer's tool descriptions)
        rows = np.stack([view.train_rows[pairs[:, 0]], view.validation_rows[pairs[:, 1]]], 1)
        keep = boilerplate_discount(view.train, rows, sims, settings.threshold)
        pairs = pairs[keep]
    conv_t = view.train["hash_conversation"]
    conv_v = view.validation["hash_conversation"]
    found: dict[int, int] = {}
    for a, b in pairs:
        t, v = int(view.train_rows[a]), int(view.validation_rows[b])
        if "hash_media" in view.train and (
            view.train["hash_media"][t] != view.validation["hash_media"][v]
        ):
            continue  # the same words about different media are different examples
        if conv_t[t] != conv_v[v] and (v not in found or t < found[v]):
            found[v] = t
    pair_list = [(t, v) for v, t in found.items()]
    _record(ctx, "near", len(pair_list))
    metrics = {"leaked_near": len(pair_list)}
    if not pair_list:
        return CheckResult(metrics=metrics)
    return CheckResult(
        locations=_pair_locations(view, pair_list, "near duplicate of"),
        metrics=metrics,
        message=plural(
            len(pair_list),
            "validation example is a near duplicate",
            "validation examples are near duplicates",
        )
        + " of training examples",
    )


class SizeRatioSettings(CheckSettings):
    low: float = Field(0.5, ge=0, description="warn when validation share < low × fraction")
    high: float = Field(2.0, ge=1, description="warn when validation share > high × fraction")


@dataset_check(
    "split.size_ratio",
    "split",
    "warning",
    "the validation share is far from the intended fraction",
    settings=SizeRatioSettings,
    after_split=True,
)
def size_ratio(ft: FeatureTable, settings: SizeRatioSettings, ctx: DatasetContext) -> CheckResult:
    """Validation share is far from the intended fraction.

    What: validation examples ÷ (train + validation), against `--validation-fraction`
    (default 0.1). For a planned split it falls short only when near-duplicate or
    conversation groups are too large to fit; for an existing split it is whatever the
    files hold.
    Why: too small a validation set cannot measure improvement; too large a one takes
    examples the model could have learned from.
    Threshold: warning when the share is below `low` (0.5) or above `high` (2.0) times the
    fraction.
    Fix: pass the fraction you intend with `--validation-fraction`, or re-split with
    `ftprep split`; break up very large groups (e.g. one conversation id on everything).
    """
    view = split_view(ft, ctx)
    config = ctx.config
    if view is None or config is None:
        return CheckResult()
    n_t, n_v = len(view.train_rows), len(view.validation_rows)
    share = n_v / (n_t + n_v) if n_t + n_v else 0.0
    fraction = config.validation_fraction
    metrics = {"validation_share": round(share, 4), "validation_fraction": fraction}
    if n_t + n_v < 2 or settings.low * fraction <= share <= settings.high * fraction:
        return CheckResult(metrics=metrics)
    return CheckResult(
        metrics=metrics,
        message=f"validation is {share:.1%} of the data ({n_v} of {n_t + n_v}); "
        f"the intended fraction is {fraction:.0%}",
    )


class DriftSettings(CheckSettings):
    max_drift: float = Field(
        0.05, ge=0, le=1, description="largest label/cluster share difference tolerated"
    )
    min_validation: int = Field(30, ge=1, description="judge drift only from this many")


@dataset_check(
    "split.label_drift",
    "split",
    "warning",
    "validation does not look like train (label or topic mix differs)",
    settings=DriftSettings,
    needs=("answers", "text_sample"),
    after_split=True,
)
def label_drift(ft: FeatureTable, settings: DriftSettings, ctx: DatasetContext) -> CheckResult:
    """Validation's label (or topic-cluster) mix differs from train's.

    What: the share of each label in train and in validation (for classification-style
    data), otherwise the share of each topic cluster of the user inputs (the clusters of
    `diverse.coverage`; validation inputs of an existing split are assigned to the nearest
    cluster). Reports the largest difference in percentage points, and validation labels
    that training never shows.
    Why: a validation set with a different mix measures a different task; a label train
    never shows cannot be learned.
    Threshold: warning when a share differs by more than `max_drift` (0.05 = 5 points)
    with at least `min_validation` (30) validation examples, or any validation label is
    missing from train.
    Fix: let `ftprep split` stratify the split (it does so by label, else by cluster), or
    move examples so both sides have the same mix.
    """
    from ftprep.evaluation.tasks import infer_task, task_params
    from ftprep.similarity.topics import topic_params, topics

    view = split_view(ft, ctx)
    config = ctx.config
    if view is None or len(view.validation_rows) == 0:
        return CheckResult()
    labels = infer_task(ft, task_params(config)).labels
    unseen: list[str] = []
    if labels is not None:
        by = "label"
        train_idx = labels.index[view.train_rows]
        val_idx = view.validation_labels(labels)
        unseen = view.unseen_labels(labels)
        train_idx, val_idx = train_idx[train_idx >= 0], val_idx[val_idx >= 0]
        names = labels.names
    else:
        top = topics(ft, topic_params(config))
        if top is None or top.k < 2:
            return CheckResult()
        by = "cluster"
        train_idx, val_idx = view.clusters(top)
        names = top.clustering.names if top.clustering is not None else []
    k = len(names)
    if len(train_idx) == 0 or len(val_idx) == 0:
        return CheckResult()
    p_t = np.bincount(train_idx, minlength=k) / len(train_idx)
    p_v = np.bincount(val_idx, minlength=k) / len(val_idx)
    diff = np.abs(p_t - p_v)
    worst = int(np.lexsort((np.arange(k), -diff))[0])
    drift = round(float(diff[worst]), 4)
    metrics = {"drift_by": by, "max_drift": drift, "drift_strata": k}
    _record(ctx, "max_drift", {"by": by, "value": drift, "worst": names[worst]})
    problems = []
    if len(val_idx) >= settings.min_validation and drift > settings.max_drift:
        problems.append(
            f"{by} '{names[worst]}' is {p_t[worst]:.1%} of train but {p_v[worst]:.1%} of validation"
        )
    if unseen:
        problems.append(f"validation labels never seen in train: {', '.join(unseen[:10])}")
    if not problems:
        return CheckResult(metrics=metrics)
    return CheckResult(metrics=metrics, message="; ".join(problems))

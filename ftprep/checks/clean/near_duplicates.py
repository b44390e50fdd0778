"""Near duplicates: examples that are the same but for light edits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.neardup import DEFAULT_BANDS, DEFAULT_THRESHOLD, near_duplicate_groups
from ftprep.similarity.normalize import raw_conversation_hashes
from ftprep.turns import flat_turns
from ftprep.wording import plural


@register_feature("raw_hash", ("hash_raw",))
def raw_hash_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """A hash of the conversation's exact text (no normalisation): copies that differ only
    in case, punctuation or spacing are exact duplicates *and* near duplicates."""
    flat = flat_turns(batch, ctx.batch)
    return {"hash_raw": raw_conversation_hashes(flat.roles, flat.texts, flat.counts)}


class NearDuplicateSettings(CheckSettings):
    threshold: float = Field(
        DEFAULT_THRESHOLD, gt=0, le=1, description="estimated Jaccard similarity of shingles"
    )
    bands: int = Field(DEFAULT_BANDS, ge=1, le=128, description="LSH bands (more = more recall)")


@dataset_check(
    "clean.near_duplicate",
    "clean",
    "warning",
    "{count} examples are near duplicates of another",
    settings=NearDuplicateSettings,
    needs=("minhash", "raw_hash"),
)
def near_duplicate(
    ft: FeatureTable, settings: NearDuplicateSettings, ctx: DatasetContext
) -> CheckResult:
    """Example is a near duplicate of another.

    What: conversations (system prompt excluded) whose normalised text shares at least
    `threshold` of its 5-character shingles with another's (Jaccard, estimated with
    MinHash + LSH in linear time; 3-character shingles for Chinese, Japanese, Thai and other
    scripts written without spaces). A preamble that much of the set pastes above its
    requests (a tool description, a shared instruction: lines of multi-line user turns that
    at least 5 examples and 1% of the set share) is set aside before the verdict, so
    different requests under one preamble are not near copies. Copies that differ only in
    case, punctuation or spacing are reported here and by `clean.exact_duplicate`;
    byte-identical copies only there.
    Why: near copies (a changed name, a reworded sentence) over-weight one pattern as much
    as exact copies do, and across a split they leak: the validation loss looks better than
    the model is. ftprep's split keeps each group on one side.
    Threshold: `threshold` 0.8 (the field uses 0.7–0.8); `bands` 16 of 8 bins.
    Fix: keep one representative per group, or make the variants genuinely different.
    """
    labels, _ = near_duplicate_groups(ft, settings.threshold, settings.bands)
    if ft.n == 0:
        return CheckResult(metrics={"near_duplicate_groups": 0})
    conv = ft["hash_raw"]
    order = np.lexsort((conv, labels))
    lab_sorted, conv_sorted = labels[order], conv[order]
    new_label = np.r_[True, lab_sorted[1:] != lab_sorted[:-1]]
    new_pair = new_label | np.r_[True, conv_sorted[1:] != conv_sorted[:-1]]
    distinct = np.add.reduceat(new_pair.astype(np.int64), np.flatnonzero(new_label))
    group_ids = lab_sorted[new_label]
    near_groups = group_ids[distinct > 1]
    rows = np.flatnonzero(np.isin(labels, near_groups))
    first_line: dict[int, int] = {}
    flags = []
    for row in rows:
        g = int(labels[row])
        if g not in first_line:
            first_line[g] = int(ft["line"][row])
            flags.append(
                Flag(int(row), f"group of line {first_line[g]} (first)", fixable=False, group=g)
            )
        else:
            flags.append(Flag(int(row), f"near duplicate of line {first_line[g]}", group=g))
    share = len(rows) / ft.n
    return CheckResult(
        flags=flags,
        metrics={
            "near_duplicate_groups": len(near_groups),
            "near_duplicate_examples": len(rows),
            "near_duplicate_rate": round(share, 4),
        },
        message=(
            f"{plural(len(rows), 'example')} in "
            f"{plural(len(near_groups), 'near-duplicate group')} ({share:.1%} of the data)"
        )
        if len(rows)
        else None,
    )

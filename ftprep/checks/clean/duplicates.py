"""Exact duplicates: the same conversation more than once (after normalisation)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ftprep.checks.base import (
    CheckResult,
    CheckSettings,
    DatasetContext,
    Flag,
    Severity,
    dataset_check,
)
from ftprep.features import FeatureTable
from ftprep.wording import plural


class ExactDuplicateSettings(CheckSettings):
    max_rate: float = Field(0.0, ge=0, le=1, description="share of duplicates tolerated")


def duplicate_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the row index of the first row with the same key, and whether it repeats.

    Vectorised with numpy: one stable argsort, no Python loop over rows.
    """
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    first = np.empty(n, dtype=np.int64)
    first[order] = group_first
    return first, first != np.arange(n)


@dataset_check(
    "clean.exact_duplicate",
    "clean",
    "warning",
    "{count} examples repeat an earlier example",
    settings=ExactDuplicateSettings,
    needs=("hashes",),
    fix="drop_repeats",
)
def exact_duplicate(
    ft: FeatureTable, settings: ExactDuplicateSettings, ctx: DatasetContext
) -> CheckResult:
    """Example repeats an earlier one.

    What: conversations identical after Unicode normalisation (NFKC), case folding and
    folding punctuation and whitespace. Every copy after the first is flagged, with the line
    of the first.
    Why: duplicates over-weight some examples (the model memorises them), inflate the
    dataset size you think you have, and leak into validation if split naively.
    ftprep's split always keeps all copies on one side.
    Threshold: any duplicate is reported; `max_rate` (default 0) is the share above which
    it counts as a failure of the clean item rather than a warning.
    Fix: remove the repeats; `--fix` keeps the first copy and drops the rest.
    """
    first, repeats = duplicate_groups(ft["hash_conversation"])
    rows = np.flatnonzero(repeats)
    members = np.isin(first, first[rows])
    flags = []
    for row in np.flatnonzero(members):
        if repeats[row]:
            flags.append(Flag(int(row), f"copy of line {int(ft['line'][first[row]])}"))
        else:
            flags.append(Flag(int(row), "first copy (kept by --fix)", fixable=False))
    rate = len(rows) / ft.n if ft.n else 0.0
    severity: Severity | None = (
        "error" if rate > settings.max_rate and settings.max_rate > 0 else None
    )
    return CheckResult(
        flags=flags,
        metrics={"exact_duplicates": len(rows), "exact_duplicate_rate": round(rate, 4)},
        message=f"{plural(len(rows), 'example repeats', 'examples repeat')} an earlier example "
        f"({rate:.1%} of the data)"
        if len(rows)
        else None,
        severity=severity,
    )

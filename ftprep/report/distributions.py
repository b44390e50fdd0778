"""``stats["distributions"]``: the data behind the report's charts, computed once here.

Renderers draw and never compute, so everything a chart shows is in the report itself
(and so in report.json, where another tool can draw it too):

- ``tokens``: a histogram of tokens per example (``edges``: ``len(counts) + 1`` bin edges,
  bin ``i`` holding ``edges[i] <= tokens < edges[i + 1]``; ``counts`` per bin; ``limit``:
  the per-example token limit in force; ``over_limit``; ``max``; ``examples``; ``scale``).
  Bins span the data; when some examples exceed the limit, the last bin holds exactly
  those (it starts at ``limit + 1``). The other bins have a "nice" integer width (1, 2
  or 5 × 10^k, ``scale: "linear"``), or grow geometrically (``scale: "log"``) when the
  longest example is over ``LOG_RATIO`` times the shortest.
- ``labels`` (only when examples carry a ``label``): counts per label on each side of the
  planned split (``train``, ``validation``, ``dropped``, aligned with ``labels``), most
  frequent first; labels beyond ``max_labels`` are summed into ``other`` so the report
  stays small when a "label" is really free text.

Computed from the compact features (``tokens_total``, ``meta_label``) and the split plan,
so it costs one pass over arrays already in memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ftprep.columns import NONE, as_coded
from ftprep.engine import Analysis
from ftprep.split.plan import DROPPED, TRAIN, VALIDATION

#: Target number of histogram bins (the nice width makes the real number close to it).
TARGET_BINS = 30
#: Longest/shortest ratio above which bins grow geometrically (log-scale axis), so one
#: very long example does not squeeze the bulk of the data into a single bar.
LOG_RATIO = 50
#: Labels listed one by one; the rest are summed into ``other``.
MAX_LABELS = 30


def nice_width(span: float, target_bins: int = TARGET_BINS) -> int:
    """The smallest bin width of the form 1, 2 or 5 × 10^k giving at most ``target_bins``."""
    raw = max(span / max(target_bins, 1), 1.0)
    exp = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if step * exp >= raw:
            return int(step * exp)
    return int(10 * exp)  # pragma: no cover - the loop always returns


def token_histogram(total: np.ndarray, limit: int) -> dict[str, Any]:
    """Bin edges and counts of tokens per example, with the limit and how many exceed it."""
    total = np.asarray(total, dtype=np.int64)
    over = int((total > limit).sum())
    if len(total) == 0:
        return {
            "edges": [],
            "counts": [],
            "scale": "linear",
            "limit": int(limit),
            "over_limit": 0,
            "max": 0,
            "examples": 0,
        }
    low, top = int(total.min()), int(total.max())
    # Regular bins cover the examples within the limit; one last bin holds those over it.
    upper = min(top, int(limit)) + 1
    low = min(low, upper - 1)
    scale = "log" if top > LOG_RATIO * max(low, 1) else "linear"
    if scale == "log":
        geometric = np.geomspace(max(low, 1), upper, TARGET_BINS + 1)
        edges = np.unique(np.round(geometric)).astype(np.int64)
        edges[0], edges[-1] = min(int(edges[0]), low), upper
    else:
        width = nice_width(upper - low)
        start = (low // width) * width
        n_bins = -(-(upper - start) // width)
        edges = start + np.arange(n_bins + 1, dtype=np.int64) * width
    if over:
        edges[-1] = upper
        edges = np.append(edges, top + 1)
    counts, _ = np.histogram(total, bins=edges)
    return {
        "edges": [int(e) for e in edges],
        "counts": [int(c) for c in counts],
        "scale": scale,
        "limit": int(limit),
        "over_limit": over,
        "max": int(total.max()),
        "examples": len(total),
    }


def label_counts(
    labels: Sequence[str | None], assignment: np.ndarray | None, max_labels: int = MAX_LABELS
) -> dict[str, Any] | None:
    """Per-label counts on each side of the split; None when no example has a label.

    Counted from the labels' codes (a table's coded column, or the list coded): each side's
    distinct labels are counted in numpy, not a Counter step per row."""
    coded = as_coded(labels)
    if not (coded.codes != NONE).any():
        return None
    sides = (
        np.asarray(assignment)
        if assignment is not None
        else np.full(len(coded), TRAIN, dtype=np.int8)
    )
    counters: dict[int, Counter[str]] = {side: Counter() for side in (TRAIN, VALIDATION, DROPPED)}
    unlabelled = "(no label)"
    for side in np.unique(sides).tolist():
        codes, counts = np.unique(coded.codes[sides == side], return_counts=True)
        counter = counters[int(side)]
        for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
            counter[unlabelled if code == NONE else coded.values[code]] += count
    totals = counters[TRAIN] + counters[VALIDATION] + counters[DROPPED]
    ordered = sorted(totals, key=lambda k: (-totals[k], k))
    shown, rest = ordered[:max_labels], ordered[max_labels:]
    out: dict[str, Any] = {
        "labels": shown,
        "train": [counters[TRAIN][k] for k in shown],
        "validation": [counters[VALIDATION][k] for k in shown],
        "dropped": [counters[DROPPED][k] for k in shown],
        "distinct": len(ordered),
    }
    if rest:
        out["other"] = {
            "labels": len(rest),
            "train": sum(counters[TRAIN][k] for k in rest),
            "validation": sum(counters[VALIDATION][k] for k in rest),
            "dropped": sum(counters[DROPPED][k] for k in rest),
        }
    return out


def effective_token_limit(analysis: Analysis) -> int:
    """The limit the over-length check applies: its ``max_tokens`` setting or the model's."""
    from ftprep.checks.base import REGISTRY

    spec = REGISTRY.get("clean.over_token_limit")
    if spec is not None:
        settings = analysis.config.check_settings(spec.id, spec.settings)
        override = getattr(settings, "max_tokens", None)
        if override:
            return int(override)
    return int(analysis.model.max_example_tokens)


def distributions(analysis: Analysis) -> dict[str, Any]:
    """The ``stats["distributions"]`` section (see the module docstring for its keys)."""
    ft = analysis.features
    out: dict[str, Any] = {
        "tokens": token_histogram(ft["tokens_total"], effective_token_limit(analysis))
    }
    plan = analysis.plan
    labels = label_counts(ft["meta_label"], plan.assignment if plan is not None else None)
    if labels is not None:
        out["labels"] = labels
    return out

"""Helpers for judging an example against "the dataset norm".

Many checks are relative: an answer is short, oddly formatted or unpunctuated only compared
with its peers. A finetuning file often mixes tasks (a JSON-extraction task beside free-text
support answers), and the norm of one task says nothing about another. ftprep takes the
system prompt as the task marker: examples sharing a system prompt are judged against each
other when there are at least ``min_size`` of them; the remaining examples (no or rare system
prompts) are judged together, or against the whole dataset when they are too few.

Also here: robust location/scale (median and MAD) and a bounded store of first-seen excerpts
that feature extractors fill, so dataset checks can quote a text without keeping all texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ftprep.columns import GONE, as_coded, held_rows
from ftprep.features import FeatureContext, FeatureTable, FirstExcerpts

#: The consistency constant that makes the MAD estimate the standard deviation of a normal.
MAD_SCALE = 1.4826
#: Most distinct texts remembered per kind of excerpt (system prompts, JSON key sets).
EXCERPT_CAP = 4096


def task_groups(
    ft: FeatureTable, min_size: int, documents: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows to judge, reference rows) per task; see the module docstring.

    Continued-pretraining documents (``kind == "text"``) answer no task: a haiku beside a
    speech is not a short answer beside a long one. They are left out unless ``documents``
    (for checks about the text itself, such as markup residue).

    Computed once per table and arguments (seven checks ask, most with the same
    ``min_size``); the arrays are read-only, as every asker shares them.
    """
    derived = getattr(ft, "derived", None)
    memo = derived.task_groups if derived is not None else {}
    key = (int(min_size), bool(documents))
    if key not in memo:
        groups = list(_task_groups(ft, min_size, documents))
        for rows, ref in groups:
            rows.setflags(write=False)
            ref.setflags(write=False)
        memo[key] = groups
    yield from memo[key]


def _task_groups(
    ft: FeatureTable, min_size: int, documents: bool
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`task_groups`, computed."""
    n = ft.n
    if n == 0:
        return
    keep = np.arange(n)
    if not documents and "kind" in ft:
        kinds = as_coded(ft["kind"])  # documents found by their code, not row by row
        texts = [c for c, v in enumerate(kinds.values) if v is not GONE and v == "text"]
        keep = np.flatnonzero(~np.isin(kinds.codes, texts))
        if len(keep) == 0:
            return
    keys = ft["system_hash"] if "system_hash" in ft else np.zeros(n, dtype=np.uint64)
    # One stable sort groups the rows by system prompt, each group's rows ascending (as
    # ``keep`` is): the groups np.unique's inverse gave, at a quarter of the cost.
    kept = np.asarray(keys)[keep]
    order = np.argsort(kept, kind="stable")
    ordered = kept[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, len(ordered)])
    big = counts >= min_size
    for g in np.flatnonzero(big):
        rows = keep[order[starts[g] : starts[g] + counts[g]]]
        yield rows, rows
    small = ~np.repeat(big, counts)
    if small.any():
        rest = np.sort(keep[order[small]])
        yield rest, (rest if len(rest) >= min_size else keep)


def robust_z(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(values − median) / (1.4826 · MAD) of ``reference``; when the MAD is 0 (over half the
    values equal), the mean absolute deviation × 1.2533 stands in (Iglewicz & Hoaglin)."""
    values = np.asarray(values, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if len(reference) == 0:
        return np.zeros_like(values)
    med = float(np.median(reference))
    mad = float(np.median(np.abs(reference - med))) * MAD_SCALE
    if mad == 0:
        mad = float(np.mean(np.abs(reference - med))) * 1.2533
    if mad == 0:
        return np.where(values > med, np.inf, np.where(values < med, -np.inf, 0.0))
    return (values - med) / mad


def remember_once(ctx: FeatureContext, kind: str, key: int) -> bool:
    """True the first time ``key`` is seen for ``kind`` in this batch (at most EXCERPT_CAP
    keys per batch). Across batches, :func:`first_excerpts` keeps only each key's first
    excerpt of the run, for at most EXCERPT_CAP keys, so excerpt memory stays bounded."""
    store: dict[str, set[int]] = ctx.batch.setdefault("_excerpt_keys", {})
    seen = store.setdefault(kind, set())
    if key in seen or len(seen) >= EXCERPT_CAP:
        return False
    seen.add(key)
    return True


def first_excerpts(text_column: str, key_column: str) -> Callable[[Any], FirstExcerpts]:
    """The gatherer for an excerpt column that :func:`remember_once` fills."""
    return lambda config: FirstExcerpts(text_column, key_column, EXCERPT_CAP)


def excerpts_by_key(keys: np.ndarray, texts: list[Any]) -> dict[int, str]:
    """key -> excerpt, from a column that holds an excerpt at each key's first occurrence."""
    out: dict[int, str] = {}
    rows = held_rows(texts)  # few: the first of each key
    for i, key in zip(rows.tolist(), np.asarray(keys)[rows].tolist(), strict=True):
        out.setdefault(int(key), texts[i])
    return out


def share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else 0.0


__all__ = ["excerpts_by_key", "first_excerpts", "remember_once", "robust_z", "share", "task_groups"]

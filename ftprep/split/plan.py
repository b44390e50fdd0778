"""Assign every kept example to train or validation.

Groups (copies of the same conversation, near-duplicate clusters, contradiction groups,
``group``/``conversation_id`` metadata) are connected components over shared keys, and a
group always lands on one side, so no near-copy of a training example sits in validation.
Groups are visited in an order given by a seeded hash of their content (not their position),
so the same data gives the same split on every machine, and adding examples later does not
reshuffle the ones already assigned. Within each stratum (label or cluster) groups are taken
into validation until the stratum's share of the target is reached, so validation mirrors
train.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ftprep.components import connected_components
from ftprep.similarity.minhash import mix64

TRAIN, VALIDATION, DROPPED = 0, 1, -1


@dataclass
class SplitPlan:
    """Per-row assignment (TRAIN, VALIDATION or DROPPED) plus what the report shows."""

    assignment: np.ndarray
    groups: int
    strata: int
    target_validation: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def train(self) -> int:
        return int((self.assignment == TRAIN).sum())

    @property
    def validation(self) -> int:
        return int((self.assignment == VALIDATION).sum())


def connected_groups(n: int, keys: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
    """Group label per row: rows sharing any key (where the key is valid) are one group."""
    rows, cols = [np.arange(n)], [np.arange(n)]
    for values, valid in keys:
        idx = np.arange(n) if valid is None else np.flatnonzero(valid)
        if len(idx) == 0:
            continue
        vals = np.asarray(values)[idx]
        order = np.argsort(vals, kind="stable")
        sorted_vals = vals[order]
        starts = np.r_[True, sorted_vals[1:] != sorted_vals[:-1]]
        first = idx[order[np.flatnonzero(starts)][np.cumsum(starts) - 1]]
        rows.append(idx[order])
        cols.append(first)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return connected_components(n, r, c)


def _quotas(sizes: np.ndarray, target: int) -> np.ndarray:
    """Largest-remainder apportionment of ``target`` across strata by size."""
    total = sizes.sum()
    if total == 0:
        return np.zeros_like(sizes)
    exact = sizes * (target / total)
    base = np.floor(exact).astype(np.int64)
    rest = target - base.sum()
    order = np.lexsort((np.arange(len(sizes)), -(exact - base)))
    base[order[:rest]] += 1
    return base


def _fill(
    order: np.ndarray,
    held: np.ndarray,
    group_stratum: np.ndarray,
    sizes: np.ndarray,
    quotas: np.ndarray,
) -> list[int]:
    """The groups validation takes: in ``order``, each group not ``held`` whose stratum
    still has room for all of it.

    Every group holds a row, so once every stratum is full no later group fits: the walk
    stops there (after about the validation fraction of the groups, not all of them), on
    Python lists rather than numpy scalars."""
    held_list, stratum_of, size_of = held.tolist(), group_stratum.tolist(), sizes.tolist()
    room = quotas.tolist()
    open_strata = sum(1 for r in room if r > 0)
    taken: list[int] = []
    for g in order.tolist():
        if not open_strata:
            break
        if held_list[g]:
            continue
        s = stratum_of[g]
        if size_of[g] <= room[s]:
            taken.append(g)
            room[s] -= size_of[g]
            if not room[s]:
                open_strata -= 1
    return taken


def plan_split(
    content_hash: np.ndarray,
    kept: np.ndarray,
    *,
    seed: int,
    fraction: float,
    group_keys: Sequence[tuple[np.ndarray, np.ndarray | None]] = (),
    strata: np.ndarray | None = None,
    pinned: np.ndarray | None = None,
) -> SplitPlan:
    """Plan the split of the rows where ``kept`` is true.

    ``content_hash`` (one uint64 per row) orders groups reproducibly; ``group_keys`` are
    (values, valid-mask) pairs whose shared values tie rows together; ``strata`` is an
    integer stratum per row (or None for one stratum); a group with a ``pinned`` row stays
    in train (a copy of an eval item must never measure the model).
    """
    n = len(content_hash)
    assignment = np.full(n, DROPPED, dtype=np.int8)
    kept_idx = np.flatnonzero(kept)
    m = len(kept_idx)
    target = round(fraction * m) if m >= 2 else 0
    if m >= 2:
        target = min(max(target, 1), m - 1)
    if m == 0:
        return SplitPlan(assignment, 0, 0, 0)
    sub_keys = [
        (np.asarray(v)[kept_idx], None if valid is None else np.asarray(valid)[kept_idx])
        for v, valid in ((content_hash, None), *group_keys)
    ]
    labels = connected_groups(m, sub_keys)
    n_groups = int(labels.max()) + 1
    rep = np.full(n_groups, m, dtype=np.int64)
    np.minimum.at(rep, labels, np.arange(m))
    sizes = np.bincount(labels, minlength=n_groups)
    sub_strata = np.zeros(m, dtype=np.int64) if strata is None else np.asarray(strata)[kept_idx]
    _, stratum_of_row = np.unique(sub_strata, return_inverse=True)
    group_stratum = stratum_of_row[rep]
    n_strata = int(group_stratum.max()) + 1
    quotas = _quotas(np.bincount(stratum_of_row, minlength=n_strata), target)
    salt = mix64(np.array([seed % 2**64], dtype=np.uint64))
    order_key = mix64(np.asarray(content_hash, dtype=np.uint64)[kept_idx][rep] ^ salt)
    held = np.zeros(n_groups, dtype=bool)
    if pinned is not None:
        np.logical_or.at(held, labels, np.asarray(pinned, dtype=bool)[kept_idx])
    in_val = np.zeros(n_groups, dtype=bool)
    in_val[_fill(np.argsort(order_key, kind="stable"), held, group_stratum, sizes, quotas)] = True
    assignment[kept_idx] = np.where(in_val[labels], VALIDATION, TRAIN)
    multi = sizes[sizes > 1]
    details = {
        "groups_with_several_examples": len(multi),
        "examples_in_such_groups": int(multi.sum()),
        "largest_group": int(sizes.max()),
    }
    return SplitPlan(assignment, n_groups, n_strata, target, details)

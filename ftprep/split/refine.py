"""Close the gaps group keys leave: re-plan until no leak the split checks look for remains.

Near-duplicate groups come from LSH candidates verified pair by pair, which can miss a
pair (two near copies never compared directly). The split checks compare train and
validation directly, so after planning, each refiner looks for pairs that straddle the
split — identical inputs (same prompt, different answer) and near duplicates — and returns
them as an extra group key; the engine re-plans with it. A refinement is refused when it
would shrink validation below half its target (one huge group of identical prompts): the
remaining leaks are then reported by ``split.leakage_exact``/``split.leakage_near``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ftprep.features import FeatureTable
from ftprep.similarity.minhash import groups_from_pairs
from ftprep.similarity.neardup import straddling_pairs
from ftprep.split.plan import TRAIN, VALIDATION, SplitPlan

#: Re-planning rounds at most. Each round only merges groups, but a re-plan can move other
#: groups across: a preamble-heavy set (toolformer) needed 5 rounds to leave no leak.
MAX_ROUNDS = 8


def _key(n: int, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if len(pairs) == 0:
        return None
    labels = groups_from_pairs(n, pairs)
    valid = np.zeros(n, dtype=bool)
    valid[pairs.ravel()] = True
    return labels, valid


def straddling_inputs(ft: FeatureTable, plan: SplitPlan, config: Any) -> Any:
    """Pairs (train row, validation row) with the same prompt hash, as a group key: the rows
    of each hash found on both sides, consecutive in (hash, row) order.

    One stable sort of the planned rows by hash finds them (numpy 2's set operations hash
    or sort each side again: several times the cost, on the serial path after the topics)."""
    assigned = np.flatnonzero(plan.assignment >= 0)
    if len(assigned) == 0:
        return None
    keys = ft["hash_prompt"]
    r = assigned[np.argsort(keys[assigned], kind="stable")]
    k = keys[r]
    group = np.cumsum(np.r_[True, k[1:] != k[:-1]]) - 1
    in_validation = plan.assignment[r] == VALIDATION
    both = np.zeros(int(group[-1]) + 1, dtype=bool)
    both[group[in_validation]] = True
    train_side = np.zeros_like(both)
    train_side[group[~in_validation]] = True
    both &= train_side
    if not both.any():
        return None
    r = r[both[group]]
    same = keys[r][1:] == keys[r][:-1]
    return _key(ft.n, np.stack([r[:-1][same], r[1:][same]], axis=1))


def straddling_near_duplicates(ft: FeatureTable, plan: SplitPlan, config: Any) -> Any:
    """Near-duplicate pairs across the split (``split.leakage_near``'s measure), as a key."""
    if "minhash" not in ft:
        return None
    raw = config.checks.get("split.leakage_near", {}) if config is not None else {}
    if raw.get("enabled") is False:
        return None
    t = np.flatnonzero(plan.assignment == TRAIN)
    v = np.flatnonzero(plan.assignment == VALIDATION)
    pairs, _ = straddling_pairs(ft, t, v, raw.get("threshold", 0.8), raw.get("bands", 16))
    if len(pairs) == 0:
        return None
    return _key(ft.n, np.stack([t[pairs[:, 0]], v[pairs[:, 1]]], axis=1))


REFINERS = [straddling_inputs, straddling_near_duplicates]


def refine(
    ft: FeatureTable, plan: SplitPlan, config: Any, replan: Any, keys: list[Any]
) -> SplitPlan:
    """Re-plan (``replan(keys)``) with straddling pairs as extra keys until none remain."""
    rounds = 0
    for _ in range(MAX_ROUNDS):
        extra = [k for fn in REFINERS if (k := fn(ft, plan, config)) is not None]
        if not extra:
            break
        candidate = replan([*keys, *extra])
        if candidate.validation < 0.5 * plan.target_validation:
            plan.details["refinement_refused"] = True
            break
        keys, plan = [*keys, *extra], candidate
        rounds += 1
    plan.details["refinement_rounds"] = rounds
    return plan

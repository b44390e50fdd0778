"""The near duplicates across the planned split are measured once: the refinement's last
measure of the final plan is what ``split.leakage_near`` reports on (the same report as
measuring again)."""

from __future__ import annotations

import numpy as np

from ftprep.api import make_config
from ftprep.engine import analyze
from ftprep.report.build import build_report
from ftprep.similarity import minhash, neardup
from tests.test_engine_jobs import _mixed_lines


def _measured(monkeypatch) -> list[int]:
    """Count the measures of near duplicates across a split, whichever way they are read
    (hashing the two sides' rows, or the near-duplicate groups' buckets)."""
    calls: list[int] = []
    for name in ("cross_pairs_of_rows", "cross_pairs_in_buckets"):
        measure = getattr(minhash, name)

        def counted(*args, _measure=measure, **kwargs):
            calls.append(1)
            return _measure(*args, **kwargs)

        monkeypatch.setattr(neardup, name, counted)
        monkeypatch.setattr(minhash, name, counted)
    return calls


def test_leakage_near_reads_the_refinements_measure_of_the_final_plan(tmp_path, monkeypatch):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    config = make_config(None, sets=["diverse.coverage.sample_size=100"])
    calls = _measured(monkeypatch)
    memo = analyze([path], config, jobs=1)
    rounds = memo.plan.details["refinement_rounds"]
    assert len(calls) == rounds + 1  # one per plan the refinement measured, none more

    def fresh(ft, train_rows, validation_rows, threshold, bands):
        sig = ft["minhash"]
        return minhash.cross_pairs_of_rows(sig, train_rows, sig, validation_rows, threshold, bands)

    monkeypatch.setattr(neardup, "straddling_pairs", fresh)
    calls.clear()
    again = analyze([path], config, jobs=1)
    assert len(calls) == rounds + 2  # measured again by the check
    assert build_report(memo).to_json() == build_report(again).to_json()
    assert np.array_equal(memo.plan.assignment, again.plan.assignment)
    assert memo.results["split.leakage_near"].metrics == again.results["split.leakage_near"].metrics


def test_the_split_is_the_same_whether_the_buckets_were_kept_or_not(tmp_path, monkeypatch):
    """Past :data:`~ftprep.similarity.neardup.KEEP_BUCKETS` entries a row (templated data)
    the buckets are not kept and the split hashes its rows again: the same plan and report."""
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    config = make_config(None, sets=["diverse.coverage.sample_size=100"])
    calls = _measured(monkeypatch)
    kept = analyze([path], config, jobs=1)
    assert kept.features.derived.band_buckets
    monkeypatch.setattr(neardup, "KEEP_BUCKETS", 0)
    again = analyze([path], config, jobs=1)
    assert not again.features.derived.band_buckets and calls
    assert build_report(kept).to_json() == build_report(again).to_json()
    assert np.array_equal(kept.plan.assignment, again.plan.assignment)


def _straddling_by_set_operations(keys, assignment):
    """straddling_inputs as first written: the hashes on both sides by np.intersect1d."""
    from ftprep.split.plan import TRAIN, VALIDATION

    t, v = np.flatnonzero(assignment == TRAIN), np.flatnonzero(assignment == VALIDATION)
    shared = np.intersect1d(keys[t], keys[v])
    if len(shared) == 0:
        return None
    rows = np.flatnonzero(np.isin(keys, shared) & (assignment >= 0))
    r = rows[np.argsort(keys[rows], kind="stable")]
    same = keys[r][1:] == keys[r][:-1]
    return np.stack([r[:-1][same], r[1:][same]], axis=1)


class _Hashes:
    """A table with one column, ``hash_prompt``."""

    def __init__(self, keys: np.ndarray) -> None:
        self.n, self.keys = len(keys), keys

    def __getitem__(self, name: str) -> np.ndarray:
        return self.keys


def test_straddling_inputs_are_the_set_operations_pairs(monkeypatch):
    """The single-sort straddling inputs give the pairs the set operations gave."""
    from ftprep.split import refine
    from ftprep.split.plan import SplitPlan

    monkeypatch.setattr(refine, "_key", lambda n, pairs: pairs)  # the pairs themselves
    rng = np.random.default_rng(4)
    for n, distinct in ((0, 1), (1, 1), (50, 5), (400, 300), (2_000, 40), (2_000, 5_000)):
        keys = rng.integers(0, distinct, n).astype(np.uint64) * np.uint64(2**40 + 3)
        assignment = rng.choice(np.array([-1, 0, 1], dtype=np.int8), n, p=[0.1, 0.7, 0.2])
        got = refine.straddling_inputs(_Hashes(keys), SplitPlan(assignment, 0, 0, 0), None)
        want = _straddling_by_set_operations(keys, assignment)
        if want is None:
            assert got is None
        else:
            assert got.dtype == want.dtype and np.array_equal(got, want) and len(got)

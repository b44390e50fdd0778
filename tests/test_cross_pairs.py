"""Train/validation near-duplicate pairs from row indexes equal the pairs of copied rows.

:func:`cross_pairs_of_rows` exists to save memory (no copies of the two sides' signatures,
band hashes a chunk at a time, cross pairs filtered band by band); it must find exactly
what pairing the concatenated copies and keeping the cross pairs found.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep.similarity.minhash as minhash
from ftprep.similarity.minhash import EMPTY, cross_pairs_of_rows, near_duplicate_pairs


def _reference(sig_a, sig_b, threshold, bands):
    """The former cross_pairs: all pairs of the concatenation, then the cross ones."""
    both = np.concatenate([sig_a, sig_b])
    pairs, sims = near_duplicate_pairs(both, threshold, bands)
    na = len(sig_a)
    cross = (pairs[:, 0] < na) & (pairs[:, 1] >= na)
    out = pairs[cross]
    out[:, 1] -= na
    return out, sims[cross]


def _signatures(seed: int, n: int) -> np.ndarray:
    """Signatures with families of near copies, exact copies and empty rows."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 60000, size=(max(n // 4, 1), 128), dtype=np.uint16)
    sig = base[rng.integers(0, len(base), size=n)].copy()
    noise = rng.random(sig.shape) < rng.choice([0.02, 0.1, 0.3])
    sig[noise] = rng.integers(0, 60000, size=int(noise.sum()), dtype=np.uint16)
    sig[rng.random(n) < 0.05] = EMPTY
    return sig


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    threshold=st.sampled_from([0.5, 0.8, 0.95]),
    bands=st.sampled_from([8, 16, 32]),
    chunk=st.sampled_from([1, 7, 65536]),
)
def test_rows_version_equals_copies(seed, n, threshold, bands, chunk):
    sig = _signatures(seed, n)
    rng = np.random.default_rng(seed + 1)
    rows = rng.permutation(n)
    cut = int(rng.integers(0, n + 1)) if n else 0
    rows_a, rows_b = np.sort(rows[:cut]), np.sort(rows[cut:])
    saved = minhash.ROW_CHUNK
    minhash.ROW_CHUNK = chunk
    try:
        pairs, sims = cross_pairs_of_rows(sig, rows_a, sig, rows_b, threshold, bands)
    finally:
        minhash.ROW_CHUNK = saved
    ref_pairs, ref_sims = _reference(sig[rows_a], sig[rows_b], threshold, bands)
    assert pairs.dtype == ref_pairs.dtype and pairs.shape == ref_pairs.shape
    assert np.array_equal(pairs, ref_pairs)
    assert np.array_equal(sims, ref_sims)


def test_finds_the_planted_copies_across_two_tables():
    sig_t = _signatures(3, 200)
    sig_v = sig_t[[5, 17, 42]].copy()  # exact copies of three training rows
    pairs, sims = cross_pairs_of_rows(sig_t, np.arange(200), sig_v, np.arange(3), 0.8, 16)
    found = {(int(a), int(b)) for a, b in pairs}
    assert {(5, 0), (17, 1), (42, 2)} <= found
    assert (sims <= 1.0).all() and (sims >= 0.8).all()


def test_pairs_read_from_the_buckets_are_the_pairs_of_hashing_the_rows() -> None:
    """The split's measure reads the near-duplicate groups' buckets: the same pairs, in the
    same order, with the same similarities, as hashing and sorting the two sides' rows, for
    any two ascending, disjoint row sets (rows of neither side left out); rows not ascending
    or shared by both sides are refused (the caller then hashes them)."""
    from ftprep.similarity.minhash import BandBuckets, cross_pairs_in_buckets

    rng = np.random.default_rng(7)
    base = rng.integers(0, 4000, size=(60, 128), dtype=np.uint16)
    sig = base[rng.integers(0, 60, size=900)].copy()
    edits = rng.random(sig.shape) < 0.08
    sig[edits] = rng.integers(0, 4000, size=int(edits.sum()), dtype=np.uint16)
    sig[::37] = EMPTY
    for bands in (16, 32):
        buckets = BandBuckets()
        near_duplicate_pairs(sig, 0.5, bands, buckets)
        for seed in range(4):
            side = np.random.default_rng(seed).integers(-1, 2, size=len(sig))
            rows_a, rows_b = np.flatnonzero(side == 0), np.flatnonzero(side == 1)
            for threshold in (0.0, 0.5, 0.8):
                want = cross_pairs_of_rows(sig, rows_a, sig, rows_b, threshold, bands)
                got = cross_pairs_in_buckets(buckets, sig, rows_a, rows_b, threshold)
                assert got is not None and len(want[0]) > 0
                assert np.array_equal(want[0], got[0]) and want[0].dtype == got[0].dtype
                assert np.array_equal(want[1], got[1])
        assert cross_pairs_in_buckets(buckets, sig, np.array([3, 1]), np.array([5]), 0.5) is None
        assert cross_pairs_in_buckets(buckets, sig, np.array([1, 3]), np.array([3]), 0.5) is None

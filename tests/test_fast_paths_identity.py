"""The fast paths of the dataset checks give the results of the plain formulas they
replaced: signature similarity, the sorted de-duplication of candidate-pair codes and the
TF-IDF term counts (so speeding them up never changes a finding or a topic)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from ftprep.similarity.minhash import EMPTY, pair_similarity, similarity, sorted_unique
from ftprep.similarity.scripts import TopicAnalyzer
from ftprep.similarity.tfidf import _counts, fit_transform

REAL = Path(__file__).resolve().parent / "data" / "real"


def _plain_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both_empty = (a == EMPTY) & (b == EMPTY)
    match = (a == b) & ~both_empty
    informative = a.shape[-1] - both_empty.sum(axis=-1)
    return np.where(informative > 0, match.sum(axis=-1) / np.maximum(informative, 1), 0.0)


@pytest.mark.parametrize("bins", [32, 64, 128, 20, 256])
def test_similarity_matches_the_plain_formula_bit_for_bit(bins: int) -> None:
    """Widths counted eight bins at a time (32, 64, 128) and the others (plain count)."""
    rng = np.random.default_rng(7)
    sig = rng.integers(0, 4, (2_000, bins)).astype(np.uint16)
    sig[sig == 3] = EMPTY
    sig[:50] = EMPTY  # rows with no shingle at all
    pairs = rng.integers(0, len(sig), (20_000, 2))
    fast = pair_similarity(sig, pairs)
    plain = _plain_similarity(sig[pairs[:, 0]], sig[pairs[:, 1]])
    assert fast.tobytes() == plain.tobytes()
    assert similarity(sig[0], sig[0]) == 0.0


def test_sorted_unique_is_np_unique() -> None:
    rng = np.random.default_rng(3)
    for values in (
        np.zeros(0, dtype=np.int64),
        np.array([5], dtype=np.int64),
        rng.integers(0, 1_000, 50_000),
        rng.integers(-(2**62), 2**62, 10_000),
    ):
        got = sorted_unique(values)
        assert got.dtype == values.dtype
        assert np.array_equal(got, np.unique(values))


def _plain_counts(bags: list[Counter[str]], index: dict[str, int]) -> sparse.csr_matrix:
    indptr, cols, vals = [0], [], []
    for bag in bags:
        row = sorted((index[t], c) for t, c in bag.items() if t in index)
        cols.extend(j for j, _ in row)
        vals.extend(c for _, c in row)
        indptr.append(len(cols))
    return sparse.csr_matrix(
        (np.array(vals, np.float32), np.array(cols, np.int32), np.array(indptr, np.int64)),
        shape=(len(bags), len(index)),
    )


def test_tfidf_counts_match_the_plain_loop_on_real_text() -> None:
    lines = (REAL / "stanford_alpaca_5000.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    texts = [r["instruction"] + " " + r["input"] for r in rows[:2_000]] + ["", "中文测试 hello"]
    analyzer = TopicAnalyzer()
    fitted = fit_transform(texts, analyzer, min_df=2, max_features=30)
    assert fitted is not None
    vocab, _ = fitted
    bags = [Counter(analyzer(t)) for t in texts]
    fast, plain = _counts(bags, vocab.index), _plain_counts(bags, vocab.index)
    for part in ("data", "indices", "indptr"):
        assert getattr(fast, part).dtype == getattr(plain, part).dtype
        assert np.array_equal(getattr(fast, part), getattr(plain, part))
    assert len(vocab.terms) == 30  # the max_features cut ran


def test_bucket_pairs_are_np_unique_rows() -> None:
    """Chained LSH pairs de-duplicated through int64 codes: np.unique(..., axis=0)'s rows."""
    from ftprep.similarity.minhash import _bucket_pairs, band_hashes, mix64

    rng = np.random.default_rng(11)
    sig = rng.integers(0, 3, (3_000, 128)).astype(np.uint16)  # few values: big buckets
    rows = np.sort(rng.choice(10_000, len(sig), replace=False))
    bh = band_hashes(sig, 16)
    plain = np.zeros((len(sig), 16), dtype=np.uint64)
    for r in range(8):  # band_hashes' formula, with a new array per step
        plain = mix64(plain ^ sig[:, r:128:8][:, :16].astype(np.uint64))
    assert np.array_equal(bh, plain)
    for split_at in (None, int(rows[1_500]), int(rows[-1]) + 1):
        got = _bucket_pairs(bh, rows, split_at)
        expected = []
        for b in range(16):
            order = np.argsort(bh[:, b], kind="stable")
            same = np.flatnonzero(bh[order[1:], b] == bh[order[:-1], b])
            band = np.sort(rows[np.stack([order[same], order[same + 1]], axis=1)], axis=1)
            if split_at is not None:
                band = band[(band[:, 0] < split_at) & (band[:, 1] >= split_at)]
            expected.append(band)
        want = np.unique(np.concatenate(expected), axis=0).reshape(-1, 2)
        assert got.dtype == np.int64 and np.array_equal(got, want)

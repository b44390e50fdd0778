"""The shortcuts taken for speed in distinct-n and k-means give exactly the old values."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ftprep.similarity.diversity import distinct_n, distinct_ns
from ftprep.similarity.kmeans import _means, nearest, sq_distances
from ftprep.similarity.scripts import units


def _distinct_reference(texts: list[str], n: int) -> float | None:
    seen: set[str] = set()
    total = 0
    for text in texts:
        tokens = units(text)
        grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return round(len(seen) / total, 4) if total else None


def test_distinct_ns_matches_one_n_at_a_time() -> None:
    texts = [
        "The cat sat on the mat. The cat sat!",
        "the dog sat",
        "",
        "x",
        "日本語のテキストです and some English words",
        "中文",
    ]
    both = distinct_ns(texts, (1, 2, 3))
    for n in (1, 2, 3):
        assert both[n] == distinct_n(texts, n) == _distinct_reference(texts, n)
    assert distinct_ns([], (1, 2)) == {1: None, 2: None}
    assert distinct_ns(["one"], (1, 2)) == {1: 1.0, 2: None}


def test_means_equal_the_indicator_product_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        n, d, k = int(rng.integers(1, 800)), int(rng.integers(1, 40)), int(rng.integers(1, 25))
        x = rng.standard_normal((n, d))
        x[rng.random((n, d)) < 0.2] = -0.0
        labels = rng.integers(0, k, n)
        indicator = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
        sums, counts = _means(x, labels, k)
        assert sums.tobytes() == np.asarray(indicator @ x).tobytes()
        assert counts.tolist() == np.bincount(labels, minlength=k).tolist()


def test_precomputed_norms_give_the_same_distances() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 16))
    picks = np.array([4, 17, 250])
    norms = (x * x).sum(axis=1)
    assert sq_distances(x[picks], x, norms).tobytes() == sq_distances(x[picks], x).tobytes()


def test_distances_with_a_scaled_operand_are_the_plain_formula() -> None:
    """sq_distances and nearest multiply by -2 before the product (the smaller operand):
    the numbers of ``|x|^2 - 2 x.c + |c|^2`` and ``|c|^2 - 2 x.c``, bit for bit, on
    float32 rows as the topic vectors are, and on float64 ones."""
    rng = np.random.default_rng(9)
    for dtype in (np.float32, np.float64):
        for n, k in ((4_000, 30), (5, 4_000), (300, 300), (1, 1)):
            x = rng.standard_normal((n, 64)).astype(dtype)
            c = rng.standard_normal((k, 64)).astype(dtype)
            x64, c64 = x.astype(np.float64), c.astype(np.float64)
            xx, cc = (x64 * x64).sum(axis=1), (c64 * c64).sum(axis=1)
            plain = np.maximum(xx[:, None] - 2 * (x64 @ c64.T) + cc[None, :], 0.0)
            assert sq_distances(x, c).tobytes() == plain.tobytes()
            scores = cc[None, :] - 2 * (x64 @ c64.T)
            assert nearest(x, c).tolist() == np.argmin(scores, axis=1).tolist()

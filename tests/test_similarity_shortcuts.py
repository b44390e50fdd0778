"""The shortcuts taken for speed in distinct-n and k-means give exactly the old values."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ftprep.similarity.diversity import distinct_n, distinct_ns
from ftprep.similarity.kmeans import _means, sq_distances
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

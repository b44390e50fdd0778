"""The shortcuts taken for speed in distinct-n and k-means give exactly the old values."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ftprep.similarity.diversity import distinct_n, distinct_ns
from ftprep.similarity.embed import distinct_rows
from ftprep.similarity.kmeans import _means, distances, nearest, refine, silhouette, sq_distances
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


def test_distinct_rows_counts_as_numpys_unique_up_to_enough() -> None:
    """Rows equal as numbers are one (``-0.0`` and ``0.0`` too), a row holding NaN is
    distinct from every other, and the count stops at ``enough``."""
    rng = np.random.default_rng(11)
    for _ in range(60):
        n, d = int(rng.integers(0, 300)), int(rng.integers(1, 6))
        x = rng.integers(-1, 2, (n, d)).astype(np.float32) * np.float32(0.5)
        x[rng.random((n, d)) < 0.2] = -0.0
        if n and rng.random() < 0.3:
            x[rng.integers(0, n, 3), rng.integers(0, d, 3)] = np.nan
        full = len(np.unique(x, axis=0)) if n else 0
        for enough in (1, 2, 7, 31, 1_000):
            assert distinct_rows(x, enough) == min(enough, full), (n, d, enough)


def test_refined_labels_are_the_nearest_centres_and_distances_score_alike() -> None:
    """refine's labels are nearest() of its centres (whether its iterations converged or
    ran out), and the Fortran-ordered distances give the silhouette of C-ordered ones, bit
    for bit."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((1_500, 16)).astype(np.float32)
    for k, max_iter in ((2, 30), (7, 30), (25, 2), (25, 0)):
        start = x[rng.choice(len(x), k, replace=False)]
        centers, labels = refine(x, start, max_iter=max_iter)
        assert labels.tolist() == nearest(x, centers).tolist()
    dist = distances(x[:400])
    assert dist.flags.f_contiguous and np.all(np.diag(dist) == 0)
    plain = np.sqrt(sq_distances(x[:400], x[:400]))
    np.fill_diagonal(plain, 0.0)
    assert dist.tobytes(order="C") == plain.tobytes()
    for k in (2, 5, 17):
        labels = rng.integers(0, k, 400)
        assert silhouette(dist, labels) == silhouette(plain, labels)

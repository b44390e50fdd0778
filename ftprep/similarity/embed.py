"""Embed user inputs and cluster them into topics, offline, bounded, in numpy.

Embedding: TF-IDF over words (English stop words removed, sublinear term frequency; character
bigrams for scripts written without spaces, see :mod:`~ftprep.similarity.scripts`), reduced
with truncated SVD (latent semantic analysis) and L2-normalised, so Euclidean k-means on the
vectors behaves like cosine clustering. No model download, a few seconds on 20,000 texts.

Clustering: k-means for a few candidate k between 2 and ``max_clusters`` (no more than one
cluster per ``min_cluster_size`` texts), keeping the k with the best silhouette on a fixed
subsample: k is chosen from the data, not fixed. Each cluster is named by the three terms
with the highest mean TF-IDF weight among its members.

The pieces (:mod:`~ftprep.similarity.tfidf`, :mod:`~ftprep.similarity.kmeans`) are numpy and
scipy.sparse, not scikit-learn: importing scikit-learn alone took longer than checking a
1,000-example file. Everything is deterministic: fixed seeds, inputs in row order, ties
broken by term or index. Callers bound the cost by passing a sample (see :mod:`textsample`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ftprep.forked_map import forked_map
from ftprep.similarity.kmeans import (
    distances,
    kmeans,
    nearest,
    refine,
    silhouette,
    truncated_svd,
)
from ftprep.similarity.scripts import (
    TopicAnalyzer,
    boilerplate_lines,
    strip_lines,
)
from ftprep.similarity.stopwords import ENGLISH_STOP_WORDS
from ftprep.similarity.tfidf import Vocabulary, fit_transform, l2_dense

RANDOM_STATE = 0


@dataclass
class Embedding:
    """TF-IDF rows (L2-normalised, sparse), their dense SVD vectors and the fitted pieces."""

    tfidf: sparse.csr_matrix
    vectors: np.ndarray
    terms: np.ndarray
    vocabulary: Vocabulary
    components: np.ndarray | None  # SVD directions (k × terms); None: vectors are the rows
    boilerplate: frozenset[str] = frozenset()

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for new texts in this embedding's space (e.g. a validation file)."""
        x = self.vocabulary.transform([strip_lines(t, self.boilerplate) for t in texts])
        dense = np.asarray(x @ self.components.T) if self.components is not None else x.toarray()
        return l2_dense(dense)


def embed(
    texts: Sequence[str], *, max_features: int = 20_000, components: int = 64
) -> Embedding | None:
    """Embed ``texts``; None when they hold no words at all (nothing to measure).

    Boilerplate lines (a preamble most texts carry above their own request, see
    :func:`~ftprep.similarity.scripts.boilerplate_lines`) are set aside first: they would
    make every text look alike and name every cluster after themselves."""
    n = len(texts)
    if n == 0:
        return None
    boilerplate = boilerplate_lines(texts)
    texts = [strip_lines(t, boilerplate) for t in texts]
    # words of 2+ characters, lower-cased, stop words dropped; character bigrams for
    # Chinese, Japanese, Thai… (scikit-learn's word pattern, so Latin text is tokenised alike)
    analyzer = TopicAnalyzer(ENGLISH_STOP_WORDS)
    fitted = fit_transform(texts, analyzer, min_df=2 if n >= 50 else 1, max_features=max_features)
    if fitted is None:  # no words: only stop words, numbers of one digit, symbols
        return None
    vocabulary, tfidf = fitted
    dims = min(components, tfidf.shape[1] - 1, n - 1)
    directions = None
    if dims >= 2:
        dense, directions = truncated_svd(tfidf, dims, RANDOM_STATE)
    else:
        dense = tfidf.toarray()
    vectors = l2_dense(dense)
    return Embedding(tfidf, vectors, vocabulary.terms, vocabulary, directions, boilerplate)


@dataclass
class Clustering:
    """Cluster label per embedded text, sizes and names (label order: largest first)."""

    labels: np.ndarray
    sizes: np.ndarray
    names: list[str]
    silhouette: float | None
    candidates: list[int]
    centers: np.ndarray | None  # k-means centres, in raw label order
    relabel: np.ndarray

    @property
    def k(self) -> int:
        return len(self.sizes)

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Nearest cluster (in this clustering's label order) for new vectors."""
        if self.centers is None or len(vectors) == 0:
            return np.zeros(len(vectors), dtype=np.int64)
        return self.relabel[nearest(vectors, self.centers)]


def _candidates(n: int, max_clusters: int, min_cluster_size: int) -> list[int]:
    top = min(max_clusters, n // max(min_cluster_size, 1))
    if top < 2:
        return []
    return sorted({int(np.round(k)) for k in np.geomspace(2, top, num=min(6, top - 1))})


def distinct_rows(x: np.ndarray, enough: int) -> int:
    """How many distinct rows ``x`` holds (rows equal as numbers: ``-0.0`` is ``0.0``, a row
    holding NaN equals none), counted up to ``enough``: ``min(enough,
    len(np.unique(x, axis=0)))``.

    Read in blocks, each row's bytes (zeros signed alike) kept in a set, until ``enough``
    are found: the candidate k only need to know that there are more rows than clusters,
    and the topic sample's vectors (20,000 × 64) are told apart in their first rows, where
    ``np.unique`` sorted them all (20 ms)."""
    seen: set[object] = set()
    for start in range(0, len(x), _DISTINCT_BLOCK):
        block = x[start : start + _DISTINCT_BLOCK] + 0.0  # -0.0 + 0.0 is 0.0
        holes = set(np.flatnonzero(np.isnan(block).any(axis=1)).tolist())
        for i, row in enumerate(block):
            seen.add(object() if i in holes else row.tobytes())
        if len(seen) >= enough:
            return enough
    return len(seen)


#: Rows read at a time by :func:`distinct_rows`.
_DISTINCT_BLOCK = 64


def cluster(
    emb: Embedding,
    *,
    max_clusters: int = 30,
    min_cluster_size: int = 10,
    select_sample: int = 4_000,
    silhouette_sample: int = 2_000,
    helpers: int = 0,
    meanwhile: Callable[[], object] | None = None,
) -> Clustering:
    """Cluster the embedded texts with k chosen by silhouette among a few candidates.

    Candidates are compared on a fixed subsample of ``select_sample`` vectors (silhouette
    on ``silhouette_sample`` of them), then the chosen k's centres are refined on all
    vectors: choosing k costs the same on 4,000 texts as on 20,000. With ``helpers`` (the
    topics child of a run with jobs to spare), a forked helper scores every other
    candidate from the largest k meanwhile (:func:`~ftprep.forked_map.forked_map`): each
    is a deterministic function of the vectors, and the choice is made in the candidates'
    order as before, so the clusters are the same. ``meanwhile``: other work of the caller's
    (the topics' sample measures), done while the helper finishes its share
    (:func:`~ftprep.forked_map.forked_map`), or after the candidates without one; called
    once, whatever the clustering finds.
    """
    x = emb.vectors
    n = len(x)
    ks = _candidates(n, max_clusters, min_cluster_size)
    distinct = distinct_rows(x.round(5), max(ks, default=0) + 1)
    ks = [k for k in ks if k < distinct]
    if not ks:
        if meanwhile is not None:
            meanwhile()
        return _finish(emb, np.zeros(n, dtype=np.int64), None, None, [])
    rng = np.random.default_rng(RANDOM_STATE)
    probe = np.sort(rng.choice(n, min(n, select_sample), replace=False))
    scored = probe[: min(len(probe), silhouette_sample)]
    if len(probe) > silhouette_sample:
        scored = np.sort(rng.choice(probe, silhouette_sample, replace=False))
    dist = distances(x[scored])
    fitted, measured = x[probe], x[scored]

    def candidate(k: int) -> tuple[float, np.ndarray] | None:
        """The silhouette of ``k`` clusters and their centres (None: fewer than two)."""
        centers = kmeans(fitted, k, RANDOM_STATE)
        labels = nearest(measured, centers)
        if len(np.unique(labels)) < 2:
            return None
        return silhouette(dist, labels), centers

    # the helper's share: the largest k, the third largest, ... (a run costs about k)
    theirs = sorted(range(len(ks)), key=lambda i: -ks[i])[::2] if helpers > 0 else []
    best: tuple[float, int, np.ndarray] | None = None
    for k, found in zip(ks, forked_map(candidate, ks, theirs, meanwhile), strict=True):
        if found is None:
            continue
        score, centers = found
        if best is None or score > best[0] + 1e-9:
            best = (score, k, centers)
    if best is None:
        return _finish(emb, np.zeros(n, dtype=np.int64), None, None, ks)
    if len(probe) < n:  # refine the subsample's centres on every vector
        centers, labels = refine(x, best[2])
    else:
        centers = best[2]
        labels = nearest(x, centers)
    return _finish(emb, labels, centers, round(best[0], 4), ks)


def _finish(
    emb: Embedding,
    raw: np.ndarray,
    centers: np.ndarray | None,
    silhouette: float | None,
    candidates: list[int],
) -> Clustering:
    """Relabel clusters largest first (ties: smallest first member), drop empty ones, name."""
    raw = raw.astype(np.int64)
    k_raw = max(int(raw.max()) + 1 if len(raw) else 0, len(centers) if centers is not None else 0)
    sizes = np.bincount(raw, minlength=k_raw)
    first = np.full(k_raw, len(raw), dtype=np.int64)
    np.minimum.at(first, raw, np.arange(len(raw)))
    order = [c for c in np.lexsort((first, -sizes)) if sizes[c] > 0]
    relabel = np.zeros(max(k_raw, 1), dtype=np.int64)
    relabel[order] = np.arange(len(order))
    labels = relabel[raw] if len(raw) else raw
    new_sizes = np.bincount(labels, minlength=len(order))
    names = name_clusters(emb, labels, len(order))
    return Clustering(labels, new_sizes, names, silhouette, candidates, centers, relabel)


def name_clusters(emb: Embedding, labels: np.ndarray, k: int, top: int = 3) -> list[str]:
    """Each cluster's ``top`` terms by mean TF-IDF weight (ties: alphabetical)."""
    names = []
    members = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
        shape=(k, len(labels)),
    )
    sums = np.asarray((members @ emb.tfidf).todense())
    for c in range(k):
        weights = sums[c]
        order = np.lexsort((emb.terms, -weights))
        chosen = [str(emb.terms[i]) for i in order[:top] if weights[i] > 0]
        names.append(" / ".join(chosen) if chosen else "(no words)")
    return names

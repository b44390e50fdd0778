"""Embed user inputs and cluster them into topics, with scikit-learn, offline and bounded.

Embedding: TF-IDF over words (English stop words removed, sublinear term frequency; character
bigrams for scripts written without spaces, see :mod:`~ftprep.similarity.scripts`), reduced
with truncated SVD (latent semantic analysis) and L2-normalised, so Euclidean k-means on the
vectors behaves like cosine clustering. No model download, a few seconds on 20,000 texts.

Clustering: MiniBatchKMeans for a few candidate k between 2 and ``max_clusters`` (no more
than one cluster per ``min_cluster_size`` texts), keeping the k with the best silhouette on
a fixed subsample: k is chosen from the data, not fixed. Each cluster is named by the three
terms with the highest mean TF-IDF weight among its members.

Everything is deterministic: fixed ``random_state``, inputs in row order, ties broken by
term or index. Callers bound the cost by passing a sample (see :mod:`textsample`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ftprep.similarity.scripts import (
    TopicAnalyzer,
    any_unsegmented,
    boilerplate_lines,
    strip_lines,
)

RANDOM_STATE = 0


@dataclass
class Embedding:
    """TF-IDF rows (L2-normalised, sparse), their dense SVD vectors and the fitted models."""

    tfidf: sparse.csr_matrix
    vectors: np.ndarray
    terms: np.ndarray
    vectorizer: object
    svd: object | None
    boilerplate: frozenset[str] = frozenset()

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for new texts in this embedding's space (e.g. a validation file)."""
        from sklearn.preprocessing import normalize

        x = self.vectorizer.transform([strip_lines(t, self.boilerplate) for t in texts])  # type: ignore[attr-defined]
        dense = self.svd.transform(x) if self.svd is not None else x.toarray()  # type: ignore[attr-defined]
        return normalize(dense).astype(np.float32)


def embed(
    texts: Sequence[str], *, max_features: int = 20_000, components: int = 64
) -> Embedding | None:
    """Embed ``texts``; None when they hold no words at all (nothing to measure).

    Boilerplate lines (a preamble most texts carry above their own request, see
    :func:`~ftprep.similarity.scripts.boilerplate_lines`) are set aside first: they would
    make every text look alike and name every cluster after themselves."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    n = len(texts)
    if n == 0:
        return None
    boilerplate = boilerplate_lines(texts)
    texts = [strip_lines(t, boilerplate) for t in texts]
    common = {
        "sublinear_tf": True,
        "min_df": 2 if n >= 50 else 1,
        "max_features": max_features,
        "dtype": np.float32,
    }
    if any_unsegmented(texts):  # Chinese, Japanese, Thai…: character bigrams, not "words"
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        vectorizer = TfidfVectorizer(analyzer=TopicAnalyzer(ENGLISH_STOP_WORDS), **common)
    else:
        vectorizer = TfidfVectorizer(stop_words="english", **common)
    try:
        tfidf = vectorizer.fit_transform(list(texts)).tocsr()
    except ValueError:  # empty vocabulary: only stop words, numbers of one digit, symbols
        return None
    terms = vectorizer.get_feature_names_out()
    dims = min(components, tfidf.shape[1] - 1, n - 1)
    svd = None
    if dims >= 2:
        svd = TruncatedSVD(n_components=dims, random_state=RANDOM_STATE)
        dense = svd.fit_transform(tfidf)
    else:
        dense = tfidf.toarray()
    vectors = normalize(dense).astype(np.float32)
    return Embedding(tfidf, vectors, terms, vectorizer, svd, boilerplate)


@dataclass
class Clustering:
    """Cluster label per embedded text, sizes and names (label order: largest first)."""

    labels: np.ndarray
    sizes: np.ndarray
    names: list[str]
    silhouette: float | None
    candidates: list[int]
    model: object | None
    relabel: np.ndarray

    @property
    def k(self) -> int:
        return len(self.sizes)

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Nearest cluster (in this clustering's label order) for new vectors."""
        if self.model is None or len(vectors) == 0:
            return np.zeros(len(vectors), dtype=np.int64)
        raw = self.model.predict(vectors)  # type: ignore[attr-defined]
        return self.relabel[raw]


def _candidates(n: int, max_clusters: int, min_cluster_size: int) -> list[int]:
    top = min(max_clusters, n // max(min_cluster_size, 1))
    if top < 2:
        return []
    return sorted({int(np.round(k)) for k in np.geomspace(2, top, num=min(6, top - 1))})


def _kmeans(k: int) -> object:
    from sklearn.cluster import MiniBatchKMeans

    return MiniBatchKMeans(
        n_clusters=k,
        random_state=RANDOM_STATE,
        n_init=3,
        batch_size=4096,
        max_iter=30,
        max_no_improvement=5,
    )


def cluster(
    emb: Embedding,
    *,
    max_clusters: int = 30,
    min_cluster_size: int = 10,
    select_sample: int = 4_000,
    silhouette_sample: int = 2_000,
) -> Clustering:
    """Cluster the embedded texts with k chosen by silhouette among a few candidates.

    Candidates are compared on a fixed subsample of ``select_sample`` vectors (silhouette
    on ``silhouette_sample`` of them), then the chosen k is fitted on all vectors: choosing
    k costs the same on 2,000 texts as on 20,000.
    """
    from sklearn.metrics import silhouette_score

    x = emb.vectors
    n = len(x)
    ks = _candidates(n, max_clusters, min_cluster_size)
    distinct = len(np.unique(x.round(5), axis=0)) if n else 0
    ks = [k for k in ks if k < distinct]
    if not ks:
        return _finish(emb, np.zeros(n, dtype=np.int64), None, None, [])
    rng = np.random.RandomState(RANDOM_STATE)
    probe = np.sort(rng.choice(n, min(n, select_sample), replace=False))
    scored = probe[: min(len(probe), silhouette_sample)]
    if len(probe) > silhouette_sample:
        scored = np.sort(rng.choice(probe, silhouette_sample, replace=False))
    best: tuple[float, int, object] | None = None
    for k in ks:
        model = _kmeans(k)
        model.fit(x[probe])  # type: ignore[attr-defined]
        labels = model.predict(x[scored])  # type: ignore[attr-defined]
        if len(np.unique(labels)) < 2:
            continue
        score = float(silhouette_score(x[scored], labels))
        if best is None or score > best[0] + 1e-9:
            best = (score, k, model)
    if best is None:
        return _finish(emb, np.zeros(n, dtype=np.int64), None, None, ks)
    model = best[2]
    if len(probe) < n:
        model = _kmeans(best[1])
        model.fit(x)  # type: ignore[attr-defined]
    labels = model.predict(x)  # type: ignore[attr-defined]
    return _finish(emb, labels, model, round(best[0], 4), ks)


def _finish(
    emb: Embedding,
    raw: np.ndarray,
    model: object | None,
    silhouette: float | None,
    candidates: list[int],
) -> Clustering:
    """Relabel clusters largest first (ties: smallest first member), drop empty ones, name."""
    raw = raw.astype(np.int64)
    k_raw = int(raw.max()) + 1 if len(raw) else 0
    sizes = np.bincount(raw, minlength=k_raw)
    first = np.full(k_raw, len(raw), dtype=np.int64)
    np.minimum.at(first, raw, np.arange(len(raw)))
    order = [c for c in np.lexsort((first, -sizes)) if sizes[c] > 0]
    relabel = np.zeros(max(k_raw, 1), dtype=np.int64)
    relabel[order] = np.arange(len(order))
    labels = relabel[raw] if len(raw) else raw
    new_sizes = np.bincount(labels, minlength=len(order))
    names = name_clusters(emb, labels, len(order))
    return Clustering(labels, new_sizes, names, silhouette, candidates, model, relabel)


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

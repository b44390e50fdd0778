"""Cheap, size-robust measures of how varied a set of texts is.

- distinct-n: unique word n-grams ÷ all word n-grams (character n-grams for Chinese,
  Japanese, Thai and other scripts written without spaces). It falls as a set grows (common
  phrases repeat), so callers compare sets of a fixed size (:data:`PROBE`).
- compression ratio: compressed ÷ raw bytes of the texts joined; a fill-in-the-blanks set
  compresses far better than varied writing, because the template repeats.
- mean pairwise cosine of L2-normalised TF-IDF rows, in O(n·d) without the n × n matrix:
  (‖Σxᵢ‖² − n) / (n(n − 1)).
- cluster balance: normalised entropy −Σpₖ log pₖ / log K and the effective number of
  clusters exp(H).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence

import numpy as np
from scipy import sparse

from ftprep.similarity.scripts import units

#: How many texts the size-sensitive measures (distinct-n, compression) look at.
PROBE = 1_000


def _ngrams(tokens: list[str], n: int) -> Iterator[str]:
    if n == 1:
        return iter(tokens)
    return map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))


def distinct_ns(texts: Sequence[str], ns: Sequence[int]) -> dict[int, float | None]:
    """:func:`distinct_n` for each n in ``ns``, tokenising every text once (the tokenising
    is half the cost, and the profile asks for distinct-1 and distinct-2 of the same texts)."""
    seen: dict[int, set[str]] = {n: set() for n in ns}
    totals = dict.fromkeys(ns, 0)
    for text in texts:
        tokens = units(text)
        for n in ns:
            if len(tokens) >= n:
                totals[n] += len(tokens) - n + 1
                seen[n].update(_ngrams(tokens, n))
    return {n: round(len(seen[n]) / totals[n], 4) if totals[n] else None for n in ns}


def distinct_n(texts: Sequence[str], n: int) -> float | None:
    """Unique word n-grams ÷ total word n-grams (None when there are none); for scripts
    written without spaces, character n-grams. :func:`~ftprep.similarity.scripts.units`
    gives scikit-learn's ``CountVectorizer`` words (runs of word characters, lower-cased)
    on spaced text, so the measure is the one it gave, without importing it."""
    return distinct_ns(texts, (n,))[n]


def compression_ratio(texts: Sequence[str]) -> float | None:
    """zlib-compressed ÷ raw size of the texts joined by newlines (None when empty)."""
    raw = "\n".join(texts).encode("utf-8", "surrogatepass")
    if not raw:
        return None
    return round(len(zlib.compress(raw, 6)) / len(raw), 4)


def mean_pairwise_cosine(rows: sparse.csr_matrix) -> float | None:
    """Mean cosine similarity over all pairs of non-empty rows of an L2-normalised matrix."""
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    nonzero = rows[norms > 0]
    n = nonzero.shape[0]
    if n < 2:
        return None
    total = np.asarray(nonzero.sum(axis=0), dtype=np.float64).ravel()
    return round(float((total @ total - n) / (n * (n - 1))), 4)


def balance(sizes: np.ndarray) -> dict[str, float]:
    """Normalised entropy, effective number of clusters and the largest share."""
    sizes = np.asarray(sizes, dtype=np.float64)
    sizes = sizes[sizes > 0]
    total = sizes.sum()
    if total == 0:
        return {"entropy": 0.0, "effective": 0.0, "largest_share": 0.0}
    p = sizes / total
    h = float(-(p * np.log(p)).sum())
    k = len(p)
    return {
        "entropy": round(h / np.log(k), 4) if k > 1 else 0.0,
        "effective": round(float(np.exp(h)), 2),
        "largest_share": round(float(p.max()), 4),
    }

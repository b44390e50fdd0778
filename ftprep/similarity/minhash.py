"""Near-duplicate detection in linear time: one-permutation MinHash + LSH, in numpy.

Shingles are the 5-byte windows of the normalised UTF-8 text (robust to light edits in
short chat turns, where word 5-grams would be too few); for Chinese, Japanese, Thai and
other scripts written without spaces, 3-character windows of the code points. Each shingle
is hashed once (splitmix64) and dropped into one of ``BINS`` bins by its top bits; a bin
keeps its minimum (one-permutation hashing, Li et al. 2012). That costs O(text bytes) rather than
O(shingles × permutations) for classic MinHash, with the same Jaccard estimator: the share of
bins that agree among bins not empty in both. Values are kept as 16 bits (256 bytes per
example), so a million examples need ~256 MB.

Candidate pairs come from LSH banding (``bands`` × ``rows`` bins hashed per band; equal band
hashes collide), each candidate is verified against the threshold on the signatures, and
connected components of verified pairs are the near-duplicate groups. Cost grows linearly
with the data except within very large buckets, where pairs are chained (sorted neighbours),
not enumerated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ftprep.components import connected_components
from ftprep.similarity.scripts import has_unsegmented

BINS = 128
SHINGLE = 5
#: Shingle width, in characters, for scripts written without spaces (a Chinese word is one
#: to three characters, so three characters play the part of the 5-byte window).
CHAR_SHINGLE = 3
_CHAR_TAG = np.uint64(1 << 63)
EMPTY = np.uint16(0xFFFF)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fast, well-distributed, deterministic 64-bit hash."""
    h = (h + _M1) & np.uint64(0xFFFFFFFFFFFFFFFF)
    h = (h ^ (h >> np.uint64(30))) * _M2
    h = (h ^ (h >> np.uint64(27))) * _M3
    return h ^ (h >> np.uint64(31))


def _windows(units: list[np.ndarray], k: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(text index, packed k-unit window) for every window of every text.

    ``units`` holds each text as an array of small integers (bytes, or code points); a text
    shorter than ``k`` units is one window padded with zeros; an empty text has none.
    """
    n = len(units)
    lens = np.fromiter((len(u) for u in units), dtype=np.int64, count=n)
    nwin = np.where(lens > 0, np.maximum(lens - k + 1, 1), 0)
    total = int(nwin.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    pad = np.zeros(k - 1, dtype=np.uint64)
    parts: list[np.ndarray] = []
    for u in units:
        parts += [u.astype(np.uint64), pad]
    buf = np.concatenate(parts) if parts else pad
    starts = np.r_[0, np.cumsum(lens + k - 1)[:-1]]
    windows = np.zeros(len(buf) - k + 1, dtype=np.uint64)
    for j in range(k):
        windows = (windows << np.uint64(bits)) | buf[j : len(buf) - k + 1 + j]
    row = np.repeat(np.arange(n, dtype=np.int64), nwin)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(nwin) - nwin, nwin)
    return row, windows[np.repeat(starts, nwin) + offset]


def signatures_of_sets(owners: list[int], hashes: list[int], n: int, bins: int) -> np.ndarray:
    """One-permutation MinHash of ``n`` sets given as (owner row, element hash) pairs: an
    (n, bins) uint16 array, EMPTY where a row has no element in a bin."""
    sig = np.full(n * bins, EMPTY, dtype=np.uint16)
    if hashes:
        mixed = mix64(np.asarray(hashes, dtype=np.uint64))
        shift = np.uint64(64 - int(np.log2(bins)))
        slot = np.asarray(owners, dtype=np.int64) * bins + (mixed >> shift).astype(np.int64)
        value = (mixed & np.uint64(0xFFFF)).astype(np.uint16)
        value[value == EMPTY] = 0xFFFE
        np.minimum.at(sig, slot, value)
    return sig.reshape(n, bins)


def signatures(
    texts: Sequence[str], bins: int = BINS, k: int = SHINGLE, chars: int = CHAR_SHINGLE
) -> np.ndarray:
    """One-permutation MinHash signatures: a (len(texts), bins) uint16 array.

    Shingles are ``k``-byte windows of the UTF-8 text; for a text holding characters of a
    script written without spaces (Chinese, Japanese, Thai…), ``chars``-character windows
    of its code points instead (bytes would cut characters apart, and a 5-byte window is
    less than two Chinese characters). A text shorter than one window is one (padded)
    shingle; an empty text is all EMPTY. Each text's signature depends on its own text
    alone.
    """
    n = len(texts)
    sig = np.full(n * bins, 0xFFFF, dtype=np.uint16)
    if n == 0:
        return sig.reshape(0, bins)
    wide = [i for i, t in enumerate(texts) if not t.isascii() and has_unsegmented(t)]
    narrow = np.setdiff1d(np.arange(n), wide) if wide else np.arange(n)
    rows, values = [], []
    if len(narrow):
        r, w = _windows(
            [
                np.frombuffer(texts[int(i)].encode("utf-8", "surrogatepass"), dtype=np.uint8)
                for i in narrow
            ],
            k,
            8,
        )
        rows.append(narrow[r])
        values.append(w)
    if wide:
        r, w = _windows(
            [
                np.frombuffer(texts[i].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
                for i in wide
            ],
            chars,
            21,
        )
        rows.append(np.asarray(wide, dtype=np.int64)[r])
        values.append(w | _CHAR_TAG)  # never equal to a byte window
    row = np.concatenate(rows)
    if len(row) == 0:
        return sig.reshape(n, bins)
    h = mix64(np.concatenate(values))
    shift = np.uint64(64 - int(np.log2(bins)))
    slot = row * bins + (h >> shift).astype(np.int64)
    value = (h & np.uint64(0xFFFF)).astype(np.uint16)
    value[value == EMPTY] = 0xFFFE
    np.minimum.at(sig, slot, value)
    return sig.reshape(n, bins)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature rows ``a[i]`` and ``b[i]``."""
    both_empty = (a == EMPTY) & (b == EMPTY)
    match = (a == b) & ~both_empty
    informative = a.shape[-1] - both_empty.sum(axis=-1)
    return np.where(informative > 0, match.sum(axis=-1) / np.maximum(informative, 1), 0.0)


#: Pairs verified per step: bounds the temporaries to a few tens of MB whatever the number
#: of candidates (templated data can produce millions).
PAIR_CHUNK = 65_536


def pair_similarity(
    sig: np.ndarray, pairs: np.ndarray, other: np.ndarray | None = None
) -> np.ndarray:
    """Estimated Jaccard of ``sig[i]`` and ``(other or sig)[j]`` for each (i, j), in chunks."""
    right = sig if other is None else other
    out = np.empty(len(pairs), dtype=np.float64)
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        out[start : start + len(chunk)] = similarity(sig[chunk[:, 0]], right[chunk[:, 1]])
    return out


def band_hashes(sig: np.ndarray, bands: int) -> np.ndarray:
    """(n, bands) uint64: a hash of each band of ``BINS // bands`` consecutive bins."""
    n, width = sig.shape
    rows = width // bands
    out = np.zeros((n, bands), dtype=np.uint64)
    for r in range(rows):
        out = mix64(out ^ sig[:, r : rows * bands : rows][:, :bands].astype(np.uint64))
    return out


def candidate_pairs(sig: np.ndarray, bands: int = 16) -> np.ndarray:
    """Pairs of rows that share at least one band, as an (m, 2) int64 array (i < j).

    Rows with an all-empty signature never pair. Within a bucket, sorted neighbours are
    paired (a chain), which keeps the cost linear while preserving connectivity.
    """
    n = sig.shape[0]
    informative = np.flatnonzero((sig != EMPTY).any(axis=1))
    if len(informative) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bh = band_hashes(sig[informative], bands)
    pairs = []
    for b in range(bands):
        order = np.argsort(bh[:, b], kind="stable")
        keys = bh[order, b]
        same = np.flatnonzero(keys[1:] == keys[:-1])
        if len(same):
            pairs.append(np.stack([order[same], order[same + 1]], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    p = informative[np.concatenate(pairs)]
    p.sort(axis=1)
    return np.unique(p, axis=0) if n else p


def near_duplicate_pairs(
    sig: np.ndarray, threshold: float, bands: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Verified pairs (estimated Jaccard ≥ ``threshold``) and their similarities."""
    pairs = candidate_pairs(sig, bands)
    if len(pairs) == 0:
        return pairs, np.zeros(0)
    sims = pair_similarity(sig, pairs)
    keep = sims >= threshold
    return pairs[keep], sims[keep]


def groups_from_pairs(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label per row (singletons get their own label)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return connected_components(n, pairs[:, 0], pairs[:, 1])


def cross_pairs(
    sig_a: np.ndarray, sig_b: np.ndarray, threshold: float, bands: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Near-duplicate pairs (row in a, row in b) between two signature sets (leakage)."""
    both = np.concatenate([sig_a, sig_b])
    pairs, sims = near_duplicate_pairs(both, threshold, bands)
    na = len(sig_a)
    cross = (pairs[:, 0] < na) & (pairs[:, 1] >= na)
    out = pairs[cross]
    out[:, 1] -= na
    return out, sims[cross]

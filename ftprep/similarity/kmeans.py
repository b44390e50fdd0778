"""Truncated SVD, k-means and the silhouette, in numpy, for the topic clusters.

They replace scikit-learn's TruncatedSVD, MiniBatchKMeans and silhouette_score on the
bounded topic sample (at most 20,000 texts): importing scikit-learn costs more than a second
of start-up, while these take milliseconds to load and little longer to run on that sample.

- :func:`truncated_svd`: randomized range finder (Halko, Martinsson & Tropp 2011) with QR
  re-orthonormalisation between power iterations, on a fixed-seed Gaussian start (or a
  dense SVD when the sketch would span the whole matrix); signs fixed so that each
  component's largest entry is positive.
- :func:`kmeans`: k-means++ seeding (greedy, a few trials per centre), then Lloyd iterations
  until no label changes or a fixed cap; the best of a few seeded starts by inertia.
- :func:`silhouette`: mean silhouette coefficient with Euclidean distances.

Every step is deterministic: seeded ``numpy.random.Generator``, fixed iteration caps, ties
broken by the lowest index; callers run BLAS single-threaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse

#: Power iterations of the range finder (scikit-learn's default for few components).
POWER_ITERATIONS = 5
#: Extra random directions beyond the components asked for.
OVERSAMPLES = 10


def truncated_svd(x: sparse.csr_matrix, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``x`` projected on its top ``k`` right singular vectors, and the vectors
    (``k × columns``), so new rows project the same way (``rows @ components.T``).

    When the sketch would span all of ``x``'s columns (``k`` plus the oversamples reach the
    number of terms, fewer than the texts: a narrow vocabulary), the range finder has
    nothing to approximate and its power iterations only repeat QR steps over a basis of
    the whole space (0.45 s on 20,000 texts of a 71-word vocabulary): :func:`_exact_svd`
    decomposes the matrix itself, for the same directions up to rounding, at a tenth of
    the cost. (With fewer texts than that, the sketch is as small as the matrix and costs
    next to nothing; it is kept, so that small inputs keep their clusters.)"""
    size = min(k + OVERSAMPLES, min(x.shape))
    if x.shape[1] <= size < x.shape[0]:
        return _oriented(x, _exact_svd(x, k))
    return _oriented(x, _sketched_svd(x, k, size, seed))


def _sketched_svd(x: sparse.csr_matrix, k: int, size: int, seed: int) -> np.ndarray:
    """The top ``k`` right singular vectors of ``x`` (``k × columns``), from the range of a
    ``size``-column Gaussian sketch refined by power iterations.

    Limited to one BLAS thread here whatever the caller set (the decompositions' sums then
    come out the same on every machine and run)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    q = rng.standard_normal((x.shape[1], size))
    with threadpool_limits(limits=1):
        for _ in range(POWER_ITERATIONS):
            q = _orthonormal(x @ q)
            q = _orthonormal(x.T @ q)
        q = _orthonormal(x @ q)
    b = np.asarray((x.T @ q).T)
    _u, _s, vt = np.linalg.svd(b, full_matrices=False)
    return vt[:k]


def _orthonormal(a: np.ndarray) -> np.ndarray:
    """``np.linalg.qr(a)[0]`` for a tall ``a`` (m ≥ n, float64): the same LAPACK steps of
    NumPy's own library (``geqrf``, then ``orgqr`` on its reflectors, each with the
    workspace it asks for, so the same blocking), bit for bit, on one Fortran-ordered copy.

    NumPy's ``qr`` copies the matrix in and out of Fortran order around each of the two
    steps: on the topic sample's 20,000 × 74 sketches a third of its time (66 -> 41 ms a
    decomposition, eleven of them per run). The steps are called through
    ``numpy.linalg.lapack_lite`` (its ``dgeqrf`` and ``dorgqr``; a module of NumPy's own,
    imported in a fraction of a millisecond) rather than SciPy's LAPACK: importing
    ``scipy.linalg`` cost the topics child 65-100 ms of CPU before its first
    decomposition, for the same two routines. The module is not NumPy's public API: a
    NumPy without it, or with other signatures, gets ``np.linalg.qr`` (the same bits,
    slower)."""
    steps = _lapack_steps()
    if steps is not None:
        try:
            return _lapack_qr(a, *steps)
        except TypeError:  # the routines take other arguments in this NumPy
            pass
    return np.linalg.qr(a)[0]


def _lapack_steps() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """NumPy's own ``dgeqrf`` and ``dorgqr`` (None where its ``lapack_lite`` lacks them)."""
    try:
        from numpy.linalg import lapack_lite

        return lapack_lite.dgeqrf, lapack_lite.dorgqr
    except (ImportError, AttributeError):
        return None


def _lapack_qr(a: np.ndarray, geqrf: Callable[..., Any], orgqr: Callable[..., Any]) -> np.ndarray:
    """:func:`_orthonormal` through the two LAPACK routines."""
    m, n = a.shape
    # ``a`` in Fortran order is its transpose in C order, the layout lapack_lite takes
    work = np.array(a.T, dtype=np.float64, order="C")  # ours: both steps overwrite it
    tau = np.zeros(min(m, n))
    query = np.zeros(1)
    geqrf(m, n, work, m, tau, query, -1, 0)
    space = np.zeros(max(1, int(query[0])))
    _check(geqrf(m, n, work, m, tau, space, len(space), 0)["info"], "geqrf")
    orgqr(m, n, n, work, m, tau, query, -1, 0)
    space = np.zeros(max(1, int(query[0])))
    _check(orgqr(m, n, n, work, m, tau, space, len(space), 0)["info"], "orgqr")
    return work.T


def _check(info: int, step: str) -> None:
    """Raise as NumPy does when a LAPACK step reports an illegal argument (``info < 0``)."""
    if info < 0:
        raise np.linalg.LinAlgError(f"LAPACK {step}: illegal value in argument {-info}")


def _exact_svd(x: sparse.csr_matrix, k: int) -> np.ndarray:
    """The top ``k`` right singular vectors of ``x`` (``k × columns``), from a dense SVD:
    for a matrix of at most ``k`` plus the oversamples columns, so the dense copy is that
    narrow (20,000 × 74 float64 at most, 12 MB, on the topic sample). In float64, as the
    sketch computes (a float32 TF-IDF decomposed in float32 would lose digits)."""
    _u, _s, vt = np.linalg.svd(x.toarray().astype(np.float64, copy=False), full_matrices=False)
    return vt[:k]


def _oriented(x: sparse.csr_matrix, components: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` projected on ``components`` after each is signed so that its largest entry is
    positive (a singular vector's sign is arbitrary; this makes it reproducible)."""
    k = len(components)
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(k), largest])
    components = components * signs[:, None]
    return np.asarray(x @ components.T), components


def _row_norms(x: np.ndarray) -> np.ndarray:
    """Squared length of every row (float64)."""
    x64 = x.astype(np.float64, copy=False)
    return (x64 * x64).sum(axis=1)


def _products(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """``-2 * (x @ centers.T)`` in float64, computed as the product with the smaller operand
    scaled by -2: scaling by a power of two is exact (no rounding, no subnormal values
    here), so the same numbers without a third temporary array."""
    x64 = x.astype(np.float64, copy=False)
    c64 = centers.astype(np.float64, copy=False)
    if len(x64) <= len(c64):
        return (x64 * -2.0) @ c64.T
    return x64 @ (c64 * -2.0).T


def sq_distances(
    x: np.ndarray, centers: np.ndarray, center_norms: np.ndarray | None = None
) -> np.ndarray:
    """Squared Euclidean distance of every row of ``x`` to every centre (float64):
    ``|x|² - 2 x·c + |c|²``, summed in that order.

    ``center_norms`` (:func:`_row_norms` of ``centers``) saves recomputing them when the
    same rows serve as centres again and again (k-means++ seeding)."""
    cc = _row_norms(centers) if center_norms is None else center_norms
    d = _products(x, centers)
    d += _row_norms(x)[:, None]
    d += cc[None, :]
    return np.maximum(d, 0.0, out=d)


def nearest(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre per row (ties: the lowest index).

    The rows' own squared lengths are the same for every centre, so they are left out."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    scores = _products(x, centers)
    scores += _row_norms(centers)[None, :]
    return np.argmin(scores, axis=1).astype(np.int64)


def _means(x: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the rows per label (a sparse indicator product) and the count per label.

    The indicator is built in CSR form directly (members of each label in row order, by a
    stable sort): the same matrix as from (row, column) pairs, without the conversion,
    which cost more than the product on a 1,000-text sample."""
    counts = np.bincount(labels, minlength=k)
    indptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    # a stable sort of small integers: numpy radix-sorts 8- and 16-bit keys (the same
    # order as sorting the int64 labels, several times faster)
    small = labels.astype(np.int16) if k <= np.iinfo(np.int16).max else labels
    members = np.argsort(small, kind="stable")
    indicator = sparse.csr_matrix((np.ones(len(labels)), members, indptr), shape=(k, len(labels)))
    return np.asarray(indicator @ x), counts


def _seed_centres(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++: each new centre is the best of a few distance²-weighted draws."""
    n = len(x)
    trials = 2 + int(np.log(k))
    chosen = [int(rng.integers(n))]
    norms = _row_norms(x)
    closest = sq_distances(x, x[chosen]).ravel()
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:  # fewer distinct points than centres: repeat one
            chosen.append(chosen[-1])
            continue
        cum = np.cumsum(closest)
        picks = np.searchsorted(cum, rng.random(trials) * cum[-1], side="right")
        picks = np.minimum(picks, n - 1)
        cand = np.minimum(closest[None, :], sq_distances(x[picks], x, norms).reshape(trials, n))
        best = int(np.argmin(cand.sum(axis=1)))
        chosen.append(int(picks[best]))
        closest = cand[best]
    return x[chosen].astype(np.float64)


def _lloyd(x: np.ndarray, centers: np.ndarray, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations from ``centers``; an emptied cluster keeps its old centre. The final
    centres and each row's nearest of them.

    Iterations stop when no label changes: the centres are then the ones those labels were
    found from, so the labels are returned as found rather than searched for again (a
    distance pass per run; on the 20,000 vectors of the topic sample, 4 ms a pass)."""
    labels = np.full(len(x), -1, dtype=np.int64)
    x64 = x.astype(np.float64, copy=False)
    k = len(centers)
    for _ in range(max_iter):
        new = nearest(x64, centers)
        if np.array_equal(new, labels):
            return centers, labels
        labels = new
        sums, counts = _means(x64, labels, k)
        filled = counts > 0
        centers = centers.copy()
        centers[filled] = sums[filled] / counts[filled, None]
    return centers, nearest(x64, centers)


def _inertia(x: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    """Sum of the squared distances of the rows of ``x`` to their centres (``labels``)."""
    return float(sq_distances(x, centers)[np.arange(len(x)), labels].sum())


def kmeans(x: np.ndarray, k: int, seed: int, *, starts: int = 3, max_iter: int = 30) -> np.ndarray:
    """Centres of ``k`` clusters of the rows of ``x``: the lowest-inertia of ``starts`` runs."""
    x64 = x.astype(np.float64, copy=False)  # once, not in every distance of every start
    rng = np.random.default_rng([seed, k])
    best: tuple[float, np.ndarray] | None = None
    for _ in range(starts):
        centers, labels = _lloyd(x64, _seed_centres(x64, k, rng), max_iter)
        inertia = _inertia(x64, centers, labels)
        if best is None or inertia < best[0] - 1e-12:
            best = (inertia, centers)
    assert best is not None
    return best[1]


def refine(x: np.ndarray, init: np.ndarray, *, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations on the rows of ``x`` from given centres (e.g. ones fitted on a
    subsample): the centres, and each row's nearest of them (what :func:`nearest` gives
    for them, found by the last iteration)."""
    return _lloyd(x.astype(np.float64, copy=False), init.astype(np.float64), max_iter)


def distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows of ``x`` (zero diagonal), for :func:`silhouette`:
    the candidate k are scored on the same rows, so this is computed once for all of them.

    Laid out in Fortran order: :func:`silhouette`'s product with a sparse matrix on its
    right is computed by SciPy on the transpose, which is then C-ordered as it needs, not
    copied (2,000 × 2,000, 32 MB, for every candidate k)."""
    squares = sq_distances(x, x)
    dist = np.sqrt(squares, out=np.empty_like(squares, order="F"))
    np.fill_diagonal(dist, 0.0)
    return dist


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient given the rows' :func:`distances`; members of one-member
    clusters count 0 (scikit-learn's ``silhouette_score`` convention)."""
    n = len(labels)
    k = int(labels.max()) + 1
    indicator = sparse.csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, k))
    sums = np.asarray(dist @ indicator)  # distance sum from each row to each cluster
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    own = sizes[labels]
    rows = np.arange(n)
    a = sums[rows, labels] / np.maximum(own - 1, 1)
    other = np.where(sizes[None, :] > 0, sums / np.maximum(sizes, 1)[None, :], np.inf)
    other[rows, labels] = np.inf
    b = other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.where((own > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0.0)
    return float(s.mean())

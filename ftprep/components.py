"""Connected components of an undirected graph given as edge arrays, in numpy.

Near-duplicate groups and the split's groups are the components of a graph of pairs. This
replaces ``scipy.sparse.csgraph.connected_components``, whose import (it pulls
scipy.sparse.linalg and scipy.linalg) took longer than grouping a small file, and labels
the same way: components are numbered in the order of their smallest row.

Vectorised union-find: each round hooks the larger root of every edge under the smaller
one, then compresses paths by pointer jumping. A parent is never larger than its row, so
each component's root ends up being its smallest row.
"""

from __future__ import annotations

import numpy as np


def connected_components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label per row 0..n-1 for the edges ``a[i]``–``b[i]`` (int64 labels,
    numbered by each component's smallest row; rows without edges are their own)."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while len(a):
        pa, pb = parent[a], parent[b]
        differ = pa != pb
        if not differ.any():
            break
        lo, hi = np.minimum(pa[differ], pb[differ]), np.maximum(pa[differ], pb[differ])
        np.minimum.at(parent, hi, lo)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
        a, b = a[differ], b[differ]  # edges already inside one component stay so
    roots = np.flatnonzero(parent == np.arange(n))
    return np.searchsorted(roots, parent).astype(np.int64)

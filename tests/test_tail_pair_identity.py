"""The dataset-phase shortcuts give what the plain computations give.

:func:`~ftprep.similarity.minhash.band_hashes` mixes a block of rows at a time, and
:func:`~ftprep.similarity.minhash.similarity_in_rows` measures sketches inside whole payload
rows; both must give exactly the values (and hence the pairs) of the computations they
replace, on signatures with empty bins, all-equal band keys (one template) and all-distinct
ones.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean.contradictions import candidate_pairs
from ftprep.similarity.minhash import (
    EMPTY,
    _mix64_inplace,
    band_hashes,
    mix64,
    mix64_rows,
    similarity,
    similarity_in_rows,
)


def _plain_band_hashes(sig: np.ndarray, bands: int) -> np.ndarray:
    """The whole-table computation :func:`band_hashes` replaced."""
    n, width = sig.shape
    rows = width // bands
    out = np.zeros((n, bands), dtype=np.uint64)
    scratch = np.empty_like(out)
    for r in range(rows):
        out ^= sig[:, r : rows * bands : rows][:, :bands]
        _mix64_inplace(out, scratch)
    return out


def _signatures(n: int, width: int, kind: str, seed: int) -> np.ndarray:
    """``kind``: "same" (one template, a few empty bins), "distinct" (random rows), or
    "templated" (a few templates with edits and empty rows)."""
    rng = np.random.default_rng(seed)
    if kind == "same":
        sig = np.tile(rng.integers(0, 0xFFF0, width, dtype=np.uint16), (n, 1))
    elif kind == "distinct":
        sig = rng.integers(0, 0xFFFF, (n, width), dtype=np.uint16)
    else:
        templates = rng.integers(0, 0xFFF0, (3, width), dtype=np.uint16)
        sig = templates[rng.integers(0, 3, n)]
        edits = rng.random(sig.shape) < 0.1
        sig[edits] = rng.integers(0, 0xFFF0, int(edits.sum()), dtype=np.uint16)
    sig[rng.random(sig.shape) < 0.05] = EMPTY
    sig[rng.random(n) < 0.05] = EMPTY
    return sig


KINDS = st.sampled_from(["same", "distinct", "templated"])


@settings(max_examples=40, deadline=None)
@given(
    n=st.sampled_from([0, 1, 7, 2047, 2048, 2049, 4100]),
    width=st.sampled_from([32, 64, 128]),
    kind=KINDS,
    seed=st.integers(0, 10_000),
)
def test_band_hashes_by_blocks_equal_the_whole_table_computation(
    n: int, width: int, kind: str, seed: int
) -> None:
    sig = _signatures(n, width, kind, seed)
    assert np.array_equal(band_hashes(sig, 16), _plain_band_hashes(sig, 16))


@settings(max_examples=30, deadline=None)
@given(n=st.sampled_from([0, 1, 2047, 2048, 2049, 5000]), seed=st.integers(0, 10_000))
def test_mix64_rows_equals_mix64(n: int, seed: int) -> None:
    h = np.random.default_rng(seed).integers(0, 2**64 - 1, (n, 16), dtype=np.uint64)
    want = mix64(h)
    assert np.array_equal(mix64_rows(h), want)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    fields=st.sampled_from([0, 2, 4]),
    bins=st.sampled_from([8, 16, 32, 64]),
    kind=KINDS,
    seed=st.integers(0, 10_000),
)
def test_similarity_in_rows_equals_similarity_of_the_sliced_sketches(
    n: int, fields: int, bins: int, kind: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    left = _signatures(n, bins, kind, seed)
    right = _signatures(n, bins, kind, seed + 1)
    if kind == "same":
        right = left.copy()
        right[rng.random(right.shape) < 0.2] = EMPTY
    # payload rows: ``fields`` uint64 fields, then the sketch
    payload_a = np.concatenate(
        [
            rng.integers(0, 9, (n, fields)).astype(np.uint64),
            left.view(np.uint64).reshape(n, bins // 4),
        ],
        axis=1,
    )
    payload_b = np.concatenate(
        [
            rng.integers(0, 9, (n, fields)).astype(np.uint64),
            right.view(np.uint64).reshape(n, bins // 4),
        ],
        axis=1,
    )
    got = similarity_in_rows(payload_a, payload_b, 4 * fields, bins)
    assert got.dtype == np.float64
    assert np.array_equal(got, similarity(left, right))


@settings(max_examples=15, deadline=None)
@given(kind=KINDS, seed=st.integers(0, 10_000), threshold=st.sampled_from([0.3, 0.5, 0.7]))
def test_band_filtered_pairs_equal_the_candidates_filtered_at_the_end(
    kind: str, seed: int, threshold: float
) -> None:
    """The near-contradiction way (a payload of hashes and a sketch, tested band by band
    with :func:`similarity_in_rows`) keeps exactly the candidates :func:`similarity` of
    the sketches keeps."""
    rng = np.random.default_rng(seed)
    n = 1_500
    sig = _signatures(n, 64, kind, seed)
    chars = _signatures(n, 32, kind, seed + 7)
    key = rng.integers(0, 2, n).astype(np.uint64)
    sketch = chars.view(np.uint64).reshape(n, -1)
    payload = np.concatenate([key[:, None], np.zeros((n, 1), np.uint64), sketch], axis=1)

    def accept(pairs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a[:, 0] == b[:, 0]) & (similarity_in_rows(a, b, 8, 32) >= threshold)

    everything = candidate_pairs(sig, key)
    if len(everything):
        i, j = everything[:, 0], everything[:, 1]
        kept = (key[i] == key[j]) & (similarity(chars[i], chars[j]) >= threshold)
        expected = everything[kept]
    else:
        expected = everything
    got = candidate_pairs(sig, key, accept=accept, payload=payload)
    assert np.array_equal(got, expected)


class _Table:
    """The columns :func:`task_groups` reads."""

    def __init__(self, columns: dict[str, object], n: int) -> None:
        self.columns, self.n = columns, n

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> object:
        return self.columns[name]


def _plain_task_groups(ft: _Table, min_size: int, documents: bool = False) -> list:
    """The np.unique computation :func:`task_groups` replaced."""
    n = ft.n
    if n == 0:
        return []
    keep = np.arange(n)
    if not documents and "kind" in ft:
        keep = np.flatnonzero(np.asarray(ft["kind"], dtype=object) != "text")
        if len(keep) == 0:
            return []
    keys = ft["system_hash"] if "system_hash" in ft else np.zeros(n, dtype=np.uint64)
    _, inverse, counts = np.unique(keys[keep], return_inverse=True, return_counts=True)  # type: ignore[index]
    big = counts >= min_size
    rest = keep[np.flatnonzero(~big[inverse])]
    order = np.argsort(inverse, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    out = []
    for g in np.flatnonzero(big):
        rows = np.sort(keep[order[bounds[g] : bounds[g + 1]]])
        out.append((rows, rows))
    if len(rest):
        out.append((rest, rest if len(rest) >= min_size else keep))
    return out


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 400),
    prompts=st.integers(1, 12),
    min_size=st.integers(1, 60),
    documents=st.booleans(),
    texts=st.floats(0, 1),
    with_hash=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_task_groups_are_the_groups_np_unique_gave(
    n: int,
    prompts: int,
    min_size: int,
    documents: bool,
    texts: float,
    with_hash: bool,
    seed: int,
) -> None:
    from ftprep.checks.dataset import task_groups

    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {
        "kind": ["text" if x else "chat" for x in rng.random(n) < texts],
    }
    if with_hash:
        columns["system_hash"] = rng.integers(0, 2**63, prompts, dtype=np.uint64)[
            rng.integers(0, prompts, n)
        ]
    ft = _Table(columns, n)
    got = list(task_groups(ft, min_size, documents))  # type: ignore[arg-type]
    want = _plain_task_groups(ft, min_size, documents)
    assert len(got) == len(want)
    for (rows, ref), (want_rows, want_ref) in zip(got, want, strict=True):
        assert np.array_equal(rows, want_rows) and rows.dtype == want_rows.dtype
        assert np.array_equal(ref, want_ref) and ref.dtype == want_ref.dtype

"""Near-contradiction candidates verified band by band give the pairs verified at the end."""

from __future__ import annotations

import numpy as np

from ftprep.checks.clean.contradictions import candidate_pairs


def _templated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of a few templates with small edits: big LSH buckets, many candidates."""
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, 0xFFF0, (5, 64), dtype=np.uint16)
    sig = templates[rng.integers(0, 5, n)].copy()
    edits = rng.random(sig.shape) < 0.15
    sig[edits] = rng.integers(0, 0xFFF0, int(edits.sum()), dtype=np.uint16)
    sig[rng.random(n) < 0.05] = 0xFFFF  # empty rows never pair
    return sig, rng.integers(0, 3, n).astype(np.uint64)


def test_filtering_each_band_keeps_exactly_the_pairs_filtering_all_would() -> None:
    for seed in range(3):
        sig, key = _templated(2_000, seed)
        offered: list[int] = []

        def accept(
            pairs: np.ndarray, left: np.ndarray, right: np.ndarray, offered: list[int] = offered
        ) -> np.ndarray:
            offered.append(len(pairs))
            return (left == right).mean(axis=1) >= 0.8

        everything = candidate_pairs(sig, key)
        assert len(everything) > 1_000
        expected = everything[accept(everything, sig[everything[:, 0]], sig[everything[:, 1]])]
        offered.clear()
        banded = candidate_pairs(sig, key, accept=accept)
        assert np.array_equal(banded, expected)
        assert (banded[:, 0] < banded[:, 1]).all()
        assert max(offered) < len(everything)  # never all candidates at once


def test_the_payload_rows_handed_to_accept_are_the_pairs_rows() -> None:
    """Dense buckets (templated rows: every neighbour tested on contiguous slices) and
    sparse ones (distinct rows: candidates gathered) give the filtered candidates."""
    rng = np.random.default_rng(5)
    templated, key = _templated(3_000, 1)
    distinct = rng.integers(0, 0xFFF0, (3_000, 64), dtype=np.uint16)
    distinct[1::7] = distinct[::7][: len(distinct[1::7])]  # a few exact pairs
    for sig in (templated, distinct):
        payload = np.stack([np.arange(len(sig)), rng.integers(0, 4, len(sig))], axis=1)
        seen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        def accept(
            pairs: np.ndarray, left: np.ndarray, right: np.ndarray, seen: list = seen
        ) -> np.ndarray:
            seen.append((pairs, left, right))
            return left[:, 1] == right[:, 1]  # symmetric, a function of the pair alone

        everything = candidate_pairs(sig, key)
        assert len(everything)
        kept = payload[everything[:, 0], 1] == payload[everything[:, 1], 1]
        got = candidate_pairs(sig, key, accept=accept, payload=payload)
        assert np.array_equal(got, everything[kept])
        for pairs, left, right in seen:  # each side's rows are its row's payload
            assert np.array_equal(left[:, 0], pairs[:, 0])
            assert np.array_equal(right[:, 0], pairs[:, 1])

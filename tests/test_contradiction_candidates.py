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
            pairs: np.ndarray, sig: np.ndarray = sig, offered: list[int] = offered
        ) -> np.ndarray:
            offered.append(len(pairs))
            same = (sig[pairs[:, 0]] == sig[pairs[:, 1]]).mean(axis=1)
            return same >= 0.8

        everything = candidate_pairs(sig, key)
        assert len(everything) > 1_000
        expected = everything[accept(everything)]
        offered.clear()
        banded = candidate_pairs(sig, key, accept=accept)
        assert np.array_equal(banded, expected)
        assert (banded[:, 0] < banded[:, 1]).all()
        assert max(offered) < len(everything)  # never all candidates at once

"""Paired bootstrap: a 95% interval for every score and for every difference between models.

"Did finetuning help?" is a question about the noise of a small validation set: 0.82 vs
0.79 on 120 examples may be luck. Every model is scored on the *same* resamples of the
validation examples (a paired bootstrap, as in Koehn 2004 and the evaluation practice of
sacrebleu's ``--paired-bs``), so the interval of a difference accounts for the examples both
models find easy or hard. Percentile intervals; a difference is called real only when its
whole interval lies on one side of zero.

Resamples are drawn from a seeded generator in fixed-size chunks, so the figures depend only
on the data, the seed and the number of resamples — never on memory or timing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ftprep.evaluation.scoring import Scored

#: Resamples drawn per chunk (bounds memory at chunk × examples indexes).
CHUNK = 100
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap percentile interval."""

    value: float
    low: float
    high: float


def _resamples(n: int, count: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        yield rng.integers(0, n, size=(size, n), dtype=np.int64)
        done += size


def _interval(point: float, samples: np.ndarray) -> Interval:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Interval(round(point, 4), round(float(low), 4), round(float(high), 4))


def bootstrap(
    scored: Sequence[Scored], *, resamples: int, seed: int
) -> tuple[list[Interval], list[np.ndarray]]:
    """Intervals of each model's score, and each model's resampled scores (for the paired
    differences), all on the same resamples."""
    n = len(scored[0].per_example()) if scored else 0
    samples = [np.empty(resamples) for _ in scored]
    if n == 0:
        return [Interval(0.0, 0.0, 0.0) for _ in scored], samples
    at = 0
    for block in _resamples(n, resamples, seed):
        for s, out in zip(scored, samples, strict=True):
            if s.values is not None:
                out[at : at + len(block)] = s.values[block].mean(axis=1)
            else:
                out[at : at + len(block)] = [s.score(rows) for rows in block]
        at += len(block)
    return [_interval(s.score(), out) for s, out in zip(scored, samples, strict=True)], samples


def difference(
    a: Scored, b: Scored, a_samples: np.ndarray, b_samples: np.ndarray
) -> tuple[Interval, str]:
    """Interval of ``b − a`` on the shared resamples and a verdict: ``better`` (b beats a
    beyond the noise), ``worse``, or ``within noise``."""
    diff = _interval(b.score() - a.score(), b_samples - a_samples)
    if diff.low > 0:
        return diff, "better"
    if diff.high < 0:
        return diff, "worse"
    return diff, "within noise"


__all__ = ["Interval", "bootstrap", "difference"]

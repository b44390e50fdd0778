"""Which fingerprinted item parts a training example reproduces, and how much of each.

An example reproduces a part when it contains at least ``min_share`` of the part's long
(13-word) windows, or at least ``min_short_share`` of its 5-word windows (a lightly edited
copy: each edit breaks the long windows around it but only a few short ones), or, for a
part stored whole, has a turn that is that text. Shares are of the *item part* — not of the
example — which is what finds an item embedded in a longer prompt, and what keeps a common
phrase from making a whole item look copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ftprep.contamination.fingerprint import SHORT_N, Fingerprint
from ftprep.contamination.ngrams import batch_grams

#: Share of an item part's 13-word windows an example must contain.
DEFAULT_MIN_SHARE = 0.2
#: Share of an item part's 5-word windows an example must contain (edited copies).
DEFAULT_MIN_SHORT_SHARE = 0.5


@dataclass(frozen=True)
class Hit:
    """A part an example reproduces: its index and the shares of its long and short
    windows found in the example."""

    part: int
    share: float
    short_share: float


def find_batch(
    fp: Fingerprint,
    texts: Sequence[Sequence[str]],
    min_share: float = DEFAULT_MIN_SHARE,
    min_short_share: float = DEFAULT_MIN_SHORT_SHARE,
) -> list[list[Hit]]:
    """The parts each example (a list of turns) reproduces, best first; one vectorised pass."""
    out: list[list[Hit]] = [[] for _ in texts]
    if len(fp.hashes) == 0 or not texts:
        return out
    gate = (SHORT_N, fp.may_hold) if fp.short_gated else None
    grams, example = batch_grams(texts, fp.window_sizes, fp.whole_below, gate)
    hit = fp.may_hold(grams)
    grams, example = grams[hit], example[hit]
    pos = np.searchsorted(fp.hashes, grams, "left")
    inside = pos < len(fp.hashes)
    found = np.zeros(len(grams), dtype=bool)
    found[inside] = fp.hashes[pos[inside]] == grams[inside]
    if not found.any():
        return out
    # distinct (example, hash) pairs, then every (part, layer) owning each hash
    pairs = np.unique(np.stack([example[found].astype(np.uint64), grams[found]]), axis=1)
    ex, g = pairs[0].astype(np.int64), pairs[1]
    left = np.searchsorted(fp.hashes, g, "left")
    count = np.searchsorted(fp.hashes, g, "right") - left
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    at = np.repeat(left, count) + offsets
    parts_n = len(fp.parts)
    keys = (np.repeat(ex, count) * parts_n + fp.owners[at]) * 2 + fp.layers[at]
    keys, matched = np.unique(keys, return_counts=True)
    layer, rest = keys % 2, keys // 2
    rows, parts = rest // parts_n, rest % parts_n
    share = matched / np.maximum(fp.totals[parts, layer], 1)
    best: dict[tuple[int, int], list[float]] = {}
    for r, p, lay, s in zip(rows.tolist(), parts.tolist(), layer.tolist(), share.tolist(),
                            strict=True):  # fmt: skip
        best.setdefault((r, p), [0.0, 0.0])[lay] = round(s, 4)
    for (r, p), (long, short) in best.items():
        if long >= min_share or short >= min_short_share:
            out[r].append(Hit(p, long, short))
    return [sorted(h, key=lambda x: (-x.share, -x.short_share, x.part)) for h in out]


def find(
    fp: Fingerprint,
    texts: Iterable[str],
    min_share: float = DEFAULT_MIN_SHARE,
    min_short_share: float = DEFAULT_MIN_SHORT_SHARE,
) -> list[Hit]:
    """The parts one example's turns reproduce, best first."""
    return find_batch(fp, [list(texts)], min_share, min_short_share)[0]


__all__ = ["DEFAULT_MIN_SHARE", "DEFAULT_MIN_SHORT_SHARE", "Hit", "find", "find_batch"]

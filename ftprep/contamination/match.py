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
from ftprep.contamination.ngrams import turn_grams
from ftprep.similarity.batchwords import token_ids

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
    counts = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    flat = [t for turns in texts for t in turns]
    return find_turns(fp, flat, counts, min_share, min_short_share)


def find_turns(
    fp: Fingerprint,
    turns: Sequence[str],
    counts: np.ndarray,
    min_share: float = DEFAULT_MIN_SHARE,
    min_short_share: float = DEFAULT_MIN_SHORT_SHARE,
    folded: Sequence[str] | None = None,
) -> list[list[Hit]]:
    """:func:`find_batch` of examples given as one flat list of turns, ``counts[i]`` of
    them example ``i``'s, in order (``folded``: the turns as
    :func:`ftprep.similarity.normalize.normalize_text` folded them, when the batch has
    them: see :func:`turn_grams`).

    Turns repeat (a system prompt in every example): each distinct one is hashed once,
    found by its raw text (a batch's raw texts are usually hashed already: their ``str``
    hash is kept). Matching the same turn twice gives the same windows, so how finely the
    turns are told apart changes nothing but the work."""
    out: list[list[Hit]] = [[] for _ in range(len(counts))]
    if len(fp.hashes) == 0 or not len(counts):
        return out
    gate = (SHORT_N, fp.may_hold) if fp.short_gated else None
    distinct, codes = token_ids(turns)
    if folded is not None:
        # ids are given in order of first sight: a turn is its id's first where it passes
        # every id before it
        new = np.ones(len(codes), dtype=bool)
        new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
        folded = list(map(folded.__getitem__, np.flatnonzero(new).tolist()))
    grams, turn = turn_grams(distinct, fp.window_sizes, fp.whole_below, gate, fp.may_hold, folded)
    pos = np.searchsorted(fp.hashes, grams, "left")
    inside = pos < len(fp.hashes)
    found = np.zeros(len(grams), dtype=bool)
    found[inside] = fp.hashes[pos[inside]] == grams[inside]
    if not found.any():
        return out
    grams, example = _to_examples(grams[found], turn[found], codes, counts)
    # distinct (example, hash) pairs, then every (part, layer) owning each hash
    pairs = np.unique(np.stack([example.astype(np.uint64), grams]), axis=1)
    ex, g = pairs[0].astype(np.int64), pairs[1]
    left = np.searchsorted(fp.hashes, g, "left")
    count = np.searchsorted(fp.hashes, g, "right") - left
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    at = np.repeat(left, count) + offsets
    parts_n = len(fp.parts)
    owned = (np.repeat(ex, count) * parts_n + fp.owners[at]) * 2 + fp.layers[at]
    owned, matched = np.unique(owned, return_counts=True)
    layer, rest = owned % 2, owned // 2
    rows, parts = rest // parts_n, rest % parts_n
    share = matched / np.maximum(fp.totals[parts, layer], 1)
    best: dict[tuple[int, int], list[float]] = {}
    for r, p, lay, s in zip(rows.tolist(), parts.tolist(), layer.tolist(), share.tolist(),
                            strict=True):  # fmt: skip
        best.setdefault((r, p), [0.0, 0.0])[lay] = round(s, 4)
    for (r, p), (long, short) in best.items():
        if long >= min_share or short >= min_short_share:
            out[r].append(Hit(p, long, short))
    # most examples have no hit: only lists of two or more need sorting
    return [sorted(h, key=_best_first) if len(h) > 1 else h for h in out]


def _best_first(hit: Hit) -> tuple[float, float, int]:
    return (-hit.share, -hit.short_share, hit.part)


def _to_examples(
    grams: np.ndarray, turn: np.ndarray, codes: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Window hashes found in distinct turns, repeated for every example holding the turn
    (``codes``: each turn of the batch's distinct turn; ``counts``: turns per example):
    ``(hashes, example index)``."""
    owners = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    order = np.argsort(codes, kind="stable")  # the batch's turns grouped by distinct turn
    holders = np.bincount(codes, minlength=int(turn.max()) + 1)
    first = np.cumsum(holders) - holders
    count = holders[turn]
    at = np.repeat(first[turn] - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    return np.repeat(grams, count), owners[order[at]]


def find(
    fp: Fingerprint,
    texts: Iterable[str],
    min_share: float = DEFAULT_MIN_SHARE,
    min_short_share: float = DEFAULT_MIN_SHORT_SHARE,
) -> list[Hit]:
    """The parts one example's turns reproduce, best first."""
    return find_batch(fp, [list(texts)], min_share, min_short_share)[0]


__all__ = [
    "DEFAULT_MIN_SHARE",
    "DEFAULT_MIN_SHORT_SHARE",
    "Hit",
    "find",
    "find_batch",
    "find_turns",
]

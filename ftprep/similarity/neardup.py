"""Near-duplicate groups, computed once per run and shared by the clean, diverse and split
stages (the split keeps every group on one side).

The text compared is the conversation without its system prompt: a long shared system
prompt would otherwise make every example look alike.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.composed import batch_dialogues
from ftprep.similarity.minhash import (
    BandBuckets,
    cross_pairs_in_buckets,
    cross_pairs_of_rows,
    groups_from_pairs,
    near_duplicate_pairs,
)
from ftprep.similarity.normalize import hash64, normalize_text, normalized_messages
from ftprep.turns import batch_turns

DEFAULT_THRESHOLD = 0.8
DEFAULT_BANDS = 16
#: The most LSH bucket entries kept for the split's measure, per row (5 bytes each): on
#: templated data, where most rows collide in every band, the buckets would hold 16 entries
#: a row (80 MB a million); past this the split hashes its rows again instead.
KEEP_BUCKETS = 4


#: Lines kept per example for the boilerplate discount (the longest ones matter most).
MAX_LINES = 16
#: A line is boilerplate when at least this many examples, and this share of them, have it.
BOILERPLATE_MIN_EXAMPLES = 5
BOILERPLATE_MIN_SHARE = 0.01


def preamble_lines(roles: Sequence[str], texts: Sequence[str]) -> np.ndarray | None:
    """(32-bit hash << 32 | length) of the lines of user turns that have two or more lines,
    longest first (at most MAX_LINES); None when no user turn has.

    A tool description or shared instruction pasted above each request (toolformer-style
    data) is part of the user turn, so it counts in the shingles like the request itself:
    two different requests under one long preamble look alike. These lines let the dataset
    stage recognise such a preamble (lines most examples share) and discount it. A one-line
    turn ("Who are you?") is the request itself and is never discounted. From an example's
    message roles and texts.
    """
    packed: list[int] = []
    for role, text in zip(roles, texts, strict=True):
        if role != "user":
            continue
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 2:
            continue
        for ln in lines:
            norm = normalize_text(ln)
            if norm:
                packed.append((hash64(norm) & 0xFFFFFFFF) << 32 | min(len(norm), 0xFFFFFFFF))
    if not packed:
        return None
    packed.sort(key=lambda v: (-(v & 0xFFFFFFFF), v))
    return np.array(packed[:MAX_LINES], dtype=np.uint64)


#: What ``str.splitlines`` splits at: a text holding none of them is one line.
_ALL_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = _ALL_BREAKS[:7]  # the ASCII ones
_LINE_BREAK = re.compile(f"[{_ALL_BREAKS}]")


def _breaks_a_line(text: str) -> bool:
    """Whether ``text`` holds a line break: a substring test per break character (a
    memchr-like scan each), faster than the pattern's scan."""
    return any(map(text.__contains__, _BREAKS if text.isascii() else _ALL_BREAKS))


def batch_preamble_lines(
    roles: Sequence[Sequence[str]], texts: Sequence[Sequence[str]]
) -> list[np.ndarray | None]:
    """:func:`preamble_lines` of each example of a batch (its messages' ``roles`` and
    ``texts``), looked at only in the examples one of whose user turns breaks a line: the
    others have none (most chat data: one-line requests)."""
    out: list[np.ndarray | None] = [None] * len(roles)
    if not _breaks_a_line("\x00".join(chain.from_iterable(texts))):  # no turn at all does
        return out
    owners = [i for i, rs in enumerate(roles) for r in rs if r == "user"]
    users = [
        t
        for rs, ts in zip(roles, texts, strict=True)
        for r, t in zip(rs, ts, strict=True)
        if r == "user"
    ]
    if not _breaks_a_line("\x00".join(users)):
        return out
    search = _LINE_BREAK.search
    for i in sorted({owners[k] for k, t in enumerate(users) if search(t)}):
        out[i] = preamble_lines(roles[i], texts[i])
    return out


@register_feature("minhash", ("minhash", "dialogue_len", "preamble_lines"))
def minhash_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """MinHash of each dialogue (:func:`~ftprep.similarity.composed.dialogue_text`), its
    length, and its preamble lines.

    The dialogues are sketched once per batch, with each message's own sketch on the side
    for the prompt sketch (:func:`~ftprep.similarity.composed.batch_dialogues`)."""
    turns = batch_turns(batch, ctx.batch)
    dialogues = batch_dialogues(normalized_messages(batch, ctx.batch), turns.roles, ctx.batch)
    return {
        "minhash": dialogues.sig,
        "dialogue_len": dialogues.lengths.astype(np.int32),
        "preamble_lines": batch_preamble_lines(turns.roles, turns.texts),
    }


def boilerplate_discount(
    ft: FeatureTable, pairs: np.ndarray, sims: np.ndarray, threshold: float
) -> np.ndarray:
    """Which verified pairs stay near duplicates once shared boilerplate lines are set aside.

    Boilerplate: user-turn lines (of multi-line turns) that at least
    BOILERPLATE_MIN_EXAMPLES examples and BOILERPLATE_MIN_SHARE of the set have. For a pair,
    the estimated Jaccard J of the whole dialogues gives their intersection and union (in
    characters, |A ∪ B| = (|A| + |B|) / (1 + J)); the shared boilerplate is taken out of
    both, each side's own boilerplate out of the union, and the rest must still reach
    ``threshold``. Pairs without boilerplate keep their verdict.
    """
    if len(pairs) == 0 or "preamble_lines" not in ft:
        return np.ones(len(pairs), dtype=bool)
    col = ft["preamble_lines"]
    held = [np.unique(v >> np.uint64(32)) for v in col if v is not None]
    if not held:
        return np.ones(len(pairs), dtype=bool)
    hashes, df = np.unique(np.concatenate(held), return_counts=True)
    floor = max(BOILERPLATE_MIN_EXAMPLES, BOILERPLATE_MIN_SHARE * ft.n)
    common = set(hashes[df >= floor].tolist())
    if not common:
        return np.ones(len(pairs), dtype=bool)

    memo: dict[int, dict[int, int]] = {}

    def boiler(row: int) -> dict[int, int]:
        """Boilerplate line hash -> length in ``row`` (computed once per row)."""
        if row in memo:
            return memo[row]
        out: dict[int, int] = {}
        v = col[row]
        if v is not None:
            for x in v.tolist():
                h = x >> 32
                if h in common:
                    out[h] = max(out.get(h, 0), x & 0xFFFFFFFF)
        memo[row] = out
        return out

    lengths = ft["dialogue_len"].astype(np.float64)
    keep = np.ones(len(pairs), dtype=bool)
    for k, (i, j) in enumerate(pairs.tolist()):
        bi, bj = boiler(i), boiler(j)
        if not bi or not bj:
            continue
        shared = sum(min(bi[h], bj[h]) for h in bi.keys() & bj.keys())
        union = (lengths[i] + lengths[j]) / (1 + sims[k])
        inter = sims[k] * union - shared
        rest = union - (sum(bi.values()) + sum(bj.values()) - shared)
        keep[k] = rest > 0 and inter / rest >= threshold
    return keep


def near_duplicate_groups(
    ft: FeatureTable, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS
) -> tuple[np.ndarray, np.ndarray]:
    """(group label per row, verified pairs), memoised on the table for these settings.

    Pairs are verified on the MinHash signatures, then on what is left once boilerplate
    lines shared by much of the set are set aside (:func:`boilerplate_discount`)."""
    key = (threshold, bands)
    if key not in ft.derived.near_duplicates:
        buckets = BandBuckets()
        pairs, sims = near_duplicate_pairs(ft["minhash"], threshold, bands, buckets)
        if buckets.entries <= KEEP_BUCKETS * ft.n:
            ft.derived.band_buckets.setdefault(bands, buckets)
        pairs = pairs[boilerplate_discount(ft, pairs, sims, threshold)]
        if "hash_media" in ft and len(pairs):
            # the same words about different images are different examples
            media = ft["hash_media"]
            pairs = pairs[media[pairs[:, 0]] == media[pairs[:, 1]]]
        ft.derived.near_duplicates[key] = (groups_from_pairs(ft.n, pairs), pairs)
    return ft.derived.near_duplicates[key]


def split_group_key(ft: FeatureTable, config: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Near-duplicate groups as a split grouping key.

    Always with ``clean.near_duplicate``'s configured settings, whether the check is
    enabled or not (when it ran, the groups are already memoised), so switching the report
    off never lets near copies straddle the split.
    """
    settings = getattr(config, "checks", {}).get("clean.near_duplicate", {})
    labels, _ = near_duplicate_groups(
        ft,
        float(settings.get("threshold", DEFAULT_THRESHOLD)),
        int(settings.get("bands", DEFAULT_BANDS)),
    )
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    return labels, sizes[labels] > 1


def straddling_pairs(
    ft: FeatureTable,
    train_rows: np.ndarray,
    validation_rows: np.ndarray,
    threshold: float,
    bands: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~ftprep.similarity.minhash.cross_pairs_of_rows` of the table's ``minhash``
    between two sets of its rows (pairs of positions in them, and their similarities),
    memoised on the table for the last sets asked: the split's refinement measures the
    final plan before ``split.leakage_near`` measures it again. Read from the buckets the
    near-duplicate groups kept (:func:`~ftprep.similarity.minhash.cross_pairs_in_buckets`,
    the same pairs) when they were computed with these ``bands``."""
    key = (
        float(threshold),
        int(bands),
        hashlib.blake2b(np.ascontiguousarray(train_rows, dtype=np.int64).tobytes()).digest(),
        hashlib.blake2b(np.ascontiguousarray(validation_rows, dtype=np.int64).tobytes()).digest(),
    )
    memo = ft.derived.straddling
    if key not in memo:
        sig = ft["minhash"]
        buckets = ft.derived.band_buckets.get(int(bands))
        found = (
            cross_pairs_in_buckets(buckets, sig, train_rows, validation_rows, threshold)
            if buckets is not None
            else None
        )
        if found is None:
            found = cross_pairs_of_rows(sig, train_rows, sig, validation_rows, threshold, bands)
        memo.clear()  # one split at a time: the last one asked
        memo[key] = found
    return memo[key]

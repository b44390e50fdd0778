"""Near-duplicate groups, computed once per run and shared by the clean, diverse and split
stages (the split keeps every group on one side).

The text compared is the conversation without its system prompt: a long shared system
prompt would otherwise make every example look alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.minhash import groups_from_pairs, near_duplicate_pairs, signatures
from ftprep.similarity.normalize import normalize_text, normalized_messages

DEFAULT_THRESHOLD = 0.8
DEFAULT_BANDS = 16


def dialogue_text(ex: ChatExample, normalized: list[str] | None = None) -> str:
    """The normalised non-system turns, with roles, for similarity."""
    texts = normalized if normalized is not None else [normalize_text(m.text) for m in ex.messages]
    return "\n".join(
        f"{m.role}: {t}"
        for m, t in zip(ex.messages, texts, strict=True)
        if m.role not in ("system", "developer")
    )


@register_feature("minhash", ("minhash",))
def minhash_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    texts = normalized_messages(batch, ctx.batch)
    return {
        "minhash": signatures([dialogue_text(ex, t) for ex, t in zip(batch, texts, strict=True)])
    }


def near_duplicate_groups(
    ft: FeatureTable, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS
) -> tuple[np.ndarray, np.ndarray]:
    """(group label per row, verified pairs), memoised on the table for these settings."""
    key = (threshold, bands)
    if key not in ft.derived.near_duplicates:
        pairs, _ = near_duplicate_pairs(ft["minhash"], threshold, bands)
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

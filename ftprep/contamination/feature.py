"""The ``contamination`` feature: per example, the fingerprinted parts it reproduces.

Most examples reproduce nothing, so the column holds None for them and a short tuple of
``(part index, share)`` for the rest: compact whatever the dataset's size. The index is
the run's (bundled benchmarks, ``--benchmarks`` files, ``--eval-set`` files), loaded once
per process by :func:`~ftprep.contamination.index.load_index`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ftprep.contamination.index import load_index
from ftprep.contamination.match import (
    DEFAULT_MIN_SHARE,
    DEFAULT_MIN_SHORT_SHARE,
    find_batch,
    find_turns,
)
from ftprep.features import FeatureContext, register_feature
from ftprep.loaders import LoadOptions
from ftprep.schema import ChatExample
from ftprep.similarity.normalize import normalized_texts
from ftprep.turns import batch_turns, flat_turns

#: The checks whose ``min_share`` setting decides what the feature keeps.
CHECKS = ("evaluated.contamination", "evaluated.eval_overlap")


def run_index(config: Any) -> Any:
    """The index for a run's config (benchmarks and eval sets)."""
    benchmarks = tuple(getattr(config, "benchmarks", ()) or ())
    eval_sets = tuple(getattr(config, "eval_sets", ()) or ())
    mapping = dict(getattr(config, "eval_map", {}) or {})
    return load_index(benchmarks, eval_sets, LoadOptions(mapping=mapping))


def floor(config: Any) -> tuple[float, float]:
    """The lowest ``min_share`` and ``min_short_share`` of the two checks: what the
    feature must keep for either to decide."""
    checks = getattr(config, "checks", {}) or {}
    long = [checks.get(c, {}).get("min_share", DEFAULT_MIN_SHARE) for c in CHECKS]
    short = [checks.get(c, {}).get("min_short_share", DEFAULT_MIN_SHORT_SHARE) for c in CHECKS]
    return float(min(long)), float(min(short))


def _texts(texts: Sequence[str], calls: Sequence[list[dict[str, Any]] | None]) -> Sequence[str]:
    """An example's message texts (``texts``) and the string arguments of its tool calls
    (``calls``: each message's), the turns matched against the index."""
    if not any(calls):
        return texts
    out = list(texts)
    for made in calls:
        for call in made or ():
            args = (call.get("function") or {}).get("arguments") if isinstance(call, dict) else None
            if isinstance(args, str):
                out.append(args)
    return out


def warm_index(config: Any) -> None:
    """The run's index loaded, with the screen matching builds from it (see
    :func:`ftprep.features.warm_features`)."""
    index = run_index(config)
    _ = index.screen, index.short_gated


@register_feature("contamination", ("contamination",), warm=warm_index)
def contamination_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, Any]:
    config = ctx.config
    index = run_index(config)
    long, short = floor(config)
    turns = batch_turns(batch, ctx.batch)
    if any(map(any, turns.calls)):
        found = find_batch(index, list(map(_texts, turns.texts, turns.calls)), long, short)
    else:  # the turns are the messages' texts: the batch's flat list as it is
        flat = flat_turns(batch, ctx.batch)
        # with the texts the batch has folded already (the NFKC and casefolding done once)
        folded = normalized_texts(batch, ctx.batch)
        found = find_turns(index, flat.texts, flat.counts, long, short, folded=folded)
    return {
        "contamination": [  # None for the many without a hit, without a tuple each
            tuple((h.part, h.share, h.short_share) for h in hits) if hits else None
            for hits in found
        ]
    }


def eval_copies(ft: Any, config: Any) -> Any:
    """Rows that reproduce an item of the run's eval sets (the split keeps them in train),
    or None without eval sets."""
    import numpy as np

    if not getattr(config, "eval_sets", None) or "contamination" not in ft:
        return None
    index = run_index(config)
    settings = (getattr(config, "checks", {}) or {}).get("evaluated.eval_overlap", {})
    long = float(settings.get("min_share", DEFAULT_MIN_SHARE))
    short = float(settings.get("min_short_share", DEFAULT_MIN_SHORT_SHARE))
    return np.fromiter(
        (
            bool(hits)
            and any(
                (s >= long or ss >= short) and index.parts[p].location is not None
                for p, s, ss in hits
            )
            for hits in ft["contamination"]
        ),
        dtype=bool,
        count=ft.n,
    )


__all__ = ["contamination_feature", "eval_copies", "floor", "run_index"]

"""Over-length examples: more tokens than the model accepts per training example."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.features import FeatureTable
from ftprep.wording import plural


class OverLimitSettings(CheckSettings):
    max_tokens: int | None = Field(None, ge=1, description="override the model's limit")


@dataset_check(
    "clean.over_token_limit",
    "clean",
    "error",
    "{count} examples exceed the model's token limit",
    settings=OverLimitSettings,
    needs=("tokens",),
    fix="drop",
)
def over_token_limit(
    ft: FeatureTable, settings: OverLimitSettings, ctx: DatasetContext
) -> CheckResult:
    """Example is longer than the model's per-example token limit.

    What: the example's token count under OpenAI's chat counting rules (3 tokens per message,
    values encoded with the model's tokenizer, 3 for the reply), against the limit of the
    model chosen with `--model`.
    Why: platforms truncate such examples silently (the end of the conversation, usually the
    answer, is cut) or reject the file; either way the model learns from a damaged example.
    Threshold: the model's `max_example_tokens` from the registry; `max_tokens` overrides.
    Fix: shorten or split the conversation, or choose a model with a longer context;
    `--fix` drops it.
    """
    limit = settings.max_tokens or ctx.model.max_example_tokens
    total = ft["tokens_total"]
    rows = np.flatnonzero(total > limit)
    flags = [Flag(int(r), f"{int(total[r])} tokens > {limit}") for r in rows]
    return CheckResult(
        flags=flags,
        metrics={"token_limit": int(limit), "over_limit": len(rows)},
        message=f"{plural(len(rows), 'example exceeds', 'examples exceed')} the {limit:,}-token "
        f"limit of {ctx.model.id}"
        if len(rows)
        else None,
    )

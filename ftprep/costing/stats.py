"""``stats.tokens`` and ``stats.cost`` of every report (registered in
:data:`ftprep.report.build.STATS_PROVIDERS`).

Token statistics cover every loaded example; the cost covers what a finetuning job would
bill for the training side of the split (validation added where the provider bills it), so
``ftprep validate`` and ``ftprep split`` print the same estimate for the same data and seed.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from ftprep.costing.training import estimate_training
from ftprep.split.plan import TRAIN, VALIDATION
from ftprep.tokens.counting import REPLY_PRIMING, TOKENS_PER_MESSAGE, TOKENS_PER_NAME
from ftprep.tokens.encodings import describe_encoding

if TYPE_CHECKING:
    from ftprep.engine import Analysis

COUNTING_RULES = (
    f"OpenAI chat rules: {TOKENS_PER_MESSAGE} tokens per message + its encoded values, "
    f"+{TOKENS_PER_NAME} per name, +{REPLY_PRIMING} to prime the reply; tool calls and tool "
    "definitions as JSON; trained tokens = assistant turns without weight 0"
)


def percentiles(values: np.ndarray) -> dict[str, float]:
    """min, p5, median, p95, max and mean of ``values`` (empty dict when there are none)."""
    if len(values) == 0:
        return {}
    p = np.percentile(values, [0, 5, 50, 95, 100])
    return {
        "min": int(p[0]),
        "p5": float(p[1]),
        "median": float(p[2]),
        "p95": float(p[3]),
        "max": int(p[4]),
        "mean": round(float(values.mean()), 2),
    }


def token_limit(analysis: Analysis) -> int:
    """The per-example limit: the over-length check's ``max_tokens`` when set, else the
    model's, so the statistics and the finding agree."""
    override = analysis.config.checks.get("clean.over_token_limit", {}).get("max_tokens")
    return int(override or analysis.model.max_example_tokens)


def approximation_note(analysis: Analysis) -> str | None:
    """Why the count is only an estimate for this model, or None when it is exact."""
    model = analysis.model
    if not model.approximate:
        return None
    own = model.tokenizer or "the model's own tokenizer"
    counted = describe_encoding(model.encoding, model.pattern)
    return (
        f"approximate: counted with {counted}, not {own}; the chat overhead follows "
        "OpenAI's rules, not this model's chat template"
    )


def token_stats(analysis: Analysis) -> dict[str, Any]:
    """Token totals and per-example distributions, and which tokenizer counted them."""
    ft = analysis.features
    model = analysis.model
    total = ft["tokens_total"]
    trained = ft["tokens_trained"]
    limit = token_limit(analysis)
    over = int((total > limit).sum())
    return {
        "model": model.id,
        "provider": model.provider,
        "encoding": model.encoding,
        "tokenizer": describe_encoding(model.encoding, model.pattern),
        "model_tokenizer": model.tokenizer,
        "approximate": model.approximate,
        "approximation": approximation_note(analysis),
        "counting_rules": COUNTING_RULES,
        "limit": limit,
        "total": int(total.sum()),
        "trained": int(trained.sum()),
        "per_example": percentiles(total),
        "trained_per_example": percentiles(trained),
        "over_limit": over,
        "over_limit_share": round(over / ft.n, 4) if ft.n else 0.0,
    }


def split_tokens(analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """Token counts of the training and validation examples of the planned split."""
    ft = analysis.features
    total = ft["tokens_total"]
    plan = analysis.plan
    if plan is not None:
        return total[plan.assignment == TRAIN], total[plan.assignment == VALIDATION]
    kept = np.ones(ft.n, dtype=bool)
    kept[list(analysis.fix_drops)] = False
    return total[kept], total[:0]


def cost_stats(analysis: Analysis, on: date | None = None) -> dict[str, Any]:
    """The training estimate for the train side of the split (see :mod:`.training`)."""
    train, val = split_tokens(analysis)
    estimate = estimate_training(
        analysis.model,
        train,
        val,
        epochs=getattr(analysis.config, "epochs", None),
        limit=token_limit(analysis),
        on=on,
    )
    # The report must be byte-identical across days for the same data: leave out the run
    # date (lifecycle notes only change when a date is actually passed).
    return estimate.model_dump(mode="json", exclude={"as_of"})

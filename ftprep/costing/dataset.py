"""Training cost and request sizes measured on a dataset, through the same engine as
``ftprep split``: the same loaders, token counts, split plan and epochs rule, so ``ftprep
cost --data`` and the report of ``ftprep split`` agree to the token.

Checks are switched off for speed (this answers "what would training cost", not "is the
data ready"); records that fail to load are not counted, and the estimate says how many.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ftprep.checks.base import REGISTRY
from ftprep.config import Config, apply_check_options
from ftprep.costing.stats import cost_stats, split_tokens
from ftprep.costing.training import TrainingEstimate, estimate_training
from ftprep.loaders import LoadOptions
from ftprep.tokens.models import ModelInfo

if TYPE_CHECKING:
    from ftprep.engine import Analysis


def _analyze(
    data: Sequence[str | Path],
    model: str,
    config: Config,
    epochs: int | None,
    load_options: LoadOptions | None,
) -> Analysis:
    """One engine pass on ``data`` with the resolved ``config``, every check switched off."""
    from ftprep.engine import analyze

    cfg = config.with_overrides(model=model, epochs=epochs)
    cfg = apply_check_options(cfg, [], sorted(REGISTRY), set(REGISTRY))
    return analyze([Path(p) for p in data], cfg, load_options or LoadOptions())


def _means(analysis: Analysis) -> dict[str, float]:
    ft = analysis.features
    total, answer = ft["tokens_total"], ft["tokens_last_answer"]
    return {
        "input_tokens": float(np.mean(total - answer)) if ft.n else 0.0,
        "output_tokens": float(np.mean(answer)) if ft.n else 0.0,
        "examples": float(ft.n),
    }


def _load_warning(analysis: Analysis, estimate: TrainingEstimate) -> TrainingEstimate:
    if analysis.load_errors:
        estimate.warnings.append(
            f"{len(analysis.load_errors)} records could not be loaded and are not counted "
            "(`ftprep validate` lists them)"
        )
    return estimate


def dataset_training(
    data: Sequence[str | Path],
    model: str,
    *,
    config: Config,
    epochs: int | None = None,
    load_options: LoadOptions | None = None,
    on: date | None = None,
) -> tuple[TrainingEstimate, dict[str, float]]:
    """The training estimate for ``data`` on ``model`` and the dataset's average prompt
    (everything before the final answer, with chat overhead) and final-answer tokens."""
    analysis = _analyze(data, model, config, epochs, load_options)
    estimate = TrainingEstimate.model_validate(cost_stats(analysis, on=on))
    return _load_warning(analysis, estimate), _means(analysis)


def dataset_trainings(
    data: Sequence[str | Path],
    models: Sequence[ModelInfo],
    *,
    config: Config,
    epochs: int | None = None,
    load_options: LoadOptions | None = None,
    on: date | None = None,
) -> tuple[dict[str, TrainingEstimate], dict[str, float]]:
    """Estimates for several models that count tokens alike, from one engine pass: the
    split and token counts are the same, each model applies its own limit, price and
    billing rules."""
    analysis = _analyze(data, models[0].id, config, epochs, load_options)
    train, val = split_tokens(analysis)
    override = analysis.config.checks.get("clean.over_token_limit", {}).get("max_tokens")
    out = {}
    for m in models:
        estimate = estimate_training(
            m, train, val, epochs=epochs, limit=int(override) if override else None, on=on
        )
        out[m.id] = _load_warning(analysis, estimate)
    return out, _means(analysis)

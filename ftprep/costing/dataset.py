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
from typing import Any

import numpy as np

from ftprep.checks.base import REGISTRY
from ftprep.costing.stats import cost_stats
from ftprep.costing.training import TrainingEstimate
from ftprep.loaders import LoadOptions


def dataset_training(
    data: Sequence[str | Path],
    model: str,
    *,
    config: Any = None,
    epochs: int | None = None,
    load_options: dict[str, Any] | None = None,
    on: date | None = None,
) -> tuple[TrainingEstimate, dict[str, float]]:
    """The training estimate for ``data`` on ``model`` and the dataset's average prompt
    (everything before the final answer, with chat overhead) and final-answer tokens."""
    from ftprep.api import make_config
    from ftprep.engine import analyze

    cfg = make_config(config, disable=sorted(REGISTRY), model=model, epochs=epochs)
    analysis = analyze([Path(p) for p in data], cfg, LoadOptions(**(load_options or {})))
    stats = cost_stats(analysis, on=on)
    estimate = TrainingEstimate.model_validate(stats)
    if analysis.load_errors:
        estimate.warnings.append(
            f"{len(analysis.load_errors)} records could not be loaded and are not counted "
            "(`ftprep validate` lists them)"
        )
    ft = analysis.features
    total, answer = ft["tokens_total"], ft["tokens_last_answer"]
    means = {
        "input_tokens": float(np.mean(total - answer)) if ft.n else 0.0,
        "output_tokens": float(np.mean(answer)) if ft.n else 0.0,
        "examples": float(ft.n),
    }
    return estimate, means

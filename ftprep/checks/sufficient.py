"""Checks for the *sufficient* item: enough examples to finetune on."""

from __future__ import annotations

from pydantic import Field, model_validator

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, dataset_check
from ftprep.features import FeatureTable
from ftprep.wording import plural


class CountSettings(CheckSettings):
    minimum: int = Field(100, ge=0, description="error below this many usable examples")
    recommended: int = Field(500, ge=0, description="warning below this many")

    @model_validator(mode="after")
    def _ordered(self) -> CountSettings:
        if self.recommended < self.minimum:
            raise ValueError("recommended must be at least minimum")
        return self


@dataset_check(
    "sufficient.count",
    "sufficient",
    "error",
    "{count} usable examples",
    settings=CountSettings,
    after_split=True,
)
def count(ft: FeatureTable, settings: CountSettings, ctx: DatasetContext) -> CheckResult:
    """Too few usable examples.

    What: the number of examples that will be trained on: loaded examples (load errors
    excluded), minus those `--fix` drops.
    Why: with fewer than ~100 examples a finetune rarely beats a good prompt; OpenAI
    recommends starting with 50–100 and sees clear gains from 500+ well-crafted examples.
    Threshold: error below `minimum` (100), warning below `recommended` (500).
    Fix: collect or write more examples covering the inputs you expect; if you cannot,
    prefer prompt engineering or retrieval (`ftprep advise`).
    """
    kept = ctx.kept
    n = int(kept.sum()) if kept is not None else ft.n
    metrics = {"examples": n, "minimum": settings.minimum, "recommended": settings.recommended}
    if n < settings.minimum:
        return CheckResult(
            metrics=metrics,
            severity="error",
            message=f"only {n} usable examples; at least {settings.minimum} needed",
            summary=f"{plural(n, 'example')} (< {settings.minimum} required)",
        )
    if n < settings.recommended:
        return CheckResult(
            metrics=metrics,
            severity="warning",
            message=f"{plural(n, 'usable example')}; {settings.recommended}+ recommended",
            summary=f"{n} examples (≥ {settings.minimum}, < {settings.recommended} recommended)",
        )
    return CheckResult(metrics=metrics, summary=f"{n} examples (≥ {settings.recommended})")

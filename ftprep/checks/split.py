"""Checks for the *split* item: a validation set large enough to measure, nothing straddling."""

from __future__ import annotations

from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, dataset_check
from ftprep.features import FeatureTable


class ValidationSizeSettings(CheckSettings):
    minimum: int = Field(50, ge=0, description="warn when validation has fewer examples")


@dataset_check(
    "split.validation_size",
    "split",
    "warning",
    "the validation set is too small to measure improvement",
    settings=ValidationSizeSettings,
)
def validation_size(
    ft: FeatureTable, settings: ValidationSizeSettings, ctx: DatasetContext
) -> CheckResult:
    """Validation set is too small to measure improvement.

    What: the number of examples the planned split puts in validation (groups of
    near-copies are kept whole, so it can fall a little short of the fraction).
    Why: with a few dozen validation examples, one example moves accuracy by several
    points; you cannot tell a better model from noise, or spot overfitting in the
    validation loss.
    Threshold: warning below `minimum` (50) validation examples.
    Fix: add data, or raise `--validation-fraction` (e.g. 0.2 for small sets).
    """
    plan = ctx.settings["plan"]
    metrics = {
        "train": plan.train,
        "validation": plan.validation,
        "groups": plan.groups,
        "target_validation": plan.target_validation,
    }
    summary = f"{plan.train} train / {plan.validation} validation, {plan.groups} groups kept whole"
    if plan.validation < settings.minimum:
        return CheckResult(
            metrics=metrics,
            summary=summary,
            message=f"only {plan.validation} validation examples "
            f"(< {settings.minimum}); metrics on it will be noisy",
        )
    return CheckResult(metrics=metrics, summary=summary)

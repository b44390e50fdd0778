"""Check units. Importing this package registers every built-in check."""

from ftprep.checks import (  # noqa: F401
    clean,
    consistent,
    contamination,
    diverse,
    evaluated,
    split,
    sufficient,
)
from ftprep.checks.base import (
    ITEMS,
    REGISTRY,
    CheckResult,
    CheckSettings,
    CheckSpec,
    DatasetContext,
    Flag,
    batch_form,
    dataset_check,
    example_check,
    load_check,
)

__all__ = [
    "ITEMS",
    "REGISTRY",
    "CheckResult",
    "CheckSettings",
    "CheckSpec",
    "DatasetContext",
    "Flag",
    "batch_form",
    "dataset_check",
    "example_check",
    "load_check",
]

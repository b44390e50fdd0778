"""Check an existing split: ``ftprep validate train.jsonl --validation val.jsonl``.

The validation file(s) are analysed with the same engine and options as the training
data; the training analysis then takes the given split instead of planning one, and the
split checks (``split.leakage_exact``, ``split.leakage_near``, ``split.size_ratio``,
``split.label_drift``, ``split.validation_size``) and ``evaluated.metric`` compare the two
feature tables: leaked pairs are listed with both lines, drift by label or topic cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ftprep.config import Config
from ftprep.engine import Analysis, Progress, analyze
from ftprep.loaders import LoadOptions
from ftprep.split.plan import DROPPED, TRAIN, SplitPlan


@dataclass
class ExistingPlan(SplitPlan):
    """The given split: every kept training row is TRAIN; validation lives in its own file."""

    validation_examples: int = 0

    @property
    def validation(self) -> int:
        return self.validation_examples


@dataclass
class ExistingSplit:
    """The analysed validation file(s); the engine asks it for the plan of the train side."""

    validation: Analysis

    def plan(self, analysis: Analysis, kept: np.ndarray) -> SplitPlan:
        assignment = np.where(kept, TRAIN, DROPPED).astype(np.int8)
        # Sources name themselves (``name`` where in-memory inputs exist, else ``path``).
        paths = [str(getattr(s, "name", None) or s.path) for s in self.validation.sources]
        return ExistingPlan(
            assignment,
            groups=0,
            strata=0,
            target_validation=self.validation.features.n,
            details={
                "existing_split": True,
                "validation_files": paths,
                "validation_records": self.validation.records,
                "validation_load_errors": len(self.validation.load_errors),
            },
            validation_examples=self.validation.features.n,
        )


def analyze_existing_split(
    inputs: Sequence[str | Path],
    validation: Sequence[str | Path],
    config: Config,
    load_options: LoadOptions | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> Analysis:
    """Analyse ``inputs`` as the training side of the split whose validation is ``validation``."""
    val = analyze(validation, config, load_options, progress, jobs=jobs)
    train = analyze(inputs, config, load_options, progress, existing=ExistingSplit(val), jobs=jobs)
    train.validation = val
    return train

"""One view of a split for the checks that compare its two sides.

A planned split has both sides in one feature table (rows assigned TRAIN or VALIDATION); an
existing split (``validate train.jsonl --validation val.jsonl``, see :mod:`ftprep.leakage`)
has the validation file in its own table. Checks read both through :class:`SplitView`, so
leakage and drift are measured the same way in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ftprep.checks.base import DatasetContext
from ftprep.evaluation.tasks import Labels
from ftprep.features import FeatureTable
from ftprep.similarity.topics import Topics, sample_texts
from ftprep.split.plan import TRAIN, VALIDATION

UNSEEN = -2


@dataclass
class SplitView:
    train: FeatureTable
    train_rows: np.ndarray
    validation: FeatureTable
    validation_rows: np.ndarray
    existing: bool

    def validation_labels(self, labels: Labels) -> np.ndarray:
        """Label index (in the train ``labels``) of each validation row; -1 none, -2 unseen."""
        if not self.existing:
            return labels.index[self.validation_rows]
        column = "meta_label" if labels.source == "metadata" else "answer_label"
        pos = {name: i for i, name in enumerate(labels.names)}
        values = self.validation[column]
        return np.fromiter(
            (-1 if values[r] is None else pos.get(values[r], UNSEEN) for r in self.validation_rows),
            dtype=np.int64,
            count=len(self.validation_rows),
        )

    def unseen_labels(self, labels: Labels) -> list[str]:
        """Labels of validation examples that no training example has."""
        if not self.existing:
            return []
        column = "meta_label" if labels.source == "metadata" else "answer_label"
        known = set(labels.names)
        values = self.validation[column]
        return sorted({values[r] for r in self.validation_rows if values[r] is not None} - known)

    def clusters(self, top: Topics) -> tuple[np.ndarray, np.ndarray]:
        """Cluster of each train and validation row that has one (sampled rows only)."""
        train = top.row_cluster[self.train_rows]
        if not self.existing:
            val = top.row_cluster[self.validation_rows]
            return train[train >= 0], val[val >= 0]
        if top.embedding is None or top.clustering is None or "sample_input" not in self.validation:
            return train[train >= 0], np.zeros(0, dtype=np.int64)
        col = self.validation["sample_input"]
        rows = np.array([r for r in self.validation_rows if col[r] is not None], dtype=np.int64)
        vectors = top.embedding.transform(sample_texts(self.validation, rows))
        return train[train >= 0], top.clustering.predict(vectors)


def split_view(ft: FeatureTable, ctx: DatasetContext) -> SplitView | None:
    """The split the late checks judge: the existing one if given, else the planned one."""
    existing: Any = ctx.existing
    if existing is not None:
        vft = existing.validation.features
        return SplitView(ft, np.arange(ft.n), vft, np.arange(vft.n), True)
    plan = ctx.plan
    if plan is None:
        return None
    return SplitView(
        ft,
        np.flatnonzero(plan.assignment == TRAIN),
        ft,
        np.flatnonzero(plan.assignment == VALIDATION),
        False,
    )

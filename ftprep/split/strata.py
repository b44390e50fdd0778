"""Strata for the split, so validation looks like train: labels first, else topic clusters.

Registered in :data:`ftprep.engine.STRATA` (tried in order; the first that returns an array
wins). Each provider notes its name in ``ft.derived.strata_by`` for the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ftprep.evaluation.tasks import infer_task, task_params
from ftprep.features import FeatureTable
from ftprep.similarity.topics import topic_params, topics


def strata_by_label(ft: FeatureTable, config: Any) -> np.ndarray | None:
    """Label per row (metadata labels, or short answers of classification data)."""
    if "answer_kind" not in ft or ft.n == 0:
        return None
    labels = infer_task(ft, task_params(config)).labels
    if labels is None or len(labels.names) < 2:
        return None
    ft.derived.strata_by = "label"
    return labels.index.copy()


def strata_by_cluster(ft: FeatureTable, config: Any) -> np.ndarray | None:
    """Topic cluster per row; rows outside the sample (huge data) share one stratum."""
    if "sample_input" not in ft or ft.n == 0:
        return None
    top = topics(ft, topic_params(config))
    if top is None or top.k < 2:
        return None
    ft.derived.strata_by = "cluster"
    return top.row_cluster.copy()

"""Topics of the user inputs: the sample, its embedding and clusters, computed once per run.

The diverse checks report on them, the split stratifies by them when there are no labels,
and the existing-split comparison assigns validation inputs to the same clusters. The work
is bounded: at most ``sample_size`` inputs (a deterministic sample, see
:mod:`~ftprep.similarity.textsample`) are embedded and clustered, BLAS runs single-threaded
(reproducible sums, no thread oversubscription on busy CI machines), and the result is
cached on the feature table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ftprep.features import FeatureTable
from ftprep.similarity.embed import Clustering, Embedding, cluster, embed
from ftprep.similarity.textsample import DEFAULT_LIMIT, sample_rows

#: The check whose settings configure the sample and the clustering.
SETTINGS_CHECK = "diverse.coverage"


class TopicParams(BaseModel):
    """Sample and clustering settings (part of ``diverse.coverage``'s settings)."""

    model_config = ConfigDict(extra="ignore")

    sample_size: int = Field(
        DEFAULT_LIMIT, ge=100, description="inputs embedded at most (deterministic sample)"
    )
    max_clusters: int = Field(30, ge=2, description="largest k tried")
    min_cluster_size: int = Field(10, ge=2, description="at most one cluster per this many")


def topic_params(config: Any) -> TopicParams:
    raw = config.checks.get(SETTINGS_CHECK, {}) if config is not None else {}
    return TopicParams.model_validate(raw)


@dataclass
class Topics:
    """The sampled rows, their texts' embedding and clustering, and a cluster per row."""

    rows: np.ndarray
    embedding: Embedding | None
    clustering: Clustering | None
    row_cluster: np.ndarray  # cluster per feature-table row; -1 outside the sample
    sampled: bool
    #: Measures of the sampled texts themselves (the diverse checks' lexical measures and
    #: mean cosine, :func:`ftprep.checks.diverse.sample_measures`), kept with the topics
    #: they were taken on: a topics child computes them too, once its topics are done.
    measures: dict[str, Any] | None = None

    @property
    def k(self) -> int:
        return self.clustering.k if self.clustering is not None else 0


def sample_texts(ft: FeatureTable, rows: np.ndarray, column: str = "sample_input") -> list[str]:
    col = ft[column]
    return [col[int(r)] or "" for r in rows]


#: Measures of the sampled texts taken with the topics (:attr:`Topics.measures`), given
#: the sampled rows and their embedding.
Measures = Callable[[np.ndarray, Embedding | None], dict[str, Any]]


def topics(
    ft: FeatureTable, params: TopicParams, helpers: int = 0, measures: Measures | None = None
) -> Topics | None:
    """Embed and cluster the sampled inputs (None when the sample column was not computed).

    ``helpers``: processes the clustering may fork to share its candidate runs (the
    topics child of a run with jobs to spare, :mod:`ftprep.prefetch`); the same topics.
    ``measures``: taken on the sample once it is embedded, while the helper finishes its
    share of the clustering (rather than after the clusters), and kept as
    :attr:`Topics.measures` when these topics are computed here."""
    if "sample_input" not in ft:
        return None
    key = params.model_dump_json()
    if key not in ft.derived.topics:
        ft.derived.settle()  # a forked child may be computing them (ftprep.prefetch)
    if key not in ft.derived.topics:
        ft.derived.topics[key] = _topics(ft, params, helpers, measures)
    found: Topics | None = ft.derived.topics[key]
    return found


def _topics(
    ft: FeatureTable, params: TopicParams, helpers: int = 0, measures: Measures | None = None
) -> Topics:
    from threadpoolctl import threadpool_limits

    rows = sample_rows(ft, params.sample_size)
    row_cluster = np.full(ft.n, -1, dtype=np.int64)
    measured: list[dict[str, Any]] = []

    def measure() -> None:
        if measures is not None:
            measured.append(measures(rows, emb))

    with threadpool_limits(limits=1):
        emb = embed(sample_texts(ft, rows))
        clusters = None
        if emb is not None:
            clusters = cluster(
                emb,
                max_clusters=params.max_clusters,
                min_cluster_size=params.min_cluster_size,
                helpers=helpers,
                meanwhile=measure,
            )
        else:
            measure()
    if clusters is not None:
        row_cluster[rows] = clusters.labels
    sampled = len(rows) < ft.n
    return Topics(rows, emb, clusters, row_cluster, sampled, measured[0] if measured else None)

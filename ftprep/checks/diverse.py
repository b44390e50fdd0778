"""Checks for the *diverse* item: the inputs cover a range, not one template.

The measures (see :mod:`ftprep.similarity.diversity`) are computed once, on a deterministic
sample of at most ``sample_size`` inputs, and shared: the checks below read them, the report
shows them under ``stats.diversity`` (with the named clusters), and the split stratifies by
the clusters when there are no labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import ConfigDict, Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.evaluation.tasks import infer_task, task_params
from ftprep.features import FeatureTable
from ftprep.similarity.diversity import (
    PROBE,
    balance,
    compression_ratio,
    distinct_ns,
    mean_pairwise_cosine,
)
from ftprep.similarity.embed import Embedding
from ftprep.similarity.neardup import DEFAULT_BANDS, DEFAULT_THRESHOLD, near_duplicate_groups
from ftprep.similarity.scripts import strip_lines
from ftprep.similarity.topics import TopicParams, sample_texts, topics
from ftprep.wording import plural

NEEDS = ("text_sample", "minhash", "hashes", "answers")


class CoverageSettings(CheckSettings, TopicParams):
    model_config = ConfigDict(extra="forbid")

    min_examples: int = Field(20, ge=2, description="below this many inputs, no verdict")
    fail_distinct_2: float = Field(0.30, ge=0, le=1, description="distinct-2 of inputs below")
    warn_distinct_2: float = Field(0.45, ge=0, le=1)
    fail_compression: float = Field(0.20, ge=0, le=1, description="compressed/raw size below")
    warn_compression: float = Field(0.28, ge=0, le=1)
    fail_cosine: float = Field(0.10, ge=0, le=1, description="mean pairwise TF-IDF cosine above")
    warn_cosine: float = Field(0.06, ge=0, le=1)
    fail_redundancy: float = Field(
        0.5, ge=0, le=1, description="share of examples that near-duplicate another, above"
    )
    warn_redundancy: float = Field(0.2, ge=0, le=1)


def _redundancy(ft: FeatureTable, config: Any) -> float:
    """Share of examples that add nothing new: n minus the number of near-duplicate groups."""
    raw = config.checks.get("clean.near_duplicate", {}) if config is not None else {}
    labels, _ = near_duplicate_groups(
        ft, raw.get("threshold", DEFAULT_THRESHOLD), raw.get("bands", DEFAULT_BANDS)
    )
    # group labels are row numbers at most: counted in one pass (np.unique hashes or sorts)
    groups = int(np.count_nonzero(np.bincount(labels))) if ft.n else 0
    return round(1 - groups / ft.n, 4) if ft.n else 0.0


def _distinct(values: np.ndarray) -> int:
    """How many distinct values: ``len(np.unique(values))``, from a sort (numpy 2's
    np.unique hashes the values, several times slower on 100,000 distinct hashes)."""
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if len(ordered) else 0


def _probe(ft: FeatureTable, rows: np.ndarray) -> np.ndarray:
    """At most PROBE sampled rows (lowest priority), for the size-sensitive measures."""
    if len(rows) <= PROBE:
        return rows
    return np.sort(rows[np.lexsort((rows, ft["sample_priority"][rows]))[:PROBE]])


def sample_measures(ft: FeatureTable, params: TopicParams, helpers: int = 0) -> dict[str, Any]:
    """The measures of the sampled texts themselves, which the clusters do not change:
    distinct inputs, distinct-n and compression of a probe of the sample, mean cosine of
    its TF-IDF rows. Kept on the topics (:attr:`~ftprep.similarity.topics.Topics.measures`),
    so a topics child (:mod:`ftprep.prefetch`) computes them with the topics rather than
    the parent after them (while its clustering's helper finishes its share);
    ``helpers`` as for :func:`~ftprep.similarity.topics.topics`."""
    top = topics(ft, params, helpers, lambda rows, emb: _measures(ft, rows, emb))
    assert top is not None
    if top.measures is None:  # topics computed before, without them
        top.measures = _measures(ft, top.rows, top.embedding)
    return top.measures


def _measures(ft: FeatureTable, rows: np.ndarray, embedding: Embedding | None) -> dict[str, Any]:
    """:func:`sample_measures` of the sampled ``rows`` and their ``embedding``."""
    probe = _probe(ft, rows)
    inputs, answers = sample_texts(ft, probe), sample_texts(ft, probe, "sample_answer")
    # A preamble every input carries (a tool description above each request) is not
    # variety and not templating of the requests: measure what follows it.
    boilerplate = embedding.boilerplate if embedding is not None else frozenset()
    inputs = [strip_lines(t, boilerplate) for t in inputs]
    distinct_inputs = distinct_ns(inputs, (1, 2))
    distinct_answers = distinct_ns(answers, (1, 2))
    distinct_prompts = round(_distinct(ft["hash_prompt"]) / ft.n, 4) if ft.n else 0.0
    return {
        "probe_size": len(probe),
        "distinct_inputs": distinct_prompts,
        "distinct_1_inputs": distinct_inputs[1],
        "distinct_2_inputs": distinct_inputs[2],
        "distinct_1_answers": distinct_answers[1],
        "distinct_2_answers": distinct_answers[2],
        "compression_ratio": compression_ratio(inputs),
        "mean_cosine": mean_pairwise_cosine(embedding.tfidf) if embedding else None,
    }


def diversity_profile(ft: FeatureTable, settings: CoverageSettings, config: Any) -> dict[str, Any]:
    """Every diversity measure, computed once per run (cached on the table)."""
    if ft.derived.diversity is not None:
        return ft.derived.diversity
    params = TopicParams.model_validate(settings.model_dump())
    measured = sample_measures(ft, params)
    top = topics(ft, params)
    assert top is not None
    sizes = top.clustering.sizes if top.clustering is not None else np.zeros(0, dtype=np.int64)
    names = top.clustering.names if top.clustering is not None else []
    ranked = sorted(
        ((-int(size), name) for name, size in zip(names, sizes, strict=True)),
    )
    clusters = [{"name": name, "size": -neg} for neg, name in ranked]
    bal = balance(sizes)
    profile: dict[str, Any] = {
        "examples": ft.n,
        "sampled": top.sampled,
        "sample_size": len(top.rows),
        "probe_size": measured["probe_size"],
        "distinct_inputs": measured["distinct_inputs"],
        "near_duplicate_rate": _redundancy(ft, config),
        "distinct_1_inputs": measured["distinct_1_inputs"],
        "distinct_2_inputs": measured["distinct_2_inputs"],
        "distinct_1_answers": measured["distinct_1_answers"],
        "distinct_2_answers": measured["distinct_2_answers"],
        "compression_ratio": measured["compression_ratio"],
        "mean_cosine": measured["mean_cosine"],
        "cluster_count": len(clusters),
        "balance": bal["entropy"],
        "effective_clusters": bal["effective"],
        "largest_cluster_share": bal["largest_share"],
        "silhouette": top.clustering.silhouette if top.clustering is not None else None,
        "clusters": clusters,
    }
    task = infer_task(ft, task_params(config))
    if task.labels is not None:
        counts = task.labels.counts()
        order = np.lexsort((np.array(task.labels.names, dtype=object), -counts))
        profile["labels"] = {
            "source": task.labels.source,
            "counts": {task.labels.names[i]: int(counts[i]) for i in order},
            **{f"label_{k}": v for k, v in balance(counts).items()},
        }
    ft.derived.diversity = profile
    return profile


#: (profile key, label, fail setting, warn setting, +1 when high is bad / -1 when low is bad).
#: The two lexical measures both count repeated n-grams; the two semantic ones look at
#: whole inputs. A verdict of "templated" needs the two families to agree.
LEXICAL = (
    ("distinct_2_inputs", "distinct-2 of inputs", "fail_distinct_2", "warn_distinct_2", -1),
    ("compression_ratio", "compression ratio", "fail_compression", "warn_compression", -1),
)
SEMANTIC = (
    ("mean_cosine", "mean pairwise cosine", "fail_cosine", "warn_cosine", 1),
    ("near_duplicate_rate", "near-duplicate rate", "fail_redundancy", "warn_redundancy", 1),
)


def _judge(profile: dict[str, Any], s: CoverageSettings) -> tuple[str, list[str]]:
    """The verdict (pass/warn/fail) and the evidence: measures past their thresholds."""
    failed: dict[str, list[str]] = {"lexical": [], "semantic": []}
    borderline: list[str] = []
    for family, measures in (("lexical", LEXICAL), ("semantic", SEMANTIC)):
        for key, label, fail_key, warn_key, sign in measures:
            value = profile.get(key)
            if value is None:
                continue
            fail, warn = getattr(s, fail_key), getattr(s, warn_key)
            op = "<" if sign < 0 else ">"
            if (value - fail) * sign > 0:
                failed[family].append(f"{label} {value:g} ({op} {fail:g})")
            elif (value - warn) * sign > 0:
                borderline.append(f"{label} {value:g} ({op} {warn:g})")
    redundancy = profile.get("near_duplicate_rate") or 0.0
    evidence = failed["lexical"] + failed["semantic"] + borderline
    if (failed["lexical"] and failed["semantic"]) or redundancy > s.fail_redundancy:
        return "fail", evidence
    if failed["lexical"] or failed["semantic"] or len(borderline) >= 2:
        return "warn", evidence
    if redundancy > s.warn_redundancy:
        return "warn", evidence
    return "pass", evidence


def _media_share(ft: FeatureTable) -> float:
    """Share of examples that show the model images, video or audio."""
    if ft.n == 0 or "hash_media" not in ft:
        return 0.0
    from ftprep.similarity.normalize import hash64

    return float(np.mean(ft["hash_media"] != np.uint64(hash64(""))))


@dataset_check(
    "diverse.coverage",
    "diverse",
    "warning",
    "the inputs look templated rather than varied",
    settings=CoverageSettings,
    needs=NEEDS,
)
def coverage(ft: FeatureTable, settings: CoverageSettings, ctx: DatasetContext) -> CheckResult:
    """Inputs look templated (fill-in-the-blanks) rather than varied.

    What: four measures of the user inputs, on a deterministic sample of at most
    `sample_size`: distinct-2 (unique word pairs ÷ all word pairs, on at most 1,000 inputs),
    the zlib compression ratio of those inputs, the mean pairwise cosine similarity of
    their TF-IDF vectors, and the near-duplicate rate (share of examples that are a near
    copy of another). The inputs are also embedded (TF-IDF + SVD) and clustered
    (k-means, k chosen by silhouette); clusters are named by their top terms and
    listed in the report with their sizes.
    Why: a model finetuned on one template with swapped names learns the template, not the
    task; it fails on the phrasings real users send. Varied writing has most word pairs
    unique and compresses poorly; a template repeats itself.
    Threshold: "templated" when a lexical measure (distinct-2 below `fail_distinct_2` 0.30,
    or compression ratio below `fail_compression` 0.20) and a semantic one (mean cosine above
    `fail_cosine` 0.10, or near-duplicate rate above `fail_redundancy` 0.5) agree, or the
    near-duplicate rate alone exceeds `fail_redundancy`; "may be too uniform" when one
    family fails, two measures pass their warn thresholds (0.45, 0.28, 0.06, 0.2), or the
    near-duplicate rate exceeds `warn_redundancy`. No verdict below `min_examples` (20)
    inputs. A preamble most inputs carry above their own request (a tool description, a
    shared instruction: lines at least 1% of the multi-line inputs repeat) is set aside
    before measuring, so different requests under one preamble are not "templated".
    Severity: both verdicts are warnings (`diversity_verdict` in the metrics says which).
    Narrow data is not certainly harmful — an identity set or a fixed-form task is narrow by
    design (FastChat's 500 identity conversations are meant to be mixed into a larger set) —
    so it never makes the data "not ready" on its own; raise it with
    `[tool.ftprep.checks."diverse.coverage"] severity = "error"` to gate on it.
    Fix: collect real inputs (logs, tickets, questions users asked), vary the phrasing,
    length and topic; the clusters in the report show which topics dominate and which are
    missing.
    """
    config = ctx.config
    if ft.n < settings.min_examples:
        return CheckResult(
            status="skipped",
            summary=f"{ft.n} examples: too few to judge diversity (< {settings.min_examples})",
            metrics={"examples": ft.n},
        )
    profile = diversity_profile(ft, settings, config)
    verdict, found = _judge(profile, settings)
    metrics = {
        k: profile[k]
        for k in (
            "distinct_2_inputs",
            "compression_ratio",
            "mean_cosine",
            "near_duplicate_rate",
            "cluster_count",
            "effective_clusters",
            "largest_cluster_share",
            "sampled",
            "sample_size",
        )
    }
    metrics["diversity_verdict"] = verdict
    sample = f" (sample of {profile['sample_size']})" if profile["sampled"] else ""
    summary = (
        f"{profile['cluster_count']} topic clusters{sample}, effective "
        f"{profile['effective_clusters']:g}, largest {profile['largest_cluster_share']:.0%}; "
        f"distinct-2 {profile['distinct_2_inputs']}, near-duplicates "
        f"{profile['near_duplicate_rate']:.0%}"
    )
    if verdict == "pass":
        return CheckResult(metrics=metrics, summary=summary)
    evidence = "; ".join(found)
    if verdict == "fail" and _media_share(ft) > 0.5:
        # Visual QA asks "What colour is the car?" of a thousand photos: the variety is in
        # the media, which text measures cannot see, so uniform text is worth a look only.
        message = f"the text of the inputs is uniform (most examples carry media): {evidence}"
        return CheckResult(metrics=metrics, summary=summary, message=message, severity="warning")
    if verdict == "fail":
        message = f"the inputs look templated: {evidence}"
        return CheckResult(metrics=metrics, summary=summary, message=message, severity="warning")
    message = f"the inputs may be too uniform: {evidence}"
    return CheckResult(metrics=metrics, summary=summary, message=message, severity="warning")


class ClusterBalanceSettings(CheckSettings):
    max_share: float = Field(0.8, gt=0, le=1, description="largest cluster's share above")
    min_examples: int = Field(200, ge=2, description="judge only from this many inputs")


@dataset_check(
    "diverse.cluster_balance",
    "diverse",
    "warning",
    "one topic dominates the inputs",
    settings=ClusterBalanceSettings,
    needs=NEEDS,
)
def cluster_balance(
    ft: FeatureTable, settings: ClusterBalanceSettings, ctx: DatasetContext
) -> CheckResult:
    """One topic cluster dominates the inputs.

    What: the share of the (sampled) inputs in the largest topic cluster found by
    `diverse.coverage`, with the cluster's name (its top terms).
    Why: a dataset that is mostly one kind of request teaches the model that kind; the
    rest of what users send is under-represented and will be handled worse.
    Threshold: warning when the largest cluster holds more than `max_share` (0.8) of at
    least `min_examples` (200) inputs (on fewer, clusters of short texts are too noisy).
    Fix: add examples for the other topics, or down-sample the dominant one.
    """
    config = ctx.config
    cov = config.check_settings("diverse.coverage", CoverageSettings) if config else None
    if ft.n < settings.min_examples:
        return CheckResult()
    profile = diversity_profile(ft, cov or CoverageSettings.model_validate({}), config)
    clusters = profile["clusters"]
    if len(clusters) < 2 or profile["largest_cluster_share"] <= settings.max_share:
        return CheckResult()
    top = clusters[0]
    return CheckResult(
        message=f"the cluster '{top['name']}' holds {profile['largest_cluster_share']:.0%} "
        f"of the inputs (> {settings.max_share:.0%})"
    )


class LabelBalanceSettings(CheckSettings):
    min_per_label: int = Field(10, ge=1, description="warn for labels with fewer examples")
    min_ratio: float = Field(
        0.1, ge=0, le=1, description="smallest ÷ largest label count below this warns"
    )


@dataset_check(
    "diverse.label_balance",
    "diverse",
    "warning",
    "{count} examples belong to labels with too few examples",
    settings=LabelBalanceSettings,
    needs=("answers",),
)
def label_balance(
    ft: FeatureTable, settings: LabelBalanceSettings, ctx: DatasetContext
) -> CheckResult:
    """Classification labels are unbalanced or some have too few examples.

    What: for classification-style data (metadata labels, or few distinct short answers;
    see docs/evaluation.md), the count of examples per label. Every example of a label
    with fewer than `min_per_label` examples is listed.
    Why: a label seen a handful of times is barely learned, and a heavily skewed set
    teaches the model to answer the majority label; accuracy then hides the failure.
    Threshold: warning for labels with fewer than `min_per_label` (10) examples, or when
    the smallest label has fewer than `min_ratio` (0.1) times the largest's examples.
    Fix: collect more examples of the rare labels, merge labels that mean the same, or
    report macro-F1 rather than accuracy.
    """
    task = infer_task(ft, task_params(ctx.config))
    labels = task.labels
    if labels is None or not labels.names:
        return CheckResult()
    counts = labels.counts()
    metrics: dict[str, Any] = {"labels": len(labels.names), "label_source": labels.source}
    rare = np.flatnonzero(counts < settings.min_per_label)
    flags = [
        Flag(
            int(r),
            f"label '{labels.names[labels.index[r]]}' has only {counts[labels.index[r]]} examples",
            fixable=False,
        )
        for r in np.flatnonzero(np.isin(labels.index, rare))
    ]
    ratio = counts.min() / counts.max() if counts.max() else 1.0
    metrics["label_ratio"] = round(float(ratio), 4)
    problems = []
    if len(rare):
        problems.append(
            f"{plural(len(rare), 'label has', 'labels have')} fewer than "
            f"{plural(settings.min_per_label, 'example')}"
        )
    if ratio < settings.min_ratio:
        small, big = int(np.argmin(counts)), int(np.argmax(counts))
        problems.append(
            f"'{labels.names[small]}' has {counts[small]} examples vs "
            f"{counts[big]} for '{labels.names[big]}'"
        )
    summary = f"{plural(len(labels.names), 'label')} ({labels.source})"
    if not problems:
        return CheckResult(metrics=metrics, summary=summary)
    return CheckResult(flags=flags, metrics=metrics, summary=summary, message="; ".join(problems))

"""The metrics ftprep knows, which task each fits, and trivial baselines.

A metric name is what a user declares (``--metric accuracy``, ``metric = "field_f1"`` in the
config); any other name is accepted as the user's own metric, which ftprep cannot check
against the data. docs/evaluation.md explains each one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftprep.evaluation.tasks import Labels, Task


@dataclass(frozen=True)
class Metric:
    name: str
    tasks: tuple[Task, ...]
    description: str


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "accuracy",
            ("classification",),
            "share of validation examples whose predicted label equals the reference",
        ),
        Metric(
            "macro_f1",
            ("classification",),
            "F1 per label, averaged with equal weight, so rare labels count as much as common",
        ),
        Metric(
            "exact_match",
            ("classification", "extraction", "generation"),
            "share of answers identical to the reference after whitespace/case normalisation",
        ),
        Metric(
            "json_validity",
            ("extraction",),
            "share of answers that parse as JSON with the reference's top-level keys",
        ),
        Metric(
            "field_f1",
            ("extraction",),
            "F1 over (field path, value) pairs of predicted vs reference JSON",
        ),
        Metric(
            "tool_name_match",
            ("tool_calling",),
            "share of turns where the model calls the same function as the reference",
        ),
        Metric(
            "tool_args_match",
            ("tool_calling",),
            "share of calls whose parsed JSON arguments equal the reference's",
        ),
        Metric(
            "validation_loss",
            ("generation", "classification", "extraction", "tool_calling"),
            "the trainer's loss on the held-out validation set (lower is better)",
        ),
        Metric(
            "rubric",
            ("generation",),
            "a judge (human or model) scores answers against a written rubric",
        ),
        Metric(
            "chrf",
            ("generation",),
            "character n-gram F-score with the reference (sacrebleu's chrF), robust to "
            "inflection and any script",
        ),
        Metric(
            "rouge_l",
            ("generation",),
            "longest-common-subsequence overlap with the reference (summaries, rewrites)",
        ),
    )
}

#: What ftprep proposes for each task, in order of preference.
PROPOSALS: dict[Task, tuple[str, ...]] = {
    "classification": ("accuracy", "macro_f1"),
    "extraction": ("json_validity", "field_f1"),
    "tool_calling": ("tool_name_match", "tool_args_match"),
    "generation": ("validation_loss", "rubric"),
}


def parse_declared(value: str | None) -> list[str]:
    """``"accuracy, macro_f1"`` -> ``["accuracy", "macro_f1"]`` (lowercase, deduplicated)."""
    if not value:
        return []
    out: list[str] = []
    for part in value.split(","):
        name = part.strip().lower().replace("-", "_")
        if name and name not in out:
            out.append(name)
    return out


def majority_baseline(
    labels: Labels, train_rows: np.ndarray, validation_index: np.ndarray
) -> dict[str, float | str] | None:
    """Accuracy and macro-F1 on validation of always answering train's most common label.

    ``validation_index`` holds the validation examples' label indexes (in ``labels.names``;
    -1 for none). None when either side has no labelled example.
    """
    train_counts = labels.counts(train_rows)
    val = validation_index[validation_index >= 0]
    if train_counts.sum() == 0 or len(val) == 0:
        return None
    majority = int(np.argmax(train_counts))  # ties: the first name in sorted order
    hits = val == majority
    accuracy = float(hits.mean())
    present = np.unique(np.r_[val, majority])
    f1_majority = 2 * accuracy / (1 + accuracy) if accuracy > 0 else 0.0
    return {
        "label": labels.names[majority],
        "accuracy": round(accuracy, 4),
        "macro_f1": round(f1_majority / len(present), 4),
    }

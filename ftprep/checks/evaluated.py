"""Checks for the *evaluated* item: a clear metric, and a validation set that can measure it."""

from __future__ import annotations

import numpy as np
from pydantic import ConfigDict, Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, dataset_check
from ftprep.evaluation.metrics import METRICS, PROPOSALS, majority_baseline, parse_declared
from ftprep.evaluation.tasks import TaskParams, infer_task
from ftprep.features import FeatureTable
from ftprep.split.view import split_view


class MetricSettings(CheckSettings, TaskParams):
    model_config = ConfigDict(extra="forbid")

    min_validation: int = Field(
        50, ge=1, description="validation examples needed to measure the metric"
    )
    min_per_label: int = Field(
        3, ge=0, description="classification: validation examples needed per label"
    )


@dataset_check(
    "evaluated.metric",
    "evaluated",
    "warning",
    "no clear metric, or too small a validation set to measure it",
    settings=MetricSettings,
    needs=("answers",),
    after_split=True,
)
def metric(ft: FeatureTable, settings: MetricSettings, ctx: DatasetContext) -> CheckResult:
    """No clear metric, or the validation set is too small to measure it.

    What: infers the task from the answers: tool calling (assistant tool calls), structured
    extraction (JSON answers), classification (metadata labels, or few distinct short
    answers: fewer than a third of the examples, at most `max_labels`, each at most
    `max_label_chars` characters) or free-form generation. It proposes the metrics that fit
    (accuracy and macro-F1; JSON validity and field-level F1; tool name and argument match;
    validation loss plus a judged rubric), takes the metric you declare (`--metric`,
    `metric` in the config), and reports the majority-class baseline on the validation set
    (for tool calling: always calling the most common tool).
    Why: without a metric decided before training you cannot tell whether the finetune
    helped, or compare two runs; a baseline shows what "better than trivial" means.
    Threshold: pass when a metric is declared, or inferable (classification, extraction,
    tool calling), and validation has at least `min_validation` (50) examples (and, for
    classification, `min_per_label` (3) per label); warning otherwise, naming what is
    missing. Free-form generation needs a declared metric: validation loss alone says
    little about quality. Documents for continued pretraining (`{"text": ...}`) are measured
    by validation loss and need none.
    Fix: declare a metric with `--metric NAME` (see docs/evaluation.md), raise
    `--validation-fraction` or add data.
    """
    config = ctx.config
    task = infer_task(ft, settings)  # memoised by its thresholds: the split's inference
    declared = parse_declared(getattr(config, "metric", None))
    proposed = list(PROPOSALS[task.task])
    metrics: dict[str, object] = {
        "task": task.task,
        "task_evidence": task.evidence,
        "proposed_metrics": proposed,
        "declared_metrics": declared,
        **{f"share_{k}": v for k, v in task.shares.items()},
    }
    missing: list[str] = []
    notes: list[str] = []
    mismatched = [m for m in declared if m in METRICS and task.task not in METRICS[m].tasks]
    if mismatched:
        notes.append(
            f"declared {', '.join(mismatched)} does not fit {task.task.replace('_', ' ')} data"
        )
    custom = [m for m in declared if m not in METRICS]
    if custom:
        metrics["custom_metrics"] = custom
    documents = ft.n > 0 and "kind" in ft and all(k == "text" for k in ft["kind"])
    if documents:
        # continued pretraining is measured by held-out loss, which every trainer reports
        metrics["documents"] = "continued pretraining: measured by validation loss (perplexity)"
    elif not declared and task.task == "generation":
        missing.append("a declared metric (free-form answers: e.g. --metric rubric)")
    view = split_view(ft, ctx)
    n_val = len(view.validation_rows) if view is not None else 0
    metrics["validation_examples"] = n_val
    if n_val < settings.min_validation:
        missing.append(f"a larger validation set ({n_val} < {settings.min_validation} examples)")
    if view is not None and task.labels is not None and task.task == "classification":
        val_idx = view.validation_labels(task.labels)
        baseline = majority_baseline(task.labels, view.train_rows, val_idx)
        if baseline is not None:
            metrics["baseline"] = {"kind": "majority_class", **baseline}
        counts = np.bincount(val_idx[val_idx >= 0], minlength=len(task.labels.names))
        thin = [task.labels.names[i] for i in np.flatnonzero(counts < settings.min_per_label)]
        if thin:
            metrics["labels_below_min_in_validation"] = thin
            missing.append(
                f"at least {settings.min_per_label} validation examples for each label "
                f"({len(thin)} below: {', '.join(thin[:5])}{' …' if len(thin) > 5 else ''})"
            )
    elif view is not None and task.task == "tool_calling":
        tool_baseline = _tool_baseline(view)
        if tool_baseline is not None:
            metrics["baseline"] = tool_baseline
    chosen = declared or ([] if task.task == "generation" else proposed)
    summary = f"{task.task.replace('_', ' ')} ({task.evidence}); metric: " + (
        ", ".join(chosen) + (" (declared)" if declared else " (proposed)")
        if chosen
        else f"none declared (proposed: {', '.join(proposed)})"
    )
    if "baseline" in metrics:
        b = metrics["baseline"]
        summary += f"; majority baseline accuracy {b['accuracy']:.1%}"  # type: ignore[index]
    if not missing and not notes:
        return CheckResult(metrics=metrics, summary=summary, status="pass")
    message = "; ".join([*(f"missing {m}" for m in missing), *notes])
    return CheckResult(metrics=metrics, summary=summary, message=message, status="warn")


def _tool_baseline(view: object) -> dict[str, object] | None:
    """Accuracy on validation of always calling train's most common tool."""
    from ftprep.split.view import SplitView

    assert isinstance(view, SplitView)
    train_names = [view.train["tool_name"][r] for r in view.train_rows]
    val_names = [view.validation["tool_name"][r] for r in view.validation_rows]
    known = sorted({n for n in train_names if n is not None})
    if not known or not any(n is not None for n in val_names):
        return None
    counts = {name: 0 for name in known}
    for name in train_names:
        if name is not None:
            counts[name] += 1
    majority = max(known, key=lambda k: (counts[k], -known.index(k)))
    scored = [n for n in val_names if n is not None]
    accuracy = sum(n == majority for n in scored) / len(scored)
    return {"kind": "majority_tool", "label": majority, "accuracy": round(accuracy, 4)}

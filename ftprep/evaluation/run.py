"""``ftprep evaluate``: score each model's answers on the validation file, side by side.

The flow: read the references (any layout ftprep loads) and each predictions file, pair
them (:mod:`~ftprep.evaluation.predictions`), infer the task from the reference answers (or
take the declared metric), score every model and the majority baseline with each metric
(:mod:`~ftprep.evaluation.scoring`), resample once for all of them (paired bootstrap,
:mod:`~ftprep.evaluation.bootstrap`), and answer the question the checklist's *evaluated*
item asks: is the finetuned model better than the base model by more than the noise?
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ftprep.errors import ConfigError, InputError
from ftprep.evaluation.answers import Answer
from ftprep.evaluation.bootstrap import Interval, bootstrap, difference
from ftprep.evaluation.metrics import parse_declared
from ftprep.evaluation.predictions import (
    References,
    align,
    read_predictions,
    read_references,
)
from ftprep.evaluation.result import (
    Baseline,
    Breakdown,
    BreakdownRow,
    Comparison,
    Disagreement,
    EvaluationReport,
    JudgeSummary,
    ModelScores,
    ReferenceInfo,
    Score,
)
from ftprep.evaluation.scoring import (
    COMPUTABLE,
    EVALUATE_DEFAULTS,
    Scored,
    check_metrics,
    parse_json,
    score,
)
from ftprep.evaluation.tasks import TaskParams
from ftprep.loaders import LoadOptions
from ftprep.loaders.source import sha256_file
from ftprep.masking import excerpt
from ftprep.version import __version__

#: Examples listed where the models disagree most.
DISAGREEMENTS = 10
#: Rows of the per-label / per-field / per-tool breakdown.
BREAKDOWN_ROWS = 30
BASELINE = "majority baseline"


@dataclass(frozen=True)
class EvaluateOptions:
    """What ``ftprep evaluate`` was asked for, beyond the files."""

    metrics: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    seed: int = 42
    resamples: int = 1000
    train: Path | None = None
    judge_file: Path | None = None
    load: LoadOptions | None = None


def infer_task(answers: Sequence[Answer], params: TaskParams) -> tuple[str, str]:
    """Task and evidence from reference answers, with the thresholds ``validate`` uses."""
    n = len(answers)
    if n == 0:
        return "generation", "no reference answers"
    tool = sum(bool(a.calls) for a in answers) / n
    if tool >= params.min_share:
        return "tool_calling", f"{tool:.0%} of reference answers call a tool"
    js = sum(parse_json(a.text)[0] for a in answers) / n
    if js >= params.min_share:
        return "extraction", f"{js:.0%} of reference answers are JSON objects or arrays"
    short = [
        a.normalized
        for a in answers
        if len(a.text) <= params.max_label_chars and "\n" not in a.text
    ]
    distinct = len(set(short))
    if (
        len(short) / n >= params.min_short_share
        and 2 <= distinct <= params.max_labels
        and distinct < n / 3
    ):
        return "classification", f"{distinct} distinct short answers across {n} examples"
    return "generation", "reference answers are free-form text"


def _names(paths: Sequence[Path], given: Sequence[str]) -> list[str]:
    if given:
        if len(given) != len(paths):
            raise ConfigError(f"{len(given)} --name values for {len(paths)} predictions files")
        names = list(given)
    else:
        names = [p.name.split(".")[0] or p.name for p in paths]
        if len(set(names)) < len(names):
            names = [str(p) for p in paths]
    if len(set(names)) < len(names) or BASELINE in names:
        raise ConfigError(f"model names must be distinct: {', '.join(names)} (use --name)")
    return names


def _metrics(declared: Sequence[str], task: str) -> list[str]:
    if declared:
        check_metrics(declared)
        return list(declared)
    return list(EVALUATE_DEFAULTS[task])


def _majority(
    refs: Sequence[Answer], train: Path | None, load: LoadOptions | None
) -> tuple[Answer, str] | None:
    """The most common answer of the training file (or, without one, of the references)."""
    pool: Sequence[Answer] = refs
    source = "references"
    if train is not None:
        pool = [r.answer for r in read_references(train, load).items if r.answer is not None]
        source = "train"
    counts = Counter(a.normalized for a in pool)
    if not counts:
        return None
    top = min(counts, key=lambda k: (-counts[k], k))
    first = next(a for a in pool if a.normalized == top)
    return first, source


def _score(interval: Interval) -> Score:
    return Score(value=interval.value, low=interval.low, high=interval.high)


def _breakdown(
    task: str, refs: Sequence[Answer], preds: dict[str, list[Answer]]
) -> Breakdown | None:
    if task == "classification":
        return _label_breakdown(refs, preds)
    if task == "extraction":
        return _field_breakdown(refs, preds)
    if task == "tool_calling":
        return _tool_breakdown(refs, preds)
    return None


def _label_breakdown(refs: Sequence[Answer], preds: dict[str, list[Answer]]) -> Breakdown:
    ref_norm = [r.normalized for r in refs]
    support = Counter(ref_norm)
    shown = {r.normalized: r.text for r in refs}
    rows = []
    for label in sorted(support, key=lambda k: (-support[k], k))[:BREAKDOWN_ROWS]:
        scores = {}
        for name, answers in preds.items():
            pred_norm = [p.normalized for p in answers]
            tp = sum(r == label and p == label for r, p in zip(ref_norm, pred_norm, strict=True))
            predicted = sum(p == label for p in pred_norm)
            scores[name] = round(2 * tp / (support[label] + predicted), 4)
        rows.append(
            BreakdownRow(key=excerpt(shown[label], 60), support=support[label], scores=scores)
        )
    return Breakdown(kind="label", measure="F1 of the label", rows=rows)


def _field_breakdown(refs: Sequence[Answer], preds: dict[str, list[Answer]]) -> Breakdown:
    ref_values = [parse_json(r.text)[1] for r in refs]
    fields = Counter(k for v in ref_values if isinstance(v, dict) for k in v)
    rows = []
    for key in sorted(fields, key=lambda k: (-fields[k], k))[:BREAKDOWN_ROWS]:
        scores = {}
        for name, answers in preds.items():
            hits = 0
            for ref, pred in zip(ref_values, answers, strict=True):
                if not isinstance(ref, dict) or key not in ref:
                    continue
                value = parse_json(pred.text)[1]
                if isinstance(value, dict) and key in value:
                    hits += json.dumps(value[key], sort_keys=True) == json.dumps(
                        ref[key], sort_keys=True
                    )
            scores[name] = round(hits / fields[key], 4)
        rows.append(BreakdownRow(key=excerpt(str(key), 60), support=fields[key], scores=scores))
    return Breakdown(
        kind="field", measure="share of examples with the field's value right", rows=rows
    )


def _tool_breakdown(refs: Sequence[Answer], preds: dict[str, list[Answer]]) -> Breakdown:
    first = [r.calls[0][0] if r.calls else "(no call)" for r in refs]
    support = Counter(first)
    rows = []
    for tool in sorted(support, key=lambda k: (-support[k], k))[:BREAKDOWN_ROWS]:
        scores = {}
        for name, answers in preds.items():
            hits = sum(
                f == tool and sorted(r.calls) == sorted(p.calls)
                for f, r, p in zip(first, refs, answers, strict=True)
            )
            scores[name] = round(hits / support[tool], 4)
        rows.append(BreakdownRow(key=excerpt(tool, 60), support=support[tool], scores=scores))
    return Breakdown(kind="tool", measure="share of calls with name and arguments right", rows=rows)


def _shown(answer: Answer) -> str:
    if answer.calls:
        calls = "; ".join(f"{n}({a})" for n, a in answer.calls)
        return excerpt(f"{answer.text} {calls}".strip(), 160)
    return excerpt(answer.text, 160) if answer.text else "(empty)"


def _disagreements(
    rows: Sequence[tuple[int, str | None]],
    refs: Sequence[Answer],
    preds: dict[str, list[Answer]],
    primary: dict[str, Scored],
) -> list[Disagreement]:
    if len(preds) < 2:
        return []
    values = np.vstack([primary[name].per_example() for name in preds])
    spread = values.max(axis=0) - values.min(axis=0)
    order = np.lexsort((np.arange(len(spread)), -spread))
    out = []
    for i in order[:DISAGREEMENTS]:
        if spread[i] <= 0:
            break
        line, ref_id = rows[i]
        out.append(
            Disagreement(
                line=line,
                id=ref_id,
                reference=_shown(refs[i]),
                predictions={name: _shown(answers[i]) for name, answers in preds.items()},
                scores={name: round(float(values[k, i]), 4) for k, name in enumerate(preds)},
            )
        )
    return out


def _judge(path: Path, refs: References, options: EvaluateOptions) -> JudgeSummary:
    """Summarise externally produced rubric scores (``{"model", "score", "id"|"line"}``
    rows) like any metric: mean per model with a paired bootstrap interval."""
    by_model: dict[str, dict[str, float]] = {}
    for p in read_predictions_rows(path):
        by_model.setdefault(p[0], {})[p[1]] = p[2]
    if not by_model:
        raise InputError(str(path), "no judge scores")
    keys = set.intersection(*(set(v) for v in by_model.values()))
    ordered = sorted(keys, key=lambda k: (len(k), k))
    if not ordered:
        raise InputError(str(path), "no example has a score from every judged model")
    scored = [
        Scored("judge", values=np.array([scores[k] for k in ordered], dtype=float))
        for scores in by_model.values()
    ]
    intervals, samples = bootstrap(scored, resamples=options.resamples, seed=options.seed)
    names = list(by_model)
    comparisons = []
    for i in range(1, len(names)):
        diff, verdict = difference(scored[0], scored[i], samples[0], samples[i])
        comparisons.append(
            Comparison(
                model=names[i],
                against=names[0],
                metric="judge",
                difference=_score(diff),
                verdict=verdict,
            )
        )
    return JudgeSummary(
        path=str(path),
        examples=len(ordered),
        scores={n: _score(iv) for n, iv in zip(names, intervals, strict=True)},
        comparisons=comparisons,
    )


def read_predictions_rows(path: Path) -> list[tuple[str, str, float]]:
    """``(model, key, score)`` per judge row; the key is the row's id, line or position
    within its model."""
    from ftprep.loaders.readers import container_of, read_container

    out: list[tuple[str, str, float]] = []
    seen: Counter[str] = Counter()
    if not path.is_file():
        raise InputError(str(path), "no such judge file")
    for raw in read_container(path, container_of(path)):
        if raw.error is not None:
            raise InputError(str(path), f"line {raw.line}: {raw.error.message}")
        row = raw.value
        ok = isinstance(row, dict) and isinstance(row.get("model"), str)
        value = row.get("score") if isinstance(row, dict) else None
        if not ok or isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                str(path),
                f'line {raw.line}: judge rows look like {{"model": "base", "id": 3, "score": 4}}',
            )
        if not np.isfinite(value):
            raise InputError(str(path), f"line {raw.line}: score must be a finite number")
        model = row["model"]
        if row.get("id") is not None:
            key = f"id:{row['id']}"
        elif row.get("line") is not None:
            key = f"line:{row['line']}"
        else:
            key = f"#{seen[model]}"
        seen[model] += 1
        out.append((model, key, float(value)))
    return out


def _answer(
    report_models: list[str],
    primary: str,
    comparisons: list[Comparison],
    scores: dict[str, Score],
    baseline: Baseline | None,
) -> str:
    last = report_models[-1]
    s = scores[last]
    text = f"{last} scores {s.value:.3f} on {primary} (95% CI {s.low:.3f}–{s.high:.3f})"
    if len(report_models) > 1:
        first = report_models[0]
        c = next(
            c for c in comparisons if c.model == last and c.against == first and c.metric == primary
        )
        d = c.difference
        half = (d.high - d.low) / 2
        if c.verdict == "better":
            text = f"{last} beats {first} on {primary} by {d.value:.3f} ± {half:.3f}"
        elif c.verdict == "worse":
            text = f"{last} is worse than {first} on {primary} by {-d.value:.3f} ± {half:.3f}"
        else:
            text = (
                f"{last} and {first} differ by {d.value:+.3f} on {primary}, within the noise "
                f"(95% CI {d.low:+.3f} to {d.high:+.3f})"
            )
    if baseline is not None and primary in baseline.scores:
        text += f"; the majority baseline scores {baseline.scores[primary].value:.3f}"
    return text + "."


def evaluate(
    reference: Path, predictions: Sequence[Path], options: EvaluateOptions
) -> EvaluationReport:
    """Score every predictions file against ``reference``; see the module docstring."""
    if options.resamples < 100:
        raise ConfigError("--resamples must be at least 100 for a 95% interval")
    if not predictions and options.judge_file is None:
        raise ConfigError("give at least one predictions file (or --judge-file)")
    refs = read_references(reference, options.load)
    names = _names(predictions, options.names)
    paired = {
        name: align(refs, read_predictions(path), path)
        for name, path in zip(names, predictions, strict=True)
    }
    keep = [i for i, r in enumerate(refs.items) if r.answer is not None]
    ref_answers = [refs.items[i].answer for i in keep]
    assert all(a is not None for a in ref_answers)
    ref_list: list[Answer] = [a for a in ref_answers if a is not None]
    preds = {name: [answers[i] for i in keep] for name, answers in paired.items()}
    rows = [(refs.items[i].line, refs.items[i].id) for i in keep]

    declared = parse_declared(",".join(options.metrics)) if options.metrics else []
    task, evidence = infer_task(ref_list, TaskParams())
    metrics = _metrics(declared, task)
    if declared:
        evidence += f"; metrics declared: {', '.join(declared)}"
    primary = metrics[0]

    majority = (
        _majority(ref_list, options.train, options.load) if task == "classification" else None
    )
    contenders = dict(preds)
    if majority is not None:
        contenders[BASELINE] = [majority[0]] * len(ref_list)

    model_scores: dict[str, dict[str, Score]] = {name: {} for name in contenders}
    comparisons: list[Comparison] = []
    primary_scored: dict[str, Scored] = {}
    for metric in metrics:
        scored = [score(metric, ref_list, answers) for answers in contenders.values()]
        if not ref_list:
            break
        intervals, samples = bootstrap(scored, resamples=options.resamples, seed=options.seed)
        for name, s, iv in zip(contenders, scored, intervals, strict=True):
            model_scores[name][metric] = _score(iv)
            if metric == primary:
                primary_scored[name] = s
        order = list(contenders)
        for i, name in enumerate(order):
            if name == BASELINE:
                continue
            against = [order[0]] if i > 0 else []
            if majority is not None and metric == primary:
                against.append(BASELINE)
            for other in against:
                j = order.index(other)
                diff, verdict = difference(scored[j], scored[i], samples[j], samples[i])
                comparisons.append(
                    Comparison(
                        model=name,
                        against=other,
                        metric=metric,
                        difference=_score(diff),
                        verdict=verdict,
                    )
                )
    if not ref_list:
        raise InputError(str(reference), "no reference example has an answer to compare with")

    baseline = None
    if majority is not None:
        baseline = Baseline(
            answer=excerpt(majority[0].text, 60),
            source=majority[1],
            scores=model_scores.pop(BASELINE),
        )
    models = [
        ModelScores(name=name, path=str(path), sha256=sha256_file(path), scores=model_scores[name])
        for name, path in zip(names, predictions, strict=True)
    ]
    judge = _judge(options.judge_file, refs, options) if options.judge_file is not None else None
    answer = (
        _answer(names, primary, comparisons, {m.name: m.scores[primary] for m in models}, baseline)
        if models
        else "no predictions scored; see the judge scores."
    )
    return EvaluationReport(
        ftprep_version=__version__,
        reference=ReferenceInfo(
            path=str(reference), sha256=refs.sha256, examples=len(refs.items), scored=len(keep)
        ),
        task=task,
        task_evidence=evidence,
        metrics=metrics,
        primary=primary,
        seed=options.seed,
        resamples=options.resamples,
        models=models,
        baseline=baseline,
        comparisons=comparisons,
        breakdown=_breakdown(task, ref_list, preds) if preds else None,
        disagreements=_disagreements(rows, ref_list, preds, primary_scored),
        judge=judge,
        answer=answer,
    )


def improved(report: EvaluationReport) -> bool:
    """Did the last model beat the first (or, alone, the majority baseline) on the primary
    metric beyond the noise? What ``--fail-unless-better`` gates on."""
    if not report.models:
        return False
    last = report.models[-1].name
    against = report.models[0].name if len(report.models) > 1 else "majority baseline"
    return any(
        c.model == last
        and c.against == against
        and c.metric == report.primary
        and c.verdict == "better"
        for c in report.comparisons
    )


__all__ = ["COMPUTABLE", "EvaluateOptions", "evaluate", "improved", "infer_task"]

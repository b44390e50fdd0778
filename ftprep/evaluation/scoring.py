"""Scoring answers against references, one metric at a time, so any subset can be resampled.

Each metric turns (references, predictions) into a :class:`Scored`: per-example values whose
mean is the score (accuracy, exact match, JSON validity, field F1, tool-call matches, chrF,
ROUGE-L), or, for macro-F1, the label indexes from which any resample's corpus score is
recomputed exactly. Both let :mod:`ftprep.evaluation.bootstrap` score thousands of resamples
without scoring a text twice.

chrF and ROUGE-L come from sacrebleu and rouge-score (the implementations papers report),
imported only when a free-text metric is asked for. Scores are on a 0–1 scale throughout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ftprep.errors import ConfigError
from ftprep.evaluation.answers import Answer, canonical_json

#: What ``ftprep evaluate`` measures for each task when no metric is declared; the first
#: is the primary metric, the one the verdict is about.
EVALUATE_DEFAULTS: dict[str, tuple[str, ...]] = {
    "classification": ("macro_f1", "accuracy"),
    "extraction": ("field_f1", "json_validity"),
    "tool_calling": ("tool_args_match", "tool_name_match"),
    "generation": ("chrf", "rouge_l"),
}
#: Metrics a trainer or a judge produces, not a comparison of answers: where they come from.
NOT_FROM_ANSWERS = {
    "validation_loss": "validation loss comes from your trainer's logs",
    "rubric": "rubric scores come from a judge: pass them with --judge-file",
}


@dataclass
class Scored:
    """One model's scores on one metric: per-example values, or label indexes (macro-F1)."""

    metric: str
    values: np.ndarray | None = None  # float per example; the score is their mean
    ref_index: np.ndarray | None = None  # macro-F1: reference label index per example
    pred_index: np.ndarray | None = None  # macro-F1: predicted label index per example
    labels: tuple[str, ...] = ()

    def score(self, rows: np.ndarray | None = None) -> float:
        """The metric on ``rows`` (all examples by default; repeated rows count again)."""
        if self.values is not None:
            v = self.values if rows is None else self.values[rows]
            return float(v.mean()) if len(v) else 0.0
        assert self.ref_index is not None and self.pred_index is not None
        ref = self.ref_index if rows is None else self.ref_index[rows]
        pred = self.pred_index if rows is None else self.pred_index[rows]
        return _macro_f1(ref, pred, len(self.labels))

    def per_example(self) -> np.ndarray:
        """A 0–1 value per example (macro-F1: label correctness), to rank disagreements."""
        if self.values is not None:
            return self.values
        assert self.ref_index is not None and self.pred_index is not None
        return (self.ref_index == self.pred_index).astype(float)


def _macro_f1(ref: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over the labels present in references or predictions (as scikit-learn's
    ``f1_score(average="macro")``): per label 2·TP / (references + predictions)."""
    if len(ref) == 0:
        return 0.0
    tp = np.bincount(ref[ref == pred], minlength=k)
    denom = np.bincount(ref, minlength=k) + np.bincount(pred, minlength=k)
    present = denom > 0
    return float((2 * tp[present] / denom[present]).mean())


def _same_text(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    return np.fromiter(
        (r.normalized == p.normalized for r, p in zip(refs, preds, strict=True)),
        dtype=float,
        count=len(refs),
    )


def _labels(refs: Sequence[Answer], preds: Sequence[Answer], metric: str) -> Scored:
    ref_text = [r.normalized for r in refs]
    pred_text = [p.normalized for p in preds]
    names = tuple(sorted(set(ref_text) | set(pred_text)))
    pos = {n: i for i, n in enumerate(names)}
    return Scored(
        metric,
        ref_index=np.array([pos[t] for t in ref_text], dtype=np.int64),
        pred_index=np.array([pos[t] for t in pred_text], dtype=np.int64),
        labels=names,
    )


def parse_json(text: str) -> tuple[bool, Any]:
    """(True, value) when ``text`` is a JSON object or array (a fenced block is unwrapped)."""
    t = text.strip()
    fence = re.fullmatch(r"```[a-zA-Z]*\s*\n(.*)\n\s*```", t, re.S)
    if fence:
        t = fence.group(1).strip()
    if not t or t[0] not in "{[":
        return False, None
    try:
        value = json.loads(t)
    except ValueError:
        return False, None
    return isinstance(value, dict | list), value


def _json_valid(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    out = np.zeros(len(refs))
    for i, (r, p) in enumerate(zip(refs, preds, strict=True)):
        ok, value = parse_json(p.text)
        if not ok:
            continue
        ref_ok, ref_value = parse_json(r.text)
        if ref_ok and isinstance(ref_value, dict):
            out[i] = float(isinstance(value, dict) and set(ref_value) <= set(value))
        else:
            out[i] = 1.0
    return out


def leaves(value: Any, path: str = "") -> set[tuple[str, str]]:
    """(path, canonical value) for every leaf of a JSON value; list items are indexed."""
    if isinstance(value, dict):
        if not value:
            return {(path, "{}")}
        out: set[tuple[str, str]] = set()
        for key, sub in value.items():
            out |= leaves(sub, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        if not value:
            return {(path, "[]")}
        out = set()
        for i, sub in enumerate(value):
            out |= leaves(sub, f"{path}[{i}]")
        return out
    if isinstance(value, str):
        value = " ".join(value.split()).casefold()
    return {(path, canonical_json(value))}


def _field_f1(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    out = np.zeros(len(refs))
    for i, (r, p) in enumerate(zip(refs, preds, strict=True)):
        ref_ok, ref_value = parse_json(r.text)
        ok, value = parse_json(p.text)
        if not ref_ok:  # a reference that is not JSON: exact match is all one can ask
            out[i] = float(r.normalized == p.normalized)
            continue
        if not ok:
            continue
        want, got = leaves(ref_value), leaves(value)
        out[i] = 2 * len(want & got) / (len(want) + len(got)) if want or got else 1.0
    return out


def _tool_names(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    return np.fromiter(
        (
            sorted(n for n, _ in r.calls) == sorted(n for n, _ in p.calls)
            for r, p in zip(refs, preds, strict=True)
        ),
        dtype=float,
        count=len(refs),
    )


def _tool_args(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    return np.fromiter(
        (sorted(r.calls) == sorted(p.calls) for r, p in zip(refs, preds, strict=True)),
        dtype=float,
        count=len(refs),
    )


def _chrf(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    out = np.zeros(len(refs))
    for i, (r, p) in enumerate(zip(refs, preds, strict=True)):
        if not r.text and not p.text:
            out[i] = 1.0
        elif r.text and p.text:
            out[i] = chrf.sentence_score(p.text, [r.text]).score / 100.0
    return out


_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+", re.UNICODE
)


class _Tokenizer:
    """Words for ROUGE-L in any script: rouge-score's default keeps only ``[a-z0-9]`` and
    would score every Chinese or Cyrillic answer 0; CJK characters count one each."""

    def tokenize(self, text: str) -> list[str]:
        return _WORD.findall(text.casefold())


def _rouge_l(refs: Sequence[Answer], preds: Sequence[Answer]) -> np.ndarray:
    from rouge_score.rouge_scorer import RougeScorer

    scorer = RougeScorer(["rougeL"], tokenizer=_Tokenizer())
    out = np.zeros(len(refs))
    for i, (r, p) in enumerate(zip(refs, preds, strict=True)):
        if not r.text and not p.text:
            out[i] = 1.0
        elif r.text and p.text:
            out[i] = scorer.score(r.text, p.text)["rougeL"].fmeasure
    return out


_PER_EXAMPLE: dict[str, Callable[[Sequence[Answer], Sequence[Answer]], np.ndarray]] = {
    "accuracy": _same_text,
    "exact_match": _same_text,
    "json_validity": _json_valid,
    "field_f1": _field_f1,
    "tool_name_match": _tool_names,
    "tool_args_match": _tool_args,
    "chrf": _chrf,
    "rouge_l": _rouge_l,
}
#: Every metric ``ftprep evaluate`` computes from answers.
COMPUTABLE = (*_PER_EXAMPLE, "macro_f1")


def check_metrics(names: Sequence[str]) -> None:
    """Refuse metrics that cannot be computed from answers, saying where they come from."""
    for name in names:
        if name in COMPUTABLE:
            continue
        why = NOT_FROM_ANSWERS.get(name, "it is not a metric ftprep knows")
        raise ConfigError(
            f"cannot compute --metric {name} from answers: {why}; "
            f"ftprep evaluate computes {', '.join(sorted(COMPUTABLE))}"
        )


def score(metric: str, refs: Sequence[Answer], preds: Sequence[Answer]) -> Scored:
    """Score ``preds`` against ``refs`` (same length, same order) with ``metric``."""
    if metric == "macro_f1":
        return _labels(refs, preds, metric)
    check_metrics([metric])
    return Scored(metric, values=_PER_EXAMPLE[metric](refs, preds))


__all__ = [
    "COMPUTABLE",
    "EVALUATE_DEFAULTS",
    "Scored",
    "check_metrics",
    "leaves",
    "parse_json",
    "score",
]

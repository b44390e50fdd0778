"""Reading references and predictions, and pairing them example by example.

References are any input ftprep reads (usually the ``validation.jsonl`` that ``ftprep
split`` wrote); their answers are the final assistant turns. A predictions file holds one
model's answers, as chat records (the assistant turn is the prediction) or as rows
``{"prediction": ...}`` keyed by ``"id"`` (the reference record's ``id``), ``"line"`` (the
reference's 1-based line), or by nothing (position). A prediction that cannot be paired
with exactly one reference is an error that names both files: a silent misalignment would
score one model on another example's answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftprep.errors import InputError
from ftprep.evaluation.answers import Answer, answer_of_example, answer_of_messages, answer_of_value
from ftprep.loaders import LoadOptions, open_source
from ftprep.loaders.readers import container_of, read_container, sniff_json_container
from ftprep.loaders.source import sha256_file

#: Keys a predictions row may use for its answer (the first present wins).
PREDICTION_KEYS = ("prediction", "predicted", "output", "response", "completion")


@dataclass(frozen=True)
class Reference:
    """One reference example: where it is, its ``id`` if it has one, and its answer."""

    line: int
    id: str | None
    answer: Answer | None


@dataclass
class References:
    path: Path
    sha256: str
    items: list[Reference]


def read_references(path: Path, options: LoadOptions | None = None) -> References:
    """Every reference example of ``path`` in order; a record that cannot be loaded is an
    error (its prediction could not be paired reliably)."""
    source = open_source(path, options or LoadOptions())
    items: list[Reference] = []
    for rec in source:
        if rec.error is not None:
            raise InputError(
                str(path),
                f"line {rec.location.line}: {rec.error.message}; "
                "evaluate needs every reference readable (run `ftprep validate` on it)",
            )
        assert rec.example is not None
        raw_id = rec.example.metadata.get("id")
        items.append(
            Reference(
                rec.location.line or len(items) + 1,
                None if raw_id is None else str(raw_id),
                answer_of_example(rec.example),
            )
        )
    if not items:
        raise InputError(str(path), "no reference examples to evaluate against")
    return References(path, sha256_file(path), items)


@dataclass(frozen=True)
class Prediction:
    line: int
    key: tuple[str, str] | None  # ("id", value) | ("line", value) | None: by position
    answer: Answer


def _prediction(value: Any, line: int, path: Path) -> Prediction:
    if isinstance(value, str):
        return Prediction(line, None, answer_of_value(value))
    if not isinstance(value, dict):
        raise InputError(
            str(path), f"line {line}: a prediction must be an object or a string, not {value!r:.40}"
        )
    key: tuple[str, str] | None = None
    if "id" in value and value["id"] is not None:
        key = ("id", str(value["id"]))
    elif "line" in value:
        if not isinstance(value["line"], int) or isinstance(value["line"], bool):
            raise InputError(str(path), f'line {line}: "line" must be an integer')
        key = ("line", str(value["line"]))
    for name in PREDICTION_KEYS:
        if name in value:
            return Prediction(line, key, answer_of_value(value[name]))
    if isinstance(value.get("messages"), list):
        answer = answer_of_messages(value["messages"])
        return Prediction(line, key, answer if answer is not None else Answer(""))
    raise InputError(
        str(path),
        f'line {line}: no "prediction" (or "messages" with an assistant turn); '
        'write rows like {"id": ..., "prediction": "..."}',
    )


def read_predictions(path: Path) -> list[Prediction]:
    """Every prediction row of ``path``; a malformed row is an error naming its line."""
    if not path.is_file():
        raise InputError(str(path), "no such predictions file")
    container = container_of(path)
    if container == "json":
        container = sniff_json_container(path)
    out: list[Prediction] = []
    for raw in read_container(path, container):
        if raw.error is not None:
            raise InputError(str(path), f"line {raw.line}: {raw.error.message}")
        out.append(_prediction(raw.value, raw.line, path))
    return out


def align(refs: References, preds: list[Prediction], path: Path) -> list[Answer]:
    """The prediction for each reference, in reference order."""
    kinds = {p.key[0] if p.key else None for p in preds}
    if len(kinds) > 1:
        raise InputError(
            str(path), 'mixes rows keyed by "id"/"line" with unkeyed rows; key all or none'
        )
    kind = kinds.pop() if kinds else None
    if kind is None:
        if len(preds) != len(refs.items):
            raise InputError(
                str(path),
                f"{len(preds)} predictions for {len(refs.items)} references in {refs.path}; "
                'pair them by position (same count and order) or key rows by "id" or "line"',
            )
        return [p.answer for p in preds]
    if kind == "id":
        wanted = [r.id for r in refs.items]
        if any(w is None for w in wanted):
            raise InputError(
                str(refs.path), 'predictions are keyed by "id" but references have no "id" field'
            )
    else:
        wanted = [str(r.line) for r in refs.items]
    by_key: dict[str, Answer] = {}
    for p in preds:
        assert p.key is not None
        if p.key[1] in by_key:
            raise InputError(str(path), f"line {p.line}: {kind} {p.key[1]!r} appears twice")
        by_key[p.key[1]] = p.answer
    missing = [w for w in wanted if w not in by_key]
    extra = sorted(set(by_key) - {w for w in wanted if w is not None})
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no prediction for {kind} {', '.join(map(str, missing[:5]))}")
        if extra:
            parts.append(f"no reference with {kind} {', '.join(extra[:5])}")
        raise InputError(str(path), "; ".join(parts) + f" (references: {refs.path})")
    return [by_key[w] for w in wanted if w is not None]


__all__ = ["Prediction", "Reference", "References", "align", "read_predictions", "read_references"]

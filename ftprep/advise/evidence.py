"""What a dataset says about the finetune / RAG / prompt decision.

One streaming pass over the inputs (the same loaders as every other command) keeps a few
counters per property, never the texts, so memory stays flat on millions of examples:

- **count**: below the minimum there is nothing to finetune on.
- **factual recall**: the last user turn is a factoid question (who/what/when/where/which/how
  many ...) and the answer is short prose: knowledge a retriever supplies better than weights.
- **uniform format**: the share of answers with the most common *structured* shape (a JSON
  object's key set, a small set of labels, a Markdown/"Key: value" skeleton); prose has no
  shape and never counts. A consistent format is what finetuning teaches best.
- **dated content**: answers that mention years, dates or time-sensitive wording ("as of",
  "currently", "latest"): content that goes stale favours retrieval.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ftprep.features import chat_view
from ftprep.loaders import LoadOptions, open_source
from ftprep.schema import ChatExample

FACTOID = re.compile(
    r"^\W*(who|whom|whose|what|when|where|which|how (many|much|old|long|far|tall|big|large)|"
    r"in (what|which) year|name the)\b",
    re.IGNORECASE,
)
DATED = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b\d{4}-\d{2}-\d{2}\b|"
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\.? \d{1,2}(st|nd|rd|th)?\b|"
    r"\b(as of|currently|at present|latest|this (year|month|week|quarter)|today|recently|"
    r"up[- ]to[- ]date|effective (from|as of))\b",
    re.IGNORECASE,
)
_LINE_KINDS = (
    ("heading", re.compile(r"^#{1,6}\s")),
    ("bullet", re.compile(r"^\s*[-*•]\s")),
    ("numbered", re.compile(r"^\s*\d+[.)]\s")),
    ("table", re.compile(r"^\s*\|")),
    ("code", re.compile(r"^\s*```")),
)
_KEY_VALUE = re.compile(r"^([A-Z][\w /()-]{0,30}):(\s|$)")
MAX_LABEL_WORDS = 3
MAX_TRACKED = 10_000  # distinct shapes/labels kept; more than that is not "uniform" anyway
MAX_JSON_CHARS = 100_000


def _is_label(text: str) -> bool:
    """A short answer without sentence punctuation: a class label, a code, a yes/no."""
    return (
        bool(text)
        and "\n" not in text
        and len(text.split()) <= MAX_LABEL_WORDS
        and not text.endswith((".", "!", "?"))
        and not re.search(r"[.!?]\s+\S", text)
    )


def answer_shape(text: str) -> str:
    """The structural shape of an answer: ``json{keys}``, ``json[]``, ``label``, a
    Markdown/"Key: value" skeleton like ``kv(code)>bullet``, or ``prose``."""
    stripped = text.strip()
    if stripped[:1] in "{[" and len(stripped) <= MAX_JSON_CHARS:
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return "json{" + ",".join(sorted(str(k) for k in value)[:12]) + "}"
        if isinstance(value, list):
            return "json[]"
    if _is_label(stripped):
        return "label"
    skeleton: list[str] = []
    structural = 0
    for line in stripped.splitlines():
        if not line.strip():
            continue
        kind = "text"
        for name, pattern in _LINE_KINDS:
            if pattern.match(line):
                kind = name
                break
        else:
            kv = _KEY_VALUE.match(line)
            if kv:
                kind = f"kv({kv.group(1).lower()})"
        structural += kind != "text"
        if not skeleton or skeleton[-1] != kind:
            skeleton.append(kind)
    if structural < 2:
        return "prose"
    return ">".join(skeleton[:16])


def describe_shape(shape: str, labels: int) -> str:
    """Words for a shape, for the evidence message."""
    if shape.startswith("json{"):
        return f"a JSON object with keys {shape[5:-1]}"
    if shape == "json[]":
        return "a JSON array"
    if shape == "label":
        return f"one of {labels} short labels"
    return f"the layout {shape}"


class DatasetProfile(BaseModel):
    """Counters from one pass over the data (what the evidence is computed from)."""

    inputs: list[str]
    records: int
    examples: int
    load_errors: int
    answered: int
    factual_recall: int
    dated: int
    dominant_shape: str | None
    dominant_shape_count: int
    distinct_labels: int


def profile_dataset(
    inputs: Sequence[str | Path],
    load_options: LoadOptions | None = None,
    max_answer_words: int = 30,
) -> DatasetProfile:
    """Stream ``inputs`` once and count what the evidence needs."""
    records = examples = errors = answered = factual = dated = 0
    shapes: Counter[str] = Counter()
    labels: set[str] = set()
    for path in inputs:
        for loaded in open_source(Path(path), load_options):
            records += 1
            if loaded.example is None:
                errors += 1
                continue
            examples += 1
            chat = chat_view(loaded.example)
            last = chat.last_assistant_index
            if last is None:
                continue
            answer = chat.messages[last].text
            answered += 1
            shape = answer_shape(answer)
            if shape in shapes or len(shapes) < MAX_TRACKED:
                shapes[shape] += 1
            if shape == "label" and len(labels) <= MAX_TRACKED:
                labels.add(answer.strip().lower())
            if DATED.search(answer):
                dated += 1
            if shape in ("prose", "label") and len(answer.split()) <= max_answer_words:
                question = _last_user(chat, last)
                if question is not None and FACTOID.match(question):
                    factual += 1
    structured = [(s, c) for s, c in shapes.most_common() if s != "prose"]
    if structured and structured[0][0] == "label" and len(labels) * 3 >= max(answered, 1):
        structured = structured[1:]  # many distinct short answers: not a label set
    top = structured[0] if structured else (None, 0)
    return DatasetProfile(
        inputs=[str(p) for p in inputs],
        records=records,
        examples=examples,
        load_errors=errors,
        answered=answered,
        factual_recall=factual,
        dated=dated,
        dominant_shape=top[0],
        dominant_shape_count=top[1],
        distinct_labels=len(labels),
    )


def _last_user(chat: ChatExample, before: int) -> str | None:
    for msg in reversed(chat.messages[:before]):
        if msg.role == "user":
            return msg.text
    return None


class Evidence(BaseModel):
    """One observation from the data, whether it crossed its threshold, and what it favours."""

    id: str
    observed: float
    threshold: float
    triggered: bool
    favors: str
    message: str
    agrees: bool | None = None


def gather_evidence(profile: DatasetProfile, rules: dict[str, dict[str, Any]]) -> list[Evidence]:
    """Evidence items from a profile, with thresholds from the tree's ``evidence`` table."""
    out: list[Evidence] = []
    few = rules["too_few_examples"]
    out.append(
        Evidence(
            id="too_few_examples",
            observed=profile.examples,
            threshold=few["minimum"],
            triggered=profile.examples < few["minimum"],
            favors="not_finetune",
            message=few["text"].format(**few, examples=profile.examples)
            if profile.examples < few["minimum"]
            else f"{profile.examples} examples: enough to finetune on (minimum {few['minimum']})",
        )
    )
    n = max(profile.answered, 1)
    for rid, count, fmt in (
        ("factual_recall", profile.factual_recall, {}),
        (
            "uniform_format",
            profile.dominant_shape_count,
            {"format": describe_shape(profile.dominant_shape or "", profile.distinct_labels)},
        ),
        ("dated_content", profile.dated, {}),
    ):
        rule = rules[rid]
        share = count / n if profile.answered else 0.0
        triggered = profile.answered > 0 and share >= rule["share"]
        text = rule["text"].format(**{**rule, **fmt, "share": share})
        out.append(
            Evidence(
                id=rid,
                observed=round(share, 4),
                threshold=rule["share"],
                triggered=triggered,
                favors=rule["favors"],
                message=text
                if triggered
                else f"{share:.0%} {rule['label']} (threshold {rule['share']:.0%})",
            )
        )
    return out

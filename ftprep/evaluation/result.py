"""The evaluation report: one pydantic model, rendered as terminal, JSON, Markdown and HTML.

Like the readiness report, renderers only present it. Its JSON is a contract for CI
(``schema_version``, schema in docs/evaluation.schema.json, checked by a drift test); every
quoted answer is PII-masked and shortened before it is stored here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
Verdict = Literal["better", "worse", "within noise"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Score(_Model):
    """A score (0–1) with its 95% bootstrap percentile interval."""

    value: float
    low: float
    high: float


class ReferenceInfo(_Model):
    path: str
    sha256: str
    examples: int = Field(description="reference examples read")
    scored: int = Field(description="examples with a reference answer, the ones scored")


class ModelScores(_Model):
    name: str
    path: str
    sha256: str
    scores: dict[str, Score] = Field(description="metric -> score with interval")


class Baseline(_Model):
    kind: Literal["majority"] = "majority"
    answer: str = Field(description="the constant answer (masked, shortened)")
    source: Literal["train", "references"] = Field(
        description="where the majority answer was counted (references: optimistic)"
    )
    scores: dict[str, Score]


class Comparison(_Model):
    """``model`` minus ``against`` on one metric, on the same resamples."""

    model: str
    against: str
    metric: str
    difference: Score
    verdict: Verdict


class BreakdownRow(_Model):
    key: str = Field(description="a label, a JSON field or a tool name")
    support: int = Field(description="reference examples with this key")
    scores: dict[str, float] = Field(description="model -> F1 (labels) or match share")


class Breakdown(_Model):
    kind: Literal["label", "field", "tool"]
    measure: str = Field(description="what each score in the rows is")
    rows: list[BreakdownRow]


class Disagreement(_Model):
    line: int
    id: str | None = None
    reference: str
    predictions: dict[str, str]
    scores: dict[str, float] = Field(description="model -> primary metric on this example")


class JudgeSummary(_Model):
    path: str
    examples: int = Field(description="examples every judged model has a score for")
    scores: dict[str, Score]
    comparisons: list[Comparison]


class EvaluationReport(_Model):
    schema_version: int = SCHEMA_VERSION
    ftprep_version: str
    reference: ReferenceInfo
    task: str
    task_evidence: str
    metrics: list[str]
    primary: str
    seed: int
    resamples: int
    models: list[ModelScores]
    baseline: Baseline | None = None
    comparisons: list[Comparison] = Field(default_factory=list)
    breakdown: Breakdown | None = None
    disagreements: list[Disagreement] = Field(default_factory=list)
    judge: JudgeSummary | None = None
    answer: str = Field(description="one sentence: did the last model beat the first?")

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


__all__ = [
    "Baseline",
    "Breakdown",
    "BreakdownRow",
    "Comparison",
    "Disagreement",
    "EvaluationReport",
    "JudgeSummary",
    "ModelScores",
    "ReferenceInfo",
    "Score",
]

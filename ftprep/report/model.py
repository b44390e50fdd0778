"""The report: one pydantic model, the contract other tools and CI read (report.json).

Renderers (terminal, JSON, Markdown, HTML) only present this model; nothing computes
findings while rendering. Keep it stable: a change of meaning or a removed field bumps
``schema_version``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ftprep.schema import SourceLocation

SCHEMA_VERSION: Literal[2] = 2
Status = Literal["pass", "warn", "fail", "skipped"]
Verdict = Literal["ready", "ready_with_warnings", "not_ready"]
Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputSummary(_Model):
    path: str
    format: str
    sha256: str
    records: int
    examples: int
    load_errors: int


class ItemResult(_Model):
    status: Status
    summary: str
    metrics: dict[str, Any] = Field(default_factory=dict)


class Checklist(_Model):
    sufficient: ItemResult
    diverse: ItemResult
    consistent: ItemResult
    clean: ItemResult
    split: ItemResult
    evaluated: ItemResult


class Finding(_Model):
    """One kind of problem: how many records it concerns (``count``) and their locations (in
    report.json the first :data:`~ftprep.report.findings.LOCATION_LIMIT`; all of them are
    in ``findings.jsonl``)."""

    check: str
    item: str
    severity: Severity
    message: str
    count: int
    locations: list[SourceLocation] = Field(default_factory=list)


class SplitFile(_Model):
    path: str | None
    examples: int


class Drop(_Model):
    """Records left out of the split for one reason (a check id), with their first
    locations (all of them are in ``findings.jsonl``)."""

    reason: str
    count: int
    locations: list[SourceLocation]


class Change(_Model):
    """Records ``--fix`` changed (not dropped) for one reason."""

    reason: str
    count: int
    locations: list[SourceLocation]


class SplitSection(_Model):
    seed: int
    validation_fraction: float
    train: SplitFile
    validation: SplitFile
    dropped: int
    drops: list[Drop] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    groups: int = 0
    strata: int = 0
    details: dict[str, Any] = Field(default_factory=dict)


class RunInfo(_Model):
    """How the run was made; nothing here changes what the report says about the data."""

    #: ``local`` (this machine's process pool) or ``ray`` (``--engine ray``).
    engine: Literal["local", "ray"] = "local"


class TargetVerdict(_Model):
    """With ``--target``/``--to``: would the platform take the data?

    ``validate --target`` judges each input record as it stands in the file (nothing
    repaired); ``split --to`` judges the files it wrote; trainers (TRL, axolotl,
    LLaMA-Factory) are judged on the file ftprep writes for them. ``accepts`` is false when
    any record breaks a confirmed platform rule (``clean.target_role``/``format``/``tools``/
    ``content``), the dataset breaks a platform limit (``clean.target_dataset`` at error
    level), or a record could not be read at all.
    """

    name: str
    accepts: bool


class Report(_Model):
    """The readiness report: what ``validate``/``split``/``fix`` return and report.json holds.

    ``verdict`` and ``checklist`` answer "is it ready?"; ``findings`` say what is wrong and
    where (a bounded number of locations each, with the true count; every location is in
    the ``findings_file``, when one was written); ``stats`` holds counts, tokens, cost and
    the data behind the charts; ``split`` the files written and the records dropped or
    changed. In Jupyter it renders as the HTML report; ``findings_frame()`` gives the
    findings as a DataFrame.
    """

    schema_version: Literal[2] = SCHEMA_VERSION
    ftprep_version: str
    inputs: list[InputSummary]
    verdict: Verdict
    checklist: Checklist
    findings: list[Finding]
    stats: dict[str, Any]
    split: SplitSection | None = None
    #: findings.jsonl with every location (None when no file was written).
    findings_file: str | None = None
    #: Present only with ``--target`` / ``--to``.
    target: TargetVerdict | None = None
    run: RunInfo = Field(default_factory=RunInfo)

    def findings_for(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]

    def to_json(self) -> str:
        """The report.json text: stable key order, UTF-8, newline-terminated, at most
        :data:`~ftprep.report.findings.LOCATION_LIMIT` locations per finding, drop and change
        (their ``count`` stays the true number; ``findings.jsonl`` has them all)."""
        return self.bounded().model_dump_json(indent=2) + "\n"

    def bounded(self, limit: int | None = None) -> Report:
        """This report with at most ``limit`` (default: LOCATION_LIMIT) locations per
        finding, drop and change: what the report files hold."""
        from ftprep.report.findings import LOCATION_LIMIT

        n = LOCATION_LIMIT if limit is None else limit

        def cut(items: list[Any]) -> list[Any]:
            return [
                x.model_copy(update={"locations": x.locations[:n]}) if len(x.locations) > n else x
                for x in items
            ]

        split = self.split
        if split is not None:
            split = split.model_copy(
                update={"drops": cut(split.drops), "changes": cut(split.changes)}
            )
        return self.model_copy(update={"findings": cut(self.findings), "split": split})

    def _repr_html_(self) -> str:
        """Jupyter shows the report as the HTML report, inline (styles scoped to it)."""
        from ftprep.report.html import render_html_fragment

        return render_html_fragment(self)

    def findings_frame(self) -> Any:
        """Every finding location as a pandas DataFrame (needs ``pip install 'ftprep[pandas]'``)."""
        from ftprep.frames import findings_frame

        return findings_frame(self)

    def exit_code(self, strict: bool = False) -> int:
        """0 when ready (warnings allowed unless ``strict``), 1 otherwise."""
        if self.verdict == "not_ready" or (strict and self.verdict == "ready_with_warnings"):
            return 1
        return 0

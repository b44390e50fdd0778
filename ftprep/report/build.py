"""Turn an :class:`~ftprep.engine.Analysis` into the :class:`Report` (findings, checklist,
verdict, statistics, split section). The only place findings are composed."""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from ftprep.checks.base import ITEMS, REGISTRY, Flag
from ftprep.costing.stats import cost_stats, token_stats
from ftprep.engine import Analysis
from ftprep.report.distributions import distributions
from ftprep.report.findings import write_findings
from ftprep.report.model import (
    SEVERITY_RANK,
    Change,
    Checklist,
    Drop,
    Finding,
    InputSummary,
    ItemResult,
    Report,
    RunInfo,
    Severity,
    SplitFile,
    SplitSection,
    Status,
    TargetVerdict,
    Verdict,
)
from ftprep.schema import LoadError, SourceLocation
from ftprep.version import __version__

_PLURAL_SUBJECT = re.compile(r"^1 (\w+?)s (\w+)\b")
_SINGULAR_VERB = {"have": "has", "are": "is", "were": "was", "do": "does"}


def singular(message: str) -> str:
    """Fix the grammar of templated messages for a count of one: "1 examples have" -> "1
    example has", so check authors can write one plural template."""
    match = _PLURAL_SUBJECT.match(message)
    if not match:
        return message
    noun, verb = match.groups()
    if verb in ("in", "of", "with", "without", "from", "for", "on", "at", "by", "to"):
        return f"1 {noun}" + message[match.end(1) + 1 :]
    rest = message[match.end() :]
    verb = _third_person(verb)
    second = _SECOND_VERB.match(rest)  # "refuse or disclaim" -> "refuses or disclaims"
    if second:
        rest = f" {second[1]} {_third_person(second[2])}" + rest[second.end() :]
    return f"1 {noun} {verb}" + rest


_SECOND_VERB = re.compile(r"^ (or|and) ([a-z]+)\b(?= )")


def _third_person(verb: str) -> str:
    return _SINGULAR_VERB.get(verb, verb if verb.endswith("s") else verb + "s")


#: Statistics providers: name -> fn(analysis) -> dict, merged into ``stats`` in this order.
STATS_PROVIDERS: dict[str, Any] = {
    "tokens": token_stats,
    "cost": cost_stats,
    "distributions": distributions,
    "diversity": lambda a: a.features.derived.diversity or {},
}


def one_per_example(flags: list[Flag]) -> list[Flag]:
    """One flag per example, in row order: a per-example check yields one detail per problem
    (an empty turn, an unknown key — per *message*), but a finding counts examples, so a
    500-example file with two empty turns each is "500 examples", not 1,000. The details of
    an example's flags are joined; it stays fixable only if every flag was.

    Most checks give at most one flag per example, in row order: those come back as they
    are (tens of thousands of flags for a big file's findings, sorted and grouped before)."""
    rows = [f.row for f in flags]
    if all(map(operator.lt, rows, itertools.islice(rows, 1, None))):
        return list(flags)
    return joined_by_row(flags)


def joined_by_row(flags: list[Flag]) -> list[Flag]:
    """One flag per example row, in row order: the flags of a row joined as
    :func:`one_per_example` says (which skips this when the rows already rise)."""
    by_row: dict[int, list[Flag]] = {}
    for f in sorted(flags, key=lambda f: f.row):
        by_row.setdefault(f.row, []).append(f)
    out = []
    for row, group in by_row.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        details = dict.fromkeys(f.detail for f in group if f.detail)
        out.append(Flag(row, "; ".join(details) or None, all(f.fixable for f in group)))
    return out


def surviving_groups(flags: list[Flag], dropped: Mapping[int, str]) -> tuple[list[Flag], int]:
    """The flags of a group finding (near copies, contradictions) that still stand once
    ``--fix`` has dropped rows: a dropped row is gone, and a group left with one member is
    no longer a group. Returns them and how many flags lapsed."""
    if not any(f.group >= 0 for f in flags):
        return flags, 0
    alive = [f for f in flags if f.group < 0 or f.row not in dropped]
    sizes = Counter(f.group for f in alive if f.group >= 0)
    kept = [f for f in alive if f.group < 0 or sizes[f.group] >= 2]
    return kept, len(flags) - len(kept)


def _severity(check_id: str, result_severity: str | None, analysis: Analysis) -> Severity:
    spec = REGISTRY.get(check_id)
    override = analysis.config.checks.get(check_id, {}).get("severity")
    chosen = override or result_severity or (spec.severity if spec else "error")
    return cast(Severity, chosen)


@dataclass
class Pending:
    """A finding (or split drop/change) whose locations are produced on demand.

    The report keeps the first :data:`LOCATION_LIMIT` of them; ``findings.jsonl`` streams
    all of them, so a million flagged rows never become a million objects at once.
    """

    finding: Finding
    locations: Callable[[], Iterator[SourceLocation]]

    def bounded(self, limit: int) -> Finding:
        return self.finding.model_copy(
            update={"locations": list(itertools.islice(self.locations(), limit))}
        )


@dataclass
class PendingSplit:
    """Dropped or changed records of one reason, their locations produced on demand."""

    kind: Literal["drop", "change"]
    reason: str
    count: int
    locations: Callable[[], Iterator[SourceLocation]]

    def bounded(self, limit: int) -> Any:
        model = Drop if self.kind == "drop" else Change
        return model(
            reason=self.reason,
            count=self.count,
            locations=list(itertools.islice(self.locations(), limit)),
        )


def _chain(*sources: Callable[[], Iterator[SourceLocation]]) -> Callable[[], Iterator[Any]]:
    return lambda: itertools.chain.from_iterable(src() for src in sources)


def _error_locations(errs: list[LoadError]) -> Iterator[SourceLocation]:
    return (e.location.model_copy(update={"detail": e.message}) for e in errs)


def _pending_findings(analysis: Analysis) -> list[Pending]:
    ft = analysis.features
    fixed = set(analysis.fix_drops) | set(analysis.fix_changes)
    findings: list[Pending] = []
    by_code: dict[str, list[LoadError]] = defaultdict(list)
    for _, err in analysis.load_errors:
        by_code[err.code].append(err)
    for code, errs in by_code.items():
        spec = REGISTRY.get(code)
        if spec is not None and not analysis.config.check_settings(code, spec.settings).enabled:
            continue
        message = singular(spec.message.format(count=len(errs))) if spec else errs[0].message
        severity = _severity(code, None, analysis)
        if analysis.config.fix:
            severity, message = "info", f"{message}; dropped from the split"
        finding = Finding(
            check=code,
            item=spec.item if spec else "clean",
            severity=severity,
            message=message,
            count=len(errs),
        )
        findings.append(Pending(finding, functools.partial(_error_locations, errs)))
    for cid, result in analysis.results.items():
        spec = REGISTRY[cid]
        if not result.flags and not result.message and not result.locations:
            continue
        flags = one_per_example(result.flags)
        lapsed = 0
        if analysis.config.fix and analysis.fix_drops:
            flags, lapsed = surviving_groups(flags, analysis.fix_drops)
        count = len(flags) + len(result.locations)
        message = result.message or singular(spec.message.format(count=count))
        if lapsed:
            message = singular(spec.message.format(count=count))
        severity = _severity(cid, result.severity, analysis)
        if lapsed and count == 0:
            severity = "info"
            message = f"{result.message or message}; resolved by --fix (it dropped the copies)"
        fixable = [f.row for f in flags if f.fixable]
        if analysis.config.fix and spec.fix and fixable and all(r in fixed for r in fixable):
            verb = {"drop": "dropped", "drop_repeats": "dropped", "redact_pii": "redacted"}.get(
                spec.fix, "fixed"
            )
            severity, message = "info", f"{message}; {verb} by --fix"
        elif (
            analysis.config.fix
            and result.flags
            and all(f.row in analysis.fix_drops for f in result.flags)
        ):
            severity, message = "info", f"{message}; only in records --fix dropped"
        finding = Finding(
            check=cid, item=spec.item, severity=severity, message=message, count=count
        )

        def locations(result: Any = result, flags: list[Flag] = flags) -> Iterator[SourceLocation]:
            # in row order
            yield from ft.locations([f.row for f in flags], [f.detail for f in flags])
            yield from result.locations

        findings.append(Pending(finding, locations))
    findings.sort(key=lambda p: _order(p.finding))
    return findings


def _order(f: Finding) -> tuple[int, int, str]:
    return (SEVERITY_RANK[f.severity], -f.count, f.check)


def _checklist(analysis: Analysis, findings: list[Finding]) -> Checklist:
    items: dict[str, ItemResult] = {}
    for item in ITEMS:
        mine = [f for f in findings if f.item == item]
        results = [(cid, r) for cid, r in analysis.results.items() if REGISTRY[cid].item == item]
        metrics: dict[str, Any] = {}
        for _, r in results:
            metrics.update(r.metrics)
        ran = bool(results) or any(
            REGISTRY.get(f.check) and REGISTRY[f.check].kind == "load" for f in mine
        )
        explicit = [r.status for _, r in results if r.status]
        if not ran or (explicit and all(s == "skipped" for s in explicit) and not mine):
            summary = next((r.summary for _, r in results if r.summary), None)
            items[item] = ItemResult(
                status="skipped",
                summary=summary or "no check for this item is enabled",
                metrics=metrics,
            )
            continue
        errors = sum(1 for f in mine if f.severity == "error")
        warnings = sum(1 for f in mine if f.severity == "warning")
        status: Status = "fail" if errors else "warn" if warnings else "pass"
        if "fail" in explicit:
            status = "fail"
        elif "warn" in explicit and status == "pass":
            status = "warn"
        parts = [r.summary for _, r in results if r.summary]
        if errors or warnings:
            parts.append(
                ", ".join(
                    p
                    for p in (
                        f"{errors} error finding(s)" if errors else "",
                        f"{warnings} warning(s)" if warnings else "",
                    )
                    if p
                )
            )
        items[item] = ItemResult(
            status=status, summary="; ".join(parts) or "no problems found", metrics=metrics
        )
    return Checklist(**items)


def _verdict(checklist: Checklist) -> Verdict:
    statuses = [getattr(checklist, i).status for i in ITEMS]
    if "fail" in statuses:
        return "not_ready"
    return "ready_with_warnings" if "warn" in statuses else "ready"


def _stats(analysis: Analysis) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "records": analysis.records,
        "examples": analysis.features.n,
        "load_errors": len(analysis.load_errors),
    }
    for name, provider in STATS_PROVIDERS.items():
        stats[name] = {**stats.get(name, {}), **provider(analysis)}
    return stats


def _pending_split(analysis: Analysis) -> list[PendingSplit]:
    """Drops (by reason, sorted) then changes (by fix, sorted), locations on demand."""
    ft = analysis.features
    drop_errors: dict[str, list[LoadError]] = defaultdict(list)
    for _, err in analysis.load_errors:
        drop_errors[err.code].append(err)
    drop_rows: dict[str, list[int]] = defaultdict(list)
    for row, reason in sorted(analysis.fix_drops.items()):
        drop_rows[reason].append(row)
    change_rows: dict[str, list[int]] = defaultdict(list)
    for row, fixes in sorted(analysis.fix_changes.items()):
        for fix in fixes:
            change_rows[fix].append(row)
    out: list[PendingSplit] = []
    for reason in sorted(set(drop_errors) | set(drop_rows)):
        errs, rows = drop_errors.get(reason, []), drop_rows.get(reason, [])

        def dropped(errs: list[LoadError] = errs, rows: list[int] = rows) -> Iterator[Any]:
            yield from (e.location for e in errs)
            yield from ft.locations(rows)

        out.append(PendingSplit("drop", reason, len(errs) + len(rows), dropped))
    for reason, rows in sorted(change_rows.items()):

        def changed(reason: str = reason, rows: list[int] = rows) -> Iterator[Any]:
            details = analysis.change_details
            yield from ft.locations(rows, [details.get((r, reason)) for r in rows])

        out.append(PendingSplit("change", reason, len(rows), changed))
    return out


def _split_section(
    analysis: Analysis,
    paths: tuple[str, str] | None,
    pending: list[PendingSplit],
    limit: int | None,
) -> SplitSection | None:
    plan = analysis.plan
    if plan is None:
        return None
    return SplitSection(
        seed=analysis.config.seed,
        validation_fraction=analysis.config.validation_fraction,
        train=SplitFile(path=paths[0] if paths else None, examples=plan.train),
        validation=SplitFile(path=paths[1] if paths else None, examples=plan.validation),
        dropped=sum(p.count for p in pending if p.kind == "drop"),
        drops=[p.bounded(limit or p.count) for p in pending if p.kind == "drop"],
        changes=[p.bounded(limit or p.count) for p in pending if p.kind == "change"],
        groups=plan.groups,
        strata=plan.strata,
        details={"target_validation": plan.target_validation, **plan.details},
    )


#: Items whose findings concern individual records, and so are reported for the validation
#: file of an existing split too (dataset-level items judge the training side only).
RECORD_ITEMS = ("clean", "consistent")


def _merge_validation(findings: list[Pending], extra: list[Pending]) -> list[Pending]:
    """Add the validation file's record-level findings: same check -> one finding with all
    locations; a check only the validation file triggers -> its own finding."""
    by_check = {p.finding.check: p for p in findings}
    out = list(findings)
    for p in extra:
        f = p.finding
        if f.item not in RECORD_ITEMS or not f.count or not p.bounded(1).locations:
            continue
        mine = by_check.get(f.check)
        if mine is None:
            update = {"message": f"validation file: {f.message}"}
            out.append(Pending(f.model_copy(update=update), p.locations))
            continue
        m = mine.finding
        worst = min(m.severity, f.severity, key=lambda s: SEVERITY_RANK[s])
        merged = m.model_copy(
            update={
                "count": m.count + f.count,
                "message": f"{m.message}; {f.count} more in the validation file",
                "severity": worst,
            }
        )
        out[out.index(mine)] = Pending(merged, _chain(mine.locations, p.locations))
    out.sort(key=lambda p: _order(p.finding))
    return out


def _inputs(analysis: Analysis) -> list[InputSummary]:
    return [
        InputSummary(
            path=getattr(s, "uri", None) or str(s.path), format=s.label, sha256=h, **s.counts
        )
        for s, h in zip(analysis.sources, analysis.hashes, strict=True)
    ]


def build_report(
    analysis: Analysis,
    split_paths: tuple[str, str] | None = None,
    findings_path: Path | None = None,
    limit: int | None = None,
) -> Report:
    """Compose the report for ``analysis`` (``split_paths`` when files were written).

    With ``limit``, each finding, drop and change keeps only its first ``limit`` locations
    in memory (the command line passes LOCATION_LIMIT: it writes them all to findings.jsonl
    and never needs more); ``count`` is always the true number. With ``findings_path``,
    every location is streamed to that JSONL file (see :mod:`ftprep.report.findings`) and
    the report names it. report.json holds at most LOCATION_LIMIT per finding either way.
    """
    pending = _pending_findings(analysis)
    inputs = _inputs(analysis)
    if analysis.validation is not None:
        pending = _merge_validation(pending, _pending_findings(analysis.validation))
        inputs += _inputs(analysis.validation)
    pending_split = _pending_split(analysis)
    if findings_path is not None:
        write_findings(findings_path, pending, pending_split)
    findings = [p.bounded(limit if limit is not None else p.finding.count) for p in pending]
    checklist = _checklist(analysis, findings)
    return Report(
        ftprep_version=__version__,
        inputs=inputs,
        verdict=_verdict(checklist),
        checklist=checklist,
        findings=findings,
        stats=_stats(analysis),
        split=_split_section(analysis, split_paths, pending_split, limit),
        findings_file=str(findings_path) if findings_path is not None else None,
        target=_target_verdict(analysis, findings),
        run=RunInfo(engine=analysis.engine),
    )


#: Checks that report a confirmed platform rule broken by a record.
TARGET_RULE_CHECKS = (
    "clean.target_role",
    "clean.target_format",
    "clean.target_tools",
    "clean.target_content",
)


def _target_verdict(analysis: Analysis, findings: list[Finding]) -> TargetVerdict | None:
    """Would the platform chosen with ``--target``/``--to`` take the data (see TargetVerdict)."""
    name = analysis.config.target
    if name is None:
        return None
    rules = any(f.check in TARGET_RULE_CHECKS and f.count for f in findings)
    limits = any(f.check == "clean.target_dataset" and f.severity == "error" for f in findings)
    from ftprep.checks.clean.target import TargetSettings

    settings = analysis.config.check_settings("clean.target_format", TargetSettings)
    # Unreadable records are in the input file but never in a file ftprep writes.
    unreadable = bool(analysis.load_errors) and settings.judge == "file"
    return TargetVerdict(name=name, accepts=not (rules or limits or unreadable))

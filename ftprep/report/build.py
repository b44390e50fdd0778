"""Turn an :class:`~ftprep.engine.Analysis` into the :class:`Report` (findings, checklist,
verdict, statistics, split section). The only place findings are composed."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, cast

from ftprep import __version__
from ftprep.checks.base import ITEMS, REGISTRY, Flag
from ftprep.costing.stats import cost_stats, token_stats
from ftprep.engine import Analysis
from ftprep.report.distributions import distributions
from ftprep.report.model import (
    SEVERITY_RANK,
    Change,
    Checklist,
    Drop,
    Finding,
    InputSummary,
    ItemResult,
    Report,
    Severity,
    SplitFile,
    SplitSection,
    Status,
    Verdict,
)
from ftprep.schema import SourceLocation

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
    verb = _SINGULAR_VERB.get(verb, verb if verb.endswith("s") else verb + "s")
    return f"1 {noun} {verb}" + message[match.end() :]


#: Statistics providers: name -> fn(analysis) -> dict, merged into ``stats`` in this order.
STATS_PROVIDERS: dict[str, Any] = {
    "tokens": token_stats,
    "cost": cost_stats,
    "distributions": distributions,
    "diversity": lambda a: a.features.cache.get("diversity", {}),
}


def one_per_example(flags: list[Flag]) -> list[Flag]:
    """One flag per example, in row order: a per-example check yields one detail per problem
    (an empty turn, an unknown key — per *message*), but a finding counts examples, so a
    500-example file with two empty turns each is "500 examples", not 1,000. The details of
    an example's flags are joined; it stays fixable only if every flag was."""
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


def _severity(check_id: str, result_severity: str | None, analysis: Analysis) -> Severity:
    spec = REGISTRY.get(check_id)
    override = analysis.config.checks.get(check_id, {}).get("severity")
    chosen = override or result_severity or (spec.severity if spec else "error")
    return cast(Severity, chosen)


def _findings(analysis: Analysis) -> list[Finding]:
    ft = analysis.features
    fixed = set(analysis.fix_drops) | set(analysis.fix_changes)
    findings: list[Finding] = []
    by_code: dict[str, list[SourceLocation]] = defaultdict(list)
    messages: dict[str, str] = {}
    for _, err in analysis.load_errors:
        by_code[err.code].append(err.location.model_copy(update={"detail": err.message}))
        messages.setdefault(err.code, err.message)
    for code, locs in by_code.items():
        spec = REGISTRY.get(code)
        if spec is not None and not analysis.config.check_settings(code, spec.settings).enabled:
            continue
        message = singular(spec.message.format(count=len(locs))) if spec else messages[code]
        severity = _severity(code, None, analysis)
        if analysis.config.fix:
            severity, message = "info", f"{message}; dropped from the split"
        findings.append(
            Finding(
                check=code,
                item=spec.item if spec else "clean",
                severity=severity,
                message=message,
                count=len(locs),
                locations=locs,
            )
        )
    for cid, result in analysis.results.items():
        spec = REGISTRY[cid]
        if not result.flags and not result.message and not result.locations:
            continue
        flags = one_per_example(result.flags)
        locs = [ft.location(f.row, f.detail) for f in flags]
        locs += result.locations
        message = result.message or singular(spec.message.format(count=len(locs)))
        severity = _severity(cid, result.severity, analysis)
        fixable = [f.row for f in flags if f.fixable]
        if analysis.config.fix and spec.fix and fixable and all(r in fixed for r in fixable):
            verb = "dropped" if spec.fix in ("drop", "drop_repeats") else "fixed"
            severity, message = "info", f"{message}; {verb} by --fix"
        elif (
            analysis.config.fix
            and result.flags
            and all(f.row in analysis.fix_drops for f in result.flags)
        ):
            severity, message = "info", f"{message}; only in records --fix dropped"
        findings.append(
            Finding(
                check=cid,
                item=spec.item,
                severity=severity,
                message=message,
                count=len(locs),
                locations=locs,
            )
        )
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], -f.count, f.check))
    return findings


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


def _split_section(analysis: Analysis, paths: tuple[str, str] | None) -> SplitSection | None:
    plan = analysis.plan
    if plan is None:
        return None
    ft = analysis.features
    drops: dict[str, list[SourceLocation]] = defaultdict(list)
    for _, err in analysis.load_errors:
        drops[err.code].append(err.location)
    for row, reason in sorted(analysis.fix_drops.items()):
        drops[reason].append(ft.location(row))
    changes: dict[str, list[SourceLocation]] = defaultdict(list)
    for row, fixes in sorted(analysis.fix_changes.items()):
        for fix in fixes:
            changes[fix].append(ft.location(row))
    dropped = sum(len(v) for v in drops.values())
    return SplitSection(
        seed=analysis.config.seed,
        validation_fraction=analysis.config.validation_fraction,
        train=SplitFile(path=paths[0] if paths else None, examples=plan.train),
        validation=SplitFile(path=paths[1] if paths else None, examples=plan.validation),
        dropped=dropped,
        drops=[Drop(reason=r, count=len(v), locations=v) for r, v in sorted(drops.items())],
        changes=[Change(reason=r, count=len(v), locations=v) for r, v in sorted(changes.items())],
        groups=plan.groups,
        strata=plan.strata,
        details={"target_validation": plan.target_validation, **plan.details},
    )


#: Items whose findings concern individual records, and so are reported for the validation
#: file of an existing split too (dataset-level items judge the training side only).
RECORD_ITEMS = ("clean", "consistent")


def _merge_validation(findings: list[Finding], extra: list[Finding]) -> list[Finding]:
    """Add the validation file's record-level findings: same check -> one finding with all
    locations; a check only the validation file triggers -> its own finding."""
    by_check = {f.check: f for f in findings}
    out = list(findings)
    for f in extra:
        if f.item not in RECORD_ITEMS or not f.locations:
            continue
        mine = by_check.get(f.check)
        if mine is None:
            out.append(f.model_copy(update={"message": f"validation file: {f.message}"}))
            continue
        worst = min(mine.severity, f.severity, key=lambda s: SEVERITY_RANK[s])
        merged = mine.model_copy(
            update={
                "count": mine.count + f.count,
                "locations": [*mine.locations, *f.locations],
                "message": f"{mine.message}; {f.count} more in the validation file",
                "severity": worst,
            }
        )
        out[out.index(mine)] = merged
    out.sort(key=lambda f: (SEVERITY_RANK[f.severity], -f.count, f.check))
    return out


def _inputs(analysis: Analysis) -> list[InputSummary]:
    return [
        InputSummary(path=str(s.path), format=s.label, sha256=h, **s.counts)
        for s, h in zip(analysis.sources, analysis.hashes, strict=True)
    ]


def build_report(analysis: Analysis, split_paths: tuple[str, str] | None = None) -> Report:
    """Compose the report for ``analysis`` (``split_paths`` when files were written)."""
    findings = _findings(analysis)
    inputs = _inputs(analysis)
    if analysis.validation is not None:
        findings = _merge_validation(findings, _findings(analysis.validation))
        inputs += _inputs(analysis.validation)
    checklist = _checklist(analysis, findings)
    return Report(
        ftprep_version=__version__,
        inputs=inputs,
        verdict=_verdict(checklist),
        checklist=checklist,
        findings=findings,
        stats=_stats(analysis),
        split=_split_section(analysis, split_paths),
    )

"""Markdown report: readable in a terminal, a PR comment or a wiki.

Locations are abbreviated after ``max_locations`` per finding (the JSON never is). Text
from the data is escaped so it cannot break the table or inject markup.
"""

from __future__ import annotations

from ftprep.checks.base import ITEMS
from ftprep.costing.render import markdown_lines
from ftprep.report.findings import elsewhere
from ftprep.report.model import Report

ICONS = {"pass": "✅ pass", "warn": "⚠️ warn", "fail": "❌ fail", "skipped": "➖ skipped"}
VERDICTS = {
    "ready": "✅ **Ready**",
    "ready_with_warnings": "⚠️ **Ready, with warnings**",
    "not_ready": "❌ **Not ready**",
}


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell or list item."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "<>`*_[]":
        out = out.replace(ch, "\\" + ch)
    return out


def render_markdown(report: Report, max_locations: int = 10) -> str:
    lines = [
        "# ftprep readiness report",
        "",
        f"{VERDICTS[report.verdict]} — ftprep {report.ftprep_version}",
        "",
    ]
    if report.target is not None:
        takes = "would accept" if report.target.accepts else "would **reject**"
        lines += [f"Target `{report.target.name}`: the platform {takes} this file.", ""]
    lines += [
        "## Inputs",
        "",
        "| file | format | records | examples | load errors |",
        "|---|---|---:|---:|---:|",
    ]
    for inp in report.inputs:
        lines.append(
            f"| `{inp.path}` | {inp.format} | {inp.records} | {inp.examples} | {inp.load_errors} |"
        )
    lines += ["", "## Checklist", "", "| item | status | summary |", "|---|---|---|"]
    for item in ITEMS:
        res = getattr(report.checklist, item)
        lines.append(f"| {item} | {ICONS[res.status]} | {md_escape(res.summary)} |")
    lines += ["", "## Findings", ""]
    if not report.findings:
        lines.append("No findings.")
    for f in report.findings:
        lines.append(f"### {f.severity.upper()} `{f.check}` — {md_escape(f.message)}")
        lines.append("")
        for loc in f.locations[:max_locations]:
            detail = f": {md_escape(loc.detail)}" if loc.detail else ""
            lines.append(f"- `{loc.source}:{loc.line}`{detail}")
        left = max(f.count, len(f.locations)) - min(len(f.locations), max_locations)
        if f.locations and left > 0:
            lines.append(f"- … and {left} more ({elsewhere(report.findings_file)})")
        lines.append("")
    lines += [
        "## Statistics",
        "",
        f"- examples: {report.stats.get('examples', 0)} "
        f"(records: {report.stats.get('records', 0)}, load errors: "
        f"{report.stats.get('load_errors', 0)})",
        *markdown_lines(report.stats, md_escape),
    ]
    if report.split:
        s = report.split
        lines += [
            "",
            "## Split",
            "",
            f"- seed {s.seed}, validation fraction {s.validation_fraction}",
            f"- train: {s.train.examples}" + (f" → `{s.train.path}`" if s.train.path else ""),
            f"- validation: {s.validation.examples}"
            + (f" → `{s.validation.path}`" if s.validation.path else ""),
            f"- groups: {s.groups} (kept whole on one side), strata: {s.strata}",
            f"- dropped: {s.dropped}",
        ]
        for d in s.drops:
            where = ", ".join(f"{loc.source}:{loc.line}" for loc in d.locations[:max_locations])
            more = " …" if d.count > min(len(d.locations), max_locations) else ""
            lines.append(f"  - `{d.reason}`: {d.count} ({where}{more})")
        for c in s.changes:
            lines.append(f"- changed by `{c.reason}`: {c.count}")
    return "\n".join(lines).rstrip() + "\n"

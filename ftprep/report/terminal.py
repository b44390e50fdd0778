"""The terminal view: a rich checklist table, the top findings with locations, the verdict.

Renders to any rich Console, so the CLI prints it and tests capture it as text.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ftprep.checks.base import ITEMS
from ftprep.costing.render import stat_lines
from ftprep.report.model import Report

STATUS_STYLE = {
    "pass": ("✔ pass", "green"),
    "warn": ("! warn", "yellow"),
    "fail": ("✘ fail", "bold red"),
    "skipped": ("- skipped", "dim"),
}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STAT_STYLE = {"info": "", "note": "dim", "warning": "bold yellow"}
VERDICT_STYLE = {
    "ready": ("READY", "bold green"),
    "ready_with_warnings": ("READY WITH WARNINGS", "bold yellow"),
    "not_ready": ("NOT READY", "bold red"),
}


def render_terminal(
    report: Report, console: Console, max_findings: int = 12, max_locations: int = 3
) -> None:
    """Print the checklist, the top findings and the verdict to ``console``."""
    for inp in report.inputs:
        console.print(
            Text.assemble(
                ("input ", "dim"),
                (inp.path, "bold"),
                (f"  {inp.format}, {inp.examples} examples, {inp.load_errors} load errors", "dim"),
            )
        )
    table = Table(title="Checklist", title_justify="left", show_lines=False)
    table.add_column("item")
    table.add_column("status")
    table.add_column("summary", overflow="fold")
    for item in ITEMS:
        res = getattr(report.checklist, item)
        label, style = STATUS_STYLE[res.status]
        table.add_row(item, Text(label, style=style), Text(res.summary))
    console.print(table)
    shown = report.findings[:max_findings]
    if shown:
        console.print(Text("Findings", style="bold"))
    for f in shown:
        console.print(
            Text.assemble(
                (f"{f.severity:<7}", SEVERITY_STYLE[f.severity]),
                " ",
                (f.check, "bold"),
                f"  {f.message}",
            )
        )
        for loc in f.locations[:max_locations]:
            detail = f"  {loc.detail}" if loc.detail else ""
            console.print(Text(f"          {loc.source}:{loc.line}{detail}", style="dim"))
        if len(f.locations) > max_locations:
            console.print(Text(f"          … {len(f.locations) - max_locations} more", style="dim"))
    if len(report.findings) > max_findings:
        console.print(
            Text(
                f"… {len(report.findings) - max_findings} more findings in the report", style="dim"
            )
        )
    for level, line in stat_lines(report.stats):
        console.print(Text(line, style=STAT_STYLE[level]))
    if report.split and report.split.train.path:
        s = report.split
        console.print(
            Text(
                f"split: {s.train.examples} train → {s.train.path}, "
                f"{s.validation.examples} validation → {s.validation.path}, "
                f"{s.dropped} dropped"
            )
        )
    label, style = VERDICT_STYLE[report.verdict]
    console.print(Text.assemble("verdict: ", (label, style)))

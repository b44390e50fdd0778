"""The terminal view: a rich checklist table, the top findings with locations, the verdict.

Renders to any rich Console, so the CLI prints it and tests capture it as text. Colour
carries meaning only together with a word (pass/warn/fail, error/warning), so the view
reads the same on a monochrome CI log.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ftprep.checks.base import ITEMS
from ftprep.costing.render import stat_lines
from ftprep.errors import printable
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


def _overview(report: Report) -> Text:
    st = report.stats
    tok = st.get("tokens", {})
    parts = [f"{st.get('examples', 0):,} examples"]
    if st.get("load_errors"):
        parts.append(f"{st['load_errors']:,} unreadable records")
    if tok:
        per = tok.get("per_example", {})
        limit = st.get("distributions", {}).get("tokens", {}).get("limit", tok.get("limit", 0))
        parts.append(
            f"{tok.get('total', 0):,} tokens ({tok.get('model', '?')}; median "
            f"{per.get('median', 0):g}, max {per.get('max', 0):,} per example, limit "
            f"{limit:,})"
        )
    return Text(" · ".join(parts), style="dim")


def _checklist(report: Report) -> Table:
    table = Table(title="Checklist", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("item", style="bold")
    table.add_column("status", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for item in ITEMS:
        res = getattr(report.checklist, item)
        label, style = STATUS_STYLE[res.status]
        table.add_row(item, Text(label, style=style), Text(res.summary))
    return table


def render_terminal(
    report: Report,
    console: Console,
    max_findings: int = 12,
    max_locations: int = 3,
    written: Sequence[Path] = (),
) -> None:
    """Print the checklist, the top findings (with locations) and the verdict to ``console``.

    Findings past ``max_findings`` are still named, one line each (a wrong ``--metric`` or a
    rare error must never hide behind "more findings"); ``written`` are the report files
    this run wrote, named at the end so the user knows where every location is.
    """
    for inp in report.inputs:
        console.print(
            Text.assemble(
                ("input ", "dim"),
                (printable(inp.path), "bold"),
                (f"  {inp.format}, {inp.examples} examples, {inp.load_errors} load errors", "dim"),
            ),
            soft_wrap=True,
        )
    console.print(_overview(report))
    console.print(_checklist(report))
    shown = report.findings[:max_findings]
    if shown:
        console.print(Text(f"Findings ({len(report.findings)})", style="bold"))
    for f in shown:
        count = f"  ×{f.count:,}" if f.locations else ""
        console.print(
            Text.assemble(
                (f"{f.severity:<7}", SEVERITY_STYLE[f.severity]),
                " ",
                (f.check, "bold"),
                (count, "bold"),
                printable(f"  {f.message}"),
            )
        )
        for loc in f.locations[:max_locations]:
            console.print(
                Text.assemble(
                    "          ",
                    (printable(f"{loc.source}:{loc.line}"), "cyan"),
                    (printable(f"  {loc.detail}") if loc.detail else "", "dim"),
                ),
                soft_wrap=True,
            )
        left = max(f.count, len(f.locations)) - min(len(f.locations), max_locations)
        if f.locations and left > 0:
            console.print(Text(f"          … {left:,} more", style="dim"))
    rest = report.findings[max_findings:]
    if rest:
        where = ", ".join(printable(str(p)) for p in written) if written else "--report report.md"
        console.print(
            Text(
                f"{len(rest)} more {'finding' if len(rest) == 1 else 'findings'} "
                f"(locations in {where}):",
                style="bold",
            )
        )
        for f in rest:
            console.print(
                Text.assemble(
                    (f"{f.severity:<7}", SEVERITY_STYLE[f.severity]),
                    " ",
                    (f.check, "bold"),
                    printable(f"  {f.message}"),
                )
            )
    for level, line in stat_lines(report.stats):
        console.print(Text(line, style=STAT_STYLE[level]))
    s = report.split
    if s is not None and s.train.path:
        console.print(
            Text(
                f"split: {s.train.examples} train → {printable(s.train.path)}, "
                f"{s.validation.examples} validation → {printable(str(s.validation.path))}, "
                f"{s.dropped} dropped"
            )
        )
        html = Path(s.train.path).parent / "report.html"
        console.print(Text.assemble(("full report: ", "dim"), (printable(str(html)), "cyan")))
    elif written:
        names = ", ".join(printable(str(p)) for p in written)
        console.print(Text.assemble(("reports: ", "dim"), (names, "cyan")))
    if report.target is not None:
        takes = report.target.accepts
        console.print(
            Text.assemble(
                f"{report.target.name}: ",
                (
                    "would accept this file" if takes else "would reject this file",
                    "green" if takes else "red",
                ),
            )
        )
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in SEVERITY_STYLE}
    label, style = VERDICT_STYLE[report.verdict]
    console.print(
        Text.assemble(
            "verdict: ",
            (label, style),
            (
                f"  ({counts['error']} errors, {counts['warning']} warnings, "
                f"{counts['info']} info)",
                "dim",
            ),
        )
    )

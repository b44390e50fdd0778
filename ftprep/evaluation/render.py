"""The evaluation report as text: the terminal view, Markdown, and the file writer.

The answer sentence comes first (did the finetune help, by how much, beyond the noise?),
then the score table with intervals, the comparisons, the breakdown and the examples where
the models disagree most. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ftprep.errors import ConfigError
from ftprep.evaluation.result import EvaluationReport, Score
from ftprep.report.markdown import md_escape

VERDICT_STYLE = {"better": "green", "worse": "red", "within noise": "yellow"}


def fmt(score: Score) -> str:
    return f"{score.value:.3f} [{score.low:.3f}, {score.high:.3f}]"


def _rows(report: EvaluationReport) -> list[tuple[str, dict[str, Score]]]:
    rows = [(m.name, m.scores) for m in report.models]
    if report.baseline is not None:
        rows.append((f"majority baseline ({report.baseline.answer})", report.baseline.scores))
    return rows


def render_terminal(report: EvaluationReport, console: Console) -> None:
    """Print the report to ``console`` (the CLI's stdout, or a recording in tests)."""
    console.print(Text(report.answer, style="bold"))
    console.print(
        f"reference: {report.reference.path} ({report.reference.scored} examples scored); "
        f"task: {report.task} ({report.task_evidence})"
    )
    table = Table(title="scores (95% bootstrap interval)", title_justify="left")
    table.add_column("model")
    for metric in report.metrics:
        table.add_column(metric, justify="right")
    for name, scores in _rows(report):
        table.add_row(name, *(fmt(scores[m]) if m in scores else "–" for m in report.metrics))
    console.print(table)
    for c in report.comparisons:
        line = Text(f"{c.model} vs {c.against} on {c.metric}: {c.difference.value:+.3f} ")
        line.append(f"[{c.difference.low:+.3f}, {c.difference.high:+.3f}] ")
        line.append(c.verdict, style=VERDICT_STYLE[c.verdict])
        console.print(line)
    if report.breakdown is not None and report.breakdown.rows:
        bd = Table(
            title=f"per {report.breakdown.kind}: {report.breakdown.measure}", title_justify="left"
        )
        bd.add_column(report.breakdown.kind)
        bd.add_column("support", justify="right")
        names = [m.name for m in report.models]
        for name in names:
            bd.add_column(name, justify="right")
        for row in report.breakdown.rows:
            bd.add_row(row.key, str(row.support), *(f"{row.scores[n]:.3f}" for n in names))
        console.print(bd)
    if report.disagreements:
        console.print(Text("where the models disagree most", style="bold"))
        for d in report.disagreements[:5]:
            console.print(f"  line {d.line}: reference {d.reference!r}")
            for name, text in d.predictions.items():
                console.print(f"    {name} ({d.scores[name]:.2f}): {text!r}")
    if report.judge is not None:
        console.print(Text(f"judge scores ({report.judge.path})", style="bold"))
        for name, s in report.judge.scores.items():
            console.print(f"  {name}: {fmt(s)}")
        for c in report.judge.comparisons:
            console.print(
                f"  {c.model} vs {c.against}: {c.difference.value:+.3f} "
                f"[{c.difference.low:+.3f}, {c.difference.high:+.3f}] {c.verdict}"
            )


def render_markdown(report: EvaluationReport) -> str:
    """A pull-request comment or wiki page."""
    lines = ["# ftprep evaluation", "", f"**{md_escape(report.answer)}**", ""]
    lines += [
        f"Reference `{md_escape(report.reference.path)}`: {report.reference.scored} examples "
        f"scored; task {report.task} ({md_escape(report.task_evidence)}); "
        f"{report.resamples} bootstrap resamples, seed {report.seed}.",
        "",
        "| model | " + " | ".join(report.metrics) + " |",
        "|---|" + "---:|" * len(report.metrics),
    ]
    for name, scores in _rows(report):
        cells = [fmt(scores[m]) if m in scores else "–" for m in report.metrics]
        lines.append(f"| {md_escape(name)} | " + " | ".join(cells) + " |")
    if report.comparisons:
        lines += [
            "",
            "## Differences",
            "",
            "| model | against | metric | difference | verdict |",
            "|---|---|---|---:|---|",
        ]
        for c in report.comparisons:
            lines.append(
                f"| {md_escape(c.model)} | {md_escape(c.against)} | {c.metric} | "
                f"{c.difference.value:+.3f} [{c.difference.low:+.3f}, {c.difference.high:+.3f}] "
                f"| {c.verdict} |"
            )
    if report.breakdown is not None and report.breakdown.rows:
        names = [m.name for m in report.models]
        lines += [
            "",
            f"## Per {report.breakdown.kind} ({report.breakdown.measure})",
            "",
            f"| {report.breakdown.kind} | support | " + " | ".join(map(md_escape, names)) + " |",
            "|---|---:|" + "---:|" * len(names),
        ]
        for row in report.breakdown.rows:
            lines.append(
                f"| {md_escape(row.key)} | {row.support} | "
                + " | ".join(f"{row.scores[n]:.3f}" for n in names)
                + " |"
            )
    if report.disagreements:
        lines += ["", "## Where the models disagree most", ""]
        for d in report.disagreements:
            lines.append(f"- line {d.line}: reference “{md_escape(d.reference)}”")
            for name, text in d.predictions.items():
                lines.append(f"  - {md_escape(name)} ({d.scores[name]:.2f}): “{md_escape(text)}”")
    if report.judge is not None:
        lines += ["", f"## Judge scores (`{md_escape(report.judge.path)}`)", ""]
        for name, s in report.judge.scores.items():
            lines.append(f"- {md_escape(name)}: {fmt(s)}")
        for c in report.judge.comparisons:
            lines.append(
                f"- {md_escape(c.model)} vs {md_escape(c.against)}: {c.difference.value:+.3f} "
                f"[{c.difference.low:+.3f}, {c.difference.high:+.3f}] {c.verdict}"
            )
    return "\n".join(lines) + "\n"


def _renderers() -> dict[str, Callable[[EvaluationReport], str]]:
    from ftprep.evaluation.html import render_html

    return {".json": EvaluationReport.to_json, ".md": render_markdown, ".html": render_html}


def write_evaluation(report: EvaluationReport, paths: Sequence[Path]) -> None:
    """Write each file atomically in the format its extension names."""
    from ftprep.split.writer import write_text_atomic

    renderers = _renderers()
    for path in paths:
        suffix = Path(path).suffix.lower()
        if suffix not in renderers:
            raise ConfigError(
                f"{path}: no evaluation report format for '{suffix}'; use .json, .md or .html"
            )
    for path in paths:
        write_text_atomic(Path(path), renderers[Path(path).suffix.lower()](report))


__all__ = ["render_markdown", "render_terminal", "write_evaluation"]

"""Every renderer against the same report: each shows every finding and its locations, and
the machine formats (JSON, GitHub annotations, Markdown) are reachable from the CLI."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from ftprep.report.github import render_github
from ftprep.report.html import render_html
from ftprep.report.markdown import render_markdown
from ftprep.report.model import Report
from ftprep.report.terminal import render_terminal
from tests import reports


def _terminal(report: Report) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render_terminal(report, console)
    return console.file.getvalue()


RENDERERS = {
    "html": render_html,
    "markdown": render_markdown,
    "json": Report.to_json,
    "github": render_github,
    "terminal": _terminal,
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("renderers")
    return reports.split_report(reports.write_defects(d / "data.jsonl"), d / "out")


@pytest.mark.parametrize("name", sorted(RENDERERS))
@pytest.mark.parametrize("enriched", [False, True])
def test_each_renderer_shows_every_finding_and_location(report, name, enriched):
    rep = reports.enrich(report) if enriched else report
    text = RENDERERS[name](rep)
    for finding in rep.findings:
        assert finding.check in text
        for loc in finding.locations[:3]:
            assert f"{loc.line}" in text
    expected = {
        "html": f"data.jsonl:{reports.MALFORMED_LINE}</span>",
        "markdown": f"data.jsonl:{reports.MALFORMED_LINE}`",
        "json": f'"line": {reports.MALFORMED_LINE}',
        "github": f"data.jsonl,line={reports.MALFORMED_LINE},",
        "terminal": f"data.jsonl:{reports.MALFORMED_LINE}",
    }[name]
    assert expected in text
    if enriched and name in ("html", "markdown"):
        assert f"text: {reports.HOSTILE}" not in text  # the detail is escaped


def test_terminal_view(report):
    text = _terminal(report)
    assert "Checklist" in text and "✘ fail" in text
    counts = {
        s: sum(f.severity == s for f in report.findings) for s in ("error", "warning", "info")
    }
    assert counts["error"] >= 3 and counts["warning"] >= 3
    assert (
        f"verdict: NOT READY  ({counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} info)" in text
    )
    assert f"data.jsonl:{reports.DUPLICATE_LINES[1]}  copy of line 4" in text
    assert "full report:" in text and "report.html" in text
    assert "199 examples · 1 unreadable records" in text
    assert f"per example, limit {reports.TOKEN_LIMIT})" in text


def test_json_and_json_alias_agree(cli, tmp_path):
    data = reports.write_defects(tmp_path / "d.jsonl")
    a = cli("validate", data, "--json")
    b = cli("validate", data, "--format", "json")
    assert a.exit_code == b.exit_code == 1
    assert json.loads(a.stdout) == json.loads(b.stdout)
    bad = cli("validate", data, "--json", "--format", "github")
    assert bad.exit_code == 2 and "conflicts" in bad.stderr


def test_format_github_cli(cli, tmp_path):
    data = reports.write_defects(tmp_path / "d.jsonl")
    result = cli("validate", data, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        f"::error file={data},line={reports.MALFORMED_LINE},title=clean.malformed_json "
        "(error)::" in "\n".join(lines).replace("%3A", ":")
    )
    dup = [ln for ln in lines if "clean.exact_duplicate" in ln]
    assert [int(ln.split(",line=")[1].split(",")[0]) for ln in dup] == list(reports.DUPLICATE_LINES)
    assert all(ln.startswith("::warning ") for ln in dup)
    assert lines[-1].startswith("ftprep: verdict not_ready")


def test_format_markdown_cli(cli, tmp_path):
    data = reports.write_defects(tmp_path / "d.jsonl")
    result = cli("split", data, "--out", tmp_path / "out", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("# ftprep readiness report")
    assert result.stdout == (tmp_path / "out" / "report.md").read_text("utf-8")
    assert (tmp_path / "out" / "report.html").exists()

"""The HTML report: self-contained, escaped, charts when the data is there, tables without
matplotlib, deterministic, and written by ``split`` and ``--report x.html``."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import pytest

from ftprep.report import charts
from ftprep.report.html import render_html, render_html_fragment
from tests import reports


class _Refs(HTMLParser):
    """Collects tags and every attribute that can load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.refs.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)


def external_refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    bad = [r for r in parser.refs if not r.startswith("#")]
    bad += re.findall(r"url\((?!#)[^)]*\)", html)
    bad += re.findall(r"@import", html)
    bad += [
        t
        for t in parser.tags
        if t
        in (
            "script",
            "link",
            "iframe",
            "img",
            "object",
            "embed",
            "base",
            "audio",
            "video",
            "source",
        )
    ]
    return bad + parser.handlers


@pytest.fixture(scope="module")
def split_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("html")
    report = reports.split_report(reports.write_defects(d / "data.jsonl"), d / "out")
    return report, d


@pytest.fixture(scope="module")
def rich_html(split_run):
    return render_html(reports.enrich(split_run[0]))


def test_split_writes_report_html_self_contained(split_run):
    report, d = split_run
    html = (d / "out" / "report.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert external_refs(html) == []
    for finding in report.findings:
        assert f'id="f-{finding.check}"' in html
    # file:line and the masked detail of each location are shown.
    assert f"data.jsonl:{reports.LONG_LINE}</span>" in html
    assert "313 tokens &gt; 200" in html
    for line in reports.DUPLICATE_LINES:
        assert f"data.jsonl:{line}</span>" in html


def test_hostile_text_is_escaped_everywhere(rich_html):
    assert "<script" not in rich_html.lower()
    assert external_refs(rich_html) == []
    escaped = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"
    # location detail, input path, cluster name table, system prompt table
    assert rich_html.count(escaped) >= 4
    # the SVG text of the charts is escaped by matplotlib too
    assert rich_html.count("&lt;script&gt;alert(") > rich_html.count(escaped)


def test_checklist_verdict_and_docs(split_run, rich_html):
    report = split_run[0]
    assert 'class="verdict v-not_ready"' in rich_html
    for item in ("sufficient", "diverse", "consistent", "clean", "split", "evaluated"):
        status = getattr(report.checklist, item).status
        assert f'<div class="item b-{status}"><div class="top"><span class="name">{item}' in (
            rich_html
        )
    from html import escape

    from ftprep.docs import check_catalog

    doc = next(c for c in check_catalog() if c["id"] == "clean.empty_turn")
    assert f"<p>{escape(doc['why'])}</p>" in rich_html
    fix = escape(doc["fix"]).replace("`--fix`", "<code>--fix</code>")
    assert f"<p>{fix}</p>" in rich_html


def test_charts_drawn_for_each_section_present(rich_html):
    for name in ("chart-tokens", "chart-labels", "chart-clusters", "chart-system"):
        assert f'<svg role="img" class="{name}"' in rich_html
    assert "<metadata>" not in rich_html and "<?xml" not in rich_html
    assert "<!DOCTYPE svg" not in rich_html
    ids = re.findall(r'\bid="([^"]+)"', rich_html)
    assert len(ids) == len(set(ids)), "duplicate element ids across inline SVGs"


def test_optional_sections_skipped_when_absent(split_run):
    report = split_run[0]
    consistent = report.checklist.consistent.model_copy(
        update={
            "metrics": {
                k: v
                for k, v in report.checklist.consistent.metrics.items()
                if k != "system_prompts"
            }
        }
    )
    bare = report.model_copy(
        update={
            "stats": {k: v for k, v in report.stats.items() if k != "diversity"},
            "checklist": report.checklist.model_copy(update={"consistent": consistent}),
        }
    )
    html = render_html(bare)
    assert "chart-tokens" in html and "chart-labels" in html
    assert "chart-clusters" not in html and "Topic clusters" not in html
    assert "chart-system" not in html and "System prompt variants" not in html


def test_without_matplotlib_tables_and_hint(split_run, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert not charts.available()
    html = render_html(reports.enrich(split_run[0]))
    assert "<svg" not in html
    assert "pip install matplotlib" in html
    assert "refund · order" in html and "You are a concise support assistant." in html
    assert "<th>label</th>" in html and "<td class=num>" in html


def test_deterministic_bytes(split_run, tmp_path):
    report, d = split_run
    first = (d / "out" / "report.html").read_bytes()
    reports.split_report(d / "data.jsonl", d / "out")
    assert (d / "out" / "report.html").read_bytes() == first
    assert render_html(reports.enrich(report)) == render_html(reports.enrich(report))


def test_notebook_repr_is_scoped_fragment(split_run):
    report = split_run[0]
    frag = report._repr_html_()
    assert frag == render_html_fragment(report)
    assert frag.startswith('<div class="ftprep-report"><style>') and "<body" not in frag
    css = frag.split("<style>")[1].split("</style>")[0]
    selectors = [
        s.strip() for block in re.findall(r"(?:^|})([^{}@]+)\{", css) for s in block.split(",")
    ]
    assert selectors and all(s.startswith(".ftprep-report") for s in selectors if s)


def test_report_option_writes_html(cli, tmp_path):
    data = reports.write_defects(tmp_path / "d.jsonl")
    out = tmp_path / "r.html"
    result = cli(
        "validate",
        data,
        "--report",
        out,
        "--set",
        f"clean.over_token_limit.max_tokens={reports.TOKEN_LIMIT}",
    )
    assert result.exit_code == 1
    html = out.read_text("utf-8")
    assert "clean.over_token_limit" in html and external_refs(html) == []


def test_sections_of_another_shape_are_skipped(split_run):
    report = split_run[0]
    consistent = report.checklist.consistent.model_copy(update={"metrics": {"system_prompts": 3}})
    odd = report.model_copy(
        update={
            "stats": {**report.stats, "diversity": {"clusters": 4}},
            "checklist": report.checklist.model_copy(update={"consistent": consistent}),
        }
    )
    html = render_html(odd)
    assert "chart-clusters" not in html and "chart-system" not in html
    assert "chart-tokens" in html

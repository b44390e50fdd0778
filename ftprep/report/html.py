"""The HTML report: one self-contained file a person can read in seconds.

Inline CSS and inline SVG charts only: no scripts, no fonts, no images or stylesheets from
anywhere, so it opens from disk on an air-gapped machine and cannot leak anything when it
is opened. Every string that comes from the data or the report (paths, messages, location
details, labels, cluster names, system prompts) goes through :func:`html.escape`, so text
such as ``<script>`` is shown, never run.

It only presents the :class:`~ftprep.report.model.Report`: the checklist and verdict, each
finding with why it matters and how to fix it (from the check's docstring, via
:func:`ftprep.docs.check_catalog`) and the offending locations, and charts of the data in
``stats["distributions"]`` (token lengths, labels per split side), ``stats["diversity"]
["clusters"]`` and ``checklist.consistent.metrics["system_prompts"]`` when the report has
them. Without matplotlib the same data is shown as tables, with the install hint.

The CSS is scoped under ``.ftprep-report``, so the same markup works as a whole page
(:func:`render_html`) and inside a Jupyter cell (:func:`render_html_fragment`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

from ftprep.checks.base import ITEMS
from ftprep.report import charts
from ftprep.report.findings import elsewhere
from ftprep.schema import SourceLocation

if TYPE_CHECKING:  # the report's _repr_html_ renders with this module: types only here
    from ftprep.report.model import Finding, Report

#: Locations listed per finding (and per split drop); the rest are counted.
MAX_LOCATIONS = 20
VERDICT_TEXT = {
    "ready": ("Ready", "No errors or warnings: the data can be finetuned on."),
    "ready_with_warnings": (
        "Ready, with warnings",
        "Nothing blocks finetuning, but the warnings below are worth a look.",
    ),
    "not_ready": ("Not ready", "Fix the errors below before finetuning on this data."),
}
STATUS_TEXT = {"pass": "pass", "warn": "warning", "fail": "fail", "skipped": "skipped"}
ITEM_QUESTION = {
    "sufficient": "Enough examples?",
    "diverse": "Covers the range of inputs?",
    "consistent": "Same format and style throughout?",
    "clean": "Free of errors and low-quality examples?",
    "split": "90/10 split without leakage?",
    "evaluated": "A metric to measure improvement?",
}

CSS = """
.ftprep-report{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;
--pass:#15803d;--pass-bg:#dcfce7;--warn:#b45309;--warn-bg:#fef3c7;--fail:#b91c1c;
--fail-bg:#fee2e2;--info:#0369a1;--info-bg:#e0f2fe;--skip:#64748b;--skip-bg:#f1f5f9;
color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",
Arial,sans-serif;max-width:1100px;margin:0 auto;padding:24px 28px 40px}
.ftprep-report *{box-sizing:border-box}
.ftprep-report h1{font-size:24px;margin:0;letter-spacing:-.01em}
.ftprep-report h2{font-size:17px;margin:32px 0 12px;padding-bottom:6px;
border-bottom:1px solid var(--line)}
.ftprep-report h3{font-size:14px;margin:0 0 6px}
.ftprep-report p{margin:6px 0}
.ftprep-report code,.ftprep-report .mono{font-family:ui-monospace,"SFMono-Regular",Menlo,
Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.ftprep-report .muted{color:var(--muted)}
.ftprep-report header{display:flex;justify-content:space-between;align-items:flex-end;
gap:16px;flex-wrap:wrap}
.ftprep-report .meta{color:var(--muted);font-size:13px;margin-top:4px}
.ftprep-report .verdict{margin:18px 0 8px;padding:16px 20px;border-radius:10px;
display:flex;align-items:center;gap:18px;border:1px solid}
.ftprep-report .verdict .label{font-size:22px;font-weight:700;white-space:nowrap}
.ftprep-report .verdict .why{font-size:14px}
.ftprep-report .verdict .counts{margin-left:auto;display:flex;gap:8px;flex-wrap:wrap}
.ftprep-report .v-ready{background:var(--pass-bg);border-color:#86efac;color:var(--pass)}
.ftprep-report .v-ready_with_warnings{background:var(--warn-bg);border-color:#fcd34d;
color:var(--warn)}
.ftprep-report .v-not_ready{background:var(--fail-bg);border-color:#fca5a5;color:var(--fail)}
.ftprep-report .verdict .why{color:var(--ink)}
.ftprep-report .verdict .pill{background:#fff;border-color:currentColor}
.ftprep-report .pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;
font-weight:600;white-space:nowrap;border:1px solid transparent}
.ftprep-report .s-pass{color:var(--pass);background:var(--pass-bg)}
.ftprep-report .s-warn,.ftprep-report .s-warning{color:var(--warn);background:var(--warn-bg)}
.ftprep-report .s-fail,.ftprep-report .s-error{color:var(--fail);background:var(--fail-bg)}
.ftprep-report .s-info{color:var(--info);background:var(--info-bg)}
.ftprep-report .s-skipped{color:var(--skip);background:var(--skip-bg)}
.ftprep-report .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));
gap:12px;margin-top:16px}
.ftprep-report .card{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:12px 14px}
.ftprep-report .card .k{color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.05em}
.ftprep-report .card .v{font-size:22px;font-weight:650;margin:2px 0}
.ftprep-report .card .d{color:var(--muted);font-size:12.5px}
.ftprep-report .checklist{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));
gap:10px}
.ftprep-report .item{background:var(--card);border:1px solid var(--line);border-left:5px solid;
border-radius:8px;padding:10px 14px}
.ftprep-report .item .top{display:flex;justify-content:space-between;align-items:center;gap:8px}
.ftprep-report .item .name{font-weight:650;text-transform:capitalize}
.ftprep-report .item .q{color:var(--muted);font-size:12.5px}
.ftprep-report .item .sum{font-size:13px;margin-top:4px}
.ftprep-report .b-pass{border-left-color:#22c55e}
.ftprep-report .b-warn{border-left-color:#f59e0b}
.ftprep-report .b-fail{border-left-color:#ef4444}
.ftprep-report .b-skipped{border-left-color:#cbd5e1}
.ftprep-report details.finding{background:var(--card);border:1px solid var(--line);
border-radius:8px;margin:8px 0;overflow:hidden}
.ftprep-report details.finding>summary{cursor:pointer;padding:10px 14px;display:flex;
align-items:baseline;gap:10px;list-style:none}
.ftprep-report details.finding>summary::-webkit-details-marker{display:none}
.ftprep-report details.finding>summary::before{content:"▸";color:var(--muted);width:10px}
.ftprep-report details.finding[open]>summary::before{content:"▾"}
.ftprep-report details.finding>summary .msg{flex:1}
.ftprep-report details.finding>summary .n{color:var(--muted);font-size:12.5px;white-space:nowrap}
.ftprep-report .fbody{padding:4px 16px 14px 34px;border-top:1px solid var(--line)}
.ftprep-report .doc{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin:10px 0}
.ftprep-report .doc h4{margin:0 0 2px;font-size:12px;text-transform:uppercase;
letter-spacing:.05em;color:var(--muted)}
.ftprep-report .doc p{margin:0;font-size:13px}
.ftprep-report .doc code,.ftprep-report .muted code{white-space:nowrap}
.ftprep-report table{border-collapse:collapse;width:100%;font-size:13px}
.ftprep-report th,.ftprep-report td{text-align:left;padding:5px 10px;
border-bottom:1px solid var(--line);vertical-align:top}
.ftprep-report th{color:var(--muted);font-weight:600;font-size:12px;background:var(--bg)}
.ftprep-report td.num,.ftprep-report th.num{text-align:right;font-variant-numeric:tabular-nums}
.ftprep-report td.loc{white-space:nowrap;width:1%}
.ftprep-report td.detail{word-break:break-word;white-space:pre-wrap}
.ftprep-report .more{color:var(--muted);font-size:12.5px;margin-top:6px}
.ftprep-report .charts{display:grid;grid-template-columns:1fr;gap:14px}
.ftprep-report figure{margin:0;background:var(--card);border:1px solid var(--line);
border-radius:10px;padding:12px 14px}
.ftprep-report figure svg{width:100%;height:auto;display:block}
.ftprep-report figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.ftprep-report figure details{margin-top:6px;font-size:13px}
.ftprep-report figure details summary{cursor:pointer;color:var(--muted)}
.ftprep-report .notice{background:var(--info-bg);color:var(--info);border-radius:8px;
padding:10px 14px;font-size:13px}
.ftprep-report .ok{color:var(--pass)}
.ftprep-report footer{margin-top:36px;color:var(--muted);font-size:12px;
border-top:1px solid var(--line);padding-top:10px}
@media (max-width:700px){.ftprep-report .doc{grid-template-columns:1fr}
.ftprep-report .verdict{flex-wrap:wrap}}
"""

PAGE_CSS = "body{margin:0;background:#f8fafc}"


def e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape(str(value), quote=True)


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return e(value if value is not None else "–")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return e(value)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _doc_text(text: str) -> str:
    """Escape docstring text and show its `code` spans as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", e(text))


@lru_cache(maxsize=1)
def _docs() -> dict[str, dict[str, Any]]:
    from ftprep.docs import check_catalog

    return {c["id"]: c for c in check_catalog()}


def _table(head: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]]) -> str:
    """A table; ``head`` is (title, numeric) pairs; cells are already-escaped HTML."""
    ths = "".join(f"<th{' class=num' if num else ''}>{e(t)}</th>" for t, num in head)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if num else ''}>{cell}</td>"
            for (_, num), cell in zip(head, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>"


def _locations(locs: Sequence[SourceLocation], limit: int, total: int, where: str) -> str:
    """The first ``limit`` locations as file:line (and excerpt, when any has one); ``total``
    is the true count (the report itself keeps a bounded number), ``where`` says where the
    rest are."""
    if not locs:
        return ""
    shown = locs[:limit]
    details = any(loc.detail for loc in shown)
    rows = "".join(
        f'<tr><td class="loc"><span class="mono">{e(loc.source)}:{loc.line}</span></td>'
        + (f'<td class="detail">{e(loc.detail or "")}</td>' if details else "")
        + "</tr>"
        for loc in shown
    )
    head = "<th>file:line</th>" + ("<th>excerpt</th>" if details else "")
    left = max(total, len(locs)) - len(shown)
    more = f'<p class="more">… and {left:,} more locations ({e(where)})</p>' if left > 0 else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _header(report: Report) -> str:
    tokens = report.stats.get("tokens", {})
    model = (
        f" · model <b>{e(tokens['model'])}</b> ({e(tokens.get('encoding', ''))})"
        if tokens.get("model")
        else ""
    )
    files = ", ".join(f'<span class="mono">{e(i.path)}</span>' for i in report.inputs[:3])
    if len(report.inputs) > 3:
        files += f" and {len(report.inputs) - 3} more"
    label, why = VERDICT_TEXT[report.verdict]
    counts = {
        s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")
    }
    pills = "".join(
        f'<span class="pill s-{s}">{n} {s if n == 1 else s + "s"}</span>'
        for s, n in counts.items()
        if n
    )
    return (
        f"<header><div><h1>Readiness report</h1>"
        f'<div class="meta">{files or "no inputs"}{model} · ftprep {e(report.ftprep_version)}'
        f"</div></div></header>"
        f'<section class="verdict v-{e(report.verdict)}"><div class="label">{e(label)}</div>'
        f'<div class="why">{e(why)}</div><div class="counts">{pills}</div></section>'
    )


def _cards(report: Report) -> str:
    st = report.stats
    tok, cost = st.get("tokens", {}), st.get("cost", {})
    per = tok.get("per_example", {})
    limit = st.get("distributions", {}).get("tokens", {}).get("limit", tok.get("limit", 0))
    cards = [
        (
            "examples",
            _num(st.get("examples", 0)),
            f"{_num(st.get('records', 0))} records, {_num(st.get('load_errors', 0))} unreadable",
        )
    ]
    if tok:
        cards.append(
            (
                "tokens",
                _num(tok.get("total", 0)),
                f"median {_num(per.get('median', 0))} per example, max {_num(per.get('max', 0))};"
                f" limit {_num(limit)}",
            )
        )
    if report.split:
        s = report.split
        cards.append(
            (
                "split",
                f"{_num(s.train.examples)} / {_num(s.validation.examples)}",
                f"train / validation; {_num(s.dropped)} dropped, seed {s.seed}",
            )
        )
    if cost:
        detail = f"{_num(cost.get('train_examples', 0))} examples × {_num(cost.get('epochs', 0))} "
        detail += "epochs"
        if cost.get("estimated_cost_usd") is not None:
            detail += f"; ≈ ${cost['estimated_cost_usd']:,.2f}"
        cards.append(("billed training tokens", _num(cost.get("billed_tokens", 0)), detail))
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="k">{e(k)}</div><div class="v">{v}</div>'
            f'<div class="d">{d}</div></div>'
            for k, v, d in cards
        )
        + "</div>"
    )


def _checklist(report: Report) -> str:
    tiles = []
    for item in ITEMS:
        res = getattr(report.checklist, item)
        tiles.append(
            f'<div class="item b-{res.status}"><div class="top"><span class="name">{item}</span>'
            f'<span class="pill s-{res.status}">{STATUS_TEXT[res.status]}</span></div>'
            f'<div class="q">{e(ITEM_QUESTION[item])}</div>'
            f'<div class="sum">{e(res.summary)}</div></div>'
        )
    return '<h2 id="checklist">Checklist</h2><div class="checklist">' + "".join(tiles) + "</div>"


def _finding(f: Finding, opened: bool, where: str) -> str:
    doc = _docs().get(f.check, {})
    title = doc.get("title", "")
    parts = []
    if doc.get("why") or doc.get("fix"):
        parts.append(
            '<div class="doc">'
            f"<div><h4>Why it matters</h4><p>{_doc_text(doc.get('why', ''))}</p></div>"
            f"<div><h4>How to fix</h4><p>{_doc_text(doc.get('fix', ''))}</p></div></div>"
        )
    if doc.get("threshold"):
        parts.append(f'<p class="muted">Threshold: {_doc_text(doc["threshold"])}</p>')
    parts.append(_locations(f.locations, MAX_LOCATIONS, f.count, where))
    where = f"{f.count:,} location{'s' if f.count != 1 else ''}" if f.locations else ""
    return (
        f'<details class="finding"{" open" if opened else ""} id="f-{e(f.check)}"><summary>'
        f'<span class="pill s-{f.severity}">{f.severity}</span>'
        f'<code title="{e(title)}">{e(f.check)}</code>'
        f'<span class="msg">{e(f.message)}</span><span class="n">{where}</span></summary>'
        f'<div class="fbody">{"".join(parts)}</div></details>'
    )


def _findings(report: Report) -> str:
    if not report.findings:
        return '<h2 id="findings">Findings</h2><p class="ok">No findings.</p>'
    # Open what blocks finetuning: the errors, or the warnings when there is no error.
    worst = report.findings[0].severity
    first = "error" if worst == "error" else "warning"
    return '<h2 id="findings">Findings</h2>' + "".join(
        _finding(f, f.severity == first, elsewhere(report.findings_file)) for f in report.findings
    )


def _figure(svg: str | None, caption: str, table: str, draw: bool) -> str:
    if svg and draw:
        return (
            f"<figure>{svg}<figcaption>{caption}</figcaption>"
            f"<details><summary>show the numbers</summary>{table}</details></figure>"
        )
    return f"<figure><figcaption>{caption}</figcaption>{table}</figure>"


def _entries(value: Any, *keys: str) -> list[dict[str, Any]]:
    """``value`` when it is a list of objects with ``keys`` (the documented shape), else []:
    a section another stage shaped differently is skipped, never a crash."""
    if not isinstance(value, list) or not value:
        return []
    if not all(isinstance(v, dict) and all(k in v for k in keys) for v in value):
        return []
    return value


def _chart(fn: Callable[[Any], str | None], data: Any, draw: bool) -> str | None:
    return fn(data) if draw else None


def _charts(report: Report) -> str:
    draw = charts.available()
    dist = report.stats.get("distributions", {})
    figures = []
    tokens = dist.get("tokens")
    if tokens and tokens.get("counts"):
        edges, counts = tokens["edges"], tokens["counts"]
        rows = [
            (f"{_num(edges[i])}–{_num(edges[i + 1] - 1)}", _num(c))
            for i, c in enumerate(counts)
            if c
        ]
        over = tokens.get("over_limit", 0)
        caption = (
            f"<b>Token length.</b> Tokens per example; the model's limit is "
            f"{_num(tokens.get('limit', 0))} tokens"
            + (
                f", and <b>{_num(over)}</b> {_plural(over, 'example exceeds', 'examples exceed')}"
                " it (the red bar)."
                if over
                else ", and no example exceeds it."
            )
        )
        figures.append(
            _figure(
                _chart(charts.token_histogram, tokens, draw),
                caption,
                _table((("tokens", False), ("examples", True)), rows),
                draw,
            )
        )
    labels = dist.get("labels")
    if labels and labels.get("labels"):
        label_rows: list[tuple[str, ...]] = [
            (e(name), _num(t), _num(v), _num(d))
            for name, t, v, d in zip(
                labels["labels"],
                labels["train"],
                labels["validation"],
                labels["dropped"],
                strict=True,
            )
        ]
        other = labels.get("other")
        if other:
            label_rows.append(
                (
                    f"<i>{_num(other['labels'])} other labels</i>",
                    _num(other["train"]),
                    _num(other["validation"]),
                    _num(other["dropped"]),
                )
            )
        figures.append(
            _figure(
                _chart(charts.label_balance, labels, draw),
                "<b>Labels, train vs validation.</b> Share of each label on each side of the "
                "split; the bars of a label should be about as long in both.",
                _table(
                    (("label", False), ("train", True), ("validation", True), ("dropped", True)),
                    label_rows,
                ),
                draw,
            )
        )
    diversity = report.stats.get("diversity")
    clusters = _entries(
        diversity.get("clusters") if isinstance(diversity, dict) else None, "name", "size"
    )
    if clusters:
        figures.append(
            _figure(
                _chart(charts.cluster_sizes, clusters, draw),
                "<b>Topic clusters.</b> Examples per cluster of similar inputs, largest first; "
                "a few giant clusters or many tiny ones mean the data covers a narrow range."
                + (
                    f" The chart shows the {charts.MAX_BARS} largest of {len(clusters)} clusters;"
                    " the table lists them all."
                    if len(clusters) > charts.MAX_BARS
                    else ""
                ),
                _table(
                    (("cluster", False), ("examples", True)),
                    [(e(c.get("name", "")), _num(c.get("size", 0))) for c in clusters],
                ),
                draw,
            )
        )
    prompts = _entries(report.checklist.consistent.metrics.get("system_prompts"), "text", "count")
    if prompts:
        figures.append(
            _figure(
                _chart(charts.system_prompts, prompts, draw),
                "<b>System prompt variants.</b> Examples per distinct system prompt (PII "
                "masked); the model learns one behaviour per variant."
                + (
                    f" The chart shows the {charts.MAX_BARS} most common of {len(prompts)};"
                    " the table lists them all."
                    if len(prompts) > charts.MAX_BARS
                    else ""
                ),
                _table(
                    (("system prompt", False), ("examples", True)),
                    [
                        (
                            f'<span class="mono">{e(p.get("text", ""))}</span>',
                            _num(p.get("count", 0)),
                        )
                        for p in prompts
                    ],
                ),
                draw,
            )
        )
    if not figures:
        return ""
    notice = (
        ""
        if draw
        else '<p class="notice">Charts need matplotlib: <code>'
        + e(charts.INSTALL_HINT)
        + "</code>. The same numbers are shown as tables.</p>"
    )
    return (
        '<h2 id="data">The data</h2>'
        + notice
        + '<div class="charts">'
        + "".join(figures)
        + "</div>"
    )


def _split(report: Report) -> str:
    s = report.split
    if s is None:
        return ""
    where = elsewhere(report.findings_file)
    rows = [
        ("train", _num(s.train.examples), f'<span class="mono">{e(s.train.path or "–")}</span>'),
        (
            "validation",
            _num(s.validation.examples),
            f'<span class="mono">{e(s.validation.path or "–")}</span>',
        ),
        ("dropped", _num(s.dropped), "listed below with their reasons" if s.dropped else ""),
    ]
    out = [
        '<h2 id="split">Split</h2>',
        f"<p>Seed {s.seed}, validation fraction {e(s.validation_fraction)}; {_num(s.groups)} "
        f"groups of related examples each kept whole on one side; {_num(s.strata)} strata.</p>",
        _table((("side", False), ("examples", True), ("file", False)), rows),
    ]
    for d in s.drops:
        out.append(
            f'<h3 style="margin-top:14px">Dropped: <code>{e(d.reason)}</code> ({_num(d.count)})'
            f"</h3>{_locations(d.locations, MAX_LOCATIONS, d.count, where)}"
        )
    for c in s.changes:
        out.append(
            f'<h3 style="margin-top:14px">Changed by <code>{e(c.reason)}</code> '
            f"({_num(c.count)})</h3>{_locations(c.locations, MAX_LOCATIONS, c.count, where)}"
        )
    return "".join(out)


def _inputs(report: Report) -> str:
    rows = [
        (
            f'<span class="mono">{e(i.path)}</span>',
            e(i.format),
            _num(i.records),
            _num(i.examples),
            _num(i.load_errors),
            f'<span class="mono" title="{e(i.sha256)}">{e(i.sha256[:12])}</span>',
        )
        for i in report.inputs
    ]
    head = (
        ("file", False),
        ("format", False),
        ("records", True),
        ("examples", True),
        ("load errors", True),
        ("sha256", False),
    )
    return '<h2 id="inputs">Inputs</h2>' + _table(head, rows)


def render_html_fragment(report: Report) -> str:
    """The report as a ``<div>`` with its own scoped ``<style>`` (for notebooks)."""
    body = "".join(
        (
            _header(report),
            _cards(report),
            _checklist(report),
            _findings(report),
            _charts(report),
            _split(report),
            _inputs(report),
            f"<footer>ftprep {e(report.ftprep_version)} · report schema version "
            f"{report.schema_version} · this file is self-contained: no scripts, no network. "
            "Every location of every finding is in report.json.</footer>",
        )
    )
    return f'<div class="ftprep-report"><style>{CSS}</style>{body}</div>'


def render_html(report: Report) -> str:
    """The report as a complete, self-contained HTML document (``report.html``)."""
    label, _ = VERDICT_TEXT[report.verdict]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>ftprep report: {e(label)}</title><style>{PAGE_CSS}</style></head>"
        f"<body>{render_html_fragment(report)}</body></html>\n"
    )

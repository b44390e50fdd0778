"""The evaluation report as one self-contained HTML page, styled like the readiness report.

A chart of every model's primary score with its 95% interval (and the majority baseline as
a line) answers "did it help?" at a glance; the tables carry the same figures for every
metric. No scripts, no network; every string from the data is escaped.
"""

from __future__ import annotations

from ftprep.evaluation.result import EvaluationReport
from ftprep.report import charts
from ftprep.report.html import CSS, PAGE_CSS, _table, e

VERDICT_CLASS = {"better": "s-pass", "worse": "s-fail", "within noise": "s-warn"}


def score_chart(report: EvaluationReport) -> str | None:
    """Horizontal bars: each model's primary score, its interval as an error bar."""
    if not report.models or not charts.available():
        return None
    metric = report.primary
    names = [m.name for m in report.models]
    values = [m.scores[metric].value for m in report.models if metric in m.scores]
    if len(values) != len(names):
        return None
    lows = [v - m.scores[metric].low for v, m in zip(values, report.models, strict=True)]
    highs = [m.scores[metric].high - v for v, m in zip(values, report.models, strict=True)]
    rows = list(range(len(names)))
    with charts._figure(charts.WIDTH, 0.9 + 0.4 * len(names)) as fig:
        ax = fig.add_subplot()
        ax.barh(
            rows,
            values,
            height=0.55,
            color=charts.BAR_COLOR,
            xerr=[lows, highs],
            error_kw={"ecolor": charts.INK, "capsize": 4},
        )
        ax.set_yticks(rows, [charts.short(n, 40) for n in names])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"{metric} (95% bootstrap interval)")
        if report.baseline is not None and metric in report.baseline.scores:
            base = report.baseline.scores[metric].value
            ax.axvline(base, color=charts.LIMIT_COLOR, linestyle="--", linewidth=1)
            ax.annotate(
                "majority baseline",
                (base, -0.5),
                xytext=(3, 0),
                textcoords="offset points",
                color=charts.LIMIT_COLOR,
                va="bottom",
            )
        charts._style_value_axis(ax, "x")
        return charts._svg(fig, "chart-scores", f"{metric} per model")


def _scores_table(report: EvaluationReport) -> str:
    head = [("model", False)] + [(m, True) for m in report.metrics]
    rows = []
    entries = [(m.name, m.scores) for m in report.models]
    if report.baseline is not None:
        entries.append((f"majority baseline ({report.baseline.answer})", report.baseline.scores))
    for name, scores in entries:
        cells = [e(name)]
        for m in report.metrics:
            s = scores.get(m)
            cells.append(
                "–"
                if s is None
                else f"{s.value:.3f} <span class=muted>[{s.low:.3f}, {s.high:.3f}]</span>"
            )
        rows.append(cells)
    return _table(head, rows)


def _comparisons(report: EvaluationReport) -> str:
    if not report.comparisons:
        return ""
    rows = [
        [
            e(c.model),
            e(c.against),
            e(c.metric),
            f"{c.difference.value:+.3f} <span class=muted>[{c.difference.low:+.3f}, "
            f"{c.difference.high:+.3f}]</span>",
            f'<span class="pill {VERDICT_CLASS[c.verdict]}">{e(c.verdict)}</span>',
        ]
        for c in report.comparisons
    ]
    head = [
        ("model", False),
        ("against", False),
        ("metric", False),
        ("difference", True),
        ("verdict", False),
    ]
    return "<h2>Differences</h2>" + _table(head, rows)


def _breakdown(report: EvaluationReport) -> str:
    bd = report.breakdown
    if bd is None or not bd.rows:
        return ""
    names = [m.name for m in report.models]
    head = [(bd.kind, False), ("support", True)] + [(n, True) for n in names]
    rows = [[e(r.key), f"{r.support:,}"] + [f"{r.scores[n]:.3f}" for n in names] for r in bd.rows]
    return f"<h2>Per {e(bd.kind)}</h2><p class=muted>{e(bd.measure)}</p>" + _table(head, rows)


def _disagreements(report: EvaluationReport) -> str:
    if not report.disagreements:
        return ""
    names = [m.name for m in report.models]
    head = [("line", True), ("reference", False)] + [(n, False) for n in names]
    rows = [
        [str(d.line), e(d.reference)]
        + [f"{e(d.predictions[n])} <span class=muted>({d.scores[n]:.2f})</span>" for n in names]
        for d in report.disagreements
    ]
    return "<h2>Where the models disagree most</h2>" + _table(head, rows)


def _judge(report: EvaluationReport) -> str:
    j = report.judge
    if j is None:
        return ""
    rows = [[e(n), f"{s.value:.3f}", f"[{s.low:.3f}, {s.high:.3f}]"] for n, s in j.scores.items()]
    return f"<h2>Judge scores</h2><p class=muted>{e(j.path)}: {j.examples} examples</p>" + _table(
        [("model", False), ("mean score", True), ("95% interval", True)], rows
    )


def render_html(report: EvaluationReport) -> str:
    svg = score_chart(report)
    chart = (
        f"<figure>{svg}<figcaption>{e(report.primary)} per model with its 95% bootstrap "
        "interval</figcaption></figure>"
        if svg
        else f'<p class="notice">Charts need matplotlib: {e(charts.INSTALL_HINT)}</p>'
    )
    body = "".join(
        (
            "<header><div><h1>ftprep evaluation</h1>"
            f"<div class=meta>reference {e(report.reference.path)} · "
            f"{report.reference.scored:,} examples scored · task {e(report.task)} · "
            f"{report.resamples:,} resamples, seed {report.seed}</div></div></header>",
            f'<div class="verdict v-ready_with_warnings"><div class=why>{e(report.answer)}'
            "</div></div>",
            chart,
            "<h2>Scores</h2>",
            _scores_table(report),
            _comparisons(report),
            _breakdown(report),
            _disagreements(report),
            _judge(report),
            f"<footer>ftprep {e(report.ftprep_version)} · evaluation schema version "
            f"{report.schema_version} · self-contained: no scripts, no network.</footer>",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>ftprep evaluation</title><style>{PAGE_CSS}</style></head>"
        f'<body><div class="ftprep-report"><style>{CSS}</style>{body}</div></body></html>\n'
    )


__all__ = ["render_html", "score_chart"]

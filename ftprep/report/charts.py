"""Charts for the HTML report: matplotlib figures rendered to inline SVG strings.

matplotlib is a core dependency, imported only when a chart is drawn; if a trimmed
environment lacks it, :func:`available` is false and the HTML report shows tables instead.
Each function takes a section of the report exactly as it is stored (nothing is computed
here beyond layout) and returns an ``<svg>`` element ready to inline, or None when there
is nothing to draw.

The SVG is deterministic, so the same report gives a byte-identical report.html: figures
are drawn on an explicit Agg canvas (pyplot and its global backend state are never
touched, so a notebook's own plotting is unaffected), ``svg.hashsalt`` fixes the element
ids, and the metadata block (creator, date) is dropped. Text from the data (cluster names,
system prompts, labels) is drawn as plain text: mathtext parsing is off, so a ``$`` in the
data cannot break a chart, and matplotlib escapes ``<`` and ``&`` in the SVG it writes.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

INSTALL_HINT = "pip install matplotlib"
TRAIN_COLOR = "#2563eb"
VALIDATION_COLOR = "#f59e0b"
LIMIT_COLOR = "#dc2626"
BAR_COLOR = "#3b82f6"
INK = "#334155"
GRID = "#e2e8f0"
RC: dict[str, Any] = {
    "svg.hashsalt": "ftprep",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 8.5,
    "axes.edgecolor": "#cbd5e1",
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
}
#: Figure width in inches: about the page's content width at 1.5 px per point.
WIDTH = 10.0
#: Most bars one chart lists; the rest are named in a note under it.
MAX_BARS = 25


def available() -> bool:
    """True when matplotlib can be imported (charts are drawn), False otherwise."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _figure(width: float, height: float) -> Iterator[Any]:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        yield fig


_DROP = (
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
    re.compile(r'\s+xmlns(:xlink)?="[^"]*"'),
    re.compile(r'\s+version="1\.1"'),
)


def _svg(fig: Any, name: str, title: str) -> str:
    """The figure as an inline ``<svg>``: no XML prolog or DTD reference, ids prefixed with
    ``name`` so several charts on one page never share an id, and an accessible title."""
    buf = io.StringIO()
    fig.savefig(
        buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    for pattern in _DROP:
        text = pattern.sub("", text)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = text.replace("url(#", f"url(#{name}-").replace('href="#', f'href="#{name}-')
    text = re.sub(
        r'<svg\s+width="[^"]*"\s+height="[^"]*"', f'<svg role="img" class="{name}"', text, count=1
    )
    from html import escape

    head, sep, rest = text.partition(">")
    return f"{head}{sep}<title>{escape(title)}</title>{rest}".strip() + "\n"


def short(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _style_value_axis(ax: Any, axis: str) -> None:
    ax.grid(axis=axis, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def token_histogram(tokens: dict[str, Any]) -> str | None:
    """Tokens per example as a histogram, the model's limit marked (bins over it in red)."""
    edges: Sequence[int] = tokens.get("edges") or []
    counts: Sequence[int] = tokens.get("counts") or []
    if not counts:
        return None
    limit = int(tokens.get("limit") or 0)
    lefts, widths = edges[:-1], [b - a for a, b in itertools.pairwise(edges)]
    colors = [LIMIT_COLOR if left >= limit > 0 else BAR_COLOR for left in lefts]
    with _figure(WIDTH, 2.8) as fig:
        ax = fig.add_subplot()
        ax.bar(
            lefts,
            counts,
            width=widths,
            align="edge",
            color=colors,
            edgecolor="white",
            linewidth=0.5,
        )
        if tokens.get("scale") == "log":
            ax.set_xscale("log")
            from matplotlib.ticker import FuncFormatter

            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        over = int(tokens.get("over_limit") or 0)
        first_red = next((i for i, c in enumerate(colors) if c == LIMIT_COLOR and counts[i]), None)
        if over and first_red is not None:
            ax.annotate(
                f"{over:,} over the limit",
                (lefts[first_red], counts[first_red]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color=LIMIT_COLOR,
                fontweight="bold",
            )
        ax.set_xlabel(
            "tokens per example" + (" (log scale)" if tokens.get("scale") == "log" else "")
        )
        ax.set_ylabel("examples")
        _style_value_axis(ax, "y")
        if limit and limit <= edges[-1]:
            ax.axvline(limit, color=LIMIT_COLOR, linestyle="--", linewidth=1.2)
            ax.annotate(
                f"limit {limit:,}",
                (limit, 1),
                xycoords=("data", "axes fraction"),
                xytext=(-4, -2),
                textcoords="offset points",
                ha="right",
                va="top",
                color=LIMIT_COLOR,
            )
        elif limit:
            ax.annotate(
                f"model limit {limit:,} tokens →\n(longest example: {int(tokens.get('max', 0)):,})",
                (1, 1),
                xycoords="axes fraction",
                ha="right",
                va="top",
                color=LIMIT_COLOR,
            )
        ax.set_xlim(edges[0], edges[-1])
        return _svg(fig, "chart-tokens", "Histogram of tokens per example")


def label_balance(labels: dict[str, Any]) -> str | None:
    """Share of each label in train and in validation, side by side."""
    names: Sequence[str] = labels.get("labels") or []
    if not names:
        return None
    train, val = list(labels.get("train", [])), list(labels.get("validation", []))
    names = [short(n, 36) for n in names][:MAX_BARS]
    other = labels.get("other")
    hidden = len(labels.get("labels", [])) - len(names)
    if other or hidden > 0:
        rest_train = sum(train[len(names) :]) + (other or {}).get("train", 0)
        rest_val = sum(val[len(names) :]) + (other or {}).get("validation", 0)
        train, val = [*train[: len(names)], rest_train], [*val[: len(names)], rest_val]
        names = [*names, "(other labels)"]
    n_train, n_val = max(sum(train), 1), max(sum(val), 1)
    share_train = [100 * c / n_train for c in train]
    share_val = [100 * c / n_val for c in val]
    rows = list(range(len(names)))
    with _figure(WIDTH, 0.9 + 0.24 * len(names)) as fig:
        ax = fig.add_subplot()
        h = 0.38
        ax.barh(
            [r - h / 2 for r in rows],
            share_train,
            height=h,
            color=TRAIN_COLOR,
            label=f"train ({sum(train):,})",
        )
        ax.barh(
            [r + h / 2 for r in rows],
            share_val,
            height=h,
            color=VALIDATION_COLOR,
            label=f"validation ({sum(val):,})",
        )
        ax.set_yticks(rows, names)
        ax.invert_yaxis()
        ax.set_xlabel("% of the side's examples")
        _style_value_axis(ax, "x")
        ax.legend(loc="lower right", frameon=False)
        return _svg(fig, "chart-labels", "Label distribution in train and validation")


def _bars(
    items: Sequence[tuple[str, int]], name: str, title: str, xlabel: str, width_chars: int
) -> str | None:
    if not items:
        return None
    shown = list(items)[:MAX_BARS]
    rows = list(range(len(shown)))
    with _figure(WIDTH, 0.8 + 0.24 * len(shown)) as fig:
        ax = fig.add_subplot()
        values = [int(v) for _, v in shown]
        ax.barh(rows, values, height=0.62, color=BAR_COLOR)
        ax.set_yticks(rows, [short(label, width_chars) for label, _ in shown])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        _style_value_axis(ax, "x")
        for r, v in zip(rows, values, strict=True):
            ax.annotate(
                f"{v:,}", (v, r), xytext=(3, 0), textcoords="offset points", va="center", color=INK
            )
        ax.margins(x=0.08)
        return _svg(fig, name, title)


def cluster_sizes(clusters: Sequence[dict[str, Any]]) -> str | None:
    """Examples per topic cluster, largest first, each bar named."""
    items = sorted(
        ((str(c.get("name", "")), int(c.get("size", 0))) for c in clusters), key=lambda t: -t[1]
    )
    return _bars(items, "chart-clusters", "Examples per topic cluster", "examples", 48)


def system_prompts(variants: Sequence[dict[str, Any]]) -> str | None:
    """Examples per system prompt variant, most common first."""
    items = sorted(
        (
            (str(v.get("text", "")) or "(no system prompt)", int(v.get("count", 0)))
            for v in variants
        ),
        key=lambda t: -t[1],
    )
    return _bars(items, "chart-system", "Examples per system prompt variant", "examples", 60)

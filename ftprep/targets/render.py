"""Plain-text views of target results (the CLI prints these; no logic lives here)."""

from __future__ import annotations

from ftprep.targets import TARGETS
from ftprep.targets.convert import ConvertReport

_SHOWN = 5


def convert_summary(report: ConvertReport) -> str:
    """What ``ftprep convert`` prints: counts, files, then each finding with locations."""
    lines = [
        f"{report.target}: wrote {report.written} of {report.records} records to "
        f"{report.output} ({report.bytes} bytes)"
    ]
    lines += [f"  also wrote {p}" for p in report.companions]
    if not report.findings:
        lines.append("no losses; every example meets the target's rules")
    for f in report.findings:
        lines.append(f"{f.severity.upper():7} {f.check}: {f.message}")
        for loc in f.locations[:_SHOWN]:
            detail = f" — {loc.detail}" if loc.detail else ""
            lines.append(f"          {loc.source}:{loc.line}{detail}")
        if len(f.locations) > _SHOWN:
            lines.append(f"          ... {len(f.locations) - _SHOWN} more (see --json)")
    return "\n".join(lines) + "\n"


def _limit(value: object) -> str:
    return "-" if value is None else f"{value.value:,}{'' if value.confirmed else '?'}"  # type: ignore[attr-defined]


def targets_table() -> str:
    """One line per target: name, tools, weights, preference, min examples, max file bytes."""
    rows = [("target", "tools", "weights", "preference", "min", "max file bytes")]
    for p in TARGETS.values():
        rows.append(
            (
                p.name,
                "yes" if p.tools else "no",
                p.weights or "no",
                "yes" if p.preference else "no",
                _limit(p.min_examples),
                _limit(p.max_file_bytes),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(out) + "\n(? = limit not confirmed from an official source)\n"

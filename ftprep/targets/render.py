"""Plain-text view of the target profiles (``ftprep targets`` prints it; no logic lives here)."""

from __future__ import annotations

from ftprep.targets import TARGETS


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

"""Conservation across a sharded split: nothing lost between the records read and the parts.

Kept apart from the writer and from :mod:`ftprep.split.sharded` because both need it: the
sharded writer checks its counts before publishing, and :func:`ftprep.split.writer.verify_split`
checks them again on a published folder (the files may have changed since).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SIDES = ("train", "validation")


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            count += chunk.count(b"\n")
    return count


def conservation_problems(folder: Path, summary: Any) -> list[str]:
    """Where a sharded split's counts do not add up: per shard and in total, train +
    validation + dropped must equal the records read, and each part must hold as many
    lines as the manifest says."""
    try:
        parts = list(summary["parts"])
        totals = {k: int(summary[k]) for k in ("records", "train", "validation", "dropped")}
    except (KeyError, TypeError, ValueError):
        return [f"{folder}: the manifest's split counts are unreadable"]
    problems = []
    if totals["train"] + totals["validation"] + totals["dropped"] != totals["records"]:
        problems.append(
            f"{folder}: train {totals['train']} + validation {totals['validation']} + dropped "
            f"{totals['dropped']} != {totals['records']} records"
        )
    for key in ("records", "train", "validation", "dropped"):
        if sum(int(p[key]) for p in parts) != totals[key]:
            problems.append(f"{folder}: the shards' {key} do not add up to the total")
    for p in parts:
        if int(p["train"]) + int(p["validation"]) + int(p["dropped"]) != int(p["records"]):
            problems.append(f"{p['input']}: train + validation + dropped != records")
        for side in SIDES:
            path = folder / p[f"{side}_file"]
            if path.is_file() and _lines(path) != int(p[side]):
                problems.append(f"{path}: holds {_lines(path)} lines, the manifest says {p[side]}")
    return problems


__all__ = ["SIDES", "conservation_problems"]

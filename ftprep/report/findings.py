"""``findings.jsonl``: every location of every finding, drop and change, one JSON line each.

report.json, report.md and report.html keep the first :data:`LOCATION_LIMIT` locations of a
finding next to its true ``count``, so they stay readable (and small) at any dataset size: a
million near duplicates would otherwise make a 170 MB report. The full list goes here,
streamed line by line in the report's order (findings by severity, then count; then the
split's drops and changes by reason), so tools can grep or load it without holding it all.

Line shape (keys in this order; ``detail`` only when there is one)::

    {"kind": "finding", "check": "clean.exact_duplicate", "severity": "warning",
     "source": "data.jsonl", "line": 44, "detail": "copy of line 12"}
    {"kind": "drop", "check": "clean.malformed_json", "source": "data.jsonl", "line": 7}
    {"kind": "change", "check": "trim", "source": "data.jsonl", "line": 9}

Where it is written: ``split --out DIR`` writes ``DIR/findings.jsonl`` beside the reports.
``validate --report PATH`` writes one findings file beside the first report, named after it
(``--report out/r.json --report out/r.html`` write ``out/r.findings.jsonl``); ``--findings
PATH`` chooses another path. The Python API takes ``findings=PATH``. report.json names the
file in ``findings_file`` (null when none was written).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftprep.jsonl import dumps
from ftprep.split.writer import atomic_writer

if TYPE_CHECKING:
    from ftprep.report.build import Pending, PendingSplit

#: Locations kept per finding (and per split drop/change) in report.json/.md/.html.
LOCATION_LIMIT = 100
FINDINGS_NAME = "findings.jsonl"


def findings_path_for(report: Path) -> Path:
    """The findings file written beside a ``--report`` file: same directory and stem."""
    return report.with_name(f"{report.stem}.{FINDINGS_NAME}")


def elsewhere(findings_file: str | None) -> str:
    """Where the locations a report file leaves out can be read: for "… N more (...)"."""
    return f"all are in {Path(findings_file).name}" if findings_file else "not listed here"


def _line(head: dict[str, Any], loc: Any) -> str:
    row = {**head, "source": loc.source, "line": loc.line}
    if loc.detail is not None:
        row["detail"] = loc.detail
    return dumps(row)


def finding_lines(pending: Iterable[Pending], split: Iterable[PendingSplit]) -> Iterable[str]:
    """The file's lines, generated one location at a time."""
    for p in pending:
        head = {"kind": "finding", "check": p.finding.check, "severity": p.finding.severity}
        for loc in p.locations():
            yield _line(head, loc)
    for s in split:
        head = {"kind": s.kind, "check": s.reason}
        for loc in s.locations():
            yield _line(head, loc)


def write_findings(path: Path, pending: Sequence[Pending], split: Sequence[PendingSplit]) -> None:
    """Write the findings file atomically, streaming (never the whole list in memory)."""

    with atomic_writer(Path(path)) as fh:
        fh.writelines(finding_lines(pending, split))

"""GitHub Actions workflow commands: findings as annotations on the pull request.

``ftprep validate data.jsonl --format github`` prints one ``::error``/``::warning``/``::notice``
line per location, which GitHub shows on the file and line in the PR's diff view. Values
are escaped by GitHub's rules (``%`` → ``%25``, CR → ``%0D``, LF → ``%0A`` everywhere, and
``:`` → ``%3A``, ``,`` → ``%2C`` inside properties), so text from the data cannot end a
command early or start another one. A finding with more than ``max_locations`` locations gets
that many annotations and then one summary line saying how many were left out (report.json
has them all): GitHub itself shows only the first few per step.
"""

from __future__ import annotations

from ftprep.report.findings import elsewhere
from ftprep.report.model import Finding, Report
from ftprep.wording import plural

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
MAX_LOCATIONS = 50


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **props: str | int) -> str:
    shown = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
    head = f"{kind} {shown}" if shown else kind
    return f"::{head}::{escape_data(message)}"


def annotation_lines(
    finding: Finding, max_locations: int = MAX_LOCATIONS, where: str = "not listed here"
) -> list[str]:
    """The workflow-command lines for one finding (``where``: where unshown locations are)."""
    kind = COMMAND[finding.severity]
    title = f"{finding.check} ({finding.severity})"
    if not finding.locations:
        return [_command(kind, finding.message, title=title)]
    lines = []
    for loc in finding.locations[:max_locations]:
        message = f"{finding.message}: {loc.detail}" if loc.detail else finding.message
        lines.append(_command(kind, message, file=loc.source, line=loc.line, title=title))
    shown = min(len(finding.locations), max_locations)
    left = max(finding.count, len(finding.locations)) - shown
    if left > 0:
        lines.append(
            _command(
                kind,
                f"{finding.message}: {left} more locations not annotated (first "
                f"{shown} shown; {where})",
                title=title,
            )
        )
    return lines


def render_github(report: Report, max_locations: int = MAX_LOCATIONS) -> str:
    """Every finding as annotations, then a plain verdict line for the log."""
    where = elsewhere(report.findings_file)
    lines = [line for f in report.findings for line in annotation_lines(f, max_locations, where)]
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in COMMAND}
    lines.append(
        f"ftprep: verdict {report.verdict} ({plural(counts['error'], 'error')}, "
        f"{plural(counts['warning'], 'warning')}, {plural(counts['info'], 'notice')})"
    )
    return "\n".join(lines) + "\n"

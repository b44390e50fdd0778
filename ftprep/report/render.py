"""Report files by extension: ``.json``, ``.md`` and ``.html``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ftprep.errors import ConfigError
from ftprep.report.html import render_html
from ftprep.report.markdown import render_markdown
from ftprep.report.model import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    ".json": Report.to_json,
    ".md": render_markdown,
    ".html": render_html,
}


def render(report: Report, suffix: str) -> str:
    try:
        return RENDERERS[suffix](report)
    except KeyError:
        raise ConfigError(
            f"no report format for '{suffix}'; use one of {', '.join(sorted(RENDERERS))}"
        ) from None


def write_reports(report: Report, paths: Sequence[Path]) -> None:
    """Write each report file atomically, in the format its extension names."""
    from ftprep.split.writer import write_text_atomic

    for path in paths:
        write_text_atomic(Path(path), render(report, Path(path).suffix.lower()))

"""Progress display for long phases, on stderr, only when a person is watching.

Library code reports progress through a plain callback ``(phase, done, total)``
(:data:`ftprep.engine.Progress`); this module provides the rich implementation the CLI
passes in. Phases are whatever the library reports: ``loading`` (records read, tokenized
and hashed so far; the total is unknown until the end), one per dataset check (a check id
such as ``clean.near_duplicate``: similarity and clustering run there), and any others a
stage adds. The bars are hidden when stderr is not a terminal or with ``--quiet``, so CI
logs and piped output stay clean, and they are transient: they vanish when done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ftprep.engine import Progress as ProgressCallback

#: Friendlier names for the phases the engine reports.
PHASES = {"loading": "loading, tokenizing, hashing"}


def describe(phase: str) -> str:
    """What a person sees for ``phase``: a known phase's name or ``checking <check id>``."""
    if phase in PHASES:
        return PHASES[phase]
    return f"checking {phase}" if "." in phase else phase


class CountColumn(ProgressColumn):
    """``done/total`` with thousands separators, or just ``done records`` while unknown."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        if task.total is None:
            return Text(f"{done:,}", style="progress.download")
        return Text(f"{done:,}/{int(task.total):,}", style="progress.download")


@contextmanager
def progress_bar(
    enabled: bool, console: Console | None = None
) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback, or None when disabled or stderr is not a terminal."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        CountColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(describe(phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update

"""Progress bars: on a terminal's stderr only, never with --quiet or when piped."""

from __future__ import annotations

import io

from rich.console import Console

import ftprep
from ftprep.progress import describe, progress_bar
from tests.conftest import varied_chats


def test_hidden_when_not_a_terminal_or_quiet():
    piped = Console(file=io.StringIO(), force_terminal=False)
    with progress_bar(True, piped) as cb:
        assert cb is None
    tty = Console(file=io.StringIO(), force_terminal=True)
    with progress_bar(False, tty) as cb:
        assert cb is None
    assert tty.file.getvalue() == ""


def test_shown_on_a_terminal_for_a_real_run(write_jsonl):
    out = io.StringIO()
    tty = Console(file=out, force_terminal=True, width=100)
    phases = []
    with progress_bar(True, tty) as cb:
        assert cb is not None

        def spy(phase, done, total):
            phases.append((phase, done, total))
            cb(phase, done, total)

        report = ftprep.validate(write_jsonl(varied_chats(150)), progress=spy)
    assert report.stats["examples"] == 150
    assert ("loading", 150, 150) in phases
    assert "loading, tokenizing, hashing" in out.getvalue()


def test_cli_prints_no_progress_when_piped(cli, write_jsonl):
    result = cli("validate", write_jsonl(varied_chats(120)))
    assert "loading" not in result.stderr


def test_phase_names():
    assert describe("loading") == "loading, tokenizing, hashing"
    assert describe("clean.near_duplicate") == "checking clean.near_duplicate"
    assert describe("similarity") == "similarity"

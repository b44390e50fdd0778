"""What a new user trips over first: help text, listings, misspelt options, hidden findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE_DATA

DEFECTIVE = SAMPLE_DATA / "clinical_coding.jsonl"


def test_help_names_every_command_without_truncation(cli: Any) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:")[1].strip().splitlines()
    names = {line.split()[0] for line in commands}
    assert names == {"advise", "checks", "convert", "cost", "evaluate", "split", "targets",
                     "validate"}  # fmt: skip
    assert not any(line.rstrip().endswith("...") for line in commands), commands


def test_checks_listing_is_aligned_for_long_ids(cli: Any) -> None:
    lines = cli("checks").stdout.splitlines()
    width = max(len(line.split()[0]) for line in lines)
    columns = {line.index(line.split()[1], width) for line in lines}
    assert columns == {width + 2}, "the item column starts at one position on every line"


def test_misspelt_setting_lists_the_valid_keys(cli: Any) -> None:
    result = cli("validate", str(DEFECTIVE), "--set", "clean.pii.enabeld=false")
    assert result.exit_code == 2
    assert "clean.pii.enabeld" in result.stderr
    assert "clean.pii has" in result.stderr and "enabled" in result.stderr


def test_validate_fix_points_to_split(cli: Any) -> None:
    result = cli("validate", str(DEFECTIVE), "--fix")
    assert result.exit_code == 2
    assert "ftprep split INPUT... --out DIR --fix" in result.stderr
    assert "--config" not in result.stderr


def test_hidden_findings_are_named_and_reports_located(cli: Any, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    result = cli("validate", str(DEFECTIVE), "-q", "--report", str(report))
    assert result.exit_code == 1
    out = result.stdout
    assert "more findings (locations in" in out and str(report) in out
    assert f"reports: {report}" in out
    assert "in the report" not in out  # no promise of a report that was not written
    result = cli("validate", str(DEFECTIVE), "-q", "--metric", "bleu_score")
    assert "evaluated.metric" in result.stdout  # never hidden behind "more findings"
    assert "(locations in --report report.md)" in result.stdout

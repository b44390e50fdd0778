"""Run the bad-input corpus (tests/badinput/cases.py) through the real CLI.

Every case must end in exit 1 with the expected located load error and every record
accounted for, or in exit 2 with one line on stderr naming the file and the cause; never
exit 3, never a traceback, never a raw escape sequence, never an input overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftprep.cli import main
from tests.badinput.cases import CASES, Case


def _run(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, dict]:
    for name, data in case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    if case.setup is not None:
        case.setup(folder)
    before = {name: (folder / name).read_bytes() for name in case.unchanged}
    args = [a.replace("{d}", str(folder)) for a in case.args]
    if case.code == 1 and "--json" not in args:
        args.append("--json")
    if case.cwd:
        monkeypatch.chdir(folder)
    else:
        monkeypatch.chdir(folder.parent)  # no project config discovered from the repo
    result = CliRunner().invoke(main, args, input=case.stdin, catch_exceptions=False)
    for name, data in before.items():
        assert (folder / name).read_bytes() == data, f"{name} was overwritten"
    return result, {}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    result, _ = _run(case, folder, monkeypatch)
    stderr = result.stderr
    assert "Traceback" not in stderr and "\x1b" not in stderr
    assert result.exit_code == case.code, (result.exit_code, stderr, result.stdout[-500:])
    if case.code == 2:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ftprep: error: "), stderr
        assert case.fragment in lines[0]
        return
    report = json.loads(result.stdout)
    for source in report["inputs"]:
        assert source["records"] == source["examples"] + source["load_errors"]
    if case.records is not None:
        assert sum(s["records"] for s in report["inputs"]) == case.records
    if case.examples is not None:
        assert sum(s["examples"] for s in report["inputs"]) == case.examples
    errors = [
        (f, loc) for f in report["findings"] for loc in f["locations"] if f["item"] == "clean"
    ]
    load = {f["check"] for f in report["findings"]} & {
        "clean.malformed_json",
        "clean.invalid_utf8",
        "clean.malformed_row",
        "clean.not_an_object",
        "clean.record_too_large",
        "clean.unreadable_record",
    }
    if case.finding is None:
        if not case.fragment and case.examples is not None and case.records == case.examples:
            assert not load, load
        return
    located = [
        loc
        for f, loc in errors
        if f["check"] == case.finding and case.fragment in (loc.get("detail") or "") + f["message"]
    ]
    assert located, [f["check"] for f in report["findings"]]
    if case.line is not None:
        assert case.line in [loc["line"] for loc in located]


def test_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    assert {1, 2} == {c.code for c in CASES}

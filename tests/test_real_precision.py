"""Hold every check to the severity rule on real data written by others.

ftprep runs on small subsets of public finetuning datasets (tests/data/real/, provenance in
its README); every location it reports has a hand-made verdict in judgments.jsonl. The rule
(docs/checks.md, "Severity is a promise"): an error must be right (each error location
judged right, and >= 95% per check), a warning right >= 80% of the time; info is not held.
An error or warning nobody has judged fails the suite, so a change that makes ftprep say
something new on real data is read by a person before it ships (info promises nothing and
needs no verdict).

KNOWN_BAD lists the checks that break the rule with today's code, per severity, with the
measured precision and why. Their rule tests are marked xfail (not strict): once a fix
lands, delete the check's entry and the test holds the check for good (pytest's XPASS lines
show which entries can go). ``python -m tests.real.judge`` prints the table;
``python -m tests.real.judge --unjudged`` lists what to judge, with the record text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ftprep.checks.base import REGISTRY
from tests.real.judge import (
    DATA,
    JUDGMENTS,
    SUBSETS,
    TARGETS,
    Located,
    Run,
    load_judgments,
    record_text,
    run_subset,
    table,
    tally,
    unjudged,
    verdict,
)

#: Checks that break the severity rule on these subsets (none since the issue-10 fixes; the
#: "before" figures are in tests/data/real/README.md):
#: check -> severity -> right/judged and why. Delete a check's entry once it meets the rule.
KNOWN_BAD: dict[str, dict[str, str]] = {}


#: Subsets ftprep cannot read today (exit 2), with the message. Delete an entry once the
#: layout loads; its findings then need judging like any other.
KNOWN_UNREADABLE: dict[str, str] = {}


def _xfail(check: str, severities: tuple[str, ...]) -> list[Any]:
    """xfail (not strict) when KNOWN_BAD says this check fails at one of these severities."""
    bad = {sev: why for sev, why in KNOWN_BAD.get(check, {}).items() if sev in severities}
    if not bad:
        return []
    reason = "known bad today: " + "; ".join(f"{sev} {why}" for sev, why in bad.items())
    return [pytest.mark.xfail(strict=False, reason=reason)]


ERROR_RULE = [pytest.param(c, marks=_xfail(c, ("error",)), id=c) for c in sorted(REGISTRY)]
PRECISION_RULE = [
    pytest.param(c, marks=_xfail(c, ("error", "warning")), id=c) for c in sorted(REGISTRY)
]

HOW_TO_JUDGE = (
    "judge it: run `python -m tests.real.judge --unjudged`, read the record, and append the "
    "printed line to tests/data/real/judgments.jsonl with verdict 'right' or 'wrong' (would a "
    "careful reviewer preparing finetuning data agree at this severity?) and a short 'why'"
)


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    """ftprep's report on every subset, through the real CLI (a few seconds in all)."""
    return [run_subset(name) for name in SUBSETS]


@pytest.fixture(scope="module")
def judgments() -> dict[Any, dict[str, dict[str, Any]]]:
    return load_judgments()


def _show(loc: Located) -> str:
    return f"{loc.file}:{loc.line} {loc.check} [{loc.severity}] {loc.detail or loc.message}"


READ_RULE = [
    pytest.param(
        name,
        marks=[
            pytest.mark.xfail(strict=False, reason=f"unreadable today: {KNOWN_UNREADABLE[name]}")
        ]
        if name in KNOWN_UNREADABLE
        else [],
        id=name,
    )
    for name in SUBSETS
]


@pytest.mark.parametrize("name", READ_RULE)
def test_every_subset_is_read(name: str, runs: list[Run]) -> None:
    """Each subset gives a report (exit 0 or 1), never a usage or input error."""
    run = next(r for r in runs if r.file == name)
    assert run.report is not None, f"{name}: exit {run.exit_code}: {run.output.strip()[:300]}"
    assert run.exit_code in (0, 1)


def test_every_finding_is_judged(runs: list[Run], judgments: dict[Any, Any]) -> None:
    """A location ftprep reports on real data must carry a verdict at its severity."""
    todo = unjudged(runs, judgments)
    listing = "\n".join(_show(loc) for loc in todo[:40])
    more = f"\n... and {len(todo) - 40} more" if len(todo) > 40 else ""
    assert not todo, f"{len(todo)} unjudged finding location(s); {HOW_TO_JUDGE}:\n{listing}{more}"


@pytest.mark.parametrize("check", ERROR_RULE)
def test_every_error_is_right(check: str, runs: list[Run], judgments: dict[Any, Any]) -> None:
    """Severity is a promise: each error-level location of this check is judged right."""
    errors = [loc for r in runs for loc in r.locations if loc.check == check]
    errors = [loc for loc in errors if loc.severity == "error"]
    unjudged_errors = [loc for loc in errors if verdict(loc, judgments) is None]
    assert not unjudged_errors, f"unjudged error location(s); {HOW_TO_JUDGE}:\n" + "\n".join(
        _show(loc) for loc in unjudged_errors
    )
    wrong = [loc for loc in errors if verdict(loc, judgments) == "wrong"]
    assert not wrong, (
        f"{len(wrong)} of {len(errors)} error location(s) judged wrong:\n"
        + "\n".join(_show(loc) for loc in wrong[:20])
    )


@pytest.mark.parametrize("check", PRECISION_RULE)
def test_precision_meets_severity_target(
    check: str, runs: list[Run], judgments: dict[Any, Any]
) -> None:
    """Errors >= 95% and warnings >= 80% right over the judged locations of this check."""
    tallies = tally(runs, judgments)
    failing = [
        f"{t.severity}: {t.right}/{t.judged} right ({t.precision:.0%} < {t.target:.0%})"
        for (c, _), t in tallies.items()
        if c == check and not t.meets and t.precision is not None and t.target is not None
    ]
    assert not failing, f"{check} misses the severity rule: " + "; ".join(failing)


def test_judgments_are_well_formed() -> None:
    """Every judgment names a subset, a record-start line, a severity and a reason."""
    problems = []
    for n, raw in enumerate(JUDGMENTS.read_text(encoding="utf-8").splitlines(), 1):
        j = json.loads(raw)
        where = f"judgments.jsonl:{n}"
        if set(j) != {"file", "line", "check", "severity", "verdict", "why"}:
            problems.append(f"{where}: fields {sorted(j)}")
            continue
        if j["file"] not in SUBSETS or not (DATA / j["file"]).exists():
            problems.append(f"{where}: unknown subset {j['file']!r}")
            continue
        if j["check"] not in REGISTRY:
            problems.append(f"{where}: unknown check {j['check']!r}")
        if j["severity"] not in ("error", "warning", "info"):
            problems.append(f"{where}: severity {j['severity']!r}")
        if j["verdict"] not in ("right", "wrong") or not j["why"].strip():
            problems.append(f"{where}: needs verdict right/wrong and a why")
        if j["line"] is not None and record_text(j["file"], j["line"]).startswith("(no "):
            problems.append(f"{where}: no record starts on line {j['line']} of {j['file']}")
    assert not problems, "\n".join(problems)
    load_judgments()  # raises on a duplicate (file, line, check, severity)


def test_known_bad_names_real_checks() -> None:
    """A stale KNOWN_BAD entry (renamed check) would silently exempt nothing."""
    assert set(KNOWN_BAD) <= set(REGISTRY)


def test_a_verdict_carries_only_where_it_cannot_change() -> None:
    """Right carries down a severity, wrong carries up; anything else needs a fresh look."""
    key = ("f.jsonl", 3, "clean.x")

    def loc(severity: str) -> Located:
        return Located("f.jsonl", 3, "clean.x", severity, "", "")

    def judged(severity: str, v: str) -> dict[Any, Any]:
        return {key: {severity: {"verdict": v}}}

    assert verdict(loc("warning"), judged("error", "right")) == "right"
    assert verdict(loc("error"), judged("warning", "wrong")) == "wrong"
    assert verdict(loc("warning"), judged("error", "wrong")) is None
    assert verdict(loc("error"), judged("warning", "right")) is None
    assert verdict(loc("info"), judged("info", "wrong")) == "wrong"
    assert verdict(loc("error"), {}) is None


def test_table_shows_precision_and_target(runs: list[Run], judgments: dict[Any, Any]) -> None:
    """The closing-note table: one row per check and severity, with the target verdict."""
    text = table(tally(runs, judgments))
    assert text.splitlines()[0].startswith("| check | severity | judged | right | precision")
    for (check, severity), t in tally(runs, judgments).items():
        row = next(line for line in text.splitlines() if f"`{check}` | {severity} |" in line)
        assert f"| {t.judged} | {t.right} |" in row
        if severity in TARGETS and t.precision is not None:
            assert ("ok" if t.meets else "FAIL") in row


def test_locations_come_from_the_findings_file_when_the_report_is_bounded(tmp_path: Any) -> None:
    """A report may keep only the first locations; the findings file then has them all."""
    from tests.real.judge import _every_location

    report = {"findings": [{"check": "clean.x", "count": 3, "locations": [{"line": 1}]}]}
    stream = tmp_path / "report.findings.jsonl"
    rows = [{"kind": "finding", "check": "clean.x", "line": n} for n in (1, 5, 9)]
    rows.append({"kind": "drop", "check": "clean.malformed_json", "line": 2})
    stream.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [loc["line"] for loc in _every_location(report, stream)["clean.x"]] == [1, 5, 9]
    assert "clean.malformed_json" not in _every_location(report, stream)
    assert _every_location(report, tmp_path / "absent.jsonl") == {"clean.x": [{"line": 1}]}


def test_info_findings_need_no_verdict() -> None:
    """Info promises nothing: an unjudged info location is not listed for judging."""
    info = Located("f.jsonl", 2, "clean.x", "info", "", "")
    warning = Located("f.jsonl", 2, "clean.x", "warning", "", "")
    run = Run("f.jsonl", 0, "", {}, (info, warning))
    assert unjudged([run], {}) == [warning]


def test_partner_lines_name_the_other_records_of_a_pair() -> None:
    """The judge shows the records a pair finding points at, parsed from its detail."""
    from tests.real.judge import partner_lines

    assert partner_lines("same input as line(s) 83, 86; 3 different answers") == [83, 86]
    assert partner_lines("near duplicate of line 15") == [15]
    assert partner_lines("near-identical input to line(s) 27, 42 and 9 more") == [27, 42]
    assert partner_lines("message 2 ends mid-sentence (92% of answers end a sentence)") == []

"""Report files keep a bounded number of locations per finding; findings.jsonl holds them all."""

from __future__ import annotations

import json

from ftprep.report.findings import LOCATION_LIMIT
from tests.conftest import chat, varied_chats

COPIES = LOCATION_LIMIT + 30  # more exact duplicates than a report file lists


def _many_duplicates(write_jsonl):
    records = varied_chats(300)
    dup = chat("How do I reset my router password?", "Hold the reset button for ten seconds.")
    records += [dup] * COPIES
    return write_jsonl(records)


def _lines(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_split_report_is_bounded_and_findings_jsonl_has_every_location(write_jsonl, cli, tmp_path):
    data = _many_duplicates(write_jsonl)
    out = tmp_path / "out"
    cli("split", data, "--out", out, "-q")
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["findings_file"] == str(out / "findings.jsonl")
    dup = next(f for f in report["findings"] if f["check"] == "clean.exact_duplicate")
    assert dup["count"] == COPIES
    assert len(dup["locations"]) == LOCATION_LIMIT
    assert all(len(f["locations"]) <= LOCATION_LIMIT for f in report["findings"])

    rows = _lines(out / "findings.jsonl")
    dup_rows = [r for r in rows if r["kind"] == "finding" and r["check"] == "clean.exact_duplicate"]
    assert len(dup_rows) == COPIES
    assert [r["line"] for r in dup_rows] == list(range(301, 301 + COPIES))
    # The report's locations are the first ones of the full list, in the same order.
    assert [loc["line"] for loc in dup["locations"]] == [r["line"] for r in dup_rows][
        :LOCATION_LIMIT
    ]
    # Every finding's count is the number of its lines in findings.jsonl.
    for f in report["findings"]:
        if f["locations"]:
            mine = [r for r in rows if r["kind"] == "finding" and r["check"] == f["check"]]
            assert len(mine) == f["count"], f["check"]
            assert mine[0]["severity"] == f["severity"]
    md = (out / "report.md").read_text("utf-8")
    assert "more (all are in findings.jsonl)" in md
    html = (out / "report.html").read_text("utf-8")
    assert "more locations (all are in findings.jsonl)" in html


def test_split_drops_go_to_findings_jsonl(write_jsonl, cli, tmp_path):
    data = _many_duplicates(write_jsonl)
    out = tmp_path / "out"
    cli("split", data, "--out", out, "--fix", "-q")
    report = json.loads((out / "report.json").read_text("utf-8"))
    drops = {d["reason"]: d for d in report["split"]["drops"]}
    assert drops["clean.exact_duplicate"]["count"] == COPIES - 1
    assert len(drops["clean.exact_duplicate"]["locations"]) == LOCATION_LIMIT
    rows = _lines(out / "findings.jsonl")
    dropped = [r for r in rows if r["kind"] == "drop" and r["check"] == "clean.exact_duplicate"]
    assert [r["line"] for r in dropped] == list(range(302, 301 + COPIES))
    assert report["split"]["dropped"] == sum(1 for r in rows if r["kind"] == "drop")


def test_validate_writes_findings_beside_the_first_report(write_jsonl, cli, tmp_path):
    data = _many_duplicates(write_jsonl)
    reports = tmp_path / "reports"
    cli("validate", data, "--report", reports / "r.json", "--report", reports / "r.md", "-q")
    assert sorted(p.name for p in reports.iterdir()) == ["r.findings.jsonl", "r.json", "r.md"]
    report = json.loads((reports / "r.json").read_text("utf-8"))
    assert report["findings_file"] == str(reports / "r.findings.jsonl")
    total = sum(f["count"] for f in report["findings"] if f["locations"])
    assert len(_lines(reports / "r.findings.jsonl")) == total


def test_validate_findings_option_and_no_file_without_reports(write_jsonl, cli, tmp_path):
    data = _many_duplicates(write_jsonl)
    chosen = tmp_path / "all.jsonl"
    result = cli("validate", data, "--findings", chosen, "--json")
    report = json.loads(result.stdout)
    assert report["findings_file"] == str(chosen)
    assert any(r["check"] == "clean.exact_duplicate" for r in _lines(chosen))

    result = cli("validate", data, "--json")
    assert json.loads(result.stdout)["findings_file"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "data.jsonl"]


def test_findings_file_never_overwrites_an_input(write_jsonl, cli):
    data = _many_duplicates(write_jsonl)
    before = data.read_bytes()
    result = cli("validate", data, "--findings", data, "-q")
    assert result.exit_code == 2
    assert "refusing to overwrite an input" in result.output
    assert data.read_bytes() == before


def test_python_report_keeps_every_location_and_its_json_is_bounded(write_jsonl):
    import ftprep

    report = ftprep.validate(_many_duplicates(write_jsonl))
    dup = report.findings_for("clean.exact_duplicate")[0]
    assert dup.count == len(dup.locations) == COPIES
    data = json.loads(report.to_json())
    dup_json = next(f for f in data["findings"] if f["check"] == "clean.exact_duplicate")
    assert dup_json["count"] == COPIES and len(dup_json["locations"]) == LOCATION_LIMIT
    small = ftprep.validate(_many_duplicates(write_jsonl), location_limit=5)
    assert len(small.findings_for("clean.exact_duplicate")[0].locations) == 5

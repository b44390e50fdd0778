"""GitHub Actions annotations: escaping by GitHub's rules, one line per location, a cap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ftprep.report.github import annotation_lines, escape_data, escape_property, render_github
from ftprep.report.model import Finding
from ftprep.schema import SourceLocation


def _unescape(text: str) -> str:
    for enc, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(enc, raw)
    return text


@given(st.text())
def test_escaping_round_trips_and_is_single_line(text):
    data, prop = escape_data(text), escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert "\n" not in prop and "," not in prop and ":" not in prop
    assert _unescape(data) == text and _unescape(prop) == text


def test_one_line_per_location_then_summary():
    locs = [SourceLocation(source="a,b:c.jsonl", line=i, detail=f"d{i}\nx") for i in range(1, 61)]
    f = Finding(
        check="clean.x",
        item="clean",
        severity="warning",
        message="100% bad",
        count=60,
        locations=locs,
    )
    lines = annotation_lines(f, max_locations=50)
    assert len(lines) == 51
    assert (
        lines[0] == "::warning file=a%2Cb%3Ac.jsonl,line=1,title=clean.x (warning)::100%25 "
        "bad: d1%0Ax"
    )
    assert lines[-1].startswith("::warning title=clean.x (warning)::100%25 bad: 10 more ")
    assert all(ln.count("\n") == 0 for ln in lines)


def test_dataset_level_finding_and_notice():
    f = Finding(check="sufficient.count", item="sufficient", severity="info", message="ok", count=0)
    assert annotation_lines(f) == ["::notice title=sufficient.count (info)::ok"]


def test_render_ends_with_verdict(tmp_path, write_jsonl):
    import ftprep
    from tests.conftest import varied_chats

    report = ftprep.validate(write_jsonl(varied_chats(120)))
    out = render_github(report)
    assert out.splitlines()[-1].startswith(f"ftprep: verdict {report.verdict} (")

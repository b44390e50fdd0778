"""clean.pii: what each detector must catch, what it must leave alone, and masking everywhere."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.masking import excerpt, mask_text
from ftprep.pii import find_pii
from tests.conftest import chat, locations, varied_chats

CATCH = [
    ("email", "Reach me at john.doe@example.com today", "j***@e***.com"),
    ("email", "mail maria_garcia42@outlook.com", "m***@o***.com"),
    ("phone", "Call (415) 555-2231 after 5", "(***) ***-2231"),
    ("phone", "my cell: 415-555-2231", "***-***-2231"),
    ("phone", "Office 415.555.2231.", "***.***.2231"),
    ("phone", "+1 415 555 2231", "+* *** *** 2231"),
    ("phone", "London +44 20 7946 0958", "+** ** **** 0958"),
    ("phone", "Phone: 4155552231", "******2231"),
    ("ssn", "SSN 123-45-6789", "***-**-6789"),
    ("ssn", "social security number: 123456789", "*****6789"),
    ("card", "card 4111 1111 1111 1111 please", "**** **** **** 1111"),
    ("card", "5500-0000-0000-0004", "****-****-****-0004"),
    ("card", "Amex 378282246310005", "***********0005"),
    ("ip", "login from 203.0.113.45 at noon", "***.***.***.45"),
    ("ip", "host 2001:db8:85a3::8a2e:370:7334", "****:***:****::****:***:7334"),
    ("dob", "DOB: 03/14/1985", "**/**/1985"),
    ("dob", "date of birth is March 14, 1985", "*** **, 1985"),
    ("dob", "She was born on 14 March 1985.", "** *** 1985"),
    ("mrn", "MRN: 00482913", "******13"),
    ("mrn", "medical record number 7734521", "*****21"),
    ("mrn", "MR# A4412098", "******98"),
]

LEAVE = [
    "ICD-10 code E11.9 and I10 were assigned; J45.20 is asthma.",
    "Version 2.4.1 fixes it; upgrade to v10.0.0.1 or build 1.2.3.4.",
    "It costs $1,299.99 (or €45.00) including tax.",
    "Your order #1002938475 ships on 2024-06-02.",
    "Order NH-558120 and invoice INV-2024-55012 are linked.",
    "Date of service: 03/14/2024; follow-up on 04/01/2024.",
    "The meeting is at 10:30:45 on March 3, 2025.",
    "Write to support@acme.com or noreply@shop.example.com.",
    "Use std::vector<int> and a::b in C++.",
    "Connect to localhost 127.0.0.1 or 0.0.0.0 for testing.",
    "Area code 666-12-3456 is not a valid SSN, nor is 900-12-3456 or 123-00-4567.",
    "Serial 1234 5678 9012 3456 fails the Luhn check.",
    "The company was born in 2010 and the date of birth field is required.",
    "BP 148/92, A1c 8.9%, weight 72 kg, room 12B.",
]


@pytest.mark.parametrize(("category", "text", "masked"), CATCH)
def test_detects_and_masks(category: str, text: str, masked: str) -> None:
    found = find_pii(text)
    assert [(m.category, m.masked) for m in found] == [(category, masked)]


@pytest.mark.parametrize("text", LEAVE)
def test_leaves_look_alikes_alone(text: str) -> None:
    assert find_pii(text) == []


def test_categories_can_be_limited() -> None:
    text = "mail john.doe@example.com or call 415-555-2231"
    assert [m.category for m in find_pii(text, {"phone"})] == ["phone"]


def test_mask_text_and_excerpt_never_show_clear_values() -> None:
    text = "Patient DOB: 03/14/1985, MRN: 00482913, email john.doe@example.com " + "x" * 200
    masked = mask_text(text)
    for clear in ("03/14/1985", "00482913", "john.doe@example.com"):
        assert clear not in masked
    short = excerpt(text, 40)
    assert len(short) <= 40 and "john" not in short


@given(st.text(alphabet=st.sampled_from("0123456789 -.()+@abcxyz:/#$"), max_size=80))
@settings(max_examples=300, deadline=None)
def test_detectors_never_fail_and_mask_all_digits_but_four(text: str) -> None:
    for m in find_pii(text):
        assert 0 <= m.start < m.end <= len(text)
        value = text[m.start : m.end]
        if m.category in ("phone", "ssn", "card"):
            digits = [c for c in m.masked if c.isdigit()]
            assert len(digits) <= 4 and m.masked != value


def _pii_records() -> tuple[list[dict[str, object]], list[str]]:
    clear = [
        "jane.roe@example.com",
        "(415) 555-2231",
        "219-44-8765",
        "4539 1488 0343 6467",
        "203.0.113.45",
        "03/14/1985",
        "00482913",
    ]
    records = varied_chats(40)
    records[3] = chat("Email me at jane.roe@example.com please.", "Will do, thanks.", system="S")
    records[7] = chat("My number is (415) 555-2231.", "Noted.", system="S")
    records[11] = chat("SSN 219-44-8765 for the form.", "Received.", system="S")
    records[15] = chat("Charge my card 4539 1488 0343 6467.", "Done.", system="S")
    records[19] = chat("I logged in from 203.0.113.45.", "Thanks.", system="S")
    records[23] = chat("Patient note. DOB: 03/14/1985.", "Coded.", system="S")
    records[27] = chat("MRN: 00482913, follow-up.", "Coded.", system="S")
    return records, clear


def test_findings_at_exact_lines_and_error_by_default(write_jsonl) -> None:
    records, _ = _pii_records()
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.pii") == [4, 8, 12, 16, 20, 24, 28]
    finding = report.findings_for("clean.pii")[0]
    assert finding.severity == "error"
    assert report.verdict == "not_ready"


def test_severity_and_categories_are_configurable(write_jsonl, tmp_path) -> None:
    records, _ = _pii_records()
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text(
        '[checks."clean.pii"]\nseverity = "warning"\ncategories = ["email", "ssn"]\n',
        encoding="utf-8",
    )
    report = ftprep.validate(write_jsonl(records), config=cfg)
    assert locations(report, "clean.pii") == [4, 12]
    assert report.findings_for("clean.pii")[0].severity == "warning"


def test_no_rendered_output_contains_clear_pii(write_jsonl, tmp_path, cli) -> None:
    """report.json, report.md and the terminal output never show a PII value in clear."""
    records, clear = _pii_records()
    # PII also inside a system prompt and a label, which reports quote as excerpts.
    records[30] = chat("Classify.", "jane.roe@example.com", system="Agent jane.roe@example.com")
    path = write_jsonl(records)
    out = tmp_path / "out"
    result = cli("split", path, "--out", out, "--quiet")
    assert result.exit_code == 1
    rendered = {
        "terminal": result.output,
        "report.json": (out / "report.json").read_text("utf-8"),
        "report.md": (out / "report.md").read_text("utf-8"),
    }
    json_result = cli("validate", path, "--json", "--quiet")
    rendered["validate --json"] = json_result.output
    assert json.loads(json_result.output)["findings"]
    for name, text in rendered.items():
        for value in clear:
            assert value not in text, f"{value!r} in clear in {name}"
            assert value.replace(" ", "") not in text.replace(" ", ""), (value, name)
    assert "j***@e***.com" in rendered["report.json"]


def test_preference_examples_are_scanned() -> None:
    from ftprep.checks.clean.pii import PiiSettings, pii
    from ftprep.schema import Message, PreferenceExample, SourceLocation

    ex = PreferenceExample(
        input=[Message(role="user", content="Hi")],
        preferred=[Message(role="assistant", content="Hello.")],
        non_preferred=[Message(role="assistant", content="SSN 219-44-8765")],
        location=SourceLocation(source="p.jsonl", line=1),
    )
    assert list(pii(ex, PiiSettings())) == ["ssn ***-**-8765 in message 3 (assistant)"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))

"""Redaction on request: ``split --fix --redact pii`` rewrites exactly what clean.pii
reports, consistently across the set, and never writes a value in clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ftprep
from ftprep.pii.redact import Redactor
from tests.conftest import chat, varied_chats

EMAIL = "dana.whitfield@gmail.com"
PHONE = "(415) 867-2231"
SSN = "512-68-3391"
PERSONAL = [
    chat(
        f"Hi, I'm Dana. My email is {EMAIL} and my phone is {PHONE}. Update my account.",
        f"Thanks Dana, I've updated the account for {EMAIL}.",
    ),
    chat(f"Follow-up from {EMAIL.upper()}: did the refund go through?", "Yes, it was issued."),
    chat(f"Patient SSN {SSN}, please file the claim.", "Filed."),
]
EXAMPLE = chat("Write a regex that matches emails like user@example.com.",
               "Use ^[\\w.+-]+@[\\w-]+\\.[\\w.]+$, which matches user@example.com.")  # fmt: skip


def _data(tmp_path: Path) -> Path:
    rows = [*varied_chats(120), *PERSONAL, EXAMPLE]
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def _written(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for name in ("train.jsonl", "validation.jsonl")
        for line in (out / name).read_text("utf-8").splitlines()
    ]


def test_split_redacts_consistently_and_lists_every_change_masked(cli: Any, tmp_path: Path) -> None:
    data, out = _data(tmp_path), tmp_path / "out"
    result = cli("split", str(data), "--out", str(out), "--fix", "--redact", "pii", "-q")
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = _written(out)
    assert len(rows) + json.loads((out / "report.json").read_text())["split"]["dropped"] == 124
    texts = [m["content"] for r in rows for m in r["messages"]]
    first = next(t for t in texts if t.startswith("Hi, I'm Dana"))
    assert (
        first == "Hi, I'm Dana. My email is [EMAIL_1] and my phone is [PHONE_1]. Update my account."
    )
    assert "Follow-up from [EMAIL_1]: did the refund go through?" in texts  # same value, same token
    assert "Thanks Dana, I've updated the account for [EMAIL_1]." in texts
    assert "Patient SSN [SSN_1], please file the claim." in texts
    assert any("user@example.com" in t for t in texts)  # an example address is not personal
    for path in out.iterdir():  # no value in clear anywhere: data, reports, findings
        text = path.read_text("utf-8")
        for value in (EMAIL, EMAIL.upper(), PHONE, "867-2231", SSN):
            assert value not in text, (path.name, value)
    report = json.loads((out / "report.json").read_text("utf-8"))
    change = next(c for c in report["split"]["changes"] if c["reason"] == "redact_pii")
    assert change["count"] == 3
    details = " ".join(loc["detail"] for loc in change["locations"])
    assert "email d***@g***.com → [EMAIL_1]" in details and "→ [PHONE_1]" in details
    pii = next(f for f in report["findings"] if f["check"] == "clean.pii")
    assert pii["severity"] == "info" and "redacted by --fix" in pii["message"]


def test_reporting_stays_the_default_and_redact_needs_fix(cli: Any, tmp_path: Path) -> None:
    data = _data(tmp_path)
    out = tmp_path / "plain"
    assert cli("split", str(data), "--out", str(out), "--fix", "-q").exit_code == 1
    assert any(EMAIL in m["content"] for r in _written(out) for m in r["messages"])
    result = cli("split", str(data), "--out", str(tmp_path / "x"), "--redact", "pii")
    assert result.exit_code == 2 and "--fix" in result.stderr


def test_python_fix_redacts(tmp_path: Path) -> None:
    report = ftprep.fix(_data(tmp_path), tmp_path / "out", redact=["pii"])
    assert report.split is not None and any(c.reason == "redact_pii" for c in report.split.changes)
    assert not any(EMAIL in json.dumps(r) for r in _written(tmp_path / "out"))


def test_redactor_numbers_each_kind_in_order_of_first_appearance() -> None:
    r = Redactor()
    assert r.placeholder("email", "A@x.org") == "[EMAIL_1]"
    assert r.placeholder("email", "b@x.org") == "[EMAIL_2]"
    assert r.placeholder("email", "a@X.ORG") == "[EMAIL_1]"
    assert r.placeholder("phone", "+1 415 867 2231") == "[PHONE_1]"
    assert r.placeholder("phone", "+1-415-867-2231") == "[PHONE_1]"

"""clean.pii on realistic data: examples of personal data are not errors, personal data is.

tests/data/pii_examples.jsonl holds one hand-written chat per false-positive class seen on
public finetuning sets (reserved and placeholder addresses, fictional and test numbers,
arithmetic, public figures' birth dates, code and regex answers, "generate a hypothetical
record" answers, public and documentation IPs); tests/data/pii_personal.jsonl holds
personal data in prose (support messages and transcripts, clinical notes, SSNs, cards).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.pii import find_pii
from ftprep.pii.context import PLAIN, Scene, judge

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "clinical_coding.jsonl"


def _pii_lines(path: Path) -> dict[int, str]:
    report = ftprep.validate(path)
    found = report.findings_for("clean.pii")
    if not found:
        return {}
    assert found[0].severity == "error"
    return {loc.line: loc.detail or "" for loc in found[0].locations}


def _count(path: Path) -> int:
    return sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())


def test_examples_of_personal_data_are_not_errors() -> None:
    path = DATA / "pii_examples.jsonl"
    assert _count(path) >= 39
    # Nearly every line holds a PII-shaped value: the detectors see them, the judge does not.
    seen = 0
    for line in path.read_text("utf-8").splitlines():
        texts = [m["content"] for m in json.loads(line)["messages"]]
        seen += any(find_pii(t) for t in texts)
    assert seen >= 34
    assert _pii_lines(path) == {}


def test_personal_data_in_prose_stays_an_error() -> None:
    path = DATA / "pii_personal.jsonl"
    found = _pii_lines(path)
    assert sorted(found) == list(range(1, _count(path) + 1))
    assert "card **** **** **** 6467" in found[5]
    assert found[3] == "dob **/**/1962 in message 1 (user); mrn ******13 in message 1 (user)"


def test_sample_data_pii_lines_still_fire() -> None:
    found = _pii_lines(SAMPLE)
    assert sorted(found) == [19, 262]
    assert "email j***@e***.com" in found[19] and "phone (***) ***-2231" in found[19]


def _one(text: str, scene: Scene = PLAIN) -> tuple[bool, str]:
    matches = find_pii(text)
    assert len(matches) == 1, matches
    j = judge(text, matches[0], scene)
    return j.personal, j.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Send it to qa@shop.test today.", "reserved domain"),
        ("Mail nobody@mail.invalid now.", "reserved domain"),
        ("Write to yourname@gmail.com.", "template address"),
        ("Write to sales.lead@yourdomain.com.", "template address"),
        ("Call (212) 555-0123 about the order.", "fictional 555 number"),
        ("Call +44 20 7946 0321 about the order.", "fictional UK number"),
        ("Pay with 4242 4242 4242 4242.", "test card number"),
        ("Dial 123-456-7890 now.", "placeholder digits"),
        ("Ping 1.1.1.1 to test.", "public service address"),
        ("Edit the file on 10.0.0.12 tonight.", "private address"),
        ("Bill Gates was born on October 28, 1955.", "not a record"),
        ("Add 415-555-2231 + 1 to get the next one.", "digits inside arithmetic"),
        ("Use `ops@acme-corp.org` as the sender.", "inside code"),
        ("Addresses such as maria.garcia@gmail.com are accepted.", "introduced as an example"),
    ],
)
def test_each_example_class_has_its_reason(text: str, reason: str) -> None:
    assert _one(text) == (False, reason)


@pytest.mark.parametrize(
    "text",
    [
        "Email me at jane.doe@example.com tonight.",  # reserved domain, but first person
        "The patient's son can be reached on (555) 014-2231.",
        "I was born on 1990-05-15 and need my records.",
        "DOB: 1990-05-15",
        "Ship it to maria.garcia82@gmail.com.",  # real-looking: personal by default
        "My public IP is 192.168.4.20 on the office network.",
    ],
)
def test_personal_contexts_keep_firing(text: str) -> None:
    assert _one(text)[0] is True


def test_a_prompt_asking_for_invented_data_makes_every_value_an_example() -> None:
    scene = Scene.of(["Generate a hypothetical customer profile with a phone number."])
    assert _one("Phone: (303) 274-9921", scene) == (False, "the prompt asks for invented data")
    assert Scene.of(["I received a fake email from crook@gmail.com"]).invented is False


@given(st.text(alphabet=st.sampled_from("0123456789 -.()+@abcxyz:/#$`\n=+*myDOBSN"), max_size=120))
@settings(max_examples=300, deadline=None)
def test_judge_never_fails(text: str) -> None:
    for m in find_pii(text):
        assert isinstance(judge(text, m).personal, bool)

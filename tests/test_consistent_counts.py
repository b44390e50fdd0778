"""Findings count examples, not messages: a multi-turn file with several bad turns per example.

The fixture is 120 real multi-turn conversations from FastChat's dummy_conversation.json
(lm-sys/FastChat @ 0e6d3e4, data/dummy_conversation.json, Apache-2.0); in every third one
(40 conversations) every assistant turn (two or three) was blanked ("" or whitespace).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import ftprep
from ftprep.checks.base import Flag
from ftprep.report.build import one_per_example
from tests.conftest import locations

DATA = Path(__file__).resolve().parent / "data" / "fastchat_multiturn_empty.json"


def test_fixture_has_several_empty_turns_in_forty_conversations() -> None:
    records = json.loads(DATA.read_text("utf-8"))
    empty = [
        sum(not t["value"].strip() for t in r["conversations"] if t["from"] == "gpt")
        for r in records
    ]
    assert len(records) == 120
    assert Counter(empty) == {0: 80, 2: 20, 3: 20}


def test_empty_turns_are_counted_per_example_with_every_turn_named(cli) -> None:
    result = cli("validate", str(DATA), "-q", "--json")
    report = json.loads(result.output)
    finding = next(f for f in report["findings"] if f["check"] == "clean.empty_turn")
    assert finding["count"] == 40
    assert finding["message"] == "40 examples have an empty or whitespace-only turn"
    assert len({loc["line"] for loc in finding["locations"]}) == 40
    assert all(
        loc["detail"].count("is empty") >= 2 and "; " in loc["detail"]
        for loc in finding["locations"]
    )
    # No finding anywhere counts more locations than the file has examples.
    assert report["inputs"][0]["examples"] == 120
    assert all(f["count"] <= 120 for f in report["findings"])


def test_per_message_schema_problems_count_examples(write_jsonl) -> None:
    records = [
        {
            "messages": [
                {"role": "user", "content": f"Question {i} about parcel {i * 7}?", "meta": 1},
                {"role": "assistant", "content": f"Answer {i}.", "weight": 2},
                {"role": "user", "content": f"Follow-up {i}?", "meta": 2},
                {"role": "assistant", "content": f"Second answer {i}.", "weight": 3},
            ]
        }
        for i in range(30)
    ]
    report = ftprep.validate(write_jsonl(records))
    for check in ("clean.unknown_key", "clean.invalid_weight"):
        finding = next(f for f in report.findings if f.check == check)
        assert finding.count == 30, check
        assert finding.message.startswith("30 examples"), finding.message
        assert locations(report, check) == list(range(1, 31))
        assert all(loc.detail and "; " in loc.detail for loc in finding.locations)


def test_one_per_example_merges_details_and_fixability() -> None:
    flags = [Flag(3, "b"), Flag(1, "a"), Flag(3, "c", fixable=False), Flag(3, "b")]
    merged = one_per_example(flags)
    assert [(f.row, f.detail, f.fixable) for f in merged] == [(1, "a", True), (3, "b; c", False)]

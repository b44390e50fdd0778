"""clean.contradiction on realistic data: label-like conflicts are errors; paraphrases,
tools-only differences, preference pairs and KTO records are not contradictions.

The fixtures in tests/data/contradictions/ are hand-written after the cases seen on public
finetuning sets (FastChat's identity answers, GPTeacher's tool-use answers, TRL's and
LLaMA-Factory's KTO layouts, OpenAI's preference layout).
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.checks.clean.answer_profile import FREE, JSON_VALUE, LABEL, NONE, classify, facts
from tests.conftest import locations

DATA = Path(__file__).resolve().parent / "data" / "contradictions"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "clinical_coding.jsonl"
CHECKS = ("clean.contradiction", "clean.near_contradiction")


def _found(path: Path) -> dict[str, list[int]]:
    report = ftprep.validate(path)
    return {c: locations(report, c) for c in CHECKS if report.findings_for(c)}


def _rewrite(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    rows = [json.loads(x) for x in src.read_text("utf-8").splitlines()]
    dst.write_text("".join(json.dumps(edit(r)) + "\n" for r in rows), encoding="utf-8")
    return dst


def test_label_like_conflicts_are_errors() -> None:
    report = ftprep.validate(DATA / "label_conflicts.jsonl")
    # a class, a JSON value, a leading ICD-10 code, a tool call's arguments
    assert locations(report, "clean.contradiction") == list(range(1, 9))
    assert report.findings_for("clean.contradiction")[0].severity == "error"


def test_paraphrases_tools_and_system_differences_are_not_contradictions() -> None:
    assert _found(DATA / "not_contradictions.jsonl") == {}


def test_the_same_tool_example_with_the_same_tools_would_conflict(tmp_path) -> None:
    """The tools-only pair is quiet because of the tools, not by accident."""
    rows = [json.loads(x) for x in (DATA / "not_contradictions.jsonl").read_text().splitlines()]
    pair = rows[13:15]
    pair[1]["tools"] = pair[0]["tools"]
    path = tmp_path / "same_tools.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in pair), encoding="utf-8")
    assert _found(path) == {"clean.contradiction": [1, 2]}


def test_kto_and_preference_records_are_skipped(tmp_path) -> None:
    for name in ("kto_trl.jsonl", "kto_sharegpt.jsonl", "kto_messages.jsonl", "preference.jsonl"):
        assert _found(DATA / name) == {}, name
    # The same TRL records without their KTO label are plain completions that conflict.
    plain = _rewrite(
        DATA / "kto_trl.jsonl",
        tmp_path / "plain.jsonl",
        lambda r: {k: v for k, v in r.items() if k != "label"},
    )
    assert _found(plain)["clean.contradiction"] == [1, 2, 3, 4]


def test_diverging_free_text_is_info_and_paraphrase_is_silent(tmp_path) -> None:
    rows = [
        {
            "messages": [
                {
                    "role": "user",
                    "content": "Summarize the clause: Either party may "
                    "terminate this Agreement with 90 days' written notice.",
                },
                {"role": "assistant", "content": a},
            ]
        }
        for a in (
            "Either side can end the contract for any reason with 90 days' written notice.",
            "Summit Foods Corp. has 30 days to pay each invoice it does not dispute; late "
            "amounts carry 2% interest per month.",
        )
    ]
    path = tmp_path / "free.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ftprep.validate(path)
    assert locations(report, "clean.contradiction") == []
    assert locations(report, "clean.near_contradiction") == [1, 2]
    assert report.findings_for("clean.near_contradiction")[0].severity == "info"


def test_sample_data_contradiction_still_fires() -> None:
    report = ftprep.validate(SAMPLE)
    assert locations(report, "clean.contradiction") == [133, 196]
    assert report.findings_for("clean.contradiction")[0].severity == "error"


def test_disabling_the_checks_never_changes_the_split(tmp_path) -> None:
    rows = [json.loads(x) for x in (DATA / "label_conflicts.jsonl").read_text().splitlines()]
    rows += [json.loads(x) for x in (DATA / "not_contradictions.jsonl").read_text().splitlines()]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows * 3), encoding="utf-8")
    outs = []
    for i, disable in enumerate(((), ("clean.near_contradiction",), CHECKS)):
        out = tmp_path / f"out{i}"
        ftprep.split(path, out, disable=list(disable))
        outs.append(
            ((out / "train.jsonl").read_text("utf-8"), (out / "validation.jsonl").read_text())
        )
    assert outs[0] == outs[1] == outs[2]


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_answer_classification_never_fails(text: str) -> None:
    kind, value = classify(text, None)
    assert kind in (NONE, LABEL, JSON_VALUE, FREE)
    assert isinstance(value, str) and isinstance(facts(text), set)

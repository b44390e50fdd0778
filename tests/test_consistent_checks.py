"""Consistent checks: system prompts, conversation shape, output format, JSON keys, label
vocabulary, length outliers and whitespace — caught at exact lines, left alone otherwise."""

from __future__ import annotations

import json

import ftprep
from ftprep.api import make_config
from tests.conftest import locations
from tests.textsets import answer, task, user

# --- system prompts -----------------------------------------------------------------------


def test_system_prompt_distribution_metrics_and_rare_variants(write_jsonl) -> None:
    records = task("support", 60, seed=1) + task("medical", 40, seed=1)
    records[5]["messages"][0]["content"] = records[5]["messages"][0]["content"].lower()
    records[70]["messages"][0]["content"] = (
        "You are a helpful assistant. Contact ann@corp.example.org"
    )
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.system_prompt") == [6, 71]
    details = [loc.detail for loc in report.findings_for("consistent.system_prompt")[0].locations]
    assert "only in case, punctuation or spacing" in details[0]
    listing = report.checklist.consistent.metrics["system_prompts"]
    assert [x["count"] for x in listing] == [59, 39, 1, 1]
    assert all(len(x["text"]) <= 120 for x in listing)
    assert "ann@corp" not in json.dumps(listing)  # excerpts are masked
    assert report.checklist.consistent.metrics["distinct_system_prompts"] == 4


def test_per_example_prompts_get_the_distribution_not_flags(write_jsonl) -> None:
    records = task("support", 40, seed=2)
    for i, rec in enumerate(records):
        rec["messages"][0]["content"] = f"You are agent {i}; the customer's plan is tier {i % 7}."
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.system_prompt") == []
    assert report.checklist.consistent.metrics["distinct_system_prompts"] == 40


def test_missing_system_prompt(write_jsonl) -> None:
    records = task("legal", 40, seed=3)
    records[8]["messages"] = records[8]["messages"][1:]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.missing_system_prompt") == [9]
    half = task("legal", 40, seed=3)
    for rec in half[:20]:
        rec["messages"] = rec["messages"][1:]
    assert locations(ftprep.validate(write_jsonl(half)), "consistent.missing_system_prompt") == []


# --- conversation shape -------------------------------------------------------------------


def test_role_order_problems(write_jsonl) -> None:
    records = task("support", 30, seed=4)
    sys_, u, a = (records[0]["messages"][i] for i in range(3))
    records[2]["messages"] = [sys_, u, dict(u, content="Also, hello?"), a]
    records[4]["messages"] = [sys_, u, a, dict(u, content="One more thing.")]
    records[6]["messages"] = [sys_, dict(a, content="Hi! How can I help?"), u, a]
    records[8]["messages"] = [sys_, u, sys_, a]
    fn = {"name": "lookup", "arguments": "{}"}
    call = {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": fn}]}
    records[10]["messages"] = [
        sys_,
        u,
        call,
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        a,
    ]
    records[12]["messages"] = [sys_, u, {"role": "tool", "tool_call_id": "c1", "content": "x"}, a]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.role_order") == [3, 5, 7, 9, 13]


def test_turn_count_outliers(write_jsonl) -> None:
    records = task("medical", 40, seed=5)
    extra = []
    for k in range(7):
        extra += [{"role": "user", "content": f"Follow-up question {k}?"},
                  {"role": "assistant", "content": f"Follow-up answer {k}."}]  # fmt: skip
    records[11]["messages"] += extra
    records[12]["messages"] += extra[:2]  # 4 turns: unusual but not an outlier
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.turn_count") == [12]


# --- output format ------------------------------------------------------------------------


def test_json_answers_that_do_not_parse_or_are_not_json(write_jsonl) -> None:
    records = task("extract", 40, seed=6)
    obj = json.loads(answer(records[3])["content"])
    answer(records[3])["content"] = repr(obj)
    answer(records[9])["content"] = "The vendor is Acme and the amount is 12.50."
    answer(records[15])["content"] = "```json\n" + json.dumps(obj) + "\n```"
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.output_format") == [4, 10, 16]


def test_json_keys_differing_from_the_dominant_schema(write_jsonl) -> None:
    records = task("extract", 40, seed=7)
    obj = json.loads(answer(records[5])["content"])
    obj["invoice_no"] = obj.pop("invoice_number")
    answer(records[5])["content"] = json.dumps(obj)
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.json_keys") == [6]
    detail = report.findings_for("consistent.json_keys")[0].locations[0].detail
    assert "missing invoice_number" in detail and "extra invoice_no" in detail


def test_markdown_in_a_plain_set(write_jsonl) -> None:
    records = task("legal", 40, seed=8)
    answer(records[1])["content"] = "## Summary\n\n" + answer(records[1])["content"]
    answer(records[2])["content"] = "**Note:** " + answer(records[2])["content"]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.output_format") == [2, 3]
    code = task("code", 40, seed=8)  # fenced code is the style here: nothing to flag
    assert locations(ftprep.validate(write_jsonl(code)), "consistent.output_format") == []


def test_label_vocabulary_variants(write_jsonl) -> None:
    records = task("classify", 60, seed=9)
    positives = [i for i, r in enumerate(records) if answer(r)["content"] == "Positive"]
    answer(records[positives[0]])["content"] = "positive"
    answer(records[positives[1]])["content"] = "Postive"
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.label_vocabulary") == [positives[0] + 1, positives[1] + 1]


# --- length and whitespace ----------------------------------------------------------------


def test_length_outliers_high_side_only(write_jsonl) -> None:
    records = task("support", 50, seed=10)
    answer(records[7])["content"] += " " + " ".join(
        f"Clause {i}: coverage applies to defects under normal use in region {i}."
        for i in range(40)
    )
    answer(records[8])["content"] = "Yes."
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "consistent.length_outlier") == [8]


def test_whitespace_flagged_and_trimmed_by_fix(write_jsonl, tmp_path) -> None:
    records = task("medical", 30, seed=11)
    answer(records[3])["content"] += "\n"
    user(records[6])["content"] = "  " + user(records[6])["content"]
    path = write_jsonl(records)
    report = ftprep.validate(path)
    assert locations(report, "consistent.whitespace") == [4, 7]
    out = tmp_path / "out"
    fixed = ftprep.fix(path, out)
    changes = {c.reason: [loc.line for loc in c.locations] for c in fixed.split.changes}
    assert changes["trim"] == [4, 7]
    assert fixed.findings_for("consistent.whitespace")[0].severity == "info"
    lines = (out / "train.jsonl").read_text("utf-8") + (out / "validation.jsonl").read_text("utf-8")
    assert '\\n"}' not in lines and '"  ' not in lines


def test_whitespace_habit_is_not_flagged(write_jsonl) -> None:
    records = task("medical", 30, seed=12)
    for rec in records[:20]:
        answer(rec)["content"] += "\n"
    assert locations(ftprep.validate(write_jsonl(records)), "consistent.whitespace") == []


def test_thresholds_are_configurable(write_jsonl) -> None:
    records = task("medical", 40, seed=13)
    records[8]["messages"] = records[8]["messages"][1:]
    cfg = make_config(sets=["consistent.missing_system_prompt.min_share=0.999"])
    assert (
        locations(
            ftprep.validate(write_jsonl(records), config=cfg), "consistent.missing_system_prompt"
        )
        == []
    )

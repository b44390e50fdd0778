"""The pipeline issue's checks: what each must catch and what it must leave alone."""

from __future__ import annotations

import ftprep
from tests.conftest import chat, locations, varied_chats


def validate(write_jsonl, records, **kw):
    return ftprep.validate(write_jsonl(records), **kw)


def test_format_checks_catch_each_problem_at_its_line(write_jsonl):
    good = varied_chats(5)
    records = [
        *good,  # 1-5
        {"messages": [{"role": "bot", "content": "x"}, {"role": "assistant", "content": "y"}]},  # 6
        {
            "messages": [
                {"role": "user", "content": "x", "meta": 1},
                {"role": "assistant", "content": "y"},
            ]
        },  # 7
        {"messages": [{"role": "user"}, {"role": "assistant", "content": "y"}]},  # 8
        {"messages": [{"role": "user", "content": "only a question"}]},  # 9
        {
            "messages": [
                {"role": "user", "content": "q", "weight": 1},
                {"role": "assistant", "content": "a", "weight": 2},
            ]
        },  # 10
        chat("question", "   "),  # 11
        chat("  ", "answer"),  # 12
    ]
    report = validate(write_jsonl, records)
    assert locations(report, "clean.unknown_role") == [6]
    assert locations(report, "clean.unknown_key") == [7]
    assert locations(report, "clean.missing_content") == [8]
    assert locations(report, "clean.no_assistant_message") == [9]
    assert locations(report, "clean.invalid_weight") == [10]  # one per example, both details
    assert locations(report, "clean.empty_turn") == [11, 12]
    assert report.verdict == "not_ready"


def test_clean_varied_data_has_no_clean_findings(write_jsonl):
    report = validate(write_jsonl, varied_chats(300))
    assert [f.check for f in report.findings if f.item == "clean"] == []


def test_tool_call_turn_without_content_is_fine(write_jsonl):
    record = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "content": "sunny", "tool_call_id": "c1"},
            {"role": "assistant", "content": "Sunny."},
        ],
        "tools": [{"type": "function", "function": {"name": "w", "parameters": {}}}],
    }
    report = validate(write_jsonl, [record, *varied_chats(3)])
    assert not [f for f in report.findings if f.item == "clean"]


def test_exact_duplicates_after_normalisation(write_jsonl):
    base = varied_chats(20)
    dup_case = chat(
        base[3]["messages"][1]["content"].upper() + "  ",
        base[3]["messages"][2]["content"] + "!!",
        system=base[3]["messages"][0]["content"],
    )
    records = [*base, base[0], dup_case]  # 21, 22
    report = validate(write_jsonl, records)
    finding = report.findings_for("clean.exact_duplicate")[0]
    assert sorted((loc.line, loc.detail) for loc in finding.locations) == [
        (1, "first copy (kept by --fix)"),
        (4, "first copy (kept by --fix)"),
        (21, "copy of line 1"),
        (22, "copy of line 4"),
    ]
    assert report.checklist.clean.metrics["exact_duplicates"] == 2


def test_sufficient_thresholds_are_configurable(write_jsonl, tmp_path):
    path = write_jsonl(varied_chats(150))
    report = ftprep.validate(path)
    assert report.checklist.sufficient.status == "warn"
    config = tmp_path / "ftprep.toml"
    config.write_text('[checks."sufficient.count"]\nminimum = 200\nrecommended = 300\n')
    assert ftprep.validate(path, config=config).checklist.sufficient.status == "fail"
    config.write_text("[checks.sufficient.count]\nminimum = 10\nrecommended = 100\n")
    assert ftprep.validate(path, config=config).checklist.sufficient.status == "pass"


def test_near_duplicates_are_found_and_kept_on_one_side(write_jsonl):
    base = varied_chats(400, seed=3)
    variants = []
    for i in range(0, 40, 2):
        rec = base[i]
        user = rec["messages"][1]["content"] + " Thanks a lot."
        variants.append(
            chat(user, rec["messages"][2]["content"], system=rec["messages"][0]["content"])
        )
    report = validate(write_jsonl, [*base, *variants])
    lines = locations(report, "clean.near_duplicate")
    assert {401 + k for k in range(20)} <= set(lines)
    assert report.findings_for("clean.near_duplicate")[0].severity == "warning"

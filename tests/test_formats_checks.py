"""Tool-call and preference checks, and preference data end to end (validate + split)."""

from __future__ import annotations

import json

import ftprep
from tests.conftest import locations, varied_chats

TOOLS = [{"type": "function", "function": {"name": "wx", "parameters": {"type": "object"}}}]


def _call(cid: str, name: str = "wx", args: str = '{"city": "Paris"}') -> dict:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


def _tool_chat(calls: list[dict], results: list[tuple[str | None, str]], tools=TOOLS) -> dict:
    msgs = [{"role": "user", "content": "Weather?"}, {"role": "assistant", "tool_calls": calls}]
    for cid, text in results:
        m = {"role": "tool", "content": text}
        if cid is not None:
            m["tool_call_id"] = cid
        msgs.append(m)
    msgs.append({"role": "assistant", "content": "Done."})
    rec = {"messages": msgs}
    if tools is not None:
        rec["tools"] = tools
    return rec


def test_tool_checks_report_exact_lines(write_jsonl):
    records = [
        _tool_chat([_call("c1")], [("c1", "20C")]),  # 1 fine
        _tool_chat([_call("c1", args="{city: Paris}")], [("c1", "x")]),  # 2 bad JSON
        _tool_chat([_call("c1", args="[1, 2]")], [("c1", "x")]),  # 3 not an object
        _tool_chat([_call("c1", name="nope")], [("c1", "x")]),  # 4 unknown function
        _tool_chat([_call("c1")], [("c1", "x")], tools=None),  # 5 no tools declared
        _tool_chat([_call("c1")], [("c2", "x")]),  # 6 answers no call
        _tool_chat([_call("c1")], [(None, "x")]),  # 7 no tool_call_id
        _tool_chat([_call("c1"), _call("c1")], [("c1", "x")]),  # 8 duplicate id
        _tool_chat([_call("c1")], [("c1", "x"), ("c1", "y")]),  # 9 answered twice
    ]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.tool_arguments") == [2, 3]
    assert locations(report, "clean.tool_unknown_function") == [4, 5]
    assert locations(report, "clean.tool_result_unanswered") == [6, 7, 9]
    assert locations(report, "clean.tool_call_duplicate_id") == [8]
    sev = {f.check: f.severity for f in report.findings}
    assert sev["clean.tool_unknown_function"] == "warning"
    assert sev["clean.tool_arguments"] == "error"


def test_sharegpt_tool_data_passes_tool_checks(write_jsonl):
    rec = {
        "conversations": [
            {"from": "human", "value": "Weather?"},
            {
                "from": "function_call",
                "value": '[{"name": "wx", "arguments": {}}, {"name": "wx", "arguments": {"c": 2}}]',
            },
            {"from": "observation", "value": "a\n</tool_response>\n<tool_response>\nb"},
            {"from": "gpt", "value": "ok"},
        ],
        "tools": json.dumps([{"name": "wx"}]),
    }
    path = write_jsonl([rec])
    (ex,) = ftprep.load(path).examples
    assert [m.text for m in ex.messages if m.role == "tool"] == ["a", "b"]
    report = ftprep.validate(path)
    assert not [f for f in report.findings if f.check.startswith("clean.tool")]


def _pair(i: int, chosen: str, rejected: str, last_role: str = "user") -> dict:
    prompt = [{"role": "user", "content": f"Question number {i}?"}]
    if last_role == "assistant":
        prompt.append({"role": "assistant", "content": "Earlier answer."})
    return {
        "input": {"messages": prompt},
        "preferred_output": [{"role": "assistant", "content": chosen}],
        "non_preferred_output": [{"role": "assistant", "content": rejected}],
    }


def test_preference_checks(write_jsonl):
    records = [
        _pair(1, "Good answer.", "Bad answer."),
        _pair(2, "Same.", " Same. "),
        _pair(3, "Good.", ""),
        _pair(4, "Good.", "Bad.", last_role="assistant"),
    ]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.preference_identical") == [2]
    assert locations(report, "clean.preference_empty_side") == [3]
    assert locations(report, "clean.preference_prompt_ends_with_assistant") == [4]
    # chat-only checks skip preference pairs: the prompt has no assistant turn
    assert locations(report, "clean.no_assistant_message") == []


def test_dpo_file_validates_and_splits(write_jsonl, tmp_path, cli):
    pairs = []
    for i, rec in enumerate(varied_chats(200)):
        pairs.append(
            {
                "input": {"messages": rec["messages"][:-1]},
                "preferred_output": [rec["messages"][-1]],
                "non_preferred_output": [{"role": "assistant", "content": f"Not sure, case {i}."}],
            }
        )
    path = write_jsonl(pairs, "dpo.jsonl")
    report = ftprep.validate(path)
    assert report.verdict != "not_ready", [f.check for f in report.findings]
    assert report.inputs[0].format == "jsonl/dpo"
    out = tmp_path / "out"
    result = cli("split", path, "-o", out, "-q", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["split"]["train"]["examples"] + data["split"]["validation"]["examples"] == 200
    rows = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    assert set(rows[0]) == {"input", "preferred_output", "non_preferred_output"}
    # split --to trl writes DPOTrainer's prompt/chosen/rejected lists
    out2 = tmp_path / "trl"
    assert cli("split", path, "-o", out2, "--to", "trl", "-q").exit_code == 0
    row = json.loads((out2 / "validation.jsonl").read_text().splitlines()[0])
    assert set(row) == {"prompt", "chosen", "rejected"}
    assert row["chosen"][0]["role"] == "assistant"

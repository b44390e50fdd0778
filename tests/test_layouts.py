"""Every common layout is read correctly (from files on disk, through the API and the CLI)
or refused once with a clear message.

The LLaMA-Factory inputs in tests/data/llamafactory are real excerpts of that project's
demo data and docs (see the README there). Larger files are built from them or from
``varied_chats`` so that dataset-level checks have enough examples to speak.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ftprep
from ftprep.schema import ChatExample, PreferenceExample
from tests.conftest import varied_chats

DATA = Path(__file__).parent / "data" / "llamafactory"
#: Checks that fired by the thousand when LLaMA-Factory's v1 layout was read as OpenAI chat.
FALSE_ALARMS = (
    "clean.empty_turn",
    "clean.unknown_key",
    "clean.missing_content",
    "clean.no_assistant_message",
    "clean.tool_result_unanswered",
    "clean.invalid_weight",
    "clean.exact_duplicate",
    "clean.contradiction",
)


def _report(cli: Any, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("validate", path, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _checks(report: dict[str, Any]) -> dict[str, int]:
    return {f["check"]: f["count"] for f in report["findings"]}


def _v1(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI chat messages in LLaMA-Factory's v1 shape, as its own converters write them."""
    return [
        {
            "role": m["role"],
            "content": [{"type": "text", "value": m["content"]}],
            "loss_weight": 1.0 if m["role"] == "assistant" else 0.0,
        }
        for m in messages
    ]


# --- the real LLaMA-Factory files, through the API -------------------------------------------


def test_v1_messages_demo_reads_text_weights_tool_calls_reasoning_and_media():
    loaded = ftprep.load(DATA / "v1_sft_demo.jsonl")
    assert not loaded.errors
    assert set(loaded.formats.values()) == {"jsonl/llamafactory_v1"}
    first, tools, media = loaded.examples
    assert isinstance(first, ChatExample)
    assert [(m.role, m.text, m.weight) for m in first.messages] == [
        ("user", "介绍一下你自己。", None),  # loss_weight 0.0 on a prompt turn is the default
        ("assistant", "我是一个 AI 助手。", 1),
    ]
    assert isinstance(tools, ChatExample)
    call = tools.messages[2]
    assert call.role == "assistant" and call.weight == 0 and call.content is None
    assert call.tool_calls is not None
    fn = call.tool_calls[0]["function"]
    assert fn["name"] == "multiply" and json.loads(fn["arguments"]) == {"a": 6, "b": 8}
    assert tools.messages[3].role == "tool"
    assert tools.messages[3].tool_call_id == call.tool_calls[0]["id"]
    assert tools.messages[3].text == "48."
    assert tools.tools is not None and tools.tools[0]["function"]["name"] == "multiply"
    assert isinstance(media, ChatExample)
    user, answer = media.messages[1], media.messages[2]
    assert user.text == "Who are they?"
    assert isinstance(user.content, list) and user.content[0].type == "image_url"
    assert user.content[0].model_dump()["image_url"] == {"url": "mllm_demo_data/1.jpg"}
    assert answer.text == "They're Kane and Gretzka from Bayern Munich."
    assert answer.reasoning == "Two players in Bayern Munich kits celebrating."


def test_v1_pairs_demo_reads_the_shared_prompt_and_both_sides():
    loaded = ftprep.load(DATA / "v1_dpo_demo.jsonl")
    assert not loaded.errors
    (pair,) = loaded.examples
    assert isinstance(pair, PreferenceExample)
    assert [(m.role, m.text) for m in pair.input] == [("user", "问题")]
    assert [m.text for m in pair.preferred] == ["更优回答"]
    assert [m.text for m in pair.non_preferred] == ["较差回答"]


def test_pretraining_documents_load_as_text_examples():
    loaded = ftprep.load(DATA / "c4_demo.jsonl")
    assert not loaded.errors
    raw = [json.loads(line)["text"] for line in (DATA / "c4_demo.jsonl").open(encoding="utf-8")]
    assert [e.kind for e in loaded.examples] == ["text"] * 3
    assert [e.messages[0].text for e in loaded.examples] == raw
    assert [e.to_record() for e in loaded.examples] == [{"text": t} for t in raw]


def test_a_text_field_beside_an_answer_is_not_a_document(write_jsonl, cli):
    """BillSum-style ``{"text", "summary"}`` or ``{"text", "label"}`` is supervised data: it is
    not silently read as pretraining documents, the user is asked to map the fields."""
    for extra in ({"summary": "Short."}, {"label": "positive"}):
        result = cli("validate", write_jsonl([{"text": "A long bill.", **extra}] * 3))
        assert result.exit_code == 2
        assert "--map user=FIELD --map assistant=FIELD" in result.stderr
    # a recognised answer column maps the text to the user turn instead
    loaded = ftprep.load(write_jsonl([{"text": "Is it?", "output": "Yes."}]))
    assert [(m.role, m.text) for m in loaded.examples[0].messages] == [
        ("user", "Is it?"),
        ("assistant", "Yes."),
    ]


def test_classic_llamafactory_files_read_as_before():
    glaive = ftprep.load(DATA / "glaive_toolcall_en_demo.json")
    (ex,) = glaive.examples
    assert isinstance(ex, ChatExample)
    roles = [m.role for m in ex.messages]
    assert roles == ["user", "assistant", "tool", "assistant"] * 3
    calls = [m.tool_calls[0]["id"] for m in ex.messages if m.tool_calls]
    assert [m.tool_call_id for m in ex.messages if m.role == "tool"] == calls
    dpo = ftprep.load(DATA / "dpo_en_demo.json")
    assert [type(e).__name__ for e in dpo.examples] == ["PreferenceExample"] * 2
    kto = ftprep.load(DATA / "kto_en_demo.json")
    assert kto.examples[0].metadata == {"label": True}
    tagged = ftprep.load(
        [
            {
                "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Yo"}],
                "kto_tag": False,
            }
        ]
    )
    assert tagged.examples[0].metadata == {"kto_tag": False}
    mllm = ftprep.load(DATA / "mllm_demo.json")
    assert [e.metadata["images"] for e in mllm.examples] == [["mllm_demo_data/1.jpg"]] * 2


def test_sharegpt_turns_with_renamed_keys():
    """LLaMA-Factory's ``tags`` let a file keep turns under ``messages`` or spell them
    role/content inside ``conversations``."""
    loaded = ftprep.load(
        [
            {"messages": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
            {
                "conversations": [
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Yo"},
                ]
            },
        ]
    )
    assert not loaded.errors
    assert [[(m.role, m.text) for m in e.messages] for e in loaded.examples] == [
        [("user", "Hi"), ("assistant", "Hello")],
        [("user", "Hi"), ("assistant", "Yo")],
    ]


# --- whole files through the CLI: no false findings -------------------------------------------


def test_v1_file_has_no_false_findings(write_jsonl, cli):
    records = varied_chats(150, seed=3)
    v1 = [{"messages": _v1(r["messages"])} for r in records]
    # the real tool-calling record of the demo, and a reasoning part on one answer
    v1.append(json.loads((DATA / "v1_sft_demo.jsonl").read_text(encoding="utf-8").splitlines()[1]))
    v1[0]["messages"][-1]["content"].insert(0, {"type": "reasoning", "value": "Short answer."})
    code, report = _report(cli, write_jsonl(v1, "v1.jsonl"))
    assert report["inputs"][0]["format"] == "jsonl/llamafactory_v1"
    assert report["inputs"][0]["examples"] == 151 and report["inputs"][0]["load_errors"] == 0
    found = _checks(report)
    assert not set(found) & set(FALSE_ALARMS), found
    assert report["verdict"] != "not_ready", found
    assert code == 0


def test_file_mixing_plain_chat_and_v1_records_reads_both(write_jsonl, cli):
    records: list[dict[str, Any]] = varied_chats(60, seed=17)
    records[0] = {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c9",
                        "type": "function",
                        "function": {"name": "weather", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c9", "content": "20C"},
            {"role": "assistant", "content": "It is 20C."},
        ],
        "tools": [
            {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}
        ],
    }
    for r in records[30:]:
        r["messages"] = _v1(r["messages"])
    path = write_jsonl(records)
    loaded = ftprep.load(path)
    assert set(loaded.formats.values()) == {"jsonl/llamafactory_v1"} and not loaded.errors
    first = loaded.examples[0]
    assert isinstance(first, ChatExample) and first.messages[2].tool_call_id == "c9"
    assert all(m.text for e in loaded.examples for m in e.messages if not m.tool_calls)
    _, report = _report(cli, path)
    assert not set(_checks(report)) & set(FALSE_ALARMS)


def test_v1_pairs_file_validates_without_load_errors(write_jsonl, cli):
    pairs = []
    for r in varied_chats(120, seed=5):
        msgs = _v1(r["messages"])
        worse = {**msgs[-1], "content": [{"type": "text", "value": "I cannot help with that."}]}
        pairs.append({"chosen_messages": msgs, "rejected_messages": [*msgs[:-1], worse]})
    _, report = _report(cli, write_jsonl(pairs))
    assert report["inputs"][0]["format"] == "jsonl/llamafactory_v1_preference"
    assert report["inputs"][0]["examples"] == 120 and report["inputs"][0]["load_errors"] == 0
    assert not set(_checks(report)) & set(FALSE_ALARMS)


def test_pretraining_file_gets_no_conversation_findings(write_jsonl, cli):
    docs = [
        {"text": r["messages"][-1]["content"] + " " + r["messages"][1]["content"]}
        for r in varied_chats(200, seed=7)
    ]
    docs += [json.loads(line) for line in (DATA / "c4_demo.jsonl").open(encoding="utf-8")]
    docs.append({"text": "   "})  # a real defect: an empty document
    _, report = _report(cli, write_jsonl(docs))
    assert report["inputs"][0]["format"] == "jsonl/text"
    found = _checks(report)
    assert found.get("clean.empty_turn") == 1
    for check in (
        "clean.no_assistant_message",
        "clean.contradiction",
        "clean.near_contradiction",
        "consistent.role_order",
        "clean.short_answer",
        "consistent.length_outlier",
        "clean.truncated",
    ):
        assert check not in found, (check, found)
    # documents are measured by validation loss: no metric to declare
    assert not any("declared metric" in f["message"] for f in report["findings"])
    assert report["split"]["validation"]["examples"] > 0


def test_split_of_documents_writes_documents_that_load_back(write_jsonl, tmp_path, cli):
    docs = [
        {"text": f"Document {i}: " + r["messages"][-1]["content"]}
        for i, r in enumerate(varied_chats(120, seed=9))
    ]
    out = tmp_path / "out"
    result = cli("split", write_jsonl(docs), "--out", out, "-q")
    assert result.exit_code in (0, 1), result.output
    written = [
        json.loads(x) for x in (out / "train.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert written and all(set(r) == {"text"} for r in written)
    assert {r["text"] for r in written} <= {d["text"] for d in docs}
    back = ftprep.load(out / "train.jsonl")
    assert {e.kind for e in back.examples} == {"text"}


def test_multimodal_questions_about_different_images_are_not_contradictions(tmp_path, cli):
    colours = ["red", "blue", "green", "white", "black", "silver"]
    records = [
        {
            "messages": [
                {"role": "user", "content": "<image>What color is the car?"},
                {"role": "assistant", "content": f"The car is {colours[i % 6]}."},
            ],
            "images": [f"photos/{i:04d}.jpg"],
        }
        for i in range(120)
    ]
    path = tmp_path / "vqa.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    _, report = _report(cli, path)
    found = _checks(report)
    for check in (
        "clean.contradiction",
        "clean.near_contradiction",
        "clean.exact_duplicate",
        "clean.near_duplicate",
        "split.leakage_near",
    ):
        assert check not in found, (check, found)
    assert not [f for f in report["findings"] if f["severity"] == "error"]


# --- refused once ------------------------------------------------------------------------------


def test_unreadable_layout_is_refused_once_naming_the_layouts(write_jsonl, cli):
    path = write_jsonl([{"messages": f"hello {i}"} for i in range(50)])
    result = cli("validate", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "no record could be read as 'chat'" in result.stderr
    assert "supported layouts:" in result.stderr and "llamafactory_v1" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_text_in_fields_the_layout_does_not_read_is_refused(write_jsonl, cli):
    records = [
        {
            "messages": [
                {"role": "user", "parts": f"question {i}"},
                {"role": "assistant", "parts": "answer"},
            ]
        }
        for i in range(30)
    ]
    result = cli("validate", write_jsonl(records))
    assert result.exit_code == 2
    assert "hold their text in fields it does not read" in result.stderr
    assert "line 1" in result.stderr


def test_unknown_keys_name_the_supported_layouts(write_jsonl, cli):
    result = cli("validate", write_jsonl([{"foo": 1}, {"foo": 2}]))
    assert result.exit_code == 2
    assert "supported layouts:" in result.stderr and "text" in result.stderr


def test_mostly_readable_file_keeps_per_record_errors(write_jsonl, cli):
    records: list[Any] = varied_chats(30, seed=11)
    records[4] = {"messages": "broken"}
    records[9] = {"messages": []}
    _, report = _report(cli, write_jsonl(records))
    assert report["inputs"][0]["load_errors"] == 2
    lines = sorted(
        loc["line"]
        for f in report["findings"]
        if f["check"] == "clean.missing_messages"
        for loc in f["locations"]
    )
    assert lines == [5, 10]


def test_tiny_all_broken_file_keeps_per_record_errors(write_jsonl, cli):
    result = cli(
        "validate", write_jsonl([{"messages": "x"}, {"messages": "y"}]), "--format", "json"
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["inputs"][0]["load_errors"] == 2


# --- LLaMA-Factory output loads back ------------------------------------------------------------


@pytest.mark.parametrize("command", ["convert", "split"])
def test_llamafactory_output_of_a_v1_file_loads_back(command, write_jsonl, tmp_path, cli):
    records = [{"messages": _v1(r["messages"])} for r in varied_chats(60, seed=13)]
    records.append(
        json.loads((DATA / "v1_sft_demo.jsonl").read_text(encoding="utf-8").splitlines()[1])
    )
    src = write_jsonl(records)
    if command == "convert":
        out = tmp_path / "lf.json"
        result = cli("convert", src, "--to", "llamafactory", "-o", out, "-q")
        files = [out]
    else:
        out_dir = tmp_path / "split"
        result = cli("split", src, "--to", "llamafactory", "--out", out_dir, "-q")
        files = sorted(
            p
            for p in out_dir.iterdir()
            if p.name.startswith(("train", "validation")) and p.suffix in (".json", ".jsonl")
        )
    assert result.exit_code in (0, 1), result.output
    original = {
        tuple(m.text for m in e.messages): e
        for e in ftprep.load(src).examples
        if isinstance(e, ChatExample)
    }
    back = [e for f in files for e in ftprep.load(f).examples]
    assert len(back) == len(records)
    for ex in back:
        assert isinstance(ex, ChatExample)
        twin = original[tuple(m.text for m in ex.messages)]
        assert [m.role for m in ex.messages] == [m.role for m in twin.messages]
        calls = [[c["function"]["name"] for c in m.tool_calls or []] for m in ex.messages]
        assert calls == [[c["function"]["name"] for c in m.tool_calls or []] for m in twin.messages]


@pytest.mark.parametrize("target", ["llamafactory", "together"])
def test_documents_convert_to_platforms_that_read_text(target, tmp_path, cli):
    out = tmp_path / f"docs_{target}.jsonl"
    result = cli("convert", DATA / "c4_demo.jsonl", "--to", target, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    raw = [json.loads(x) for x in (DATA / "c4_demo.jsonl").open(encoding="utf-8")]
    assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == raw
    back = ftprep.load(out)
    assert [e.kind for e in back.examples] == ["text"] * 3
    if target == "llamafactory":
        info = json.loads((tmp_path / "dataset_info.json").read_text(encoding="utf-8"))
        assert info[out.stem] == {"file_name": out.name, "columns": {"prompt": "text"}}


@pytest.mark.parametrize(("target", "accepts"), [("together", True), ("openai", False)])
def test_validate_target_judges_documents_as_they_stand(target, accepts, cli):
    result = cli("validate", DATA / "c4_demo.jsonl", "--target", target, "--format", "json")
    report = json.loads(result.stdout)
    assert report["target"] == {"name": target, "accepts": accepts}
    assert ("clean.target_format" in _checks(report)) is not accepts

"""Every target's output is checked against its own profile, and each rule fires where due."""

from __future__ import annotations

import json

import pytest

import ftprep
from ftprep.conversion import issue_check
from ftprep.schema import ChatExample, Message, PreferenceExample, SourceLocation
from ftprep.targets import TARGETS, get_target

LOC = SourceLocation(source="t.jsonl", line=1)
TOOLS = [
    {
        "type": "function",
        "function": {"name": "wx", "description": "Weather", "parameters": {"type": "object"}},
    }
]


def tool_chat(weight: int | None = None) -> ChatExample:
    call = {"id": "call_1", "type": "function", "function": {"name": "wx", "arguments": "{}"}}
    return ChatExample(
        messages=[
            Message(role="system", content="Be brief."),
            Message(role="user", content="Weather?"),
            Message(role="assistant", tool_calls=[call]),
            Message(role="tool", tool_call_id="call_1", content="20C"),
            Message(role="assistant", content="It is 20C.", weight=weight),
        ],
        tools=TOOLS,
        location=LOC,
    )


def plain_chat() -> ChatExample:
    return ChatExample(
        messages=[
            Message(role="system", content="Be brief."),
            Message(role="user", content="Capital of France?"),
            Message(role="assistant", content="Paris."),
        ],
        location=LOC,
    )


def pair() -> PreferenceExample:
    return PreferenceExample(
        input=[Message(role="user", content="Hi?")],
        preferred=[Message(role="assistant", content="Hello!")],
        non_preferred=[Message(role="assistant", content="No.")],
        location=LOC,
    )


def confirmed(issues):
    return [i for i in issues if i.confirmed]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_target_writes_records_its_profile_accepts(name):
    profile = TARGETS[name]
    for ex in (plain_chat(), pair()):
        conv = profile.convert(ex)
        assert confirmed(conv.issues) == [], (name, conv.issues)
        assert conv.size == len(json.dumps(conv.record, ensure_ascii=False).encode()) + 1
    conv = profile.convert(tool_chat())
    if profile.tools:
        assert confirmed(conv.issues) == [], (name, conv.issues)
    else:
        assert {i.rule for i in conv.issues} == {"tools"}


@pytest.mark.parametrize(
    ("name", "lost"),
    [
        ("openai", False),
        ("together", False),
        ("fireworks", False),
        ("mistral", False),
        ("axolotl", False),
        ("trl", True),
        ("bedrock", True),
        ("vertex", True),
        ("llamafactory", True),
    ],
)
def test_weight_zero_is_kept_or_listed_as_a_loss(name, lost):
    conv = get_target(name).convert(tool_chat(weight=0))
    losses = [x for x in conv.losses if "weight 0 dropped" in x]
    assert bool(losses) == lost
    if lost:
        assert losses[0].startswith("message 5 (assistant)")
    assert "weight" not in json.dumps(conv.record) or not lost


def test_preference_into_a_target_without_it_keeps_the_chosen_reply():
    conv = get_target("bedrock").convert(pair())
    assert conv.losses[0].startswith("preference pair written as a chat example")
    assert [m["role"] for m in conv.record["messages"]] == ["user", "assistant"]


def test_rule_violations_by_target():
    user_first = ChatExample(
        messages=[Message(role="assistant", content="Hi"), Message(role="user", content="x")],
        location=LOC,
    )
    issues = get_target("bedrock").convert(user_first).issues
    assert {issue_check(i) for i in issues} == {"clean.target_role"}
    two_systems = ChatExample(
        messages=[
            Message(role="system", content="a"),
            Message(role="user", content="b"),
            Message(role="system", content="c"),
            Message(role="assistant", content="d"),
        ],
        location=LOC,
    )
    mistral = [i.detail for i in get_target("mistral").convert(two_systems).issues]
    assert "only one system message is allowed" in mistral
    fireworks = [i.detail for i in get_target("fireworks").convert(two_systems).issues]
    assert any("must be the first" in d for d in fireworks)
    lf = get_target("llamafactory").convert(two_systems).issues
    assert any(i.rule == "role" for i in lf)
    no_desc = tool_chat()
    no_desc.tools = [{"type": "function", "function": {"name": "wx"}}]
    assert [i.rule for i in get_target("mistral").convert(no_desc).issues] == ["tools"]
    http_image = ChatExample(
        messages=[
            Message.model_validate(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "http://x/cat.png"}},
                    ],
                }
            ),
            Message(role="assistant", content="A cat."),
        ],
        location=LOC,
    )
    together = get_target("together").convert(http_image).issues
    assert [i.rule for i in together] == ["content", "content"]
    assert "base64" in together[0].detail and "mixed" in together[1].detail
    vertex = get_target("vertex").convert(http_image)
    assert vertex.record["contents"][0]["parts"][1] == {
        "fileData": {"mimeType": "image/png", "fileUri": "http://x/cat.png"}
    }
    assert [i.rule for i in vertex.issues] == ["content"]
    assert any(
        "image_url content dropped" in x for x in get_target("bedrock").convert(http_image).losses
    )


def test_mistral_ids_are_nine_alphanumerics_and_results_follow():
    rec = get_target("mistral").convert(tool_chat()).record
    cid = rec["messages"][2]["tool_calls"][0]["id"]
    assert len(cid) == 9 and cid.isalnum()
    assert rec["messages"][3]["tool_call_id"] == cid
    assert get_target("mistral").convert(tool_chat()).record == rec  # deterministic


def test_together_rules_match_the_sdk_2_14_messages():
    together = get_target("together")
    bad = {
        "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
        "id": 3,
    }
    assert [i.detail for i in together.check(bad)] == ['extra column "id" not allowed']
    both = {"text": "x", "messages": []}
    assert together.check(both)[0].detail.startswith("record matches several formats")
    weight = {
        "messages": [
            {"role": "user", "content": "x", "weight": 2},
            {"role": "assistant", "content": "y"},
        ]
    }
    assert [i.detail for i in together.check(weight)] == [
        "message 1 (user): weight must be either 0 or 1"
    ]


def test_together_output_passes_the_official_checker(tmp_path, write_jsonl):
    together = pytest.importorskip("together")
    from together.lib.utils import check_file

    records = [
        json.loads(json.dumps(r))
        for r in (
            {
                "messages": [
                    {"role": "user", "content": f"q{i}"},
                    {"role": "assistant", "content": f"a{i}", "weight": 1},
                ],
                "id": i,
            }
            for i in range(5)
        )
    ]
    src = write_jsonl(records)
    out = tmp_path / "together.jsonl"
    result = ftprep.convert(src, out, "together")
    assert result.written == 5
    assert [f.check for f in result.findings] == ["clean.target_loss"]  # the 'id' key
    report = check_file(str(out), purpose="fine-tune")
    assert report["is_check_passed"], report["message"]
    assert report["num_samples"] == 5
    pairs = tmp_path / "pairs.jsonl"
    pref = write_jsonl([pair().to_record() for _ in range(3)], "p.jsonl")
    ftprep.convert(pref, pairs, "together")
    assert check_file(str(pairs), purpose="fine-tune")["is_check_passed"]
    assert together is not None


def test_llamafactory_dataset_info_merges_existing_entries(tmp_path, write_jsonl):
    from tests.conftest import varied_chats

    out = tmp_path / "lf"
    out.mkdir()
    (out / "dataset_info.json").write_text(json.dumps({"mine": {"file_name": "m.json"}}))
    src = write_jsonl(varied_chats(120))
    ftprep.split(src, out, to="llamafactory")
    info = json.loads((out / "dataset_info.json").read_text())
    assert set(info) == {"mine", "train", "validation"}
    assert info["train"]["file_name"] == "train.jsonl"
    assert info["train"]["columns"]["messages"] == "conversations"
    assert "ranking" not in info["train"]
    row = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    assert [t["from"] for t in row["conversations"]] == ["human", "gpt"]
    assert row["system"] == "You are a concise support assistant."


def test_axolotl_split_writes_config_fragment(tmp_path, write_jsonl):
    from tests.conftest import varied_chats

    src = write_jsonl(varied_chats(120))
    ftprep.split(src, tmp_path / "ax", to="axolotl")
    text = (tmp_path / "ax" / "axolotl_datasets.yml").read_text()
    assert "path: train.jsonl" in text and "path: validation.jsonl" in text
    assert "message_field_training: weight" in text

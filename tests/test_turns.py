"""The batch's plain copy of roles, texts and tool calls is what the models hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.features import batch_scope, chat_view
from ftprep.loaders.registry import LoadOptions
from ftprep.loaders.source import load_record, open_source
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.turns import batch_turns

REAL = Path(__file__).resolve().parent / "data" / "real"


def _examples(path: Path) -> list[ChatExample]:
    source = open_source(path, LoadOptions())
    out = []
    for raw in source.raw_records():
        result = load_record(raw, source.name, source.format, source.container, LoadOptions())
        if hasattr(result, "kind"):
            out.append(chat_view(result))
    return out


@pytest.mark.parametrize(
    "name",
    [
        "llamafactory_glaive_toolcall_en_demo.json",  # tool calls
        "llamafactory_mllm_demo.json",  # content parts (images)
        "llamafactory_dpo_en_demo.json",  # preference pairs, seen as prompt + preferred
        "llamafactory_c4_demo.jsonl",  # documents
        "fastchat_dummy_conversation.jsonl",
    ],
)
def test_turns_hold_what_the_messages_hold(name: str) -> None:
    batch = _examples(REAL / name)
    assert batch
    with batch_scope() as memo:
        turns = batch_turns(batch, memo)
        assert batch_turns(batch, memo) is turns  # built once per batch
    for i, ex in enumerate(batch):
        assert turns.roles[i] == tuple(m.role for m in ex.messages)
        assert turns.texts[i] == tuple(m.text for m in ex.messages)
        assert turns.calls[i] == tuple(m.tool_calls for m in ex.messages)
        assert turns.last[i] == ex.last_assistant_index


def test_last_assistant_of_conversations_without_one() -> None:
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role="user", content="hi")], location=where),
        ChatExample(messages=[], location=where),
        ChatExample(
            messages=[Message(role="assistant", content="a"), Message(role="user", content="b")],
            location=where,
        ),
    ]
    last = [ex.last_assistant_index for ex in batch]
    assert batch_turns(batch, {}).last == last == [None, None, 0]

"""Properties over every layout: a turn whose raw record holds text is never read as empty,
and the new readers (LLaMA-Factory v1, documents) round-trip what they read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.checks.base import CheckSettings
from ftprep.checks.clean.empty import empty_turn
from ftprep.schema import ChatExample, Example, Message, PreferenceExample

texts = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")
Turns = list[tuple[str, str]]
conversations = st.lists(st.tuples(texts, texts), min_size=1, max_size=3)

Encoder = Callable[[Turns, str | None], dict[str, Any]]


def _openai(turns: Turns, system: str | None) -> list[dict[str, Any]]:
    msgs = [{"role": "system", "content": system}] if system else []
    for u, a in turns:
        msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
    return msgs


def _v1(turns: Turns, system: str | None) -> list[dict[str, Any]]:
    return [
        {
            "role": m["role"],
            "content": [{"type": "text", "value": m["content"]}],
            "loss_weight": 1.0 if m["role"] == "assistant" else 0.0,
        }
        for m in _openai(turns, system)
    ]


def _sharegpt(turns: Turns, tags: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    role, content, user, gpt = tags
    out = []
    for u, a in turns:
        out += [{role: user, content: u}, {role: gpt, content: a}]
    return out


ENCODERS: dict[str, Encoder] = {
    "chat": lambda t, s: {"messages": _openai(t, s)},
    "chat_parts": lambda t, s: {
        "messages": [
            {"role": m["role"], "content": [{"type": "text", "text": m["content"]}]}
            for m in _openai(t, s)
        ]
    },
    "mistral": lambda t, s: {
        "interactions": [{"role": m["role"], "text": m["content"]} for m in _openai(t, s)]
    },
    "llamafactory_v1": lambda t, s: {"messages": _v1(t, s)},
    "sharegpt": lambda t, s: {
        "conversations": _sharegpt(t, ("from", "value", "human", "gpt")),
        **({"system": s} if s else {}),
    },
    "sharegpt_role_content": lambda t, s: {
        "conversations": _sharegpt(t, ("role", "content", "user", "assistant"))
    },
    "sharegpt_in_messages": lambda t, s: {
        "messages": _sharegpt(t, ("from", "value", "human", "gpt"))
    },
    "alpaca": lambda t, s: {
        "instruction": t[-1][0],
        "input": "",
        "output": t[-1][1],
        "history": [list(p) for p in t[:-1]],
        **({"system": s} if s else {}),
    },
    "prompt_completion": lambda t, s: {"prompt": t[0][0], "completion": t[0][1]},
    "bedrock": lambda t, s: {
        "schemaVersion": "bedrock-conversation-2024",
        "messages": [
            {"role": m["role"], "content": [{"text": m["content"]}]} for m in _openai(t, None)
        ],
    },
    "gemini": lambda t, s: {
        "contents": [
            {
                "role": "model" if m["role"] == "assistant" else "user",
                "parts": [{"text": m["content"]}],
            }
            for m in _openai(t, None)
        ]
    },
    "text": lambda t, s: {"text": "\n".join(u + "\n" + a for u, a in t)},
    "llamafactory_v1_preference": lambda t, s: {
        "chosen_messages": _v1(t, s),
        "rejected_messages": [*_v1(t, s)[:-1], _v1([("x", t[-1][0])], None)[1]],
    },
    "dpo": lambda t, s: {
        "input": {"messages": _openai(t, s)[:-1]},
        "preferred_output": [{"role": "assistant", "content": t[-1][1]}],
        "non_preferred_output": [{"role": "assistant", "content": t[-1][0]}],
    },
    "sharegpt_preference": lambda t, s: {
        "conversations": _sharegpt(t, ("from", "value", "human", "gpt"))[:-1],
        "chosen": {"from": "gpt", "value": t[-1][1]},
        "rejected": {"from": "gpt", "value": t[-1][0]},
    },
}


def _messages(ex: Example) -> list[Message]:
    if isinstance(ex, PreferenceExample):
        return [*ex.input, *ex.preferred, *ex.non_preferred]
    return ex.messages


def _raw_texts(turns: Turns, system: str | None, layout: str) -> list[str]:
    if layout in ("prompt_completion",):
        return list(turns[0])
    if layout == "alpaca":
        return [x for pair in turns for x in pair] + ([system] if system else [])
    with_system = layout in ("chat", "chat_parts", "mistral", "llamafactory_v1", "sharegpt")
    return [x for pair in turns for x in pair] + ([system] if system and with_system else [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(sorted(ENCODERS)),
    turns=conversations,
    system=st.none() | texts,
)
def test_text_in_the_raw_record_is_never_read_as_empty(
    layout: str, turns: Turns, system: str | None
) -> None:
    record = ENCODERS[layout](turns, system)
    loaded = ftprep.load([record])
    assert not loaded.errors, (layout, loaded.errors)
    (ex,) = loaded.examples
    read = "\n".join(m.text + "\n" + m.reasoning for m in _messages(ex))
    for text in _raw_texts(turns, system, layout):
        assert text.strip() in read, (layout, text)
    if isinstance(ex, ChatExample):
        assert list(empty_turn(ex, CheckSettings())) == []
    else:
        assert all(m.text.strip() for m in _messages(ex))


weights = st.sampled_from([None, 0.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(
    turns=st.lists(st.tuples(texts, texts, weights), min_size=1, max_size=4),
    system=st.none() | texts,
    reasoning=st.none() | texts,
)
def test_llamafactory_v1_round_trip(
    turns: list[tuple[str, str, float | None]], system: str | None, reasoning: str | None
) -> None:
    messages: list[dict[str, Any]] = []
    expected: list[tuple[str, str, int | None]] = []
    if system:
        messages.append({"role": "system", "content": [{"type": "text", "value": system}]})
        expected.append(("system", system, None))
    for u, a, w in turns:
        answer: dict[str, Any] = {"role": "assistant", "content": [{"type": "text", "value": a}]}
        if w is not None:
            answer["loss_weight"] = w
        messages += [
            {"role": "user", "content": [{"type": "text", "value": u}], "loss_weight": 0.0},
            answer,
        ]
        expected += [("user", u, None), ("assistant", a, None if w is None else int(w))]
    if reasoning:
        messages[-1]["content"].insert(0, {"type": "reasoning", "value": reasoning})
    loaded = ftprep.load([{"messages": messages, "extra_info": "kept"}])
    assert loaded.formats == {"<records>": "records/llamafactory_v1"}
    (ex,) = loaded.examples
    assert isinstance(ex, ChatExample)
    assert [(m.role, m.text, m.weight) for m in ex.messages] == expected
    assert ex.messages[-1].reasoning == (reasoning or "")
    assert ex.metadata == {"extra_info": "kept"}


@settings(max_examples=60, deadline=None)
@given(text=texts, extra=st.dictionaries(st.sampled_from(["id", "url", "source"]), texts))
def test_documents_round_trip(text: str, extra: dict[str, str]) -> None:
    loaded = ftprep.load([{"text": text, **extra}])
    (ex,) = loaded.examples
    assert isinstance(ex, ChatExample) and ex.kind == "text"
    assert ex.to_record() == {"text": text}
    assert ex.metadata == extra

"""Round trips: chat -> target file -> ftprep's loader -> the same content.

Content means roles, text, tool calls (name and arguments as JSON) and tool results; weights
where the target expresses them. Tool-call ids are not content (Gemini has none, Mistral
needs its own), so they are compared only through which call each result answers.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.loaders import FORMATS, LoadOptions
from ftprep.loaders.registry import detect_format
from ftprep.schema import ChatExample, Message, PreferenceExample, SourceLocation
from ftprep.targets import TARGETS

LOC = SourceLocation(source="gen", line=1)
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and "</tool_response>" not in s)
name = st.sampled_from(["get_weather", "lookup", "convert_units"])
args = st.dictionaries(st.sampled_from(["city", "n", "unit"]), st.integers() | text, max_size=3)


@st.composite
def conversations(draw: Any) -> ChatExample:
    messages: list[Message] = []
    if draw(st.booleans()):
        messages.append(Message(role="system", content=draw(text)))
    for turn in range(draw(st.integers(1, 3))):
        messages.append(Message(role="user", content=draw(text)))
        if draw(st.booleans()):
            calls = [
                {
                    "id": f"call_{turn}_{j}",
                    "type": "function",
                    "function": {"name": draw(name), "arguments": json.dumps(draw(args))},
                }
                for j in range(draw(st.integers(1, 2)))
            ]
            messages.append(Message(role="assistant", tool_calls=calls))
            for c in calls:
                messages.append(Message(role="tool", tool_call_id=c["id"], content=draw(text)))
        weight = draw(st.sampled_from([None, 0, 1]))
        messages.append(Message(role="assistant", content=draw(text), weight=weight))
    tools = [
        {"type": "function", "function": {"name": n, "description": "d", "parameters": {}}}
        for n in ("get_weather", "lookup", "convert_units")
    ]
    uses_tools = any(m.tool_calls for m in messages)
    return ChatExample(messages=messages, tools=tools if uses_tools else None, location=LOC)


def _json_or_text(s: str) -> Any:
    try:
        return json.loads(s)
    except ValueError:
        return s


def content(messages: list[Message], weights: bool) -> list[Any]:
    calls: dict[str, int] = {}
    out = []
    for m in messages:
        item: dict[str, Any] = {
            "role": m.role,
            "text": _json_or_text(m.text) if m.role == "tool" else m.text,
        }
        if m.tool_calls:
            item["calls"] = []
            for c in m.tool_calls:
                calls[c["id"]] = len(calls)
                fn = c["function"]
                a = fn["arguments"]
                item["calls"].append([fn["name"], a if isinstance(a, dict) else json.loads(a)])
        if m.role == "tool":
            item["answers"] = calls.get(m.tool_call_id or "")
        if weights and m.role == "assistant":
            item["trained"] = m.weight != 0
        out.append(item)
    return out


def tool_names(tools: Any) -> list[str]:
    return sorted(t["function"]["name"] for t in tools or [])


def read_back(record: dict[str, Any], expected_format: str) -> Any:
    """Serialize like the writer, parse, auto-detect and load with ftprep's loaders."""
    value = json.loads(json.dumps(record, ensure_ascii=False))
    fmt = detect_format(value)
    assert fmt == expected_format, (fmt, record)
    return FORMATS[fmt].adapt(value, LOC, LoadOptions())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ex=conversations())
def test_chat_round_trips_through_every_target(ex):
    for profile in TARGETS.values():
        written = profile.write(ex)
        back = read_back(written.record, profile.reads_back[0])
        assert isinstance(back, ChatExample), (profile.name, back)
        weights = profile.weights is not None
        assert content(back.messages, weights) == content(ex.messages, weights), profile.name
        assert tool_names(back.tools) == tool_names(ex.tools), profile.name
        lost_weight = any(m.weight == 0 for m in ex.messages) and not weights
        assert any("weight 0 dropped" in x for x in written.losses) == lost_weight


@settings(max_examples=25, deadline=None)
@given(prompt=text, chosen=text, rejected=text, system=st.none() | text)
def test_preference_round_trips_through_preference_targets(prompt, chosen, rejected, system):
    msgs = [Message(role="system", content=system)] if system else []
    ex = PreferenceExample(
        input=[*msgs, Message(role="user", content=prompt)],
        preferred=[Message(role="assistant", content=chosen)],
        non_preferred=[Message(role="assistant", content=rejected)],
        location=LOC,
    )
    for profile in TARGETS.values():
        if not profile.preference:
            continue
        written = profile.write(ex)
        assert written.losses == []
        back = read_back(written.record, profile.reads_back[1])
        assert isinstance(back, PreferenceExample), profile.name
        assert content(back.input, False) == content(ex.input, False)
        assert content(back.preferred, False) == content(ex.preferred, False)
        assert content(back.non_preferred, False) == content(ex.non_preferred, False)

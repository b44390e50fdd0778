"""LLaMA-Factory's v1 "Messages format": content parts ``{"type", "value"}`` and ``loss_weight``.

SFT records are ``{"messages": [{"role", "content": [{"type": ..., "value": str}],
"loss_weight": float}], "tools"?: str}``; preference records are ``{"chosen_messages": [...],
"rejected_messages": [...]}`` (both full conversations, the shared leading messages being the
prompt). Part types, as LLaMA-Factory defines them (``src/llamafactory/v1/utils/types.py``):

- ``text`` — message text;
- ``reasoning`` — the model's thinking, kept as a ``{"type": "reasoning", "reasoning"}`` part
  so the answer text stays the answer (see :attr:`ftprep.schema.Message.reasoning`);
- ``tool_call`` — one ``{"name", "arguments"}`` JSON call, becoming an OpenAI tool call with a
  generated id; the ``tool`` messages that follow answer the open calls in order (earlier v1
  releases wrote ``tool_calls`` parts holding a call or a list, and a ``tools`` part in the
  system message; both are read too);
- ``image_url`` / ``video_url`` / ``audio_url`` — a path or URL, kept as an OpenAI-style media
  part (``{"type": "image_url", "image_url": {"url": ...}}``).

``loss_weight`` on an assistant turn becomes its ``weight`` (1.0 → 1, 0.0 → 0). LLaMA-Factory
only supervises assistant turns, so the ``loss_weight`` it writes on system/user/tool turns
(0.0) carries no information and is not kept: keeping it would read as a weight on a prompt
turn, which the chat format forbids.

Without this reader the records look like OpenAI chat with unknown part fields: every turn
reads as empty, which is how a whole LLaMA-Factory file used to produce thousands of false
findings.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ftprep.loaders.messages import load_error, openai_tools, parse_tools, with_system
from ftprep.loaders.parts import content_from_parts, raw_part, text_part
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import (
    ChatExample,
    ContentPart,
    Example,
    LoadError,
    Message,
    PreferenceExample,
    SourceLocation,
)

MEDIA = ("image_url", "video_url", "audio_url")
CALL_PARTS = ("tool_call", "tool_calls")
_MESSAGE_KEYS = ("role", "content", "loss_weight")
_SIDES = ("chosen_messages", "rejected_messages")


def is_v1_message(m: Any) -> bool:
    """A message in LLaMA-Factory's v1 shape: a ``loss_weight``, or parts carrying ``value``."""
    if not isinstance(m, dict):
        return False
    if "loss_weight" in m:
        return True
    content = m.get("content")
    return isinstance(content, list) and any(
        isinstance(p, dict) and "value" in p and "text" not in p for p in content
    )


def _v1_messages(raw: Any) -> bool:
    return isinstance(raw, list) and any(is_v1_message(m) for m in raw)


def _detect_sft(v: Any) -> bool:
    return isinstance(v, dict) and _v1_messages(v.get("messages"))


def _detect_pair(v: Any) -> bool:
    return isinstance(v, dict) and all(k in v for k in _SIDES)


def _calls(value: Any, where: str, counter: list[int]) -> list[dict[str, Any]] | str:
    """OpenAI tool calls from a ``tool_call`` part's JSON (an error text when it is not)."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return f"{where} is not JSON"
    items = parsed if isinstance(parsed, list) else [parsed]
    out = []
    for call in items:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            return f'{where} is not {{"name", "arguments"}} JSON'
        args = call.get("arguments", {})
        out.append(
            {
                "id": f"call_{counter[0]}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
        )
        counter[0] += 1
    return out


def _weight(role: str, raw: Any, where: str) -> int | float | str | None:
    """An assistant turn's ``loss_weight`` as a weight; other roles' is dropped (see module)."""
    if raw is None or role != "assistant":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return f"{where} has loss_weight {raw!r}, not a number"
    return int(raw) if raw in (0, 1) else raw


class _Reader:
    """Converts one record's message lists, carrying tool-call ids across its messages."""

    def __init__(self, loc: SourceLocation) -> None:
        self.loc = loc
        self.counter = [1]
        self.pending: list[str] = []
        self.tools: Any = None

    def messages(self, raw: Any, key: str) -> list[Message] | LoadError:
        if not isinstance(raw, list) or not raw:
            return load_error(
                "clean.missing_messages", f"'{key}' is missing, empty or not a list", self.loc
            )
        out: list[Message] = []
        for i, m in enumerate(raw, start=1):
            msg = self.message(m, f"{key} message {i}")
            if isinstance(msg, LoadError):
                return msg
            out.append(msg)
        return out

    def message(self, m: Any, where: str) -> Message | LoadError:
        loc = self.loc
        if not isinstance(m, dict):
            return load_error("clean.invalid_message", f"{where} is not an object", loc)
        role = m.get("role")
        if not isinstance(role, str):
            return load_error("clean.missing_role", f"{where} has no 'role'", loc)
        content = m.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "value": content}]
        elif content is None:
            content = []
        if not isinstance(content, list) or not all(isinstance(p, dict) for p in content):
            return load_error(
                "clean.invalid_message", f"{where} ({role}): content is not a list of parts", loc
            )
        parts: list[ContentPart] = []
        calls: list[dict[str, Any]] = []
        for j, part in enumerate(content, start=1):
            ptype = part.get("type", "text")
            value = part.get("value", part.get("text"))
            at = f"{where} ({role}) part {j} ({ptype})"
            if ptype in CALL_PARTS:
                got = _calls(value, at, self.counter)
                if isinstance(got, str):
                    return load_error("clean.invalid_message", got, loc)
                calls += got
            elif ptype == "tools":
                self.tools = value
            elif ptype in ("text", "reasoning"):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    value = str(value)
                if not isinstance(value, str):
                    return load_error("clean.invalid_message", f"{at}: 'value' is not text", loc)
                parts.append(text_part(value) if ptype == "text" else raw_part(ptype, value))
            elif ptype in MEDIA:
                url = value if not isinstance(value, str) else {"url": value}
                parts.append(raw_part(ptype, url))
            else:
                parts.append(raw_part(ptype, value))
        weight = _weight(role, m.get("loss_weight"), f"{where} ({role})")
        if isinstance(weight, str):
            return load_error("clean.invalid_weight", weight, loc)
        fields = {k: v for k, v in m.items() if k not in _MESSAGE_KEYS}
        fields.update(role=role, content=content_from_parts(parts), weight=weight)
        if calls:  # OpenAI-style tool_calls on the same message are kept before the parts'
            given = fields.get("tool_calls")
            fields["tool_calls"] = [*(given if isinstance(given, list) else []), *calls]
        given_calls = fields.get("tool_calls")
        if role == "tool" and fields.get("tool_call_id") is None and self.pending:
            fields["tool_call_id"] = self.pending.pop(0)
        elif isinstance(given_calls, list) and given_calls:
            self.pending = [c["id"] for c in given_calls if isinstance(c, dict) and "id" in c]
        try:
            return Message.model_validate(fields)
        except ValidationError as exc:
            return load_error(
                "clean.invalid_message", f"{where} ({role}): {exc.errors()[0]['msg']}", loc
            )

    def parsed_tools(self, record: dict[str, Any]) -> list[dict[str, Any]] | LoadError | None:
        tools = parse_tools(record.get("tools", self.tools), self.loc)
        return tools if isinstance(tools, LoadError) else openai_tools(tools) or None


@register_format(
    "llamafactory_v1",
    'LLaMA-Factory v1: {"messages": [{"role": ..., "content": [{"type": "text", "value": ...}], '
    '"loss_weight": 1.0}], "tools"?: "[...]"}',
    detect=_detect_sft,
    priority=6,
)
def adapt_llamafactory_v1(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    reader = _Reader(loc)
    messages = reader.messages(value.get("messages"), "messages")
    if isinstance(messages, LoadError):
        return messages
    tools = reader.parsed_tools(value)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in ("messages", "tools")}
    return ChatExample(
        messages=with_system(messages, opts.system), tools=tools, metadata=metadata, location=loc
    )


def _same(a: Message, b: Message) -> bool:
    return a.model_dump(exclude_none=True) == b.model_dump(exclude_none=True)


@register_format(
    "llamafactory_v1_preference",
    'LLaMA-Factory v1 pairs: {"chosen_messages": [...], "rejected_messages": [...]} '
    "(the shared leading messages are the prompt)",
    detect=_detect_pair,
    priority=10,
)
def adapt_llamafactory_v1_preference(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    first = _Reader(loc)
    chosen = first.messages(value.get("chosen_messages"), "chosen_messages")
    if isinstance(chosen, LoadError):
        return chosen
    reader = _Reader(loc)
    rejected = reader.messages(value.get("rejected_messages"), "rejected_messages")
    if isinstance(rejected, LoadError):
        return rejected
    shared = 0
    while shared < min(len(chosen), len(rejected)) - 1 and _same(chosen[shared], rejected[shared]):
        shared += 1
    if shared == 0:
        return load_error(
            "clean.missing_field",
            "chosen_messages and rejected_messages share no leading prompt message",
            loc,
        )
    reader.tools = reader.tools or first.tools
    tools = reader.parsed_tools(value)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in (*_SIDES, "tools")}
    return PreferenceExample(
        input=with_system(chosen[:shared], opts.system),
        preferred=chosen[shared:],
        non_preferred=rejected[shared:],
        tools=tools,
        metadata=metadata,
        location=loc,
    )

"""Amazon Bedrock conversation records (``bedrock-conversation-2024``, the Converse shape).

``{"schemaVersion": "bedrock-conversation-2024", "system": [{"text": ...}], "messages":
[{"role": "user"|"assistant", "content": [{"text": ...}, ...]}]}``. Also the older Claude 3
Haiku shape with a string ``system`` and string ``content``. Content blocks: ``text``;
``toolUse {toolUseId, name, input}`` (assistant) becomes an OpenAI tool call;
``toolResult {toolUseId, content: [{text}|{json}]}`` (user) becomes a ``tool`` message;
``toolConfig.tools[].toolSpec`` becomes OpenAI ``tools``. Media and reasoning blocks are
kept as typed content parts (``{"type": "image", "image": {...}}``), never dropped.
"""

from __future__ import annotations

import json
from typing import Any

from ftprep.loaders.messages import load_error, with_system
from ftprep.loaders.parts import arguments_text, content_from_parts, raw_part, text_part
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import ChatExample, ContentPart, Example, LoadError, Message, SourceLocation

_TOP = ("schemaVersion", "system", "messages", "toolConfig")


def _has_blocks(messages: Any) -> bool:
    """Content given as Converse blocks (objects without a ``type``)."""
    if not isinstance(messages, list):
        return False
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list) and content:
            return all(isinstance(b, dict) and "type" not in b for b in content)
    return False


def _detect(v: Any) -> bool:
    if not isinstance(v, dict) or "messages" not in v:
        return False
    return "schemaVersion" in v or "system" in v or "toolConfig" in v or _has_blocks(v["messages"])


def _result_text(blocks: Any) -> str:
    if isinstance(blocks, str):
        return blocks
    out = []
    for b in blocks if isinstance(blocks, list) else []:
        if isinstance(b, dict) and "text" in b:
            out.append(str(b["text"]))
        elif isinstance(b, dict) and "json" in b:
            out.append(json.dumps(b["json"], ensure_ascii=False))
    return "\n".join(out)


def _tools(config: Any) -> list[dict[str, Any]] | None:
    if not isinstance(config, dict) or not isinstance(config.get("tools"), list):
        return None
    out = []
    for t in config["tools"]:
        spec = t.get("toolSpec") if isinstance(t, dict) else None
        if not isinstance(spec, dict):
            continue
        fn: dict[str, Any] = {"name": spec.get("name")}
        if "description" in spec:
            fn["description"] = spec["description"]
        schema = spec.get("inputSchema", {})
        if isinstance(schema, dict) and "json" in schema:
            fn["parameters"] = schema["json"]
        out.append({"type": "function", "function": fn})
    return out


@register_format(
    "bedrock",
    'Amazon Bedrock: {"schemaVersion": "bedrock-conversation-2024", "system": [{"text": ...}], '
    '"messages": [{"role": ..., "content": [{"text": ...}]}]}',
    detect=_detect,
    priority=5,
)
def adapt_bedrock(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    raw_messages = value.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        return load_error(
            "clean.missing_messages", "'messages' is missing, empty or not a list", loc
        )
    messages: list[Message] = []
    system = value.get("system")
    if isinstance(system, str) and system:
        messages.append(Message(role="system", content=system))
    elif isinstance(system, list) and system:
        texts = [text_part(str(b["text"])) for b in system if isinstance(b, dict) and "text" in b]
        messages.append(Message(role="system", content=content_from_parts(texts) or ""))
    for i, msg in enumerate(raw_messages, start=1):
        if not isinstance(msg, dict):
            return load_error("clean.invalid_message", f"message {i} is not an object", loc)
        role = msg.get("role")
        if not isinstance(role, str):
            return load_error("clean.missing_role", f"message {i} has no 'role'", loc)
        content = msg.get("content")
        if isinstance(content, str):
            messages.append(Message(role=role, content=content))
            continue
        if not isinstance(content, list) or not all(isinstance(b, dict) for b in content):
            return load_error(
                "clean.invalid_message", f"message {i} content is not a list of blocks", loc
            )
        body: list[ContentPart] = []
        calls: list[dict[str, Any]] = []
        for block in content:
            if "text" in block:
                body.append(text_part(str(block["text"])))
            elif "toolUse" in block and isinstance(block["toolUse"], dict):
                use = block["toolUse"]
                calls.append(
                    {
                        "id": str(use.get("toolUseId", f"call_{i}_{len(calls)}")),
                        "type": "function",
                        "function": {
                            "name": use.get("name"),
                            "arguments": arguments_text(use.get("input", {})),
                        },
                    }
                )
            elif "toolResult" in block and isinstance(block["toolResult"], dict):
                if body:
                    messages.append(Message(role=role, content=content_from_parts(body)))
                    body = []
                res = block["toolResult"]
                tool_id = res.get("toolUseId")
                messages.append(
                    Message(
                        role="tool",
                        content=_result_text(res.get("content", [])),
                        tool_call_id=str(tool_id) if tool_id is not None else None,
                    )
                )
            elif block:
                key = next(iter(block))
                body.append(raw_part(key, block[key]))
        if body or calls or not any("toolResult" in b for b in content):
            messages.append(
                Message(role=role, content=content_from_parts(body), tool_calls=calls or None)
            )
    metadata = {k: v for k, v in value.items() if k not in _TOP}
    return ChatExample(
        messages=with_system(messages, opts.system),
        tools=_tools(value.get("toolConfig")),
        metadata=metadata,
        location=loc,
    )

"""Gemini / Vertex AI tuning records: ``{"systemInstruction", "contents", "tools"?}``.

``contents`` is a list of ``{"role": "user"|"model", "parts": [...]}``. Parts: ``text``;
``functionCall {name, args}`` in model turns (args is an *object*); ``functionResponse
{name, response}`` in user (or ``function``) turns; ``inlineData {mimeType, data}`` and
``fileData {mimeType, fileUri}`` for media. Calls get OpenAI ids (Gemini's own ``id`` when
present) and each response is matched to the earliest unanswered call of the same name, so
the result is valid OpenAI tool-calling chat. Other parts are kept as typed content parts.
"""

from __future__ import annotations

from typing import Any

from ftprep.loaders.messages import load_error, parse_tools, with_system
from ftprep.loaders.parts import (
    arguments_text,
    content_from_parts,
    raw_part,
    result_text,
    text_part,
)
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import ChatExample, ContentPart, Example, LoadError, Message, SourceLocation

ROLES = {
    "user": "user",
    "model": "assistant",
    "function": "tool",
    "tool": "tool",
    "system": "system",
}
_TOP = ("contents", "systemInstruction", "system_instruction", "tools")


def _media(part: dict[str, Any]) -> ContentPart:
    if "inlineData" in part:
        data = part["inlineData"]
        mime = str(data.get("mimeType", ""))
        if mime.startswith("image/") and isinstance(data.get("data"), str):
            return ContentPart.model_validate(
                {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data['data']}"}}
            )
        return raw_part("inlineData", data)
    key = next(iter(part))
    return raw_part(key, part[key])


def _system(raw: Any, loc: SourceLocation) -> Message | LoadError | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Message(role="system", content=raw)
    parts = raw.get("parts") if isinstance(raw, dict) else None
    if not isinstance(parts, list):
        return load_error(
            "clean.invalid_message", "'systemInstruction' must be text or {parts: [...]}", loc
        )
    texts = [text_part(p["text"]) for p in parts if isinstance(p, dict) and "text" in p]
    return Message(role="system", content=content_from_parts(texts) or "")


def _tools(raw: Any, loc: SourceLocation) -> list[dict[str, Any]] | LoadError | None:
    tools = parse_tools(raw, loc)
    if not isinstance(tools, list):
        return tools
    out: list[dict[str, Any]] = []
    for tool in tools:
        decls = tool.get("functionDeclarations", tool.get("function_declarations"))
        if isinstance(decls, list):
            out += [{"type": "function", "function": d} for d in decls if isinstance(d, dict)]
        else:
            out.append(tool)
    return out


@register_format(
    "gemini",
    'Gemini / Vertex AI: {"systemInstruction": {...}, "contents": [{"role": "user"|"model", '
    '"parts": [...]}]}',
    detect=lambda v: isinstance(v, dict) and "contents" in v,
)
def adapt_gemini(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    contents = value.get("contents")
    if not isinstance(contents, list) or not contents:
        return load_error(
            "clean.missing_messages", "'contents' is missing, empty or not a list", loc
        )
    messages: list[Message] = []
    system = _system(value.get("systemInstruction", value.get("system_instruction")), loc)
    if isinstance(system, LoadError):
        return system
    if system is not None:
        messages.append(system)
    pending: dict[str, list[str]] = {}
    for i, content in enumerate(contents, start=1):
        if not isinstance(content, dict):
            return load_error("clean.invalid_message", f"content {i} is not an object", loc)
        parts = content.get("parts")
        if not isinstance(parts, list) or not all(isinstance(p, dict) and p for p in parts):
            return load_error(
                "clean.invalid_message", f"content {i} has no list of part objects", loc
            )
        role = content.get("role", "user")
        if not isinstance(role, str):
            return load_error("clean.missing_role", f"content {i} has a non-text role", loc)
        mapped = ROLES.get(role, role)
        if mapped == "assistant":
            body: list[ContentPart] = []
            calls: list[dict[str, Any]] = []
            for j, part in enumerate(parts):
                if "functionCall" in part:
                    call = part["functionCall"]
                    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                        return load_error(
                            "clean.invalid_message",
                            f"content {i}: functionCall without a name",
                            loc,
                        )
                    call_id = str(call.get("id") or f"call_{i}_{j}")
                    pending.setdefault(call["name"], []).append(call_id)
                    calls.append(
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {
                                "name": call["name"],
                                "arguments": arguments_text(call.get("args", {})),
                            },
                        }
                    )
                elif "text" in part:
                    body.append(text_part(str(part["text"])))
                else:
                    body.append(_media(part))
            messages.append(
                Message(
                    role="assistant", content=content_from_parts(body), tool_calls=calls or None
                )
            )
            continue
        segment: list[ContentPart] = []
        for part in parts:
            if "functionResponse" in part:
                if segment:
                    messages.append(Message(role=mapped, content=content_from_parts(segment)))
                    segment = []
                resp = part["functionResponse"]
                if not isinstance(resp, dict):
                    return load_error(
                        "clean.invalid_message", f"content {i}: malformed functionResponse", loc
                    )
                name = resp.get("name")
                queue = pending.get(name, []) if isinstance(name, str) else []
                answer_id: str | None = resp.get("id") or (queue.pop(0) if queue else None)
                if resp.get("id") and resp["id"] in queue:
                    queue.remove(resp["id"])
                messages.append(
                    Message(
                        role="tool",
                        content=result_text(resp.get("response", {})),
                        tool_call_id=str(answer_id) if answer_id else None,
                    )
                )
            elif "text" in part:
                segment.append(text_part(str(part["text"])))
            else:
                segment.append(_media(part))
        if segment:
            messages.append(
                Message(
                    role=mapped if mapped != "tool" else "user", content=content_from_parts(segment)
                )
            )
    tools = _tools(value.get("tools"), loc)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in _TOP}
    return ChatExample(
        messages=with_system(messages, opts.system),
        tools=tools or None,
        metadata=metadata,
        location=loc,
    )

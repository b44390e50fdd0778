"""Helpers shared by the loaders of block-structured formats (Gemini/Vertex, Bedrock)."""

from __future__ import annotations

import json
from typing import Any

from ftprep.schema import ContentPart

#: The key a tool result is wrapped under when a format needs an object (Gemini's
#: ``functionResponse.response``); unwrapped again on load, so text results round-trip.
RESULT_KEY = "content"


def content_from_parts(parts: list[ContentPart]) -> str | list[ContentPart] | None:
    """One text part becomes plain string content; anything else stays a part list."""
    if not parts:
        return None
    if len(parts) == 1 and parts[0].type == "text" and parts[0].text is not None:
        return parts[0].text
    return parts


def text_part(text: str) -> ContentPart:
    return ContentPart(type="text", text=text)


def raw_part(key: str, value: Any) -> ContentPart:
    """A part ftprep does not interpret, kept under its own key so nothing is lost."""
    return ContentPart.model_validate({"type": key, key: value})


def arguments_text(args: Any) -> str:
    """Tool-call arguments as OpenAI's JSON string (objects are encoded)."""
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


def result_text(response: Any) -> str:
    """A structured tool result as message text (``{"content": str}`` is unwrapped)."""
    if isinstance(response, dict) and set(response) == {RESULT_KEY}:
        inner = response[RESULT_KEY]
        if isinstance(inner, str):
            return inner
    if isinstance(response, str):
        return response
    return json.dumps(response, ensure_ascii=False)


def result_object(text: str) -> dict[str, Any]:
    """Message text as a structured tool result: a JSON object as is, else wrapped."""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and set(parsed) != {RESULT_KEY}:
        return parsed
    return {RESULT_KEY: text}


def arguments_object(args: Any) -> dict[str, Any] | None:
    """Tool-call arguments as an object (formats that store them parsed), None if not JSON."""
    if isinstance(args, dict):
        return args
    if isinstance(args, str):
        try:
            parsed = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None

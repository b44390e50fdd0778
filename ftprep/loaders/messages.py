"""Shared helpers for adapters: build validated messages, errors at a location."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from ftprep.loaders.exact import exact_messages, text_message
from ftprep.schema import LoadError, Message, SourceLocation

_MESSAGES: TypeAdapter[list[Message]] = TypeAdapter(list[Message])


def load_error(code: str, message: str, loc: SourceLocation) -> LoadError:
    return LoadError(code=code, message=message, location=loc)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def parse_messages(
    raw: Any, loc: SourceLocation, key: str = "messages"
) -> list[Message] | LoadError:
    """Validate a list of OpenAI-style message dicts.

    Returns a load error (code is a check id) for what cannot be represented: not a list,
    an empty list, a message that is not an object, a missing role, wrongly typed fields.
    Unknown roles and keys are kept for the checks to report.
    """
    if raw is None:
        return load_error("clean.missing_messages", f"no '{key}' list", loc)
    if not isinstance(raw, list):
        return load_error(
            "clean.missing_messages", f"'{key}' is a {type(raw).__name__}, not a list", loc
        )
    if not raw:
        return load_error("clean.missing_messages", f"'{key}' is empty", loc)
    exact = exact_messages(raw)  # messages that need no validation: most of them
    if exact is not None:
        return exact
    try:
        return _MESSAGES.validate_python(raw)  # one call for the whole list: the fast path
    except ValidationError:
        pass  # find the first bad message to say exactly what is wrong with it
    out: list[Message] = []
    for i, msg in enumerate(raw, start=1):
        if not isinstance(msg, dict):
            return load_error(
                "clean.invalid_message",
                f"message {i} is a {type(msg).__name__}, not an object",
                loc,
            )
        if not isinstance(msg.get("role"), str):
            return load_error(
                "clean.missing_role", f"message {i} has no 'role' (or it is not a string)", loc
            )
        try:
            out.append(Message.model_validate(msg))
        except ValidationError as exc:
            return load_error(
                "clean.invalid_message", f"message {i} ({msg['role']}): {_first_error(exc)}", loc
            )
    return out


def text_field(
    obj: dict[str, Any], key: str, loc: SourceLocation, required: bool = True
) -> str | LoadError | None:
    """A string field of a record; numbers are stringified, other types are an error."""
    value = obj.get(key)
    if value is None:
        if required:
            return load_error("clean.missing_field", f"missing field '{key}'", loc)
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return load_error(
            "clean.invalid_message", f"field '{key}' is a {type(value).__name__}, not text", loc
        )
    return value if isinstance(value, str) else str(value)


def with_system(messages: list[Message], system: str | None) -> list[Message]:
    """Prepend ``system`` unless the conversation already starts with a system message."""
    if system is None or (messages and messages[0].role in ("system", "developer")):
        return messages
    return [text_message("system", system), *messages]


def parse_tools(raw: Any, loc: SourceLocation) -> list[dict[str, Any]] | LoadError | None:
    """Validate a top-level ``tools`` list (a JSON string of one is accepted too)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        import json

        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError:
            return load_error("clean.invalid_message", "'tools' is a string that is not JSON", loc)
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        return load_error("clean.invalid_message", "'tools' must be a list of objects", loc)
    return raw


def openai_tools(tools: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Tool definitions in OpenAI's shape: bare ``{"name", ...}`` schemas (LLaMA-Factory,
    ShareGPT) are wrapped as ``{"type": "function", "function": {...}}``."""
    if not tools:
        return tools
    return [
        {"type": "function", "function": t} if "type" not in t and "name" in t else t for t in tools
    ]

"""OpenAI chat format: ``{"messages": [...], "tools": [...]}`` (also Azure OpenAI, Together,
Fireworks and TRL's conversational format)."""

from __future__ import annotations

from typing import Any

from ftprep.loaders.messages import load_error, parse_messages, parse_tools, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import ChatExample, Example, LoadError, SourceLocation

_KNOWN_TOP = {"messages", "tools", "parallel_tool_calls"}


@register_format(
    "chat",
    'OpenAI chat JSONL: {"messages": [{"role": ..., "content": ...}], "tools": [...]}',
    detect=lambda v: isinstance(v, dict) and "messages" in v,
)
def adapt_chat(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    if not isinstance(value, dict):
        return load_error(
            "clean.not_an_object",
            f"the record is a JSON {type(value).__name__}, not an object",
            loc,
        )
    messages = parse_messages(value.get("messages"), loc)
    if isinstance(messages, LoadError):
        return messages
    tools = parse_tools(value.get("tools"), loc)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in _KNOWN_TOP}
    return ChatExample(
        messages=with_system(messages, opts.system), tools=tools, metadata=metadata, location=loc
    )

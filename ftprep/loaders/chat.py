"""OpenAI chat format: ``{"messages": [...], "tools": [...]}`` (also Azure OpenAI, Together,
Fireworks, TRL's conversational format, axolotl's default and Mistral's finetuning format).

Mistral's aliases are accepted: ``interactions`` for ``messages``, ``available_tools`` for
``tools`` and ``text`` for a message's ``content``. ``parallel_tool_calls`` is kept in the
metadata so an OpenAI output can carry it again.
"""

from __future__ import annotations

from typing import Any

from ftprep.loaders.exact import (
    exact_chat,
    plain_chat,
    plain_chat_line,
    plain_messages,
)
from ftprep.loaders.messages import load_error, parse_messages, parse_tools, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import Example, LoadError, SourceLocation

_KNOWN_TOP = {"messages", "tools", "interactions", "available_tools"}


def _alias(value: dict[str, Any], key: str, alias: str, loc: SourceLocation) -> Any:
    if key in value and alias in value:
        return load_error(
            "clean.invalid_message",
            f"the record has both '{key}' and its alias '{alias}'; keep one",
            loc,
        )
    return value.get(key, value.get(alias))


def _content_alias(messages: Any) -> Any:
    """Mistral's ``text`` key as ``content`` (only where ``content`` is absent)."""
    if not isinstance(messages, list):
        return messages
    out = []
    for m in messages:
        if isinstance(m, dict) and "text" in m and "content" not in m:
            m = {("content" if k == "text" else k): v for k, v in m.items()}
        out.append(m)
    return out


def _plain(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | None:
    """What :func:`adapt_chat` returns for the commonest record, built straight: a
    ``messages`` list of ``{"role", "content"}`` turns with text content, string keys, no
    alias, no tools and no system prompt to add (where every step of the adapter keeps
    what it is given); None for any other record, which the adapter reads."""
    if (
        type(value) is not dict
        or opts.system is not None
        or type(loc) is not SourceLocation
        or "interactions" in value
        or "tools" in value
        or "available_tools" in value
    ):
        return None
    messages = plain_messages(value.get("messages"))
    if messages is None:
        return None
    metadata = {}
    if len(value) > 1:
        for key, item in value.items():
            if type(key) is not str:
                return None
            if key != "messages":
                metadata[key] = item
    return plain_chat(messages, metadata, loc)


#: Types of a top-level value that cannot hold what orjson reads differently from the
#: strict reader (an ``int`` from orjson is one that fits 64 bits; a float might not be).
_FLAT = frozenset({str, int, bool, type(None)})


def messages_only(value: Any, name: str, line: int, fmt: str, container: str) -> Example | None:
    """What loading a record with :func:`_plain` as its format's shortcut gives (origin
    set), for a record whose ``messages`` are ``{"role": str, "content": str | None}``
    turns and whose other keys (no alias, no tools) hold strings, integers, booleans or
    null, when no system prompt is added; None for any other record. Such a record holds
    no float and nests three levels deep, so a line orjson parsed to it needs none of the
    strict reader's further checks (no integer past 64 bits read as a float, no deep
    nesting): :func:`ftprep.loaders.record.load_records` asks this before making them."""
    if type(value) is not dict:
        return None
    metadata = {}
    if len(value) > 1:
        for key, item in value.items():
            if key == "messages":
                continue
            if type(item) not in _FLAT or type(key) is not str or key in _KNOWN_TOP:
                return None
            metadata[key] = item
    messages = plain_messages(value.get("messages"))
    if messages is None:
        return None
    return plain_chat_line(messages, metadata, name, line, value, fmt, container)


@register_format(
    "chat",
    'OpenAI chat JSONL: {"messages": [{"role": ..., "content": ...}], "tools": [...]}',
    detect=lambda v: isinstance(v, dict) and ("messages" in v or "interactions" in v),
    shortcut=_plain,
)
def adapt_chat(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    raw = _alias(value, "messages", "interactions", loc)
    if isinstance(raw, LoadError):
        return raw
    messages = parse_messages(_content_alias(raw), loc)
    if isinstance(messages, LoadError):
        return messages
    raw_tools = _alias(value, "tools", "available_tools", loc)
    if isinstance(raw_tools, LoadError):
        return raw_tools
    tools = parse_tools(raw_tools, loc)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in _KNOWN_TOP}
    return exact_chat(with_system(messages, opts.system), metadata, loc, tools)

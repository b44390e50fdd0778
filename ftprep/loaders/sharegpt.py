"""ShareGPT records: ``{"conversations": [{"from": ..., "value": ...}], "system"?, "tools"?}``.

Roles follow LLaMA-Factory's ShareGPT convention: human/user, gpt/assistant, system,
function_call (an assistant tool call whose value is ``{"name", "arguments"}`` JSON) and
observation (the tool's result). Tool calls become OpenAI ``tool_calls`` with generated
ids, and each observation answers the calls before it, so the normalized example is valid
OpenAI tool-calling chat.

LLaMA-Factory lets ``dataset_info.json`` rename the keys (``tags``): the turns may sit under
``messages`` instead of ``conversations``, and a turn may spell ``from``/``value`` as
``role``/``content`` (its documented OpenAI-style variant). Both spellings are read.
"""

from __future__ import annotations

import json
from typing import Any

from ftprep.loaders.exact import exact_chat, text_message
from ftprep.loaders.messages import load_error, openai_tools, parse_tools, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import Example, LoadError, Message, SourceLocation

ROLE_MAP = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "model": "assistant",
    "system": "system",
    "observation": "tool",
    "tool": "tool",
}


def _tool_calls(value: str, counter: int) -> list[dict[str, Any]] | None:
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    calls = parsed if isinstance(parsed, list) else [parsed]
    out = []
    for j, call in enumerate(calls):
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            return None
        args = call.get("arguments", {})
        out.append(
            {
                "id": f"call_{counter}_{j}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
        )
    return out


#: How LLaMA-Factory joins consecutive tool results into one observation turn.
OBSERVATION_SEPARATOR = "\n</tool_response>\n<tool_response>\n"


def turns_to_messages(
    turns: list[Any], loc: SourceLocation, pending: list[str] | None = None, start: int = 1
) -> tuple[list[Message], list[str]] | LoadError:
    """Convert ShareGPT turns to messages; returns them and the still-unanswered call ids.

    An ``observation`` answering several calls of one ``function_call`` turn may hold the
    results joined by LLaMA-Factory's separator; it is split back into one tool message each.
    """
    pending = list(pending or [])
    messages: list[Message] = []
    for i, turn in enumerate(turns, start=start):
        if not isinstance(turn, dict):
            return load_error("clean.invalid_message", f"turn {i} is not an object", loc)
        sender = turn.get("from", turn.get("role"))
        text = turn.get("value", turn.get("content"))
        if not isinstance(sender, str):
            return load_error("clean.missing_role", f"turn {i} has no 'from'", loc)
        if not isinstance(text, str):
            return load_error("clean.invalid_message", f"turn {i} has no text 'value'", loc)
        if sender == "function_call":
            calls = _tool_calls(text, i)
            if calls is None:
                return load_error(
                    "clean.invalid_message",
                    f'turn {i} (function_call) is not {{"name", "arguments"}} JSON',
                    loc,
                )
            messages.append(Message(role="assistant", content=None, tool_calls=calls))
            pending = [c["id"] for c in calls]
            continue
        role = ROLE_MAP.get(sender, sender)
        if role == "tool":
            parts = text.split(OBSERVATION_SEPARATOR) if len(pending) > 1 else [text]
            if len(parts) != len(pending):
                parts = [text]
            for part in parts:
                call_id = pending.pop(0) if pending else None
                messages.append(Message(role="tool", content=part, tool_call_id=call_id))
            continue
        messages.append(text_message(role, text))
    return messages, pending


def _turns_key(v: dict[str, Any]) -> str:
    """``conversations``, or ``messages`` when it holds ShareGPT ``from``/``value`` turns."""
    if "conversations" in v:
        return "conversations"
    msgs = v.get("messages")
    if isinstance(msgs, list) and msgs and isinstance(msgs[0], dict) and "from" in msgs[0]:
        return "messages"
    return "conversations"


@register_format(
    "sharegpt",
    'ShareGPT: {"conversations": [{"from": "human"|"gpt"|..., "value": ...}]}',
    detect=lambda v: isinstance(v, dict) and _turns_key(v) in v,
    priority=1,
)
def adapt_sharegpt(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    key = _turns_key(value)
    convs = value.get(key)
    if not isinstance(convs, list) or not convs:
        return load_error("clean.missing_messages", f"'{key}' is missing, empty or not a list", loc)
    messages: list[Message] = []
    system = value.get("system")
    if isinstance(system, str) and system:
        messages.append(text_message("system", system))
    converted = turns_to_messages(convs, loc)
    if isinstance(converted, LoadError):
        return converted
    messages += converted[0]
    tools = parse_tools(value.get("tools"), loc)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in (key, "system", "tools")}
    return exact_chat(
        with_system(messages, opts.system), metadata, loc, openai_tools(tools) or None
    )

"""Preference pairs (DPO): a prompt conversation, a preferred and a rejected reply.

Shapes read, each normalized to :class:`~ftprep.schema.PreferenceExample`:

- ``dpo`` — OpenAI / Azure / Together / Fireworks: ``{"input": {"messages", "tools"?},
  "preferred_output": [...], "non_preferred_output": [...]}``; the older
  ``preferred_completion`` / ``non_preferred_completion`` names are accepted.
- ``chat_preference`` — ``{"messages": [...], "chosen": ..., "rejected": ...}`` (axolotl's
  ``chat_template`` DPO shape).
- ``trl_preference`` — TRL's ``{"prompt", "chosen", "rejected"}`` (strings or message lists),
  and its implicit-prompt form ``{"chosen": [...], "rejected": [...]}`` where the shared
  leading messages are the prompt.
- ``sharegpt_preference`` — LLaMA-Factory ranking data: ``{"conversations": [...],
  "chosen": {"from": "gpt", ...}, "rejected": {...}}``.
- ``alpaca_preference`` — ``{"instruction", "input"?, "chosen", "rejected"}``.

A side may be a string (one assistant message), one message object or a list of messages.
These formats register with a higher priority than the SFT formats they extend, so a record
with ``chosen``/``rejected`` is never mistaken for plain chat.
"""

from __future__ import annotations

import json
from typing import Any

from ftprep.loaders.messages import (
    load_error,
    openai_tools,
    parse_messages,
    parse_tools,
    text_field,
    with_system,
)
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.loaders.sharegpt import turns_to_messages
from ftprep.schema import Example, LoadError, Message, PreferenceExample, SourceLocation

PRIORITY = 10
_PREFERRED = ("preferred_output", "preferred_completion")
_REJECTED = ("non_preferred_output", "non_preferred_completion")


def _side(raw: Any, loc: SourceLocation, key: str) -> list[Message] | LoadError:
    """One side of a pair: a string, a message object or a list of messages."""
    if raw is None:
        return load_error("clean.missing_field", f"missing field '{key}'", loc)
    if isinstance(raw, str):
        return [Message(role="assistant", content=raw)]
    if isinstance(raw, dict):
        raw = [raw]
    if isinstance(raw, list) and raw and all(isinstance(t, dict) and "from" in t for t in raw):
        converted = turns_to_messages(raw, loc, start=1000)
        return converted if isinstance(converted, LoadError) else converted[0]
    if isinstance(raw, list) and not raw:
        return []
    return parse_messages(raw, loc, key=key)


def _pair(
    prompt: list[Message],
    chosen: list[Message] | LoadError,
    rejected: list[Message] | LoadError,
    tools: Any,
    metadata: dict[str, Any],
    loc: SourceLocation,
    opts: LoadOptions,
) -> Example | LoadError:
    if isinstance(chosen, LoadError):
        return chosen
    if isinstance(rejected, LoadError):
        return rejected
    parsed_tools = parse_tools(tools, loc)
    if isinstance(parsed_tools, LoadError):
        return parsed_tools
    return PreferenceExample(
        input=with_system(prompt, opts.system),
        preferred=chosen,
        non_preferred=rejected,
        tools=openai_tools(parsed_tools) or None,
        metadata=metadata,
        location=loc,
    )


def _first(value: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    for k in keys:
        if k in value:
            return k, value[k]
    return keys[0], None


@register_format(
    "dpo",
    'OpenAI DPO: {"input": {"messages": [...]}, "preferred_output": [...], '
    '"non_preferred_output": [...]}',
    detect=lambda v: (
        isinstance(v, dict)
        and "input" in v
        and any(k in v for k in _PREFERRED)
        and any(k in v for k in _REJECTED)
    ),
    priority=PRIORITY,
)
def adapt_dpo(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    inp = value.get("input")
    tools = value.get("tools")
    metadata: dict[str, Any] = {}
    if isinstance(inp, dict):
        raw_messages = inp.get("messages")
        tools = inp.get("tools", tools)
        metadata.update({k: v for k, v in inp.items() if k not in ("messages", "tools")})
    elif isinstance(inp, str):
        raw_messages = [{"role": "user", "content": inp}]
    else:
        raw_messages = inp
    prompt = parse_messages(raw_messages, loc, key="input.messages")
    if isinstance(prompt, LoadError):
        return prompt
    pkey, preferred = _first(value, _PREFERRED)
    rkey, rejected = _first(value, _REJECTED)
    known = {"input", "tools", *_PREFERRED, *_REJECTED}
    metadata.update({k: v for k, v in value.items() if k not in known})
    return _pair(
        prompt,
        _side(preferred, loc, pkey),
        _side(rejected, loc, rkey),
        tools,
        metadata,
        loc,
        opts,
    )


@register_format(
    "chat_preference",
    'Messages plus a pair: {"messages": [...], "chosen": ..., "rejected": ...}',
    detect=lambda v: isinstance(v, dict) and "messages" in v and "chosen" in v and "rejected" in v,
    priority=PRIORITY,
)
def adapt_chat_preference(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    prompt = parse_messages(value.get("messages"), loc)
    if isinstance(prompt, LoadError):
        return prompt
    metadata = {
        k: v for k, v in value.items() if k not in ("messages", "chosen", "rejected", "tools")
    }
    return _pair(
        prompt,
        _side(value.get("chosen"), loc, "chosen"),
        _side(value.get("rejected"), loc, "rejected"),
        value.get("tools"),
        metadata,
        loc,
        opts,
    )


def _dump(m: Message) -> str:
    return json.dumps(m.model_dump(exclude_none=True), sort_keys=True, ensure_ascii=False)


@register_format(
    "trl_preference",
    'TRL preference: {"prompt": ..., "chosen": ..., "rejected": ...} or implicit '
    '{"chosen": [...], "rejected": [...]}',
    detect=lambda v: (
        isinstance(v, dict)
        and "chosen" in v
        and "rejected" in v
        and not ({"messages", "conversations", "instruction"} & set(v))
    ),
    priority=PRIORITY - 1,
)
def adapt_trl_preference(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    metadata = {
        k: v for k, v in value.items() if k not in ("prompt", "chosen", "rejected", "tools")
    }
    if "prompt" in value:
        raw = value["prompt"]
        if isinstance(raw, str):
            prompt: list[Message] | LoadError = [Message(role="user", content=raw)]
        else:
            prompt = parse_messages(raw, loc, key="prompt")
        if isinstance(prompt, LoadError):
            return prompt
        return _pair(
            prompt,
            _side(value.get("chosen"), loc, "chosen"),
            _side(value.get("rejected"), loc, "rejected"),
            value.get("tools"),
            metadata,
            loc,
            opts,
        )
    chosen = _side(value.get("chosen"), loc, "chosen")
    rejected = _side(value.get("rejected"), loc, "rejected")
    if isinstance(chosen, LoadError):
        return chosen
    if isinstance(rejected, LoadError):
        return rejected
    shared = 0
    while shared < min(len(chosen), len(rejected)) - 1 and _dump(chosen[shared]) == _dump(
        rejected[shared]
    ):
        shared += 1
    if shared == 0:
        return load_error(
            "clean.missing_field",
            "implicit-prompt pair without a shared prompt; add a 'prompt' field",
            loc,
        )
    return _pair(
        chosen[:shared], chosen[shared:], rejected[shared:], value.get("tools"), metadata, loc, opts
    )


@register_format(
    "sharegpt_preference",
    'ShareGPT ranking: {"conversations": [...], "chosen": {"from": "gpt", ...}, "rejected": {...}}',
    detect=lambda v: (
        isinstance(v, dict) and "conversations" in v and "chosen" in v and "rejected" in v
    ),
    priority=PRIORITY,
)
def adapt_sharegpt_preference(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    convs = value.get("conversations")
    if not isinstance(convs, list) or not convs:
        return load_error(
            "clean.missing_messages", "'conversations' is missing, empty or not a list", loc
        )
    prompt: list[Message] = []
    system = value.get("system")
    if isinstance(system, str) and system:
        prompt.append(Message(role="system", content=system))
    converted = turns_to_messages(convs, loc)
    if isinstance(converted, LoadError):
        return converted
    prompt += converted[0]
    metadata = {
        k: v
        for k, v in value.items()
        if k not in ("conversations", "chosen", "rejected", "system", "tools")
    }
    return _pair(
        prompt,
        _side(value.get("chosen"), loc, "chosen"),
        _side(value.get("rejected"), loc, "rejected"),
        value.get("tools"),
        metadata,
        loc,
        opts,
    )


@register_format(
    "alpaca_preference",
    'Alpaca ranking: {"instruction": ..., "input"?: ..., "chosen": ..., "rejected": ...}',
    detect=lambda v: (
        isinstance(v, dict) and "instruction" in v and "chosen" in v and "rejected" in v
    ),
    priority=PRIORITY,
)
def adapt_alpaca_preference(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    instruction = text_field(value, "instruction", loc)
    extra = text_field(value, "input", loc, required=False)
    system = text_field(value, "system", loc, required=False)
    for field in (instruction, extra, system):
        if isinstance(field, LoadError):
            return field
    prompt: list[Message] = []
    if system:
        prompt.append(Message(role="system", content=system))
    history = value.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(x, str) for x in p)
        for p in history
    ):
        return load_error(
            "clean.invalid_message", "'history' must be a list of [user, assistant] pairs", loc
        )
    for user, assistant in history:
        prompt += [Message(role="user", content=user), Message(role="assistant", content=assistant)]
    prompt.append(
        Message(role="user", content=f"{instruction}\n\n{extra}" if extra else instruction)
    )
    metadata = {
        k: v
        for k, v in value.items()
        if k not in ("instruction", "input", "chosen", "rejected", "system", "history")
    }
    return _pair(
        prompt,
        _side(value.get("chosen"), loc, "chosen"),
        _side(value.get("rejected"), loc, "rejected"),
        None,
        metadata,
        loc,
        opts,
    )

"""Prompt/completion records: ``{"prompt": ..., "completion": ...}``.

Both the legacy string form and TRL's conversational form (``prompt`` and ``completion`` as
lists of messages) are read.
"""

from __future__ import annotations

from typing import Any

from ftprep.loaders.exact import exact_chat, text_message
from ftprep.loaders.messages import parse_messages, parse_tools, text_field, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import ChatExample, Example, LoadError, Message, SourceLocation


@register_format(
    "prompt_completion",
    'Legacy completions: {"prompt": ..., "completion": ...}',
    detect=lambda v: isinstance(v, dict) and "prompt" in v and "completion" in v,
)
def adapt_prompt_completion(
    value: Any, loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    if isinstance(value.get("prompt"), list) or isinstance(value.get("completion"), list):
        return _conversational(value, loc, opts)
    prompt = text_field(value, "prompt", loc)
    completion = text_field(value, "completion", loc)
    if isinstance(prompt, LoadError):
        return prompt
    if isinstance(completion, LoadError):
        return completion
    messages = [text_message("user", prompt), text_message("assistant", completion)]
    metadata = {k: v for k, v in value.items() if k not in ("prompt", "completion")}
    return exact_chat(with_system(messages, opts.system), metadata, loc)


def _conversational(
    value: dict[str, Any], loc: SourceLocation, opts: LoadOptions
) -> Example | LoadError:
    """TRL conversational prompt-completion: two message lists joined into one chat."""
    prompt = value["prompt"]
    prompt_msgs = (
        [Message(role="user", content=prompt)]
        if isinstance(prompt, str)
        else parse_messages(prompt, loc, key="prompt")
    )
    if isinstance(prompt_msgs, LoadError):
        return prompt_msgs
    completion = value["completion"]
    completion_msgs = (
        [Message(role="assistant", content=completion)]
        if isinstance(completion, str)
        else parse_messages(completion, loc, key="completion")
    )
    if isinstance(completion_msgs, LoadError):
        return completion_msgs
    tools = parse_tools(value.get("tools"), loc)
    if isinstance(tools, LoadError):
        return tools
    metadata = {k: v for k, v in value.items() if k not in ("prompt", "completion", "tools")}
    return ChatExample(
        messages=with_system([*prompt_msgs, *completion_msgs], opts.system),
        tools=tools,
        metadata=metadata,
        location=loc,
    )

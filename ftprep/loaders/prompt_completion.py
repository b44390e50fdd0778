"""Legacy prompt/completion records: ``{"prompt": ..., "completion": ...}``."""

from __future__ import annotations

from typing import Any

from ftprep.loaders.messages import load_error, text_field, with_system
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
    if not isinstance(value, dict):
        return load_error(
            "clean.not_an_object",
            f"the record is a JSON {type(value).__name__}, not an object",
            loc,
        )
    prompt = text_field(value, "prompt", loc)
    completion = text_field(value, "completion", loc)
    if isinstance(prompt, LoadError):
        return prompt
    if isinstance(completion, LoadError):
        return completion
    messages = [Message(role="user", content=prompt), Message(role="assistant", content=completion)]
    metadata = {k: v for k, v in value.items() if k not in ("prompt", "completion")}
    return ChatExample(messages=with_system(messages, opts.system), metadata=metadata, location=loc)

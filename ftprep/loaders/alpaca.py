"""Alpaca records: ``instruction`` / ``input`` / ``output``, optional ``system`` and ``history``.

The user turn is the instruction followed by a blank line and the input (when non-empty),
the convention Alpaca's own prompt template and LLaMA-Factory use. ``history`` is a list of
``[user, assistant]`` pairs that precede the final turn.
"""

from __future__ import annotations

from typing import Any

from ftprep.loaders.exact import exact_chat, text_message
from ftprep.loaders.messages import load_error, text_field, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import Example, LoadError, Message, SourceLocation

_FIELDS = ("instruction", "input", "output", "system", "history")


@register_format(
    "alpaca",
    'Alpaca: {"instruction": ..., "input": ..., "output": ..., "system"?, "history"?}',
    detect=lambda v: isinstance(v, dict) and "instruction" in v and "output" in v,
)
def adapt_alpaca(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    instruction = text_field(value, "instruction", loc)
    extra = text_field(value, "input", loc, required=False)
    output = text_field(value, "output", loc)
    system = text_field(value, "system", loc, required=False)
    for field in (instruction, extra, output, system):
        if isinstance(field, LoadError):
            return field
    assert isinstance(instruction, str) and isinstance(output, str)  # required fields
    assert not isinstance(extra, LoadError) and not isinstance(system, LoadError)
    messages: list[Message] = []
    if system:
        messages.append(text_message("system", system))
    history = value.get("history") or []
    if not isinstance(history, list):
        return load_error(
            "clean.invalid_message", "'history' must be a list of [user, assistant] pairs", loc
        )
    for i, pair in enumerate(history, start=1):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(p, str) for p in pair)
        ):
            return load_error(
                "clean.invalid_message",
                f"history item {i} is not a [user, assistant] pair of strings",
                loc,
            )
        messages += [text_message("user", pair[0]), text_message("assistant", pair[1])]
    user = instruction if not extra else f"{instruction}\n\n{extra}"
    messages += [text_message("user", user), text_message("assistant", output)]
    metadata = {k: v for k, v in value.items() if k not in _FIELDS}
    return exact_chat(with_system(messages, opts.system), metadata, loc)

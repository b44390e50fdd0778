"""Safe remediations ``--fix`` may apply to an example it keeps.

Only changes that cannot alter what the example teaches: trimming whitespace around turns
and removing message keys the format does not allow. Anything that needs judgement
(contradictions, PII) is reported, never changed.
"""

from __future__ import annotations

from collections.abc import Callable

from ftprep.schema import KNOWN_MESSAGE_KEYS, ChatExample, Example, Message

FIXERS: dict[str, Callable[[Message], Message]] = {}


def fixer(name: str) -> Callable[[Callable[[Message], Message]], Callable[[Message], Message]]:
    def deco(fn: Callable[[Message], Message]) -> Callable[[Message], Message]:
        FIXERS[name] = fn
        return fn

    return deco


@fixer("trim")
def trim(m: Message) -> Message:
    """Strip leading and trailing whitespace from text content."""
    if isinstance(m.content, str):
        return m.model_copy(update={"content": m.content.strip()})
    return m


@fixer("strip_unknown_keys")
def strip_unknown_keys(m: Message) -> Message:
    """Remove message keys the chat format does not allow."""
    extra = {k: v for k, v in (m.model_extra or {}).items() if k in KNOWN_MESSAGE_KEYS}
    return Message.model_validate(
        {**m.model_dump(exclude_none=True, exclude=set(m.model_extra or {})), **extra}
    )


def apply_fixes(ex: Example, fixes: list[str]) -> Example:
    """The example with each named fix applied to every message (chat examples only)."""
    if not isinstance(ex, ChatExample) or not fixes:
        return ex
    messages = ex.messages
    for name in fixes:
        messages = [FIXERS[name](m) for m in messages]
    return ex.model_copy(update={"messages": messages})

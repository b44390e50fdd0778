"""Preference-pair checks: pairs a DPO trainer cannot learn from.

They run only on preference examples (``kinds=("preference",)``); the chat checks, which
assume one conversation ending in the answer, do not fit a prompt with two replies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ftprep.checks.base import CheckSettings, example_check
from ftprep.schema import Message, PreferenceExample


def _signature(messages: list[Message]) -> str:
    """What a reply says: roles, stripped text and tool calls (not ids or formatting)."""
    return json.dumps(
        [
            [
                m.role,
                m.text.strip(),
                [c.get("function") for c in m.tool_calls or []],
            ]
            for m in messages
        ],
        sort_keys=True,
        ensure_ascii=False,
    )


def _empty(messages: list[Message]) -> bool:
    return not any(m.text.strip() or m.tool_calls or m.function_call for m in messages)


@example_check(
    "clean.preference_identical",
    "clean",
    "error",
    "{count} preference pairs have identical chosen and rejected replies",
    fix="drop",
    kinds=("preference",),
)
def preference_identical(ex: PreferenceExample, settings: CheckSettings) -> Iterator[str]:
    """Chosen and rejected replies are the same.

    What: a pair whose preferred and non-preferred replies are equal after trimming whitespace
    (same roles, text and tool calls).
    Why: DPO learns from the difference between the two replies; identical replies contribute
    zero signal and usually mean a generation or export bug.
    Threshold: any pair whose sides are equal after trimming whitespace is reported.
    Fix: regenerate or re-rank the rejected reply, or drop the pair; `--fix` drops it.
    """
    same = _signature(ex.preferred) == _signature(ex.non_preferred)
    if ex.preferred and not _empty(ex.preferred) and same:
        yield "chosen and rejected are identical"


@example_check(
    "clean.preference_empty_side",
    "clean",
    "error",
    "{count} preference pairs have an empty chosen or rejected reply",
    fix="drop",
    kinds=("preference",),
)
def preference_empty_side(ex: PreferenceExample, settings: CheckSettings) -> Iterator[str]:
    """Chosen or rejected reply is missing or empty.

    What: a pair whose preferred or non-preferred side has no message, or only empty text
    and no tool call.
    Why: platforms reject empty outputs (OpenAI and Together require a content or tool call);
    a trainer given an empty side learns to prefer or avoid saying nothing.
    Threshold: any pair with an empty side is reported.
    Fix: fill in the missing reply or drop the pair; `--fix` drops it.
    """
    if _empty(ex.preferred):
        yield "the chosen (preferred) reply is empty"
    if _empty(ex.non_preferred):
        yield "the rejected (non-preferred) reply is empty"


@example_check(
    "clean.preference_prompt_ends_with_assistant",
    "clean",
    "error",
    "{count} preference pairs have a prompt that ends with an assistant turn",
    fix="drop",
    kinds=("preference",),
)
def preference_prompt_ends_with_assistant(
    ex: PreferenceExample, settings: CheckSettings
) -> Iterator[str]:
    """Prompt of a preference pair ends with an assistant turn.

    What: the last message of the pair's prompt (`input.messages`) is from the assistant.
    Why: the replies must answer the prompt; Together rejects such pairs ("The last message in
    the input conversation must not be from the assistant") and a DPO trainer would compare
    two second replies to an already-answered turn.
    Threshold: any such pair is reported.
    Fix: move the final assistant message into the chosen reply or remove it.
    """
    if ex.input and ex.input[-1].role == "assistant":
        yield f"prompt message {len(ex.input)} is an assistant turn"

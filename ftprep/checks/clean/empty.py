"""Empty turns: messages whose text is empty or only whitespace."""

from __future__ import annotations

from collections.abc import Iterator

from ftprep.checks.base import CheckSettings, example_check
from ftprep.checks.batch_view import BLANK, screened_by
from ftprep.schema import ChatExample


@example_check(
    "clean.empty_turn",
    "clean",
    "error",
    "{count} examples have an empty or whitespace-only turn",
    fix="drop",
    kinds=("chat", "text"),
)
def empty_turn(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Message is empty or whitespace only.

    What: a system, user or assistant message whose text is empty after trimming
    whitespace (assistant turns that only make tool calls, or only hold reasoning, are
    fine); for continued-pretraining files, an empty document.
    Why: an empty answer teaches the model to answer with nothing; an empty prompt teaches
    it to answer questions nobody asked. Usually an export bug or a failed generation.
    Threshold: any such turn.
    Fix: fill in or remove the turn, or drop the example; `--fix` drops it.
    """
    for i, m in enumerate(ex.messages, start=1):
        if m.content is None or m.tool_calls or m.function_call:
            continue
        if not m.text.strip() and not m.reasoning.strip():
            yield (
                "the document is empty" if ex.kind == "text" else f"message {i} ({m.role}) is empty"
            )


# Only a row with an empty or whitespace-only text can hold an empty turn.
screened_by("clean.empty_turn", BLANK)

"""Conversation shape: role order within an example, and turn counts against the set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from pydantic import Field

from ftprep.checks.base import (
    CheckResult,
    CheckSettings,
    DatasetContext,
    Flag,
    dataset_check,
    example_check,
)
from ftprep.checks.dataset import task_groups
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample

_SYSTEM = ("system", "developer")
_TOOL = ("tool", "function")


def role_problems(ex: ChatExample) -> list[str]:
    """What is wrong with the order of roles in ``ex`` (empty when the order is sound).

    Sound: optional system message first, then user and assistant alternating, starting
    with the user and ending with the assistant; tool/function results only right after an
    assistant turn that called a tool (or after another result).
    """
    problems: list[str] = []
    roles = [m.role for m in ex.messages]
    systems = [i for i, r in enumerate(roles) if r in _SYSTEM]
    if len(systems) > 1:
        problems.append(f"{len(systems)} system messages")
    if systems and systems[-1] >= len(systems):
        problems.append(f"system message at position {systems[-1] + 1}, after the dialogue began")
    prev: str | None = None
    called = False
    for i, m in enumerate(ex.messages, start=1):
        r = m.role
        if r in _SYSTEM:
            continue
        if r in _TOOL:
            if not called:
                problems.append(f"message {i} is a tool result without a preceding tool call")
                break
            prev = r
            continue
        if r not in ("user", "assistant"):
            continue
        if prev is None and r == "assistant":
            problems.append("the conversation starts with the assistant")
        elif prev == r:
            problems.append(f"messages {i - 1} and {i} are both {r} turns")
            break
        elif prev in _TOOL and r == "user":
            problems.append(f"message {i} follows a tool result without an assistant turn")
        called = r == "assistant" and bool(m.tool_calls or m.function_call)
        prev = r
    if roles and roles[-1] != "assistant":
        problems.append(f"ends with a {roles[-1]} turn, not the assistant's answer")
    return problems


@example_check(
    "consistent.role_order", "consistent", "warning", "{count} examples break the role order"
)
def role_order(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Conversation breaks the expected role order.

    What: several system messages, a system message after the dialogue began, a conversation
    that starts with the assistant, two user (or two assistant) turns in a row, a tool
    result without a tool call, and a conversation that ends with a user or tool turn
    instead of the assistant's answer.
    Why: chat templates and platforms assume alternation (Together and LLaMA-Factory reject
    other orders, mistral-finetune allows one system message and needs the assistant last);
    a trailing user turn trains nothing and usually means the answer was lost in export.
    Threshold: any break.
    Fix: merge consecutive turns of the same role, move the system prompt first, and make
    sure every conversation ends with the assistant turn you want to train on.
    """
    problems = role_problems(ex)
    if problems:
        yield "; ".join(problems)


@register_feature("shape", ("turns",))
def shape_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: the number of non-system messages."""
    return {
        "turns": np.fromiter(
            (sum(m.role not in _SYSTEM for m in ex.messages) for ex in batch),
            dtype=np.int32,
            count=len(batch),
        )
    }


class TurnCountSettings(CheckSettings):
    iqr_factor: float = Field(3.0, gt=0, description="outside Q1 − k·IQR … Q3 + k·IQR")
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


@dataset_check(
    "consistent.turn_count",
    "consistent",
    "warning",
    "{count} conversations have an unusual number of turns",
    settings=TurnCountSettings,
    needs=("shape", "system_prompt"),
)
def turn_count(ft: FeatureTable, settings: TurnCountSettings, ctx: DatasetContext) -> CheckResult:
    """Conversation has far more (or fewer) turns than the others.

    What: the number of non-system messages, against the interquartile range of the
    examples of the same task (same system prompt; the whole set when too few): outside
    [Q1 − k·IQR, Q3 + k·IQR], with an IQR of at least 1 turn.
    Why: a 40-turn chat in a set of single exchanges is usually a concatenation or export
    error, and it dominates the token budget; a lone single exchange in a multi-turn set
    trains a different behaviour.
    Threshold: `iqr_factor` 3 (deepchecks uses 2 for its outlier rule; turn counts are
    discrete, so ftprep is stricter), at least `min_examples` examples.
    Fix: check the flagged conversations for merged or split records.
    """
    turns = ft["turns"].astype(np.float64)
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group):
        if len(ref) < settings.min_examples:
            continue
        q1, med, q3 = np.percentile(turns[ref], [25, 50, 75])
        iqr = max(q3 - q1, 1.0)
        lo, hi = q1 - settings.iqr_factor * iqr, q3 + settings.iqr_factor * iqr
        for r in rows[(turns[rows] < lo) | (turns[rows] > hi)]:
            flags.append(Flag(int(r), f"{int(turns[r])} turns (typical: {med:g})"))
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags, metrics={"turns_median": float(np.median(turns)) if ft.n else 0}
    )

"""Conversation shape: role order within an example, and turn counts against the set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import add, methodcaller, sub

import numpy as np
from pydantic import Field

from ftprep.checks.base import (
    CheckResult,
    CheckSettings,
    DatasetContext,
    Flag,
    batch_form,
    dataset_check,
    example_check,
)
from ftprep.checks.batch_view import CheckBatch, Shape
from ftprep.checks.dataset import task_groups
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import batch_turns
from ftprep.wording import plural

_SYSTEM = ("system", "developer")
_TOOL = ("tool", "function")


def role_problems(ex: ChatExample) -> list[str]:
    """What is wrong with the order of roles in ``ex`` (empty when the order is sound).

    Sound: optional system message first, then user and assistant alternating, starting
    with the user and ending with the assistant; tool/function results only right after an
    assistant turn that called a tool (or after another result).
    """
    roles = tuple(m.role for m in ex.messages)
    called = tuple(bool(m.tool_calls or m.function_call) for m in ex.messages)
    return shape_problems(roles, called if any(called) else None)


def shape_problems(roles: tuple[str, ...], called: tuple[bool, ...] | None) -> list[str]:
    """:func:`role_problems` of a conversation with these ``roles``, whose messages call a
    tool where ``called`` says (None: none does): all the rule reads, so conversations of
    one shape (most of a dataset shares a few) are judged once."""
    problems: list[str] = []
    systems = [i for i, r in enumerate(roles) if r in _SYSTEM]
    if len(systems) > 1:
        problems.append(plural(len(systems), "system message"))
    if systems and systems[-1] >= len(systems):
        problems.append(f"system message at position {systems[-1] + 1}, after the dialogue began")
    prev: str | None = None
    made_call = False
    for i, r in enumerate(roles, start=1):
        if r in _SYSTEM:
            continue
        if r in _TOOL:
            if not made_call:
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
        made_call = r == "assistant" and called is not None and called[i - 1]
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


@batch_form("consistent.role_order")
def role_order_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``consistent.role_order`` judging each conversation shape of the batch once."""
    judged: dict[Shape, str] = {}
    for row in batch.rows(("chat",)):
        shape = batch.shape(row)
        detail = judged.get(shape)
        if detail is None:
            detail = judged[shape] = "; ".join(shape_problems(*shape))
        if detail:
            yield row, detail


@register_feature("shape", ("turns", "exchanges"))
def shape_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: the number of non-system messages, and of user turns (exchanges)."""
    roles = batch_turns(batch, ctx.batch).roles  # read once for the batch's extractors
    n = len(batch)
    systems = map(
        add,
        map(methodcaller("count", "system"), roles),
        map(methodcaller("count", "developer"), roles),
    )
    return {
        "turns": np.fromiter(map(sub, map(len, roles), systems), dtype=np.int32, count=n),
        "exchanges": np.fromiter(
            map(methodcaller("count", "user"), roles), dtype=np.int32, count=n
        ),
    }


class TurnCountSettings(CheckSettings):
    iqr_factor: float = Field(3.0, gt=0, description="outside Q1 − k·IQR … Q3 + k·IQR")
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


def contiguous_span(values: np.ndarray, centre: float) -> tuple[int, int]:
    """The run of consecutive populated values around ``centre``: (lowest, highest).

    Multi-turn chat has every length from one exchange up to its longest conversations; a
    concatenation error sits apart, past lengths no conversation has.
    """
    populated = set(np.unique(values).astype(int).tolist())
    start = max((v for v in populated if v <= centre), default=min(populated))
    low = high = start
    while high + 1 in populated:
        high += 1
    while low - 1 in populated:
        low -= 1
    return low, high


@dataset_check(
    "consistent.turn_count",
    "consistent",
    "warning",
    "{count} conversations have an unusual number of exchanges",
    settings=TurnCountSettings,
    needs=("shape", "system_prompt"),
)
def turn_count(ft: FeatureTable, settings: TurnCountSettings, ctx: DatasetContext) -> CheckResult:
    """Conversation has far more (or fewer) exchanges than the others, apart from them.

    What: the number of exchanges (user turns; tool calls and their results belong to an
    exchange, they are not extra turns) of each conversation, against the examples of the
    same task (same system prompt; the whole set when too few): outside
    [Q1 − k·IQR, Q3 + k·IQR] (an IQR of at least 1) *and* apart from the bulk — past the
    run of consecutive lengths that conversations around the median have. Multi-turn chat
    (ShareGPT) has every length from 1 exchange to its longest conversations, so its long
    conversations are data, not errors, and are not flagged; 9 exchanges in a set of 1 and 2
    are.
    Why: a 10-exchange chat in a set of single exchanges is usually a concatenation or
    export error, and it dominates the token budget; a lone single exchange in a set of
    fixed-length dialogues trains a different behaviour.
    Threshold: `iqr_factor` 3 (deepchecks uses 2 for its outlier rule; turn counts are
    discrete, so ftprep is stricter), at least `min_examples` examples.
    Fix: check the flagged conversations for merged or split records.
    """
    counts = ft["exchanges"].astype(np.float64)
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group):
        if len(ref) < settings.min_examples:
            continue
        q1, med, q3 = np.percentile(counts[ref], [25, 50, 75])
        iqr = max(q3 - q1, 1.0)
        lo, hi = q1 - settings.iqr_factor * iqr, q3 + settings.iqr_factor * iqr
        low, high = contiguous_span(counts[ref], med)
        apart = ((counts[rows] < lo) & (counts[rows] < low)) | (
            (counts[rows] > hi) & (counts[rows] > high)
        )
        for r in rows[apart]:
            flags.append(
                Flag(
                    int(r),
                    f"{int(counts[r])} exchanges (typical: {med:g}; the others have {low}–{high})",
                )
            )
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags,
        metrics={
            "turns_median": float(np.median(ft["turns"])) if ft.n else 0,
            "exchanges_median": float(np.median(counts)) if ft.n else 0,
        },
    )

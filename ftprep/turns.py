"""A batch's conversations as plain lists: each message's role, text and tool calls.

Feature extractors read every message of every example, a dozen of them in turn. Reading a
field of a pydantic model costs a few hundred nanoseconds on the thousands of cold
objects of a batch (measured: ~220 ns for ``role``, ~330 ns for ``text``, a property over
``content``), so a dozen extractors reading roles and texts paid more for the reads than
for some of their own work. :func:`batch_turns` copies them into plain lists once per
batch, in the batch memo (:func:`ftprep.features.batch_scope`: it lives exactly as long as
the batch and is never shared between batches or processes); extractors index them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ftprep.schema import ChatExample


@dataclass(frozen=True)
class Turns:
    """Per example of a batch (same order): its messages' roles, texts
    (:attr:`~ftprep.schema.Message.text`) and tool calls, and the index of its last
    assistant message (:attr:`~ftprep.schema.ChatExample.last_assistant_index`)."""

    roles: list[tuple[str, ...]]
    texts: list[tuple[str, ...]]
    calls: list[tuple[list[dict[str, Any]] | None, ...]]
    last: list[int | None]


#: Batch memo key: True when every message of the batch has text (or no) content and no
#: name, tool call, tool call id or weight: what the token counter asks before reading the
#: messages' fields itself (``tokens.counting``). Set by the checks' batch view, which
#: reads those fields of every message anyway (``checks.batch_view``).
TEXT_ONLY = "text_only"


def last_assistant(roles: tuple[str, ...]) -> int | None:
    """``last_assistant_index`` from the roles alone."""
    for i in range(len(roles) - 1, -1, -1):
        if roles[i] == "assistant":
            return i
    return None


def batch_turns(batch: Sequence[ChatExample], memo: dict[str, Any]) -> Turns:
    """The batch's :class:`Turns`, built by the first extractor that asks."""
    cached = memo.get("turns")
    if cached is None:
        roles: list[tuple[str, ...]] = []
        texts: list[tuple[str, ...]] = []
        calls: list[tuple[list[dict[str, Any]] | None, ...]] = []
        for ex in batch:
            r: list[str] = []
            t: list[str] = []
            c: list[list[dict[str, Any]] | None] = []
            for m in ex.messages:
                # one read of the model's field dict per message (pydantic keeps the
                # fields there), not three attribute reads and a property
                fields = m.__dict__
                r.append(fields["role"])
                content = fields["content"]
                t.append(content if content.__class__ is str else m.text)
                c.append(fields["tool_calls"])
            # tuples: the collector stops tracking a tuple of strings (or of Nones) once it
            # has seen it, where it would walk a list at every full collection for as long
            # as the batch lives (bench/profile_batch.py, where full collections walk the
            # whole file's examples: the extractors reading these ~112 -> ~96 us per example)
            roles.append(tuple(r))
            texts.append(tuple(t))
            calls.append(tuple(c))
        cached = memo["turns"] = Turns(roles, texts, calls, list(map(last_assistant, roles)))
    return cached


@dataclass(frozen=True)
class FlatTurns:
    """A batch's messages in one flat list, in order: each message's role and text, the
    example each belongs to (``owner``) and how many messages each example has
    (``counts``). Whole-batch operations (one join, one map over every text) read these
    instead of walking the examples' tuples."""

    roles: list[str]
    texts: list[str]
    owner: np.ndarray  # int64: the example of each message
    counts: np.ndarray  # int64: messages per example


def flat_turns(batch: Sequence[ChatExample], memo: dict[str, Any]) -> FlatTurns:
    """The batch's :class:`FlatTurns` (from :func:`batch_turns`), built once per batch."""
    cached = memo.get("flat_turns")
    if cached is None:
        turns = batch_turns(batch, memo)
        n = len(turns.roles)
        counts = np.fromiter(map(len, turns.roles), dtype=np.int64, count=n)
        cached = memo["flat_turns"] = FlatTurns(
            [r for each in turns.roles for r in each],
            [t for each in turns.texts for t in each],
            np.repeat(np.arange(n, dtype=np.int64), counts),
            counts,
        )
    return cached


#: Batch memo key of :func:`called_rows`.
CALLED_ROWS = "called_rows"


def called_rows(batch: Sequence[ChatExample], memo: dict[str, Any]) -> list[bool]:
    """Per example of the batch: does one of its messages carry ``tool_calls`` or a
    ``function_call``? Most examples call no tool, and an extractor looking for the first
    call then reads no message of theirs. ``checks.batch_view.CheckBatch`` publishes what
    it read of every message already; otherwise each message's two fields are read here
    (from the model's ``__dict__``, as :func:`batch_turns` reads)."""
    cached = memo.get(CALLED_ROWS)
    if cached is None:
        cached = memo[CALLED_ROWS] = [
            any(
                [bool(m.__dict__["tool_calls"] or m.__dict__["function_call"]) for m in ex.messages]
            )
            for ex in batch
        ]
    return cached

"""The ``answers`` extractor, read a column at a time from the batch's shared turns, gives
what the per-example loop gave (kept below as the reference), whether the check batch
published the turns and the tool-calling rows or the extractor read them itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.batch_view import CheckBatch
from ftprep.evaluation import tasks
from ftprep.features import FeatureContext, batch_scope
from ftprep.schema import ChatExample, Message, SourceLocation


def _answers_as_before(batch: Sequence[ChatExample]) -> dict[str, Any]:
    """The extractor as it was: one pass over each example's messages."""
    kinds = np.zeros(len(batch), dtype=np.int8)
    short = np.zeros(len(batch), dtype=bool)
    labels: list[str | None] = []
    tools: list[str | None] = []
    for i, ex in enumerate(batch):
        has_tool, name = tasks._tool_name(ex)
        tools.append(name)
        last = ex.last_assistant_index
        text = "" if last is None else ex.messages[last].text.strip()
        if has_tool:
            kinds[i] = tasks.TOOL_CALL
        elif last is None or not text:
            kinds[i] = tasks.NO_ANSWER
        elif tasks._is_json(text):
            kinds[i] = tasks.JSON_ANSWER
        if text and len(text) <= tasks.LABEL_CAP and "\n" not in text:
            short[i] = True
            labels.append(text)
        else:
            labels.append(None)
    return {"answer_kind": kinds, "answer_label": labels, "answer_short": short, "tool_name": tools}


_TEXTS = st.one_of(
    st.sampled_from(
        ["", " ", "yes", " no \n", "a\nb", '{"a": 1}', " [1, 2] ", "{bad", "[", "{}", "x" * 100,
         "y" * 101, " " + "z" * 100 + " ", "\u2003label\u2003", "[1]\n", "{\"k\": [}"]
    ),
    st.text(max_size=12),
)  # fmt: skip
_CALLS = st.one_of(
    st.none(),
    st.just([]),
    st.just([{"type": "function", "function": {"name": "lookup", "arguments": "{}"}}]),
    st.just([{"function": {"arguments": "{}"}}]),
    st.just([{"function": "not a dict"}]),
    st.just([{"id": "c1"}]),
)
_FUNCTION = st.one_of(st.none(), st.just({}), st.just({"name": "search"}), st.just({"name": 7}))
_MESSAGE = st.builds(
    lambda role, text, calls, function: Message(
        role=role, content=text, tool_calls=calls, function_call=function
    ),
    st.sampled_from(["system", "user", "assistant", "assistant", "tool"]),
    st.one_of(_TEXTS, st.none()),
    _CALLS,
    _FUNCTION,
)


def _batch(conversations: list[list[Message]]) -> list[ChatExample]:
    where = SourceLocation(source="x", line=1)
    return [ChatExample(messages=messages, location=where) for messages in conversations]


def _columns(batch: list[ChatExample], shared: bool) -> dict[str, Any]:
    with batch_scope() as memo:
        if shared:  # the check batch reads every message first and publishes what it read
            _ = CheckBatch(batch, batch).marks
            assert "turns" in memo and "called_rows" in memo
        return tasks.answers_feature(batch, FeatureContext(encoding=None, batch=memo))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_MESSAGE, min_size=1, max_size=5), max_size=8), st.booleans())
def test_answers_columns_are_the_per_example_loops(
    conversations: list[list[Message]], shared: bool
) -> None:
    batch = _batch(conversations)
    got = _columns(batch, shared)
    expected = _answers_as_before(batch)
    assert set(got) == set(expected)
    for name, value in expected.items():
        column = got[name]
        if isinstance(value, np.ndarray):
            assert isinstance(column, np.ndarray) and column.dtype == value.dtype, name
            assert np.array_equal(column, value), name
        else:
            assert column == value, name

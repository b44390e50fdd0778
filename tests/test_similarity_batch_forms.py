"""Batch forms of the near-duplicate preamble lines and of the text sample give each
example's values as the per-example rules did."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.features import FeatureContext, batch_scope
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.neardup import batch_preamble_lines, preamble_lines
from ftprep.similarity.normalize import hash64_array
from ftprep.similarity.textsample import (
    MAX_CHARS,
    final_answer,
    text_sample_feature,
    user_input,
)

_ROLES = ["system", "user", "user", "assistant", "tool"]
_LINES = ["Tools:", "search(q)", "", " ", "Who?", "\n", "\r\n", "\x0b", "\x1c", "\u2028",
          "\x85", "é", "x" * 30]  # fmt: skip
_TEXT = st.one_of(st.lists(st.sampled_from(_LINES), max_size=8).map("".join), st.text(max_size=20))
_CONVERSATIONS = st.lists(
    st.lists(st.tuples(st.sampled_from(_ROLES), _TEXT), min_size=1, max_size=5), max_size=6
)


@settings(max_examples=500, deadline=None)
@given(_CONVERSATIONS)
def test_batch_preamble_lines_are_each_examples(conversations: list[list[tuple[str, str]]]) -> None:
    roles = [tuple(r for r, _ in turns) for turns in conversations]
    texts = [tuple(t for _, t in turns) for turns in conversations]
    got = batch_preamble_lines(roles, texts)
    for i in range(len(conversations)):
        expected = preamble_lines(roles[i], texts[i])
        if expected is None:
            assert got[i] is None
        else:
            assert got[i] is not None and got[i].tolist() == expected.tolist()


def _sample_as_before(batch: list[ChatExample], limit: int) -> dict[str, object]:
    """The text sample's columns computed row by row, as the extractor did."""
    inputs = [
        user_input(ex.kind, [m.role for m in ex.messages], [m.text for m in ex.messages],
                   ex.last_assistant_index)
        for ex in batch
    ]  # fmt: skip
    prio = hash64_array(["sample\x1f" + t for t in inputs], len(batch))
    keep = np.ones(len(batch), dtype=bool)
    if len(batch) > limit:
        keep[:] = False
        keep[np.lexsort((np.arange(len(batch)), prio))[:limit]] = True
    col_in, col_ans = [], []
    for i, ex in enumerate(batch):
        texts = [m.text for m in ex.messages]
        kept = bool(keep[i])
        col_in.append(inputs[i][:MAX_CHARS] if kept else None)
        col_ans.append(final_answer(texts, ex.last_assistant_index)[:MAX_CHARS] if kept else None)
    return {"sample_priority": prio, "sample_input": col_in, "sample_answer": col_ans}


@settings(max_examples=300, deadline=None)
@given(
    _CONVERSATIONS,
    st.integers(1, 8),
    st.lists(st.text(max_size=1500), max_size=2),
)
def test_text_sample_is_the_per_row_rule(
    conversations: list[list[tuple[str, str]]], limit: int, documents: list[str]
) -> None:
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role=r, content=t) for r, t in turns], location=where)
        for turns in conversations
    ] + [
        ChatExample(kind="text", messages=[Message(role="assistant", content=d)], location=where)
        for d in documents
    ]
    config = SimpleNamespace(checks={"diverse.coverage": {"sample_size": limit}})
    with batch_scope() as memo:
        got = text_sample_feature(batch, FeatureContext(encoding=None, config=config, batch=memo))
    expected = _sample_as_before(batch, limit)
    assert np.array_equal(got["sample_priority"], expected["sample_priority"])
    assert got["sample_input"] == expected["sample_input"]
    assert got["sample_answer"] == expected["sample_answer"]


def test_the_line_break_screen_knows_every_break() -> None:
    """The screen's characters are exactly those ``str.splitlines`` breaks a line at."""
    from ftprep.similarity import neardup

    breaks = {chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) > 1}
    assert set(neardup._ALL_BREAKS) == breaks
    assert set(neardup._BREAKS) == {c for c in breaks if c.isascii()}


@given(st.lists(st.text(max_size=40), max_size=12))
def test_sample_priorities_are_the_prefixed_inputs_hashes(inputs: list[str]) -> None:
    """A row's priority is hash64 of "sample\\x1f" and its input, whatever the input holds
    (surrogates, other scripts): the prefix hashed once and copied gives the same."""
    from ftprep.similarity.normalize import hash64
    from ftprep.similarity.textsample import _priorities

    assert _priorities(inputs).tolist() == [hash64("sample\x1f" + t) for t in inputs]

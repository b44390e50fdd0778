"""The gathering step's bulk paths give what their row-at-a-time definitions give: coding a
list column, releasing rows of a coded column, interning labels up to the cap and keeping
the text sample, so the report cannot depend on which path ran."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep.evaluation.tasks as tasks
from ftprep.columns import GONE, NONE, Coded
from ftprep.config import Config
from ftprep.features import FeatureTable
from ftprep.similarity.textsample import _Sampler

WORDS = st.sampled_from(["a", "b", "yes", "no", "x" * 50])


def _slow_of(items: list) -> Coded:
    """Coded.of by its definition: a slot lookup per value."""
    out = Coded(np.zeros(0, dtype=np.int32), [])
    return Coded(np.asarray([out._code(v) for v in items], dtype=np.int32), out.values)


def _state(col: Coded) -> tuple:
    return col.codes.tolist(), [v if v is GONE else repr(v) for v in col.values], col._uses.tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(
        st.lists(st.one_of(st.none(), WORDS), max_size=40),
        st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=40),
        st.lists(st.one_of(st.none(), st.binary(max_size=2)), max_size=40),
        st.lists(st.one_of(st.none(), WORDS, st.integers(0, 2), st.booleans()), max_size=40),
        st.lists(st.none(), max_size=40),
        st.lists(
            st.one_of(st.none(), st.integers(0, 3).map(lambda k: np.arange(k, dtype=np.uint16))),
            max_size=40,
        ),
    )
)
def test_coding_a_list_in_bulk_gives_the_slots_of_one_lookup_per_value(items):
    fast, slow = Coded.of(items), _slow_of(items)
    assert _state(fast) == _state(slow)
    assert all(a is b for a, b in zip(fast.values, slow.values, strict=True))  # first objects


def test_mixed_types_equal_to_each_other_keep_their_own_slots():
    col = Coded.of([1, True, 1.0, "1", None, 1])
    assert list(col) == [1, True, 1.0, "1", None, 1]
    assert [type(v) for v in col] == [int, bool, float, str, type(None), int]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), WORDS), max_size=40), st.data())
def test_releasing_rows_in_bulk_equals_assigning_none_row_by_row(items, data):
    rows = data.draw(st.lists(st.integers(0, max(len(items) - 1, 0)), max_size=len(items)))
    rows = rows if items else []
    bulk, one = Coded.of(items), Coded.of(items)
    one._code("warm the index")  # a column whose lookup index exists drops released keys
    bulk._code("warm the index")
    for r in rows:
        one[r] = None
    bulk.release(np.asarray(rows, dtype=np.int64))
    assert _state(bulk) == _state(one)
    assert bulk._index == one._index
    mask = np.zeros(len(items), dtype=bool)
    mask[rows] = True
    masked = Coded.of(items)
    masked.release(mask)
    assert list(masked) == list(one)
    assert list(Coded.join([masked, bulk])) == list(one) * 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.one_of(st.none(), WORDS), st.one_of(st.none(), WORDS)), max_size=12),
        max_size=5,
    ),
    st.integers(0, 6),
)
def test_interning_coded_columns_caps_the_values_the_row_loop_caps(batches, cap):
    saved, tasks.INTERN_CAP = tasks.INTERN_CAP, cap  # hypothesis and fixtures do not mix
    try:
        _intern_both_ways(batches)
    finally:
        tasks.INTERN_CAP = saved


def _intern_both_ways(batches: list) -> None:
    coded, listed = tasks._InternAnswers(), tasks._InternAnswers()
    for batch in batches:
        tools = [t for t, _ in batch]
        labels = [lab for _, lab in batch]
        cols = {"tool_name": Coded.of(tools), "answer_label": Coded.of(labels)}
        coded.add(cols, 0)
        plain = {"tool_name": list(tools), "answer_label": list(labels)}
        listed.add(plain, 0)  # the row-at-a-time definition
        assert list(cols["tool_name"]) == plain["tool_name"]
        assert list(cols["answer_label"]) == plain["answer_label"]
    assert coded.interner.strings == listed.interner.strings


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=200), st.integers(1, 15), st.integers(1, 40))
def test_text_sample_on_coded_columns_keeps_what_it_keeps_on_lists(prios, limit, batch):
    config = Config(checks={"diverse.coverage": {"sample_size": limit}})
    on_coded, on_lists, trimmed = _Sampler(config), _Sampler(config), _Sampler(config)
    table, trimmed_table = FeatureTable(["x"]), FeatureTable(["x"])
    lists: list[dict] = []
    for start in range(0, len(prios), batch):
        part = prios[start : start + batch]
        cols = {
            "record": np.arange(start, start + len(part)),
            "sample_priority": np.asarray(part, dtype=np.uint64),
            "sample_input": [f"in{p}" for p in part],
            "sample_answer": [f"out{p % 3}" for p in part],
        }
        plain, early = copy.deepcopy(cols), copy.deepcopy(cols)
        table.append(cols)  # as the engine does: the gatherer sees the coded columns
        on_coded.add(cols, start)
        on_lists.add(plain, start)
        lists.append(plain)
        trimmed.trim(early)  # as the engine does too: what add would release, before coding
        trimmed_table.append(early)
        trimmed.add(early, start)
    table.finish()
    trimmed_table.finish()
    for key in ("sample_input", "sample_answer") if prios else ():
        assert list(table[key]) == [t for c in lists for t in c[key]]
        assert list(trimmed_table[key]) == list(table[key])
        assert trimmed_table[key].values == table[key].values  # the same slots
    assert on_coded.held == on_lists.held and on_coded.cutoff == on_lists.cutoff
    assert trimmed.held == on_coded.held and trimmed.cutoff == on_coded.cutoff


def _slow_join(chunks: list[Coded]) -> Coded:
    """Coded.join by its definition: a slot lookup per value still held, slot by slot."""
    out = Coded(np.zeros(0, dtype=np.int32), [])
    codes = []
    for chunk in chunks:
        held = sorted({c for c in chunk.codes.tolist() if c != NONE})
        remap = {c: out._code(chunk.values[c]) for c in held}
        codes += [remap.get(c, NONE) for c in chunk.codes.tolist()]
    return Coded(np.asarray(codes, dtype=np.int32), out.values)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.one_of(st.none(), WORDS, st.integers(0, 2), st.booleans()), max_size=12),
            st.lists(st.integers(0, 11), max_size=6),
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_joining_chunks_gives_the_slots_of_one_lookup_per_value(chunks, plain):
    coded = []
    for items, released in chunks:
        items = [v for v in items if isinstance(v, str)] if plain else items
        col = Coded.of(items)
        col.release(np.asarray([r for r in released if r < len(items)], dtype=np.int64))
        coded.append(col)
    joined, slow = Coded.join(coded), _slow_join(coded)
    assert joined.codes.tolist() == slow.codes.tolist()
    assert [repr(v) for v in joined.values] == [repr(v) for v in slow.values]
    assert all(a is b for a, b in zip(joined.values, slow.values, strict=True))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.one_of(st.none(), WORDS), st.integers(0, 5)), max_size=20),
        max_size=5,
    ),
    st.integers(1, 4),
)
def test_first_excerpts_on_coded_columns_keep_what_they_keep_on_lists(batches, cap):
    """The excerpt gatherer visits only the rows holding a text of a coded column; what it
    keeps is what the row loop over a list keeps (the first text of each key, up to the cap)."""
    from ftprep.features import FirstExcerpts

    on_coded, on_lists = FirstExcerpts("text", "key", cap), FirstExcerpts("text", "key", cap)
    for rows in batches:
        texts = [t for t, _ in rows]
        keys = np.asarray([k for _, k in rows], dtype=np.uint64)
        coded = {"text": Coded.of(texts), "key": keys}
        listed = {"text": list(texts), "key": keys}
        on_coded.add(coded, 0)
        on_lists.add(listed, 0)
        assert list(coded["text"]) == listed["text"]
    assert on_coded.seen == on_lists.seen

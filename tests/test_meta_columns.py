"""meta_columns (the batch's group, label and kind columns) against a per-example reference,
on batches with and without metadata (the no-metadata batch takes a whole-batch path)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.batch import meta_columns
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.normalize import hash64


def _reference(batch: list[ChatExample]) -> dict[str, Any]:
    """The columns read one example at a time, by the rules meta_columns states."""
    groups, labels = [], []
    for ex in batch:
        meta = ex.metadata
        g = meta.get("group", meta.get("conversation_id"))
        groups.append(0 if g is None else hash64(f"group:{g}") or 1)
        label = meta.get("label")
        kto = isinstance(label, bool) or "kto_tag" in meta
        labels.append(None if label is None or kto else str(label))
    return {"meta_group": groups, "meta_label": labels, "kind": [ex.kind for ex in batch]}


_meta = st.one_of(
    st.just({}),
    st.dictionaries(
        st.sampled_from(["group", "conversation_id", "label", "kto_tag", "id"]),
        st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3)),
        max_size=3,
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_meta, st.sampled_from(["chat", "text"])), min_size=0, max_size=6))
def test_meta_columns_equal_per_example_reading(rows: list[tuple[dict[str, Any], str]]) -> None:
    batch = [
        ChatExample(
            kind=kind,
            messages=[Message(role="assistant", content="a")],
            metadata=meta,
            location=SourceLocation(source="mem", line=i + 1),
        )
        for i, (meta, kind) in enumerate(rows)
    ]
    got = meta_columns(batch)
    want = _reference(batch)
    assert got["meta_group"].dtype == np.uint64
    assert got["meta_group"].tolist() == want["meta_group"]
    assert got["meta_label"] == want["meta_label"]
    assert got["kind"] == want["kind"]

"""The parent's shortcuts after the last batch give what the straightforward code gives:
a flag list already one per example in row order passes through ``one_per_example``
unchanged, a finding's location built without validation equals the validated model, and
the answers' content overlaps measured for many pairs at once are the pair-by-pair ones, and
the near-contradiction candidates' band orders are ``np.lexsort``'s."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ftprep.checks.base import Flag
from ftprep.checks.clean.answer_profile import content_overlap, content_overlaps
from ftprep.loaders.exact import exact_detailed_location
from ftprep.report.build import joined_by_row, one_per_example
from ftprep.schema import SourceLocation
from ftprep.similarity.minhash import EMPTY, neighbour_orders

TEXT = st.text(alphabet=st.sampled_from("aİıſK 1٣\u00a0\u3000中「」“”;,"), max_size=12)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), TEXT), st.booleans()), max_size=25),
    st.booleans(),
)
def test_one_per_example_matches_grouping(
    items: list[tuple[int, str | None, bool]], by_row: bool
) -> None:
    if by_row:  # the usual case: one flag per row, in row order
        items = sorted({row: (row, d, f) for row, d, f in items}.values())
    flags = [Flag(row, detail, fixable) for row, detail, fixable in items]
    assert one_per_example(flags) == joined_by_row(flags)


@given(TEXT, st.integers(0, 10**9), st.one_of(st.none(), TEXT))
def test_detailed_location_is_the_validated_model(
    source: str, line: int, detail: str | None
) -> None:
    built = exact_detailed_location(source, line, detail)
    valid = SourceLocation(source=source, line=line, detail=detail)
    assert built == valid
    assert built.model_fields_set == valid.model_fields_set
    assert built.model_dump_json() == valid.model_dump_json()
    assert hash(built) == hash(valid)


def test_detailed_location_validates_other_values() -> None:
    assert exact_detailed_location("a.jsonl", True, None) == SourceLocation(
        source="a.jsonl", line=True, detail=None
    )


@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.lists(st.sampled_from([0, 1, 2, 7, 0xFFFE, EMPTY]), min_size=64, max_size=64),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
)
def test_content_overlaps_match_pair_by_pair(
    rows: list[tuple[int, list[int]]], wanted: list[tuple[int, int]]
) -> None:
    ft = {
        "answer_words_n": np.array([n for n, _ in rows], dtype=np.int32),
        "answer_words_sig": np.array([sig for _, sig in rows], dtype=np.uint16),
    }
    pairs = np.array([(a % len(rows), b % len(rows)) for a, b in wanted], dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    expected = [content_overlap(ft, int(a), int(b)) for a, b in pairs]
    assert content_overlaps(ft, pairs) == expected


@given(
    st.integers(1, 3),
    st.integers(1, 300),
    st.integers(1, 6),
    st.integers(0, 2**32),
)
def test_neighbour_orders_are_lexsort(bands: int, n: int, distinct: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # few distinct hashes (LSH buckets: many ties), spread over the whole uint64 range
    pool = rng.integers(0, 2**64 - 1, size=distinct, dtype=np.uint64, endpoint=True)
    by_band = pool[rng.integers(0, distinct, size=(bands, n))]
    if seed % 4 == 0:  # values apart only in their low bits: the ranks cannot tell them
        by_band ^= rng.integers(0, 2, size=(bands, n), dtype=np.uint64)
    for b, order in enumerate(neighbour_orders(by_band)):
        expected = np.lexsort((by_band[(b + 1) % bands], by_band[b]))
        assert np.array_equal(order, expected)

"""The bounded text sample: at most `limit` texts held, the same bottom-k on every run."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.config import Config
from ftprep.features import FEATURES, FeatureContext, FeatureTable
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.normalize import hash64
from ftprep.similarity.textsample import MAX_CHARS, sample_rows, text_sample_feature


def _examples(texts):
    loc = SourceLocation(source="x", line=1)
    return [
        ChatExample(
            messages=[Message(role="user", content=t), Message(role="assistant", content="a")],
            location=loc,
        )
        for t in texts
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(max_size=30), max_size=300),
    st.integers(1, 40),
    st.integers(1, 50),
)
def test_sample_is_bounded_bottom_k(texts, limit, batch):
    config = Config(checks={"diverse.coverage": {"sample_size": limit}})
    ft = FeatureTable(["x"])
    gatherer = FEATURES["text_sample"].gather(config)
    peak = 0
    for i in range(0, len(texts), batch):
        # A fresh context per batch, as each batch may run in another process.
        cols = text_sample_feature(_examples(texts[i : i + batch]), FeatureContext(None, config))
        assert sum(t is not None for t in cols["sample_input"]) <= limit
        cols["record"] = np.arange(len(cols["sample_priority"]))
        gatherer.add(cols, ft.rows)
        ft.append(cols)
        peak = max(peak, gatherer.held)
    ft.finish()
    gatherer.finish(ft)
    assert peak <= 2 * limit + batch  # bounded by the limit, not the data
    rows = sample_rows(ft, limit)
    prio = [hash64("sample\x1f" + t) for t in texts]
    expected = sorted(sorted(range(len(texts)), key=lambda r: (prio[r], r))[:limit])
    assert rows.tolist() == expected
    assert [ft["sample_input"][r] for r in rows] == [texts[r][:MAX_CHARS] for r in rows]


def test_distinct_counts_are_np_uniques() -> None:
    """The sort-based distinct count (prompt hashes) and the count of the near-duplicate
    group labels (row numbers) give len(np.unique(...))."""
    from ftprep.checks.diverse import _distinct

    rng = np.random.default_rng(1)
    hashes = [
        np.zeros(0, dtype=np.uint64),
        np.array([7], dtype=np.uint64),
        rng.integers(0, 2**63, 5_000, dtype=np.uint64) * np.uint64(2),
        rng.integers(0, 40, 5_000).astype(np.uint64),
    ]
    for values in hashes:
        assert _distinct(values) == len(np.unique(values))
    labels = rng.integers(0, 3_000, 5_000)
    assert int(np.count_nonzero(np.bincount(labels))) == len(np.unique(labels))


def _gathered(texts, config, batch, lag, hinted):
    """The sample columns of ``texts`` gathered as the engine does (trim, append, add),
    each batch extracted with the hint its gatherer gave ``lag`` batches before (when
    ``hinted``), as a pool's read-ahead does."""
    ft = FeatureTable(["x"])
    gatherer = FEATURES["text_sample"].gather(config)
    hints: list[object] = []
    blanked = 0
    for i in range(0, len(texts), batch):
        hints.append(gatherer.hint())
        hint = hints[max(len(hints) - 1 - lag, 0)]
        given = {"text_sample": hint} if hinted and hint is not None else {}
        ctx = FeatureContext(None, config, hints=given)
        cols = text_sample_feature(_examples(texts[i : i + batch]), ctx)
        blanked += sum(t is None for t in cols["sample_input"])
        cols["record"] = np.arange(len(cols["sample_priority"]))
        gatherer.trim(cols)
        start = ft.rows
        ft.append(cols)
        gatherer.add(cols, start)
    ft.finish()
    gatherer.finish(ft)
    return ft, blanked


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text(max_size=12), min_size=1, max_size=300),
    st.integers(1, 30),
    st.integers(1, 40),
    st.integers(0, 5),
)
def test_hinted_extraction_gathers_the_same_table(texts, limit, batch, lag):
    """Texts the extractor leaves out on the gatherer's hint (read batches ahead) are
    exactly ones the gatherer would blank: the gathered columns are identical, codes and
    values, with or without hints (repeated texts included: they share slots)."""
    config = Config(checks={"diverse.coverage": {"sample_size": limit}})
    texts = texts + texts[: len(texts) // 3]  # equal texts, equal priorities: ties
    plain, _ = _gathered(texts, config, batch, lag, hinted=False)
    hinted, _ = _gathered(texts, config, batch, lag, hinted=True)
    for name in ("sample_priority", "sample_input", "sample_answer"):
        a, b = plain[name], hinted[name]
        if isinstance(a, np.ndarray):
            assert a.tolist() == b.tolist()
        else:
            assert a.codes.tolist() == b.codes.tolist() and a.values == b.values


def test_hints_leave_texts_out_past_the_cutoff() -> None:
    """Once the sample is full the extractor, hinted, sends fewer texts than it would."""
    config = Config(checks={"diverse.coverage": {"sample_size": 20}})
    texts = [f"text {i}" for i in range(400)]
    _, plain = _gathered(texts, config, 32, 2, hinted=False)
    _, hinted = _gathered(texts, config, 32, 2, hinted=True)
    assert hinted > plain + 100  # 263 vs 144

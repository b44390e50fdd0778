"""stats["distributions"]: the histogram and label counts the charts draw, from real runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.report.distributions import label_counts, nice_width, token_histogram
from ftprep.split.plan import DROPPED, TRAIN, VALIDATION
from tests import reports


def test_real_run_histogram_and_labels(tmp_path):
    report = reports.split_report(reports.write_defects(tmp_path / "d.jsonl"), tmp_path / "out")
    dist = report.stats["distributions"]
    tokens = dist["tokens"]
    assert tokens["limit"] == reports.TOKEN_LIMIT  # the check's override, not the model's
    assert tokens["over_limit"] == 1 == report.findings_for("clean.over_token_limit")[0].count
    assert sum(tokens["counts"]) == report.stats["examples"] == 199
    # The last bin holds exactly the examples over the limit.
    assert tokens["edges"][-2] == reports.TOKEN_LIMIT + 1
    assert tokens["counts"][-1] == 1
    assert tokens["max"] == report.stats["tokens"]["per_example"]["max"]
    labels = dist["labels"]
    assert sorted(labels["labels"]) == sorted(reports.LABELS)
    assert sum(labels["train"]) == report.split.train.examples
    assert sum(labels["validation"]) == report.split.validation.examples
    assert labels["dropped"] == [0, 0, 0]


def test_no_labels_no_label_section(tmp_path, write_jsonl):
    import ftprep
    from tests.conftest import varied_chats

    report = ftprep.validate(write_jsonl(varied_chats(120)))
    assert "labels" not in report.stats["distributions"]
    assert sum(report.stats["distributions"]["tokens"]["counts"]) == 120


def test_label_counts_per_side_and_other_bucket():
    labels = ["a", "b", None, "a", "c", "d"]
    sides = np.array([TRAIN, VALIDATION, TRAIN, DROPPED, TRAIN, TRAIN])
    out = label_counts(labels, sides, max_labels=2)
    assert out["labels"] == ["a", "(no label)"]
    assert out["train"] == [1, 1] and out["validation"] == [0, 0] and out["dropped"] == [1, 0]
    assert out["other"] == {"labels": 3, "train": 2, "validation": 1, "dropped": 0}
    assert out["distinct"] == 5
    assert label_counts([None, None], None) is None


def test_empty_histogram():
    assert token_histogram(np.zeros(0, dtype=np.int64), 100)["counts"] == []


def test_nice_width():
    assert [nice_width(s, 10) for s in (5, 10, 11, 25, 101, 4000)] == [1, 1, 2, 5, 20, 500]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=200_000), min_size=1, max_size=300),
    st.integers(min_value=1, max_value=150_000),
)
def test_histogram_invariants(values, limit):
    total = np.array(values, dtype=np.int64)
    h = token_histogram(total, limit)
    edges, counts = np.array(h["edges"]), np.array(h["counts"])
    assert len(edges) == len(counts) + 1 and np.all(np.diff(edges) > 0)
    assert counts.sum() == len(values)
    # Every value lies in the bin that counts it: edges[i] <= v < edges[i + 1].
    idx = np.searchsorted(edges, total, side="right") - 1
    assert np.array_equal(np.bincount(idx, minlength=len(counts)), counts)
    assert h["over_limit"] == int((total > limit).sum())
    if h["over_limit"]:
        assert edges[-2] == limit + 1 and counts[-1] == h["over_limit"]
    else:
        assert edges[-1] > total.max()

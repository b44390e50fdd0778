"""diverse.*: templated sets fail, varied sets pass; clusters, labels and sampling reported."""

from __future__ import annotations

import json

import pytest

import ftprep
from ftprep.api import make_config
from tests.conftest import chat, locations
from tests.textgen import templated_sets, varied_sets

TEMPLATED = templated_sets()
VARIED = varied_sets()


@pytest.mark.parametrize("name", sorted(TEMPLATED))
def test_templated_set_fails_diversity(write_jsonl, name):
    """Templated data gets the "templated" verdict, at warning severity: narrow data is not
    certainly harmful (identity sets are narrow by design), so it never gates alone."""
    report = ftprep.validate(write_jsonl(TEMPLATED[name]))
    assert report.checklist.diverse.status == "warn"
    assert report.checklist.diverse.metrics["diversity_verdict"] == "fail"
    [finding] = report.findings_for("diverse.coverage")
    assert finding.severity == "warning"
    assert finding.message.startswith("the inputs look templated")
    assert report.verdict != "ready"


def test_templated_verdict_can_be_raised_to_an_error(write_jsonl):
    name = sorted(TEMPLATED)[0]
    config = make_config(sets=["diverse.coverage.severity=error"])
    report = ftprep.validate(write_jsonl(TEMPLATED[name]), config=config)
    [finding] = report.findings_for("diverse.coverage")
    assert finding.severity == "error"
    assert report.verdict == "not_ready"


@pytest.mark.parametrize("name", sorted(VARIED))
def test_varied_set_passes_diversity(write_jsonl, name):
    report = ftprep.validate(write_jsonl(VARIED[name]))
    assert report.checklist.diverse.status == "pass"
    assert report.findings_for("diverse.coverage") == []
    div = report.stats["diversity"]
    assert div["distinct_2_inputs"] > 0.6 and div["compression_ratio"] > 0.3


def test_mixed_set_is_borderline(write_jsonl):
    """Half varied, half one template: borderline measures -> warn; a third passes; mostly
    template fails."""
    verdicts = {}
    for k in (60, 120, 250):
        records = VARIED["instructions"] + TEMPLATED["emails"][:k]
        report = ftprep.validate(write_jsonl(records, f"mix{k}.jsonl"))
        verdicts[k] = report.checklist.diverse.status
    assert verdicts == {60: "pass", 120: "warn", 250: "warn"}
    report = ftprep.validate(write_jsonl(VARIED["instructions"] + TEMPLATED["emails"][:250]))
    assert report.checklist.diverse.metrics["diversity_verdict"] == "fail"
    records = VARIED["instructions"] + TEMPLATED["emails"][:120]
    report = ftprep.validate(write_jsonl(records))
    assert report.checklist.diverse.metrics["diversity_verdict"] == "warn"
    assert report.checklist.diverse.status == "warn"


def test_diversity_stats_clusters_sorted_and_deterministic(write_jsonl):
    path = write_jsonl(VARIED["instructions"])
    first = ftprep.validate(path).stats["diversity"]
    second = ftprep.validate(path).stats["diversity"]
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    clusters = first["clusters"]
    assert len(clusters) == first["cluster_count"] >= 2
    assert sum(c["size"] for c in clusters) == first["sample_size"] == 113
    keys = [(-c["size"], c["name"]) for c in clusters]
    assert keys == sorted(keys)
    assert all(isinstance(c["name"], str) and c["name"] for c in clusters)
    assert first["sampled"] is False


def test_large_data_is_sampled_and_says_so(write_jsonl):
    records = TEMPLATED["tickets"]
    report = ftprep.validate(write_jsonl(records), sets=["diverse.coverage.sample_size=150"])
    div = report.stats["diversity"]
    assert div["sampled"] is True and div["sample_size"] == 150
    assert report.checklist.diverse.metrics["sampled"] is True
    assert sum(c["size"] for c in div["clusters"]) == 150
    assert "sample of 150" in report.checklist.diverse.summary


def test_cluster_balance_warns_when_one_topic_dominates(write_jsonl):
    report = ftprep.validate(
        write_jsonl(VARIED["instructions"]),
        sets=["diverse.cluster_balance.min_examples=50", "diverse.cluster_balance.max_share=0.3"],
    )
    [finding] = report.findings_for("diverse.cluster_balance")
    assert finding.severity == "warning"
    share = report.stats["diversity"]["largest_cluster_share"]
    assert share > 0.3


def test_label_balance_lists_every_example_of_rare_labels(write_jsonl):
    users = [r["messages"][0]["content"] for r in VARIED["instructions"]]
    labels = ["billing"] * 60 + ["technical"] * 45 + ["legal"] * 5 + ["other"] * 3
    records = [chat(u, lab) for u, lab in zip(users, labels, strict=True)]
    report = ftprep.validate(write_jsonl(records))
    lines = locations(report, "diverse.label_balance")
    assert lines == list(range(106, 114))  # the 5 legal + 3 other examples
    div = report.stats["diversity"]["labels"]
    assert div["source"] == "answers"
    assert div["counts"] == {"billing": 60, "technical": 45, "legal": 5, "other": 3}


def test_metadata_labels_win_over_answers(write_jsonl):
    users = [r["messages"][0]["content"] for r in VARIED["instructions"]]
    records = [{**chat(u, "short"), "label": "a" if i % 2 else "b"} for i, u in enumerate(users)]
    report = ftprep.validate(write_jsonl(records))
    labels = report.stats["diversity"]["labels"]
    assert labels["source"] == "metadata"
    assert labels["counts"] == {"b": 57, "a": 56}


def test_too_few_examples_skip_the_verdict(write_jsonl):
    report = ftprep.validate(write_jsonl(VARIED["instructions"][:10]))
    assert report.findings_for("diverse.coverage") == []
    assert report.checklist.diverse.status in ("skipped", "pass")

"""validate TRAIN --validation VAL: leakage with both lines, size ratio, drift."""

from __future__ import annotations

import json
import random

import ftprep
from tests.conftest import chat
from tests.textgen import varied_pairs, word_text

PAIRS = varied_pairs()


def _split_files(write_jsonl):
    """Train: pairs 0-89. Validation line 1 copies train line 6 (case/spacing changed),
    line 3 near-duplicates train line 13 (one word changed), line 4 reuses train line 21's
    input with another answer; the rest are new."""
    train = [chat(u, a) for u, a in PAIRS[:90]]
    u5, a5 = PAIRS[5]
    u12, a12 = PAIRS[12]
    u20, _ = PAIRS[20]
    val = [
        chat("  " + u5.upper() + " ", a5.upper()),
        chat(*PAIRS[95]),
        chat(u12.replace("walk", "stroll") if "walk" in u12 else u12 + " Thanks", a12),
        chat(u20, "A completely different answer to the same question."),
        *[chat(u, a) for u, a in PAIRS[96:113]],
    ]
    return write_jsonl(train, "train.jsonl"), write_jsonl(val, "val.jsonl")


def test_exact_and_near_leaks_are_listed_with_both_lines(write_jsonl):
    train, val = _split_files(write_jsonl)
    report = ftprep.validate(train, validation=val)
    [exact] = report.findings_for("split.leakage_exact")
    assert exact.severity == "error"
    got = [(loc.source.rsplit("/", 1)[-1], loc.line) for loc in exact.locations]
    assert got == [("val.jsonl", 1), ("train.jsonl", 6), ("val.jsonl", 4), ("train.jsonl", 21)]
    assert exact.locations[0].detail.endswith("train.jsonl:6 (train)")
    [near] = report.findings_for("split.leakage_near")
    got = [(loc.source.rsplit("/", 1)[-1], loc.line) for loc in near.locations]
    assert got == [("val.jsonl", 3), ("train.jsonl", 13)]
    assert report.checklist.split.status == "fail"
    assert report.split.details["existing_split"] is True
    assert report.split.details["leakage"]["exact"] == 2
    assert report.split.details["leakage"]["near"] == 1
    assert (report.split.train.examples, report.split.validation.examples) == (90, 21)
    assert report.split.details["validation_files"][0].endswith("val.jsonl")


def test_clean_existing_split_has_no_leak_findings(write_jsonl):
    train = write_jsonl([chat(u, a) for u, a in PAIRS[:95]], "train.jsonl")
    val = write_jsonl([chat(u, a) for u, a in PAIRS[95:]], "val.jsonl")
    report = ftprep.validate(train, validation=val)
    for check in ("split.leakage_exact", "split.leakage_near", "split.size_ratio"):
        assert report.findings_for(check) == []
    m = report.checklist.split.metrics
    assert m["leaked_exact"] == 0 and m["leaked_near"] == 0
    assert m["validation_share"] == round(18 / 113, 4)


def test_size_ratio_warns_for_a_lopsided_split(write_jsonl):
    train = write_jsonl([chat(u, a) for u, a in PAIRS[:60]], "train.jsonl")
    val = write_jsonl([chat(u, a) for u, a in PAIRS[60:]], "val.jsonl")
    report = ftprep.validate(train, validation=val)
    [finding] = report.findings_for("split.size_ratio")
    assert finding.severity == "warning"
    assert report.checklist.split.metrics["validation_share"] == round(53 / 113, 4)


def test_label_drift_and_unseen_labels(write_jsonl):
    rng = random.Random(5)
    train = [chat(word_text(rng), "spam" if i % 2 else "ham") for i in range(200)]
    val = [chat(word_text(rng), "spam" if i % 10 else "ham") for i in range(38)]
    val += [chat(word_text(rng), "phishing") for _ in range(2)]
    report = ftprep.validate(
        write_jsonl(train, "train.jsonl"), validation=write_jsonl(val, "val.jsonl")
    )
    [drift] = report.findings_for("split.label_drift")
    assert "phishing" in drift.message
    m = report.checklist.split.metrics
    assert m["drift_by"] == "label"
    assert m["max_drift"] == round(abs(0.5 - 34 / 38), 4)


def test_cli_validation_option(write_jsonl, cli):
    train, val = _split_files(write_jsonl)
    result = cli("validate", train, "--validation", val, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    checks = {f["check"] for f in report["findings"]}
    assert {"split.leakage_exact", "split.leakage_near"} <= checks


def test_missing_validation_file_is_a_usage_error(write_jsonl, cli, tmp_path):
    train, _ = _split_files(write_jsonl)
    result = cli("validate", train, "--validation", tmp_path / "nope.jsonl")
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr

"""evaluated.metric: task inference, proposed/declared metrics, majority baseline, status."""

from __future__ import annotations

import json
import random

import pytest

import ftprep
from tests.conftest import chat
from tests.textgen import varied_pairs, word_text


def _classification(n: int = 600) -> list[dict]:
    rng = random.Random(2)
    labels = ["positive"] * 360 + ["negative"] * 180 + ["neutral"] * (n - 540)
    rng.shuffle(labels)
    return [chat(word_text(rng), label) for label in labels]


def _extraction(n: int = 600) -> list[dict]:
    rng = random.Random(4)
    return [
        chat(
            f"Extract the parties: {word_text(rng)}",
            json.dumps({"buyer": rng.choice(["Acme", "Globex"]), "amount": rng.randint(1, 999)}),
        )
        for _ in range(n)
    ]


def _tool_calls(n: int = 600) -> list[dict]:
    rng = random.Random(6)
    out = []
    for i in range(n):
        name = "get_weather" if i % 3 else "book_table"
        call = {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps({"q": word_text(rng, 3)})},
        }
        out.append(
            {
                "messages": [
                    {"role": "user", "content": word_text(rng)},
                    {"role": "assistant", "content": None, "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": f"call_{i}", "content": "ok"},
                    {"role": "assistant", "content": "Done: " + word_text(rng, 5)},
                ]
            }
        )
    return out


@pytest.mark.parametrize(
    ("records", "task", "proposed"),
    [
        (_classification(), "classification", ["accuracy", "macro_f1"]),
        (_extraction(), "extraction", ["json_validity", "field_f1"]),
        (_tool_calls(), "tool_calling", ["tool_name_match", "tool_args_match"]),
    ],
)
def test_inferable_tasks_pass_with_a_proposed_metric(write_jsonl, records, task, proposed):
    report = ftprep.validate(write_jsonl(records))
    item = report.checklist.evaluated
    assert item.metrics["task"] == task
    assert item.metrics["proposed_metrics"] == proposed
    assert item.status == "pass", item.summary
    assert report.findings_for("evaluated.metric") == []


def test_majority_baseline_on_the_validation_set(write_jsonl, tmp_path):
    report = ftprep.split(write_jsonl(_classification()), tmp_path / "out")
    val = [json.loads(x) for x in (tmp_path / "out/validation.jsonl").read_text().splitlines()]
    expected = sum(r["messages"][-1]["content"] == "positive" for r in val) / len(val)
    baseline = report.checklist.evaluated.metrics["baseline"]
    assert baseline["label"] == "positive"
    assert baseline["accuracy"] == round(expected, 4)
    assert baseline["macro_f1"] == round(2 * expected / (1 + expected) / 3, 4)


def test_tool_calling_baseline_is_the_most_common_tool(write_jsonl):
    report = ftprep.validate(write_jsonl(_tool_calls()))
    baseline = report.checklist.evaluated.metrics["baseline"]
    assert baseline["kind"] == "majority_tool" and baseline["label"] == "get_weather"


def test_free_form_generation_warns_until_a_metric_is_declared(write_jsonl, cli):
    rng = random.Random(9)
    records = [chat(word_text(rng), word_text(rng, 30)) for _ in range(600)]
    path = write_jsonl(records)
    report = ftprep.validate(path)
    assert report.checklist.evaluated.metrics["task"] == "generation"
    assert report.checklist.evaluated.status == "warn"
    [finding] = report.findings_for("evaluated.metric")
    assert "declared metric" in finding.message
    result = cli("validate", path, "--metric", "rubric", "--json")
    declared = json.loads(result.stdout)["checklist"]["evaluated"]
    assert declared["status"] == "pass"
    assert declared["metrics"]["declared_metrics"] == ["rubric"]


def test_metric_from_config_file(write_jsonl, tmp_path):
    rng = random.Random(9)
    path = write_jsonl([chat(word_text(rng), word_text(rng, 30)) for _ in range(600)])
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text('metric = "rouge_l, our_eval_suite"\n')
    report = ftprep.validate(path, config=cfg)
    m = report.checklist.evaluated.metrics
    assert m["declared_metrics"] == ["rouge_l", "our_eval_suite"]
    assert m["custom_metrics"] == ["our_eval_suite"]
    assert report.checklist.evaluated.status == "pass"


def test_mismatched_declared_metric_warns(write_jsonl):
    report = ftprep.validate(write_jsonl(_classification()), metric="tool_args_match")
    [finding] = report.findings_for("evaluated.metric")
    assert "does not fit classification" in finding.message


def test_small_validation_set_warns(write_jsonl):
    records = [chat(u, a) for u, a in varied_pairs()]
    report = ftprep.validate(write_jsonl(records), metric="rubric")
    assert report.checklist.evaluated.status == "warn"
    [finding] = report.findings_for("evaluated.metric")
    assert "validation set (11 < 50" in finding.message


def test_rare_label_in_validation_warns(write_jsonl):
    rng = random.Random(1)
    labels = ["a"] * 300 + ["b"] * 290 + ["c"] * 10
    records = [chat(word_text(rng), lab) for lab in labels]
    report = ftprep.validate(write_jsonl(records), sets=["evaluated.metric.min_per_label=3"])
    m = report.checklist.evaluated.metrics
    assert m["labels_below_min_in_validation"] == ["c"]
    assert report.checklist.evaluated.status == "warn"


def test_long_answers_are_not_classification(write_jsonl):
    rng = random.Random(3)
    long_label = "x" * 41
    records = [chat(word_text(rng), long_label if i % 2 else "short") for i in range(300)]
    report = ftprep.validate(write_jsonl(records))
    assert report.checklist.evaluated.metrics["task"] == "generation"
    report = ftprep.validate(write_jsonl(records), sets=["evaluated.metric.max_label_chars=60"])
    assert report.checklist.evaluated.metrics["task"] == "classification"


def test_the_metric_shares_the_runs_task_inference(write_jsonl, tmp_path):
    """evaluated.metric reads the task inferred once per run (the split's strata and the
    diverse checks ask with the same thresholds), configured thresholds included."""
    from ftprep.api import make_config
    from ftprep.engine import analyze

    path = write_jsonl(_classification())
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text('[checks."evaluated.metric"]\nmax_labels = 20\nmin_validation = 10\n')
    analysis = analyze([path], make_config(cfg), jobs=1)
    assert len(analysis.features.derived.tasks) == 1
    [task] = analysis.features.derived.tasks.values()
    assert task.task == "classification"
    assert analysis.results["evaluated.metric"].metrics["task"] == "classification"

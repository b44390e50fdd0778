"""``ftprep evaluate``: scores, intervals, pairing and reports, on files on disk."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

import ftprep
from ftprep.errors import FtprepError
from ftprep.evaluation.predictions import _prediction
from ftprep.evaluation.result import EvaluationReport
from tests.conftest import chat

REPO = Path(__file__).resolve().parent.parent
LABELS = ["billing", "shipping", "returns", "technical"]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def labelled(tmp_path: Path, n: int = 200, seed: int = 0) -> tuple[Path, Path, list[str]]:
    """A validation and a training file of a 4-label ticket classifier."""
    rng = random.Random(seed)
    gold = [LABELS[min(int(rng.random() ** 1.6 * 4), 3)] for _ in range(n)]
    val = [
        chat(f"Ticket {i}: my {g} question number {i}", g, "Route the ticket.")
        for i, g in enumerate(gold)
    ]
    train = [chat(f"Train ticket {i}", LABELS[i % 7 % 4], "Route the ticket.") for i in range(300)]
    return (
        write_jsonl(tmp_path / "val.jsonl", val),
        write_jsonl(tmp_path / "train.jsonl", train),
        gold,
    )


def predictions(gold: list[str], accuracy: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [g if rng.random() < accuracy else rng.choice(LABELS) for g in gold]


def test_classification_base_vs_finetuned_cli(tmp_path: Path, cli: Any) -> None:
    val, train, gold = labelled(tmp_path)
    base = predictions(gold, 0.35, 1)
    tuned = predictions(gold, 0.9, 2)
    write_jsonl(tmp_path / "base.jsonl", [{"prediction": p} for p in base])
    write_jsonl(tmp_path / "tuned.jsonl", [{"prediction": p} for p in tuned])
    result = cli(
        "evaluate",
        str(val),
        str(tmp_path / "base.jsonl"),
        str(tmp_path / "tuned.jsonl"),
        "--train",
        str(train),
        "--json",
        "--fail-unless-better",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["task"] == "classification"
    assert report["primary"] == "macro_f1"
    assert report["metrics"] == ["macro_f1", "accuracy"]
    scores = {m["name"]: m["scores"] for m in report["models"]}
    # the macro-F1 is scikit-learn's, to the rounding of the report
    assert scores["tuned"]["macro_f1"]["value"] == round(f1_score(gold, tuned, average="macro"), 4)
    assert scores["base"]["accuracy"]["value"] == round(
        float(np.mean(np.array(base) == np.array(gold))), 4
    )
    for s in scores["tuned"].values():
        assert s["low"] <= s["value"] <= s["high"]
    main = [
        c
        for c in report["comparisons"]
        if c["model"] == "tuned" and c["against"] == "base" and c["metric"] == "macro_f1"
    ]
    assert main[0]["verdict"] == "better"
    assert report["answer"].startswith("tuned beats base on macro_f1 by ")
    assert report["baseline"]["source"] == "train"
    assert report["baseline"]["answer"] == "billing"  # train's most common label
    assert report["breakdown"]["kind"] == "label"
    assert {r["key"] for r in report["breakdown"]["rows"]} == set(gold)
    assert report["disagreements"], "models disagree on some examples"


def test_within_noise_and_fail_unless_better(tmp_path: Path, cli: Any) -> None:
    val, _, gold = labelled(tmp_path, n=60)
    a = predictions(gold, 0.7, 3)
    b = list(a)
    b[0] = gold[0] if a[0] != gold[0] else next(x for x in LABELS if x != gold[0])
    write_jsonl(tmp_path / "a.jsonl", [{"prediction": p} for p in a])
    write_jsonl(tmp_path / "b.jsonl", [{"prediction": p} for p in b])
    result = cli(
        "evaluate",
        str(val),
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "b.jsonl"),
        "--fail-unless-better",
    )
    assert result.exit_code == 1
    assert "within the noise" in result.output


def test_pairing_by_id_line_and_errors(tmp_path: Path, cli: Any) -> None:
    rows = [dict(chat(f"q{i}", LABELS[i % 4]), id=f"t{i}") for i in range(12)]
    val = write_jsonl(tmp_path / "val.jsonl", rows)
    shuffled = list(range(12))
    random.Random(5).shuffle(shuffled)
    write_jsonl(
        tmp_path / "byid.jsonl", [{"id": f"t{i}", "prediction": LABELS[i % 4]} for i in shuffled]
    )
    report = ftprep.evaluate(val, tmp_path / "byid.jsonl", metric="accuracy", resamples=200)
    assert report.models[0].scores["accuracy"].value == 1.0
    write_jsonl(
        tmp_path / "byline.jsonl", [{"line": i + 1, "prediction": LABELS[i % 4]} for i in shuffled]
    )
    report = ftprep.evaluate(val, tmp_path / "byline.jsonl", metric="accuracy", resamples=200)
    assert report.models[0].scores["accuracy"].value == 1.0

    write_jsonl(tmp_path / "missing.jsonl", [{"id": f"t{i}", "prediction": "x"} for i in range(11)])
    result = cli("evaluate", str(val), str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2
    assert "missing.jsonl" in result.output and "no prediction for id t11" in result.output

    write_jsonl(tmp_path / "short.jsonl", [{"prediction": "x"}] * 11)
    result = cli("evaluate", str(val), str(tmp_path / "short.jsonl"))
    assert result.exit_code == 2
    assert "11 predictions for 12 references" in result.output

    write_jsonl(tmp_path / "dup.jsonl", [{"id": "t1", "prediction": "x"}] * 2)
    result = cli("evaluate", str(val), str(tmp_path / "dup.jsonl"))
    assert result.exit_code == 2 and "appears twice" in result.output

    (tmp_path / "broken.jsonl").write_text('{"prediction": "a"}\n{oops\n', "utf-8")
    result = cli("evaluate", str(val), str(tmp_path / "broken.jsonl"))
    assert result.exit_code == 2 and "broken.jsonl: line 2" in result.output


def test_chat_predictions_and_extraction_field_f1(tmp_path: Path) -> None:
    refs = [
        chat("Extract", json.dumps({"name": "Ada", "age": 36, "tags": ["x", "y"]})),
        chat("Extract", json.dumps({"name": "Bob", "age": 40})),
        chat("Extract", json.dumps({"name": "Cy", "age": 1})),
    ]
    val = write_jsonl(tmp_path / "val.jsonl", refs)
    preds = [
        # 3 of 4 leaves right: F1 = 2*3/(4+4)
        chat("Extract", json.dumps({"name": "ada", "age": 36, "tags": ["x", "z"]})),
        chat("Extract", "```json\n" + json.dumps({"name": "Bob", "age": 40}) + "\n```"),
        chat("Extract", "not json"),
    ]
    model = write_jsonl(tmp_path / "model.jsonl", preds)
    report = ftprep.evaluate(val, model, resamples=200)
    assert report.task == "extraction"
    scores = report.models[0].scores
    assert scores["field_f1"].value == round((0.75 + 1.0 + 0.0) / 3, 4)
    assert scores["json_validity"].value == round(2 / 3, 4)
    fields = {r.key: r.scores["model"] for r in report.breakdown.rows}  # type: ignore[union-attr]
    assert fields["name"] == round(1 / 3, 4)  # "ada" != "Ada" at field level, Bob right


def test_tool_calls_match_with_string_or_object_arguments(tmp_path: Path) -> None:
    def call(name: str, args: Any) -> dict[str, Any]:
        return {
            "role": "assistant",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": name, "arguments": args}}
            ],
        }

    refs = [
        {
            "messages": [
                {"role": "user", "content": f"weather {i}"},
                call("get_weather", json.dumps({"city": f"c{i}"})),
            ]
        }
        for i in range(4)
    ]
    val = write_jsonl(tmp_path / "val.jsonl", refs)
    preds = [
        {"prediction": {"name": "get_weather", "arguments": {"city": "c0"}}},
        {"prediction": [{"function": {"name": "get_weather", "arguments": '{"city": "c1"}'}}]},
        {"prediction": {"name": "get_weather", "arguments": {"city": "wrong"}}},
        {"prediction": {"name": "get_time", "arguments": {}}},
    ]
    report = ftprep.evaluate(val, write_jsonl(tmp_path / "p.jsonl", preds), resamples=200)
    assert report.task == "tool_calling"
    assert report.models[0].scores["tool_args_match"].value == 0.5
    assert report.models[0].scores["tool_name_match"].value == 0.75


def test_free_text_chrf_and_rouge_l_any_script(tmp_path: Path) -> None:
    from sacrebleu.metrics import CHRF

    refs = ["The cat sat on the mat.", "Paris is the capital of France.", "猫坐在垫子上。"]
    hyps = ["A cat sat on a mat.", "The capital of France is Paris.", "猫坐在垫子上"]
    val = write_jsonl(tmp_path / "val.jsonl", [chat(f"q{i}", r) for i, r in enumerate(refs)])
    model = write_jsonl(tmp_path / "m.jsonl", [{"prediction": h} for h in hyps])
    report = ftprep.evaluate(val, model, resamples=200)
    assert report.task == "generation" and report.metrics == ["chrf", "rouge_l"]
    expected = np.mean(
        [CHRF().sentence_score(h, [r]).score / 100 for h, r in zip(hyps, refs, strict=True)]
    )
    assert report.models[0].scores["chrf"].value == round(float(expected), 4)
    assert report.models[0].scores["rouge_l"].value > 0.6  # the Chinese answer counts too


def test_judge_file_summarised(tmp_path: Path, cli: Any) -> None:
    val = write_jsonl(
        tmp_path / "val.jsonl", [chat(f"q{i}", f"long answer {i}") for i in range(40)]
    )
    rows = [{"model": "base", "id": None, "line": i + 1, "score": 2 + i % 2} for i in range(40)]
    rows += [{"model": "tuned", "line": i + 1, "score": 4 + i % 2} for i in range(40)]
    judge = write_jsonl(tmp_path / "judge.jsonl", rows)
    result = cli("evaluate", str(val), "--judge-file", str(judge), "--json")
    assert result.exit_code == 0, result.output
    j = json.loads(result.output)["judge"]
    assert j["examples"] == 40
    assert j["scores"]["base"]["value"] == 2.5 and j["scores"]["tuned"]["value"] == 4.5
    assert j["comparisons"][0]["verdict"] == "better"

    write_jsonl(tmp_path / "bad.jsonl", [{"model": "base", "score": "high"}])
    result = cli("evaluate", str(val), "--judge-file", str(tmp_path / "bad.jsonl"))
    assert result.exit_code == 2 and "bad.jsonl: line 1" in result.output


def test_reports_schema_determinism_and_no_overwrite(tmp_path: Path, cli: Any) -> None:
    import jsonschema

    val, _train, gold = labelled(tmp_path, n=80)
    write_jsonl(tmp_path / "base.jsonl", [{"prediction": p} for p in predictions(gold, 0.4, 1)])
    write_jsonl(tmp_path / "ft.jsonl", [{"prediction": p} for p in predictions(gold, 0.8, 1)])
    args = ["evaluate", str(val), str(tmp_path / "base.jsonl"), str(tmp_path / "ft.jsonl")]
    out1 = [tmp_path / "e.json", tmp_path / "e.md", tmp_path / "e.html"]
    result = cli(*args, *(x for p in out1 for x in ("--report", str(p))))
    assert result.exit_code == 0, result.output
    schema = json.loads((REPO / "docs" / "evaluation.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads(out1[0].read_text("utf-8")), schema)
    html = out1[2].read_text("utf-8")
    assert "<script" not in html and "<svg" in html and "macro_f1" in html
    assert "| model | macro_f1 | accuracy |" in out1[1].read_text("utf-8")
    again = tmp_path / "again.json"
    assert cli(*args, "--report", str(again)).exit_code == 0
    assert again.read_bytes() == out1[0].read_bytes()

    result = cli(*args, "--report", str(val))
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert json.loads(val.read_text("utf-8").splitlines()[0])["messages"]


def test_schema_file_is_current() -> None:
    schema = EvaluationReport.model_json_schema()
    on_disk = json.loads((REPO / "docs" / "evaluation.schema.json").read_text("utf-8"))
    assert on_disk == schema, (
        "regenerate: python -c 'import json; from ftprep.evaluation.result import "
        "EvaluationReport as R; print(json.dumps(R.model_json_schema(), indent=2))' "
        "> docs/evaluation.schema.json"
    )


def test_metric_that_needs_a_trainer_or_judge_is_refused(tmp_path: Path, cli: Any) -> None:
    val, _, gold = labelled(tmp_path, n=20)
    write_jsonl(tmp_path / "p.jsonl", [{"prediction": g} for g in gold])
    result = cli("evaluate", str(val), str(tmp_path / "p.jsonl"), "--metric", "rubric")
    assert result.exit_code == 2 and "--judge-file" in result.output
    result = cli("evaluate", str(val), str(tmp_path / "p.jsonl"), "--metric", "bleu-ish")
    assert result.exit_code == 2 and "computes" in result.output


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_any_prediction_row_parses_or_is_a_clear_error(value: Any) -> None:
    try:
        p = _prediction(value, 1, Path("p.jsonl"))
    except FtprepError as exc:
        assert "p.jsonl: line 1" in str(exc)
    else:
        assert isinstance(p.answer.text, str)

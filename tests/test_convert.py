"""``ftprep convert``, ``split --to`` and ``validate --target`` through the real CLI."""

from __future__ import annotations

import json

import ftprep
from tests.conftest import chat, locations, varied_chats


def test_convert_reports_losses_with_locations(write_jsonl, tmp_path, cli):
    records = [
        chat("q1", "a1"),
        {
            "messages": [
                {"role": "user", "content": "q2"},
                {"role": "assistant", "content": "draft", "weight": 0},
                {"role": "user", "content": "again"},
                {"role": "assistant", "content": "final"},
            ],
            "source": "crm",
        },
        "{broken",
    ]
    src = write_jsonl(records)
    out = tmp_path / "bedrock.jsonl"
    result = cli("convert", src, "--to", "bedrock", "-o", out, "--json", "-q")
    assert result.exit_code == 1  # one record could not be read
    data = json.loads(result.stdout)
    assert data["records"] == 3 and data["written"] == 2
    by_check = {f["check"]: f for f in data["findings"]}
    loss = by_check["clean.target_loss"]
    assert [(x["line"], x["detail"]) for x in loss["locations"]] == [
        (2, "message 2 (assistant): weight 0 dropped (Bedrock has no weights)"),
        (2, "top-level 'source' dropped (bedrock allows no extra keys)"),
    ]
    assert [x["line"] for x in by_check["clean.malformed_json"]["locations"]] == [3]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["schemaVersion"] == "bedrock-conversation-2024"
    text = cli("convert", src, "--to", "bedrock", "-o", out, "-q").stdout
    assert "bedrock: wrote 2 of 3 records" in text
    assert f"{src}:2 — message 2 (assistant): weight 0 dropped" in text


def test_convert_is_deterministic_and_refuses_to_overwrite_input(write_jsonl, tmp_path, cli):
    src = write_jsonl(varied_chats(20))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert cli("convert", src, "--to", "vertex", "-o", a, "-q").exit_code == 0
    assert cli("convert", src, "--to", "vertex", "-o", b, "-q").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    before = src.read_bytes()
    result = cli("convert", src, "--to", "openai", "-o", src, "-q")
    assert result.exit_code == 2 and "refusing to overwrite an input" in result.stderr
    assert src.read_bytes() == before
    result = cli("convert", src, "--to", "nonsense", "-o", a, "-q")
    assert result.exit_code == 2 and "unknown target 'nonsense'" in result.stderr


def test_convert_min_examples_and_target_errors_exit_1(write_jsonl, tmp_path, cli):
    src = write_jsonl([chat("q", "a")])
    result = cli("convert", src, "--to", "openai", "-o", tmp_path / "o.jsonl", "--json", "-q")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["check"] == "clean.target_dataset"
    assert "needs at least 10" in finding["message"]
    # a system turn in mid-conversation cannot be expressed for Bedrock
    bad = {"messages": [*chat("q", "a")["messages"], {"role": "system", "content": "s"}]}
    src2 = write_jsonl([bad], "bad.jsonl")
    result = cli("convert", src2, "--to", "bedrock", "-o", tmp_path / "b.jsonl", "--json", "-q")
    checks = {f["check"] for f in json.loads(result.stdout)["findings"]}
    assert "clean.target_role" in checks and result.exit_code == 1


def test_convert_dataframe_from_python(tmp_path):
    import pytest

    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"prompt": ["p1", "p2", "p3"], "completion": ["c1", "c2", "c3"]})
    result = ftprep.convert(df, tmp_path / "fw.jsonl", "fireworks")
    assert result.written == 3 and result.ok
    assert result.inputs[0].path == "<DataFrame>"


def test_validate_target_flags_rows_and_split_to_writes_target_files(write_jsonl, tmp_path, cli):
    records = varied_chats(150)
    records[9]["messages"].append({"role": "user", "content": "one more thing"})  # line 10
    records[19]["messages"][-1]["weight"] = 0  # line 20
    src = write_jsonl(records)
    report = ftprep.validate(src, target="mistral")
    assert locations(report, "clean.target_role") == [10]
    assert locations(report, "clean.target_loss") == []
    report = ftprep.validate(src, target="vertex")
    assert locations(report, "clean.target_loss") == [20]
    assert locations(report, "clean.target_unconfirmed") == [10]
    result = cli("validate", src, "--target", "bedrock", "--json", "-q")
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    (role,) = [f for f in data["findings"] if f["check"] == "clean.target_role"]
    assert [x["line"] for x in role["locations"]] == [10]
    out = tmp_path / "out"
    result = cli("split", src, "-o", out, "--to", "bedrock", "--fix", "--json", "-q")
    data = json.loads(result.stdout)
    assert data["split"]["dropped"] == 1
    (drop,) = data["split"]["drops"]
    assert drop["reason"] == "clean.target_role"
    assert [x["line"] for x in drop["locations"]] == [10]
    rows = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    rows += [json.loads(x) for x in (out / "validation.jsonl").read_text().splitlines()]
    assert all(r["schemaVersion"] == "bedrock-conversation-2024" for r in rows)
    kept = data["split"]["train"]["examples"] + data["split"]["validation"]["examples"]
    assert kept == len(rows) == 149  # --fix dropped the example Bedrock rejects


def test_split_to_vertex_checks_written_validation_size(write_jsonl, tmp_path):
    src = write_jsonl(varied_chats(200))
    report = ftprep.split(src, tmp_path / "v", to="vertex", validation_fraction=0.5)
    assert report.split.validation.examples == 100
    assert not [f for f in report.findings if f.check == "clean.target_dataset"]


def test_targets_command_lists_every_target(cli):
    out = cli("targets").stdout
    for name in (
        "openai",
        "together",
        "fireworks",
        "bedrock",
        "vertex",
        "mistral",
        "trl",
        "axolotl",
        "llamafactory",
    ):
        assert f"\n{name} " in out

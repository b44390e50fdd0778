"""The CLI contract: exit codes, output channels, report files, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLE_DATA, chat, varied_chats


@pytest.fixture
def ready_file(write_jsonl):
    return write_jsonl(varied_chats(600))


@pytest.fixture
def broken_file(write_jsonl):
    return write_jsonl([*varied_chats(150), "{oops", chat("q", "")])


def test_ready_data_exits_0(cli, ready_file):
    result = cli("validate", ready_file, "-q")
    assert result.exit_code == 0, result.output
    assert "verdict: READY" in result.output


def test_not_ready_exits_1_and_names_lines(cli, broken_file):
    result = cli("validate", broken_file, "-q")
    assert result.exit_code == 1
    assert f"{broken_file}:151" in result.output and f"{broken_file}:152" in result.output
    assert "NOT READY" in result.output


def test_strict_makes_warnings_fail(cli, write_jsonl):
    path = write_jsonl(varied_chats(150))  # fewer than 500: a warning
    assert cli("validate", path, "-q").exit_code == 0
    assert cli("validate", path, "-q", "--strict").exit_code == 1


def test_json_output_is_only_json(cli, broken_file):
    result = cli("validate", broken_file, "--json")
    report = json.loads(result.stdout)
    assert report["schema_version"] == 2 and report["verdict"] == "not_ready"
    assert set(report["checklist"]) == {
        "sufficient",
        "diverse",
        "consistent",
        "clean",
        "split",
        "evaluated",
    }
    assert result.exit_code == 1


def test_report_files_by_extension(cli, broken_file, tmp_path):
    json_path, md_path = tmp_path / "r" / "out.json", tmp_path / "r" / "out.md"
    cli("validate", broken_file, "-q", "--report", json_path, "--report", md_path)
    assert json.loads(json_path.read_text())["inputs"][0]["load_errors"] == 1
    assert md_path.read_text().startswith("# ftprep readiness report")
    result = cli("validate", broken_file, "-q", "--report", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "no report format for '.pdf'" in result.stderr


def test_split_command_writes_everything(cli, ready_file, tmp_path):
    out = tmp_path / "prepared"
    result = cli(
        "split", ready_file, "--out", out, "--seed", "42", "--validation-fraction", "0.1", "-q"
    )
    assert result.exit_code == 0, result.output
    assert len((out / "validation.jsonl").read_text().splitlines()) == 60
    assert len((out / "train.jsonl").read_text().splitlines()) == 540
    assert json.loads((out / "report.json").read_text())["split"]["seed"] == 42


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["validate", "missing.jsonl"], "missing.jsonl: no such file"),
        (["validate", "{data}", "--model", "gpt-9"], "unknown model 'gpt-9'"),
        (["validate", "{data}", "--set", "nope.x=1"], "unknown check 'nope'"),
        (
            ["validate", "{data}", "--set", "sufficient.count.minimum=lots"],
            "sufficient.count.minimum",
        ),
        (["validate", "{data}", "--map", "user"], "TARGET=COLUMN"),
        (["validate", "{data}", "--from", "yaml"], "unknown format 'yaml'"),
        (["validate", "{data}", "--disable", "clean.nothing"], "no such check"),
        (["split", "{data}", "--out", "{dir}"], "refusing to overwrite an input"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(cli, tmp_path, args, needle, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in varied_chats(5)))
    args = [a.format(data=data, dir=tmp_path) for a in args]
    result = cli(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_config_file_errors_exit_2(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ftprep.toml").write_text("seed = \n")
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(chat("q", "a")) + "\n")
    result = cli("validate", data)
    assert result.exit_code == 2 and "ftprep.toml: not valid TOML" in result.stderr
    (tmp_path / "ftprep.toml").write_text('[checks."clean.nope"]\nenabled = false\n')
    result = cli("validate", data)
    assert result.exit_code == 2 and "unknown check 'clean.nope'" in result.stderr


def test_disable_switches_off_a_check_and_an_item(cli, broken_file):
    result = json.loads(cli("validate", broken_file, "--json", "--disable", "clean").stdout)
    assert not [f for f in result["findings"] if f["item"] == "clean"]
    assert result["checklist"]["clean"]["status"] == "skipped"


def test_checks_command_lists_every_check(cli):
    from ftprep.checks import REGISTRY

    listed = json.loads(cli("checks", "--json").stdout)
    assert {c["id"] for c in listed} == set(REGISTRY)
    assert all(c["what"] and c["why"] and c["fix"] for c in listed)


@pytest.mark.skipif(shutil.which("ftprep") is None, reason="ftprep is not installed")
def test_installed_console_script_on_sample_data(tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    out = tmp_path / "prepared"
    proc = subprocess.run(
        [
            "ftprep",
            "split",
            str(SAMPLE_DATA / "clinical_coding.jsonl"),
            "--out",
            str(out),
            "--fix",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    s = report["split"]
    assert s["train"]["examples"] + s["validation"]["examples"] + s["dropped"] == 336
    proc = subprocess.run(
        [sys.executable, "-m", "ftprep", "validate", "nope.jsonl"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ftprep: error: nope.jsonl: no such file"

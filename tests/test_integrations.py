"""The pre-commit hook and the GitHub Action, run as far as an offline machine allows: the
hook's entry exactly as pre-commit calls it, and the action's validate step under bash with
GitHub's summary and output files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CLEAN = REPO / "tests" / "data" / "varied_instructions.jsonl"
DEFECTIVE = REPO / "sample_data" / "clinical_coding.jsonl"


@pytest.fixture
def ftprep_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has an ``ftprep`` command running this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "ftprep"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ftprep "$@"\n', "utf-8")
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(REPO)
    return env


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = hooks
    assert hook["id"] == "ftprep-validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    for name in ("data/train.jsonl", "x.csv", "y.json.gz", "z.parquet", "w.xlsx", "v.tsv"):
        assert pattern.search(name), name
    for name in ("setup.py", "README.md", "data.jsonl.bak", "pyproject.toml"):
        assert not pattern.search(name), name


def _hook_command(args: list[str], files: list[Path]) -> list[str]:
    """What pre-commit runs: the entry, the hook's ``args``, then the changed files."""
    hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))[0]
    return [*hook["entry"].split(), *args, *map(str, files)]


def test_pre_commit_hook_blocks_a_defective_file_only(ftprep_on_path: dict[str, str]) -> None:
    ok = subprocess.run(_hook_command([], [CLEAN]), env=ftprep_on_path, cwd=REPO,
                        capture_output=True, text=True, timeout=300)  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    both = subprocess.run(
        _hook_command(["--disable", "sufficient"], [CLEAN, DEFECTIVE]),
        env=ftprep_on_path, cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert both.returncode == 1
    # each file is its own dataset: one header and one verdict per file
    assert both.stdout.count("\n== ") + both.stdout.startswith("== ") == 2
    assert f"== {CLEAN}\n" in both.stdout and f"== {DEFECTIVE}\n" in both.stdout
    assert both.stdout.count("verdict:") == 2


def test_each_refuses_options_that_need_one_dataset(cli, tmp_path: Path) -> None:
    result = cli("validate", "--each", str(CLEAN), "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 2 and "--each" in result.stderr
    result = cli("validate", "--each", str(CLEAN), "--json")
    assert result.exit_code == 2 and "--each" in result.stderr


def _validate_step() -> dict:
    action = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    return next(s for s in action["runs"]["steps"] if s.get("id") == "validate")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_validate_step(ftprep_on_path: dict[str, str], tmp_path: Path) -> None:
    step = _validate_step()
    assert step["shell"] == "bash"
    summary, outputs, out = tmp_path / "summary.md", tmp_path / "outputs", tmp_path / "report"
    env = {
        **ftprep_on_path,
        "FILES": str(DEFECTIVE),
        "ARGS": "--strict --seed 7",
        "OUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    }
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # the step records the code; a later step fails
    assert re.search(r"^::error file=.*clinical_coding\.jsonl,line=83,", proc.stdout, re.M)
    assert summary.read_text("utf-8").startswith("# ftprep readiness report")
    assert outputs.read_text("utf-8").splitlines() == ["verdict=not_ready", "exit-code=1"]
    assert {p.name for p in out.iterdir()} == {
        "report.json", "report.md", "report.html", "report.findings.jsonl"
    }

    env["FILES"] = str(tmp_path / "missing.jsonl")
    outputs.unlink()
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert outputs.read_text("utf-8").splitlines() == ["verdict=error", "exit-code=2"]


def test_action_fails_the_job_with_ftprep_exit_code() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    last = action["runs"]["steps"][-1]
    assert last["if"] == "steps.validate.outputs.exit-code != '0'"
    assert 'exit "$CODE"' in last["run"]
    upload = next(s for s in action["runs"]["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()"

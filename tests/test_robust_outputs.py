"""Outputs are safe: a split is published as one unit, interrupted runs leave the previous
result or nothing, files get the umask's permissions, pipes are read once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import ftprep
from ftprep.errors import InputError, OutputError
from ftprep.split import writer
from ftprep.split.writer import MANIFEST, verify_split
from tests.conftest import REPO, varied_chats


def _leftovers(folder: Path) -> list[str]:
    return [
        p.name
        for p in folder.rglob("*")
        if p.name.startswith(".ftprep-staging-") or p.name.endswith(".ftprep-tmp")
    ]


@pytest.fixture
def data(write_jsonl) -> Path:
    return write_jsonl(varied_chats(40))


def test_a_split_is_published_with_a_manifest_that_verifies(data, tmp_path):
    out = tmp_path / "out"
    ftprep.split(data, out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["complete"] is True
    assert set(manifest["files"]) == {
        "train.jsonl",
        "validation.jsonl",
        "report.json",
        "report.md",
        "report.html",
        "findings.jsonl",
    }
    assert verify_split(out) == []
    with (out / "train.jsonl").open("a") as fh:
        fh.write("\n")
    assert verify_split(out) == [f"{out / 'train.jsonl'}: changed since the split was written"]


def test_interrupted_split_leaves_the_previous_result(data, tmp_path, monkeypatch):
    out = tmp_path / "out"
    ftprep.split(data, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = writer.apply_fixes

    def interrupt_midway(ex, fixes):
        calls["n"] += 1
        if calls["n"] == 20:
            raise KeyboardInterrupt
        return real(ex, fixes)

    monkeypatch.setattr(writer, "apply_fixes", interrupt_midway)
    with pytest.raises(KeyboardInterrupt):
        ftprep.split(data, out, seed=7)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert verify_split(out) == [] and _leftovers(out) == []


def test_failure_while_publishing_reports_leaves_no_partial_unit(data, tmp_path, monkeypatch):
    out = tmp_path / "out"

    def broken(report, paths):
        raise OutputError("disk full")

    monkeypatch.setattr("ftprep.report.render.write_reports", broken)
    with pytest.raises(OutputError):
        ftprep.split(data, out)
    assert sorted(p.name for p in out.iterdir()) == []


def test_published_files_follow_the_umask(data, tmp_path):
    old = os.umask(0o022)
    try:
        ftprep.split(data, tmp_path / "out")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert set(modes.values()) == {0o644}, modes


def test_stale_staging_of_a_dead_run_is_removed(data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (out / f".ftprep-staging-{dead}-abcd").mkdir()
    (out / f".train.jsonl.{dead}.abcd.ftprep-tmp").write_text("partial")
    (out / f".ftprep-staging-{os.getpid()}-live").mkdir()  # a run still going: kept
    ftprep.split(data, out)
    assert _leftovers(out) == [f".ftprep-staging-{os.getpid()}-live"]


def test_output_checks_happen_before_reading(tmp_path):
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("x")
    # the input does not even exist: the output is refused first, before any reading
    with pytest.raises(OutputError, match="is a file"):
        ftprep.split(tmp_path / "missing.jsonl", not_a_folder)
    assert not_a_folder.read_text() == "x"


def test_pipe_and_fifo_inputs_are_read_once(data, tmp_path):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    text = data.read_bytes()

    def feed() -> None:
        with fifo.open("wb") as fh:
            fh.write(text)

    thread = threading.Thread(target=feed)
    thread.start()
    report = ftprep.split(fifo, tmp_path / "out")
    thread.join(timeout=10)
    assert report.inputs[0].records == 40 and report.inputs[0].path == str(fifo)
    lines = sum(
        len((tmp_path / "out" / n).read_text().splitlines())
        for n in ("train.jsonl", "validation.jsonl")
    )
    assert lines == 40


def _cli(*args: str, stdin: bytes | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "ftprep", *args], input=stdin, capture_output=True, env=env,
        timeout=120, cwd=kw.get("cwd", REPO.parent),
    )  # fmt: skip


def test_dev_stdin_and_process_substitution_read_every_record(data):
    piped = _cli("validate", "-q", "--json", "/dev/stdin", stdin=data.read_bytes())
    assert json.loads(piped.stdout)["inputs"][0]["records"] == 40, piped.stderr
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    sub = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m ftprep validate -q --json <(cat "{data}")'],
        capture_output=True, env=env, timeout=120, cwd=REPO.parent,
    )  # fmt: skip
    assert json.loads(sub.stdout)["inputs"][0]["records"] == 40, sub.stderr


_SLOW_SPLIT = """
import sys, time
from ftprep.split import writer as w
real = w.apply_fixes
def slow(ex, fixes):
    print("writing", flush=True)
    time.sleep(60)
    return real(ex, fixes)
w.apply_fixes = slow
from ftprep.cli import main
sys.argv = ["ftprep", "split", "-q", sys.argv[1], "--out", sys.argv[2], "--seed", "9"]
main()
"""


def test_sigterm_while_writing_keeps_the_previous_split(data, tmp_path):
    out = tmp_path / "out"
    ftprep.split(data, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SPLIT, str(data), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert b"nothing was published" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(out) == []


def test_a_terminal_as_input_is_refused(monkeypatch):
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    with pytest.raises(InputError, match="terminal"):
        ftprep.validate("-")


def test_escape_sequences_in_names_never_reach_the_terminal(cli, tmp_path):
    data = tmp_path / "e\x1b[31mred.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in varied_chats(12)) + "{oops\n")
    out = tmp_path / "o\x1b]0;title\x07ut"
    result = cli("split", "-q", data, "--out", out)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "e\\x1b[31mred.jsonl:13" in result.output

"""The sharded split layout without Ray (``split --sharded``), what a failed run leaves,
the conservation check of verify_split, remote (``file://``) inputs, and the message when
``--engine ray`` is asked for without Ray installed."""

from __future__ import annotations

import builtins
import gzip
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

import ftprep
from ftprep.errors import ConfigError
from ftprep.split.writer import MANIFEST, verify_split
from tests.conftest import varied_chats

#: ``ftprep.split`` is also the API function, so the module is looked up by name.
sharded = importlib.import_module("ftprep.split.sharded")


def _shards(root: Path) -> Path:
    rows = varied_chats(90, seed=3)
    rows[60] = dict(rows[5])  # a copy across shards: dropped by --fix
    root.mkdir()
    (root / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:40]), "utf-8")
    with gzip.open(root / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in rows[40:]))
    return root


def test_sharded_parts_concatenate_to_the_single_file_split(cli: Any, tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    one, parts = tmp_path / "one", tmp_path / "parts"
    assert cli("split", str(shards), "--out", str(one), "--fix", "-q").exit_code in (0, 1)
    result = cli("split", str(shards), "--out", str(parts), "--fix", "--sharded", "-q")
    assert result.exit_code in (0, 1), result.stderr
    for side in ("train", "validation"):
        files = sorted(parts.glob(f"{side}-*.jsonl"))
        assert [f.name for f in files] == [f"{side}-0000{i}-of-00002.jsonl" for i in (0, 1)]
        assert b"".join(f.read_bytes() for f in files) == (one / f"{side}.jsonl").read_bytes()
    assert not (parts / "train.jsonl").exists()
    manifest = json.loads((parts / MANIFEST).read_text("utf-8"))
    split = manifest["split"]
    assert split["records"] == 90 and split["dropped"] == 1
    assert [p["records"] for p in split["parts"]] == [40, 50]
    assert verify_split(parts) == []
    report = json.loads((parts / "report.json").read_text("utf-8"))
    assert report["split"]["train"]["path"] == str(parts / "train-*-of-00002.jsonl")
    assert report["run"] == {"engine": "local"}


def test_verify_split_checks_conservation_across_shards(tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    out = tmp_path / "out"
    ftprep.split(shards, out, sharded=True, jobs=1)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["split"]["parts"][0]["train"] -= 1  # one example unaccounted for
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    problems = verify_split(out)
    assert any("train + validation + dropped != records" in p for p in problems)
    assert any("holds" in p and "lines" in p for p in problems)


def test_a_failed_shard_publishes_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    shards = _shards(tmp_path / "shards")
    out = tmp_path / "out"
    ftprep.split(shards, out, sharded=True, jobs=1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = sharded.write_shard

    def dies_on_the_second(job: Any) -> Any:
        if job.index == 1:
            raise OSError("worker lost")
        return real(job)

    monkeypatch.setattr(sharded, "write_shard", dies_on_the_second)
    with pytest.raises(OSError, match="worker lost"):
        ftprep.split(shards, out, sharded=True, jobs=1, seed=9)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # the previous split, whole; no staging folder left
    assert verify_split(out) == []


def test_a_rerun_with_fewer_shards_removes_the_old_parts(tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    out = tmp_path / "out"
    ftprep.split(shards, out, sharded=True, jobs=1)
    (shards / "b.jsonl.gz").unlink()
    ftprep.split(shards, out, sharded=True, jobs=1)
    assert sorted(p.name for p in out.glob("*-of-*.jsonl")) == [
        "train-00000-of-00001.jsonl",
        "validation-00000-of-00001.jsonl",
    ]
    assert verify_split(out) == []


def test_sharded_output_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    with pytest.raises(ConfigError, match="--to"):
        ftprep.split(shards, tmp_path / "o", sharded=True, to="together")
    with pytest.raises(ConfigError, match="--redact"):
        ftprep.split(shards, tmp_path / "o", sharded=True, fix=True, redact=["pii"])


def test_file_uris_read_through_pyarrow_like_local_paths(cli: Any, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow.fs")
    shards = _shards(tmp_path / "shards")
    uri = f"file://{shards}"
    local = json.loads(cli("validate", str(shards), "--json", "-q").stdout)
    for given in (uri, f"{uri}/*.jsonl*"):
        remote = json.loads(cli("validate", given, "--json", "-q").stdout)
        assert [i["path"] for i in remote["inputs"]] == [
            f"{uri}/a.jsonl",
            f"{uri}/b.jsonl.gz",
        ]
        for r, loc in zip(remote["inputs"], local["inputs"], strict=True):
            assert (r["records"], r["sha256"]) == (loc["records"], loc["sha256"])
        assert remote["checklist"] == local["checklist"]
    out = shards / "prepared"  # a split inside the folder is never read back as input
    for _ in range(2):
        assert cli("split", uri, "--out", str(out), "-q").exit_code in (0, 1)
        assert verify_split(out) == []
    assert len(json.loads(cli("validate", uri, "--json", "-q").stdout)["inputs"]) == 2
    refused = cli("split", uri, "--out", "s3://bucket/prepared", "-q")
    assert refused.exit_code == 2 and "--out is a local or shared folder" in refused.stderr
    assert not Path("s3:").exists()
    missing = cli("validate", f"{uri}/nothing-here", "-q")
    assert missing.exit_code == 2 and "nothing-here" in missing.stderr


def test_engine_ray_without_ray_says_how_to_install(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    shards = _shards(tmp_path / "shards")
    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    result = cli("split", str(shards), "--out", str(tmp_path / "o"), "--engine", "ray", "-q")
    assert result.exit_code == 2
    assert "pip install 'ftprep[ray]'" in result.stderr
    assert not (tmp_path / "o").exists()
    unknown = cli("validate", str(shards), "--ray-address", "auto", "-q")
    assert unknown.exit_code == 2 and "--engine ray" in unknown.stderr


def test_a_worker_without_the_drivers_copy_fetches_the_remote_shard(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow.fs")
    from ftprep.loaders import open_source
    from ftprep.loaders.remote import shard_records

    shards = _shards(tmp_path / "shards")
    source = open_source(f"file://{shards}/b.jsonl.gz")
    assert source.name == f"file://{shards}/b.jsonl.gz"
    here = [(r.line, r.value) for r in shard_records(source)]
    assert source.spool is not None
    source.spool.unlink()  # as on another node of the cluster
    there = [(r.line, r.value) for r in shard_records(source)]
    assert there == here and len(here) == 50

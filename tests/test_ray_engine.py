"""``--engine ray`` gives the local engine's answer: the same report (but ``run.engine``),
the same train/validation membership, the same lines, on a local Ray (2 CPUs) with several
input shards and several blocks per shard. Small on purpose: CI runs it on 2 cores.

Ray talks to its own processes over localhost TCP, so these tests (and only these) may open
sockets, to 127.0.0.1 only (pytest-socket still refuses any other host).
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

import ftprep
from ftprep.config import Config
from ftprep.engine import analyze
from ftprep.loaders import open_source
from ftprep.loaders.inputs import expand
from ftprep.loaders.source import Source
from ftprep.split.writer import MANIFEST, publishing, verify_split
from tests.conftest import chat, varied_chats

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from ftprep.ray_engine import RayEngine  # noqa: E402

write_sharded = importlib.import_module("ftprep.split.sharded").write_sharded

pytestmark = [
    pytest.mark.ray,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]
#: Records per batch in these tests: several batches (and blocks) per shard.
BATCH = 16


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """One local Ray for the whole session: 2 CPUs, no dashboard, tiny blocks."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    context.target_max_block_size = 1024  # each batch of raw records its own block
    yield ray
    ray.shutdown()


def _shards(root: Path) -> Path:
    """Three shards with what the dataset checks look for across them: an exact copy, a
    contradiction, a conversation group, personal data, whitespace to fix, a broken line,
    and an empty shard."""
    rows = varied_chats(150, seed=5)
    rows[3] = chat("What is the refund window for a parcel?", "Thirty days.")
    rows[90] = chat("What is the refund window for a parcel?", "Sixty days.")
    rows[100] = dict(rows[10])  # an exact copy in another shard
    rows[11] = chat("Reach me at dana.whitfield@gmail.com please", "Noted, Dana.")
    rows[20] = chat("  Trim me  ", "Sure.  ")
    for i in (30, 31, 120):
        rows[i] = {**rows[i], "conversation_id": "thread-7"}
    root.mkdir()
    lines = [json.dumps(r) + "\n" for r in rows]
    (root / "a.jsonl").write_text("".join(lines[:70]) + "{not json\n", "utf-8")
    with gzip.open(root / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(lines[70:]))
    (root / "c.jsonl").write_text("", "utf-8")
    return root


def _report(out: Path) -> dict[str, Any]:
    data = json.loads((out / "report.json").read_text("utf-8"))
    for side in ("train", "validation"):
        data["split"][side]["path"] = Path(data["split"][side]["path"]).name
    data.pop("findings_file")
    return data


def _split(inputs: Path, out: Path, **options: Any) -> dict[str, Any]:
    ftprep.split(inputs, out, seed=7, jobs=1, **options)
    return _report(out)


def test_ray_split_equals_the_local_split(local_ray: Any, tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    local = _split(shards, tmp_path / "local", sharded=True, fix=True)
    single = _split(shards, tmp_path / "single", fix=True)
    remote = _split(shards, tmp_path / "ray", engine=RayEngine(batch_size=BATCH), fix=True)

    assert local["run"] == {"engine": "local"}
    assert remote.pop("run") == {"engine": "ray"}
    local.pop("run")
    assert remote == local
    assert local["split"]["drops"] and local["split"]["changes"]  # --fix had work to do
    for side in ("train", "validation"):  # the single-file split says the same but names
        assert single["split"][side].pop("path") == f"{side}.jsonl"
        assert local["split"][side]["path"] == f"{side}-*-of-00003.jsonl"
        single["split"][side]["path"] = local["split"][side]["path"]
    single.pop("run")
    assert single == local
    assert [i["records"] for i in local["inputs"]] == [71, 80, 0]
    names = sorted(p.name for p in (tmp_path / "local").glob("*-of-*.jsonl"))
    assert len(names) == 6
    for name in names:  # the very same bytes, shard by shard
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    for side in ("train", "validation"):  # and together, the single-file split
        parts = sorted((tmp_path / "ray").glob(f"{side}-*-of-00003.jsonl"))
        joined = b"".join(p.read_bytes() for p in parts)
        assert joined == (tmp_path / "single" / f"{side}.jsonl").read_bytes()
    assert (tmp_path / "ray" / "findings.jsonl").read_bytes() == (
        tmp_path / "local" / "findings.jsonl"
    ).read_bytes()
    assert verify_split(tmp_path / "ray") == []
    counts = json.loads((tmp_path / "ray" / MANIFEST).read_text("utf-8"))["split"]
    assert counts["records"] == 151
    assert counts["train"] + counts["validation"] + counts["dropped"] == 151
    assert counts["dropped"] >= 2  # the broken line and the exact copy


def test_each_shard_is_read_as_several_blocks(local_ray: Any, tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    sources = [open_source(p) for p in expand(shards)]
    blocks = RayEngine(batch_size=BATCH).read(sources).materialize().num_blocks()
    assert blocks >= 80 // BATCH + 71 // BATCH  # more than one block per non-empty shard


def test_cli_split_with_engine_ray_matches_local(local_ray: Any, cli: Any, tmp_path: Path) -> None:
    shards = _shards(tmp_path / "shards")
    out = tmp_path / "prepared"
    result = cli("split", str(shards), "--out", str(out), "--engine", "ray", "-q", "--json")
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["run"]["engine"] == "ray"
    local = tmp_path / "local"
    assert cli("split", str(shards), "--out", str(local), "-q").exit_code in (0, 1)
    for side in ("train", "validation"):
        parts = sorted(out.glob(f"{side}-*.jsonl"))
        assert len(parts) == 3
        lines = [line for p in parts for line in p.read_text("utf-8").splitlines()]
        assert lines == (local / f"{side}.jsonl").read_text("utf-8").splitlines()
    validate = cli("validate", str(shards), "--engine", "ray", "--json", "-q")
    local_validate = cli("validate", str(shards), "--json", "-q")
    a, b = json.loads(validate.stdout), json.loads(local_validate.stdout)
    assert a.pop("run") == {"engine": "ray"} and b.pop("run") == {"engine": "local"}
    assert a == b


@dataclass
class DyingSource(Source):
    """A shard whose reader kills its Ray worker process (as an out-of-memory kill or a lost
    node would) on every odd-numbered read, after some records: the first read task and the
    first write task of this shard die half way."""

    counter: str = ""
    driver: int = 0

    def raw_records(self) -> Iterator[Any]:
        path = Path(self.counter)
        calls = (int(path.read_text()) if path.exists() else 0) + 1
        path.write_text(str(calls))
        for i, raw in enumerate(super().raw_records()):
            if calls % 2 == 1 and i == 20 and os.getpid() != self.driver:
                os._exit(1)
            yield raw

    def record_chunks(self, size: int) -> Iterator[Any]:
        """The read step takes a JSONL shard as chunks of line bytes: die there the same way."""
        path = Path(self.counter)
        calls = (int(path.read_text()) if path.exists() else 0) + 1
        path.write_text(str(calls))
        seen = 0
        for chunk in super().record_chunks(size):
            seen += len(chunk)
            if calls % 2 == 1 and seen > 20 and os.getpid() != self.driver:
                os._exit(1)
            yield chunk


def test_a_worker_that_dies_is_retried_and_nothing_is_lost(local_ray: Any, tmp_path: Path) -> None:
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    shards = _shards(tmp_path / "shards")
    paths = expand(shards)
    first = open_source(paths[0])
    dying = DyingSource(
        **{f.name: getattr(first, f.name) for f in fields(Source)},
        counter=str(tmp_path / "calls"),
        driver=os.getpid(),
    )
    config = Config(seed=7)
    engine = RayEngine(batch_size=BATCH)
    remote = analyze([dying, *paths[1:]], config, engine=engine)
    assert int((tmp_path / "calls").read_text()) == 2  # died once, read again
    local = analyze(paths, config, jobs=1)
    assert remote.plan is not None and local.plan is not None
    assert (remote.plan.assignment == local.plan.assignment).all()
    out, expected = tmp_path / "out", tmp_path / "expected"
    with publishing(out) as stage:
        write_sharded(remote, stage, engine.writer())
    with publishing(expected) as stage:
        write_sharded(local, stage)
    assert int((tmp_path / "calls").read_text()) == 4  # the write task died once too
    assert verify_split(out) == []
    for part in sorted(expected.glob("*-of-*.jsonl")):
        assert (out / part.name).read_bytes() == part.read_bytes()
    assert not list(out.glob(".*"))  # no temporary part left behind


@dataclass
class RecordingProcess:
    """The Ray process step, noting which worker process ran each batch (a file per batch
    in ``folder``) and holding each one long enough that a second CPU has work to take."""

    folder: str
    process: Any

    def __call__(self, batch: Any, plan: Any, sources: Any) -> Any:
        time.sleep(0.2)
        for first in batch["first"]:
            (Path(self.folder) / f"{int(first)}.pid").write_text(str(os.getpid()))
        return self.process(batch, plan, sources)


def test_one_large_shard_is_processed_on_several_workers(
    local_ray: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    root = tmp_path / "one"
    root.mkdir()
    rows = varied_chats(240, seed=11)
    (root / "only.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    pids = tmp_path / "pids"
    pids.mkdir()
    engine_module = sys.modules[RayEngine.__module__]
    monkeypatch.setattr(
        engine_module, "_process", RecordingProcess(str(pids), engine_module._process)
    )
    context = ray.data.DataContext.get_current()
    monkeypatch.setattr(context, "target_max_block_size", 128 * 1024 * 1024)  # Ray's default
    local = _split(root, tmp_path / "local", sharded=True)
    remote = _split(root, tmp_path / "ray", engine=RayEngine(batch_size=BATCH))

    assert remote.pop("run") == {"engine": "ray"} and local.pop("run") == {"engine": "local"}
    assert remote == local
    for part in sorted((tmp_path / "local").glob("*-of-*.jsonl")):
        assert (tmp_path / "ray" / part.name).read_bytes() == part.read_bytes()
    ran = {p.name: p.read_text() for p in pids.iterdir()}
    assert len(ran) == 240 // BATCH + 1  # every batch of the one shard (and the empty last)
    assert len(set(ran.values())) > 1  # by more than one worker process

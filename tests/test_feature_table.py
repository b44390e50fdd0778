"""The feature table's storage: coded object columns read like lists, and a table spilled
to disk past its memory budget gives the same report and split as one held in memory,
leaving no temporary file behind."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from ftprep.api import make_config
from ftprep.columns import GONE, Coded
from ftprep.engine import analyze
from ftprep.features import FeatureTable
from ftprep.report.build import build_report
from tests.test_engine_jobs import _mixed_lines

REAL = Path(__file__).parent / "data" / "real"


def test_coded_column_reads_like_its_list():
    values = ["chat", None, "text", "chat", (1, 0.5), None, "chat"]
    col = Coded.of(values)
    assert list(col) == values and len(col) == 7
    assert [col[i] for i in range(7)] == values and col[2:4] == ["text", "chat"]
    assert col[np.int64(4)] == (1, 0.5)
    assert set(col) == {"chat", "text", None, (1, 0.5)}
    assert (np.asarray(col, dtype=object) == "chat").tolist() == [v == "chat" for v in values]
    assert len(col.values) == 3  # each distinct value once
    col[0] = None
    col[1] = "new"
    assert list(col)[:2] == [None, "new"]


def test_coded_column_releases_a_value_no_row_holds():
    text = "a long sampled text " * 10
    col = Coded.of([text, "b", text])
    col[0] = None
    assert col.values[0] is text  # row 2 still holds it
    col[2] = None
    col[1] = None
    assert col.values == [GONE, GONE] and list(col) == [None, None, None]
    col[1] = "c"
    assert list(col) == [None, "c", None]


def test_coded_join_keeps_order_drops_released_values_and_keeps_arrays():
    a = Coded.of(["x", None, "y"])
    b = Coded.of([np.arange(3), "x", "z"])
    b[2] = None  # released by a gatherer: "z" is no longer held
    joined = Coded.join([a, b])
    assert [v if not isinstance(v, np.ndarray) else v.tolist() for v in joined] == [
        "x",
        None,
        "y",
        [0, 1, 2],
        "x",
        None,
    ]
    assert len(joined.values) == 3 and joined.codes.dtype == np.int8  # "z" was let go


def test_table_spills_numpy_columns_to_read_only_maps_and_removes_its_files(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    mem, disk = FeatureTable(["x"]), FeatureTable(["x"], spill=0)
    rng = np.random.default_rng(0)
    for start in range(0, 50, 10):
        batch = {
            "record": np.arange(start, start + 10, dtype=np.int64),
            "sig": rng.integers(0, 2**16, size=(10, 8), dtype=np.uint16),
            "label": [None if i % 3 else f"l{i % 2}" for i in range(10)],
        }
        for table in (mem, disk):
            table.append(
                {k: (v.copy() if isinstance(v, np.ndarray) else list(v)) for k, v in batch.items()}
            )
    assert list(tmp_path.glob("ftprep-features-*/*"))  # on disk while gathering
    for table in (mem, disk):
        table.finish()
    assert not mem.spilled and disk.spilled
    assert isinstance(disk["sig"], np.memmap) and not disk["sig"].flags.writeable
    assert np.array_equal(mem["sig"], disk["sig"]) and mem["sig"].dtype == disk["sig"].dtype
    assert np.array_equal(mem["record"], disk["record"]) and disk.n == 50
    assert list(mem["label"]) == list(disk["label"])
    assert list(tmp_path.iterdir()) == []  # the maps stay readable, the files are gone
    assert int(disk["sig"][49, 7]) == int(mem["sig"][49, 7])
    disk.release_pages()  # pages dropped from memory read back from the (removed) file
    assert np.array_equal(mem["sig"], disk["sig"])


def _run(path: Path, monkeypatch: pytest.MonkeyPatch, budget_mb: str | None) -> tuple[str, bool]:
    if budget_mb is None:
        monkeypatch.delenv("FTPREP_FEATURE_MEMORY_MB", raising=False)
    else:
        monkeypatch.setenv("FTPREP_FEATURE_MEMORY_MB", budget_mb)
    config = make_config(None, sets=["diverse.coverage.sample_size=100"])
    analysis = analyze([path], config, jobs=1, batch_size=37)
    return build_report(analysis).to_json(), analysis.features.spilled


def test_spilled_run_gives_the_same_report(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    in_memory, spilled_a = _run(path, monkeypatch, None)
    on_disk, spilled_b = _run(path, monkeypatch, "0")
    assert (spilled_a, spilled_b) == (False, True)
    assert on_disk == in_memory
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["gpteacher_toolformer.jsonl", "llamafactory_glaive_toolcall_en_demo.json"]
)
def test_spilled_split_is_byte_identical(name, cli, tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    outs = []
    for budget in (None, "0"):
        if budget is None:
            monkeypatch.delenv("FTPREP_FEATURE_MEMORY_MB", raising=False)
        else:
            monkeypatch.setenv("FTPREP_FEATURE_MEMORY_MB", budget)
        out = tmp_path / "out"  # one path: the report names it
        result = cli("split", REAL / name, "--out", out, "--jobs", "1", "-q")
        assert result.exit_code in (0, 1), result.output
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
        shutil.rmtree(out)
    assert outs[0].keys() == outs[1].keys() and "train.jsonl" in outs[0]
    assert outs[0] == outs[1]
    assert list(temp.iterdir()) == []


def test_memory_is_trimmed_only_when_there_may_be_enough_to_give_back(monkeypatch):
    """A trim costs the same whatever it finds: it runs when the heap's free bytes or the
    resident bytes grew by TRIM_SLACK since the last one, and whenever either is unknown."""
    from ftprep import allocator

    trims: list[int] = []
    now: list[tuple[int, int] | None] = [(100, 1000)]
    monkeypatch.setattr(allocator, "_TRIM", lambda pad: trims.append(pad) or 0)
    monkeypatch.setattr(allocator, "_memory_now", lambda: now[0])
    monkeypatch.setattr(allocator, "_after_trim", [None])
    slack = allocator.TRIM_SLACK
    allocator.give_back_freed_memory()  # nothing known about the last trim: trims
    assert len(trims) == 1
    now[0] = (100 + slack - 1, 1000 + slack - 1)
    allocator.give_back_freed_memory()  # less than the slack each: nothing to give back
    assert len(trims) == 1
    now[0] = (100 + slack, 1000)  # freed memory in the heap
    allocator.give_back_freed_memory()
    assert len(trims) == 2
    now[0] = (50, 1000 + slack)  # free space used (resident grew), then maybe freed
    allocator.give_back_freed_memory()
    assert len(trims) == 3
    now[0] = (10, 900)  # less than after that trim: the least seen is the new base
    allocator.give_back_freed_memory()
    assert len(trims) == 3 and allocator._after_trim[0] == (10, 900)
    now[0] = (10 + slack, 900)
    allocator.give_back_freed_memory()
    assert len(trims) == 4
    now[0] = None  # unreadable: trims every time, as before
    allocator.give_back_freed_memory()
    assert len(trims) == 5


@pytest.mark.parametrize("spill", [None, 0])
def test_locations_are_location_row_by_row(spill, tmp_path, monkeypatch):
    """FeatureTable.locations (a chunk's columns read at once) gives, lazily, the models
    location() gives row by row: the same fields, values and set fields, across chunks,
    with and without details, from columns in memory or mapped from disk."""
    import ftprep.features as features

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(features, "LOCATION_CHUNK", 7)
    table = FeatureTable(["a.jsonl", "b.csv"], spill=spill)
    n = 40
    table.append(
        {
            "record": np.arange(n, dtype=np.int64),
            "source": (np.arange(n) % 3 == 0).astype(np.int64),
            "line": np.arange(n, dtype=np.int64) * 3 + 1,
        }
    )
    table.finish()
    rng = np.random.default_rng(2)
    for rows in ([], [5], rng.integers(0, n, 30).tolist(), list(range(n))):
        details = [None if r % 2 else f"d{r} é" for r in rows]
        for given in (None, details):
            got = list(table.locations(rows, given))
            want = [
                table.location(r, None if given is None else given[k]) for k, r in enumerate(rows)
            ]
            assert got == want
            assert [g.model_dump_json() for g in got] == [w.model_dump_json() for w in want]
            assert [g.model_fields_set for g in got] == [w.model_fields_set for w in want]
    lazy = table.locations(list(range(n)))
    assert next(lazy) == table.location(0)

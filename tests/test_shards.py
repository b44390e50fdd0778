"""A folder of shards or a glob pattern as input: each data file is its own input, in a
stable order, with its own lines in every location."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.conftest import chat, varied_chats


def _shards(root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = varied_chats(240, seed=21)
    first, second = rows[:130], rows[130:]
    first[4] = chat("Hi, my email is dana.whitfield@gmail.com, update my account please.",
                    "Done, Dana.")  # fmt: skip
    second[7] = dict(first[20])  # a copy across shards
    (root / "2026" / "part").mkdir(parents=True)
    (root / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in first), "utf-8")
    with gzip.open(root / "2026" / "part" / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in second))
    (root / ".hidden.jsonl").write_text("{broken\n", "utf-8")  # never read
    (root / "notes.txt.bak").write_text("not data\n", "utf-8")  # not a data file
    return first, second


def test_a_folder_of_shards_is_read_shard_by_shard(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "shards"
    _shards(root)
    report = json.loads(cli("validate", str(root), "--json").stdout)
    # sorted by path inside the folder: "2026/part/b.jsonl.gz" before "a.jsonl"
    assert [i["path"] for i in report["inputs"]] == [
        str(root / "2026" / "part" / "b.jsonl.gz"),
        str(root / "a.jsonl"),
    ]
    assert [i["records"] for i in report["inputs"]] == [110, 130]
    pii = next(f for f in report["findings"] if f["check"] == "clean.pii")
    assert [(loc["source"], loc["line"]) for loc in pii["locations"]] == [
        (str(root / "a.jsonl"), 5)
    ]
    dup = next(f for f in report["findings"] if f["check"] == "clean.exact_duplicate")
    assert {(loc["source"], loc["line"]) for loc in dup["locations"]} <= {
        (str(root / "2026" / "part" / "b.jsonl.gz"), 8),
        (str(root / "a.jsonl"), 21),
    }
    assert (str(root / "a.jsonl"), 21) in {(loc["source"], loc["line"]) for loc in dup["locations"]}


def test_a_quoted_glob_and_rerunning_a_split_into_the_folder(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "shards"
    _shards(root)
    pattern = str(root / "**" / "*.jsonl*")
    report = json.loads(cli("validate", pattern, "--json").stdout)
    assert len(report["inputs"]) == 2
    out = root / "prepared"
    for _ in range(2):  # the second run must not read the first run's output
        result = cli("split", str(root), "--out", str(out), "-q")
        assert result.exit_code in (0, 1), result.stderr
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert sum(i["records"] for i in report["inputs"]) == 240
        split = report["split"]
        assert (
            split["train"]["examples"] + split["validation"]["examples"] + split["dropped"] == 240
        )


def test_nothing_to_read_is_one_clear_error(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("validate", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no data files" in result.stderr
    result = cli("validate", str(tmp_path / "nothing-*.jsonl"))
    assert result.exit_code == 2 and "no data file matches this pattern" in result.stderr

"""Split: conservation, determinism, duplicates on one side, atomic and safe writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.errors import OutputError
from ftprep.split.plan import DROPPED, TRAIN, VALIDATION, plan_split
from tests.conftest import chat, varied_chats


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_are_conserved_and_drops_listed(write_jsonl, tmp_path):
    records = [*varied_chats(200), "{broken", {"messages": [{"role": "user", "content": "q"}]}]
    path = write_jsonl(records)
    report = ftprep.split(path, tmp_path / "out")
    s = report.split
    train = read_jsonl(tmp_path / "out" / "train.jsonl")
    val = read_jsonl(tmp_path / "out" / "validation.jsonl")
    assert len(train) == s.train.examples and len(val) == s.validation.examples
    assert s.train.examples + s.validation.examples + s.dropped == len(records)
    assert [(d.reason, [loc.line for loc in d.locations]) for d in s.drops] == [
        ("clean.malformed_json", [201])
    ]
    assert s.validation.examples == 20  # round(0.1 * 201 kept)


def test_fix_drops_untrainable_and_repeats_and_conserves(write_jsonl, tmp_path):
    base = varied_chats(150)
    records = [
        *base,
        base[0],
        {"messages": [{"role": "user", "content": "q"}]},
        chat("question?", "  "),
    ]
    path = write_jsonl(records)
    report = ftprep.fix(path, tmp_path / "out")
    s = report.split
    drops = {d.reason: [loc.line for loc in d.locations] for d in s.drops}
    assert drops == {
        "clean.exact_duplicate": [151],
        "clean.no_assistant_message": [152],
        "clean.empty_turn": [153],
    }
    assert s.train.examples + s.validation.examples + s.dropped == len(records)
    assert report.checklist.clean.status == "pass"
    assert report.checklist.sufficient.metrics["examples"] == len(records) - 3


def test_same_seed_gives_byte_identical_outputs(write_jsonl, tmp_path):
    path = write_jsonl(varied_chats(300))
    ftprep.split(path, tmp_path / "a", seed=7)
    ftprep.split(path, tmp_path / "b", seed=7)
    ftprep.split(path, tmp_path / "c", seed=8)
    for name in ("train.jsonl", "validation.jsonl", "report.json", "report.md", "report.html"):
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        if name.startswith("report"):
            a, b = a.replace(b"/a/", b"/x/"), b.replace(b"/b/", b"/x/")
        assert a == b, name
    assert (tmp_path / "a" / "validation.jsonl").read_bytes() != (
        tmp_path / "c" / "validation.jsonl"
    ).read_bytes()


def test_duplicates_and_metadata_groups_never_straddle(write_jsonl, tmp_path):
    base = varied_chats(200)
    records = []
    for i, rec in enumerate(base):
        records.append({**rec, "conversation_id": f"c{i // 4}"})
    records += [base[i] for i in range(0, 200, 5)]
    path = write_jsonl(records)
    ftprep.split(path, tmp_path / "out")
    train = read_jsonl(tmp_path / "out" / "train.jsonl")
    val = read_jsonl(tmp_path / "out" / "validation.jsonl")
    key = lambda r: json.dumps(r["messages"])  # noqa: E731
    assert not {key(r) for r in train} & {key(r) for r in val}
    side = {key(r): "t" for r in train} | {key(r): "v" for r in val}
    for start in range(0, 200, 4):
        assert len({side[key(base[i])] for i in range(start, start + 4)}) == 1


def test_stable_under_growth_with_stable_strata(write_jsonl, tmp_path):
    """With labels as strata, adding data keeps earlier validation examples in validation
    (groups are ordered by a seeded hash of their content, not by position)."""
    labelled = [{**r, "label": f"L{i % 3}"} for i, r in enumerate(varied_chats(330))]
    ftprep.split(write_jsonl(labelled[:300], "a.jsonl"), tmp_path / "a")
    ftprep.split(write_jsonl(labelled, "b.jsonl"), tmp_path / "b")
    val_a = set((tmp_path / "a" / "validation.jsonl").read_text().splitlines())
    val_b = set((tmp_path / "b" / "validation.jsonl").read_text().splitlines())
    assert len(val_a & val_b) >= 0.8 * len(val_a)


def test_refuses_to_overwrite_an_input(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in varied_chats(20)))
    before = path.read_bytes()
    with pytest.raises(OutputError, match="refusing to overwrite an input"):
        ftprep.split(path, out)
    assert path.read_bytes() == before


def test_no_temporary_files_left(write_jsonl, tmp_path):
    ftprep.split(write_jsonl(varied_chats(50)), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "findings.jsonl",
        "ftprep-manifest.json",
        "report.html",
        "report.json",
        "report.md",
        "train.jsonl",
        "validation.jsonl",
    ]


def test_outputs_are_openai_chat_records(write_jsonl, tmp_path):
    record = {
        "messages": [
            {"role": "user", "content": "é"},
            {"role": "assistant", "content": "ü", "weight": 1},
        ],
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "id": 3,
    }
    ftprep.split(write_jsonl([record] * 1 + varied_chats(30)), tmp_path / "o", seed=1)
    lines = (tmp_path / "o" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (tmp_path / "o" / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    assert (
        json.dumps({"messages": record["messages"], "tools": record["tools"]}, ensure_ascii=False)
        in lines
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 30), min_size=0, max_size=120),
    st.lists(st.booleans(), min_size=120, max_size=120),
    st.floats(0.05, 0.5),
    st.integers(0, 5),
    st.lists(st.integers(0, 10), min_size=120, max_size=120),
)
def test_plan_invariants(contents, kept_bits, fraction, seed, groups):
    n = len(contents)
    content = np.array(contents, dtype=np.uint64)
    kept = np.array(kept_bits[:n], dtype=bool)
    meta = np.array(groups[:n], dtype=np.uint64)
    keys = [(meta, meta % 3 == 0)]
    plan = plan_split(content, kept, seed=seed, fraction=fraction, group_keys=keys)
    again = plan_split(content, kept, seed=seed, fraction=fraction, group_keys=keys)
    a = plan.assignment
    assert (a == again.assignment).all()
    assert ((a == DROPPED) == ~kept).all()
    assert plan.validation <= plan.target_validation
    for key in set(contents):
        sides = set(a[(content == key) & kept])
        assert len(sides) <= 1
    for g in set(meta[meta % 3 == 0]):
        sides = set(a[(meta == g) & kept])
        assert len(sides) <= 1
    if kept.sum() >= 2:
        assert (a == TRAIN).sum() >= 1
    assert set(np.unique(a)) <= {TRAIN, VALIDATION, DROPPED}


def test_existing_split_reports_problems_inside_the_validation_file(write_jsonl):
    records = varied_chats(300)
    train = write_jsonl(records[:270], "train.jsonl")
    val = write_jsonl(
        [*records[270:], "{broken", chat("Write to maria.garcia82@acme-corp.com today", "Done.")],
        "val.jsonl",
    )
    report = ftprep.validate(train, validation=val)
    assert [(i.path, i.records) for i in report.inputs] == [(str(train), 270), (str(val), 32)]
    malformed = report.findings_for("clean.malformed_json")[0]
    assert [(loc.source, loc.line) for loc in malformed.locations] == [(str(val), 31)]
    pii = report.findings_for("clean.pii")[0]
    assert [(loc.source, loc.line) for loc in pii.locations] == [(str(val), 32)]
    assert "maria.garcia82" not in report.to_json()
    assert report.checklist.clean.status == "fail" and report.verdict == "not_ready"


def _fill_every_group(order, held, group_stratum, sizes, quotas) -> list[int]:
    """The greedy fill as first written: every group in order, numpy scalars."""
    filled = np.zeros(len(quotas), dtype=np.int64)
    taken = []
    for g in order:
        if held[g]:
            continue
        s = group_stratum[g]
        if filled[s] + sizes[g] <= quotas[s]:
            taken.append(int(g))
            filled[s] += sizes[g]
    return taken


@settings(max_examples=200, deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.integers(1, 6), st.integers(0, 3), st.booleans()), min_size=0, max_size=60
    ),
    quotas=st.lists(st.integers(0, 20), min_size=4, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_fill_stops_early_with_the_groups_of_a_full_walk(groups, quotas, seed):
    """The walk that stops once every stratum is full takes the groups the full walk does."""
    from ftprep.split.plan import _fill

    sizes = np.array([g[0] for g in groups], dtype=np.int64)
    strata = np.array([g[1] for g in groups], dtype=np.int64)
    held = np.array([g[2] for g in groups], dtype=bool)
    order = np.random.default_rng(seed).permutation(len(groups))
    q = np.array(quotas, dtype=np.int64)
    assert _fill(order, held, strata, sizes, q) == _fill_every_group(order, held, strata, sizes, q)

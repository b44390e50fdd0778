"""The engine seam: the same report whatever the number of processes and the batch size."""

from __future__ import annotations

import json
from dataclasses import replace

from ftprep.api import make_config
from ftprep.batch import MIN_PIECE, first_split, last_split, split_batch
from ftprep.engine import _record_batches, analyze
from ftprep.loaders import LoadOptions, open_source
from ftprep.loaders.readers import JsonLines
from ftprep.report.build import build_report
from tests import reports
from tests.conftest import chat, varied_chats


def _mixed_lines() -> list[str]:
    """Duplicates, near duplicates, broken lines, labels, shared system prompts and JSON
    answers spread over many batches, so every gatherer and cross-batch group is used."""
    lines = reports.defect_lines(300)
    extra = varied_chats(200, seed=3)
    for i, rec in enumerate(extra):
        if i % 4 == 0:
            rec["messages"].insert(0, {"role": "system", "content": f"You are agent {i % 3}."})
        if i % 5 == 0:
            rec["messages"][-1]["content"] = json.dumps({"answer": i % 7, "ok": True})
    lines += [json.dumps(r) for r in extra]
    lines += lines[5:40]  # exact copies far from their originals (other batches)
    lines += [json.dumps(chat("What is the refund window?", f"{d} days.")) for d in (14, 30)]
    lines.insert(250, "{not json")
    return lines


def _report(path, jobs: int, batch_size: int) -> str:
    sets = [
        f"clean.over_token_limit.max_tokens={reports.TOKEN_LIMIT}",
        "diverse.coverage.sample_size=100",
    ]
    config = make_config(None, sets=sets)
    analysis = analyze([path], config, jobs=jobs, batch_size=batch_size)
    return build_report(analysis).to_json()


def test_report_is_byte_identical_for_any_jobs_and_batch_size(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    one_batch = _report(path, jobs=1, batch_size=4096)
    data = json.loads(one_batch)
    assert {f["check"] for f in data["findings"]} >= {
        "clean.exact_duplicate",
        "clean.malformed_json",
        "clean.contradiction",
    }
    assert _report(path, jobs=1, batch_size=37) == one_batch
    assert _report(path, jobs=2, batch_size=37) == one_batch
    # one batch of 538 records, cut in two for the two workers (split_batch)
    assert _report(path, jobs=2, batch_size=4096) == one_batch


def test_a_lone_batch_is_cut_into_consecutive_pieces_for_the_workers(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    source = open_source(path, LoadOptions())
    (batch,) = list(_record_batches([source], None, 4096))
    assert isinstance(batch.raws, JsonLines) and len(batch.raws) == 538
    pieces = split_batch(batch, 2)
    assert [p.first for p in pieces] == [0, 269]
    assert [len(p.raws) for p in pieces] == [269, 269]
    assert [r.line for p in pieces for r in p.raws] == [r.line for r in batch.raws]
    assert len(split_batch(batch, 3)) == 2  # 538 records: room for two pieces of 256
    small = replace(batch, raws=list(batch.raws)[: 2 * MIN_PIECE - 1])
    assert split_batch(small, 2) == [small]  # too small to be worth a second worker


def test_the_last_batch_of_a_run_is_cut_for_the_workers_to_finish_together(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    source = open_source(path, LoadOptions())
    batches = list(_record_batches([source], None, 100))  # 100 x 5, then 38
    big = list(_record_batches([source], None, 270))  # 270, then 268
    assert list(last_split(iter(batches), 2)) == batches  # 38 records: too small to cut
    cut = list(last_split(iter(big), 2))
    assert [(b.first, len(b.raws)) for b in cut] == [(0, 270), (270, 268)]  # < 2 x MIN_PIECE
    whole = list(_record_batches([source], None, 4096))
    cut = list(last_split(iter(whole), 2))
    assert [(b.first, len(b.raws)) for b in cut] == [(0, 269), (269, 269)]
    assert list(last_split(iter([]), 2)) == []


def test_the_first_batch_of_a_run_is_cut_for_the_workers_to_start_together(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    source = open_source(path, LoadOptions())
    big = list(_record_batches([source], None, 270))  # 270, then 268
    assert list(first_split(iter(big), 4)) == big  # 270 records: one piece of 256 at most
    pair = list(_record_batches([source], None, 530))  # 530, then 8
    cut = list(first_split(iter(pair), 4))
    assert [(b.first, len(b.raws)) for b in cut] == [(0, 265), (265, 265), (530, 8)]
    whole = list(_record_batches([source], None, 4096))
    assert list(first_split(iter(whole), 4)) == whole  # a lone batch: last_split's to cut
    assert list(first_split(iter([]), 4)) == []


def test_cli_jobs_option_gives_the_same_split(write_jsonl, cli, tmp_path):
    data = write_jsonl(varied_chats(120))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = cli("split", data, "--out", out, "--jobs", jobs, "-q")
        assert result.exit_code in (0, 1), result.output
        outs.append({n: (out / n).read_bytes() for n in ("train.jsonl", "validation.jsonl")})
    assert outs[0] == outs[1]
    assert cli("validate", data, "--jobs", "0").exit_code == 2


def _plan_of(path, disable: list[str]) -> list[int]:
    config = make_config(None, disable=disable)
    return analyze([path], config, jobs=1).plan.assignment.tolist()


def _contradicting_lines() -> list[str]:
    """Labelled data with exact and near contradictions and near duplicates: every
    grouping the split uses has something to group."""
    records = varied_chats(160, seed=5)
    for i, rec in enumerate(records):
        rec["label"] = ("billing", "shipping")[i % 2]
    # Near contradictions: the same question with one more word, another answer.
    base = varied_chats(40, seed=9)
    for i in range(20):
        question, answer = base[i]["messages"][1]["content"], base[i + 20]["messages"][2]
        records.insert(i * 8, base[i])
        system = base[i]["messages"][0]["content"]
        records.append(chat(question + " Thanks!", answer["content"], system=system))
    return [json.dumps(r) for r in records]


def test_disabling_any_check_leaves_the_split_unchanged(tmp_path):
    from ftprep.checks.base import REGISTRY

    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_contradicting_lines()) + "\n", encoding="utf-8")
    baseline = _plan_of(path, [])
    dataset_checks = sorted(cid for cid, s in REGISTRY.items() if s.kind == "dataset")
    assert "clean.near_contradiction" in dataset_checks
    moved = {}
    for cid in [*dataset_checks, "clean", "diverse", "consistent", "split", "evaluated"]:
        plan = _plan_of(path, [cid])
        if plan != baseline:
            moved[cid] = sum(a != b for a, b in zip(plan, baseline, strict=True))
    everything = [c for c, s in REGISTRY.items() if s.kind != "load"]
    if _plan_of(path, everything) != baseline:
        moved["all checks"] = -1
    assert moved == {}


def test_spawned_workers_are_used_only_for_ftprep_checks(monkeypatch):
    """Under spawn, workers import ftprep but not a notebook's own check: such a run stays
    in-process instead of failing in a worker."""
    import dataclasses
    import multiprocessing

    from ftprep import batch
    from ftprep.checks.base import REGISTRY

    builtin = "clean.empty_turn"
    plan = batch.BatchPlan(make_config(None), "o200k_base", "o200k_base", (builtin,), ("tokens",))
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none: "spawn")
    assert batch._workers_can_run(plan)

    def mine(example, settings):
        yield from ()

    custom = dataclasses.replace(REGISTRY[builtin], id="clean.my_own", func=mine)
    monkeypatch.setitem(REGISTRY, "clean.my_own", custom)
    assert not batch._workers_can_run(dataclasses.replace(plan, example_checks=("clean.my_own",)))
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none: "fork")
    assert batch._workers_can_run(dataclasses.replace(plan, example_checks=("clean.my_own",)))


def test_features_warm_in_the_process_that_forks_the_workers(tmp_path, monkeypatch):
    """What an extractor loads once per process (the contamination index) is loaded before
    the pool forks, once, in the gathering process; the workers inherit it."""
    import multiprocessing
    import os

    from ftprep import features

    if multiprocessing.get_start_method(allow_none=False) != "fork":
        return
    calls: list[int] = []
    spec = features.FEATURES["contamination"]
    assert spec.warm is not None
    warm = spec.warm
    monkeypatch.setitem(
        features.FEATURES,
        "contamination",
        replace(spec, warm=lambda config: (calls.append(os.getpid()), warm(config))[1]),
    )
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    assert _report(path, jobs=2, batch_size=64) == _report(path, jobs=1, batch_size=4096)
    assert calls == [os.getpid()]

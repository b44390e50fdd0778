"""The dataset checks shared with a forked child (jobs > 1): the same report, split and
shared artefacts as the serial run, and the serial run's behaviour when the child fails."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import numpy as np
import pytest

from ftprep import forked_checks
from ftprep.api import make_config
from ftprep.checks.base import REGISTRY
from ftprep.engine import analyze
from ftprep.features import Derived
from ftprep.report.build import build_report
from tests.test_engine_jobs import _mixed_lines

SETS = ["diverse.coverage.sample_size=100"]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def started(monkeypatch):
    """Forks for any table size; records the checks each started child ran."""
    monkeypatch.setattr(forked_checks, "MIN_ROWS", 0)
    sides: list[list[str]] = []
    start = forked_checks.start

    def spy(*args, **kwargs):
        side = start(*args, **kwargs)
        if side is not None:
            sides.append([s.id for s in side.specs])
        return side

    monkeypatch.setattr(forked_checks, "start", spy)
    return sides


def _analysis(path, jobs: int):
    return analyze([path], make_config(None, sets=SETS), jobs=jobs, batch_size=128)


def test_forked_checks_give_the_serial_report_split_and_artefacts(data, started):
    serial = _analysis(data, jobs=1)
    assert started == []  # one job: everything in-process
    forked = _analysis(data, jobs=2)
    assert len(started) == 1
    assert {"diverse.coverage", "clean.near_duplicate"} <= set(started[0])
    assert "clean.near_contradiction" not in started[0]  # the parent's share
    assert build_report(forked).to_json() == build_report(serial).to_json()
    assert list(forked.results) == list(serial.results)  # the same order
    assert forked.plan is not None and serial.plan is not None
    assert np.array_equal(forked.plan.assignment, serial.plan.assignment)
    # the child's artefacts reached the parent: the split and the report read them
    a, b = forked.features.derived, serial.features.derived
    assert a.diversity == b.diversity
    assert (
        a.topics.keys() == b.topics.keys() and a.near_duplicates.keys() == b.near_duplicates.keys()
    )
    for key, (labels, pairs) in b.near_duplicates.items():
        assert np.array_equal(a.near_duplicates[key][0], labels)
        assert np.array_equal(a.near_duplicates[key][1], pairs)
    for key, top in b.topics.items():
        assert np.array_equal(a.topics[key].row_cluster, top.row_cluster)


def test_small_tables_and_one_job_stay_in_process(data, monkeypatch):
    calls = []
    monkeypatch.setattr(forked_checks, "_child", lambda *a: calls.append(a))
    _analysis(data, jobs=2)  # 500 rows: under MIN_ROWS
    monkeypatch.setattr(forked_checks, "MIN_ROWS", 0)
    _analysis(data, jobs=1)
    assert calls == []


def test_a_check_failing_in_the_child_fails_as_in_a_serial_run(data, started, monkeypatch):
    spec = REGISTRY["diverse.coverage"]

    def boom(ft, settings, ctx):
        raise RuntimeError(f"coverage broke in {os.getpid()}")

    monkeypatch.setitem(REGISTRY, spec.id, replace(spec, func=boom))
    with pytest.raises(RuntimeError, match=f"coverage broke in {os.getpid()}$"):
        _analysis(data, jobs=2)  # raised again in this process
    assert started and "diverse.coverage" in started[0]


def test_a_dead_child_costs_its_share_run_here(data, started, monkeypatch):
    serial = build_report(_analysis(data, jobs=1)).to_json()
    monkeypatch.setattr(forked_checks, "_child", lambda *a: os._exit(3))
    assert build_report(_analysis(data, jobs=2)).to_json() == serial
    assert started


def test_derived_delta_carries_new_memos_and_values_only():
    derived = Derived()
    derived.topics["old"] = 1
    before = forked_checks._snapshot(derived)
    derived.topics["new"] = 2
    derived.diversity = {"examples": 3}
    delta = forked_checks._derived_delta(derived, before)
    assert delta == {"topics": {"new": 2}, "diversity": {"examples": 3}}
    parent = Derived()
    parent.topics["old"] = 1
    parent.tasks["mine"] = 4
    forked_checks._merge(parent, json.loads(json.dumps(delta)), forked_checks._snapshot(parent))
    assert parent.topics == {"old": 1, "new": 2} and parent.tasks == {"mine": 4}
    assert parent.diversity == {"examples": 3}

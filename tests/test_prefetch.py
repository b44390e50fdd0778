"""The topic clusters computed in a forked child (jobs > 1) while the parent runs the other
dataset checks: the same report, split and shared artefacts as the serial run, and the
serial run's behaviour when the child fails or dies."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from dataclasses import replace

import numpy as np
import pytest

from ftprep import prefetch
from ftprep.api import make_config
from ftprep.checks.base import REGISTRY
from ftprep.engine import analyze
from ftprep.features import Derived
from ftprep.report.build import build_report
from ftprep.similarity import topics
from tests.test_engine_jobs import _mixed_lines

SETS = ["diverse.coverage.sample_size=100"]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(_mixed_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def here(monkeypatch):
    """Forks for any table size; counts the topic computations of this process (a
    child's are its own)."""
    monkeypatch.setattr(prefetch, "MIN_ROWS", 0)
    pid, calls = os.getpid(), []
    compute = topics._topics

    def counted(*args, **kwargs):
        if os.getpid() == pid:
            calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(topics, "_topics", counted)
    return calls


def _analysis(path, jobs: int):
    return analyze([path], make_config(None, sets=SETS), jobs=jobs, batch_size=128)


def test_prefetched_topics_give_the_serial_report_split_and_artefacts(data, here):
    serial = _analysis(data, jobs=1)
    assert len(here) == 1  # one job: computed in-process
    here.clear()
    forked = _analysis(data, jobs=2)
    assert here == []  # the child's topics served every reader
    assert build_report(forked).to_json() == build_report(serial).to_json()
    assert list(forked.results) == list(serial.results)  # the checks' order
    assert forked.plan is not None and serial.plan is not None
    assert np.array_equal(forked.plan.assignment, serial.plan.assignment)
    a, b = forked.features.derived, serial.features.derived
    assert a.diversity == b.diversity and a.topics.keys() == b.topics.keys()
    for key, top in b.topics.items():
        assert np.array_equal(a.topics[key].row_cluster, top.row_cluster)
        assert a.topics[key].clustering.names == top.clustering.names


def test_a_reader_run_before_the_join_waits_for_the_child(data, here, monkeypatch):
    """No check is held back: the topic readers (consistent.length_outlier among them on
    this data) wait for the child's topics instead of computing them again."""
    serial = build_report(_analysis(data, jobs=1)).to_json()
    here.clear()
    monkeypatch.setattr(prefetch, "READS_TOPICS", ())
    assert build_report(_analysis(data, jobs=2)).to_json() == serial
    assert here == []


def test_small_tables_and_one_job_stay_in_process(data, monkeypatch):
    forks = []
    monkeypatch.setattr(prefetch, "_child", lambda *a: forks.append(a))
    _analysis(data, jobs=2)  # 500 rows: under MIN_ROWS
    monkeypatch.setattr(prefetch, "MIN_ROWS", 0)
    _analysis(data, jobs=1)
    assert forks == []


@pytest.mark.parametrize("how", ["fails", "dies"])
def test_a_child_that_fails_or_dies_leaves_the_topics_to_this_process(data, here, monkeypatch, how):
    serial = build_report(_analysis(data, jobs=1)).to_json()
    here.clear()
    if how == "fails":
        monkeypatch.setattr(topics, "sample_rows", _broken_in_a_child(os.getpid()))
    else:
        monkeypatch.setattr(prefetch, "_child", lambda *a: os._exit(3))
    assert build_report(_analysis(data, jobs=2)).to_json() == serial
    assert len(here) == 1  # computed here instead


def test_a_failing_run_ends_its_child_at_once(data, here, monkeypatch):
    spec = REGISTRY["clean.near_contradiction"]  # runs before the join

    def boom(ft, settings, ctx):
        raise RuntimeError("near_contradiction broke")

    compute = topics._topics

    def slow(*args, **kwargs):  # the child would take a minute
        time.sleep(60)
        return compute(*args, **kwargs)

    monkeypatch.setattr(topics, "_topics", slow)
    monkeypatch.setitem(REGISTRY, spec.id, replace(spec, func=boom))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="near_contradiction broke"):
        _analysis(data, jobs=2)
    assert time.monotonic() - started < 30
    assert multiprocessing.active_children() == []


def _broken_in_a_child(parent: int):
    sample_rows = topics.sample_rows

    def rows(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("broken in the child")
        return sample_rows(*args, **kwargs)

    return rows


def test_derived_delta_carries_new_memos_and_values_only():
    derived = Derived()
    derived.topics["old"] = 1
    before = prefetch._snapshot(derived)
    derived.topics["new"] = 2
    derived.diversity = {"examples": 3}
    delta = prefetch._derived_delta(derived, before)
    assert delta == {"topics": {"new": 2}, "diversity": {"examples": 3}}
    parent = Derived()
    parent.topics["old"] = 1
    parent.tasks["mine"] = 4
    prefetch._merge(parent, json.loads(json.dumps(delta)), prefetch._snapshot(parent))
    assert parent.topics == {"old": 1, "new": 2} and parent.tasks == {"mine": 4}
    assert parent.diversity == {"examples": 3}


def test_reads_topics_names_the_checks_run_last():
    assert prefetch.reads_topics("diverse.coverage")
    assert prefetch.reads_topics("consistent.output_format")
    assert not prefetch.reads_topics("clean.near_contradiction")
    assert not prefetch.reads_topics("consistent.output")


def test_the_child_takes_the_sample_measures_with_the_topics(data, here, monkeypatch):
    """The diverse checks' measures of the sampled texts come with the child's topics:
    the same profile, none of them taken here after the join."""
    from ftprep.checks import diverse

    pid, calls = os.getpid(), []
    measure = diverse.distinct_ns

    def counted(*args, **kwargs):
        if os.getpid() == pid:
            calls.append(1)
        return measure(*args, **kwargs)

    monkeypatch.setattr(diverse, "distinct_ns", counted)
    serial = _analysis(data, jobs=1)
    assert calls  # one job: measured here
    calls.clear()
    forked = _analysis(data, jobs=2)
    assert calls == []
    assert forked.features.derived.diversity == serial.features.derived.diversity
    assert build_report(forked).to_json() == build_report(serial).to_json()


def test_a_helper_of_the_child_that_dies_changes_nothing(data, here, monkeypatch):
    """The child's k-means helper dying leaves its candidates to the child: the same
    report, and the child still serves the topics."""
    from ftprep import forked_map

    serial = build_report(_analysis(data, jobs=1)).to_json()
    here.clear()
    monkeypatch.setattr(forked_map, "_helper", lambda *a: os._exit(3))
    assert build_report(_analysis(data, jobs=2)).to_json() == serial
    assert here == []

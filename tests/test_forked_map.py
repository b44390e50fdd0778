"""Calls shared with a forked helper give the serial results, in order, whatever the helper
does (answers, fails, dies, sends what cannot be read), and a failing caller ends it; the
topic clusters chosen with a helper are the ones chosen without."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from ftprep import forked_map as fm
from ftprep.similarity.embed import cluster, embed

REAL = Path(__file__).resolve().parent / "data" / "real"


def _square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_the_helper_computes_its_share_and_results_keep_their_order() -> None:
    items = list(range(9))
    out = fm.forked_map(_square_with_pid, items, [0, 4, 8])
    assert [v for v, _ in out] == [x * x for x in items]
    pids = {i: pid for i, (_, pid) in enumerate(out)}
    assert {pids[i] for i in (0, 4, 8)} != {os.getpid()}  # computed by the helper
    assert all(pids[i] == os.getpid() for i in items if i not in (0, 4, 8))


def test_no_share_or_no_fork_stays_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(pid == os.getpid() for _, pid in fm.forked_map(_square_with_pid, [1, 2], []))
    monkeypatch.setattr(fm, "can_fork", lambda: False)
    out = fm.forked_map(_square_with_pid, [1, 2, 3], [0, 2])
    assert out == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


def _misbehaving(how: str, parent: int):
    def func(x: int) -> object:
        if os.getpid() != parent:
            if how == "fails":
                raise RuntimeError("broken in the helper")
            if how == "dies":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "unpicklable":
                return lambda: x
            if how == "exits":
                os._exit(0)  # a clean exit without an answer
        return x + 100

    return func


@pytest.mark.parametrize("how", ["fails", "dies", "unpicklable", "exits"])
def test_a_helper_that_does_not_answer_leaves_its_share_to_the_caller(how: str) -> None:
    out = fm.forked_map(_misbehaving(how, os.getpid()), list(range(6)), [1, 3, 5])
    assert out == [x + 100 for x in range(6)]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the helper was reaped


def test_a_failing_caller_ends_its_helper_at_once() -> None:
    parent = os.getpid()

    def func(x: int) -> int:
        if os.getpid() != parent:
            time.sleep(60)  # the helper would take a minute
        elif x == 0:
            raise ValueError("broken here")
        return x

    started = time.monotonic()
    with pytest.raises(ValueError, match="broken here"):
        fm.forked_map(func, [0, 1], [1])
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_meanwhile_runs_once_here_after_the_callers_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's other work runs once, in the caller, after its own share (and before
    it reads the helper's), with a helper or without one; if it fails, the helper is
    ended and the failure raised."""
    for fork in (True, False):
        monkeypatch.setattr(fm, "can_fork", lambda fork=fork: fork)
        calls: list[int] = []
        done: list[int] = []

        def func(x: int, done: list[int] = done) -> tuple[int, int]:
            done.append(x)
            return _square_with_pid(x)

        def meanwhile(calls: list[int] = calls, done: list[int] = done, fork: bool = fork) -> None:
            calls.append(os.getpid())
            assert done == ([0, 2] if fork else [0, 1, 2, 3])

        out = fm.forked_map(func, [0, 1, 2, 3], [1, 3], meanwhile)
        assert [v for v, _ in out] == [0, 1, 4, 9] and calls == [os.getpid()]
        assert fm.forked_map(abs, [-5], [], lambda calls=calls: calls.append(0)) == [5]
        assert len(calls) == 2
    monkeypatch.setattr(fm, "can_fork", lambda: True)

    def broken() -> None:
        raise ValueError("broken meanwhile")

    with pytest.raises(ValueError, match="broken meanwhile"):
        fm.forked_map(lambda x: time.sleep(60 if x else 0), [0, 1], [1], broken)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_clusters_chosen_with_a_helper_are_the_ones_chosen_without() -> None:
    lines = (REAL / "gpteacher_roleplay.jsonl").read_text("utf-8").splitlines()
    texts = [(r["instruction"] + "\n\n" + r["input"]).strip() for r in map(json.loads, lines)]
    rng = np.random.default_rng(2)
    words = " ".join(texts).split()
    texts += [" ".join(rng.choice(words, size=int(rng.integers(3, 40)))) for _ in range(600)]
    emb = embed(texts)
    assert emb is not None
    alone, helped = cluster(emb), cluster(emb, helpers=1)
    assert len(alone.candidates) >= 4 and alone.k >= 2
    assert helped.labels.tobytes() == alone.labels.tobytes()
    assert helped.centers is not None and alone.centers is not None
    assert helped.centers.tobytes() == alone.centers.tobytes()
    assert (helped.names, helped.silhouette, helped.candidates) == (
        alone.names,
        alone.silhouette,
        alone.candidates,
    )

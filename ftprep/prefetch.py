"""The topic clusters computed in a forked child while the parent runs the dataset checks
that do not read them.

After the batches, the dataset checks ran one after another in the parent while the pool's
workers sat idle: at 100,000 examples ~6 s on one core, a third of it embedding and
clustering the sampled inputs (:mod:`ftprep.similarity.topics`), which only the diverse
checks, two consistency checks and the split's strata read. With more than one job,
:func:`start` forks a child that inherits the finished feature table (copy-on-write: nothing
is copied or pickled on the way in) and computes the topics; the parent runs the checks
that do not read them (:func:`reads_topics`) meanwhile, then the ones that may; the
first to ask for the topics waits for the child (:meth:`Prefetch.join` adds its topics to
the table's :class:`~ftprep.features.Derived`, the memo every reader asks). Results are
stored in the checks' order and the topics are a deterministic function of the table and
their settings (single-threaded BLAS, fixed seeds): the report and the split are the
serial run's, byte for byte (tests/test_prefetch.py).

What the child computes is the engine's choice (``engine._topics_work``): the topics,
with the diverse checks' measures of the sampled texts when those checks run, its candidate
k-means runs shared with a helper of its own (:mod:`ftprep.forked_map`), so that the
clustering also gets the core the parent leaves free once its own checks are done.

Only under fork (the child must inherit the table) and for tables big enough to pay for a
fork (:data:`MIN_ROWS`). A child that fails or dies sends nothing: the first reader computes
the topics here, as a serial run does (and fails the same way if that is what they do).
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from dataclasses import dataclass, fields
from multiprocessing.connection import Connection
from typing import Any

from ftprep.allocator import start_worker
from ftprep.features import Derived, FeatureTable
from ftprep.forked_map import can_fork

#: Checks that read the topic clusters (ids, or an item's prefix ending in "."): the diverse
#: checks (their profile names the clusters), ``consistent.output_format`` and
#: ``consistent.length_outlier`` (they compare answers within a cluster when no system
#: prompt defines the task). The parent runs them last, so that it waits for the child
#: (:meth:`~ftprep.features.Derived.settle`, when a check first asks for the topics) only
#: once the rest is done; any other reader would wait for it as well, rather than compute
#: the topics a second time.
READS_TOPICS = ("diverse.", "consistent.output_format", "consistent.length_outlier")
#: The fewest rows worth a fork: below this the topics take less than the fork, the pickled
#: result and the child's start cost.
MIN_ROWS = 5_000

Work = Callable[[FeatureTable], object]


def reads_topics(check_id: str) -> bool:
    """Whether check ``check_id`` reads the topic clusters (see :data:`READS_TOPICS`)."""
    return any(check_id == s or (s.endswith(".") and check_id.startswith(s)) for s in READS_TOPICS)


def _memos(derived: Derived) -> list[str]:
    """The fields of ``derived`` that are dictionaries of memoised results (the others,
    such as the diversity profile, hold one value or None)."""
    return [f.name for f in fields(derived) if f.default_factory is dict]


def _results(derived: Derived) -> list[str]:
    """The fields of ``derived`` that hold results (not the pending computation)."""
    return [f.name for f in fields(derived) if f.name != "pending"]


def _snapshot(derived: Derived) -> dict[str, Any]:
    """The keys of ``derived``'s dictionaries and the values of its other fields."""
    memos = _memos(derived)
    return {
        name: set(getattr(derived, name)) if name in memos else getattr(derived, name)
        for name in _results(derived)
    }


def _derived_delta(derived: Derived, before: dict[str, Any]) -> dict[str, Any]:
    """What was added to ``derived`` since ``before`` (:func:`_snapshot`): new keys of its
    dictionaries, new values of its other fields."""
    memos = _memos(derived)
    delta: dict[str, Any] = {}
    for name in _results(derived):
        value, old = getattr(derived, name), before[name]
        if name in memos:
            added = {k: v for k, v in value.items() if k not in old}
            if added:
                delta[name] = added
        elif value is not old:
            delta[name] = value
    return delta


def _merge(derived: Derived, delta: dict[str, Any], before: dict[str, Any]) -> None:
    """Add the child's ``delta`` to ``derived``; what the parent computed meanwhile (the same
    values: each is a function of the table and its key) is kept."""
    memos = _memos(derived)
    for name, value in delta.items():
        if name in memos:
            mine = getattr(derived, name)
            for k, v in value.items():
                mine.setdefault(k, v)
        elif getattr(derived, name) is before[name]:
            setattr(derived, name, value)


def _child(
    conn: Connection, table: FeatureTable, work: Work
) -> None:  # pragma: no cover (runs in the forked child; tests/test_prefetch.py)
    """Do ``work`` and send what it added to the table's derived results (nothing when it
    fails: the parent then does it again, and fails as a serial run would).

    It starts as the batch pool's workers do (:func:`~ftprep.allocator.start_worker`): the
    allocator keeps freed memory, and the inherited heap is frozen, so the cyclic collector
    never walks (so never copies) the parent's objects."""
    start_worker()
    before = _snapshot(table.derived)
    try:
        work(table)
    except Exception:
        conn.close()
        return
    conn.send_bytes(pickle.dumps(_derived_delta(table.derived, before), protocol=5))
    conn.close()


@dataclass
class Prefetch:
    """A forked child computing derived results (see :func:`start`)."""

    process: Any
    conn: Connection
    before: dict[str, Any]
    #: Whether the child's answer was read (it is then exiting on its own).
    answered: bool = False

    def join(self, table: FeatureTable) -> None:
        """Wait for the child and add what it computed to ``table``'s derived results
        (nothing when it failed or died: the readers compute it here)."""
        try:
            delta = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError):
            delta = {}
        self.answered = True
        self.close()
        if table.derived.pending is not None:  # joined directly, not through settle()
            table.derived.pending = None
        _merge(table.derived, delta, self.before)

    def close(self) -> None:
        """Reap the child; one whose answer was never read (the run failed or was
        interrupted before it needed the topics) is ended by its pid first."""
        self.conn.close()
        if not self.answered and self.process.is_alive():
            self.process.kill()
        self.process.join()


def start(table: FeatureTable, work: Work, jobs: int) -> Prefetch | None:
    """Fork a child doing ``work`` on ``table`` (None with one job, a table under
    :data:`MIN_ROWS` rows, or no fork: the readers then compute it when they need it)."""
    if jobs <= 1 or table.n < MIN_ROWS or not can_fork():
        return None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    before = _snapshot(table.derived)
    process = ctx.Process(target=_child, args=(send, table, work), daemon=True)
    process.start()
    send.close()
    side = Prefetch(process, receive, before)
    table.derived.pending = lambda: side.join(table)
    return side


__all__ = ["MIN_ROWS", "READS_TOPICS", "Prefetch", "can_fork", "reads_topics", "start"]

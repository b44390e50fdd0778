"""The dataset checks before the split, on two cores: a forked child runs one share of them
while this process runs the rest.

After the batches, the dataset checks ran one after another in the parent while the pool's
workers sat idle: at 100,000 examples, ~6 s on one core, two thirds of it in two checks
that share nothing (the topic clusters behind ``diverse.*``, the near-identical inputs
behind ``clean.near_contradiction``). With more than one job, :func:`start` forks a child
that inherits the finished feature table (copy-on-write: nothing is copied or pickled on the
way in) and runs the :data:`SIDE` checks; the parent runs the others meanwhile, then
:meth:`Side.join` takes the child's results and the shared artefacts it computed (the
entries it added to :class:`~ftprep.features.Derived`: topic clusters, near-duplicate
groups, the task; the split and the report read them). Results are stored in the order of
the checks, whoever ran them, and every artefact is a deterministic function of the table,
memoised by its parameters: the report is the same as the serial run's, byte for byte
(tests/test_forked_checks.py).

Only under fork (the child must inherit the table and the registries) and for tables big
enough to pay for a fork (:data:`MIN_ROWS`). A check that fails in the child is run again in
the parent, where it fails as it would have serially; a child that dies (killed, out of
memory) costs its share run here.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from multiprocessing.connection import Connection
from typing import Any

from ftprep.checks.base import CheckResult, CheckSpec
from ftprep.features import Derived, FeatureTable

#: Checks the child runs (ids, or an item's prefix ending in "."): the diverse checks and
#: the ones reading what they compute, the topic clusters (``consistent.output_format``
#: groups answers by them) and the near-duplicate groups (the diversity profile counts
#: them), so that no artefact is computed on both sides. The parent keeps the rest, whose
#: costliest is ``clean.near_contradiction``: the two shares take about as long.
SIDE = ("diverse.", "clean.near_duplicate", "consistent.output_format")
#: The fewest rows worth a fork: below this the checks take less than the fork, the
#: pickled results and the child's start cost.
MIN_ROWS = 5_000

Run = Callable[[CheckSpec], CheckResult]


def on_side(check_id: str) -> bool:
    """Whether the child runs check ``check_id`` (see :data:`SIDE`)."""
    return any(check_id == s or (s.endswith(".") and check_id.startswith(s)) for s in SIDE)


def can_fork() -> bool:
    """Whether a child may be forked: fork is this platform's start method (Linux), as the
    batch pool's workers are."""
    return multiprocessing.get_start_method(allow_none=False) == "fork"


def _memos(derived: Derived) -> list[str]:
    """The fields of ``derived`` that are dictionaries of memoised results (the others,
    such as the diversity profile, hold one value or None)."""
    return [f.name for f in fields(derived) if f.default_factory is dict]


def _snapshot(derived: Derived) -> dict[str, Any]:
    """The keys of ``derived``'s dictionaries and the values of its other fields."""
    memos = _memos(derived)
    return {
        f.name: set(getattr(derived, f.name)) if f.name in memos else getattr(derived, f.name)
        for f in fields(derived)
    }


def _derived_delta(derived: Derived, before: dict[str, Any]) -> dict[str, Any]:
    """What was added to ``derived`` since ``before`` (:func:`_snapshot`): new keys of its
    dictionaries, new values of its other fields."""
    memos = _memos(derived)
    delta: dict[str, Any] = {}
    for f in fields(derived):
        value, old = getattr(derived, f.name), before[f.name]
        if f.name in memos:
            added = {k: v for k, v in value.items() if k not in old}
            if added:
                delta[f.name] = added
        elif value is not old:
            delta[f.name] = value
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
    conn: Connection, table: FeatureTable, specs: list[CheckSpec], run: Run
) -> None:  # pragma: no cover (runs in the forked child; tests/test_forked_checks.py)
    """Run ``specs`` in order and send (id -> result or the error's text, derived delta)."""
    before = _snapshot(table.derived)
    out: dict[str, CheckResult | str] = {}
    for spec in specs:
        try:
            out[spec.id] = run(spec)
        except Exception:  # the parent runs it again, and fails as a serial run would
            out[spec.id] = traceback.format_exc()
            break
        table.release_pages()
    conn.send_bytes(pickle.dumps((out, _derived_delta(table.derived, before)), protocol=5))
    conn.close()


@dataclass
class Side:
    """A forked child running its share of the checks (see :func:`start`)."""

    specs: list[CheckSpec]
    process: Any
    conn: Connection
    before: dict[str, Any]

    def runs(self, check_id: str) -> bool:
        return any(s.id == check_id for s in self.specs)

    def join(self, table: FeatureTable, run: Run) -> dict[str, CheckResult]:
        """The child's results (in its checks' order) once it is done; its derived
        artefacts join ``table``'s. A check it could not run (it failed, or the child died)
        is run here."""
        try:
            out, delta = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError):
            out, delta = {}, {}
        finally:
            self.close()
        _merge(table.derived, delta, self.before)
        results: dict[str, CheckResult] = {}
        for spec in self.specs:
            found = out.get(spec.id)
            results[spec.id] = found if isinstance(found, CheckResult) else run(spec)
        return results

    def close(self) -> None:
        """Wait for the child (ended by its pid if it is still running: an interrupted run)."""
        self.conn.close()
        if self.process.is_alive():
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def start(table: FeatureTable, specs: list[CheckSpec], run: Run, jobs: int) -> Side | None:
    """Fork a child running the :data:`SIDE` checks among ``specs`` (None when there are
    none, one job, a table under :data:`MIN_ROWS` rows, or no fork)."""
    side = [s for s in specs if on_side(s.id)]
    if jobs <= 1 or table.n < MIN_ROWS or not side or len(side) == len(specs) or not can_fork():
        return None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    before = _snapshot(table.derived)
    process = ctx.Process(target=_child, args=(send, table, side, run), daemon=True)
    process.start()
    send.close()
    return Side(side, process, receive, before)


__all__ = ["MIN_ROWS", "SIDE", "Side", "can_fork", "on_side", "start"]

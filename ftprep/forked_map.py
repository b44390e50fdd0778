"""Independent calls shared with a forked helper process: the caller computes some, the
helper the others, and the results come back in the list's order.

Made for the candidate k-means runs of the topic clusters (:func:`ftprep.similarity.embed.
cluster`), which the topics child (:mod:`ftprep.prefetch`) otherwise runs one after another
while the parent may already be idle: each candidate is a deterministic function of the
shared vectors, so the helper's results are the ones the caller would have computed, and
the choice among them is made here, in the list's order, as before.

The helper is a plain :func:`os.fork` (a daemonic ``multiprocessing`` child such as the
topics child may not start ``multiprocessing`` children): it inherits the caller's memory
copy-on-write, freezes it (the cyclic collector then never walks, so never copies, it),
sends its pickled results through a pipe and leaves with :func:`os._exit` (no exit handler
nor buffer of the caller's runs twice). A helper that fails, dies or sends something
unreadable is reaped and its share computed here, so the results are always the serial
ones; one still running when the caller fails is killed by its pid.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether a helper may be forked: fork is this platform's start method (Linux), as
    for the batch pool's workers and the topics child."""
    return hasattr(os, "fork") and multiprocessing.get_start_method(allow_none=False) == "fork"


def _helper(
    write: int, func: Callable[[T], R], items: list[T]
) -> None:  # pragma: no cover (runs in the forked helper; tests/test_forked_map.py)
    """Compute ``func`` over ``items`` and send the pickled results (nothing on failure)."""
    status = 1
    try:
        gc.freeze()
        data = pickle.dumps([func(item) for item in items], protocol=5)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        status = 0
    finally:
        os._exit(status)


def _read_all(fd: int) -> bytes:
    """Everything written to the pipe ``fd`` until its writer closes it."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def forked_map(
    func: Callable[[T], R],
    items: Sequence[T],
    theirs: Sequence[int],
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, the items at positions ``theirs`` computed by a
    forked helper meanwhile (all of them here when there is none, or fork is unavailable).

    ``func`` must be deterministic and its results picklable: the helper's results are
    then the ones computed here would have been. ``meanwhile``: other work of the
    caller's, independent of these results, called once here after the caller's own share
    and before it waits for the helper's (after all of them without a helper): the time
    the caller would otherwise spend waiting."""
    share = sorted(set(theirs))
    if not share or not can_fork():
        computed = [func(item) for item in items]
        if meanwhile is not None:
            meanwhile()
        return computed
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the helper)
        os.close(read)
        _helper(write, func, [items[i] for i in share])
    os.close(write)
    answered = False
    try:
        helped = set(share)
        results: dict[int, R] = {i: func(item) for i, item in enumerate(items) if i not in helped}
        if meanwhile is not None:
            meanwhile()
        data = _read_all(read)
        answered = True
    finally:
        os.close(read)
        if not answered:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    try:
        theirs_done = pickle.loads(data) if status == 0 else None
    except Exception:  # a truncated or unreadable answer: computed here instead
        theirs_done = None
    if not isinstance(theirs_done, list) or len(theirs_done) != len(share):
        theirs_done = [func(items[i]) for i in share]
    results.update(zip(share, theirs_done, strict=True))
    return [results[i] for i in range(len(items))]


__all__ = ["can_fork", "forked_map"]

"""Memory-allocator settings for the processes that do a run's batch work.

A worker makes and drops many numpy arrays per batch, most of them between a few hundred
kilobytes and a few megabytes. glibc's ``malloc`` serves blocks above its mmap threshold
(128 KiB at start, raised only by what it has seen freed) with a fresh ``mmap``, and hands
freed heap tops back to the system past its trim threshold; either way the next array of
that size comes from new pages, and the kernel zero-fills each one on first touch. On the
2-core machine of issue 11 those page faults were 3-5% of the workers' CPU. Raising both
thresholds makes freed blocks stay in the heap and be reused, for a few MiB more resident
memory per worker (the batch's arrays are what is kept, not the data).

Only the pool's workers and the forked helpers call this: the caller's own process (a
notebook, a service) keeps the allocator it had. Elsewhere than glibc (macOS, Windows,
musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks below this come from the heap; freed heap tops below the trim threshold are kept.
MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 128 << 20


def keep_freed_memory() -> bool:
    """Raise glibc malloc's mmap and trim thresholds in this process (True when it did)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt to speak of)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and done


def start_worker() -> None:
    """A pool worker's start: the allocator settings above, then freeze the heap it starts
    with, so the cyclic collector never rescans the inherited modules, registries and
    indexes (3-7% of a worker's CPU, measured on chat batches) and, under fork, never
    touches (so never copies) their pages."""
    import gc

    keep_freed_memory()
    gc.freeze()

"""glibc's memory allocator, as ftprep's processes use it.

Two needs, one module: the process that gathers the feature table hands freed heap space
back to the system after joins and between dataset checks (:func:`give_back_freed_memory`),
so its peak reflects what the run holds; the processes ftprep starts for itself do the
opposite and keep freed memory for reuse (:func:`keep_freed_memory`).

Why the second: a worker makes and drops many numpy arrays per batch, most of them between
a few hundred kilobytes and a few megabytes. glibc's ``malloc`` serves blocks above its mmap
threshold (128 KiB at start, raised only by what it has seen freed) with a fresh ``mmap``,
and hands freed heap tops back to the system past its trim threshold; either way the next
array of that size comes from new pages, and the kernel zero-fills each one on first touch.
On the 2-core machine of issue 11 those page faults were 3-5% of the workers' CPU. Raising
both thresholds makes freed blocks stay in the heap and be reused, for a few MiB more
resident memory per worker (the batch's arrays are what is kept, not the data). Only the
pool's workers and the forked helpers call it: the caller's own process (a notebook, a
service) keeps the allocator it had.

Elsewhere than glibc (macOS, Windows, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from typing import Any

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks below this come from the heap; freed heap tops below the trim threshold are kept.
MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 128 << 20


def _glibc(name: str) -> Any:
    """The C library function ``name`` of this process (None off Linux or without it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


_TRIM = _glibc("malloc_trim")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _heap_free_reader() -> Callable[[], int] | None:
    """A reader of the bytes glibc's heap holds free (``mallinfo2().fordblks``; glibc 2.33
    and later), None where there is none."""
    info = _glibc("mallinfo2")
    if info is None:
        return None
    info.restype = _MallInfo2
    return lambda: int(info().fordblks)


_HEAP_FREE = _heap_free_reader() if _TRIM is not None else None
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident() -> int | None:
    """The process's resident bytes (Linux), or None where /proc cannot tell."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


#: Bytes the heap's free space or the process's resident memory may have grown by since
#: the last trim before :func:`give_back_freed_memory` trims again.
TRIM_SLACK = 8 << 20
#: (heap free bytes, resident bytes) right after the last trim, each lowered to the least
#: seen since; None before the first trim (or where either cannot be read).
_after_trim: list[tuple[int, int] | None] = [None]


def _memory_now() -> tuple[int, int] | None:
    free = _HEAP_FREE() if _HEAP_FREE is not None else None
    resident = _resident()
    return None if free is None or resident is None else (free, resident)


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc only; a no-op elsewhere).

    The table is gathered as thousands of small per-batch chunks and joined into a few large
    columns; once joined, the chunks are freed, but glibc keeps the freed space in its heap,
    where it still counts as the process's memory (~110 MB at 100,000 examples, measured
    with bench/rss_stages.py). Trimming after the join and between dataset checks gives it
    back, so the peak reflects what the run holds.

    A trim walks the whole heap and advises the kernel of every free page, given back
    before or not: 1-3 ms a call, ~0.2 s of a 100,000-example run's 76 calls. So a call
    trims only when, since the last trim, the heap's free bytes or the process's resident
    bytes grew by :data:`TRIM_SLACK` (memory freed, or free space used and maybe freed
    again): otherwise there is less than that to give back."""
    if _TRIM is None:
        return
    now, last = _memory_now(), _after_trim[0]
    if now and last and max(now[0] - last[0], now[1] - last[1]) < TRIM_SLACK:
        _after_trim[0] = (min(now[0], last[0]), min(now[1], last[1]))
        return
    _TRIM(0)
    _after_trim[0] = _memory_now()


def keep_freed_memory() -> bool:
    """Raise glibc malloc's mmap and trim thresholds in this process (True when it did)."""
    mallopt = _glibc("mallopt")
    if mallopt is None:  # not glibc (musl has no mallopt to speak of)
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

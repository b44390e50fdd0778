"""The workers' allocator settings (ftprep.allocator): freed blocks are reused, not refaulted."""

from __future__ import annotations

import platform
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ftprep.allocator import keep_freed_memory, start_worker

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

#: Twenty rounds of a batch-like pattern: eight 3 MB arrays alive at once, then all freed
#: (untuned, glibc hands the 24 MB heap top back and the next round faults it in again);
#: prints the page faults taken.
_FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "tuned":
    from ftprep.allocator import keep_freed_memory
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    held = [np.ones(375_000) for _ in range(8)]
    del held
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],  # this checkout's ftprep
    )
    return int(out.stdout)


@pytest.mark.skipif(not GLIBC, reason="the settings are glibc malloc's")
def test_freed_large_blocks_are_reused_not_faulted_in_again() -> None:
    untuned, tuned = _faults("plain"), _faults("tuned")
    pages = 8 * 3_000_000 // 4096  # one round's arrays
    assert untuned > 10 * pages  # most rounds fault their arrays in anew
    assert tuned < 2 * pages  # the first round only, then the same pages again


@pytest.mark.skipif(GLIBC, reason="off glibc it must do nothing")
def test_elsewhere_it_does_nothing() -> None:
    assert keep_freed_memory() is False


def _round_faults() -> int:
    """Page faults of the pattern's later rounds, in this process as it is."""
    import resource

    import numpy as np

    held = [np.ones(375_000) for _ in range(8)]
    del held
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        held = [np.ones(375_000) for _ in range(8)]
        del held
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _worker_state() -> tuple[int, int]:
    import gc

    return gc.get_freeze_count(), _round_faults()


def test_pool_workers_start_frozen_and_tuned() -> None:
    with ProcessPoolExecutor(1, initializer=start_worker) as pool:
        frozen, faults = pool.submit(_worker_state).result()
    assert frozen > 0
    if GLIBC:  # the rounds after the first reuse their pages
        assert faults < 8 * 3_000_000 // 4096

"""Time the phase after the batches: from joining the feature table to the finished report.

    python bench/serial_phase.py [path] [--jobs 2] [--model gpt-4o-mini]

That phase (the dataset checks, the split plan and the checks of the split, the report)
runs in the parent once every batch is in; with ``--jobs`` > 1 a forked child computes the
topic clusters meanwhile (:mod:`ftprep.prefetch`). Prints its wall time, the parent's CPU
and the CPU of children reaped during it (the prefetch child), and the whole run's wall.
Run from a checkout's root to time that checkout (``PYTHONPATH=.``).
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import ftprep
from ftprep.features import FeatureTable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="/work/benchdata/chat_100000.jsonl")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--model", default="gpt-4o-mini")
    args = parser.parse_args()
    mark: dict[str, float] = {}
    finish = FeatureTable.finish

    def timed_finish(self: FeatureTable) -> Any:
        if self.rows and "wall" not in mark:  # the run's table (not a validation file's)
            mark["wall"], mark["cpu"] = time.perf_counter(), time.process_time()
            mark["children"] = _children_cpu()
        return finish(self)

    FeatureTable.finish = timed_finish  # type: ignore[method-assign]
    start = time.perf_counter()
    ftprep.validate(args.path, model=args.model, jobs=args.jobs)
    end = time.perf_counter()
    print(
        f"after the batches: {end - mark['wall']:.2f} s wall, "
        f"{time.process_time() - mark['cpu']:.2f} s CPU in the parent, "
        f"{_children_cpu() - mark['children']:.2f} s CPU in children; "
        f"whole run {end - start:.2f} s wall"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()

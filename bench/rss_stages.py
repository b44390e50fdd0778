"""Peak RSS of the driver per stage of an analysis: gathering, each dataset check, the split plan.

    python bench/rss_stages.py bench/out/chat_300000.jsonl [--jobs 2]

A thread reads ``/proc/self/statm`` every 20 ms while the analysis runs; each dataset check,
the feature table's ``finish``, ``plan_for`` and the report are wrapped so the sample is
booked to the stage that is running. Linux only. A figure for finding what sets the peak,
not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    from ftprep import engine
    from ftprep.checks.base import REGISTRY
    from ftprep.config import Config
    from ftprep.features import FeatureTable
    from ftprep.report.build import build_report

    stage = ["gathering"]
    peaks: dict[str, int] = {}

    def rss_mib() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096 >> 20

    def sample() -> None:
        while True:
            name = stage[0]
            peaks[name] = max(peaks.get(name, 0), rss_mib())
            time.sleep(0.02)

    def booked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*a: Any, **k: Any) -> Any:
            stage[0] = name
            try:
                return fn(*a, **k)
            finally:
                stage[0] = f"after {name}"

        return run

    for cid, spec in list(REGISTRY.items()):
        if spec.kind == "dataset":
            REGISTRY[cid] = dataclasses.replace(spec, func=booked(cid, spec.func))
    FeatureTable.finish = booked("table.finish", FeatureTable.finish)  # type: ignore[method-assign]
    engine.plan_for = booked("plan_for", engine.plan_for)  # type: ignore[assignment]
    threading.Thread(target=sample, daemon=True).start()
    t0 = time.process_time()
    analysis = engine.analyze([args.path], Config(), jobs=args.jobs)
    stage[0] = "build_report"
    build_report(analysis)
    time.sleep(0.1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"driver cpu {time.process_time() - t0:.1f} s, peak RSS {peak} MiB")
    for name, mib in peaks.items():
        print(f"{mib:7d} MiB  {name}")


if __name__ == "__main__":
    main()

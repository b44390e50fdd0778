"""When a ``validate`` run's phases end: imports, the first and the last batch result, the end.

    python bench/timeline.py bench/out/chat_100000.jsonl [--jobs 2]

Wraps ``ftprep.engine.run_batches`` to stamp the first and the last batch result, so the
wall time splits into start-up (imports, pool start, the first batch), the workers' steady
state and the tail after the last batch (dataset checks, topics, the split plan, the
report). Prints the stamps in seconds from start and the CPU of this process and of its
workers. A figure for finding where wall time goes, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    t0 = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    import ftprep
    from ftprep import engine

    marks: dict[str, float] = {"imported": time.perf_counter() - t0}
    run_batches = engine.run_batches

    def stamped(*a: Any, **k: Any) -> Iterator[Any]:
        for i, result in enumerate(run_batches(*a, **k)):
            if i == 0:
                marks["first batch"] = time.perf_counter() - t0
            yield result
        marks["last batch"] = time.perf_counter() - t0

    engine.run_batches = stamped  # type: ignore[assignment]
    ftprep.validate(str(args.path), jobs=args.jobs)
    marks["end"] = time.perf_counter() - t0
    cpu = os.times()
    print("  ".join(f"{k} {v:.2f} s" for k, v in marks.items()))
    print(
        f"cpu: this process {cpu.user + cpu.system:.2f} s, "
        f"workers {cpu.children_user + cpu.children_system:.2f} s"
    )


if __name__ == "__main__":
    main()

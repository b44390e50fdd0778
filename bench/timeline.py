"""When a ``validate`` run's phases end: imports, the first and the last batch result, the end.

    python bench/timeline.py bench/out/chat_100000.jsonl [--jobs 2] [--tree DIR] [--repeat N]

Wraps ``ftprep.engine.run_batches`` to stamp the first and the last batch result, so the
wall time splits into start-up (imports, pool start, the first batch), the workers' steady
state and the tail after the last batch (dataset checks, topics, the split plan, the
report). Prints the stamps in seconds from start, the tail's length, and the CPU of this
process (in all, and in the tail) and of its children (the workers and the topics child).
``--tree`` times another checkout (its ``ftprep`` is imported instead of this one's), so two
trees can be compared in the same minute; ``--repeat`` runs it N times, each in a fresh
process. A figure for finding where wall time goes, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
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
    parser.add_argument("--tree", type=Path, help="the checkout to time (default: this one)")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each in a new process")
    args = parser.parse_args()
    if "FTPREP_TIMELINE_RUN" not in os.environ and (args.repeat > 1 or args.tree is not None):
        tree = (args.tree or Path(__file__).resolve().parents[1]).resolve()
        command = [sys.executable, __file__, str(args.path), "--jobs", str(args.jobs)]
        env = {**os.environ, "FTPREP_TIMELINE_RUN": str(tree)}
        for _ in range(args.repeat):
            subprocess.run(command, cwd=tree, env=env, check=True)
        return
    if "FTPREP_TIMELINE_RUN" in os.environ:
        sys.path.insert(0, os.environ["FTPREP_TIMELINE_RUN"])

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
        at_last.append(os.times())

    at_last: list[Any] = []
    engine.run_batches = stamped  # type: ignore[assignment]
    ftprep.validate(str(args.path), jobs=args.jobs)
    marks["end"] = time.perf_counter() - t0
    marks["tail"] = marks["end"] - marks["last batch"]
    cpu = os.times()
    print(f"{Path(ftprep.__file__).parents[1]}:")
    print("  " + "  ".join(f"{k} {v:.2f} s" for k, v in marks.items()))
    last = at_last[0]
    mine, children = cpu.user + cpu.system, cpu.children_user + cpu.children_system
    print(
        f"  cpu: this process {mine:.2f} s (tail {mine - last.user - last.system:.2f} s), "
        f"children {children:.2f} s (reaped in the tail: the topics child, "
        f"{children - last.children_user - last.children_system:.2f} s)"
    )


if __name__ == "__main__":
    main()

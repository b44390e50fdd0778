"""Time ``ftprep validate`` next to the floor: read + parse + tiktoken count of the same file.

    python bench/bench_validate.py [--n 100000] [--model gpt-4o-mini] [--natural]

Each measurement runs in a fresh subprocess (so caches and imports do not carry over) and
reports wall time and peak resident memory. The floor is the least any tool must do to
count tokens in the file: read the lines, parse the JSON, and encode every message value
with tiktoken (a plain ``encode_ordinary`` loop, measured faster than the batch API for
short strings). The ratio says what all of ftprep's checks cost on top of it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

FLOOR = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from ftprep.tokens.encodings import get_encoding
enc = get_encoding(sys.argv[2])
texts = []
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        for m in json.loads(line)["messages"]:
            texts.append(m["role"]); texts.append(m.get("content") or "")
encode = enc.encode_ordinary  # faster than encode_ordinary_batch for short strings
total = sum(len(encode(t)) for t in texts)
c = os.times()
print(json.dumps({"seconds": time.perf_counter() - t0, "tokens": total,
                  "cpu": c.user + c.system,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

VALIDATE = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
import ftprep
kwargs = {"jobs": int(sys.argv[4])} if sys.argv[4] != "-" else {}
report = ftprep.validate(sys.argv[1], model=sys.argv[3], **kwargs)
c = os.times()
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({"seconds": time.perf_counter() - t0, "verdict": report.verdict,
                  "cpu": c.user + c.system + c.children_user + c.children_system,
                  "findings": {f.check: f.count for f in report.findings},
                  "tokens": report.stats["tokens"]["total"], "rss_mb": rss,
                  "report_kb": len(report.to_json()) / 1024}))
"""


def run(code: str, *args: str, cwd: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(cwd or HERE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=cwd or HERE.parent,  # ``-c`` puts the working directory first on sys.path
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument(
        "--jobs",
        default="1,2",
        help="comma-separated --jobs values to time validate with ('-': the default)",
    )
    parser.add_argument(
        "--tree", type=Path, help="time another checkout of ftprep (e.g. the previous commit)"
    )
    parser.add_argument(
        "--natural",
        action="store_true",
        help="text with real datasets' vocabulary (make_dataset.py --natural)",
    )
    args = parser.parse_args()
    data = HERE / "out" / f"{'natural' if args.natural else 'chat'}_{args.n}.jsonl"
    if not data.exists():
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "make_dataset.py"), str(args.n), str(data)]
            + (["--natural"] if args.natural else []),
            check=True,
        )
        print(f"generated {data} in {time.perf_counter() - t:.1f}s")
    size_mb = data.stat().st_size / 1e6
    floor = run(FLOOR, str(data), args.encoding)
    print(f"dataset: {args.n:,} examples, {size_mb:.1f} MB, {floor['tokens']:,} content tokens")
    print("(wall time is noisy on a shared machine; cpu = user + sys of all processes)")
    print(
        f"floor (read + parse + tiktoken count): {floor['seconds']:7.2f} s wall, "
        f"{floor['cpu']:7.2f} s cpu, peak RSS {floor['rss_mb']:5.0f} MB"
    )
    for jobs in args.jobs.split(","):
        full = run(VALIDATE, str(data), args.encoding, args.model, jobs, cwd=args.tree)
        print(
            f"ftprep validate --jobs {jobs}:               {full['seconds']:7.2f} s wall, "
            f"{full['cpu']:7.2f} s cpu, peak RSS {full['rss_mb']:5.0f} MB "
            f"(x{full['seconds'] / floor['seconds']:.2f} floor wall, "
            f"{args.n / full['seconds']:,.0f} examples/s; report.json "
            f"{full['report_kb']:,.0f} KB)"
        )
        print(f"  verdict {full['verdict']}; findings {full['findings']}")


if __name__ == "__main__":
    main()

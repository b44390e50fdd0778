"""Time ``split --engine ray`` on a local Ray against the local engine, on the same shards.

    python bench/bench_ray.py [--n 100000] [--shards 8] [--cpus 2] [--data FILE]
    python bench/bench_ray.py --n 1000000          # the scale figure (needs ~25 min, 4 GB)
    python bench/bench_ray.py --n 100000 --features-only   # driver bytes per example

The data (``bench/make_dataset.py``'s chat records, or ``--data``) is cut into ``--shards``
JSONL shards; each run is a fresh subprocess writing a sharded split (``--sharded`` for the
local engine, so both write the same files, which the script compares). Per run it prints
wall time, the **driver's** peak RSS (what limits the dataset one machine can plan), the
driver's CPU and the CPU of everything it started (pool workers, or Ray's raylet, GCS and
workers, read from /proc before Ray shuts down: Linux only), and the three busiest of those
still running (Ray's: whether the work spread over several workers, whatever the wall time
on a busy machine says; the local pool's workers have exited by then).

``--features-only`` runs the analysis and prints what the driver keeps per example: the
feature table's column bytes (numpy arrays exactly, list columns estimated by
``sys.getsizeof`` of their items), the figure docs/scale.md extrapolates from.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RUN = r"""
import json, os, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
import ftprep
shards, out, engine, cpus = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ray = None
if engine == "ray":
    import ray
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    ftprep.split(shards, out, engine="ray")
else:
    ftprep.split(shards, out, sharded=True, jobs=cpus)
wall = time.perf_counter() - t0
ticks = os.sysconf("SC_CLK_TCK")

def proc_cpu(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / ticks  # utime stime cutime cstime

def descendants(pid):
    kids = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out

me = os.times()
driver_cpu = me.user + me.system
helpers = me.children_user + me.children_system
each = []
for pid in descendants(os.getpid()):
    try:
        cpu = proc_cpu(pid)
        each.append((round(cpu, 1), Path(f"/proc/{pid}/comm").read_text().strip()))
    except OSError:
        continue
    helpers += cpu
if ray is not None:
    ray.shutdown()
print(json.dumps({"wall": wall, "driver_cpu": driver_cpu, "helpers_cpu": helpers,
                  "driver_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "busiest": sorted(each, reverse=True)[:3]}))
"""

FEATURES = r"""
import json, sys
import numpy as np
from ftprep.config import Config
from ftprep.engine import analyze
from ftprep.loaders.inputs import expand
from pathlib import Path
analysis = analyze(expand(Path(sys.argv[1])), Config(), jobs=int(sys.argv[2]))
table = analysis.features
sizes = {}
for name in list(table._cols):
    col = table[name]
    if isinstance(col, np.ndarray) and col.dtype != object:
        sizes[name] = int(col.nbytes)
    else:
        items = list(col)
        sample = items[:: max(len(items) // 2000, 1)]
        each = sum(sys.getsizeof(x) for x in sample) / max(len(sample), 1)
        sizes[name] = int(8 * len(items) + each * len(items))
n = table.n
print(json.dumps({"examples": n, "bytes_per_example": sum(sizes.values()) / n,
                  "columns": {k: round(v / n, 1) for k, v in sorted(sizes.items(),
                              key=lambda kv: -kv[1])}}))
"""


def make_shards(n: int, shards: int, data: Path | None, folder: Path) -> Path:
    """``n`` chat records cut into ``shards`` JSONL files under ``folder/shards``."""
    source = data
    if source is None:
        source = folder / f"chat_{n}.jsonl"
        subprocess.run(
            [sys.executable, str(HERE / "make_dataset.py"), str(n), str(source)], check=True
        )
    target = folder / "shards"
    target.mkdir(parents=True, exist_ok=True)
    outs = [(target / f"part-{i:05d}.jsonl").open("w", encoding="utf-8") for i in range(shards)]
    per = -(-n // shards)
    with source.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= n:
                break
            outs[min(i // per, shards - 1)].write(line)
    for out in outs:
        out.close()
    return target


def run(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "disabled"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def same_split(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.glob("*-of-*.jsonl"))
    return bool(names) and all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--cpus", type=int, default=2, help="local pool size and Ray CPUs")
    parser.add_argument("--data", type=Path, help="chat JSONL to cut (default: generate)")
    parser.add_argument("--features-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ftprep-bench-ray-") as tmp:
        folder = Path(tmp)
        shards = make_shards(args.n, args.shards, args.data, folder)
        if args.features_only:
            print(json.dumps(run(FEATURES, str(shards), str(args.cpus)), indent=1))
            return
        results = {}
        for engine in ("local", "ray"):
            out = folder / f"out-{engine}"
            results[engine] = run(RUN, str(shards), str(out), engine, str(args.cpus))
            r = results[engine]
            busiest = ", ".join(f"{cpu} {name}" for cpu, name in r["busiest"])
            print(
                f"{engine:5} n={args.n} shards={args.shards}: {r['wall']:.1f} s wall, driver "
                f"{r['driver_cpu']:.1f} s cpu + {r['helpers_cpu']:.1f} s cpu in workers, driver "
                f"peak RSS {r['driver_rss_mb']:.0f} MB"
                + (f"; busiest (s cpu, process): {busiest}" if busiest else ""),
                flush=True,
            )
        print("same split files:", same_split(folder / "out-local", folder / "out-ray"))


if __name__ == "__main__":
    main()

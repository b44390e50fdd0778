"""What the feature table holds per example: bytes of each column after ``analyze``.

    python bench/feature_bytes.py /work/benchdata/chat_10000.jsonl
    python bench/feature_bytes.py /work/benchdata/chat_1000000.jsonl --limit 200000

Dataset checks read only the feature table, so its size per example is what the whole run
needs per example beyond a batch; this prints each column's type and bytes (numpy: its
``nbytes``; a coded column: codes plus vocabulary; a Python list: the list and every object
it reaches, each object counted once), largest first, then the total and bytes per example.
``--limit N`` measures the first N lines only (a prefix copied to a temporary file);
``--tree DIR`` measures another checkout (e.g. a ``git archive`` of a previous commit).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _objects(value: Any, seen: set[int]) -> Iterator[Any]:
    """``value`` and every object inside it (containers and their items), each once."""
    stack = [value]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())


def column_bytes(col: Any) -> tuple[str, int]:
    """(type, bytes) of one column: numpy arrays by ``nbytes``, coded columns by codes +
    vocabulary, anything else by every Python object it reaches."""
    if isinstance(col, np.ndarray):
        kind = "memmap" if isinstance(col, np.memmap) else "ndarray"
        return f"{kind} {col.dtype}{list(col.shape[1:]) or ''}", int(col.nbytes)
    codes = getattr(col, "codes", None)
    if isinstance(codes, np.ndarray):
        seen: set[int] = set()
        vocab = sum(sys.getsizeof(o) for o in _objects(list(col.values), seen))
        return f"coded {codes.dtype} (+{len(col.values)} values)", int(codes.nbytes) + vocab
    seen = set()
    return type(col).__name__, sum(sys.getsizeof(o) for o in _objects(col, seen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from ftprep.config import Config
    from ftprep.engine import analyze

    path: Path = args.path
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit is not None:
            prefix = Path(tmp) / f"{path.stem}_first{args.limit}.jsonl"
            with path.open("rb") as src, prefix.open("wb") as dst:
                dst.writelines(islice(src, args.limit))
            path = prefix
        cpu = time.process_time()
        analysis = analyze([path], Config(), jobs=1)
        cpu = time.process_time() - cpu
    table = analysis.features
    rows = []
    names = table.columns() if hasattr(table, "columns") else list(table._cols)
    for name in names:
        kind, size = column_bytes(table[name])
        rows.append((size, name, kind))
    rows.sort(reverse=True)
    n = max(table.n, 1)
    total = sum(size for size, _, _ in rows)
    print(f"{path.name}: {table.n} examples, analyze {cpu:.1f} s cpu")
    print(f"{'column':28} {'type':34} {'bytes':>14} {'B/example':>10}")
    for size, name, kind in rows:
        print(f"{name:28} {kind:34} {size:14,d} {size / n:10.1f}")
    print(f"{'total':28} {'':34} {total:14,d} {total / n:10.1f}")


if __name__ == "__main__":
    main()

"""Where the per-example CPU goes: time each per-example check and each feature extractor.

    python bench/profile_batch.py bench/out/chat_10000.jsonl [--top 30]

Loads the file once, then runs every per-example check and every feature extractor of a
default `validate` over the examples in batches of ``ftprep.batch.BATCH`` and prints the
CPU seconds of each, largest first, with the per-example cost in microseconds. A figure,
not a test: compare before and after on the same file. It measures the ftprep of the tree
it belongs to, whatever is installed. Like a pool worker, it freezes the heap it starts
with and runs with the cyclic garbage collector paused (``ftprep.batch.collector_paused``);
``--collector`` leaves the collector running, as figures before that change were taken.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from pathlib import Path

# Measure the tree this script belongs to: run as a script, Python would put bench/ first on
# the path and import whatever ftprep is installed (e.g. another checkout's editable install).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--collector", action="store_true", help="keep the garbage collector running"
    )
    args = parser.parse_args()

    from ftprep.batch import BATCH, collector_paused
    from ftprep.checks.base import REGISTRY
    from ftprep.checks.batch_view import CheckBatch, run_example_check
    from ftprep.config import Config
    from ftprep.features import FEATURES, FeatureContext, batch_scope, chat_view
    from ftprep.loaders.registry import LoadOptions
    from ftprep.loaders.source import open_source
    from ftprep.tokens.encodings import get_encoding

    paused = contextlib.nullcontext if args.collector else collector_paused
    gc.freeze()
    t0 = time.process_time()
    with paused():
        examples = [ex for ex in _load(args.path, LoadOptions(), open_source)]
    load = time.process_time() - t0
    config = Config()
    example_checks = [cid for cid, spec in REGISTRY.items() if spec.kind == "example"]
    costs: dict[str, float] = {"(load + adapt)": load}
    enc = get_encoding("o200k_base")
    for start in range(0, len(examples), BATCH):
        batch = examples[start : start + BATCH]
        with paused(), batch_scope() as memo:
            t = time.process_time()
            views = [chat_view(ex) for ex in batch]
            costs["(chat views)"] = costs.get("(chat views)", 0) + time.process_time() - t
            t = time.process_time()
            shared = CheckBatch(batch, views)
            _ = shared.marks, shared.row_signs  # what the checks share (charged here)
            costs["(check views)"] = costs.get("(check views)", 0) + time.process_time() - t
            for cid in example_checks:
                spec = REGISTRY[cid]
                settings = config.check_settings(cid, spec.settings)
                t = time.process_time()
                run_example_check(spec, settings, shared)
                costs[f"check {cid}"] = costs.get(f"check {cid}", 0) + time.process_time() - t
            fctx = FeatureContext(encoding=enc, config=config, examples=batch, batch=memo)
            for name, feat in FEATURES.items():
                t = time.process_time()
                feat.extract(views, fctx)
                costs[f"feature {name}"] = costs.get(f"feature {name}", 0) + time.process_time() - t
    n = len(examples)
    total = sum(costs.values())
    print(f"{n:,} examples, {total:.2f} s cpu, {total / n * 1e6:.0f} µs per example")
    for key, value in sorted(costs.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{value:8.3f} s  {value / n * 1e6:7.1f} µs  {value / total:6.1%}  {key}")


def _load(path, options, open_source):  # type: ignore[no-untyped-def]
    """The examples of ``path``, loaded the way a worker loads its batches
    (``ftprep.batch.process_batch``: the source's chunks of ``BATCH`` records, each
    through ``load_records``)."""
    from ftprep.batch import BATCH
    from ftprep.loaders.record import load_records
    from ftprep.schema import LoadError

    source = open_source(path, options)
    for raws in source.record_chunks(BATCH):
        loaded = load_records(raws, source.name, source.format, source.container, options)
        # the worker's test (``batch.process_batch``): a ``hasattr`` of a field a model
        # lacks goes through pydantic's ``__getattr__`` and its exception, ~2 us a record
        if not any(issubclass(kind, LoadError) for kind in set(map(type, loaded))):
            yield from loaded
            continue
        for result in loaded:
            if not isinstance(result, LoadError):
                yield result


if __name__ == "__main__":
    main()

"""The fingerprint index a run matches against: bundled benchmarks, the user's ``.fp``
files and eval sets, merged once per process.

Loading is memoised on the files' identity (path, size, modification time): every worker
of a process pool builds the index once, and a changed file is read again. The memo holds
immutable arrays only, so results never depend on which process or batch did the work.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ftprep.contamination.fingerprint import (
    DEFAULT_MIN_WORDS,
    DEFAULT_N,
    Fingerprint,
    build,
    dumps,
    load,
    merge,
)
from ftprep.contamination.sources import BUNDLED, benchmark_parts, eval_set_parts
from ftprep.errors import InputError
from ftprep.loaders import LoadOptions

#: ``--benchmarks`` value naming the fingerprints shipped with ftprep.
BUNDLED_NAME = "bundled"
#: Eval-set parts this short still count, but only as an exact whole turn.
EVAL_MIN_WORDS = 4


def bundled_path() -> Path:
    return Path(str(resources.files("ftprep.contamination") / "data" / "benchmarks.fp"))


def build_bundled(folder: Path) -> Fingerprint:
    """Fingerprint the bundled benchmarks from their published files in ``folder``."""
    prints = []
    for spec in BUNDLED:
        path = folder / spec["file"]
        if not path.is_file():
            raise InputError(str(path), "benchmark file not found")
        prints.append(
            build(
                benchmark_parts(spec["name"], path),
                n=DEFAULT_N,
                min_words=DEFAULT_MIN_WORDS,
                sources=[{k: v for k, v in spec.items() if k != "file"}],
            )
        )
    return merge(prints)


def _identity(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        raise InputError(str(path), "no such file") from None
    return str(path.resolve()), st.st_size, st.st_mtime_ns


@lru_cache(maxsize=16)
def _load_fp(identity: tuple[str, int, int]) -> Fingerprint:
    return load(Path(identity[0]))


OptionsKey = tuple[str | None, tuple[tuple[str, str], ...], str | None, str | None]


def _options_key(options: LoadOptions) -> OptionsKey:
    return options.format, tuple(sorted(options.mapping.items())), options.system, options.sheet


@lru_cache(maxsize=16)
def _eval_fp(identity: tuple[str, int, int], key: OptionsKey, n: int) -> Fingerprint:
    options = LoadOptions(format=key[0], mapping=dict(key[1]), system=key[2], sheet=key[3])
    return build(eval_set_parts(Path(identity[0]), options), n=n, min_words=EVAL_MIN_WORDS)


def load_index(
    benchmarks: tuple[str, ...],
    eval_sets: tuple[str, ...],
    options: LoadOptions | None = None,
) -> Fingerprint:
    """One index over the named benchmark fingerprints and eval sets (merged once per
    process for the same files, so every batch matches against the same arrays)."""
    bench = tuple(
        _identity(bundled_path() if name == BUNDLED_NAME else Path(name)) for name in benchmarks
    )
    evals = tuple(_identity(Path(name)) for name in eval_sets)
    return _merged(bench, evals, _options_key(options or LoadOptions()))


@lru_cache(maxsize=8)
def _merged(
    bench: tuple[tuple[str, int, int], ...],
    evals: tuple[tuple[str, int, int], ...],
    key: OptionsKey,
) -> Fingerprint:
    prints = [_load_fp(identity) for identity in bench]
    n = prints[0].n if prints else DEFAULT_N
    prints += [_eval_fp(identity, key, n) for identity in evals]
    return merge(prints)


def main(argv: list[str]) -> int:
    """``python -m ftprep.contamination.index BENCHMARKS_DIR``: rebuild the bundled file."""
    if len(argv) != 1:
        print("usage: python -m ftprep.contamination.index BENCHMARKS_DIR", file=sys.stderr)
        return 2
    fp = build_bundled(Path(argv[0]))
    bundled_path().write_bytes(dumps(fp))
    print(f"{bundled_path()}: {len(fp.parts)} parts, {len(fp.hashes)} hashes, "
          f"items {fp.items_per_source()}")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))

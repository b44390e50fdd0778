"""Write the split: a second streaming pass over the inputs into train/validation files.

Files are written to temporaries in the output directory and moved into place only when
complete (``os.replace`` is atomic), so an interrupted run never leaves half a file. An
output path that is one of the inputs is refused before anything is written. The inputs
are hashed again afterwards: if one changed between the two passes, the split is discarded.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ftprep.errors import OutputError
from ftprep.schema import Example
from ftprep.split.fixes import apply_fixes
from ftprep.split.plan import TRAIN, VALIDATION

if TYPE_CHECKING:  # the writer reads an analysis; it never runs one
    from ftprep.engine import Analysis


def dumps(record: dict[str, object]) -> str:
    """One JSONL line: UTF-8 text as is, deterministic, no trailing spaces."""
    return json.dumps(record, ensure_ascii=False) + "\n"


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """Write ``path`` through a temporary file in the same directory, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """``path`` gets ``data`` through a temporary file in its directory, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def guard_outputs(inputs: list[Path], outputs: list[Path]) -> None:
    """Refuse to write over an input file."""
    resolved = {p.resolve() for p in inputs}
    for out in outputs:
        if out.resolve() in resolved:
            raise OutputError(f"{out}: refusing to overwrite an input file; choose another --out")
        if out.exists() and out.is_dir():
            raise OutputError(f"{out}: is a directory")


def write_split(
    analysis: Analysis,
    train_path: Path,
    validation_path: Path,
    encode: Callable[[Example], dict[str, Any]] | None = None,
) -> None:
    """Stream the inputs again and write each kept example to its side of the split.

    ``encode`` turns an example into the output record (default: OpenAI chat / DPO JSONL);
    ``split --to TARGET`` passes the target's writer.
    """
    plan = analysis.plan
    assert plan is not None
    guard_outputs([s.path for s in analysis.sources], [train_path, validation_path])
    record_of_row = analysis.features["record"]
    row = 0
    n_rows = len(record_of_row)
    with atomic_writer(train_path) as train, atomic_writer(validation_path) as val:
        record = 0
        for source in analysis.sources:
            for loaded in source:
                if loaded.example is not None:
                    if row >= n_rows or record_of_row[row] != record:
                        raise OutputError(
                            f"{source.path}: the input changed while splitting; run again"
                        )
                    side = plan.assignment[row]
                    if side in (TRAIN, VALIDATION):
                        ex = apply_fixes(loaded.example, analysis.fix_changes.get(row, []))
                        line = encode(ex) if encode is not None else ex.to_record()
                        (train if side == TRAIN else val).write(dumps(line))
                    row += 1
                record += 1
        if (
            record != analysis.records
            or row != n_rows
            or [s.sha256() for s in analysis.sources] != analysis.hashes
        ):
            raise OutputError("an input changed while splitting; nothing was written, run again")

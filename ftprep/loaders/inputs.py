"""Input arguments as files: a directory of shards or a glob pattern becomes its data files.

``ftprep validate shards/`` and ``ftprep split 'data/*.jsonl.gz' --out prepared/`` read each
shard as its own input (locations keep each shard's file and line), in a stable order (sorted
paths), so the same folder gives the same report and split on any machine. Hidden files and
files of other kinds are skipped, and so is a split ftprep published inside the folder
(a directory holding ``ftprep-manifest.json``): running ``split shards/ --out
shards/prepared`` twice must not read its own output.
"""

from __future__ import annotations

import glob
from pathlib import Path

from ftprep.errors import InputError

#: File name endings of the data files a directory or pattern contributes.
DATA_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines", ".json", ".csv", ".tsv", ".parquet", ".xlsx")
_GLOB = set("*?[")
_MANIFEST = "ftprep-manifest.json"


def _is_data(path: Path) -> bool:
    name = path.name.lower()
    if name.startswith("."):
        return False
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(DATA_SUFFIXES)


def _published(path: Path, root: Path) -> bool:
    """Inside a split ftprep published (below ``root``)?"""
    return any((folder / _MANIFEST).is_file() for folder in path.parents if folder != root.parent
               and root in (folder, *folder.parents))  # fmt: skip


def _shards(folder: Path) -> list[Path]:
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file() and _is_data(p)),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    files = [
        p
        for p in files
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not _published(p, folder)
    ]
    if not files:
        raise InputError(
            str(folder),
            "is a directory with no data files (.jsonl, .json, .csv, .tsv, .parquet, .xlsx, "
            "optionally .gz); pass the data files, or a folder of them",
        )
    return files


def expand(path: Path) -> list[Path] | list[str]:
    """The data files ``path`` names: itself, a directory's shards, or a pattern's matches;
    for a URI (``s3://bucket/shards/``), the URIs of its data files."""
    from ftprep.loaders.remote import as_uri, expand_uri

    uri = as_uri(path)
    if uri is not None:
        return expand_uri(uri, _is_data)
    text = str(path)
    if not path.exists() and _GLOB & set(text):
        matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
        files = [m for m in matches if m.is_file() and _is_data(m)]
        if not files:
            raise InputError(text, "no data file matches this pattern")
        return files
    try:
        is_dir = path.is_dir()
    except OSError:
        return [path]  # the reader names the cause (a loop, a name too long...)
    return _shards(path) if is_dir else [path]


__all__ = ["DATA_SUFFIXES", "expand"]

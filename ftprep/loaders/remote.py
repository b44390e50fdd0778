"""Inputs in object storage or a cluster filesystem, read through pyarrow's filesystems.

A path with a scheme pyarrow understands (``s3://``, ``gs://``, ``hdfs://``, ``file://``...)
is opened with :func:`pyarrow.fs.FileSystem.from_uri`, so ftprep never handles credentials
itself: S3 uses the AWS chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile in
``~/.aws``, an instance or pod role), GCS the application default credentials, HDFS
``libhdfs`` with the cluster's Kerberos ticket (see docs/scale.md). A directory or a glob
pattern lists its data files through a :class:`pyarrow.fs.FileSelector`, sorted like local
shards.

Each remote file is copied once, streamed, into a private local file (like a pipe is), since
every reader reads local files and the split needs a second pass; locations keep naming the
URI and its line. On a Ray cluster each worker fetches the shards it reads itself.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftprep.errors import InputError
from ftprep.optional import require

#: Schemes read through pyarrow (``file`` included: the same code path, used by the tests).
SCHEMES = ("s3", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss", "file")
_URI = re.compile(r"^([a-z][a-z0-9+.-]*):/+(.*)$", re.IGNORECASE)
_GLOB = set("*?[")
_MANIFEST = "ftprep-manifest.json"


def as_uri(path: str | os.PathLike[str]) -> str | None:
    """The URI ``path`` names, or None for a local path. ``pathlib`` folds ``s3://b/k`` to
    ``s3:/b/k`` (the command line hands paths over as ``Path``), so both spellings count."""
    text = os.fspath(path)
    match = _URI.match(text)
    if match is None or match.group(1).lower() not in SCHEMES:
        return None
    scheme, rest = match.group(1).lower(), match.group(2)
    return f"file:///{rest}" if scheme == "file" else f"{scheme}://{rest}"


def _filesystem(uri: str) -> tuple[Any, str]:
    fs = require("pyarrow.fs", "parquet", f"reading {uri}")
    try:
        return fs.FileSystem.from_uri(uri)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for bad URIs
        raise InputError(uri, f"cannot open this location: {exc}") from exc


def _prefix(uri: str, path: str) -> str:
    """What goes before a filesystem path to make it a URI again: ``uri`` minus ``path``
    (``s3://`` for ``s3://bucket/key``, ``hdfs://host:8020`` for ``hdfs://host:8020/key``)."""
    if path and uri.rstrip("/").endswith(path.rstrip("/")):
        return uri.rstrip("/")[: len(uri.rstrip("/")) - len(path.rstrip("/"))]
    return uri.split("://", 1)[0] + "://"


def expand_uri(uri: str, is_data: Any) -> list[str]:
    """The data files a URI names: itself, a directory's files (recursively), or a glob's
    matches (``*`` within a path part, ``**`` across parts); sorted, hidden files skipped."""
    fs_mod = require("pyarrow.fs", "parquet", f"reading {uri}")
    glob_at = next((i for i, c in enumerate(uri) if c in _GLOB), None)
    base = uri if glob_at is None else uri[:glob_at].rsplit("/", 1)[0]
    filesystem, root = _filesystem(base)
    prefix = _prefix(base, root)
    pattern = None
    if glob_at is None:
        info = filesystem.get_file_info(root)
        if info.type == fs_mod.FileType.NotFound:
            raise InputError(uri, "no such file or folder")
        if info.type == fs_mod.FileType.File:
            return [uri]
    else:
        pattern = root.rstrip("/") + "/" + uri[len(base) :].lstrip("/")
    root = root.rstrip("/")
    selector = fs_mod.FileSelector(root, recursive=True, allow_not_found=True)
    entries = [e for e in filesystem.get_file_info(selector) if e.type == fs_mod.FileType.File]
    published = {  # a split ftprep published inside the folder is output, not input
        e.path.rsplit("/", 1)[0] + "/" for e in entries if e.path.endswith("/" + _MANIFEST)
    }
    found = []
    for entry in entries:
        if any(entry.path.startswith(folder) for folder in published):
            continue
        rel = entry.path[len(root) :].lstrip("/")
        if any(part.startswith(".") for part in rel.split("/")) or not is_data(Path(rel)):
            continue
        if pattern is not None and not _matches(entry.path, pattern):
            continue
        found.append((rel, prefix + entry.path))
    if not found:
        what = "no data file matches this pattern" if pattern else "is a folder with no data files"
        raise InputError(uri, what)
    return [u for _, u in sorted(found)]


def _matches(path: str, pattern: str) -> bool:
    """Glob match where ``*`` stays within one path part and ``**/`` spans any number."""
    regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
    regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    if "[" in pattern:  # a character class: let fnmatch judge the last part
        return fnmatch.fnmatchcase(path, pattern)
    return re.fullmatch(regex, path) is not None


def fetch(uri: str) -> Path:
    """Copy ``uri`` into a private local temporary file (same suffixes, so ``.jsonl.gz``
    is still read as gzipped JSONL) and return its path; the caller removes it."""
    filesystem, path = _filesystem(uri)
    name = path.rsplit("/", 1)[-1]
    suffix = "".join(Path(name).suffixes[-2:])
    fd, local = tempfile.mkstemp(prefix="ftprep-remote-", suffix=suffix)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            filesystem.open_input_stream(path, compression=None) as stream,
        ):
            while chunk := stream.read(1 << 20):
                out.write(chunk)
    except FileNotFoundError as exc:
        os.unlink(local)
        raise InputError(uri, "no such file") from exc
    except OSError as exc:
        os.unlink(local)
        raise InputError(uri, f"cannot read: {exc}") from exc
    except BaseException:
        os.unlink(local)
        raise
    return Path(local)


def shard_records(source: Any) -> Iterator[Any]:
    """A source's raw records, read where this runs: its local file, or this machine's own
    copy of a remote shard (a Ray worker on another node cannot see the driver's copy)."""
    from ftprep.loaders.readers import read_container

    if source.uri is None or source.data_path.exists():
        yield from source.raw_records()
        return
    local = fetch(source.uri)
    try:
        yield from read_container(
            local, source.container, source.options.sheet, source.options.max_record_bytes
        )
    finally:
        local.unlink(missing_ok=True)


__all__ = ["SCHEMES", "as_uri", "expand_uri", "fetch", "shard_records"]

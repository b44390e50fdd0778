"""Loaders: every supported input format to one stream of examples with their locations.

Importing this package registers the built-in formats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ftprep.loaders import (  # noqa: F401
    alpaca,
    bedrock,
    chat,
    gemini,
    llamafactory,
    mapped,
    preference,
    prompt_completion,
    sharegpt,
    text,
)
from ftprep.loaders.registry import FORMATS, LoadOptions, register_format
from ftprep.loaders.source import LoadedRecord, Source, open_source, sha256_file

__all__ = [
    "FORMATS",
    "LoadOptions",
    "LoadedRecord",
    "Source",
    "iter_records",
    "open_source",
    "register_format",
    "sha256_file",
]


def iter_records(
    paths: Iterable[str | Path], options: LoadOptions | None = None
) -> Iterator[LoadedRecord]:
    """Stream every record of every input, in order."""
    for path in paths:
        yield from open_source(path, options)

"""Examples and load errors held in memory: what ``ftprep.load`` and ``from_frame`` return.

The CLI streams; notebooks want the examples as a list. Both the API and the DataFrame
reader build a :class:`Loaded`, so it lives here with the loaders rather than in the API
that sits above them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftprep.loaders.registry import LoadOptions
from ftprep.loaders.source import open_source
from ftprep.schema import Example, LoadError


@dataclass
class Loaded:
    """Examples and load errors of one or more inputs, in input order."""

    examples: list[Example] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Example]:
        return iter(self.examples)

    def __len__(self) -> int:
        return len(self.examples)


def load_all(inputs: Sequence[Path | Any], options: LoadOptions) -> Loaded:
    """Every record of ``inputs`` (paths or in-memory data) read into memory."""
    result = Loaded()
    for path in inputs:
        source = open_source(path, options)
        result.formats[source.name] = source.label
        for rec in source:
            if rec.example is not None:
                result.examples.append(rec.example)
            elif rec.error is not None:
                result.errors.append(rec.error)
    return result

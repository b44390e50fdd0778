"""Compact per-example features that dataset checks, statistics and the split read.

Dataset checks never see the full texts: while examples stream past, registered feature
extractors turn each batch into a few numbers per example (hashes, token counts, sketches),
so memory grows by a small constant per example. A dataset check declares the features it
``needs``; only those are computed. Adding a feature is one decorated function here or in
the module that owns the concept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ftprep.schema import ChatExample, Example, SourceLocation

BatchExtractor = Callable[[Sequence[ChatExample], "FeatureContext"], dict[str, Any]]


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    columns: tuple[str, ...]
    extract: BatchExtractor
    needs: tuple[str, ...] = ()


FEATURES: dict[str, FeatureSpec] = {}


def register_feature(
    name: str, columns: tuple[str, ...], needs: tuple[str, ...] = ()
) -> Callable[[BatchExtractor], BatchExtractor]:
    """Register a batch extractor producing ``columns`` (arrays or lists, one value each)."""

    def deco(fn: BatchExtractor) -> BatchExtractor:
        for other in FEATURES.values():
            clash = set(columns) & set(other.columns)
            if other.name != name and clash:
                raise ValueError(
                    f"feature {name!r} redefines column(s) {sorted(clash)} of {other.name!r}"
                )
        FEATURES[name] = FeatureSpec(name, columns, fn, needs)
        return fn

    return deco


@dataclass
class FeatureContext:
    """What extractors may use besides the examples: the encoding and the run settings."""

    encoding: Any
    settings: dict[str, Any] = field(default_factory=dict)
    #: Memo for the current batch only (e.g. normalised texts several extractors share);
    #: the engine clears it before each batch.
    batch: dict[str, Any] = field(default_factory=dict)


def chat_view(ex: Example) -> ChatExample:
    """The conversation a feature measures: chat as is; a preference pair as prompt + preferred."""
    if isinstance(ex, ChatExample):
        return ex
    return ChatExample(
        messages=[*ex.input, *ex.preferred],
        tools=ex.tools,
        metadata=ex.metadata,
        location=ex.location,
    )


class FeatureTable:
    """Columns of per-example features, one row per loaded example, in input order.

    ``record`` maps a row to its global record index (load errors have records but no
    rows); ``source``/``line`` give the location without keeping a model per example.
    """

    def __init__(self, sources: list[str]) -> None:
        self.sources = sources
        self._chunks: dict[str, list[Any]] = {}
        self._cols: dict[str, Any] = {}
        self.n = 0
        #: Results derived from columns that several stages share (near-duplicate groups,
        #: clusters), computed once by whichever stage asks first.
        self.cache: dict[str, Any] = {}

    def append(self, columns: dict[str, Any]) -> None:
        for key, value in columns.items():
            self._chunks.setdefault(key, []).append(value)

    def finish(self) -> None:
        for key, chunks in self._chunks.items():
            if chunks and isinstance(chunks[0], np.ndarray):
                self._cols[key] = np.concatenate(chunks) if chunks else np.zeros(0)
            else:
                self._cols[key] = [v for chunk in chunks for v in chunk]
        self._chunks = {}
        self.n = len(self._cols.get("record", []))

    def __getitem__(self, key: str) -> Any:
        return self._cols[key]

    def __contains__(self, key: str) -> bool:
        return key in self._cols

    def location(self, row: int, detail: str | None = None) -> SourceLocation:
        return SourceLocation(
            source=self.sources[int(self["source"][row])],
            line=int(self["line"][row]),
            detail=detail,
        )

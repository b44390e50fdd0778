"""The format registry: each input format is an adapter from a raw record to an example.

Built-in formats register exactly the way a user's would (``@register_format``). A format
has a name, a detector (does this raw record look like mine?) and an adapter (raw record ->
example or load error). Detection order is registration priority, highest first, so the
most specific shapes (preference pairs) win over general ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ftprep.loaders.readers import DEFAULT_MAX_RECORD_BYTES
from ftprep.schema import Example, LoadError, SourceLocation


@dataclass(frozen=True)
class LoadOptions:
    """How to read inputs: a forced format, a column mapping, a system prompt to add."""

    format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    system: str | None = None
    sheet: str | None = None
    #: Largest record (line, row, array element) read into memory; larger ones are errors.
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES


Adapter = Callable[[Any, SourceLocation, LoadOptions], "Example | LoadError"]
Detector = Callable[[Any], bool]
#: An adapter's shortcut for the records it is sure of: the example the adapter would
#: return, or None (then the adapter runs).
Shortcut = Callable[[Any, SourceLocation, LoadOptions], "Example | None"]


@dataclass(frozen=True)
class InputFormat:
    name: str
    description: str
    detect: Detector
    adapt: Adapter
    priority: int = 0
    #: Builds the commonest records directly, at a fraction of the adapter's cost (see
    #: :func:`register_format`).
    shortcut: Shortcut | None = None


FORMATS: dict[str, InputFormat] = {}


def _objects_only(adapt: Adapter) -> Adapter:
    """Every format is a JSON object per record: anything else is one load error, reported
    here once instead of in each adapter."""

    def guarded(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
        if not isinstance(value, dict):
            return LoadError(
                code="clean.not_an_object",
                message=f"the record is a JSON {type(value).__name__}, not an object",
                location=loc,
            )
        return adapt(value, loc, opts)

    return guarded


def register_format(
    name: str,
    description: str,
    detect: Detector,
    priority: int = 0,
    shortcut: Shortcut | None = None,
) -> Callable[[Adapter], Adapter]:
    """Register ``adapt`` as the adapter for input format ``name``. ``shortcut``: what
    loading asks first, for the records whose example it can build without the adapter's
    general path (it must return exactly what ``adapt`` would, or None); registering the
    format again replaces both."""

    def deco(adapt: Adapter) -> Adapter:
        FORMATS[name] = InputFormat(
            name, description, detect, _objects_only(adapt), priority, shortcut
        )
        return adapt

    return deco


def detect_format(value: Any) -> str | None:
    """The name of the highest-priority format whose detector accepts ``value``."""
    for fmt in sorted(FORMATS.values(), key=lambda f: -f.priority):
        if fmt.detect(value):
            return fmt.name
    return None

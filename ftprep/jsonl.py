"""JSON Lines: the one way ftprep writes a record as a line.

The split, ``ftprep convert``, ``findings.jsonl`` and the size limits of the targets all go
through :func:`dumps`, so a record measured against a platform's limit is the record
written, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dumps(record: Mapping[str, Any]) -> str:
    """One JSONL line, newline included: UTF-8 text as is, deterministic, no trailing
    spaces, strict JSON (``NaN``/``Infinity`` never reach an output; loading already refused
    them, and a value JSON cannot hold raises instead of being written some other way)."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"


def record_size(record: Mapping[str, Any]) -> int:
    """Bytes the record takes in a JSONL file, newline included."""
    return len(dumps(record).encode("utf-8"))

"""Refuse a file its format cannot read, once, instead of reporting every record.

Detection looks at keys; a file can match a format's keys and still be unreadable by it
(``{"messages": "..."}``, content parts the adapter does not know). Reading such a file
record by record turns one wrong guess into thousands of findings: a load error per record,
or worse, examples whose every turn reads as empty. So before streaming, the detected (or
forced) format adapts the first records; when none of them loads, or every one that loads
has lost all the text its raw record held, the file is refused with one message naming the
layouts ftprep reads. A file where some records load keeps its per-record load errors, and
so does a file too small to tell a wrong layout from a broken record (fewer than
``MIN_TRIED`` records, none of which loads).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ftprep.errors import InputError
from ftprep.loaders.raw import RawRecord
from ftprep.loaders.record import load_record
from ftprep.loaders.registry import FORMATS, LoadOptions
from ftprep.schema import ChatExample, Example, LoadError, Message

#: Raw fields that name structure rather than hold text (roles, part types, ids).
STRUCTURAL = frozenset({"role", "type", "from", "id", "tool_call_id", "name", "kind"})
#: Records that must all fail before a failing layout is called a wrong layout.
MIN_TRIED = 5


def supported() -> str:
    """The auto-detected layouts, for a refusal message."""
    names = sorted(n for n in FORMATS if n != "mapped")
    return (
        f"supported layouts: {', '.join(names)} (see docs/formats.md); for other fields pass "
        "--map user=FIELD --map assistant=FIELD"
    )


def raw_text(value: Any, key: str | None = None) -> int:
    """Characters of text in a raw record, leaving out structural fields (roles, types)."""
    if isinstance(value, str):
        return 0 if key in STRUCTURAL else len(value.strip())
    if isinstance(value, dict):
        return sum(raw_text(v, k if isinstance(k, str) else None) for k, v in value.items())
    if isinstance(value, list):
        return sum(raw_text(v, key) for v in value)
    return 0


def _messages(ex: Example) -> list[Message]:
    if isinstance(ex, ChatExample):
        return ex.messages
    return [*ex.input, *ex.preferred, *ex.non_preferred]


def read_text(ex: Example) -> int:
    """Characters of text an example kept: message text, reasoning, tool calls, media."""
    total = 0
    for m in _messages(ex):
        total += len(m.text.strip()) + len(m.reasoning.strip())
        if m.tool_calls or m.function_call:
            total += len(json.dumps(m.tool_calls or m.function_call))
        if isinstance(m.content, list):
            total += sum(1 for p in m.content if p.type not in ("text", "reasoning"))
    return total


def check_understood(
    fmt: str,
    values: Sequence[Any],
    lines: Sequence[int],
    options: LoadOptions,
    where: str,
    container: str = "jsonl",
) -> None:
    """Raise :class:`InputError` when ``fmt`` reads none of ``values`` (the first records)."""
    if not values or fmt not in FORMATS:
        return
    errors: list[tuple[int, LoadError]] = []
    lost: list[int] = []
    for value, line in zip(values, lines, strict=True):
        result = load_record(RawRecord(line=line, value=value), where, fmt, container, options)
        if isinstance(result, LoadError):
            errors.append((line, result))
        elif read_text(result) == 0 and raw_text(value) > 0:
            lost.append(line)
        else:
            return
    if errors and not lost:
        if len(errors) < MIN_TRIED:
            return
        line, err = errors[0]
        raise InputError(
            where,
            f"no record could be read as '{fmt}' ({len(errors)} of the first {len(values)} "
            f"tried; line {line}: {err.message}); {supported()}",
        )
    first = values[lines.index(lost[0])]
    keys = ", ".join(sorted(map(str, first))) if isinstance(first, dict) else "?"
    raise InputError(
        where,
        f"records look like '{fmt}' but hold their text in fields it does not read (line "
        f"{lost[0]} has {keys}; every turn would read as empty); pass --from FORMAT; "
        f"{supported()}",
    )

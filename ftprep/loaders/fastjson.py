"""JSON Lines parsed by orjson, where orjson gives exactly what the strict decoder gives.

Parsing a chat line with :mod:`json` and the strict checks around it costs about 8 µs;
orjson parses it in about 1.3 µs, from the line's bytes (no decoding to text first).
orjson is stricter than the strict decoder: it refuses lone surrogates (escaped or
encoded), ``NaN``, ``Infinity``, numbers that overflow a float and invalid UTF-8, all of
which the strict path turns into load errors with their own messages; so a line orjson
refuses goes to the strict path, which says what is wrong in its own words. It differs in
one way on a line it accepts: an integer past 64 bits becomes a float. A line with a run
of 19 digits (anywhere, strings included: cheaper to test than to tell) therefore goes to
the strict path too. ``tests/test_fast_json.py`` compares both paths on generated lines.

Without orjson installed every line takes the strict path, with the same results.
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    orjson: Any = importlib.import_module("orjson")
except ImportError:  # pragma: no cover (orjson is a dependency; kept optional here)
    orjson = None

#: Keeps digits (as ``0``) and the bytes that open a nested value, drops the rest: what
#: the two tests after parsing need, in one pass over the line.
_KEEP = frozenset(b"0123456789[{")
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else b for b in range(256))
#: The shortest digit run that may be an integer orjson would turn into a float
#: (``-9223372036854775809``; 18 digits always fit in 64 bits).
_LONG_DIGITS = b"0" * 19


def quick_loads(data: bytes) -> tuple[Any, int] | None:
    """``(value, number of "[" and "{" in the line)`` when orjson parses ``data`` to what
    the strict decoder would; None when the strict path must read the line (orjson is
    missing or refuses it, or it may hold an integer past 64 bits). The count tells the
    caller whether to look for values nested too deep (orjson allows 1024 levels)."""
    if orjson is None:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    openers = quick_openers(data)
    return None if openers is None else (value, openers)


def quick_openers(data: bytes) -> int | None:
    """The number of "[" and "{" in a line orjson parsed, or None when it may hold an
    integer past 64 bits (a run of 19 digits): the two tests :func:`quick_loads` makes
    after parsing, for a caller that parses the line itself and can tell some values need
    neither (one holding only strings and None, a few levels deep)."""
    shape = data.translate(_DIGITS_AS_ZERO, _DROP)
    if _LONG_DIGITS in shape:
        return None
    return shape.count(b"[") + shape.count(b"{")

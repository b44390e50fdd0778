"""Counts in messages agree with their nouns and verbs: "1 load error", "2 examples".

Templated check messages go through :func:`ftprep.report.build.singular`; messages a check
composes itself (with several counts: "3 examples in 1 group") use :func:`plural`.
"""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the right form: ``plural(1, "group")`` -> "1 group", ``plural(2, "group")``
    -> "2 groups"; ``many`` for irregular forms or a verb that agrees ("examples
    reproduce")."""
    return f"{n:,} {one if n == 1 else (many if many is not None else one + 's')}"


__all__ = ["plural"]

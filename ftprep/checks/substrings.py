"""Which texts of a batch hold one of a few substrings, found by a search of each through
many texts at once: the substring screens' reader.

A screen such as ``clean.missing_input``'s ("does the prompt hold 'the following', 'given',
'this '…") searched each text once per key: a dozen calls per text, each with its own
start-up, where most texts hold none of the keys. Here a group of texts is joined by
``\\x00`` and each key searched through the group: one pass per key, and after a match the
search goes on from the next text. A key holds no ``\\x00``, so no match spans two texts,
and a text holds a key exactly when a match starts inside it.

Groups are those of :func:`ftprep.checks.byte_words.groups`, and a screen that rules out
too little of a group stops there (``byte_words.WORTH``): the later texts count as holding
a key, and their rule reads them as before.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from ftprep.checks.byte_words import groups, worth_going_on


def holding(texts: Sequence[str], keys: Sequence[str], lower: bool = False) -> list[bool]:
    """Per text: whether it (lower-cased first when ``lower``) holds one of ``keys``
    (none of which holds ``\\x00``); True also for the texts after a group where the
    screen was not worth it."""
    if any("\x00" in key for key in keys):
        raise ValueError("a key holds the separator \\x00")
    out = [True] * len(texts)
    for part in groups(texts):
        group = [texts[i].lower() if lower else texts[i] for i in part]
        joined = "\x00".join(group)
        starts = list(itertools.accumulate([len(t) + 1 for t in group], initial=0))
        held = [False] * len(group)
        find = joined.find
        for key in keys:
            pos = find(key)
            while pos != -1:
                k = bisect.bisect_right(starts, pos) - 1
                held[k] = True
                pos = find(key, starts[k + 1])
        out[part.start : part.stop] = held
        if not worth_going_on(group, [not h for h in held]):
            break
    return out


__all__ = ["holding"]

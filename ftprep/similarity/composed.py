"""The dialogues of a batch and their MinHash, with each message's own sketch on the side.

Two extractors sketch the same normalised messages: the near-duplicate MinHash reads each
dialogue (``"user: …\\nassistant: …"``: :func:`dialogue_text`), the prompt sketch the
prompt and the final answer, which are most often one message each. Hashing the 5-byte
windows of both hashed most bytes of a batch twice. Here the dialogues are hashed once (in
the batch memo) and, from the same hashed windows, each message of at least one window gets
its own 32-bin signature: a message's windows are the dialogue's windows inside it
(:func:`~ftprep.similarity.minhash.signatures_with_pieces`). The prompt sketch takes those
for prompts and answers that are one such message and sketches the others itself.

Only ASCII dialogues take this path (a message's characters are then its bytes); the
others are sketched by :func:`signatures` and their messages get no sketch of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from ftprep.similarity.minhash import BINS, SHINGLE, signatures, signatures_with_pieces

#: Roles of system prompts, left out of the dialogue compared.
SYSTEM_ROLES = ("system", "developer")
_SYSTEM_ROLE_SET = frozenset(SYSTEM_ROLES)
#: Bins of each message's own sketch (those of the prompt sketch).
MESSAGE_BINS = 32


def dialogue_text(roles: Sequence[str], normalized: Sequence[str]) -> str:
    """The normalised non-system turns (``normalized``: an example's normalised message
    texts, ``roles`` their roles), with roles, for similarity."""
    return "\n".join(
        [f"{r}: {t}" for r, t in zip(roles, normalized, strict=True) if r not in SYSTEM_ROLES]
    )


def _dialogue_format(roles: tuple[str, ...]) -> str:
    """:func:`dialogue_text` of a conversation with these roles as a format string over its
    texts (braces in a role doubled)."""
    return "\n".join(
        [
            f"{r.replace('{', '{{').replace('}', '}}')}: {{{j}}}"
            for j, r in enumerate(roles)
            if r not in SYSTEM_ROLES
        ]
    )


def _dialogue_texts(roles: Sequence[Sequence[str]], normalized: list[list[str]]) -> list[str]:
    """:func:`dialogue_text` of each example: one format call each, the format written once
    per sequence of roles in the batch (a batch has a few)."""
    formats: dict[tuple[str, ...], str] = {}
    out = []
    for rs, texts in zip(roles, normalized, strict=True):
        key = rs if rs.__class__ is tuple else tuple(rs)
        form = formats.get(key)
        if form is None:
            form = formats[key] = _dialogue_format(key)
        out.append(form.format(*texts))
    return out


@dataclass(frozen=True)
class Dialogues:
    """A batch's dialogues: their 128-bin MinHash (``sig``) and lengths; ``first[i]``, the
    index of example ``i``'s first message when the batch's messages are laid end to end;
    ``message_sig``, the 32-bin MinHash of each such message, valid where ``has_sig`` (a
    non-system message of at least one window in an ASCII dialogue; None when there is
    none)."""

    sig: np.ndarray
    lengths: np.ndarray
    first: list[int]
    message_sig: np.ndarray | None
    has_sig: np.ndarray | None
    #: Each laid-end-to-end message's normalised length (with ``message_sig``).
    message_len: np.ndarray | None = None


def batch_dialogues(
    normalized: list[list[str]], roles: Sequence[Sequence[str]], memo: dict[str, Any]
) -> Dialogues:
    """The batch's :class:`Dialogues` (``normalized``: each example's normalised message
    texts, ``roles`` their roles), computed once per batch memo."""
    cached = memo.get("dialogues")
    if cached is None:
        cached = memo["dialogues"] = _dialogues(normalized, roles)
    return cached


def _dialogues(normalized: list[list[str]], roles: Sequence[Sequence[str]]) -> Dialogues:
    n = len(normalized)
    dialogues = _dialogue_texts(roles, normalized)
    lengths = np.fromiter(map(len, dialogues), dtype=np.int64, count=n)
    counts = np.fromiter(map(len, normalized), dtype=np.int64, count=n)
    first = np.cumsum(counts) - counts
    # Where each message sits in its dialogue: after the parts ("role: text\n") of the
    # non-system turns before it, and its own role and ": ".
    flat_roles = list(chain.from_iterable(roles))
    text_len = np.fromiter(
        map(len, chain.from_iterable(normalized)), dtype=np.int64, count=len(flat_roles)
    )
    role_len = np.fromiter(map(len, flat_roles), dtype=np.int64, count=len(flat_roles))
    shown = ~np.fromiter(
        map(_SYSTEM_ROLE_SET.__contains__, flat_roles), dtype=bool, count=len(flat_roles)
    )
    part = np.where(shown, role_len + 2 + text_len + 1, 0)
    row = np.repeat(np.arange(n), counts)
    row_total = np.zeros(n, dtype=np.int64)
    np.add.at(row_total, row, part)
    before = np.cumsum(part) - part - (np.cumsum(row_total) - row_total)[row]
    if not np.array_equal(np.maximum(row_total - 1, 0), lengths):  # cannot be: no pieces
        return Dialogues(signatures(dialogues), lengths, first.tolist(), None, None)
    # ASCII dialogues (most, even in a batch with a few accented words) are sketched with
    # their messages; the others whole, their messages getting no sketch of their own
    ascii_rows = np.fromiter(map(str.isascii, dialogues), dtype=bool, count=n)
    rows = np.flatnonzero(ascii_rows)
    if len(rows) == 0:
        return Dialogues(signatures(dialogues), lengths, first.tolist(), None, None)
    has_sig = shown & (text_len >= SHINGLE) & ascii_rows[row]
    at = np.flatnonzero(has_sig)
    start = before[at] + role_len[at] + 2
    position = np.cumsum(ascii_rows) - 1  # of each ASCII dialogue among them
    found = signatures_with_pieces(
        [dialogues[i] for i in rows.tolist()] if len(rows) < n else dialogues,
        (position[row[at]], start, start + text_len[at]),
        piece_bins=MESSAGE_BINS,
    )
    if found is None:  # cannot be: every text given is ASCII
        return Dialogues(signatures(dialogues), lengths, first.tolist(), None, None)
    sig = np.empty((n, BINS), dtype=np.uint16)
    sig[rows], pieces = found
    others = np.flatnonzero(~ascii_rows)
    if len(others):
        sig[others] = signatures([dialogues[i] for i in others.tolist()])
    message_sig = np.empty((len(flat_roles), MESSAGE_BINS), dtype=np.uint16)
    message_sig[at] = pieces
    return Dialogues(sig, lengths, first.tolist(), message_sig, has_sig, text_len)


def message_or_own_signatures(
    texts: Sequence[str],
    messages: Sequence[int],
    dialogues: Dialogues,
    joined: Sequence[tuple[int, ...]] | None = None,
) -> np.ndarray:
    """:func:`signatures` (32 bins) of ``texts``, each of which is the text of the message
    ``messages[i]`` (laid-end-to-end index; -1: of none): the message's own sketch where it
    has one, the text's otherwise.

    ``joined[i]``: the messages whose texts, joined by single spaces, are ``texts[i]``
    (a prompt of several turns; empty otherwise). When each has a sketch, the text's is
    composed from theirs (:func:`_composed`) instead of hashed again."""
    n = len(texts)
    out = np.empty((n, MESSAGE_BINS), dtype=np.uint16)
    rest = np.arange(n)
    if dialogues.message_sig is not None and dialogues.has_sig is not None and n:
        at = np.asarray(messages, dtype=np.int64)
        ok = (at >= 0) & dialogues.has_sig[np.maximum(at, 0)]
        out[ok] = dialogues.message_sig[at[ok]]
        rest = np.flatnonzero(~ok)
        if joined is not None and len(rest):
            rest = _composed(texts, rest, joined, dialogues, out)
    if len(rest):
        out[rest] = signatures([texts[i] for i in rest.tolist()], bins=MESSAGE_BINS)
    return out


def _composed(
    texts: Sequence[str],
    rows: np.ndarray,
    joined: Sequence[tuple[int, ...]],
    dialogues: Dialogues,
    out: np.ndarray,
) -> np.ndarray:
    """Fill ``out[i]`` for the ``rows`` whose text is two or more sketched messages joined
    by single spaces; return the rows left.

    A text's windows are those inside each message and those crossing a join, and a
    sketch is a minimum per bin over its windows: the messages' sketches (all their
    windows; a sketched message is ASCII and at least a window long), and the sketches of
    the ``SHINGLE - 1`` characters either side of each join with the space (exactly the
    windows crossing it), folded together. The rows are worked on together: their
    messages laid end to end, which rows qualify and where their joins fall are array
    operations; only the strings around the joins are cut one by one."""
    has, sigs, sizes = dialogues.has_sig, dialogues.message_sig, dialogues.message_len
    if has is None or sigs is None or sizes is None or not len(rows):
        return rows
    chosen = rows.tolist()
    counts = np.fromiter(map(len, map(joined.__getitem__, chosen)), np.int64, len(chosen))
    several = counts >= 2
    if not several.any():
        return rows
    cand = rows[several]
    counts = counts[several]
    parts = np.fromiter(
        chain.from_iterable(map(joined.__getitem__, cand.tolist())), np.int64, int(counts.sum())
    )
    starts = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(len(cand)), counts)
    # every message sketched, and the text exactly the messages and a space between two
    unsketched = np.bincount(owner[~has[parts]], minlength=len(cand))
    lens = sizes[parts]
    spelled = np.add.reduceat(lens, starts) + counts - 1
    length = np.fromiter(map(len, map(texts.__getitem__, cand.tolist())), np.int64, len(cand))
    good = (unsketched == 0) & (spelled == length)
    left = np.ones(len(rows), dtype=bool)
    left[np.flatnonzero(several)[good]] = False
    if not good.any():
        return rows[left]
    done, each = cand[good], counts[good]
    kept = good[owner]
    lens, owner = lens[kept], owner[kept]
    firsts = np.cumsum(each) - each
    out[done] = np.minimum.reduceat(sigs[parts[kept]], firsts, axis=0)
    # the joins: the space after each message but the last of its text, at the sum of
    # the sizes before it and one space per message, counted within the text
    ends = np.cumsum(lens + 1)
    ends -= np.repeat(ends[firsts] - lens[firsts] - 1, each)
    inner = np.ones(len(lens), dtype=bool)
    inner[firsts + each - 1] = False
    at = ends[inner] - 1
    who = cand[owner[inner]]
    k = SHINGLE - 1
    edges = [texts[i][a - k : a + 1 + k] for i, a in zip(who.tolist(), at.tolist(), strict=True)]
    np.minimum.at(out, who, signatures(edges, bins=MESSAGE_BINS))
    return rows[left]


__all__ = [
    "MESSAGE_BINS",
    "SYSTEM_ROLES",
    "Dialogues",
    "batch_dialogues",
    "dialogue_text",
    "message_or_own_signatures",
]

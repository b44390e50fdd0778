"""A bounded, deterministic sample of user inputs and answers, for diversity and clustering.

Dataset checks never see full texts (memory must not grow with the data), but measuring
diversity needs words. So while examples stream past, this extractor keeps the texts of at
most ``limit`` examples (truncated to ``MAX_CHARS``): the ones whose salted content hash is
smallest (a bottom-k sample). The choice depends only on each example's own text, with ties
broken by position, so the same data gives the same sample on every run and machine.
Memory stays bounded: each batch keeps at most ``limit`` texts, and the gatherer (which
sees the batches in input order, in the process that gathers them) releases, in place, the
texts above the current ``limit``-th smallest priority whenever more than ``2 × limit`` are
held. The extractor itself carries nothing from one batch to the next.

Columns: ``sample_priority`` (uint64, every row), ``sample_input`` and ``sample_answer``
(str, or None for rows not in the sample). :func:`sample_rows` picks the final sample.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from itertools import count
from typing import Any

import numpy as np

from ftprep.columns import NONE, Coded, held_rows
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import batch_turns

#: Default number of examples whose texts are kept (``diverse.coverage.sample_size``).
DEFAULT_LIMIT = 20_000
#: Characters kept per text: enough for topic and wording, bounded for memory.
MAX_CHARS = 1_000
#: Where the limit is configured (the check that reports on the sample).
LIMIT_SETTING = ("diverse.coverage", "sample_size")


def user_input(kind: str, roles: Sequence[str], texts: Sequence[str], last: int | None) -> str:
    """The user turns the model is conditioned on (system prompts excluded), joined; for a
    continued-pretraining document, the document itself (what the data's range is made of).
    From an example's kind, message roles and texts, and last assistant index."""
    if kind == "text":
        return final_answer(texts, last)
    cut = len(texts) if last is None else last
    return "\n".join([texts[j] for j in range(cut) if roles[j] == "user"])


def _input_format(kind: str, roles: tuple[str, ...], last: int | None) -> tuple[str, int]:
    """:func:`user_input` of an example with this kind, roles and last assistant index, as
    a format string over its message texts, and the one message it is (-1: none, or
    several joined)."""
    form = user_input(kind, roles, [f"{{{j}}}" for j in range(len(roles))], last)
    one = _ONE_FIELD.fullmatch(form)
    return form, int(one.group(1)) if one else -1


_ONE_FIELD = re.compile(r"\{(\d+)\}")


def final_answer(texts: Sequence[str], last: int | None) -> str:
    return "" if last is None else texts[last]


class _Sampler:
    """Gatherer keeping the texts of the lowest (priority, row) pairs seen so far: whenever
    more than ``2 × limit`` texts are held, those above the ``limit``-th smallest are released
    in place, in the columns already gathered (a batch at a time, not a row at a time: once
    the sample is full, most rows of every batch are released as they arrive)."""

    def __init__(self, config: Any) -> None:
        self.limit = _limit(config)
        self.cutoff: tuple[int, int] | None = None  # (priority, row) of the limit-th smallest
        self.held = 0
        self.chunks: list[tuple[np.ndarray, int, Any, Any]] = []

    def trim(self, columns: dict[str, Any]) -> None:
        """Blank, before the table codes them, the texts :meth:`add` would release at once
        (a priority past the cutoff): once the sample is full, most texts of every batch.
        Coding a text hashes it, ~0.2 s of the gathering process's CPU per 100,000 rows,
        spent on texts dropped right after; the table ends up the same."""
        if self.cutoff is None:
            return
        drop = (columns["sample_priority"] >= np.uint64(self.cutoff[0])).tolist()
        for name in ("sample_input", "sample_answer"):
            col = columns[name]
            if isinstance(col, list):
                columns[name] = [None if d else t for t, d in zip(col, drop, strict=True)]

    def hint(self) -> int | None:
        """The priority from which :meth:`trim` blanks a batch's texts (None: none yet): the
        cutoff only falls as batches come (each prune keeps the ``limit`` smallest of a
        set holding the previous ``limit`` smallest), so texts at or above it in any batch
        read from now on are blanked when it is gathered; the extractor leaves them out
        instead. Past ~2 × ``limit`` rows that is most texts of every batch: on 100,000
        natural examples ~40% of the sample's texts, which the gathering process spent
        ~0.17 s of CPU unpickling (and the workers pickling)."""
        return None if self.cutoff is None else self.cutoff[0]

    def add(self, columns: dict[str, Any], start: int) -> None:
        prio, inputs, answers = (
            columns["sample_priority"],
            columns["sample_input"],
            columns["sample_answer"],
        )
        if self.cutoff is not None:
            # Rows arriving now come after the cutoff row: only a smaller priority gets in.
            drop = prio >= np.uint64(self.cutoff[0])
            _release(inputs, drop)
            _release(answers, drop)
        held = int(np.count_nonzero(_held(inputs)))
        if held:
            self.chunks.append((prio, start, inputs, answers))
            self.held += held
            self.prune()

    def prune(self) -> None:
        if self.held <= 2 * self.limit:
            return
        prios, rows = [], []
        for prio, start, inputs, _ in self.chunks:
            idx = np.flatnonzero(_held(inputs))
            prios.append(prio[idx])
            rows.append(idx + start)
        p, r = np.concatenate(prios), np.concatenate(rows)
        k = np.lexsort((r, p))[self.limit - 1]
        self.cutoff = (int(p[k]), int(r[k]))
        cp, cr = np.uint64(self.cutoff[0]), self.cutoff[1]
        self.held = 0
        kept = []
        for chunk in self.chunks:
            prio, start, inputs, answers = chunk
            row = np.arange(start, start + len(prio))
            drop = (prio > cp) | ((prio == cp) & (row > cr))
            _release(inputs, drop)
            _release(answers, drop)
            held = int(np.count_nonzero(_held(inputs)))
            self.held += held
            if held:
                kept.append(chunk)
        self.chunks = kept

    def finish(self, table: FeatureTable) -> None:
        self.chunks = []


def _held(col: Coded | list[str | None]) -> np.ndarray:
    """Mask of the rows of a text column that hold a text."""
    if isinstance(col, Coded):
        return col.codes != NONE
    return np.fromiter((t is not None for t in col), dtype=bool, count=len(col))


def _release(col: Coded | list[str | None], rows: np.ndarray) -> None:
    """Release the texts of the rows of mask ``rows`` (in place)."""
    if isinstance(col, Coded):
        col.release(rows)
    else:
        for i in np.flatnonzero(rows).tolist():
            col[i] = None


#: What a row's priority hashes before its input (the priority is ``hash64`` of both).
_PRIORITY_PREFIX = b"sample\x1f"


def _priorities(inputs: list[str]) -> np.ndarray:
    """``hash64("sample\x1f" + text)`` of each input as uint64: the prefix hashed once and
    its state copied per input (no new hash, nor a copy of the input with the prefix)."""
    base = hashlib.blake2b(_PRIORITY_PREFIX, digest_size=8)
    copy = base.copy
    digests: list[bytes] = []
    add = digests.append
    for text in inputs:
        h = copy()
        h.update(text.encode("utf-8", "surrogatepass"))
        add(h.digest())
    return np.frombuffer(b"".join(digests), dtype="<u8", count=len(inputs)).astype(np.uint64)


def _limit(config: Any) -> int:
    check, key = LIMIT_SETTING
    value = config.checks.get(check, {}).get(key, DEFAULT_LIMIT) if config else DEFAULT_LIMIT
    return max(int(value), 1)


@register_feature(
    "text_sample", ("sample_priority", "sample_input", "sample_answer"), gather=_Sampler
)
def text_sample_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, Any]:
    """Priorities of every row, and the texts of the batch's ``limit`` lowest-priority rows
    (the gatherer keeps the run's bottom ``limit``)."""
    limit = _limit(ctx.config)
    turns = batch_turns(batch, ctx.batch)
    n = len(batch)
    # the turns joined depend on the kind, the roles and the final answer's index alone: one
    # format string per such shape in the batch (a few)
    # (each shape's key is hashed once: the first row of its shape names its format)
    keys = zip([ex.kind for ex in batch], turns.roles, turns.last, strict=True)
    first_of: dict[tuple[str, tuple[str, ...], int | None], int] = {}
    firsts = list(map(first_of.setdefault, keys, count()))
    form_at = {first: _input_format(*key) for key, first in first_of.items()}
    forms = list(map(form_at.__getitem__, firsts))
    inputs = [
        t[f[1]] if f[1] >= 0 else f[0].format(*t) for f, t in zip(forms, turns.texts, strict=True)
    ]
    answers = ["" if j is None else t[j] for t, j in zip(turns.texts, turns.last, strict=True)]
    prio = _priorities(inputs)
    cutoff = ctx.hints.get("text_sample")  # the gatherer would blank texts from it on
    if n <= limit and cutoff is None:  # the batch is the sample (smaller than the limit)
        col_in: list[str | None] = [t[:MAX_CHARS] for t in inputs]
        col_ans: list[str | None] = [t[:MAX_CHARS] for t in answers]
    else:
        keep = np.zeros(n, dtype=bool)
        keep[np.lexsort((np.arange(n), prio))[:limit]] = True
        if cutoff is not None:
            keep &= prio < np.uint64(cutoff)
        col_in = [t[:MAX_CHARS] if k else None for t, k in zip(inputs, keep.tolist(), strict=True)]
        col_ans = [
            t[:MAX_CHARS] if k else None for t, k in zip(answers, keep.tolist(), strict=True)
        ]
    return {"sample_priority": prio, "sample_input": col_in, "sample_answer": col_ans}


def sample_rows(ft: FeatureTable, limit: int) -> np.ndarray:
    """Rows of the final sample (at most ``limit``, lowest priority first), in row order."""
    if ft.n == 0 or "sample_input" not in ft:
        return np.zeros(0, dtype=np.int64)
    rows = held_rows(ft["sample_input"])  # from the codes
    if len(rows) > limit:
        prio = ft["sample_priority"][rows]
        rows = rows[np.sort(np.lexsort((rows, prio))[:limit])]
    return rows

"""Whitespace habits: turns with leading or trailing whitespace where most have none."""

from __future__ import annotations

from collections.abc import Sequence
from operator import is_not

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import flat_turns

_ROLE_BITS = {"assistant": 0, "user": 2, "system": 4, "developer": 4}
_BIT_NAMES = (
    "assistant turn starts with whitespace",
    "assistant turn ends with whitespace",
    "user turn starts with whitespace",
    "user turn ends with whitespace",
    "system prompt starts with whitespace",
    "system prompt ends with whitespace",
)


@register_feature("whitespace", ("whitespace_bits",))
def whitespace_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: bit flags for leading/trailing whitespace per role (see ``_BIT_NAMES``).

    Most turns have none: ``str.strip`` returns such a text itself, so one C-level pass
    over the batch's texts finds the few that do, and only those are looked at."""
    bits = np.zeros(len(batch), dtype=np.int8)
    flat = flat_turns(batch, ctx.batch)
    stripped = list(map(str.strip, flat.texts))
    padded = np.fromiter(map(is_not, stripped, flat.texts), dtype=bool, count=len(flat.texts))
    for j in np.flatnonzero(padded).tolist():
        role, text = flat.roles[j], flat.texts[j]
        shift = _ROLE_BITS.get(role)
        if shift is None or not stripped[j]:
            continue
        b = 0
        if text[0].isspace():
            b |= 1 << shift
        # one space after the user's question is how people type it, and the model is not
        # trained to write it: no habit worth a reviewer's minute (a newline or tab is)
        typed = role == "user" and text.endswith(" ") and not text[-2:-1].isspace()
        if text[-1].isspace() and not typed:
            b |= 2 << shift
        bits[flat.owner[j]] |= b
    return {"whitespace_bits": bits}


class WhitespaceSettings(CheckSettings):
    max_share: float = Field(
        0.5, gt=0, le=1, description="above this share of examples, it is the set's habit"
    )


@dataset_check(
    "consistent.whitespace",
    "consistent",
    "warning",
    "{count} examples have turns with surrounding whitespace",
    settings=WhitespaceSettings,
    needs=("whitespace",),
    fix="trim",
)
def whitespace(ft: FeatureTable, settings: WhitespaceSettings, ctx: DatasetContext) -> CheckResult:
    """Turn starts or ends with whitespace, unlike most of the set.

    What: system, user and assistant turns with leading or trailing spaces, tabs or
    newlines (not the single space a user typed after a question), when at most
    `max_share` of the examples have any (if most do, it is the set's habit and the share
    is reported instead).
    Why: the model reproduces whitespace habits; stray leading spaces or trailing newlines
    in a few answers make the output format unpredictable and change tokenisation of the
    first answer token.
    Threshold: `max_share` 0.5.
    Fix: strip the turns; `--fix` trims leading and trailing whitespace of every turn of
    the flagged examples and lists each change.
    """
    bits = ft["whitespace_bits"]
    has = bits != 0
    rate = float(has.mean()) if ft.n else 0.0
    metrics = {"whitespace_examples": int(has.sum()), "whitespace_rate": round(rate, 4)}
    if rate > settings.max_share:
        return CheckResult(
            metrics=metrics,
            summary=f"{rate:.0%} of examples have turns with surrounding whitespace (the habit)",
        )
    flags = []
    for r in np.flatnonzero(has):
        b = int(bits[r])
        detail = "; ".join(name for k, name in enumerate(_BIT_NAMES) if b & (1 << k))
        flags.append(Flag(int(r), detail))
    return CheckResult(flags=flags, metrics=metrics)

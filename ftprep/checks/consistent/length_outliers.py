"""Length outliers: answers far longer than the others of their task."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.consistent.output_format import like_with_like
from ftprep.checks.consistent.requests import ASK_CODE, ASK_LIST, ASK_LONG
from ftprep.checks.dataset import robust_z
from ftprep.features import FeatureTable

#: Requests whose answers are long by nature: a program, a list, an explanation, a story.
_LONG_BY_REQUEST = ASK_CODE | ASK_LIST | ASK_LONG


class LengthOutlierSettings(CheckSettings):
    z: float = Field(3.5, gt=0, description="robust z-score (log tokens) above which to flag")
    min_ratio: float = Field(4.0, gt=1, description="and at least this many times the median")
    min_extra_tokens: int = Field(50, ge=0, description="and at least this many tokens more")
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


@dataset_check(
    "consistent.length_outlier",
    "consistent",
    "warning",
    "{count} answers are far longer than usual",
    settings=LengthOutlierSettings,
    needs=("tokens", "system_prompt", "asked_format", "text_sample"),
)
def length_outlier(
    ft: FeatureTable, settings: LengthOutlierSettings, ctx: DatasetContext
) -> CheckResult:
    """Answer is far longer than the other answers of its task.

    What: the final answer's token count against the answers of the same task (examples
    sharing a system prompt; in a set without one, the same topic cluster — see
    `consistent.output_format`), on a log scale with the median and the MAD (robust to the
    outliers themselves): robust z-score above `z`, at least `min_ratio` times the median
    and `min_extra_tokens` tokens longer. Answers to requests that ask for length — a
    program, a list, an explanation, a story, a speech, a step-by-step guide — are long by
    design and not flagged. Answers far *shorter* than usual are `clean.short_answer`.
    Why: a few very long answers (pasted documents, concatenated replies, a label followed
    by an essay) teach an inconsistent style and dominate the token budget.
    Threshold: `z` 3.5 (Iglewicz & Hoaglin), `min_ratio` 4, `min_extra_tokens` 50 (on real
    instruction data, detailed answers run 3–3.5 times the median; pasted documents and
    concatenated replies run 5 times and more).
    Fix: check that the answer is what you want the model to say; trim or split it.
    """
    tokens = ft["tokens_last_answer"].astype(np.float64)
    asked = ft["asked_format"] if "asked_format" in ft else np.zeros(ft.n, dtype=np.int8)
    flags: list[Flag] = []
    for rows, ref in like_with_like(ft, settings.min_group, ctx.config):
        if len(ref) < settings.min_examples:
            continue
        med = float(np.median(tokens[ref]))
        z = robust_z(np.log1p(tokens[rows]), np.log1p(tokens[ref]))
        hit = (
            (z > settings.z)
            & (tokens[rows] >= settings.min_ratio * max(med, 1.0))
            & (tokens[rows] - med >= settings.min_extra_tokens)
            & ((asked[rows].astype(np.int64) & _LONG_BY_REQUEST) == 0)
        )
        for r in rows[hit]:
            flags.append(Flag(int(r), f"{int(tokens[r])} tokens (typical: {med:g})"))
    flags.sort(key=lambda f: f.row)
    return CheckResult(flags=flags, metrics={"long_answers": len(flags)})

"""Truncated answers: cut off mid-sentence, mid-word, inside a code block or JSON value."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ftprep.checks.answers import (
    E_BROKEN,
    E_DANGLING,
    E_OPEN,
    E_TERMINAL,
    JSON_INVALID,
)
from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.dataset import task_groups
from ftprep.features import FeatureTable


class TruncationSettings(CheckSettings):
    min_terminal_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="prose answers ending in . ! ? needed to flag mid-sentence ends",
    )
    dangling_terminal_share: float = Field(
        0.5, gt=0, le=1, description="… needed to flag ends on a dangling word or comma"
    )
    min_prose: int = Field(10, ge=1, description="prose answers needed to judge the norm")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


@dataset_check(
    "clean.truncated",
    "clean",
    "warning",
    "{count} answers look cut off",
    settings=TruncationSettings,
    needs=("answer_shape", "system_prompt"),
)
def truncated(ft: FeatureTable, settings: TruncationSettings, ctx: DatasetContext) -> CheckResult:
    """Answer looks cut off at the end or the start.

    What: how each assistant turn ends. Always flagged: a code block that is never closed,
    and a JSON answer that stops inside a string or with brackets still open. Flagged when
    the answers of the same task (same system prompt, else the whole set) normally end a
    sentence: an answer ending on a dangling word or mark ("…and", "…the", a trailing comma
    or colon, an unclosed bracket or quote) when at least `dangling_terminal_share` of the
    prose answers end in `.`, `!` or `?`; an answer ending mid-sentence or mid-word when at
    least `min_terminal_share` do. Short answers (labels, codes, one-liners of up to four
    words), lists, tables, code, URLs and JSON are never judged on punctuation.
    Why: generation limits and export bugs cut answers off; the model learns to stop
    mid-thought. Judging against the set's own habit keeps datasets whose answers
    legitimately end without punctuation (labels, code, lists) free of false alarms.
    Complete without a full stop: a sign-off ("Best regards, Anna"), an attribution
    ("— Mark Twain"), a hashtag, a number, an emoji, closing quotes or brackets, a tool call,
    verse and "Label: text" lines. The start is checked too: a final prose answer that
    begins with a lower-case word fragment ("ing the report…") or a continuing conjunction
    ("and then…", "which…") was cut at the front, unless the prompt asks to complete or
    continue a text or itself stops mid-sentence.
    Threshold: `min_terminal_share` 0.8, `dangling_terminal_share` 0.5, at least
    `min_prose` prose answers in the task.
    Fix: regenerate the answer with a higher token limit, or drop the example.
    """
    worst = np.asarray(ft["answer_end_worst"])
    last = np.asarray(ft["answer_end"])
    msg = np.asarray(ft["answer_end_message"])
    fmt = np.asarray(ft["answer_format"])
    start_mid = np.asarray(ft["answer_start_mid"], dtype=bool)
    flags: list[Flag] = []
    shares: list[float] = []
    for rows, ref in task_groups(ft, settings.min_group):
        ends = last[ref]
        prose = int(np.isin(ends, (E_TERMINAL, E_OPEN, E_DANGLING)).sum())
        share = float((ends == E_TERMINAL).sum()) / prose if prose else 0.0
        judged = prose >= settings.min_prose
        if judged:
            shares.append(share)
        # The rules below in order, as masks over the group (each row takes the first that
        # holds; nearly none hold, so only flagged rows pay Python, not every row).
        w = worst[rows]
        broken = w == E_BROKEN
        dangling = ~broken & (
            (w == E_DANGLING) if judged and share >= settings.dangling_terminal_share else False
        )
        begins_mid = ~broken & ~dangling & start_mid[rows]
        open_end = (
            ~broken
            & ~dangling
            & ~begins_mid
            & ((w == E_OPEN) if judged and share >= settings.min_terminal_share else False)
        )
        for i in np.flatnonzero(broken | dangling | begins_mid | open_end).tolist():
            r = int(rows[i])
            where = f"message {int(msg[r])}"
            if broken[i]:
                what = "JSON cut off" if fmt[r] == JSON_INVALID else "code block never closed"
                flags.append(Flag(r, f"{where}: {what}"))
            elif dangling[i]:
                flags.append(
                    Flag(
                        r,
                        f"{where} ends on a dangling word or mark ({share:.0%} of "
                        "answers end a sentence)",
                    )
                )
            elif begins_mid[i]:
                flags.append(Flag(r, "the final answer starts mid-word or mid-sentence"))
            else:
                flags.append(
                    Flag(r, f"{where} ends mid-sentence ({share:.0%} of answers end a sentence)")
                )
    flags.sort(key=lambda f: f.row)
    metrics: dict[str, float] = {"truncated_answers": len(flags)}
    if shares:
        metrics["terminal_punctuation_share"] = round(float(np.mean(shares)), 4)
    return CheckResult(flags=flags, metrics=metrics)

"""System prompts: how many distinct ones, how they are spread, and who lacks one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.dataset import excerpts_by_key, first_excerpts, remember_once
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.masking import excerpt
from ftprep.schema import ChatExample
from ftprep.similarity.normalize import hash64, normalize_text

SYSTEM_ROLES = ("system", "developer")
TOP = 20


def system_text(ex: ChatExample) -> str:
    """The example's system (and developer) messages, joined; empty when there are none."""
    return "\n".join(m.text for m in ex.messages if m.role in SYSTEM_ROLES)


@register_feature(
    "system_prompt",
    ("system_hash", "system_norm_hash", "system_excerpt"),
    gather=first_excerpts("system_excerpt", "system_hash"),
)
def system_prompt_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: a hash of the exact system prompt (0 = none), a hash of its normalised
    text, and a masked excerpt at the first occurrence of each distinct prompt (bounded)."""
    n = len(batch)
    exact = np.zeros(n, dtype=np.uint64)
    norm = np.zeros(n, dtype=np.uint64)
    texts: list[str | None] = [None] * n
    known: dict[str, tuple[int, int]] = {}  # prompts repeat: hash each distinct one once
    for i, ex in enumerate(batch):
        text = system_text(ex)
        if not text:
            continue
        if text not in known:
            known[text] = (hash64(text) or 1, hash64(normalize_text(text)) or 1)
        exact[i], norm[i] = known[text]
        if remember_once(ctx, "system_prompt", int(exact[i])):
            texts[i] = excerpt(text, 120)
    return {"system_hash": exact, "system_norm_hash": norm, "system_excerpt": texts}


class SystemPromptSettings(CheckSettings):
    rare_share: float = Field(
        0.02, gt=0, lt=1, description="a prompt used by less than this share is rare"
    )
    min_coverage: float = Field(
        0.9, gt=0, le=1, description="common prompts must cover this share to call others rare"
    )


def _distribution(ft: FeatureTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct non-empty system-prompt hashes, their counts and first rows (count desc)."""
    keys = ft["system_hash"]
    has = keys != 0
    uniq, first, counts = np.unique(keys[has], return_index=True, return_counts=True)
    first = np.flatnonzero(has)[first]
    order = np.lexsort((first, -counts))
    return uniq[order], counts[order], first[order]


@dataset_check(
    "consistent.system_prompt",
    "consistent",
    "warning",
    "{count} examples use a rare system prompt variant",
    settings=SystemPromptSettings,
    needs=("system_prompt",),
)
def system_prompt(
    ft: FeatureTable, settings: SystemPromptSettings, ctx: DatasetContext
) -> CheckResult:
    """Example uses a rare variant of the system prompt.

    What: the distinct system prompts (exact text) and how many examples use each — listed
    in the report, masked, most used first — and the examples whose prompt is rare: used by
    less than `rare_share` of the examples that have one, in a set where the common prompts
    cover at least `min_coverage`. A variant that differs from a common prompt only in case,
    punctuation or spacing is called out as such.
    Why: the model learns the system prompt as part of the input; a handful of examples with
    a stray variant (an old wording, a typo, a different persona) are trained under a prompt
    you will never use in production, and dilute what the real prompt means.
    Threshold: `rare_share` 0.02, `min_coverage` 0.9. A set where every example has its own
    prompt (e.g. prompts carrying per-example context) gets the distribution, not flags.
    Fix: replace the variants with the production prompt, or drop those examples.
    """
    uniq, counts, first = _distribution(ft)
    texts = excerpts_by_key(ft["system_hash"], ft["system_excerpt"])
    with_prompt = int(counts.sum())
    listing = [
        {"text": texts.get(int(k), "(excerpt not kept)"), "count": int(c)}
        for k, c in zip(uniq[:TOP], counts[:TOP], strict=True)
    ]
    metrics = {
        "distinct_system_prompts": len(uniq),
        "examples_with_system_prompt": with_prompt,
        "system_prompts": listing,
    }
    summary = (
        f"{len(uniq)} distinct system prompt(s) in {with_prompt} of {ft.n} examples"
        if len(uniq)
        else None
    )
    if len(uniq) < 2:
        return CheckResult(metrics=metrics, summary=summary)
    rare = counts < settings.rare_share * with_prompt
    if counts[~rare].sum() < settings.min_coverage * with_prompt:
        return CheckResult(metrics=metrics, summary=summary)
    common_norm = set(ft["system_norm_hash"][first[~rare]].tolist())
    keys, norms = ft["system_hash"], ft["system_norm_hash"]
    rare_keys = uniq[rare]
    rows = np.flatnonzero(np.isin(keys, rare_keys))
    count_of = dict(zip(uniq.tolist(), counts.tolist(), strict=True))
    flags = []
    for r in rows:
        k = int(keys[r])
        how = (
            "differs from a common prompt only in case, punctuation or spacing"
            if int(norms[r]) in common_norm
            else f"'{texts.get(k, '')[:60]}'"
        )
        flags.append(Flag(int(r), f"system prompt used by {count_of[k]} of {with_prompt}: {how}"))
    metrics["rare_system_prompt_examples"] = len(rows)
    return CheckResult(
        flags=flags,
        metrics=metrics,
        summary=summary,
        message=f"{len(rows)} examples use one of {int(rare.sum())} rare system prompt variants",
    )


class MissingSystemPromptSettings(CheckSettings):
    min_share: float = Field(
        0.8, gt=0, le=1, description="share of examples with a system prompt that makes it the norm"
    )


@dataset_check(
    "consistent.missing_system_prompt",
    "consistent",
    "warning",
    "{count} examples lack the system prompt most examples carry",
    settings=MissingSystemPromptSettings,
    needs=("system_prompt",),
)
def missing_system_prompt(
    ft: FeatureTable, settings: MissingSystemPromptSettings, ctx: DatasetContext
) -> CheckResult:
    """Example lacks the system prompt most examples carry.

    What: examples without any system message, when at least `min_share` of the examples
    have one.
    Why: the same request then trains two behaviours — with and without the instructions —
    and production (which always sends the prompt) matches only part of the data.
    Threshold: `min_share` 0.8.
    Fix: add the production system prompt to these examples (`--system` adds one where
    missing), or remove it from all.
    """
    keys = ft["system_hash"]
    has = keys != 0
    if ft.n == 0 or has.mean() < settings.min_share or has.all():
        return CheckResult()
    _, counts, _ = _distribution(ft)
    dominant = counts[0] / ft.n
    rows = np.flatnonzero(~has)
    detail = (
        f"no system prompt ({has.mean():.0%} of examples have one; the most common {dominant:.0%})"
    )
    return CheckResult(
        flags=[Flag(int(r), detail) for r in rows],
        metrics={"examples_without_system_prompt": len(rows)},
    )

"""System prompts: how many distinct ones, how they are spread, and who lacks one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.dataset import excerpts_by_key, first_excerpts, remember_once
from ftprep.columns import held_rows
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.masking import excerpt
from ftprep.schema import ChatExample
from ftprep.similarity.minhash import signatures, similarity
from ftprep.similarity.normalize import hash64, normalize_texts
from ftprep.turns import flat_turns
from ftprep.wording import plural

SYSTEM_ROLES = ("system", "developer")
_SYSTEM_SET = frozenset(SYSTEM_ROLES)
TOP = 20


def system_text(ex: ChatExample) -> str:
    """The example's system (and developer) messages, joined; empty when there are none."""
    return "\n".join(m.text for m in ex.messages if m.role in SYSTEM_ROLES)


def system_texts(batch: Sequence[ChatExample], memo: dict[str, Any]) -> list[str]:
    """:func:`system_text` of each example of a batch, from its flat turns: the system
    messages found with one C-level pass over the roles, and an example's text is its one
    system message itself (a join of one text is that text), or its several joined with
    newlines."""
    flat = flat_turns(batch, memo)
    texts = [""] * len(batch)
    system = np.fromiter(
        map(_SYSTEM_SET.__contains__, flat.roles), dtype=bool, count=len(flat.roles)
    )
    rows = np.flatnonzero(system)
    owners = flat.owner[rows]
    if np.all(owners[1:] != owners[:-1]):  # at most one system message per example
        for i, j in zip(owners.tolist(), rows.tolist(), strict=True):
            texts[i] = flat.texts[j]
        return texts
    parts: dict[int, list[str]] = {}
    for i, j in zip(owners.tolist(), rows.tolist(), strict=True):
        parts.setdefault(i, []).append(flat.texts[j])
    for i, each in parts.items():
        texts[i] = "\n".join(each)
    return texts


_DIGITS = re.compile(r"\d+")


@register_feature(
    "system_prompt",
    (
        "system_hash",
        "system_norm_hash",
        "system_template_hash",
        "system_len",
        "system_excerpt",
        "system_sig",
    ),
    gather=first_excerpts("system_excerpt", "system_hash"),
)
def system_prompt_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: a hash of the exact system prompt (0 = none), a hash of its normalised
    text, a hash of that with digit runs masked (dates, counts, ids: template slots), and,
    at the first occurrence of each distinct prompt (bounded), a masked excerpt and a
    MinHash signature to tell a near-copy of a prompt from a different one."""
    n = len(batch)
    texts = system_texts(batch, ctx.batch)
    # prompts repeat: each distinct one is hashed once, in order of first use
    distinct = list(dict.fromkeys(texts))
    code = {text: k for k, text in enumerate(distinct)}
    codes = np.fromiter(map(code.__getitem__, texts), dtype=np.int64, count=n)
    folded = normalize_texts(distinct)
    table = np.zeros((len(distinct), 3), dtype=np.uint64)
    for k, (text, fold) in enumerate(zip(distinct, folded, strict=True)):
        if text:
            table[k] = (hash64(text) or 1, hash64(fold) or 1, hash64(_DIGITS.sub("0", fold)) or 1)
    exact, norm, template = (table[codes, c] for c in range(3))
    length = np.fromiter(map(len, texts), dtype=np.int32, count=n)
    excerpts: list[str | None] = [None] * n
    sigs: list[np.ndarray | None] = [None] * n
    _, first = np.unique(codes, return_index=True)  # codes count up in order of first use
    kept = [
        (k, row)
        for k, row in enumerate(first.tolist())
        if distinct[k] and remember_once(ctx, "system_prompt", int(table[k, 0]))
    ]
    signed = signatures([folded[k] for k, _ in kept])
    for (k, row), sig in zip(kept, signed, strict=True):
        excerpts[row] = excerpt(distinct[k], 120)
        sigs[row] = sig
    return {
        "system_hash": exact,
        "system_norm_hash": norm,
        "system_template_hash": template,
        "system_len": length,
        "system_excerpt": excerpts,
        "system_sig": sigs,
    }


class SystemPromptSettings(CheckSettings):
    rare_share: float = Field(
        0.02, gt=0, lt=1, description="a prompt used by less than this share is rare"
    )
    min_coverage: float = Field(
        0.9, gt=0, le=1, description="common prompts must cover this share to call others rare"
    )
    variant_similarity: float = Field(
        0.5, gt=0, le=1, description="shingle overlap with a common prompt that makes a variant"
    )
    max_stray_chars: int = Field(
        300, ge=0, description="a different prompt up to this long is a stray; longer, a task"
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
    in the report, masked, most used first — and the examples whose prompt is a rare
    *variant* of a common one: used by less than `rare_share` of the examples that have a
    prompt, in a set where the common prompts cover at least `min_coverage`, and either the
    same as a common prompt after folding case, punctuation and spacing, or sharing at
    least `variant_similarity` of its character shingles with one (a typo, an old wording,
    an added sentence), or unlike every common prompt but short (at most
    `max_stray_chars`: a stock "You are a helpful assistant." among production prompts).
    Not flagged: prompts that equal a common one once numbers are masked (a date, a count or
    an id filled into a template), and long prompts unlike the common ones (a task of their
    own, or per-example context). A set with no system prompt, or where every example has
    its own, gets the distribution, not flags.
    Why: the model learns the system prompt as part of the input; a handful of examples with
    a stray variant (an old wording, a typo, a different persona) are trained under a prompt
    you will never use in production, and dilute what the real prompt means.
    Threshold: `rare_share` 0.02, `min_coverage` 0.9, `variant_similarity` 0.5,
    `max_stray_chars` 300.
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
        f"{plural(len(uniq), 'distinct system prompt')} in {with_prompt} of "
        f"{plural(ft.n, 'example')}"
        if len(uniq)
        else None
    )
    if len(uniq) < 2:
        return CheckResult(metrics=metrics, summary=summary)
    rare = counts < settings.rare_share * with_prompt
    if counts[~rare].sum() < settings.min_coverage * with_prompt:
        return CheckResult(metrics=metrics, summary=summary)
    verdicts = _rare_verdicts(ft, uniq, rare, first, texts, settings)
    keys = ft["system_hash"]
    count_of = dict(zip(uniq.tolist(), counts.tolist(), strict=True))
    flags = []
    for r in np.flatnonzero(np.isin(keys, np.array(list(verdicts), dtype=np.uint64))):
        k = int(keys[r])
        flags.append(
            Flag(int(r), f"system prompt used by {count_of[k]} of {with_prompt}: {verdicts[k]}")
        )
    metrics["rare_system_prompt_examples"] = len(flags)
    if not flags:
        return CheckResult(metrics=metrics, summary=summary)
    variants = len(verdicts)
    return CheckResult(
        flags=flags,
        metrics=metrics,
        summary=summary,
        message=(
            f"{_n(len(flags), 'example uses', 'examples use')} "
            + (
                "a rare system prompt variant"
                if variants == 1
                else f"one of {variants} rare system prompt variants"
            )
        ),
    )


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _rare_verdicts(
    ft: FeatureTable,
    uniq: np.ndarray,
    rare: np.ndarray,
    first: np.ndarray,
    texts: dict[int, str],
    settings: SystemPromptSettings,
) -> dict[int, str]:
    """Rare prompt key -> why it is a stray variant, for the rare prompts that are one.

    A rare prompt is a variant of the production prompt when it folds to a common prompt
    (case, punctuation, spacing), or shares most of its shingles with one (a typo, an old
    wording, an added sentence). It is a template slot, not a variant, when it equals a
    common prompt once numbers are masked (a date, a count, an id). A rare prompt unlike
    every common one is a stray when short (a stock "You are a helpful assistant.") and a
    task of its own when long (its own instructions or per-example context).
    """
    norms, templates = ft["system_norm_hash"], ft["system_template_hash"]
    sig_col = ft["system_sig"] if "system_sig" in ft else [None] * ft.n
    sigs: dict[int, np.ndarray] = {}
    signed = held_rows(sig_col)  # few: a prompt's first rows
    for k, row in zip(np.asarray(ft["system_hash"])[signed].tolist(), signed.tolist(), strict=True):
        sigs.setdefault(int(k), sig_col[row])
    common_rows = first[~rare]
    common_norm = set(norms[common_rows].tolist())
    common_template = set(templates[common_rows].tolist())
    common_sigs = [(int(k), sigs[int(k)]) for k in uniq[~rare] if sigs.get(int(k)) is not None]
    out: dict[int, str] = {}
    for key, row in zip(uniq[rare].tolist(), first[rare].tolist(), strict=True):
        quoted = f"'{texts.get(key, '')[:60]}'"
        if int(norms[row]) in common_norm:
            out[key] = "differs from a common prompt only in case, punctuation or spacing"
            continue
        if int(templates[row]) in common_template:
            continue  # a template slot (date, count, id) filled differently
        sig = sigs.get(key)
        best = 0.0
        if sig is not None and common_sigs:
            best = max(float(similarity(sig, other)) for _, other in common_sigs)
        if best >= settings.variant_similarity:
            out[key] = f"a variant of a common prompt ({best:.0%} alike): {quoted}"
        elif int(ft["system_len"][row]) <= settings.max_stray_chars:
            out[key] = f"unlike the common prompts: {quoted}"
    return out


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

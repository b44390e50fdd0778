"""Contradictions: the same (or a nearly identical) input with different answers.

Exact contradictions group examples by ``hash_prompt`` (system prompt and every turn before
the final answer, normalised for case, spacing and punctuation). Near contradictions use a
word-level MinHash of the prompt turns (system prompt excluded from the text but required to
be identical), so that "the same question with a word added or a typo" pairs up in linear
time. Two inputs that differ in a number or a negation ("stage 3" vs "stage 4", "with" vs
"without") are *not* near-identical: the answer may rightly differ.

Answers count as different when their normalised text differs and their character-shingle
similarity is below ``same_answer_similarity``; lightly edited copies of one answer are near
duplicates (``clean.near_duplicate``), not contradictions.

Both groupings are cached on the feature table and registered as a split grouping key, so a
contradiction never straddles train and validation.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.prose import word_set
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.minhash import (
    EMPTY,
    band_hashes,
    groups_from_pairs,
    mix64,
    pair_similarity,
    signatures,
    similarity,
)
from ftprep.similarity.normalize import hash64, media_key, normalize_text

BINS = 64
SMALL_BINS = 32
BANDS = 16
#: Sorted neighbours compared within an LSH bucket. Chaining only adjacent rows (enough for
#: duplicate clusters, where everyone resembles everyone) misses a pair separated by other
#: bucket members, which templated prompts produce; a small window keeps the cost linear.
WINDOW = 4
#: Words that flip meaning: inputs differing in them are not "the same question".
NEGATIONS = word_set(
    "no not never none nor without cannot cant dont doesnt didnt isnt arent wasnt werent "
    "wont shouldnt couldnt wouldnt except unless neither"
)
#: Negations keyed by their sorted letters, so a transposition typo ("wihtout") still
#: counts as the negation it misspells; two-letter words must match exactly ("on" ≠ "no").
_NEGATION_KEYS = {"".join(sorted(w)): w for w in NEGATIONS if len(w) > 2}
_DIGITS = re.compile(r"\d+")


def _negations(words: set[str]) -> str:
    found = {w for w in words if w in NEGATIONS}
    found |= {
        _NEGATION_KEYS[k]
        for w in words
        if len(w) > 2 and (k := "".join(sorted(w))) in _NEGATION_KEYS
    }
    return " ".join(sorted(found))


MAX_DETAIL_LINES = 10


def _prompt_turns(ex: ChatExample) -> str:
    """Normalised non-system turns before the final answer."""
    return " ".join(
        normalize_text(m.text) for m in ex.prompt_messages if m.role not in ("system", "developer")
    )


def word_signatures(texts: Sequence[str], bins: int = BINS) -> np.ndarray:
    """One-permutation MinHash over the *set of words* of each text: (n, bins) uint16.

    Word sets suit short prompts, where one edited word changes most character shingles.
    Each word is keyed by its sorted letters, so a transposition typo ("recieve") keeps the
    word's identity.
    """
    n = len(texts)
    sig = np.full(n * bins, 0xFFFF, dtype=np.uint16)
    owners: list[int] = []
    hashes: list[int] = []
    cache: dict[str, int] = {}
    for i, text in enumerate(texts):
        words = set(text.split())
        owners.extend([i] * len(words))
        for w in words:
            h = cache.get(w)
            if h is None:
                h = cache[w] = zlib.crc32("".join(sorted(w)).encode("utf-8", "surrogatepass"))
            hashes.append(h)
    if hashes:
        mixed = mix64(np.asarray(hashes, dtype=np.uint64))
        shift = np.uint64(64 - int(np.log2(bins)))
        slot = np.asarray(owners, dtype=np.int64) * bins + (mixed >> shift).astype(np.int64)
        value = (mixed & np.uint64(0xFFFF)).astype(np.uint16)
        value[value == EMPTY] = 0xFFFE
        np.minimum.at(sig, slot, value)
    return sig.reshape(n, bins)


def candidate_pairs(
    sig: np.ndarray,
    key: np.ndarray | None = None,
    bands: int = BANDS,
    window: int = WINDOW,
) -> np.ndarray:
    """(i, j) rows sharing a band (and ``key``, when given), comparing up to ``window``
    sorted neighbours per bucket.

    Within a band, rows are sorted by that band's hash and then the next band's, so rows
    that agree on more bands sit next to each other. Mixing ``key`` into every band hash
    keeps rows that can never pair (another system prompt, other numbers) out of each
    other's buckets, which is what keeps templated data cheap.
    """
    informative = np.flatnonzero((sig != EMPTY).any(axis=1))
    if len(informative) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bh = band_hashes(sig[informative], bands)
    if key is not None:
        bh = mix64(bh ^ np.asarray(key, dtype=np.uint64)[informative][:, None])
    # Pairs are kept as one int64 code (i * n + j, i < j) from the start: 8 bytes per
    # candidate instead of the 48 that index pairs, their remapping and sorting took (the
    # peak of a 100K-example run), then deduplicated once.
    n = np.int64(len(sig))
    found: list[np.ndarray] = []
    for b in range(bands):
        order = np.lexsort((bh[:, (b + 1) % bands], bh[:, b]))
        keys = bh[order, b]
        for off in range(1, window + 1):
            same = np.flatnonzero(keys[off:] == keys[:-off])
            if len(same) == 0:
                break
            i, j = informative[order[same]], informative[order[same + off]]
            found.append(np.minimum(i, j) * n + np.maximum(i, j))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


@register_feature(
    "prompt_sketch", ("prompt_sig", "prompt_char_sig", "answer_sig", "prompt_key", "prompt_raw")
)
def prompt_sketch_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Word MinHash of the prompt turns, character MinHash of the final answer (64 bins of
    16 bits each), and a key over what must match exactly for inputs to be near-identical:
    the system prompt, the numbers and the negations of the prompt."""
    prompts, answers = [], []
    keys = np.zeros(len(batch), dtype=np.uint64)
    raw = np.zeros(len(batch), dtype=np.uint64)
    for i, ex in enumerate(batch):
        raw[i] = hash64("\x1e".join(m.text for m in ex.prompt_messages))
        text = _prompt_turns(ex)
        prompts.append(text)
        last = ex.last_assistant_index
        answers.append("" if last is None else normalize_text(ex.messages[last].text))
        system = "\n".join(m.text for m in ex.messages if m.role in ("system", "developer"))
        digits = " ".join(_DIGITS.findall(text))
        negations = _negations(set(text.split()))
        keys[i] = hash64(f"{system}\x1e{digits}\x1e{negations}\x1e{media_key(ex)}")
    return {
        "prompt_sig": word_signatures(prompts),
        "prompt_char_sig": signatures(prompts, bins=SMALL_BINS),
        "answer_sig": signatures(answers, bins=SMALL_BINS),
        "prompt_key": keys,
        "prompt_raw": raw,
    }


class ContradictionSettings(CheckSettings):
    same_answer_similarity: float = Field(
        0.9, gt=0, le=1, description="answers at least this similar count as the same answer"
    )


def _answer_clusters(rows: np.ndarray, ft: FeatureTable, same: float) -> int:
    """Number of distinct answers among ``rows`` (near-identical answers merged)."""
    answers = ft["hash_answer"][rows]
    uniq, first = np.unique(answers, return_index=True)
    if len(uniq) < 2:
        return len(uniq)
    reps = rows[first]
    if len(reps) > 200:
        return len(reps)
    sig = ft["answer_sig"][reps]
    i, j = np.triu_indices(len(reps), 1)
    close = similarity(sig[i], sig[j]) >= same
    pairs = np.stack([i[close], j[close]], axis=1) if close.any() else np.zeros((0, 2), int)
    return int(groups_from_pairs(len(reps), pairs).max()) + 1


def _lines(ft: FeatureTable, rows: np.ndarray, exclude: int) -> str:
    others = [int(ft["line"][r]) for r in rows if r != exclude]
    shown = ", ".join(str(x) for x in others[:MAX_DETAIL_LINES])
    more = f" and {len(others) - MAX_DETAIL_LINES} more" if len(others) > MAX_DETAIL_LINES else ""
    return shown + more


def exact_contradiction_groups(ft: FeatureTable, same: float = 0.9) -> list[np.ndarray]:
    """Row groups sharing a normalised input and holding more than one answer (memoised)."""
    if same in ft.derived.contradictions:
        return ft.derived.contradictions[same]
    prompts, answers = ft["hash_prompt"], ft["hash_answer"]
    groups: list[np.ndarray] = []
    if ft.n:
        order = np.lexsort((answers, prompts))
        sp, sa = prompts[order], answers[order]
        new_prompt = np.r_[True, sp[1:] != sp[:-1]]
        new_answer = new_prompt | np.r_[True, sa[1:] != sa[:-1]]
        starts = np.flatnonzero(new_prompt)
        distinct = np.add.reduceat(new_answer.astype(np.int64), starts)
        ends = np.r_[starts[1:], len(sp)]
        for s, e in zip(starts[distinct > 1], ends[distinct > 1], strict=True):
            rows = np.sort(order[s:e])
            if "answer_sig" not in ft or _answer_clusters(rows, ft, same) > 1:
                groups.append(rows)
    ft.derived.contradictions[same] = groups
    return groups


@dataset_check(
    "clean.contradiction",
    "clean",
    "error",
    "{count} examples give different answers to the same input",
    settings=ContradictionSettings,
    needs=("hashes", "prompt_sketch"),
)
def contradiction(
    ft: FeatureTable, settings: ContradictionSettings, ctx: DatasetContext
) -> CheckResult:
    """Same input, different answers.

    What: examples whose input — the system prompt and every turn before the final
    answer, compared after folding case, whitespace and punctuation — is identical, but
    whose final answers differ (answers at least `same_answer_similarity` alike, e.g. one
    word changed in a long answer, count as the same answer and are left to
    `clean.near_duplicate`). Every example of each group is listed, with the lines of the
    others.
    Why: the model is trained to give both answers to one question; for classification or
    extraction it learns noise, for policies it learns to be inconsistent. Contradictions
    are the defect reviewers of finetuning sets find most often in merged or
    re-annotated data.
    Threshold: any group; `same_answer_similarity` 0.9 (estimated Jaccard of 5-character
    shingles). The split keeps each group on one side.
    Fix: decide which answer is right and remove or correct the others. `--fix` never
    chooses for you.
    """
    groups = exact_contradiction_groups(ft, settings.same_answer_similarity)
    flags = []
    for rows in groups:
        answers = len(np.unique(ft["hash_answer"][rows]))
        for r in rows:
            detail = f"same input as line(s) {_lines(ft, rows, r)}; {answers} different answers"
            flags.append(Flag(int(r), detail, fixable=False))
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags,
        metrics={"contradiction_groups": len(groups), "contradicting_examples": len(flags)},
        message=f"{len(flags)} examples in {len(groups)} groups give different answers to the "
        "same input"
        if groups
        else None,
    )


class NearContradictionSettings(CheckSettings):
    threshold: float = Field(
        0.8, gt=0, le=1, description="estimated Jaccard similarity of the prompts' word sets"
    )
    char_threshold: float = Field(
        0.7, gt=0, le=1, description="and estimated Jaccard similarity of 5-character shingles"
    )
    max_answer_similarity: float = Field(
        0.6, gt=0, le=1, description="answers must share less than this (5-character shingles)"
    )
    min_words: int = Field(4, ge=1, description="shorter prompts are not compared")


def _surface_variant_pairs(ft: FeatureTable, same: float) -> np.ndarray:
    """Pairs inside exact-contradiction groups whose prompts differ in their raw text (case,
    spacing, punctuation): near-identical as written, identical once normalised."""
    groups = exact_contradiction_groups(ft, same)
    out = []
    for rows in groups:
        rows = rows[:64]
        i, j = np.triu_indices(len(rows), 1)
        a, b = rows[i], rows[j]
        keep = (ft["prompt_raw"][a] != ft["prompt_raw"][b]) & (
            ft["hash_answer"][a] != ft["hash_answer"][b]
        )
        out.append(np.stack([a[keep], b[keep]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def _filter(pairs: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return pairs[keep] if len(pairs) else pairs


def near_contradiction_pairs(
    ft: FeatureTable, settings: NearContradictionSettings, same: float = 0.9
) -> np.ndarray:
    """Verified (i, j) pairs: near-identical inputs, different answers (memoised).

    ``same`` is ``clean.contradiction``'s same-answer similarity (its exact groups supply
    the surface variants).

    Rows with the same input and the same answer (copies) are compared once, through one
    representative, and every copy joins the representative's pairs afterwards. Cheap
    scalar tests run before the signature comparisons, on ever fewer pairs.
    """
    key = (
        settings.threshold,
        settings.char_threshold,
        settings.max_answer_similarity,
        float(settings.min_words),
        same,
    )
    if key in ft.derived.near_contradictions:
        return ft.derived.near_contradictions[key]
    combo = ft["hash_prompt"] ^ mix64(ft["hash_answer"])
    _, reps, inverse = np.unique(combo, return_index=True, return_inverse=True)
    sig = ft["prompt_sig"][reps]
    informative = (sig != EMPTY).sum(axis=1) >= min(settings.min_words, BINS)
    sig = np.where(informative[:, None], sig, EMPTY).astype(np.uint16)
    pairs = candidate_pairs(sig, ft["prompt_key"][reps])
    pairs = reps[pairs] if len(pairs) else np.zeros((0, 2), dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    pairs = _filter(
        pairs,
        (ft["prompt_key"][a] == ft["prompt_key"][b])
        & (ft["hash_prompt"][a] != ft["hash_prompt"][b])
        & (ft["hash_answer"][a] != ft["hash_answer"][b]),
    )
    for column, threshold in (("prompt_sig", settings.threshold),
                              ("prompt_char_sig", settings.char_threshold)):  # fmt: skip
        pairs = _filter(pairs, pair_similarity(ft[column], pairs) >= threshold)
    pairs = _filter(
        pairs, pair_similarity(ft["answer_sig"], pairs) < settings.max_answer_similarity
    )
    if len(pairs):
        # Copies of a representative join its pairs (chained to it).
        rep_of = reps[inverse]
        copies = np.flatnonzero((rep_of != np.arange(ft.n)) & np.isin(rep_of, pairs))
        pairs = np.concatenate([pairs, np.stack([rep_of[copies], copies], axis=1)])
    pairs = np.concatenate([pairs, _surface_variant_pairs(ft, same)]).astype(np.int64)
    if len(pairs):
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    ft.derived.near_contradictions[key] = pairs
    return pairs


@dataset_check(
    "clean.near_contradiction",
    "clean",
    "warning",
    "{count} examples answer near-identical inputs differently",
    settings=NearContradictionSettings,
    needs=("hashes", "prompt_sketch"),
)
def near_contradiction(
    ft: FeatureTable, settings: NearContradictionSettings, ctx: DatasetContext
) -> CheckResult:
    """Near-identical inputs, different answers.

    What: pairs of examples with the same system prompt whose other input turns share at
    least `threshold` of their words and `char_threshold` of their 5-character shingles
    (MinHash + LSH, linear time) — the same question with a typo, a word added or removed —
    with the same numbers and the same negations, and whose answers differ: they share less
    than `max_answer_similarity` of their 5-character shingles. Requiring both word and
    character similarity separates a typo or a filler word (both stay high) from a
    template with a different name filled in (the characters change); the answer limit
    keeps a templated answer that only echoes that name from counting as different.
    Inputs identical after normalisation are `clean.contradiction`.
    Why: a near-identical question with a different answer teaches the model that surface
    noise changes the answer; often one of the two is a labelling mistake.
    Pairs that differ only in case, spacing or punctuation are also listed here (they are
    `clean.contradiction` errors as well), so a near-identical pair is never missed.
    Threshold: `threshold` 0.8 (word-set Jaccard), `char_threshold` 0.7,
    `max_answer_similarity` 0.6, prompts of at least `min_words` distinct words. A
    warning: sometimes the one changed word is the point ("left" vs "right" knee).
    Fix: check each group; correct or remove the wrong answer, or make the inputs state the
    difference that justifies it. `--fix` never resolves it.
    """
    same = _configured(ctx.config, "clean.contradiction", ContradictionSettings)
    pairs = near_contradiction_pairs(ft, settings, same.same_answer_similarity)
    if len(pairs) == 0:
        return CheckResult(metrics={"near_contradiction_groups": 0})
    labels = groups_from_pairs(ft.n, pairs)
    rows = np.unique(pairs)
    members: dict[int, list[int]] = {}
    for r in rows:
        members.setdefault(int(labels[r]), []).append(int(r))
    flags = []
    for group in members.values():
        arr = np.asarray(group)
        for r in group:
            flags.append(
                Flag(
                    r,
                    f"near-identical input to line(s) {_lines(ft, arr, r)}; different answer",
                    fixable=False,
                )
            )
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags,
        metrics={"near_contradiction_groups": len(members)},
        message=f"{len(flags)} examples in {len(members)} groups answer near-identical inputs "
        "differently",
    )


def contradiction_group_key(
    ft: FeatureTable, config: Any = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Contradiction groups (exact and near) as a split grouping key: every example of a
    group lands on the same side.

    Computed with the two checks' configured settings whether or not the checks are
    enabled (the cache makes it free when they ran), so disabling a check never moves an
    example across the split.
    """
    n = ft.n
    if n == 0 or "hash_prompt" not in ft:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    exact = _configured(config, "clean.contradiction", ContradictionSettings)
    groups = exact_contradiction_groups(ft, exact.same_answer_similarity)
    chains = [np.stack([g[:-1], g[1:]], axis=1) for g in groups]
    if "prompt_sig" in ft:
        near_settings = _configured(config, "clean.near_contradiction", NearContradictionSettings)
        near = near_contradiction_pairs(ft, near_settings, exact.same_answer_similarity)
        if len(near):
            chains.append(near)
    if not chains:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    pairs = np.concatenate(chains).astype(np.int64)
    labels = groups_from_pairs(n, pairs)
    valid = np.zeros(n, dtype=bool)
    valid[np.unique(pairs)] = True
    return labels, valid


def _configured(config: Any, check: str, cls: type[Any]) -> Any:
    """A check's settings as configured (enabled or not), defaults without a config."""
    return config.check_settings(check, cls) if config is not None else cls()

"""Answers far shorter than the dataset norm."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.dataset import robust_z, task_groups
from ftprep.checks.prose import word_set
from ftprep.checks.request_words import batch_requests, screen
from ftprep.checks.words import ascii_words_among
from ftprep.columns import held
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import batch_turns

#: A prompt for which a one-word or one-line answer is the right answer: a classification
#: or choice, a count or calculation, a riddle, a short form (haiku, title, slogan, one
#: word). Phrasing only.
_SHORT_OK = re.compile(
    r"\byes or no\b|\btrue or false\b|\bclassify\b|\bcategori[sz]e\b|\blabel\b"
    r"|\bsentiment\b|\bwhich (?:one|of)\b|\bchoose\b|\bpick (?:one|the)\b|\bselect (?:one|the)\b"
    r"|\bin (?:one|a single|a few) words?\b|\bone[- ]word\b|\bsingle word\b|\bbriefly\b"
    r"|\bshort answer\b|\bwhat am i\b|\briddle\b"
    r"|\bcalculate\b|\bcompute\b|\bconvert\b|\bhaiku\b|\btitle\b|\bslogan\b|\btagline\b"
    r"|\bacronym\b|\babbreviation\b|\bsynonym\b|\bantonym\b|\brate (?:this|it|the|from|on)\b",
    re.I,
)
#: A closed question ("Is it safe?", "Does the clause apply?") — but not a request phrased
#: as one ("Can you help?", "Could you explain…?").
_YES_NO_QUESTION = re.compile(
    r"(?:^|[.!?:\n]\s*)(?!(?:can|could|would|will) you\b)(?:is|are|was|were|do|does|did|can"
    r"|could|should|would|will|has|have|had|may|might|must|shall|isn't|aren't|don't"
    r"|doesn't)\s[^.!?\n]{0,200}\?\s*\Z",
    re.I,
)
_YES_NO_ANSWER = re.compile(
    r"\s*(?:yes|no|yeah|yep|nope|correct|incorrect|true|false|maybe|probably|definitely"
    r"|certainly|absolutely|not really|of course)\b",
    re.I,
)
#: A question about a quantity, answered with one ("About a week.", "3").
_QUANTITY_QUESTION = re.compile(r"\bhow (?:many|much|old|long|far|often|soon)\b", re.I)
_QUANTITY = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred"
    r"|thousand|million|a few|several|half|once|twice|a week|a day|an hour|a month|a year)\b",
    re.I,
)
#: A character's sound in a role-play ("*Grrrrowwwrrr wraaargh*", "Hmmmm..."): letters
#: drawn out three times or more are the whole point of the line, not a cut-off answer.
_SOUND = re.compile(r"([a-z])\1{2,}", re.I)
_ROLE_PLAY = re.compile(
    r"\b(?:you are|you're|respond as|reply as|act as|play(?:ing)?|role-?play|pretend)\b", re.I
)
#: The case-insensitive patterns the prompt and the answer are searched with, for ASCII
#: text: written in lower case, so asked of the lower-cased text without ``re.I`` they
#: find what they find with it (an ASCII letter's case is all ``re.I`` folds in ASCII
#: text, and ``lower`` keeps every ASCII character's class and the text's length): on
#: long prompts the folding engine costs ~3 times the plain one. A drawn-out sound is a
#: letter and two more of it (``\1{2,}`` finds a match where ``\1\1`` does).
_SHORT_OK_LOWER = re.compile(_SHORT_OK.pattern)
_ROLE_PLAY_LOWER = re.compile(_ROLE_PLAY.pattern)
_QUANTITY_QUESTION_LOWER = re.compile(_QUANTITY_QUESTION.pattern)
_YES_NO_QUESTION_LOWER = re.compile(_YES_NO_QUESTION.pattern)
_SOUND_LOWER = re.compile(r"([a-z])\1\1")
#: The characters ``re.IGNORECASE`` takes for an ASCII letter that ``str.lower`` does not
#: lower to that one letter (dotted and dotless i, long s). In any other text, ``lower``
#: turns exactly the characters the folding engine takes for an ASCII letter into that
#: letter, one character for one, and keeps every character a word character, a space or
#: neither as it was: the lower-case patterns (no back-references) find in the lower-cased
#: prompt what the folding ones find in the prompt, ASCII or not (tests/test_text_screens.py).
_ODD_FOLDS = ("\u0130", "\u0131", "\u017f")


def _lowered(prompt: str) -> str | None:
    """``prompt.lower()``, for the lower-case prompt patterns; None when the prompt holds
    one of :data:`_ODD_FOLDS` (the folding patterns are run on it)."""
    if not prompt.isascii() and any(c in prompt for c in _ODD_FOLDS):
        return None
    return prompt.lower()


#: An answer that is a tool call or a number is complete however short it is.
_CALL_OR_NUMBER = re.compile(r"\s*(?:[a-z_]\w*\(.*\)|[-+]?[\d.,]+\s*%?)\s*[.!]?\s*", re.S)


#: Words at least one of which every match of the prompt pattern beside them contains: a
#: prompt whose word set (``words.ascii_words``) has none cannot match, and the pattern
#: is not run.
_SHORT_OK_WORDS = word_set(
    "yes true classify categorise categorize label sentiment which choose pick select word "
    "words briefly short what riddle calculate compute convert haiku title slogan tagline "
    "acronym abbreviation synonym antonym rate"
)
_QUANTITY_QUESTION_WORDS = word_set("how")
_ROLE_PLAY_WORDS = word_set("you respond reply act play playing role roleplay pretend")
#: The words the three screens ask about: a prompt's words are intersected with these once
#: (each screen's answer is the same on the intersection, which is mostly empty).
_SCREENED = _SHORT_OK_WORDS | _QUANTITY_QUESTION_WORDS | _ROLE_PLAY_WORDS


def _may_match(words: frozenset[str] | None, needed: frozenset[str]) -> bool:
    """False only when the prompt's words rule a match out (None: not screened)."""
    return words is None or not needed.isdisjoint(words)


def short_answer_plausible(prompt: str, answer: str) -> bool:
    """True when a very short ``answer`` is a right answer to ``prompt``: "Yes" to a closed
    question, a label to a classification, a number or a tool call, a haiku to "write a
    haiku"."""
    prompt = prompt.strip()
    if _CALL_OR_NUMBER.fullmatch(answer):
        return True
    words = ascii_words_among(prompt, _SCREENED)
    return _plausible_after_call(
        prompt,
        answer,
        _may_match(words, _SHORT_OK_WORDS),
        _may_match(words, _QUANTITY_QUESTION_WORDS),
        _may_match(words, _ROLE_PLAY_WORDS),
    )


def _plausible_after_call(
    prompt: str,
    answer: str,
    may_short: bool,
    may_quantity: bool,
    may_role: bool,
    sure_short: bool = False,
    sure_role: bool = False,
) -> bool:
    """:func:`short_answer_plausible` of a stripped ``prompt`` and an ``answer`` that is no
    call or number, given what the word screens leave possible (``may_*``) and what they
    settle (``sure_*``: the prompt or role-play pattern surely matches)."""
    if sure_short:
        return True
    screened_in = may_short or may_quantity or may_role
    low = _lowered(prompt) if screened_in else None
    if may_short and (_SHORT_OK.search(prompt) if low is None else _SHORT_OK_LOWER.search(low)):
        return True
    if (
        may_quantity
        and (
            _QUANTITY_QUESTION.search(prompt)
            if low is None
            else _QUANTITY_QUESTION_LOWER.search(low)
        )
        and _QUANTITY.search(answer)
    ):
        return True
    # the answer's sound first: far rarer than a prompt the role-play screen lets through
    if (
        may_role
        and (_SOUND_LOWER.search(answer.lower()) if answer.isascii() else _SOUND.search(answer))
        and (
            sure_role
            or (_ROLE_PLAY.search(prompt) if low is None else _ROLE_PLAY_LOWER.search(low))
        )
    ):
        return True
    # The closed question must end the (stripped) prompt: ``\?\s*\Z``.
    if not (prompt.endswith("?") and _YES_NO_ANSWER.match(answer)):
        return False
    if not screened_in:  # lowered only now: most such answers are no "yes"
        low = _lowered(prompt)
    return bool(
        _YES_NO_QUESTION.search(prompt) if low is None else _YES_NO_QUESTION_LOWER.search(low)
    )


#: The three prompt screens as request-word bits (:mod:`ftprep.checks.request_words`).
_SHORT_OK_BIT = screen(_SHORT_OK_WORDS)
_QUANTITY_BIT = screen(_QUANTITY_QUESTION_WORDS)
_ROLE_PLAY_BIT = screen(_ROLE_PLAY_WORDS)
_PROMPT_SCREENS = _SHORT_OK_BIT | _QUANTITY_BIT | _ROLE_PLAY_BIT
#: Tighter screens for the batch, where a word costs a bit and not a set: the one-word
#: alternatives of the prompt and role-play patterns (one of them there: the pattern
#: matches, it is not run), and the words every other alternative holds (a match needs one
#: word of each set of one group: "which of" a word of {which, pick, select} and one of
#: {one, of, the}). On natural text "what", "which", "word" and "you" are everywhere, and
#: the wider screens above sent most prompts to the patterns.
_SHORT_OK_SURE_BIT = screen(
    word_set(
        "classify categorise categorize label sentiment choose briefly riddle calculate "
        "compute convert haiku title slogan tagline acronym abbreviation synonym antonym"
    )
)
_SHORT_OK_GROUPS = tuple(
    tuple(screen(word_set(words)) for words in group)
    for group in (
        ("yes true", "or"),  # yes or no, true or false
        ("which pick select", "one of the"),  # which one/of, pick/select one/the
        ("word words", "one single few"),  # in one/a single/a few word(s), one-word
        ("short", "answer"),
        ("what", "am"),  # what am i
        ("rate", "this it the from on"),
    )
)
#: "how" and what it asks the quantity of ("how many", "how long").
_QUANTITY_ASKED_BIT = screen(word_set("many much old long far often soon"))
_ROLE_PLAY_SURE_BIT = screen(word_set("play playing roleplay pretend"))  # role-play: play
_ROLE_PLAY_GROUPS = tuple(
    tuple(screen(word_set(words)) for words in group)
    for group in (("you", "are re"), ("respond reply act", "as"))
)


def _screened(
    masks: np.ndarray, sure: int, groups: tuple[tuple[int, ...], ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(surely matches, may match) of each request-word mask, for a pattern whose
    one-word alternatives are ``sure`` and whose other alternatives each need a word of
    every set of one of the ``groups``."""
    surely = (masks & sure) != 0
    may = surely.copy()
    for group in groups:
        held = np.ones(len(masks), dtype=bool)
        for bit in group:
            held &= (masks & bit) != 0
        may |= held
    return surely, may


@register_feature("prompt_shape", ("short_answer_plausible",))
def prompt_shape_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Whether a very short final answer fits the prompt before it (see ``_SHORT_OK``).

    The prompt is the request of :mod:`ftprep.checks.request_words` (the user turn right
    before the answer), whose words the batch has screened already: a prompt holding none
    of the screens' words and not ending in "?" makes a short answer plausible only when
    the answer is a call or a number; the other prompts run the rules the screens leave
    possible (all of them, :func:`short_answer_plausible`, for prompts not screened)."""
    n = len(batch)
    col = np.zeros(n, dtype=bool)
    turns = batch_turns(batch, ctx.batch)
    requests = batch_requests(batch, ctx.batch)
    rows = [
        i for i, (r, last) in enumerate(zip(turns.roles, turns.last, strict=True))
        if last and r[last - 1] == "user"
    ]  # fmt: skip
    if not rows:
        return {"short_answer_plausible": col}
    prompts = [requests.texts[i] for i in rows]  # the user turn right before the answer
    answers = [turns.texts[i][turns.last[i]] for i in rows]  # type: ignore[index]
    at = np.asarray(rows, dtype=np.int64)
    questions = map(str.endswith, map(str.rstrip, prompts), repeat("?"))
    calls = map(_CALL_OR_NUMBER.fullmatch, answers)
    called = np.fromiter(map(bool, calls), dtype=bool, count=len(rows))
    open_rows = (
        ~requests.screened[at]
        | ((requests.masks[at] & _PROMPT_SCREENS) != 0)
        | np.fromiter(questions, dtype=bool, count=len(rows))
    )
    screened = requests.screened[at]
    masks = requests.masks[at]
    for k in np.flatnonzero(open_rows & ~screened).tolist():
        col[rows[k]] = short_answer_plausible(prompts[k], answers[k])
    left = np.flatnonzero(open_rows & screened & ~called)
    masks = masks[left]
    short_sure, short_may = _screened(masks, _SHORT_OK_SURE_BIT, _SHORT_OK_GROUPS)
    role_sure, role_may = _screened(masks, _ROLE_PLAY_SURE_BIT, _ROLE_PLAY_GROUPS)
    quantity = ((masks & _QUANTITY_BIT) != 0) & ((masks & _QUANTITY_ASKED_BIT) != 0)
    for j, k in enumerate(left.tolist()):
        col[rows[k]] = _plausible_after_call(
            prompts[k].strip(),
            answers[k],
            bool(short_may[j]),
            bool(quantity[j]),
            bool(role_may[j]),
            bool(short_sure[j]),
            bool(role_sure[j]),
        )
    col[at[called]] = True
    return {"short_answer_plausible": col}


class ShortAnswerSettings(CheckSettings):
    z: float = Field(3.5, gt=0, description="robust z-score (log tokens) below −z")
    max_ratio: float = Field(0.25, gt=0, lt=1, description="and at most this share of the median")
    min_median_tokens: int = Field(16, ge=1, description="tasks with shorter answers are skipped")
    max_label_share: float = Field(
        0.5, gt=0, le=1, description="tasks with more label-like answers count as classification"
    )
    established_share: float = Field(
        0.01, gt=0, le=1, description="an answer this common in its task is a known answer form"
    )
    established_min: int = Field(5, ge=2, description="… and given at least this many times")
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


def label_share(labels: Any, rows: np.ndarray) -> float:
    """Share of the answers of ``rows`` short enough to be a label (those holding a
    ``label_candidate``; read from the coded column's codes, see :func:`held`)."""
    return int(held(labels, rows).sum()) / len(rows) if len(rows) else 0.0


@dataset_check(
    "clean.short_answer",
    "clean",
    "warning",
    "{count} answers are far shorter than usual",
    settings=ShortAnswerSettings,
    needs=("tokens", "answer_shape", "system_prompt", "hashes", "prompt_shape"),
)
def short_answer(
    ft: FeatureTable, settings: ShortAnswerSettings, ctx: DatasetContext
) -> CheckResult:
    """Answer is far shorter than the other answers of its task.

    What: the final answer's token count against the answers of the same task (same system
    prompt, else the whole set), on a log scale with the median and the MAD: flagged when
    the robust z-score is below −`z` *and* the answer has at most `max_ratio` of the median
    length. Classification-style tasks (more than `max_label_share` label-like answers, or
    fewer distinct answers than a third of the examples) and tasks whose median answer is
    under `min_median_tokens` tokens are not judged; empty answers are `clean.empty_turn`.
    A short answer is never flagged where it is the right answer: "Yes"/"No" to a closed
    question, any answer to a classification or choice, a count or calculation, a riddle
    or a short form (a haiku, a title, one word), and a number or a tool call.
    Why: in a set of explanatory answers, a bare "Yes." or "See above." is usually a
    placeholder, a lost answer or a lazy annotation; the model learns to be curt.
    Threshold: `z` 3.5 (Iglewicz & Hoaglin's outlier cut-off), `max_ratio` 0.25.
    Fix: write the full answer, or drop the example.
    """
    tokens = ft["tokens_last_answer"].astype(np.float64)
    labels = ft["label_candidate"]
    answers = ft["hash_answer"]
    plausible = ft["short_answer_plausible"]
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group):
        if len(ref) < settings.min_examples:
            continue
        if label_share(labels, ref) > settings.max_label_share:
            continue
        med = float(np.median(tokens[ref]))
        if med < settings.min_median_tokens:
            continue
        uniq, counts = np.unique(answers[ref], return_counts=True)
        known = uniq[counts >= max(settings.established_min, settings.established_share * len(ref))]
        z = robust_z(np.log1p(tokens[rows]), np.log1p(tokens[ref]))
        hit = (
            (z < -settings.z)
            & (tokens[rows] <= settings.max_ratio * med)
            & (tokens[rows] > 0)
            & ~np.isin(answers[rows], known)
            & ~plausible[rows]
        )
        for r in rows[hit]:
            flags.append(Flag(int(r), f"{int(tokens[r])} tokens (typical: {med:g})"))
    flags.sort(key=lambda f: f.row)
    return CheckResult(flags=flags, metrics={"short_answers": len(flags)})

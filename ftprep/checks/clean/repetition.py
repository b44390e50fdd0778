"""Degenerate repetition: an answer that loops, repeating a phrase or block back to back."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckSettings, example_check
from ftprep.checks.batch_view import Turns, by_screened_answers, turns_of
from ftprep.checks.clean.phrase_screen import loops_ruled_out, phrases_unique
from ftprep.checks.prose import strip_code
from ftprep.schema import ChatExample

_PUNCT = str.maketrans({c: " " for c in ',.;:!?()[]{}<>"*_/|#=`~\\'})
#: The same as ``.lower().translate(_PUNCT)`` for ASCII text, as one bytes table (a single
#: pass in C instead of two, the second with a dict lookup per character).
_ASCII_WORDS = bytes(
    (ord(" ") if chr(b) in ',.;:!?()[]{}<>"*_/|#=`~\\' else ord(chr(b).lower())) if b < 128 else b
    for b in range(256)
)
_DIGITS = re.compile(r"\d")
#: Where a sentence ends: ``(?<=[.!?])\s+|\n``, written to start with the white space
#: (the stop before it tested after), so the regex engine skips ahead to the next space
#: instead of trying the look-behind at every character (the same cuts:
#: tests/test_clean_text_checks.py).
_SENTENCE_END = re.compile(r"\s(?<=[.!?]\s)\s*|\n")
_TABLE_RULE = re.compile(r"[-:+= ]+")


class RepetitionSettings(CheckSettings):
    min_loop_repeats: int = Field(3, ge=2, description="consecutive copies that make a loop")
    min_loop_words: int = Field(8, ge=2, description="words a loop must span")
    max_unit: int = Field(30, ge=1, le=100, description="longest looping phrase, in words")
    min_block_words: int = Field(
        15, ge=2, description="a block this long repeated twice in a row is a loop"
    )
    gopher: bool = Field(
        False,
        description="also apply Gopher's n-gram ratios (off: they read parallel phrasing, "
        "lists and steps as repetition)",
    )
    min_words_ngram: int = Field(100, ge=10, description="answers this long get n-gram ratios")
    max_top_ngram_share: dict[int, float] = Field(
        default_factory=lambda: {2: 0.20, 3: 0.18, 4: 0.16},
        description="Gopher: character share of the most frequent n-gram",
    )
    max_duplicate_ngram_share: dict[int, float] = Field(
        default_factory=lambda: {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10},
        description="Gopher: character share of words inside repeated n-grams",
    )


def _ngram_ids(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit id per n-gram window (exact for realistic vocabularies)."""
    h = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    for j in range(n):
        h = h * np.uint64(1_000_003) + ids[j : len(ids) - n + 1 + j].astype(np.uint64)
    return h


def _periods(grams: list[tuple[str, str, str]], max_unit: int) -> list[int]:
    """Candidate loop periods: distances (≤ max_unit) at which a 3-word phrase recurs often
    enough for two consecutive copies. Natural text yields none, so the costly scan is rare."""
    last: dict[tuple[str, str, str], int] = {}
    hits: dict[int, int] = {}
    for i, g in enumerate(grams):
        j = last.get(g)
        if j is not None and i - j <= max_unit:
            hits[i - j] = hits.get(i - j, 0) + 1
        last[g] = i
    return sorted(p for p, c in hits.items() if c >= max(1, p - 2))


#: Word triples from which :func:`_periods` is asked of numbers (:func:`_periods_of`):
#: below, a dictionary walk costs less than the array calls.
_ARRAY_GRAMS = 256


def _periods_of(ids: np.ndarray, max_unit: int) -> list[int]:
    """:func:`_periods` of the word triples of a text whose words have the ids ``ids``
    (below ``2**20``): each triple a number, a stable sort of them, so that each triple's
    previous occurrence (the one the walk remembers) is its neighbour in the order."""
    v = np.int64(int(ids.max()) + 1)
    codes = (ids[:-2] * v + ids[1:-1]) * v + ids[2:]
    order = np.argsort(codes, kind="stable")
    same = codes[order[1:]] == codes[order[:-1]]
    gaps = order[1:][same] - order[:-1][same]
    gaps = gaps[gaps <= max_unit]
    if not len(gaps):
        return []
    hits = np.bincount(gaps)
    enough = (hits > 0) & (hits >= np.maximum(1, np.arange(len(hits)) - 2))
    return np.flatnonzero(enough).tolist()


def _longest_loop(
    ids: np.ndarray, max_unit: int, periods: list[int] | None = None
) -> tuple[int, int, int]:
    """(unit length p, copies, start) of the longest stretch where the text repeats itself
    with period p — consecutive copies of a p-word phrase; (0, 0, 0) when none repeats."""
    best, best_len = (0, 0, 0), 0
    n = len(ids)
    candidates = range(1, min(max_unit, n // 2) + 1) if periods is None else periods
    for p in candidates:
        if p > n // 2:
            continue
        eq = np.r_[False, ids[p:] == ids[:-p], False]
        edges = np.flatnonzero(np.diff(eq.astype(np.int8)))
        if len(edges) == 0:
            continue
        starts, ends = edges[::2], edges[1::2]
        lengths = ends - starts
        k = int(np.argmax(lengths))
        run = int(lengths[k])
        if run >= p and run > best_len:  # at least two full copies
            best, best_len = (p, run // p + 1, int(starts[k])), run
    return best


def _gopher(ids: np.ndarray, lens: np.ndarray, settings: RepetitionSettings) -> str | None:
    total = float(lens.sum()) or 1.0
    for n, limit in sorted(settings.max_top_ngram_share.items()):
        if len(ids) < n:
            continue
        grams = _ngram_ids(ids, n)
        _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        top = int(np.argmax(counts))
        if counts[top] < 2:
            continue
        first = int(np.flatnonzero(inverse == top)[0])
        share = float(lens[first : first + n].sum()) * counts[top] / total
        if share > limit:
            return f"the most frequent {n}-word phrase covers {share:.0%} of the text"
    for n, limit in sorted(settings.max_duplicate_ngram_share.items()):
        if len(ids) < n:
            continue
        grams = _ngram_ids(ids, n)
        _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        dup_starts = np.flatnonzero(counts[inverse] > 1)
        if len(dup_starts) == 0:
            continue
        cover = np.zeros(len(ids) + 1, dtype=np.int32)
        np.add.at(cover, dup_starts, 1)
        np.add.at(cover, dup_starts + n, -1)
        covered = np.cumsum(cover)[:-1] > 0
        share = float(lens[covered].sum()) / total
        if share > limit:
            return f"repeated {n}-word phrases cover {share:.0%} of the text"
    return None


def _quote(words: list[str]) -> str:
    text = " ".join("***" if "@" in w else w for w in words)
    return _DIGITS.sub("#", text)[:60]


def _unit_key(text: str) -> str:
    return " ".join(_words(text))


def _block_loop(parts: list[str], settings: RepetitionSettings) -> tuple[int, int, str] | None:
    """(copies, words per copy, first unit) of the longest back-to-back repeat of a block of
    consecutive ``parts`` (lines or sentences), when it is a loop; None otherwise.

    A block of one or more units repeated in a row is a loop when it comes back
    `min_loop_repeats` times over `min_loop_words` words, or twice when one copy holds at
    least `min_block_words` words (a paragraph pasted twice). Units recurring far apart — a
    refrain, a repeated list heading, parallel steps — never form a run.
    """
    keys = [_unit_key(p) for p in parts]
    keys = [k for k in keys if k and not _TABLE_RULE.fullmatch(k)]
    if len(keys) < 2 or len(set(keys)) == len(keys):
        return None
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(k, len(vocab)) for k in keys), np.int64, len(keys))
    p, copies, start = _longest_loop(ids, len(keys) // 2)
    if not copies:
        return None
    words = sum(len(k.split()) for k in keys[start : start + p])
    if copies >= settings.min_loop_repeats and copies * words >= settings.min_loop_words:
        return copies, words, keys[start]
    if copies >= 2 and words >= settings.min_block_words:
        return copies, words, keys[start]
    return None


def _words(prose: str) -> list[str]:
    """The lower-cased words of ``prose``, punctuation read as space: what
    ``prose.lower().translate(_PUNCT).split()`` gives, the punctuation replaced in the
    text's bytes (one pass in C; ``str.translate`` looks up every character in a dict).
    The table leaves the bytes of non-ASCII characters (all 0x80 or more in UTF-8) alone."""
    if prose.isascii():
        return prose.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    data = prose.lower().encode("utf-8", "surrogatepass").translate(_ASCII_WORDS)
    return data.decode("utf-8", "surrogatepass").split()


def _word_ids(words: list[str]) -> np.ndarray:
    """Each word's id: the order of its first occurrence among ``words``."""
    vocab: dict[str, int] = {}
    return np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), np.int64, len(words))


def find_repetition(text: str, settings: RepetitionSettings) -> str | None:
    """A description of the degenerate repetition in ``text``, or None."""
    prose = strip_code(text)
    words = _words(prose)
    if len(words) < 4:
        return None
    if len(set(zip(words, words[1:], words[2:], strict=False))) == len(words) - 2:
        return None  # no 3-word phrase occurs twice: nothing can repeat back to back
    grams = list(zip(words, words[1:], words[2:], strict=False))
    for unit, parts in (("lines", prose.splitlines()), ("sentences", _SENTENCE_END.split(prose))):
        found = _block_loop(parts, settings)
        if found:
            copies, size, first = found
            what = "line" if unit == "lines" else "sentence"
            return (
                f"a block of {size} words repeats {copies} times in a row "
                f"(starting with {what} '{_quote(first.split()[:8])}')"
            )
    ids = None
    if len(grams) < _ARRAY_GRAMS:
        periods = _periods(grams, settings.max_unit)
    else:
        ids = _word_ids(words)
        if int(ids.max()) < 1 << 20:  # a triple's number fits 63 bits
            periods = _periods_of(ids, settings.max_unit)
        else:
            periods = _periods(grams, settings.max_unit)
    if not periods and not (settings.gopher and len(words) >= settings.min_words_ngram):
        return None  # no phrase recurs close enough to loop, and no n-gram ratios asked
    if ids is None:
        ids = _word_ids(words)
    if periods:
        p, copies, start = _longest_loop(ids, settings.max_unit, periods)
        if copies >= settings.min_loop_repeats and copies * p >= settings.min_loop_words:
            phrase = _quote(words[start : start + p])
            return f"the phrase '{phrase}' repeats {copies} times in a row"
    if settings.gopher and len(words) >= settings.min_words_ngram:
        lens = np.fromiter((len(w) for w in words), np.int64, len(words))
        return _gopher(ids, lens, settings)
    return None


@example_check(
    "clean.repetition",
    "clean",
    "warning",
    "{count} answers loop on repeated text",
    settings=RepetitionSettings,
)
def repetition(ex: ChatExample, settings: RepetitionSettings) -> Iterator[str]:
    """Assistant answer loops: the same phrase or block repeated back to back.

    What: in assistant turns (code blocks excluded): a phrase of up to `max_unit` words
    repeated `min_loop_repeats` or more times in a row over at least `min_loop_words` words
    (the classic generation loop, "I think I think I think…"); a line or sentence, or a
    block of consecutive ones, repeated `min_loop_repeats` times in a row, or twice in a
    row when one copy holds `min_block_words` words (a paragraph pasted twice). Only
    back-to-back repeats count: lists, parallel steps ("Step 1: Add… Step 2: Add…"),
    tables, refrains and code reuse words by design and are never read as loops. Gopher's
    n-gram ratios (built for filtering web pages) are available with `gopher = true`.
    Why: looping text comes from sampling failures of the model that generated the data;
    a model finetuned on it learns to loop.
    Threshold: loops of 3+ copies over 8+ words; blocks of 15+ words twice in a row.
    Fix: regenerate or truncate the answer at the point where it starts looping, or drop it.
    """
    found = repetition_in(turns_of(ex), settings)
    if found:
        yield found


def repetition_in(turns: Turns, settings: RepetitionSettings) -> str | None:
    """``clean.repetition``'s detail for a conversation's ``(role, text)`` turns, or None."""
    details = []
    for i, (role, text) in enumerate(turns, start=1):
        if role != "assistant" or not text:
            continue
        found = find_repetition(text, settings)
        if found:
            details.append(f"message {i}: {found}")
    return "; ".join(details) if details else None


def _loop_free(answers: list[str], settings: RepetitionSettings) -> list[bool]:
    """Per answer: True when :func:`find_repetition` surely finds nothing in it: it
    holds no repeated line or sentence and no phrase recurring closely enough to loop
    (``loops_ruled_out``), or, when Gopher's ratios are asked for (any repeated phrase
    may count then), it repeats no 3-word phrase at all."""
    if settings.gopher:
        return phrases_unique(_ASCII_WORDS, answers)
    return loops_ruled_out(_ASCII_WORDS, answers, settings.max_unit)


#: The batch form: :func:`repetition_in` on the rows whose answers ``_loop_free`` leaves open.
by_screened_answers("clean.repetition", repetition_in, _loop_free)

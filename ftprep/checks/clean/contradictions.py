"""Contradictions: the same (or a nearly identical) input with conflicting answers.

Inputs are grouped by ``hash_prompt`` (system prompt and every turn before the final answer,
normalised for case, spacing and punctuation, plus the example's tools) mixed with the tools
a layout keeps in metadata. Which answers conflict is decided by
:mod:`ftprep.checks.clean.answer_profile`: label-like answers (a class, a short extraction,
JSON, a tool call) that differ are an error (``clean.contradiction``); free-text answers
that share almost no content words are a warning (``clean.near_contradiction``);
paraphrases are neither. Preference pairs and KTO records are skipped.

Near contradictions use a word-level MinHash of the prompt turns (system prompt and tools
required to be identical), so that "the same question with a word added or a typo" pairs
up in linear time. Two inputs that differ in a number or a negation ("stage 3" vs "stage 4",
"with" vs "without") are *not* near-identical: the answer may rightly differ; nor are two
prompts that share a long preamble but differ in more than a few words.

The split keeps every group of examples sharing a normalised input (with more than one
answer) on one side; that grouping is computed from the always-present hashes, so
enabling or disabling these checks never changes the split.
"""

from __future__ import annotations

import re
import string
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.byte_words import byte_class
from ftprep.checks.clean.answer_profile import (
    CONSISTENT,
    FREE_DIVERGENCE,
    LABEL_CONFLICT,
    content_overlaps,
    judge_pair,
)
from ftprep.checks.clean.answer_words import ascii_batch_words
from ftprep.checks.clean.name_bytes import names_in
from ftprep.checks.prose import word_set
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.batchwords import (
    BatchWords,
    batch_words,
    distinct_words,
    sorted_letter_crcs,
    split_words,
    token_ids,
)
from ftprep.similarity.composed import batch_dialogues, message_or_own_signatures
from ftprep.similarity.minhash import (
    EMPTY,
    PAIR_CHUNK,
    band_hashes,
    groups_from_pairs,
    id_set_signatures,
    mix64,
    mix64_rows,
    neighbour_orders,
    pair_similarity,
    signatures,
    signatures_of_sets,
    similarity_in_rows,
    sorted_unique,
)
from ftprep.similarity.normalize import (
    media_keys,
    normalized_messages,
    repeated_hashes,
)
from ftprep.turns import Turns, batch_turns
from ftprep.wording import plural

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
#: The hashes of :data:`_NEGATION_KEYS` as :func:`sorted_letter_crcs` gives them.
_NEGATION_KEY_CRCS = sorted_letter_crcs(list(_NEGATION_KEYS))
_DIGITS = re.compile(r"\d+")
#: Each ASCII digit kept, every other byte a space: what is left of an ASCII text is its
#: ``\d+`` runs between spaces.
_DIGITS_ONLY = bytes(b if 0x30 <= b <= 0x39 else 0x20 for b in range(256))


def digit_runs(text: str) -> str:
    r"""``" ".join(_DIGITS.findall(text))``: the digit runs of ``text`` in order, one space
    between two. On ASCII text (where ``\d`` is ``[0-9]``) its bytes are translated
    (every byte but a digit a space) and split: one C pass each instead of the regex
    trying a match at every character, 8x faster on natural prompts holding a number
    (tests/test_prompt_sketch_batch.py holds it to the regex)."""
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_DIGITS_ONLY).split()).decode("ascii")
    return " ".join(_DIGITS.findall(text))


#: Capitalised words: ``(?<![\w'])[A-Z][a-zA-Z]+`` written capital first, so the regex
#: engine skips to the next capital instead of trying the look-behind at every position
#: (the same matches: tests/test_fast_patterns.py).
_NAME = re.compile(r"[A-Z](?<![\w'][A-Z])[a-zA-Z]+")
#: :data:`_NAME` matches not opening a sentence: the three characters before the word
#: (fewer at the text's start) do not match ``(?:^|[.!?:|]\s*|\n\s*)$``, i.e. there is a
#: character before it, and no ``[.!?:|\n]`` followed by up to two spaces up to the word.
#: Written into the pattern, the test rejects the many sentence-opening capitals inside the
#: regex engine (the same words: tests/test_fast_patterns.py).
_MID_NAME = re.compile(
    r"[A-Z](?<=[^\w'.!?:|\n][A-Z])(?<![.!?:|\n]\s[A-Z])(?<![.!?:|\n]\s\s[A-Z])[a-zA-Z]+"
)


#: Characters at each end of the prompt compared on their own: a long shared preamble (a
#: tool description, a role-play setup) makes two different questions look alike overall,
#: but the question itself sits at one end.
ENDS = 48
#: Least character similarity of each end for two prompts to be near-identical.
ENDS_SIMILARITY = 0.5

#: Key under which the diverging free-text pairs of identical inputs are memoised (next to
#: the near-contradiction pairs, whose keys start with a positive threshold).
FREE_KEY = -1.0

#: The hashes near-identical inputs must share (the first two) and must not (the last two:
#: the same prompt is a contradiction, not a near one; the same answer no conflict).
_EXACT = ("prompt_key", "input_extra", "hash_prompt", "answer_value")

#: Names kept per prompt (the smallest hashes); prompts differing in more than one name are
#: different questions.
NAME_SKETCH = 16


def _names_differ(ft: FeatureTable, pairs: np.ndarray) -> np.ndarray:
    """Per pair: do the prompts' name sets differ in more than one name?"""
    out = np.zeros(len(pairs), dtype=bool)
    sketch = ft["prompt_names"]
    for k, (a, b) in enumerate(pairs):
        sa, sb = sketch[a], sketch[b]
        out[k] = len(set(sa[sa != 0].tolist()) ^ set(sb[sb != 0].tolist())) > 1
    return out


MAX_DETAIL_LINES = 10
#: Distinct answers compared pairwise within one input group (the rest are not judged).
MAX_REPRESENTATIVES = 50


def word_signatures(texts: Sequence[str], bins: int = BINS) -> np.ndarray:
    """One-permutation MinHash over the *set of words* of each text: (n, bins) uint16.

    Word sets suit short prompts, where one edited word changes most character shingles.
    Each word is keyed by its sorted letters, so a transposition typo ("recieve") keeps the
    word's identity.
    """
    return _word_set_signatures([set(t.split()) for t in texts], _PromptWords(), bins)


class _PromptWords:
    """What a batch learns once per distinct prompt word: the hash of its sorted letters
    (the word MinHash), the negations it stands for (itself when it is one, and the one
    its letters spell: a transposition typo), and whether it holds a digit (a prompt none
    of whose words does has no numbers to look for)."""

    def __init__(self) -> None:
        self.crc: dict[str, int] = {}
        self.negating: dict[str, tuple[str, ...]] = {}
        self.numbered: set[str] = set()
        self.names: dict[str, int] = {}

    def name_hashes(self, texts: Sequence[str], prompt: list[int]) -> set[int]:
        """The hashes of the names in the prompt turns: capitalised words not opening a
        sentence (:data:`_MID_NAME`), each keyed by its sorted lower-case letters so a
        transposition typo keeps it, hashed by CRC-32 (0 read as 1). "Tell me about Paris"
        and "Tell me about Albert Einstein" are two questions however much preamble they
        share. Each distinct word is keyed and hashed once a batch.

        ``texts``: an example's message texts; ``prompt``: the indexes of its prompt turns
        (before the final answer, system prompts excluded)."""
        words: set[str] = set()
        for j in prompt:
            words.update(_MID_NAME.findall(texts[j]))
        names = self.names
        for w in words.difference(names):
            names[w] = _name_hash(w)
        return set(map(names.__getitem__, words))

    def learn(self, words: set[str]) -> None:
        for w in words.difference(self.crc):
            key = "".join(sorted(w))
            self.crc[w] = zlib.crc32(key.encode("utf-8", "surrogatepass"))
            negates: tuple[str, ...] = (w,) if w in NEGATIONS else ()
            if len(w) > 2 and key in _NEGATION_KEYS:
                negates += (_NEGATION_KEYS[key],)
            if negates:
                self.negating[w] = negates
            if not w.isalpha() and _DIGITS.search(w):
                self.numbered.add(w)

    def numbers(self, text: str, words: set[str]) -> str:
        """The digit runs of ``text`` (whose words, already learnt, are ``words``), in
        order, as one string; the regex runs only on a text with a word holding a digit
        (a digit run never spans a space, so it lies inside one word)."""
        if words.isdisjoint(self.numbered):
            return ""
        return digit_runs(text)

    def negations(self, words: set[str]) -> str:
        """The negations among ``words`` (already learnt), a transposition typo counting
        as the negation it misspells, as one sorted string."""
        hit = words.intersection(self.negating)
        if not hit:
            return ""
        return " ".join(sorted({n for w in hit for n in self.negating[w]}))


def _name_hash(word: str) -> int:
    """A name's hash: CRC-32 of its sorted lower-case letters (a transposition typo keeps
    it), 0 read as 1 (0 marks an empty slot of ``prompt_names``)."""
    return zlib.crc32("".join(sorted(word.lower())).encode("utf-8", "surrogatepass")) or 1


def _word_set_signatures(word_sets: list[set[str]], known: _PromptWords, bins: int) -> np.ndarray:
    owners: list[int] = []
    hashes: list[int] = []
    for i, words in enumerate(word_sets):
        known.learn(words)
        owners.extend([i] * len(words))
        hashes.extend(map(known.crc.__getitem__, words))
    return signatures_of_sets(owners, hashes, len(word_sets), bins)


#: ``accept(pairs, left, right)``: which of the (m, 2) candidate ``pairs`` to keep, given
#: each side's payload rows (``left[k]`` for ``pairs[k, 0]``, ``right[k]`` for ``pairs[k, 1]``).
Accept = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def candidate_pairs(
    sig: np.ndarray,
    key: np.ndarray | None = None,
    bands: int = BANDS,
    window: int = WINDOW,
    accept: Accept | None = None,
    payload: np.ndarray | None = None,
) -> np.ndarray:
    """(i, j) rows sharing a band (and ``key``, when given), comparing up to ``window``
    sorted neighbours per bucket; with ``accept``, only the pairs it keeps.

    Within a band, rows are sorted by that band's hash and then the next band's, so rows
    that agree on more bands sit next to each other. Mixing ``key`` into every band hash
    keeps rows that can never pair (another system prompt, other numbers) out of each
    other's buckets, which is what keeps templated data cheap.

    ``accept`` is applied band by band, before anything is accumulated: memory then
    follows the pairs kept, not the candidates, which templated data produces by the
    million (the peak of a 100K-example run). It reads the rows of ``payload`` (one row
    per row of ``sig``; default: ``sig``): the payload is put in the band's order once,
    and each candidate's two rows are read from that copy at increasing positions, instead
    of two random reads a candidate (millions of cache misses). ``accept`` must be a pure,
    symmetric test of the pair: a pair may be offered in several bands, in either order,
    and neighbours that are not candidates may be asked about too (see :func:`_accepted`;
    their answers are dropped). The result is the set of candidates it keeps, whatever the
    band that offered them.
    """
    informative = np.flatnonzero((sig != EMPTY).any(axis=1))
    if len(informative) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bh = band_hashes(sig[informative], bands)
    if key is not None:
        bh ^= np.asarray(key, dtype=np.uint64)[informative][:, None]
        mix64_rows(bh)
    # Pairs are kept as one int64 code (i * n + j, i < j): 8 bytes per pair, deduplicated
    # with np.unique, decoded once at the end.
    n = np.int64(len(sig))
    kept = np.zeros(0, dtype=np.int64)
    # one contiguous row per band: each band's sort and gather read it, not a strided
    # column (20% sooner; 16 bands of 100,000 rows: 0.2 s before)
    by_band = np.ascontiguousarray(bh.T)
    del bh
    for b, order in enumerate(neighbour_orders(by_band)):
        keys = by_band[b][order]
        rows = informative[order]
        local = None
        if accept is not None:  # the payload in the band's order
            # np.take copies whole rows, twice as fast as fancy indexing on a 2-D array
            local = np.take(sig if payload is None else payload, rows, axis=0)
        found: list[np.ndarray] = []
        for off in range(1, window + 1):
            same = np.flatnonzero(keys[off:] == keys[:-off])
            if len(same) == 0:
                break
            if accept is not None and local is not None:
                same = _accepted(same, off, rows, local, accept)
            i, j = rows[same], rows[same + off]
            found.append(np.minimum(i, j) * n + np.maximum(i, j))
        # a pair of positions is offered once per band: the codes are distinct
        kept = np.union1d(kept, np.concatenate(found)) if found else kept
    return np.stack([kept // n, kept % n], axis=1)


def _accepted(
    same: np.ndarray, off: int, rows: np.ndarray, local: np.ndarray, accept: Accept
) -> np.ndarray:
    """The positions ``p`` of ``same`` whose pair (``rows[p]``, ``rows[p + off]``) ``accept``
    keeps, asked :data:`PAIR_CHUNK` pairs at a time (bounded temporaries).

    When most neighbours at this offset are candidates (templated data: a few huge
    buckets), every neighbour pair is tested on contiguous slices of ``local``, without
    gathering any row, and the answers for non-candidates are dropped; otherwise the
    candidates' rows are gathered."""
    m = len(rows) - off
    if 4 * len(same) >= m:
        mask = np.zeros(m, dtype=bool)
        mask[same] = True
        for start in range(0, m, PAIR_CHUNK):
            stop = min(start + PAIR_CHUNK, m)
            pairs = np.stack([rows[start:stop], rows[start + off : stop + off]], axis=1)
            mask[start:stop] &= accept(pairs, local[start:stop], local[start + off : stop + off])
        return np.flatnonzero(mask)
    keep = np.zeros(len(same), dtype=bool)
    for start in range(0, len(same), PAIR_CHUNK):
        at = same[start : start + PAIR_CHUNK]
        pairs = np.stack([rows[at], rows[at + off]], axis=1)
        keep[start : start + len(at)] = accept(pairs, local[at], local[at + off])
    return same[keep]


#: Roles of system prompts: in the exact key, not in the prompt's words.
_SYSTEM_ROLES = ("system", "developer")
_SYSTEM_ROLE_SET = frozenset(_SYSTEM_ROLES)


@register_feature(
    "prompt_sketch",
    ("prompt_sig", "prompt_char_sig", "answer_sig", "prompt_key", "prompt_words", "prompt_names"),
)
def prompt_sketch_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Word MinHash of the prompt turns, character MinHash of the final answer (64 bins of
    16 bits each), the number of distinct prompt words, and a key over what must match
    exactly for inputs to be near-identical: the system prompt, the tools, the numbers and
    the negations of the prompt.

    Normalised texts, final-answer indexes and media keys come from the batch memo. The
    batch is worked on whole: the prompts' words from one split (:func:`batch_words`),
    each distinct word learnt once, their names from one regex scan (:func:`_batch_names`),
    the four character sketches from one :func:`signatures` call; what is left per example
    is putting its prompt, answer and system texts together."""
    n = len(batch)
    normalized = normalized_messages(batch, ctx.batch)
    turns = batch_turns(batch, ctx.batch)
    dialogues = batch_dialogues(normalized, turns.roles, ctx.batch)
    prompts, answers, systems, named, messages, joined = _prompt_texts(
        normalized, turns, dialogues.first
    )
    sig, word_counts, digits, negations = _prompt_word_columns(prompts)
    tools = ["" if not ex.tools else repr(ex.tools) for ex in batch]
    keys = list(
        map(
            "\x1e".join,
            zip(systems, tools, digits, negations, media_keys(batch, ctx.batch), strict=True),
        )
    )
    chars = message_or_own_signatures(
        [*prompts, *answers], messages, dialogues, [*joined, *([()] * n)]
    )
    ends = _end_signatures(prompts, chars[:n])
    return {
        "prompt_sig": sig,
        "prompt_char_sig": chars[:n],
        "answer_sig": chars[n:],
        "prompt_key": repeated_hashes(keys),
        "prompt_words": word_counts.astype(np.int32),
        "prompt_names": _batch_names(named),
        "prompt_ends_sig": ends,
    }


def _end_signatures(prompts: list[str], whole: np.ndarray) -> np.ndarray:
    """The character sketches of the first and of the last :data:`ENDS` characters of each
    prompt, side by side (``whole``: the prompts' own sketches, which a prompt no longer
    than that has at both ends)."""
    out = np.concatenate([whole, whole], axis=1)
    long = [i for i, t in enumerate(prompts) if len(t) > ENDS]
    if long:
        chosen = [prompts[i] for i in long]
        ends = signatures([*(t[:ENDS] for t in chosen), *(t[-ENDS:] for t in chosen)], SMALL_BINS)
        out[long] = np.concatenate([ends[: len(long)], ends[len(long) :]], axis=1)
    return out


def _prompt_texts(
    normalized: list[list[str]], turns: Turns, first: list[int]
) -> tuple[list[str], list[str], list[str], list[str], list[int], list[tuple[int, ...]]]:
    """Per example: its prompt (the normalised turns before the final answer, system turns
    excluded, joined by spaces), its normalised final answer, its system prompts (as
    written, joined by new lines) and its prompt turns as written joined by
    :data:`_TURN_JOIN` (where names are looked for); then, for every prompt and after them
    every answer, the message it is (its index among the batch's messages laid end to end,
    ``first`` being each example's first; -1 when it is not one message); and for each
    prompt of several turns, those messages (empty for the others).

    Which turns go where depends on the roles and the final answer's index alone: a batch
    has a few such shapes, each written once as format strings (:func:`_prompt_shape`)."""
    keys = list(zip(turns.roles, turns.last, strict=True))
    shape_of = {key: _prompt_shape(*key) for key in set(keys)}
    shapes = list(map(shape_of.__getitem__, keys))
    # one turn is that turn's text itself (most prompts and system prompts): no formatting
    prompts = [
        t[s[3]] if s[3] >= 0 else s[0].format(*t) for s, t in zip(shapes, normalized, strict=True)
    ]
    named = [
        t[s[3]] if s[3] >= 0 else s[1].format(*t) for s, t in zip(shapes, turns.texts, strict=True)
    ]
    systems = [
        t[s[4]] if s[4] >= 0 else s[2].format(*t) for s, t in zip(shapes, turns.texts, strict=True)
    ]
    single = [-1 if s[3] < 0 else f + s[3] for s, f in zip(shapes, first, strict=True)]
    answers = ["" if j is None else t[j] for t, j in zip(normalized, turns.last, strict=True)]
    answered = [-1 if j is None else f + j for f, j in zip(first, turns.last, strict=True)]
    joined = [
        () if s[3] >= 0 or not s[5] else tuple([f + j for j in s[5]])
        for s, f in zip(shapes, first, strict=True)
    ]
    return prompts, answers, systems, named, single + answered, joined


def _prompt_shape(
    roles: tuple[str, ...], last: int | None
) -> tuple[str, str, str, int, int, tuple[int, ...]]:
    """For examples with these roles and final answer index: format strings (over the
    message texts) of the prompt, of the prompt turns joined by :data:`_TURN_JOIN` and of
    the system prompts; the prompt's one turn and the one system turn (-1: none or
    several); the prompt's turns."""
    cut = len(roles) if last is None else last
    prompt = [j for j in range(cut) if roles[j] not in _SYSTEM_ROLES]
    system = [j for j, r in enumerate(roles) if r in _SYSTEM_ROLES]
    fields = [f"{{{j}}}" for j in prompt]
    return (
        " ".join(fields),
        _TURN_JOIN.join(fields),
        "\n".join([f"{{{j}}}" for j in system]),
        prompt[0] if len(prompt) == 1 else -1,
        system[0] if len(system) == 1 else -1,
        tuple(prompt),
    )


def _prompt_word_columns(
    prompts: list[str],
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(word MinHash, number of distinct words, numbers, negations) of each prompt.

    Each distinct word of the batch is learnt once (:class:`_PromptWords`); the numbers are
    looked for only in prompts one of whose words holds a digit, the negations collected
    only for prompts holding one."""
    n = len(prompts)
    words = _prompt_words(prompts)
    if words is None:  # a prompt holds the separator word: one set per prompt
        return _prompt_word_columns_slowly(prompts)
    vocab = words.vocab
    crc = sorted_letter_crcs(vocab)
    # Only a word that is a negation, whose sorted letters hash like a negation's, or that
    # is not all letters can negate or hold a digit: those alone are learnt one by one.
    maybe = np.fromiter(map(NEGATIONS.__contains__, vocab), dtype=bool, count=len(vocab))
    maybe |= np.isin(crc, _NEGATION_KEY_CRCS)
    maybe |= ~np.fromiter(map(str.isalpha, vocab), dtype=bool, count=len(vocab))
    known = _PromptWords()
    known.learn({vocab[i] for i in np.flatnonzero(maybe).tolist()})
    sig = id_set_signatures(words.rows, words.ids, crc, n, BINS)
    digits = [""] * n
    if known.numbered:
        numbered = np.fromiter(map(known.numbered.__contains__, vocab), bool, len(vocab))
        for i in words.rows_with(numbered).tolist():
            digits[i] = digit_runs(prompts[i])
    negations = [""] * n
    if known.negating:
        negating = np.fromiter(map(known.negating.__contains__, vocab), bool, len(vocab))
        hit = negating[words.ids]
        found: dict[int, set[str]] = {}
        for i, w in zip(words.rows[hit].tolist(), words.ids[hit].tolist(), strict=True):
            found.setdefault(i, set()).update(known.negating[vocab[w]])
        for i, negates in found.items():
            negations[i] = " ".join(sorted(negates))
    return sig, words.counts, digits, negations


def _prompt_words(prompts: list[str]) -> BatchWords | None:
    """The words of each prompt: ASCII prompts (normalised: spaces are their only
    whitespace) cut by numpy (:func:`ascii_batch_words`, no Python string per token, the
    split and a dictionary call per token were most of the prompt words' time), others
    by one split of the batch (:func:`batch_words`; None: see there). A batch mostly but
    not wholly ASCII (a few prompts in another script or with an accent: most natural
    batches) has its ASCII prompts cut by numpy and the others split
    (:func:`_mixed_prompt_words`)."""
    found = ascii_batch_words(prompts)
    if found is None:
        return _mixed_prompt_words(prompts)
    return distinct_words(found.vocab, found.ids, found.rows, len(prompts))


def _mixed_prompt_words(prompts: list[str]) -> BatchWords | None:
    """:func:`_prompt_words` of a batch not wholly ASCII (or whose ASCII cut gave up): when
    at least half the prompts are ASCII, those are cut by numpy and the others split
    around :data:`~ftprep.similarity.batchwords.SEPARATOR`, the two vocabularies merged
    and the tokens put back in prompt order (a stable sort by prompt); otherwise, or when
    the numpy cut gives up, the whole batch is split (:func:`batch_words`). None when a
    split prompt holds the separator as a word."""
    n = len(prompts)
    plain = np.fromiter(map(str.isascii, prompts), dtype=bool, count=n)
    if plain.all() or 2 * np.count_nonzero(plain) < n:  # all ASCII: the cut gave up on them
        return batch_words(prompts)
    ascii_rows, other_rows = np.flatnonzero(plain), np.flatnonzero(~plain)
    cut = ascii_batch_words([prompts[i] for i in ascii_rows.tolist()])
    if cut is None:
        return batch_words(prompts)
    found = split_words([prompts[i] for i in other_rows.tolist()])
    if found is None:
        return None
    split_vocab, split_ids, split_rows = found
    vocab, merged = token_ids(cut.vocab + split_vocab)
    ids = np.concatenate([merged[cut.ids], merged[len(cut.vocab) + split_ids]])
    owner = np.concatenate([ascii_rows[cut.rows], other_rows[split_rows]])
    order = np.argsort(owner.astype(np.int32), kind="stable")
    return distinct_words(vocab, ids[order], owner[order], n)


def _prompt_word_columns_slowly(
    prompts: list[str],
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """:func:`_prompt_word_columns` one prompt's word set at a time."""
    known = _PromptWords()
    owners: list[int] = []
    hashes: list[int] = []
    counts, digits, negations = [], [], []
    for i, text in enumerate(prompts):
        words = set(text.split())
        known.learn(words)
        counts.append(len(words))
        owners.extend([i] * len(words))
        hashes.extend(map(known.crc.__getitem__, words))
        digits.append(known.numbers(text, words))
        negations.append(known.negations(words))
    sig = signatures_of_sets(owners, hashes, len(prompts), BINS)
    return sig, np.array(counts, dtype=np.int64), digits, negations


#: What an example's prompt turns are joined with, and examples with one another, when the
#: names of a whole batch are looked for at once: "_" is a word character, so no name starts
#: right after it (as none starts a text) and none runs into it, and it is no sentence end
#: nor space, so the look-behinds of :data:`_MID_NAME` find after it what they find at a
#: text's start: the joined text holds each turn's names and no other.
_TURN_JOIN = "_"
_ROW_JOIN = "_"


#: Bytes of the ASCII characters :data:`_MID_NAME` reads before a capital: what may not
#: stand right before a name (``[\w'.!?:|\n]``) and the sentence ends before one or two
#: spaces (:func:`~ftprep.checks.clean.name_bytes.name_starts`).
_NOT_BEFORE = byte_class(string.ascii_letters + string.digits + "_'.!?:|\n")
_END = byte_class(".!?:|\n")


def _batch_names(named: list[str]) -> np.ndarray:
    """The ``prompt_names`` rows of a batch (``named``: each example's prompt turns as
    written, joined by :data:`_TURN_JOIN`): the :data:`NAME_SKETCH` smallest of the
    :meth:`_PromptWords.name_hashes` of each example, zeros after them.

    ASCII examples are laid end to end (one :data:`_ROW_JOIN` between two) and their
    names found by :func:`~ftprep.checks.clean.name_bytes.name_starts` (a name ends at
    the first byte that is no letter); the others are scanned by the pattern one by one.
    Each distinct name is hashed once (:func:`sorted_letter_crcs` of its lower case, 0
    read as 1), and the smallest hashes of each example are picked from the sorted
    (example, hash) pairs (:func:`sorted_unique`: np.unique's hash table took longer)."""
    n = len(named)
    out = np.zeros((n, NAME_SKETCH), dtype=np.uint32)
    plain = np.fromiter(map(str.isascii, named), dtype=bool, count=n)
    screened = np.flatnonzero(plain)
    texts = named if len(screened) == n else [named[i] for i in screened.tolist()]
    owners, words = names_in(texts, _ROW_JOIN, _NOT_BEFORE, _END)
    rows = [screened[owners]]
    for i in np.flatnonzero(~plain).tolist():
        found = _MID_NAME.findall(named[i])
        words.extend(found)
        rows.append(np.full(len(found), i, dtype=np.int64))
    if not words:
        return out
    vocab, ids = token_ids(words)
    crc = sorted_letter_crcs([w.lower() for w in vocab]).astype(np.int64)
    crc[crc == 0] = 1
    keys = sorted_unique((np.concatenate(rows).astype(np.int64) << 32) | crc[ids])
    row, value = keys >> 32, keys & 0xFFFFFFFF
    rank = np.arange(len(keys)) - np.searchsorted(row, row)
    keep = rank < NAME_SKETCH
    out[row[keep], rank[keep]] = value[keep]
    return out


class ContradictionSettings(CheckSettings):
    same_answer_similarity: float = Field(
        0.9, gt=0, le=1, description="answers at least this similar count as the same answer"
    )


def _lines(ft: FeatureTable, rows: np.ndarray, exclude: int) -> str:
    others = [int(ft["line"][r]) for r in rows if r != exclude]
    shown = ", ".join(str(x) for x in others[:MAX_DETAIL_LINES])
    more = f" and {len(others) - MAX_DETAIL_LINES} more" if len(others) > MAX_DETAIL_LINES else ""
    return shown + more


def _skipped(ft: FeatureTable) -> np.ndarray:
    """Rows that are not single supervised answers: preference pairs and KTO records, whose
    several completions per prompt are the design."""
    kinds = np.asarray(ft["kind"], dtype=object) if "kind" in ft else np.full(ft.n, "chat")
    return np.asarray(ft["kto"], dtype=bool) | (kinds == "preference")


def input_groups(ft: FeatureTable) -> list[np.ndarray]:
    """Row groups sharing one input (system prompt, every turn before the final answer, the
    tools) and holding more than one answer value; preference and KTO rows left out."""
    keep = np.flatnonzero(~_skipped(ft))
    keys = (ft["hash_prompt"] ^ mix64(ft["input_extra"]))[keep]
    values = ft["answer_value"][keep]
    groups: list[np.ndarray] = []
    if len(keep):
        order = np.lexsort((values, keys))
        sk, sv = keys[order], values[order]
        new_key = np.r_[True, sk[1:] != sk[:-1]]
        new_value = new_key | np.r_[True, sv[1:] != sv[:-1]]
        starts = np.flatnonzero(new_key)
        distinct = np.add.reduceat(new_value.astype(np.int64), starts)
        ends = np.r_[starts[1:], len(sk)]
        for s, e in zip(starts[distinct > 1], ends[distinct > 1], strict=True):
            groups.append(np.sort(keep[order[s:e]]))
    return groups


def _representatives(values: np.ndarray, rows: np.ndarray) -> list[int]:
    """One row per answer value of a group (its first), at most MAX_REPRESENTATIVES."""
    _, first = np.unique(values[rows], return_index=True)
    return rows[np.sort(first)][:MAX_REPRESENTATIVES].tolist()


class _ScalarColumns:
    """The table's columns for reading one row at a time: a spilled column (a memmap) as a
    plain array over the same memory. The same values; a memmap's ``__getitem__`` is a
    Python-level call (and a new memmap object for a row), which the pairwise verdicts of
    a 100K file paid tens of thousands of times."""

    def __init__(self, ft: FeatureTable) -> None:
        self._ft = ft
        self._cols: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        col = self._cols.get(key)
        if col is None:
            col = self._ft[key]
            if isinstance(col, np.memmap):
                col = col.view(np.ndarray)
            self._cols[key] = col
        return col


def judged_input_groups(ft: FeatureTable, same: float = 0.9) -> tuple[list[np.ndarray], np.ndarray]:
    """(groups with a label-like conflict, pairs of rows with diverging free-text answers
    to the same input), cached.

    In each group, answers are compared through one representative per answer value;
    answers at least ``same`` alike (character shingles) are the same answer, and a group
    has a conflict when any other pair of its representatives is a label-like conflict
    (:func:`~ftprep.checks.clean.answer_profile.judge_pair`). The likeness of every
    group's pairs is measured in one call (the same values as pair by pair), and the
    verdicts read the columns as plain arrays (:class:`_ScalarColumns`)."""
    if same in ft.derived.contradictions:
        return ft.derived.contradictions[same], ft.derived.near_contradictions[(FREE_KEY, same)]
    cols = _ScalarColumns(ft)
    values = cols["answer_value"]
    groups = input_groups(ft)
    reps = [_representatives(values, rows) for rows in groups]
    pairs = [(r[x], r[y]) for r in reps for x in range(len(r)) for y in range(x + 1, len(r))]
    coded = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    alike = (pair_similarity(ft["answer_sig"], coded) >= same).tolist()
    overlaps = content_overlaps(cols, coded)
    conflicts: list[np.ndarray] = []
    free: list[tuple[int, int]] = []
    at = 0
    for rows, group in zip(groups, reps, strict=True):
        count = len(group) * (len(group) - 1) // 2
        ours = zip(
            pairs[at : at + count], alike[at : at + count], overlaps[at : at + count], strict=True
        )
        at += count
        differ = [(pair, overlap) for pair, same_answer, overlap in ours if not same_answer]
        verdicts = [judge_pair(cols, a, b, overlap=overlap) for (a, b), overlap in differ]
        if LABEL_CONFLICT in verdicts:
            conflicts.append(rows)
            continue
        diverging = [p for (p, _), v in zip(differ, verdicts, strict=True) if v == FREE_DIVERGENCE]
        held = values[rows]
        for a, b in diverging:
            free.extend((int(m), b) for m in rows[held == values[a]])
            free.extend((a, int(m)) for m in rows[held == values[b]])
    arr = np.asarray(free, dtype=np.int64).reshape(-1, 2)
    if len(arr):
        arr = np.unique(np.sort(arr, axis=1), axis=0)
        arr = arr[arr[:, 0] != arr[:, 1]]
    ft.derived.contradictions[same] = conflicts
    ft.derived.near_contradictions[(FREE_KEY, same)] = arr
    return conflicts, arr


@dataset_check(
    "clean.contradiction",
    "clean",
    "error",
    "{count} examples give different answers to the same input",
    settings=ContradictionSettings,
    needs=("hashes", "prompt_sketch", "answer_profile"),
)
def contradiction(
    ft: FeatureTable, settings: ContradictionSettings, ctx: DatasetContext
) -> CheckResult:
    """Same input, different label-like answers.

    What: examples whose input — the system prompt, every turn before the final answer
    (compared after folding case, whitespace and punctuation) and the tools offered — is
    identical, and whose final answers are *label-like and different*: a class or a short
    extraction (at most five words, one line, no "I"/"you"), a JSON value (compared as
    parsed JSON), a code leading a rationale ("E11.9 — Type 2 diabetes ..." vs "E11.65 — ..."),
    or a tool call (name and arguments). A label agrees with a free-text
    answer that starts with it ("Yes" / "Yes, it is.") or, when short, contains it
    ("Paris" / "The capital of France is Paris."). Every example of each group is listed,
    with the lines of the others.
    Not errors: paraphrased or otherwise different free-text answers to one question
    (several good answers are the design of many instruction sets; those that share almost
    no content words or state different facts are listed by `clean.near_contradiction`, at
    `info`); preference pairs and KTO
    records (a boolean `label` or a `kto_tag`), where several completions per prompt are
    the design; two examples whose only difference is the `tools` list or the system prompt
    (different inputs).
    Why: the model is trained to give both answers to one question; for classification,
    extraction or tool calling it learns noise. Contradictions are the defect reviewers of
    finetuning sets find most often in merged or re-annotated data.
    Threshold: any group; answers at least `same_answer_similarity` (0.9, estimated Jaccard
    of 5-character shingles) alike count as the same answer. The split keeps every group of
    examples sharing an input on one side, whichever checks run.
    Fix: decide which answer is right and remove or correct the others. `--fix` never
    chooses for you.
    """
    groups, _ = judged_input_groups(ft, settings.same_answer_similarity)
    flags = []
    for g, rows in enumerate(groups):
        answers = len(np.unique(ft["answer_value"][rows]))
        for r in rows:
            detail = f"same input as line(s) {_lines(ft, rows, r)}; {answers} different answers"
            flags.append(Flag(int(r), detail, fixable=False, group=g))
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags,
        metrics={"contradiction_groups": len(groups), "contradicting_examples": len(flags)},
        message=f"{plural(len(flags), 'example')} in {plural(len(groups), 'group')} give "
        "different answers to the same input"
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
    max_changed_words: int = Field(
        3, ge=1, description="the prompts differ in at most this many distinct words"
    )
    max_answer_similarity: float = Field(
        0.6, gt=0, le=1, description="answers must share less than this (5-character shingles)"
    )
    min_words: int = Field(4, ge=1, description="shorter prompts are not compared")


def _filter(pairs: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return pairs[keep] if len(pairs) else pairs


def _changed_words(ft: FeatureTable, pairs: np.ndarray) -> np.ndarray:
    """Estimated number of distinct words in one prompt but not the other."""
    j = pair_similarity(ft["prompt_sig"], pairs)
    total = ft["prompt_words"][pairs[:, 0]] + ft["prompt_words"][pairs[:, 1]]
    return (1 - j) / (1 + j) * total


def near_contradiction_pairs(
    ft: FeatureTable, settings: NearContradictionSettings, same: float = 0.9
) -> np.ndarray:
    """Verified (i, j) pairs: near-identical inputs whose answers conflict (label-like
    answers differ, or free-text answers share almost no content words), plus identical
    inputs with diverging free-text answers (cached).

    Rows with the same input and the same answer (copies) are compared once, through one
    representative, and every copy joins the representative's pairs afterwards. Cheap
    scalar tests run before the signature comparisons, on ever fewer pairs.
    """
    key = (
        settings.threshold,
        settings.char_threshold,
        float(settings.max_changed_words),
        settings.max_answer_similarity,
        float(settings.min_words),
        same,
    )
    if key in ft.derived.near_contradictions:
        return ft.derived.near_contradictions[key]
    skipped = _skipped(ft)
    combo = (ft["hash_prompt"] ^ mix64(ft["input_extra"])) ^ mix64(ft["hash_answer"])
    _, reps, inverse = np.unique(combo, return_index=True, return_inverse=True)
    sig = ft["prompt_sig"][reps]
    informative = ((sig != EMPTY).sum(axis=1) >= min(settings.min_words, BINS)) & ~skipped[reps]
    sig = np.where(informative[:, None], sig, EMPTY).astype(np.uint16)

    # What the cheap tests read, per representative, in one contiguous block: four hashes,
    # then the 32-bin character sketch (96 bytes a row). Templated data offers millions of
    # candidates: :func:`candidate_pairs` hands the test each side's row of this block,
    # read in band order, instead of six random reads a side from the table's columns.
    block = np.empty((len(reps), len(_EXACT) + SMALL_BINS // 4), dtype=np.uint64)
    for c, name in enumerate(_EXACT):
        block[:, c] = ft[name][reps]
    block[:, len(_EXACT) :] = np.ascontiguousarray(ft["prompt_char_sig"][reps]).view(np.uint64)

    def similar_inputs(pairs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Same system prompt and extra input, other prompt and answer, words and
        characters similar enough: the cheap tests, run on each band's candidates
        (``pairs`` of positions in ``reps``; ``a``, ``b``: their rows of ``block``)."""
        ok = (a[:, 0] == b[:, 0]) & (a[:, 1] == b[:, 1]) & (a[:, 2] != b[:, 2])
        ok &= a[:, 3] != b[:, 3]
        # The 32-bin character test first: on templated data it refuses most candidates
        # before the 64-bin word test. When most candidates passed the hash tests (the
        # usual case), every row is measured in place, the answers for the others
        # dropped: gathering the survivors' rows cost twice the test.
        at = np.flatnonzero(ok)
        first = 4 * len(_EXACT)  # the sketch's first uint16 column in ``block``
        if 2 * len(at) >= len(ok):
            ok &= similarity_in_rows(a, b, first, SMALL_BINS) >= settings.char_threshold
        else:
            chars = similarity_in_rows(a[at], b[at], first, SMALL_BINS)
            ok[at] = chars >= settings.char_threshold
        at = np.flatnonzero(ok)
        ok[at] = pair_similarity(sig, pairs[at]) >= settings.threshold
        return ok

    key_of = ft["prompt_key"][reps] ^ mix64(ft["input_extra"][reps])
    pairs = candidate_pairs(sig, key_of, accept=similar_inputs, payload=block)
    pairs = reps[pairs] if len(pairs) else np.zeros((0, 2), dtype=np.int64)
    if len(pairs):
        pairs = _filter(pairs, _changed_words(ft, pairs) <= settings.max_changed_words + 0.5)
    if len(pairs):
        pairs = _filter(pairs, ~_names_differ(ft, pairs))
    if len(pairs):
        ends = ft["prompt_ends_sig"]
        head = pair_similarity(ends[:, :SMALL_BINS], pairs)
        tail = pair_similarity(ends[:, SMALL_BINS:], pairs)
        pairs = _filter(pairs, (head >= ENDS_SIMILARITY) & (tail >= ENDS_SIMILARITY))
    pairs = _filter(
        pairs, pair_similarity(ft["answer_sig"], pairs) < settings.max_answer_similarity
    )
    if len(pairs):
        verdicts = np.array([judge_pair(ft, int(x), int(y), facts=False) for x, y in pairs])
        pairs = _filter(pairs, verdicts != CONSISTENT)
    if len(pairs):
        # Copies of a representative join its pairs (chained to it).
        rep_of = reps[inverse]
        copies = np.flatnonzero((rep_of != np.arange(ft.n)) & np.isin(rep_of, pairs))
        pairs = np.concatenate([pairs, np.stack([rep_of[copies], copies], axis=1)])
    _, free = judged_input_groups(ft, same)
    pairs = np.concatenate([pairs.reshape(-1, 2), free]).astype(np.int64)
    if len(pairs):
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    ft.derived.near_contradictions[key] = pairs
    return pairs


@dataset_check(
    "clean.near_contradiction",
    "clean",
    "info",
    "{count} examples answer the same or a near-identical input in conflicting ways",
    settings=NearContradictionSettings,
    needs=("hashes", "prompt_sketch", "answer_profile"),
)
def near_contradiction(
    ft: FeatureTable, settings: NearContradictionSettings, ctx: DatasetContext
) -> CheckResult:
    """Near-identical inputs with conflicting answers, or one input with diverging free text.

    What: two cases. (1) Pairs of examples with the same system prompt and tools whose
    other input turns are the same question with a typo, a word added or removed: they
    share at least `threshold` of their words and `char_threshold` of their 5-character
    shingles (MinHash + LSH, linear time), differ in at most `max_changed_words` distinct
    words and in at most one name, their first and last 48 characters are alike on their
    own (a long shared preamble, such as a tool description, does not make two questions
    one), and they hold the same numbers and negations — and whose answers conflict:
    label-like answers (a class, a short extraction, JSON, a tool call) that differ, or
    free-text answers that share less than `max_answer_similarity` of their character
    shingles *and* less than 30% of their content words. (2) Examples with an identical
    input whose free-text answers share less than 30% of their content words, or state
    different facts (of at least three names, numbers and code identifiers each, the
    answer with fewer shares less than two thirds with the other). Paraphrases of one
    answer share most of both and are never listed; preference pairs and KTO records are
    skipped.
    Why: a near-identical question with a different answer teaches the model that surface
    noise changes the answer, and two unrelated answers to one question are often a
    merge or annotation mistake.
    Why `info` by default: on public instruction sets the old rule (any near-identical
    prompt, any different answer) was right 0 times in 6,500 locations; with the rules
    above it lists a handful per 10,000 examples, and the ones judged by hand were still
    not defects (a one-word change that is the point — `'pwd'` vs `'ls'`; two acceptable
    phrasings of one tool call). That is below the 80% a warning promises, so it is shown
    for review and never blocks; raise it with `severity = "warning"` in the config for
    data where one input should have one answer (the split keeps identical inputs
    together either way).
    Threshold: `threshold` 0.8 (word-set Jaccard), `char_threshold` 0.7,
    `max_changed_words` 3, `max_answer_similarity` 0.6, prompts of at least `min_words`
    distinct words.
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
    for g, group in members.items():
        arr = np.asarray(group)
        for r in group:
            flags.append(
                Flag(
                    r,
                    f"near-identical or same input as line(s) {_lines(ft, arr, r)}; "
                    "conflicting answer",
                    fixable=False,
                    group=g,
                )
            )
    flags.sort(key=lambda f: f.row)
    return CheckResult(
        flags=flags,
        metrics={"near_contradiction_groups": len(members)},
        message=f"{plural(len(flags), 'example')} in {plural(len(members), 'group')} answer "
        "the same or a near-identical input in conflicting ways",
    )


def contradiction_group_key(
    ft: FeatureTable, config: Any = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Examples sharing an input with more than one answer, as a split grouping key: every
    example of such a group lands on the same side.

    Computed from the always-present hashes alone (any two different normalised answers
    to one normalised input), so the split is the same whichever checks are enabled."""
    n = ft.n
    if n == 0 or "hash_prompt" not in ft:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    prompts, answers = ft["hash_prompt"], ft["hash_answer"]
    order = np.lexsort((answers, prompts))
    sp, sa = prompts[order], answers[order]
    new_prompt = np.r_[True, sp[1:] != sp[:-1]]
    new_answer = new_prompt | np.r_[True, sa[1:] != sa[:-1]]
    starts = np.flatnonzero(new_prompt)
    distinct = np.add.reduceat(new_answer.astype(np.int64), starts)
    group_of = np.cumsum(new_prompt) - 1
    multi = (distinct > 1)[group_of]
    labels = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    labels[order] = group_of
    valid[order] = multi
    return labels, valid


def _configured(config: Any, check: str, cls: type[Any]) -> Any:
    """A check's settings as configured (enabled or not), defaults without a config."""
    return config.check_settings(check, cls) if config is not None else cls()

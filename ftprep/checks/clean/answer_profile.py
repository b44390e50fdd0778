"""What an answer is, for deciding whether two answers to one input contradict each other.

Two different answers to the same input are a contradiction only when the answer is
label-like: a class ("Positive"), a short extraction ("Paris", "2025-05-28"), a JSON value
or a tool call. Free-text answers to one question may rightly differ: paraphrases ("My name
is Vicuna..." / "I'm a language model called Vicuna...") and several good explanations are
the design of many instruction sets. Free text is worth a look only when two answers share
almost none of their content words (different facts, another topic), and even then it is a
warning.

Each example gets a compact profile (a few numbers per row, no text kept): the answer's
type, a hash of its value (JSON canonicalised, tool calls by name and arguments), hashes of
its first one to five words (so "Yes" agrees with "Yes, it is."), a 256-bit word filter of
short answers (so "Paris" agrees with "The capital of France is Paris."), and a MinHash of
its content words with their count (so the share of shared content words can be estimated).

Rows that are not single supervised answers are marked to be skipped: KTO records (a
boolean ``label`` or a ``kto_tag``: several labelled completions per prompt are the design)
and the tools or functions a layout keeps in metadata are folded into the input key, so two
tool-calling examples that differ only in their tools are not the same input.
"""

from __future__ import annotations

import contextlib
import json
import re
import string
import zlib
from collections.abc import Sequence
from hashlib import blake2b
from itertools import compress, repeat
from operator import attrgetter, getitem, is_not
from typing import Any

import numpy as np

from ftprep.checks.byte_words import byte_class
from ftprep.checks.clean.answer_words import (
    BatchWords,
    batch_words,
    crc_array,
    distinct_pairs,
)
from ftprep.checks.clean.name_bytes import names_in
from ftprep.checks.prose import word_set
from ftprep.features import FeatureContext, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.batchwords import token_ids
from ftprep.similarity.minhash import id_set_signatures, similarity, sorted_unique
from ftprep.similarity.normalize import (
    answer_hashes,
    hash64,
    hash64_array,
    normalize_text,
    normalized_messages,
)
from ftprep.turns import batch_turns

NONE, LABEL, JSON_VALUE, TOOL_CALL, FREE = 0, 1, 2, 3, 4
HEAD = 5
WORD_BINS = 64
BLOOM_WORDS = 40
#: At most this many words (after normalisation), one line, no personal pronouns: a label.
LABEL_WORDS = 5
LABEL_CHARS = 60
#: Characters a label never holds: a call written as text (``search('x')``), code, lines.
_NOT_LABEL = frozenset("\n(=`{")
_PRONOUNS = word_set("i im ive id me my mine you youre your yours we our us")
STOPWORDS = word_set(
    "a an the and or but if then of to in on at by for with from as is are was were be been "
    "being it its this that these those i you he she we they me my your our their his her them "
    "us do does did have has had not no so such can could will would should may might must "
    "shall than too very just also there here what which who whom how when where why all any "
    "each some more most other into over under about after before up down out off again "
    "further once only own same both few nor s t don now let im ive id youre theyre dont"
)
#: Free-text answers sharing less than this share of the smaller answer's content words
#: are about different things.
DIVERGENT_OVERLAP = 0.3
#: Free-text answers with at least ``MIN_FACTS`` facts each (names, numbers, identifiers in
#: code) of which the answer with fewer shares less than this share with the other state
#: different facts (one answer adding detail to the other keeps all of the other's facts).
DIVERGENT_FACTS = 0.67
MIN_FACTS = 3
#: Facts are kept as a bottom-k sketch: the k smallest fact hashes, exact for up to k facts.
FACT_SKETCH = 16
#: A code leading the answer ("E11.9 — Type 2 diabetes ...", "M54.50: ..."): the label of
#: a classification with a rationale after it.
_LEADING_CODE = re.compile(
    r"^\s*([A-Z]{1,3}\d[\w.]*|\d+[A-Z][\w.]*)(?=\s*(?:—|–|-|:|,|\.\s|\.?$|\n))"
)
#: Numbers: ``(?<![\w.])(\d+(?:[.,]\d+)+|\d{2,})%?(?![\w])``, written to start with the
#: digit (the test on the character before it follows), so the regex engine skips ahead to
#: the next digit instead of trying the look-behind at every position: 3x faster, the same
#: matches (tests/test_fast_patterns.py).
_NUMBER = re.compile(r"(\d(?<![\w.]\d)(?:\d*(?:[.,]\d+)+|\d+))%?(?![\w])")
#: :data:`_NUMBER` for ASCII texts: ``\d`` and ``\w`` as ASCII classes, the same on such
#: text, which the engine tests as a byte table instead of Unicode categories (~30% faster
#: on natural answers; tests/test_fast_patterns.py).
_ASCII_NUMBER = re.compile(_NUMBER.pattern, re.ASCII)
#: Capitalised words: ``(?<![\w'])([A-Z][a-zA-Z]+)``, capital first for the same reason.
_NAME = re.compile(r"([A-Z](?<![\w'][A-Z])[a-zA-Z]+)")
#: Capitalised words not opening a sentence: :data:`_NAME` matches whose three characters
#: before (fewer at the start of the text) do not match ``(?:^|[.!?:]\s+|\n\s*)$``: some
#: character before the word (not the text's start), not a newline, and no ``[.!?:\n]``
#: followed by one or two spaces up to the word. The test is written into the pattern, so
#: the many sentence-opening capitals are rejected by the regex engine, not one by one in
#: Python (the same words: tests/test_fast_patterns.py).
_FACT_NAME = re.compile(
    r"([A-Z](?<=[^\w'\n][A-Z])(?<![.!?:\n]\s[A-Z])(?<![.!?:\n]\s\s[A-Z])[a-zA-Z]+)"
)
#: Bytes of the ASCII characters :data:`_FACT_NAME` reads before a capital: what may not
#: stand right before a name (``[\w'\n]``) and the sentence ends before one or two spaces
#: (:func:`~ftprep.checks.clean.name_bytes.name_starts`).
_FACT_NOT_BEFORE = byte_class(string.ascii_letters + string.digits + "_'\n")
_FACT_END = byte_class(".!?:\n")


def ascii_names(texts: Sequence[str]) -> tuple[list[int], list[str]]:
    """(text index, lower-cased name) of every :data:`_FACT_NAME` match of ``texts``
    (ASCII, without NUL), found over the bytes of the texts joined
    (:func:`~ftprep.checks.clean.name_bytes.name_starts`, no regex match per name) and
    cut from the lower-cased bytes at once (:func:`words_at`): each text follows an
    apostrophe, before which no name looks (a name cannot follow one, a sentence opening
    needs a stop or a line break, and names stop at it), so each text is searched as if
    alone. (The regex over bytes with marked capitals it replaces took twice as long.)"""
    owners, names = names_in(texts, "'", _FACT_NOT_BEFORE, _FACT_END, lead="'", lower=True)
    return owners.tolist(), names


_CODE_SPAN = re.compile(r"```.*?(?:```|$)|`[^`\n]+`", re.S)
_IDENT = re.compile(r"[A-Za-z_]\w{2,}")
_DIGIT = re.compile(r"\d")


def _content_words(norm: str) -> list[str]:
    out = []
    for w in norm.split():
        if w in STOPWORDS or len(w) < 2:
            continue
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") else w)
    return out


def _word_hash(w: str) -> int:
    return zlib.crc32(w.encode("utf-8", "surrogatepass"))


def _tool_value(calls: list[dict[str, Any]]) -> str:
    parts = []
    for call in calls:
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict):
            parts.append(repr(call))
            continue
        args = fn.get("arguments")
        if isinstance(args, str):
            with contextlib.suppress(ValueError):
                args = json.loads(args)
        parts.append(f"{fn.get('name')}:{json.dumps(args, sort_keys=True, default=str)}")
    return "\x1f".join(parts)


def classify(
    text: str, tool_calls: list[dict[str, Any]] | None, normalized: str | None = None
) -> tuple[int, str]:
    """(answer type, canonical value) of one final answer (``normalized``: the text's
    ``normalize_text(text.strip())`` when the caller has it already)."""
    kind, value, _ = _classify(text, tool_calls, normalized)
    return kind, value


def _classify(
    text: str, tool_calls: list[dict[str, Any]] | None, normalized: str | None
) -> tuple[int, str, list[str]]:
    """:func:`classify`, with the words of the value of a label or free text (``[]`` for
    the other types), which the profile reads next."""
    if tool_calls:
        return TOOL_CALL, _tool_value(tool_calls), []
    stripped = text.strip()
    if not stripped:
        return NONE, "", []
    if stripped[0] in "{[":
        with contextlib.suppress(ValueError):  # not JSON after all: judged as text below
            value = json.loads(stripped)
            return JSON_VALUE, json.dumps(value, sort_keys=True, ensure_ascii=False), []
    norm = normalize_text(stripped) if normalized is None else normalized
    words = norm.split()
    if (
        len(words) <= LABEL_WORDS
        and len(stripped) <= LABEL_CHARS
        and not _NOT_LABEL.intersection(stripped)
        and not _PRONOUNS.intersection(words)
    ):
        return LABEL, norm, words
    return FREE, norm, words


def facts(text: str, digits: bool = True) -> set[str]:
    """Names (capitalised words not opening a sentence), numbers of two or more digits, and
    identifiers inside code: what two paraphrases of one answer keep and two different
    answers change. ``digits=False``: the caller knows ``text`` holds no digit (numbers
    are not looked for)."""
    found = set(_NUMBER.findall(text)) if digits else set()
    found.update(map(str.lower, _FACT_NAME.findall(text)))
    if "`" in text:
        for span in _CODE_SPAN.finditer(text):
            found.update(w.lower() for w in _IDENT.findall(span[0]))
    return found


def _metadata_tools(meta: dict[str, Any]) -> str:
    found = [meta[k] for k in ("tools", "functions", "available_tools") if meta.get(k)]
    return json.dumps(found, sort_keys=True, default=str) if found else ""


def _is_kto(meta: dict[str, Any]) -> bool:
    return "kto_tag" in meta or isinstance(meta.get("label"), bool)


@register_feature(
    "answer_profile",
    (
        "answer_type",
        "answer_value",
        "answer_head",
        "answer_bloom",
        "answer_words_sig",
        "answer_words_n",
        "answer_code",
        "answer_facts",
        "answer_facts_n",
        "input_extra",
        "kto",
    ),
)
def answer_profile_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """The profile of each example's final answer (see the module docstring).

    Computed for the whole batch at once (:mod:`ftprep.checks.clean.answer_words`): the
    label and free-text answers are split into words together, each distinct word is
    hashed once, and the word filters, sketches and counts are array operations over
    (answer, word) pairs. The per-answer rules (:func:`classify`, :func:`facts`,
    :func:`_content_words`) stay the definition: tests/test_answer_batch_identity.py holds
    every column to them."""
    n = len(batch)
    kinds = np.zeros(n, dtype=np.int8)
    extra = np.zeros(n, dtype=np.uint64)
    kto = np.zeros(n, dtype=bool)
    metas = list(map(attrgetter("metadata"), batch))
    for i in compress(range(n), metas):
        tools = _metadata_tools(metas[i])
        extra[i] = hash64(tools) if tools else 0
        kto[i] = _is_kto(metas[i])
    turns = batch_turns(batch, ctx.batch)
    normalized = normalized_messages(batch, ctx.batch)
    lasts = turns.last
    answered = list(compress(range(n), map(is_not, lasts, repeat(None))))
    texts: list[str]
    calls: list[list[dict[str, Any]] | None]
    memo_norms: list[str]
    if len(answered) == n:  # every index an int
        texts = list(map(getitem, turns.texts, lasts))  # type: ignore[arg-type]
        calls = list(map(getitem, turns.calls, lasts))  # type: ignore[arg-type]
        memo_norms = list(map(getitem, normalized, lasts))  # type: ignore[arg-type]
    else:
        texts = [turns.texts[i][lasts[i]] for i in answered]  # type: ignore[index]
        calls = [turns.calls[i][lasts[i]] for i in answered]  # type: ignore[index]
        memo_norms = [normalized[i][lasts[i]] for i in answered]  # type: ignore[index]
    m = len(texts)
    stripped = list(map(str.strip, texts))
    # normalize_text(text.strip()) is the memo's normalize_text(text) when nothing is
    # stripped, and always for ASCII (stripped and folded whitespace are the same set)
    memo_ok = np.fromiter(map(str.isascii, texts), dtype=bool, count=m)
    memo_ok |= np.fromiter(map(len, stripped), dtype=np.int64, count=m) == np.fromiter(
        map(len, texts), dtype=np.int64, count=m
    )
    norms: list[str | None] = [
        norm if ok else None for norm, ok in zip(memo_norms, memo_ok.tolist(), strict=True)
    ]
    filled = np.fromiter(map(bool, stripped), dtype=bool, count=m)
    special = np.fromiter(map(bool, calls), dtype=bool, count=m)
    special |= np.fromiter(map(str.startswith, stripped, repeat(("{", "["))), dtype=bool, count=m)
    # (row, value) of each answer with a value; the label and free-text answers' positions
    value_rows: list[int] = []
    value_texts: list[str] = []
    plain = filled & ~special
    # a plain answer whose normalisation is the memo's: its value is the batch's answer hash
    shared = plain & memo_ok
    for k in np.flatnonzero(special).tolist():  # a tool call or JSON: the per-answer rule
        kind, value, _ = _classify(texts[k], calls[k], norms[k])
        kinds[answered[k]] = kind
        if kind in (LABEL, FREE):
            norms[k] = value
            plain[k] = True
        else:
            value_rows.append(answered[k])
            value_texts.append(value)
    lf = np.flatnonzero(plain).tolist()
    for k in np.flatnonzero(plain & ~memo_ok).tolist():
        if norms[k] is None:
            norms[k] = normalize_text(stripped[k])
    rows = np.asarray(answered, dtype=np.int64)[lf] if lf else np.zeros(0, dtype=np.int64)
    lf_norms = [norms[k] or "" for k in lf]  # every one is set by now
    lf_texts = [texts[k] for k in lf]
    plain_rows = lf
    words = batch_words(lf_norms)
    # more than LABEL_WORDS words is free text; the rule decides the few shorter answers
    lf_kinds = np.full(len(lf), FREE, dtype=np.int8)
    for j in np.flatnonzero(words.lengths <= LABEL_WORDS).tolist():
        k = plain_rows[j]
        lf_kinds[j] = _classify(texts[k], None, norms[k])[0]
    kinds[rows] = lf_kinds
    values = np.zeros(n, dtype=np.uint64)
    reuse = shared[lf] if lf else np.zeros(0, dtype=bool)
    values[rows[reuse]] = answer_hashes(batch, ctx.batch)[rows[reuse]]
    value_rows.extend(rows[~reuse].tolist())
    value_texts.extend([lf_norms[j] for j in np.flatnonzero(~reuse).tolist()])
    values[value_rows] = hash64_array(value_texts, len(value_texts))
    codes = np.zeros(n, dtype=np.uint64)
    matches = list(map(_LEADING_CODE.match, lf_texts))
    coded = list(compress(range(len(matches)), matches))
    if coded:
        code_texts = [matches[j][1] for j in coded]  # type: ignore[index]
        codes[rows[coded]] = hash64_array(code_texts, len(code_texts))
    crc = crc_array(words.vocab, zlib.crc32)
    counts, sig = _content_profile(words, rows, n)
    fact_counts, fact_sketch = _fact_profile(lf_texts, words, lf_kinds, rows, n)
    return {
        "answer_type": kinds,
        "answer_value": values,
        "answer_head": _head_hashes(words, rows, n),
        "answer_bloom": _word_filters(words, crc, rows, n),
        "answer_words_sig": sig,
        "answer_words_n": counts,
        "answer_code": codes,
        "answer_facts": fact_sketch,
        "answer_facts_n": fact_counts,
        "input_extra": extra,
        "kto": kto,
    }


def _content_stem(w: str) -> str:
    """:func:`_content_words` of one word: its content form, "" for a stopword or a
    one-letter word."""
    if w in STOPWORDS or len(w) < 2:
        return ""
    return w[:-1] if len(w) > 3 and w.endswith("s") else w


def _content_profile(words: BatchWords, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(distinct content words per row, MinHash of each row's content word hashes): the
    content form of each distinct word is found once, a row's repeats of one content word
    count once, and a signature (a minimum per bin) does not see repeats at all."""
    stems, stem_of = token_ids([_content_stem(w) for w in words.vocab])
    content = stem_of[words.ids]
    empty = stems.index("") if "" in stems else -1
    keep = content != empty
    local, stem_ids = distinct_pairs(words.rows[keep], content[keep], max(len(stems), 1))
    counts = np.zeros(n, dtype=np.int32)
    counts[rows] = np.bincount(local, minlength=len(rows)).astype(np.int32)
    sig = id_set_signatures(rows[local], stem_ids, crc_array(stems, zlib.crc32), n, WORD_BINS)
    return counts, sig


def _word_filters(words: BatchWords, crc: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """The 256-bit word filter of each row with at most ``BLOOM_WORDS`` words: bit
    ``crc & 0xFF`` of each of its words, as four little-endian 64-bit words (bit b of the
    filter is bit b % 64 of word b // 64)."""
    short = words.lengths <= BLOOM_WORDS
    keep = short[words.rows]
    bits = np.zeros((n, 256), dtype=bool)
    bits[rows[words.rows[keep]], (crc[words.ids[keep]] & 0xFF).astype(np.int64)] = True
    packed = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64)


def _head_hashes(words: BatchWords, rows: np.ndarray, n: int) -> np.ndarray:
    """hash64 of each row's first one to five words joined, from one running hash per
    row: blake2b of "w1 w2" is blake2b of "w1" updated with " w2" (each distinct word
    encoded once). Answers start with few distinct words: the hash of each distinct first
    word is made and digested once, and a row's running hash starts as a copy of it (a
    digest, the costly step, is then four per row at most)."""
    heads = np.minimum(words.lengths, HEAD)
    if not len(heads) or not heads.any():
        return np.zeros((n, HEAD), dtype=np.uint64)
    first = np.repeat(words.starts - np.cumsum(heads) + heads, heads) + np.arange(int(heads.sum()))
    ids = words.ids[first].tolist()
    encoded = [w.encode("utf-8", "surrogatepass") for w in words.vocab]
    spaced = [b" " + e for e in encoded]
    digests: list[bytes] = []
    add = digests.append
    starts: dict[int, tuple[Any, bytes]] = {}  # first word: (its hash, its digest)
    at = 0
    for count in heads.tolist():
        if not count:
            continue
        start = starts.get(ids[at])
        if start is None:
            first_hash = blake2b(encoded[ids[at]], digest_size=8)
            start = starts[ids[at]] = (first_hash, first_hash.digest())
        add(start[1])
        if count > 1:
            running = start[0].copy()
            for w in ids[at + 1 : at + count]:
                running.update(spaced[w])
                add(running.digest())
        at += count
    slots = np.repeat(rows * HEAD - np.cumsum(heads) + heads, heads) + np.arange(len(ids))
    head_hashes = np.zeros(n * HEAD, dtype=np.uint64)
    head_hashes[slots] = np.frombuffer(b"".join(digests), dtype="<u8")
    return head_hashes.reshape(n, HEAD)


def _fact_profile(
    texts: list[str], words: BatchWords, kinds: np.ndarray, rows: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(how many facts, bottom-``FACT_SKETCH`` sketch of their hashes) of each free-text
    row (``texts``, ``kinds`` and ``words`` are those of the label and free-text rows,
    ``rows`` their rows in the batch): the facts of :func:`facts`, names found in one pass
    over the ASCII texts (:func:`ascii_names`), numbers and code identifiers in the texts
    that may hold them, then counted and sketched for the batch at once."""
    fact_counts = np.zeros(n, dtype=np.int32)
    sketch = np.zeros(n * FACT_SKETCH, dtype=np.uint32)
    m = len(texts)
    free = kinds == FREE
    if not free.any():
        return fact_counts, sketch.reshape(n, FACT_SKETCH)
    ascii_text = np.fromiter(map(str.isascii, texts), dtype=bool, count=m)
    nul = np.fromiter(map(str.__contains__, texts, repeat("\x00")), dtype=bool, count=m)
    ticks = np.fromiter(map(str.__contains__, texts, repeat("`")), dtype=bool, count=m)
    # a text may hold a number only when it is not ASCII or one of its words is not all
    # letters (an ASCII text's digits are all in its normalised words)
    alpha = np.fromiter(map(str.isalpha, words.vocab), dtype=bool, count=len(words.vocab))
    digits = np.bincount(words.rows[~alpha[words.ids]], minlength=m) > 0
    owners: list[int] = []
    found: list[str] = []
    plain = np.flatnonzero(free & ascii_text & ~nul)
    if len(plain):
        at, names = ascii_names([texts[k] for k in plain.tolist()])
        owners.extend(rows[plain[at]].tolist())
        found.extend(names)
    for k in np.flatnonzero(free & ~(ascii_text & ~nul)).tolist():
        names = [w.lower() for w in _FACT_NAME.findall(texts[k])]
        owners.extend([int(rows[k])] * len(names))
        found.extend(names)
    for k in np.flatnonzero(free & (digits | ~ascii_text)).tolist():
        numbers = (_ASCII_NUMBER if ascii_text[k] else _NUMBER).findall(texts[k])
        owners.extend([int(rows[k])] * len(numbers))
        found.extend(numbers)
    for k in np.flatnonzero(free & ticks).tolist():
        for span in _CODE_SPAN.finditer(texts[k]):
            idents = [w.lower() for w in _IDENT.findall(span[0])]
            owners.extend([int(rows[k])] * len(idents))
            found.extend(idents)
    if not found:
        return fact_counts, sketch.reshape(n, FACT_SKETCH)
    distinct, ids = token_ids(found)
    fact_rows, fact_ids = distinct_pairs(np.asarray(owners), ids, len(distinct))
    fact_counts[:] = np.bincount(fact_rows, minlength=n)
    hashes = crc_array(distinct, zlib.crc32).astype(np.int64)[fact_ids]
    hashes[hashes == 0] = 1
    keys = sorted_unique(fact_rows * (1 << 32) + hashes)  # (np.unique hashes first: 4x slower)
    key_rows = keys >> 32
    first = np.searchsorted(key_rows, key_rows)
    rank = np.arange(len(keys)) - first
    small = rank < FACT_SKETCH
    sketch[key_rows[small] * FACT_SKETCH + rank[small]] = keys[small] & 0xFFFFFFFF
    return fact_counts, sketch.reshape(n, FACT_SKETCH)


CONSISTENT, LABEL_CONFLICT, FREE_DIVERGENCE = 0, 1, 2


def _label_in_free(ft: Any, label: int, free: int) -> bool:
    """Does the free-text answer start with, or (when short) contain, the label's words?"""
    words = int((ft["answer_head"][label] != 0).sum())
    if words and ft["answer_head"][free][words - 1] == ft["answer_value"][label]:
        return True
    lb, fb = ft["answer_bloom"][label], ft["answer_bloom"][free]
    return bool(fb.any()) and bool(np.all((lb & fb) == lb))


def content_overlap(ft: Any, a: int, b: int) -> float:
    """Estimated share of the smaller answer's content words the other answer has too."""
    na, nb = int(ft["answer_words_n"][a]), int(ft["answer_words_n"][b])
    if not na or not nb:
        return 0.0
    j = float(similarity(ft["answer_words_sig"][a], ft["answer_words_sig"][b]))
    shared = j * (na + nb) / (1 + j)
    return min(1.0, shared / min(na, nb))


def content_overlaps(ft: Any, pairs: np.ndarray) -> list[float]:
    """:func:`content_overlap` of each (a, b) row pair of ``pairs``, the signatures compared
    in one call (the same values: the same float operations, element by element). A check
    judging thousands of pairs paid a numpy call per pair for it."""
    if len(pairs) == 0:
        return []
    a, b = pairs[:, 0], pairs[:, 1]
    counts = np.asarray(ft["answer_words_n"])
    na, nb = counts[a].astype(np.int64), counts[b].astype(np.int64)
    sig = ft["answer_words_sig"]
    j = similarity(sig[a], sig[b])
    shared = j * (na + nb) / (1 + j)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.minimum(1.0, shared / np.minimum(na, nb))
    return np.where((na == 0) | (nb == 0), 0.0, out).tolist()


def _diverge(ft: Any, a: int, b: int, facts: bool, overlap: float | None = None) -> bool:
    """Free texts about different things, or (with ``facts``) stating different facts
    (``overlap``: their :func:`content_overlap`, when already measured)."""
    if overlap is None:
        overlap = content_overlap(ft, a, b)
    if overlap < DIVERGENT_OVERLAP:
        return True
    if not facts or min(int(ft["answer_facts_n"][a]), int(ft["answer_facts_n"][b])) < MIN_FACTS:
        return False
    return fact_containment(ft["answer_facts"][a], ft["answer_facts"][b]) < DIVERGENT_FACTS


def fact_containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller fact set found in the other, from two bottom-k sketches (exact
    while both sets fit; over the sketches' common range otherwise)."""
    sa, sb = set(a[a != 0].tolist()), set(b[b != 0].tolist())
    if not sa or not sb:
        return 1.0
    if len(sa) == FACT_SKETCH or len(sb) == FACT_SKETCH:
        limit = min(max(sa), max(sb))
        sa, sb = {h for h in sa if h <= limit}, {h for h in sb if h <= limit}
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


def judge_pair(ft: Any, a: int, b: int, facts: bool = True, overlap: float | None = None) -> int:
    """How two different answers to one input relate: consistent, a label conflict, or
    free texts about different things. ``facts``: also count free texts stating different
    names or numbers as diverging (for one input; near-identical inputs may differ in what
    they ask, so there only unrelated texts count). ``overlap``: the answers'
    :func:`content_overlap`, when measured for many pairs at once (:func:`content_overlaps`)."""
    ta, tb = int(ft["answer_type"][a]), int(ft["answer_type"][b])
    if ta == NONE or tb == NONE or ft["answer_value"][a] == ft["answer_value"][b]:
        return CONSISTENT
    ca, cb = ft["answer_code"][a], ft["answer_code"][b]
    if ca and cb:
        return CONSISTENT if ca == cb else LABEL_CONFLICT
    if ta == FREE and tb == FREE:
        return FREE_DIVERGENCE if _diverge(ft, a, b, facts, overlap) else CONSISTENT
    if ta == LABEL and tb in (FREE, LABEL) and _label_in_free(ft, a, b):
        return CONSISTENT
    if tb == LABEL and ta in (FREE, LABEL):
        return CONSISTENT if _label_in_free(ft, b, a) else LABEL_CONFLICT
    return LABEL_CONFLICT

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
import zlib
from collections.abc import Iterable, Sequence
from functools import reduce
from hashlib import blake2b
from operator import or_
from typing import Any

import numpy as np

from ftprep.checks.prose import word_set
from ftprep.features import FeatureContext, register_feature
from ftprep.schema import ChatExample
from ftprep.similarity.minhash import signatures_of_sets, similarity
from ftprep.similarity.normalize import (
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

    Texts several extractors need (normalised messages, the final answer's index) come
    from the batch memo; each distinct word's hash is computed once per batch; the 64-bit
    hashes are computed together at the end."""
    n = len(batch)
    kinds = [0] * n
    counts = [0] * n
    fact_counts = [0] * n
    extra = np.zeros(n, dtype=np.uint64)
    kto = np.zeros(n, dtype=bool)
    owners: list[int] = []
    hashes: list[int] = []
    # (flat slot, hash) of the fact sketches, (row, bits) of the word filters
    fact_slots: list[int] = []
    fact_hashes: list[int] = []
    bloom_rows: list[int] = []
    bloom_bits: list[bytes] = []
    # (row, text) of each 64-bit hash to compute: answer values, leading codes, heads
    value_rows: list[int] = []
    value_texts: list[str] = []
    code_rows: list[int] = []
    code_texts: list[str] = []
    head_slots: list[int] = []
    head_digests: list[bytes] = []
    crc: dict[str, int] = {}
    numbered: set[str] = set()
    stems: dict[str, str] = {}
    masks: dict[str, int] = {}
    turns = batch_turns(batch, ctx.batch)
    normalized = normalized_messages(batch, ctx.batch)
    for i, ex in enumerate(batch):
        meta = ex.metadata
        if meta:
            tools = _metadata_tools(meta)
            extra[i] = hash64(tools) if tools else 0
            kto[i] = _is_kto(meta)
        last = turns.last[i]
        if last is None:
            continue
        text = turns.texts[i][last]
        # normalize_text(text.strip()) is the memo's normalize_text(text) when nothing is
        # stripped, and always for ASCII (stripped and folded whitespace are the same set)
        norm = normalized[i][last] if text.isascii() or len(text.strip()) == len(text) else None
        kind, value, words = _classify(text, turns.calls[i][last], norm)
        kinds[i] = kind
        if kind:
            value_rows.append(i)
            value_texts.append(value)
        if kind not in (LABEL, FREE):
            continue
        code = _LEADING_CODE.match(text)
        if code:
            code_rows.append(i)
            code_texts.append(code[1])
        distinct = set(words)
        _learn_words(distinct.difference(stems), stems, crc, numbered, masks)
        if kind == FREE:
            # an ASCII answer's digits are all in its normalised words
            found = facts(text, not text.isascii() or not distinct.isdisjoint(numbered))
            fact_counts[i] = len(found)
            _learn(crc, found)
            smallest = sorted({crc[f] or 1 for f in found})[:FACT_SKETCH]
            fact_slots.extend(range(i * FACT_SKETCH, i * FACT_SKETCH + len(smallest)))
            fact_hashes.extend(smallest)
        heads = min(HEAD, len(words))
        if heads:
            # hash64 of each of the first five words joined, from one running hash:
            # blake2b of "w1 w2" is blake2b of "w1" updated with " w2"
            head_slots.extend(range(i * HEAD, i * HEAD + heads))
            running = blake2b(words[0].encode("utf-8", "surrogatepass"), digest_size=8)
            head_digests.append(running.digest())
            for w in words[1:heads]:
                running.update(b" " + w.encode("utf-8", "surrogatepass"))
                head_digests.append(running.digest())
        if len(words) <= BLOOM_WORDS:
            # the 256-bit filter as one int: its 32 little-endian bytes are the row's four
            # 64-bit words (bit b of the filter is bit b % 64 of word b // 64)
            bits = reduce(or_, map(masks.__getitem__, distinct), 0)
            bloom_rows.append(i)
            bloom_bits.append(bits.to_bytes(32, "little"))
        content = set(map(stems.__getitem__, distinct))
        content.discard("")
        counts[i] = len(content)
        owners.extend([i] * len(content))
        hashes.extend(map(crc.__getitem__, content))
    values = np.zeros(n, dtype=np.uint64)
    values[value_rows] = hash64_array(value_texts, len(value_texts))
    codes = np.zeros(n, dtype=np.uint64)
    codes[code_rows] = hash64_array(code_texts, len(code_texts))
    head_hashes = np.zeros(n * HEAD, dtype=np.uint64)
    head_hashes[head_slots] = np.frombuffer(b"".join(head_digests), dtype="<u8")
    fact_sketch = np.zeros(n * FACT_SKETCH, dtype=np.uint32)
    fact_sketch[fact_slots] = fact_hashes
    bloom = np.zeros((n, 4), dtype=np.uint64)
    if bloom_rows:
        bloom[bloom_rows] = np.frombuffer(b"".join(bloom_bits), dtype="<u8").reshape(-1, 4)
    sig = signatures_of_sets(owners, hashes, n, WORD_BINS)
    return {
        "answer_type": np.array(kinds, dtype=np.int8),
        "answer_value": values,
        "answer_head": head_hashes.reshape(n, HEAD),
        "answer_bloom": bloom,
        "answer_words_sig": sig,
        "answer_words_n": np.array(counts, dtype=np.int32),
        "answer_code": codes,
        "answer_facts": fact_sketch.reshape(n, FACT_SKETCH),
        "answer_facts_n": np.array(fact_counts, dtype=np.int32),
        "input_extra": extra,
        "kto": kto,
    }


def _learn_words(
    fresh: set[str],
    stems: dict[str, str],
    crc: dict[str, int],
    numbered: set[str],
    masks: dict[str, int],
) -> None:
    """What a batch keeps of each answer word the first time it sees it: its content form
    (:func:`_content_words` of the word alone; "" for a stopword or a one-letter word) in
    ``stems``, the :func:`_word_hash` of the word and of that form in ``crc``, its bit of
    the 256-bit word filter (``1 << (hash & 0xFF)``) in ``masks``, and the word in
    ``numbered`` when it holds a digit."""
    for w in fresh:
        if not w.isalpha() and _DIGIT.search(w):
            numbered.add(w)
        stem = stems[w] = "" if w in STOPWORDS or len(w) < 2 else _content_words(w)[0]
        if w not in crc:
            crc[w] = _word_hash(w)
        masks[w] = 1 << (crc[w] & 0xFF)
        if stem and stem not in crc:
            crc[stem] = _word_hash(stem)


def _learn(crc: dict[str, int], words: Iterable[str]) -> None:
    """Add the :func:`_word_hash` of each word not in ``crc`` yet (a batch's vocabulary is
    far smaller than its words, so each distinct word is hashed once)."""
    for w in set(words).difference(crc):
        crc[w] = _word_hash(w)


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


def _diverge(ft: Any, a: int, b: int, facts: bool) -> bool:
    """Free texts about different things, or (with ``facts``) stating different facts."""
    if content_overlap(ft, a, b) < DIVERGENT_OVERLAP:
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


def judge_pair(ft: Any, a: int, b: int, facts: bool = True) -> int:
    """How two different answers to one input relate: consistent, a label conflict, or
    free texts about different things. ``facts``: also count free texts stating different
    names or numbers as diverging (for one input; near-identical inputs may differ in what
    they ask, so there only unrelated texts count)."""
    ta, tb = int(ft["answer_type"][a]), int(ft["answer_type"][b])
    if ta == NONE or tb == NONE or ft["answer_value"][a] == ft["answer_value"][b]:
        return CONSISTENT
    ca, cb = ft["answer_code"][a], ft["answer_code"][b]
    if ca and cb:
        return CONSISTENT if ca == cb else LABEL_CONFLICT
    if ta == FREE and tb == FREE:
        return FREE_DIVERGENCE if _diverge(ft, a, b, facts) else CONSISTENT
    if ta == LABEL and tb in (FREE, LABEL) and _label_in_free(ft, a, b):
        return CONSISTENT
    if tb == LABEL and ta in (FREE, LABEL):
        return CONSISTENT if _label_in_free(ft, b, a) else LABEL_CONFLICT
    return LABEL_CONFLICT

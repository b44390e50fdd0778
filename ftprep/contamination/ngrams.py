"""Normalised word n-grams, hashed the same way on every machine, vectorised per text.

Decontamination compares a training example with an evaluation item by the word n-grams
they share after normalisation (the field's 13-gram rule: GPT-3, OLMo, NeMo Curator's task
decontamination). Normalisation folds what copies change without changing the item: case
and width (NFKC + casefold), punctuation and spacing (any run of non-word characters is one
space), GSM8K's calculator annotations (``<<16-3-4=9>>``, which derived datasets usually
strip), and CJK text is split into one "word" per character.

A span's hash is a polynomial over its UTF-8 bytes, position-normalised with the inverse
of the base (odd, so invertible modulo 2**64), then mixed with splitmix64: every n-gram of
a text costs a few numpy operations in total, with no Python loop per word, and the value
depends only on the span's bytes — so fingerprints written on one machine match on another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import numpy as np

from ftprep.similarity.minhash import mix64

#: Normalisation version, stored in fingerprint files: a change here invalidates them.
NORMALIZATION = 1
_BASE = np.uint64(0x100000001B3)  # odd
_INVERSE = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_SPACE = 0x20 + 1  # bytes are stored +1 so that no byte is zero
_WHOLE = np.uint64(0x5748_4F4C_4500_0000)  # tags a whole-text hash apart from any window
_ANNOTATION = re.compile(r"<<[^<>]{0,200}>>")
_NON_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])")


#: ASCII fast path: every non-alphanumeric ASCII character becomes a space.
_ASCII_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def normalize(text: str) -> str:
    """Words separated by single spaces: casefolded, punctuation dropped, CJK split."""
    if "<<" in text:
        text = _ANNOTATION.sub("", text)
    if text.isascii():  # the common case, without regular expressions: same result
        return " ".join(text.translate(_ASCII_SPACES).lower().split())
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _CJK.sub(r" \1 ", text)
    return _NON_WORD.sub(" ", text).strip()


#: The same fast path on bytes (a 256-byte table: non-alphanumeric ASCII to a space,
#: letters lowercased).
_ASCII_BYTES = bytes(
    (ord(c.lower()) if c.isalnum() else 0x20) if i < 128 else i
    for i, c in enumerate(map(chr, range(256)))
)


def normalized_utf8(text: str) -> bytes:
    """``normalize(text)`` encoded as UTF-8 (as hashed); ASCII text without annotations
    goes through a byte table, several times faster than the same steps on ``str``."""
    if "<<" not in text and text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_BYTES).split())
    return normalize(text).encode("utf-8", "surrogatepass")


def word_count(normalized: str) -> int:
    return 0 if not normalized else normalized.count(" ") + 1


def _powers(base: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    if n:
        out[0] = 1
        out[1:] = base
        np.cumprod(out, out=out)  # wraps modulo 2**64, as intended
    return out


def _prefix(normalized: str | bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Byte values (+1), the inverse-power prefix sums, and the base powers of a text
    (or of its UTF-8 bytes)."""
    data = (
        normalized if isinstance(normalized, bytes) else normalized.encode("utf-8", "surrogatepass")
    )
    b = np.frombuffer(data, dtype=np.uint8)
    values = b.astype(np.uint64) + np.uint64(1)
    prefix = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values * _powers(_INVERSE, len(values)), out=prefix[1:])
    return values, prefix, _powers(_BASE, len(values))


#: ``(g, may_hold)``: a test of g-word window hashes (True where the index may hold one).
Gate = tuple[int, Callable[[np.ndarray], np.ndarray]]


def batch_grams(
    texts: list[list[str]], sizes: Iterable[int], whole_below: int = 0, gate: Gate | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Window hashes of many examples in one vectorised pass: ``(hashes, example index)``.

    Each example's texts (turns) are normalised and joined; for every n in ``sizes``, the
    n-word windows that do not span two turns; and the whole-text hash of every turn
    shorter than ``whole_below`` words. Values equal :func:`ngram_hashes` /
    :func:`whole_hash` of each turn on its own: hashes depend on a span's bytes only.

    With ``gate=(g, may_hold)`` (g in ``sizes``), windows longer than g words are hashed
    only where the g-word window starting at the same word passes ``may_hold``. An index
    holding the g-word windows of every text it holds longer windows of loses no match by
    this, and ordinary text, which almost never passes, costs one window size instead of
    all of them.
    """
    norms: list[bytes] = []
    owner: list[int] = []
    for i, turns in enumerate(texts):
        for text in turns:
            norm = normalized_utf8(text) if text else b""
            if norm:
                norms.append(norm)
                owner.append(i)
    if not norms:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
    values, prefix, base_powers = _prefix(b" ".join(norms))
    length = len(values)
    spaces = np.flatnonzero(values == _SPACE)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [length]))
    counts = np.fromiter((s.count(b" ") + 1 for s in norms), dtype=np.int64, count=len(norms))
    turn_of_word = np.repeat(np.arange(len(norms)), counts)
    owners = np.asarray(owner, dtype=np.int32)
    out_h = [np.zeros(0, dtype=np.uint64)]
    out_o = [np.zeros(0, dtype=np.int32)]
    words = len(starts)
    gated: np.ndarray | None = None  # first words of the g-word windows that passed the gate
    for n in sorted(set(sizes)):
        if n < 1 or words < n:
            continue
        if gate is not None and gated is not None and n > gate[0]:
            first = gated[gated <= words - n]
        else:
            first = np.arange(words - n + 1)
        last = first + (n - 1)
        first = first[turn_of_word[first] == turn_of_word[last]]
        s, e = starts[first], ends[first + (n - 1)]
        hashes = mix64(((prefix[e] - prefix[s]) * base_powers[s]) ^ np.uint64(n))
        out_h.append(hashes)
        out_o.append(owners[turn_of_word[first]])
        if gate is not None and n == gate[0]:
            gated = first[gate[1](hashes)]
    short = np.flatnonzero(counts < whole_below)
    if len(short):
        first_word = np.concatenate(([0], np.cumsum(counts)[:-1]))[short]
        s, e = starts[first_word], ends[first_word + counts[short] - 1]
        raw = ((prefix[e] - prefix[s]) * base_powers[s]) ^ counts[short].astype(np.uint64)
        out_h.append(mix64(mix64(raw) ^ _WHOLE))
        out_o.append(owners[short])
    return np.concatenate(out_h), np.concatenate(out_o)


def ngram_hashes(normalized: str, sizes: Iterable[int]) -> dict[int, np.ndarray]:
    """For each n in ``sizes``, the hashes of every n-word window of ``normalized`` (from
    :func:`normalize`), in text order; sizes longer than the text are left out."""
    wanted = sorted({n for n in sizes if n > 0})
    if not normalized or not wanted:
        return {}
    values, prefix, base_powers = _prefix(normalized)
    length = len(values)
    spaces = np.flatnonzero(values == _SPACE)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [length]))
    words = len(starts)
    out: dict[int, np.ndarray] = {}
    for n in wanted:
        if words < n:
            continue
        s, e = starts[: words - n + 1], ends[n - 1 :]
        raw = (prefix[e] - prefix[s]) * base_powers[s]
        out[n] = mix64(raw ^ np.uint64(n))
    return out


def whole_hash(normalized: str) -> int:
    """The hash of the whole normalised text (a short part matches only a whole turn)."""
    n = word_count(normalized)
    if not n:
        return 0
    window = ngram_hashes(normalized, [n])[n][:1]  # = mix64(raw ^ n) over the whole text
    return int(mix64(window ^ _WHOLE)[0])


__all__ = ["NORMALIZATION", "batch_grams", "ngram_hashes", "normalize", "whole_hash", "word_count"]

"""Text normalisation for duplicate detection.

Following the field's convention for "exact" duplicates (deepchecks, text-dedup): NFKC,
case-folded, punctuation removed and whitespace folded, so that copies differing only in
case, spacing or punctuation count as the same text.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress
from operator import not_
from typing import Any

import numpy as np

from ftprep.schema import ChatExample, Message
from ftprep.turns import TEXT_ONLY, batch_turns, flat_turns

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


def _ascii_table() -> bytes:
    """One byte table doing all of normalisation for ASCII: upper case to lower case,
    punctuation to a space, and the separators ``str.split`` folds but ``bytes.split`` does
    not (\\x1c-\\x1f) to a space."""
    table = bytearray(range(256))
    for c in string.punctuation + "\x1c\x1d\x1e\x1f":
        table[ord(c)] = ord(" ")
    for c in string.ascii_uppercase:
        table[ord(c)] = ord(c.lower())
    return bytes(table)


_ASCII_TABLE = _ascii_table()
#: ``_ASCII_TABLE`` that also turns the whitespace ``bytes.split`` splits on into a space:
#: the batch path folds whitespace by collapsing runs of one byte value.
_FOLD_TABLE = _ASCII_TABLE.translate(bytes.maketrans(b"\t\n\r\x0b\x0c", b"     "))
#: Separates texts in a batch's joined text: never in ASCII text (Latin-1 encodes it as 0xFF).
_SEP = "\xff"
_SPACE = 0x20
#: ``_FOLD_TABLE`` turning ``_SEP`` into ``!``, which the table turns every ``!`` of the
#: texts away from: after it, the separators are the only ``!``, and the bytes are ASCII
#: (decoded by a copy, cut into ASCII strings without a scan of each for its widest
#: character, as a Latin-1 string's pieces are).
_FOLD_SEP_TABLE = _FOLD_TABLE[:0xFF] + b"!"
_FOLDED_SEP = "!"
_FOLDED_SEP_BYTE = ord(_FOLDED_SEP)
_SPACE_BYTE = b" "
_SPACES = re.compile(b" +")
#: What normalisation drops that ``_FOLD_TABLE`` leaves: ASCII controls other than
#: whitespace (and the separators ``str.split`` folds), and every non-ASCII character that
#: is not a word character (punctuation, symbols, whitespace, combining marks).
_UNTABLED = re.compile(r"[^\t-\r\x1c-\x7e\w]+")
#: Characters NFKC turns into ASCII punctuation or spaces only (no-break, typographic and
#: ideographic spaces, the leader dots and ellipsis, full-width ASCII punctuation): what
#: natural text that is not NFKC mostly holds. Normalisation makes each a word break
#: either way, so :func:`_nfkc_text` makes them spaces first: a text holding only these
#: is then NFKC without being normalised. (The characters that replace them are starters
#: that compose with nothing before them, so the text around is normalised alike; the
#: few compositions they start, ``<``, ``=`` or ``>`` with a combining long solidus,
#: make symbols, which normalisation drops as it drops the space and the mark.)
_TO_PUNCTUATION = re.compile(
    "[\u00a0\u2000-\u200a\u2024-\u2026\u202f\u205f\u3000"
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e]"
)
#: ``_FOLD_TABLE`` turning a NUL into the separator ``!`` (:func:`_normalize_others`).
_FOLD_NUL_TABLE = b"!" + _FOLD_TABLE[1:]


def normalize_text(text: str) -> str:
    """NFKC, casefold, drop punctuation, fold whitespace.

    ASCII text (most chat data) takes a byte-table fast path with the same result: NFKC
    changes nothing there, casefold equals lower, and one ``bytes.translate`` lowers and
    blanks punctuation at once (measured 2x faster than ``str.translate``, itself 8x faster
    than the regex).
    """
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_TABLE).split()).decode("ascii")
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_text` of each text, for many texts at once: the ASCII ones (most
    chat data) joined and normalised together, the others (:func:`_normalize_others`)
    likewise.

    Per text, the ASCII path's cost was the word list ``bytes.split`` makes (a bytes
    object per word) and the join back; here the whitespace is folded on the joined bytes
    with a few numpy operations, and one ``str.split`` cuts the result into the texts.
    """
    plain = list(map(str.isascii, texts))
    if all(plain):
        return _normalize_ascii(texts)
    folded = iter(_normalize_ascii(list(compress(texts, plain))))
    others = iter(_normalize_others(list(compress(texts, map(not_, plain)))))
    return [next(folded) if ascii else next(others) for ascii in plain]


def _normalize_ascii(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_text` of ASCII texts: joined with ``_SEP`` (not ASCII, so in no
    text; Latin-1 encodes it as the byte 0xFF), one ``_FOLD_SEP_TABLE`` translation (the
    separators become the only ``!``), then the whitespace folded (:func:`_fold`)."""
    if not texts:
        return []
    data = _SEP.join(texts).encode("latin-1").translate(_FOLD_SEP_TABLE)
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(sizes[:-1] + 1, out=starts[1:])
    return _fold(data, starts[sizes > 0]).split(_FOLDED_SEP)


def _normalize_others(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_text` of texts that are not ASCII, folded together as
    :func:`_normalize_ascii` folds ASCII ones: each text is made NFKC (when it is not) and
    casefolded, and only the characters the byte table would leave that normalisation
    drops (:data:`_UNTABLED`: non-ASCII characters that are not word characters, ASCII
    controls) are made spaces by a regex, one scan matching few characters; the texts are
    then joined with a NUL (no text holds one now), encoded once, and the table blanks
    the ASCII punctuation and whitespace (the NUL becomes the only ``!``) before the
    spaces are folded. ``_PUNCT.sub`` over each whole text matched every ASCII
    punctuation mark, and ``split`` and ``join`` walked each text's characters twice
    more."""
    if not texts:
        return []
    pieces = [_UNTABLED.sub(" ", _nfkc_text(t).casefold()) for t in texts]
    data = "\x00".join(pieces).encode("utf-8", "surrogatepass").translate(_FOLD_NUL_TABLE)
    x = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(len(texts), dtype=np.int64)
    np.add(np.flatnonzero(x == _FOLDED_SEP_BYTE), 1, out=starts[1:])
    filled = np.ones(len(texts), dtype=bool)  # a text's first byte is at its start
    filled[:-1] = starts[1:] - starts[:-1] > 1
    filled[-1] = starts[-1] < len(x)
    return _fold(data, starts[filled]).split(_FOLDED_SEP)


def _nfkc_text(text: str) -> str:
    """A text with the words of ``nfkc(text)`` (what :func:`normalize_text` keeps of it),
    normalised only when it is not NFKC and still is not once :data:`_TO_PUNCTUATION`'s
    characters are spaces (full normalisation costs a text about ten times the test)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return nfkc(_TO_PUNCTUATION.sub(" ", text))


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, asked first whether it is NFKC already
    (most text is, and the question is answered several times faster)."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _fold(data: bytes, starts: np.ndarray) -> str:
    """Translated texts joined by ``!`` (``data``: ASCII, or UTF-8 whose ASCII bytes are
    translated) with their whitespace folded as ``" ".join(text.split())`` folds it, given
    where each non-empty text starts: one mask of the bytes kept, taken in one pass:
    every byte but a space, and a space only where a word byte follows it (so a run keeps
    its last space, and none is kept before a separator or the end) and a word byte comes
    before it in its text (a run at a text's start, found from where the texts start,
    keeps none)."""
    x = np.frombuffer(data, dtype=np.uint8)
    if _SPACE_BYTE in data:  # (a memchr)
        word = x != _SPACE
        keep = np.empty(len(x), dtype=bool)
        np.not_equal(x[1:], _FOLDED_SEP_BYTE, out=keep[:-1])
        keep[:-1] &= word[1:]
        keep[:-1] |= word[:-1]
        keep[-1] = word[-1]
        # a text starting with spaces: its first run kept its last space; drop it
        for start in starts[x[starts] == _SPACE].tolist():
            end = _SPACES.match(data, start).end()  # type: ignore[union-attr]
            keep[end - 1] = False
        x = x[keep]
    return str(x.data, "utf-8", "surrogatepass")


def normalized_texts(batch: Sequence[ChatExample], memo: dict[str, Any]) -> list[str]:
    """:func:`normalize_text` of every message of the batch, in one flat list in order
    (:func:`ftprep.turns.flat_turns`), normalised once per batch."""
    cached = memo.get("normalized_texts")
    if cached is None:
        cached = memo["normalized_texts"] = normalize_texts(flat_turns(batch, memo).texts)
    return cached


def normalized_messages(batch: Sequence[ChatExample], memo: dict[str, object]) -> list[list[str]]:
    """Each example's message texts, normalised once per batch and shared by extractors."""
    cached = memo.get("normalized_messages")
    if cached is None:
        texts = batch_turns(batch, memo).texts
        flat = normalized_texts(batch, memo)
        ends = list(accumulate(map(len, texts)))
        cached = [flat[end - len(each) : end] for each, end in zip(texts, ends, strict=True)]
        memo["normalized_messages"] = cached
    return cached  # type: ignore[return-value]


def last_assistants(batch: Sequence[ChatExample], memo: dict[str, object]) -> list[int | None]:
    """Each example's ``last_assistant_index``, found once per batch: the hashes, the
    answer profile and the prompt sketch all start from the final answer."""
    cached = memo.get("last_assistants")
    if cached is None:
        cached = [ex.last_assistant_index for ex in batch]
        memo["last_assistants"] = cached
    return cached  # type: ignore[return-value]


def media_keys(batch: Sequence[ChatExample], memo: dict[str, object]) -> list[str]:
    """Each example's :func:`media_key`, rendered once per batch (three extractors use it)."""
    cached = memo.get("media_keys")
    if cached is None:
        if memo.get(TEXT_ONLY) is True:
            # no message of the batch holds a list of parts (the checks' batch view has
            # looked at every one): only an example with metadata can show media
            cached = [media_key(ex) if ex.metadata else "" for ex in batch]
        else:
            cached = [media_key(ex) for ex in batch]
        memo["media_keys"] = cached
    return cached  # type: ignore[return-value]


def answer_hashes(batch: Sequence[ChatExample], memo: dict[str, Any]) -> np.ndarray:
    """:func:`hash64` of each example's normalised final answer (of "" without one), once
    per batch: the hashes' answer column, and the answer profile's value of every answer
    whose value is that text (most), which it no longer hashes again."""
    cached = memo.get("answer_hashes")
    if cached is None:  # (the hashes extractor, when first, leaves its column here)
        flat = normalized_texts(batch, memo)
        counts = flat_turns(batch, memo).counts
        starts = (np.cumsum(counts) - counts).tolist()
        last = batch_turns(batch, memo).last
        texts = ["" if j is None else flat[s + j] for s, j in zip(starts, last, strict=True)]
        cached = memo["answer_hashes"] = hash64_array(texts, len(texts))
    return cached


def hash64(text: str) -> int:
    """A stable 64-bit hash (blake2b), the same on every machine and Python run."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def hash64_array(texts: Iterable[str], count: int) -> np.ndarray:
    """:func:`hash64` of each of ``count`` texts as a uint64 array, without a Python int
    per text (the digests are little-endian 64-bit words already)."""
    blake2b = hashlib.blake2b
    digests = b"".join(
        [blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest() for t in texts]
    )
    return np.frombuffer(digests, dtype="<u8", count=count).astype(np.uint64)


def messages_key(messages: list[Message], normalized: list[str] | None = None) -> str:
    """A normalised rendering of a conversation (roles kept) for hashing."""
    texts = normalized if normalized is not None else [normalize_text(m.text) for m in messages]
    return "\x1e".join(f"{m.role}\x1f{t}" for m, t in zip(messages, texts, strict=True))


#: Top-level record fields holding media paths (LLaMA-Factory, TRL and ms-swift multimodal
#: layouts keep them beside the messages; loaders leave them in the metadata).
MEDIA_KEYS = ("images", "videos", "audios")


def media_key(ex: ChatExample) -> str:
    """The media an example shows the model (top-level media lists, non-text content parts).

    Part of every input hash: "What colour is the car?" about two different photos is two
    inputs, not one input with contradicting answers, and not a duplicate.
    """
    meta = ex.metadata
    refs = (
        [
            f"{k}={json.dumps(meta[k], sort_keys=True, default=str)}"
            for k in MEDIA_KEYS
            if meta.get(k)
        ]
        if meta
        else []
    )
    for m in ex.messages:
        content = m.content
        if isinstance(content, list):
            refs += [
                json.dumps(p.model_dump(exclude_none=True), sort_keys=True, default=str)
                for p in content
                if p.type not in ("text", "reasoning")
            ]
    return "\x1d".join(refs) if refs else ""


def conversation_keys(
    ex: ChatExample,
    normalized: Sequence[str],
    last: int | None,
    media: str,
    roles: Sequence[str] | None = None,
) -> tuple[str, str, str]:
    """The texts :func:`conversation_hashes` hashes, given the example's normalised texts,
    last assistant index, :func:`media_key` and (optionally) its messages' roles (the batch
    computes each of those once: :func:`ftprep.turns.batch_turns` holds the roles as plain
    strings, cheaper to read than the messages' fields)."""
    if roles is None:
        roles = [m.role for m in ex.messages]
    return _keys(roles, normalized, last, key_suffix(ex.tools, media))


def key_suffix(tools: list[dict[str, Any]] | None, media: str) -> str:
    """What follows the messages in every key of an example: its tools, then its media."""
    return ("" if not tools else repr(tools)) + media


def _keys(
    roles: Sequence[str], normalized: Sequence[str], last: int | None, suffix: str
) -> tuple[str, str, str]:
    """:func:`conversation_keys` from the roles and the key suffix."""
    cut = len(roles) if last is None else last
    answer = "" if last is None else normalized[last]
    parts = [f"{r}\x1f{t}" for r, t in zip(roles, normalized, strict=True)]
    whole = "\x1e".join(parts) + suffix
    if cut == 0:
        return (whole, whole, answer)
    return (whole, "\x1e".join(parts[:cut]) + suffix, answer)


def conversation_hashes(
    ex: ChatExample, normalized: list[str] | None = None
) -> tuple[int, int, int]:
    """(whole conversation, prompt = everything before the last assistant turn, answer).

    An example with nothing before its answer (a continued-pretraining document, an
    assistant-only record) has no input to share with another: its prompt hash is its own
    conversation hash, so prompt-keyed checks (contradictions, prompt leakage, distinct
    inputs) never group unrelated documents under one empty input.
    """
    texts = normalized if normalized is not None else [normalize_text(m.text) for m in ex.messages]
    whole, prompt, answer = conversation_keys(ex, texts, ex.last_assistant_index, media_key(ex))
    return (hash64(whole), hash64(prompt), hash64(answer))


def conversation_hash_arrays(
    roles: Sequence[str],
    normalized: Sequence[str],
    counts: np.ndarray,
    last: Sequence[int | None],
    suffixes: Sequence[str],
    answers: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`conversation_hashes` of a batch as three uint64 arrays (whole, prompt,
    answer), given its messages' roles and normalised texts in one flat list
    (``counts[i]`` of them example ``i``'s, as :func:`ftprep.turns.flat_turns` holds
    them), and each example's last assistant index and key suffix (``repr(tools)`` when
    it has tools, then its :func:`media_key`).

    The keys are not built one by one: every example's messages are rendered into one
    string (``role\x1ftext`` joined by ``\x1e``, then the suffix), encoded once, and
    each key hashed from a slice of it: the whole key is one span of it, and so are the
    prompt (a prefix of the whole key when there is no suffix) and the answer (one
    message's text). Only a prompt followed by a suffix is hashed from two pieces.
    ``answers``: the answer hashes when the batch has them already (:func:`answer_hashes`).
    """
    n = len(counts)
    rendered = _render(roles, normalized, counts, suffixes)
    if rendered is None:
        nested = zip(_nest(roles, counts), _nest(normalized, counts), last, suffixes, strict=True)
        keys = chain.from_iterable(_keys(*each) for each in nested)
        arr = hash64_array(keys, 3 * n).reshape(n, 3)
        return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy()
    data, bounds, ends, counts = rendered
    msg_start, text_start, text_end = bounds[0:-1:3], bounds[1::3], bounds[2::3]
    first = ends - counts
    has_last = np.fromiter((a is not None for a in last), dtype=bool, count=n)
    answer_at = first + np.fromiter((a or 0 for a in last), dtype=np.int64, count=n)
    cut = np.where(has_last, answer_at, ends)  # the prompt's messages end here
    whole_end = bounds[3 * ends]
    # a prompt of no message or of all messages is the whole key
    is_whole = (cut == first) | (cut == ends)
    prompt_end = np.where(is_whole, whole_end, text_end[np.maximum(cut - 1, first)])
    if answers is None:
        answers = _span_hashes(
            data,
            np.where(has_last, text_start[answer_at], 0),
            np.where(has_last, text_end[answer_at], 0),
        )
    blake2b = hashlib.blake2b
    starts, cuts, stops = msg_start[first].tolist(), prompt_end.tolist(), whole_end.tolist()
    # the prompt's bytes start the whole key's: hashed once, digested on the way
    hashers = [blake2b(data[s:p], digest_size=8) for s, p in zip(starts, cuts, strict=True)]
    prompts = [h.digest() for h in hashers]
    suffixed = np.fromiter(map(bool, suffixes), dtype=bool, count=n)
    for i in np.flatnonzero(suffixed & ~is_whole).tolist():  # the prompt's key ends with it too
        h = hashers[i].copy()
        h.update(suffixes[i].encode("utf-8", "surrogatepass"))
        prompts[i] = h.digest()
    for h, p, e in zip(hashers, cuts, stops, strict=True):
        h.update(data[p:e])
    wholes = b"".join([h.digest() for h in hashers])
    return (
        np.frombuffer(wholes, dtype="<u8", count=n).astype(np.uint64),
        np.frombuffer(b"".join(prompts), dtype="<u8", count=n).astype(np.uint64),
        answers,
    )


def raw_conversation_hashes(
    roles: Sequence[str], texts: Sequence[str], counts: np.ndarray
) -> np.ndarray:
    """:func:`hash64` of each example's ``role\x1ftext`` pairs joined by ``\x1e`` (its
    exact text, nothing normalised), given the batch's messages in one flat list
    (``counts``: see :func:`conversation_hash_arrays`), hashed from slices of one
    rendered buffer."""
    n = len(counts)
    rendered = _render(roles, texts, counts, [""] * n)
    if rendered is None:
        pairs = zip(_nest(roles, counts), _nest(texts, counts), strict=True)
        return hash64_array(["\x1e".join(map("{}\x1f{}".format, r, t)) for r, t in pairs], n)
    data, bounds, ends, counts = rendered
    return _span_hashes(data, bounds[3 * (ends - counts)], bounds[3 * ends])


def _nest(flat: Sequence[str], counts: np.ndarray) -> list[Sequence[str]]:
    """A flat list cut back into each example's items."""
    ends = np.cumsum(counts).tolist()
    return [flat[end - count : end] for end, count in zip(ends, counts.tolist(), strict=True)]


def _render(
    flat_roles: Sequence[str],
    flat_texts: Sequence[str],
    counts: np.ndarray,
    suffixes: Sequence[str],
) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray] | None:
    """Every example's messages rendered into one buffer: for each message
    ``role\x1f`` and its text, then ``\x1e`` or, after an example's last message, the
    example's suffix. Returns ``(UTF-8 bytes, piece bounds, one past each example's last
    message, messages per example)``: message ``j`` starts at ``bounds[3 * j]``, its text
    spans ``bounds[3 * j + 1] : bounds[3 * j + 2]``, and an example's key (its messages
    and suffix) ends at ``bounds[3 * end]``. None when an example has no messages (no
    span of its own to hold its suffix), or there are no examples."""
    n = len(counts)
    if n == 0 or not counts.all():
        return None
    m = len(flat_roles)
    header = {r: f"{r}\x1f" for r in set(flat_roles)}
    heads = list(map(header.__getitem__, flat_roles))
    ends = np.cumsum(counts)
    tails = ["\x1e"] * m
    for end, suffix in zip(ends.tolist(), suffixes, strict=True):
        tails[end - 1] = suffix
    pieces: list[str] = [""] * (3 * m)
    pieces[0::3], pieces[1::3], pieces[2::3] = heads, flat_texts, tails
    text = "".join(pieces)
    ascii = text.isascii()
    # bounds are byte offsets: a piece's length in characters is its length in bytes only
    # when the text is ASCII; otherwise each piece's UTF-8 is measured
    # (the roles and suffixes are looked at once each: their pieces repeat, or are empty)
    size = _char_sizes if ascii else _utf8_sizes
    lengths = np.empty((m, 3), dtype=np.int64)
    heads_ascii = ascii or "".join(header.values()).isascii()
    lengths[:, 0] = (_char_sizes if heads_ascii else _utf8_sizes)(heads)
    lengths[:, 1] = size(flat_texts)
    lengths[:, 2] = 1
    suffixes_ascii = ascii or "".join(suffixes).isascii()
    lengths[ends - 1, 2] = (_char_sizes if suffixes_ascii else _utf8_sizes)(suffixes)
    bounds = np.zeros(3 * m + 1, dtype=np.int64)
    np.cumsum(lengths.reshape(-1), out=bounds[1:])
    data = text.encode("ascii") if ascii else text.encode("utf-8", "surrogatepass")
    return data, bounds, ends, counts


def _char_sizes(texts: Sequence[str]) -> np.ndarray:
    """The length of each text in characters, as an int64 array."""
    return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))


def _utf8_sizes(texts: Sequence[str]) -> np.ndarray:
    """The length of each text in UTF-8 bytes (as :func:`hash64` encodes it): its length
    in characters, measured again by encoding only where it is not ASCII (natural text's
    few such texts; a Python call per text was most of the rendering)."""
    sizes = _char_sizes(texts)
    ascii = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
    for i in np.flatnonzero(~ascii).tolist():
        sizes[i] = len(texts[i].encode("utf-8", "surrogatepass"))
    return sizes


def _span_hashes(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """:func:`hash64` of each ``data[start:end]`` as a uint64 array."""
    blake2b = hashlib.blake2b
    digests = b"".join(
        [
            blake2b(data[s:e], digest_size=8).digest()
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    )
    return np.frombuffer(digests, dtype="<u8", count=len(starts)).astype(np.uint64)


def repeated_hashes(texts: list[str]) -> np.ndarray:
    """:func:`hash64_array` of texts most of which repeat (media keys are mostly empty; most
    examples share a system prompt and have no numbers, tools or media): each distinct text
    is hashed once."""
    distinct = list(dict.fromkeys(texts))
    if len(distinct) == len(texts):
        return hash64_array(texts, len(texts))
    index = {t: i for i, t in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, texts), dtype=np.int64, count=len(texts))
    return hash64_array(distinct, len(distinct))[codes]


def _register() -> None:
    from ftprep.features import FeatureContext, register_feature

    @register_feature("hashes", ("hash_conversation", "hash_prompt", "hash_answer", "hash_media"))
    def hashes_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
        media = media_keys(batch, ctx.batch)
        flat = flat_turns(batch, ctx.batch)
        whole, prompt, answer = conversation_hash_arrays(
            flat.roles,
            normalized_texts(batch, ctx.batch),
            flat.counts,
            batch_turns(batch, ctx.batch).last,
            list(map(key_suffix, [ex.tools for ex in batch], media)),
            ctx.batch.get("answer_hashes"),
        )
        ctx.batch["answer_hashes"] = answer
        return {
            "hash_conversation": whole,
            "hash_prompt": prompt,
            "hash_answer": answer,
            "hash_media": repeated_hashes(media),
        }


_register()

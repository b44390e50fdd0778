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
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import NamedTuple

import numpy as np

from ftprep.similarity.minhash import _mix64_inplace, mix64
from ftprep.similarity.normalize import nfkc

#: Normalisation version, stored in fingerprint files: a change here invalidates them.
NORMALIZATION = 1
_BASE = np.uint64(0x100000001B3)  # odd
_INVERSE = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_SPACE = 0x20 + 1  # bytes are stored +1 so that no byte is zero
_WHOLE = np.uint64(0x5748_4F4C_4500_0000)  # tags a whole-text hash apart from any window
_ANNOTATION = re.compile(r"<<[^<>]{0,200}>>")
_NON_WORD = re.compile(r"[\W_]+")
#: The CJK ranges :func:`normalize` sets apart as words of their own, as (first, last)
#: code points; the byte path (:func:`_piece_words`) reads the same ranges.
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xAC00, 0xD7AF))  # fmt: skip
_CJK = re.compile("([" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES) + "])")


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


#: Non-ASCII characters that are not word characters (``\\W``): what :func:`_turn_piece`
#: turns into spaces itself, leaving the ASCII ones to the ``_ASCII_BYTES`` table.
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]+")


def _turn_piece(text: str) -> str:
    """A turn as :func:`_turn_words` joins it before one ``_ASCII_BYTES`` translation of
    the whole batch: the table and the folding of spaces then give :func:`normalize`'s
    words. ASCII text without annotations is left as it is (the table does its
    normalisation); other text is normalised up to what the table does: NFKC and
    casefolding, CJK characters set apart, and non-ASCII non-word characters made spaces
    (one scan that matches only them, where ``normalize`` replaces every run of ASCII
    punctuation and spacing too). CJK characters are set apart by a split and a join,
    the same string as ``normalize``'s substitution without a template expanded per
    character (each captured character gets a space on either side either way)."""
    if "<<" in text:
        text = _ANNOTATION.sub("", text)
    if text.isascii():
        return text
    text = " ".join(_CJK.split(nfkc(text).casefold()))
    return _NON_ASCII_NON_WORD.sub(" ", text)


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


#: Bytes per row when a batch's prefix sums are computed row by row (:func:`_word_prefixes`):
#: the inverse powers of one row are shared by all rows.
_ROW_BITS = 12
_ROW = 1 << _ROW_BITS
#: Rows summed at a time by :func:`_word_prefixes` (64 KiB of bytes, 512 KiB of sums).
_BLOCK_ROWS = 16


#: ASCII control characters :func:`ftprep.similarity.normalize.normalize_text`'s ASCII
#: path leaves in a text, which :func:`normalize` turns into spaces.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
#: Separates the pieces in :func:`_piece_words`'s buffer: punctuation, so in no piece.
_PIECE_SEP = "!"
_PIECE_SEP_BYTE = ord(_PIECE_SEP)
#: UTF-8 lead bytes of the characters U+3000..U+FFFF, where every :data:`_CJK` character
#: lies (no other byte of UTF-8 is in this range).
_CJK_LEADS = (0xE3, 0xEF)


def _exact_pieces(turns: Sequence[str], folded: Sequence[str]) -> list[str]:
    """:func:`normalize` of each turn but for what :func:`_piece_words` does on the
    batch's bytes, read from ``folded`` (each turn as
    :func:`ftprep.similarity.normalize.normalize_text` folded it) where it may be.

    Both normalisations make a text NFKC and casefold it, then keep its runs of word
    characters other than ``_`` as words separated by single spaces. ``normalize`` also
    drops annotations first: the turns holding ``<<`` (few) are normalised here. The rest
    :func:`_piece_words` does: it sets every CJK character apart (a word character either
    way) and normalises again the turns holding an ASCII control character (which
    ``normalize_text``'s byte table leaves), both found in the batch's bytes. The NFKC
    and casefolding of the texts that are not ASCII, most of the cost of normalising a
    batch of natural text, are then done once for the hashes and here."""
    pieces = list(folded)
    joined = "".join(turns)  # (a batch screen: "<" is one memchr where "<<" is a search)
    if "<" in joined and "<<" in joined:
        for i, turn in enumerate(turns):
            if "<<" in turn:
                pieces[i] = normalize(turn)
    return pieces


def _piece_words(
    pieces: list[str], turns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_turn_words` of ``turns`` from their :func:`_exact_pieces`, as one buffer
    of the pieces joined by ``!`` (:data:`_PIECE_SEP`, in no piece). The pieces holding an
    ASCII control character are normalised from their turns (in place; a reduction over
    the batch's bytes finds whether any does), and a space is put on either side of each
    CJK character where its neighbour is a word's (:func:`_set_cjk_apart`): the buffer is
    then that of the turns' normalisations, words end at its spaces and separators, and a
    word's turn is the count of separators before it. No translation, no sizes of the
    pieces measured.

    The bytes between two turns differ from :func:`_turn_words`'s (a separator, where
    empty turns leave none): no window spans two turns, so no hash reads them."""
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint8), empty, empty, empty
    text = _PIECE_SEP.join(pieces)
    joined = text.encode("utf-8", "surrogatepass")
    data = np.frombuffer(joined, dtype=np.uint8)
    # (a reduction and a memchr: no mask as long as the batch's bytes)
    if len(data) and (int(data.min()) < 0x20 or b"\x7f" in joined):
        for i, piece in enumerate(pieces):
            if _CONTROLS.search(piece) is not None:
                pieces[i] = normalize(turns[i])
        text = _PIECE_SEP.join(pieces)
        data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if not text.isascii():  # (a flag of the string)
        data = _set_cjk_apart(data)
    # the word bounds: every space and separator (no byte below a space is left)
    bounds = np.flatnonzero(data <= _PIECE_SEP_BYTE)
    starts = np.empty(len(bounds) + 1, dtype=np.int64)
    starts[0] = 0
    np.add(bounds, 1, out=starts[1:])
    ends = np.empty(len(starts), dtype=np.int64)
    ends[:-1] = bounds
    ends[-1] = len(data)
    # the words of turn i end at its separator (a bound's index), the last turn's at the end
    words = np.empty(len(pieces), dtype=np.int64)
    words[:-1] = np.flatnonzero(data[bounds] == _PIECE_SEP_BYTE)
    words[-1] = len(bounds)
    np.subtract(words[1:], words[:-1], out=words[1:])  # (in place: read before written)
    words[0] += 1
    turn = np.repeat(np.arange(len(pieces), dtype=np.int64), words)
    if "" in pieces:  # an empty turn is an empty "word" (few: a list scan to find none)
        filled = np.flatnonzero(ends > starts)
        starts, ends, turn = starts[filled], ends[filled], turn[filled]
    if len(starts) and starts[0]:  # empty turns first: the buffer starts at the first word
        data, starts, ends = data[starts[0] :], starts - starts[0], ends - starts[0]
    return data, starts, ends, turn


def _set_cjk_apart(data: np.ndarray) -> np.ndarray:
    """``data`` (UTF-8 of pieces joined by :data:`_PIECE_SEP`, their words separated by
    single spaces) with a space put between each :data:`_CJK` character and a neighbour
    of its word: what ``normalize``'s substitution does before the spaces are folded.
    Found in the bytes: a CJK character's lead byte is one of :data:`_CJK_LEADS`, and its
    three bytes give its code point."""
    lo, hi = _CJK_LEADS
    lead = np.flatnonzero(data >= lo)  # (few: then the ones above hi left out)
    lead = lead[(data[lead] <= hi) & (lead + 2 < len(data))]
    code = (data[lead].astype(np.int64) & 0x0F) << 12
    code |= (data[lead + 1].astype(np.int64) & 0x3F) << 6
    code |= data[lead + 2].astype(np.int64) & 0x3F
    cjk = np.zeros(len(lead), dtype=bool)
    for first, last in _CJK_RANGES:
        cjk |= (code >= first) & (code <= last)
    at = lead[cjk]
    if not len(at):
        return data
    # a space may go before each character and after it, once between two of them: in
    # order, each character's start then its end unless the next starts there
    pair = np.stack([at, at + 3], axis=1)
    kept = np.ones(pair.shape, dtype=bool)
    kept[:-1, 1] = pair[:-1, 1] != at[1:]
    where = pair.reshape(-1)[kept.reshape(-1)]
    where = where[(where > 0) & (where < len(data))]
    # where a word's bytes are on both sides: not by a space or separator already
    where = where[(data[where - 1] > _PIECE_SEP_BYTE) & (data[where] > _PIECE_SEP_BYTE)]
    return np.insert(data, where, 0x20)


def _turn_words(turns: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Many turns' normalisations as one buffer, vectorised: ``(bytes, word starts, word
    ends, turn of each word)``, where the bytes are those of ``b" ".join`` of every
    non-empty turn's normalisation (``normalize(turn)`` encoded) and a turn is an index
    into ``turns``.

    The turns are joined with a space (those not plain ASCII first rewritten by
    :func:`_turn_piece`) and translated with ``_ASCII_BYTES`` once:
    words are the runs of bytes other than a space, a word never spans two turns, and a
    word's turn follows from where each turn starts. The runs of spaces between words
    are folded to one with array operations rather than a ``split`` and ``join`` per
    turn."""
    sizes = np.fromiter(map(len, turns), dtype=np.int64, count=len(turns))
    plain = np.fromiter(map(str.isascii, turns), dtype=bool, count=len(turns))
    text = " ".join(turns) if plain.all() else None  # (no joined copy widened by one turn)
    if text is not None and ("<" not in text or "<<" not in text):  # one byte: memchr
        # every turn takes the byte-table path: one encoding of the batch
        joined = text.encode("ascii")
    else:
        # only the turns that are not plain ASCII (or hold an annotation) are rewritten
        # (_turn_piece); the batch is encoded once, each rewritten turn's size in bytes
        # taken apart
        plain &= ~np.fromiter(
            map(str.__contains__, turns, repeat("<<")), dtype=bool, count=len(turns)
        )
        pieces = list(turns)
        for i in np.flatnonzero(~plain).tolist():
            piece = _turn_piece(turns[i])
            pieces[i] = piece
            sizes[i] = len(piece.encode("utf-8", "surrogatepass"))
        joined = " ".join(pieces).encode("utf-8", "surrogatepass")
    raw = np.frombuffer(joined.translate(_ASCII_BYTES), dtype=np.uint8)
    length = len(raw)
    word = raw != 0x20
    change = np.empty(length + 1, dtype=bool)
    if length:
        change[0], change[-1] = word[0], word[-1]
        np.not_equal(word[1:], word[:-1], out=change[1:-1])
    else:
        change[0] = False
    edges = np.flatnonzero(change)
    starts, ends = edges[0::2], edges[1::2]
    turn_start = np.zeros(len(turns), dtype=np.int64)
    np.cumsum(sizes[:-1] + 1, out=turn_start[1:])
    before = np.searchsorted(starts, turn_start)  # words before each turn
    turn = np.repeat(np.arange(len(turns), dtype=np.int64), np.diff(before, append=len(starts)))
    keep = word
    keep[starts[1:] - 1] = True  # one space before each word but the first
    packed = raw[keep]
    lengths = ends - starts
    offsets = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=offsets[1:])
    return packed, offsets, offsets + lengths, turn


class _WordSums(NamedTuple):
    """The prefix sums of :func:`_prefix` at a buffer's word bounds, kept row-local
    (:func:`_word_prefixes`): a window within one row of ``_ROW`` bytes (nearly all) is
    hashed from them without the row's scale and carry, which cancel
    (:func:`_window_raw`)."""

    start: np.ndarray  # uint64: each word's row-local sum through the byte before it
    start_row: np.ndarray  # int64: the row of that byte (0 for the first word)
    end: np.ndarray  # uint64: each word's row-local sum through its last byte
    end_row: np.ndarray  # int64: the row of that byte
    base: np.ndarray  # uint64: the base to the word's start less its row's first byte
    row_power: np.ndarray  # uint64: the inverse base to each row's first byte
    carry: np.ndarray  # uint64: the whole prefix sum before each row
    row_base: np.ndarray  # uint64: the base to each row's first byte


def _word_prefixes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> _WordSums:
    """The :class:`_WordSums` of ``data`` (uint8 bytes of UTF-8, which never holds 0xFF;
    ``starts[0] == 0`` and every other position above 0) at words ``starts``/``ends``,
    from one pass over the bytes (:func:`_global_prefixes` gives :func:`_prefix`'s values
    from them).

    The bytes are laid out in rows of ``_ROW``: each row's prefix sums use the inverse
    powers of one row. No array of powers as long as the data is ever made (the
    whole-length arrays were most of the hashing time). The rows are summed a block of
    ``_BLOCK_ROWS`` at a time, in one reused buffer that stays in cache, and only the sums
    at word boundaries are kept: the sums of the whole batch (eight bytes per byte) never
    exist. A row's sums are left unscaled and without the rows before it: a window's hash
    multiplies its difference by the base to its start, which cancels the row's scale when
    both ends lie in one row (the carry cancels in the difference)."""
    length = len(data)
    rows = -(-length // _ROW)
    padded = np.zeros(rows * _ROW, dtype=np.uint8)
    np.add(data, 1, out=padded[:length])  # byte + 1: no byte is zero (0xFF is no UTF-8)
    values = padded.reshape(rows, _ROW)
    inverse = _powers(_INVERSE, _ROW)
    # the sums through byte at - 1, for each at in starts[1:] and in ends (both sorted)
    lasts = (starts[1:] - 1, ends - 1)
    # the sums are read into the arrays returned (the one at starts keeps a 0 in front for
    # the first word)
    at_start = np.empty(len(starts), dtype=np.uint64)
    at_start[0] = 0
    inner = (at_start[1:], np.empty(len(lasts[1]), dtype=np.uint64))
    block_starts = np.arange(0, rows + _BLOCK_ROWS, _BLOCK_ROWS) * _ROW
    cuts = [np.searchsorted(last, block_starts).tolist() for last in lasts]
    totals = np.empty(rows, dtype=np.uint64)
    buffer = np.empty((min(rows, _BLOCK_ROWS), _ROW), dtype=np.uint64)
    for b, first_row in enumerate(range(0, rows, _BLOCK_ROWS)):
        block = buffer[: min(rows - first_row, _BLOCK_ROWS)]
        np.multiply(values[first_row : first_row + len(block)], inverse, out=block)
        np.cumsum(block, axis=1, out=block)
        totals[first_row : first_row + len(block)] = block[:, -1]
        sums = block.reshape(-1)
        offset = first_row * _ROW
        for last, out, cut in zip(lasts, inner, cuts, strict=True):
            lo, hi = cut[b], cut[b + 1]
            # (in range: "wrap" only spares take's buffered bounds check, as "raise" has)
            np.take(sums, last[lo:hi] - offset, out=out[lo:hi], mode="wrap")
    row_power = _powers(np.uint64(pow(int(_INVERSE), _ROW, 1 << 64)), rows)
    carry = np.zeros(rows, dtype=np.uint64)
    np.cumsum((totals * row_power)[:-1], out=carry[1:])
    start_row = np.zeros(len(starts), dtype=np.int64)
    np.right_shift(lasts[0], _ROW_BITS, out=start_row[1:])
    # the base to (start - its row's first byte): 1 .. _ROW past a byte of the row
    base = np.empty(len(starts), dtype=np.uint64)
    base[0] = 1
    np.take(_powers(_BASE, _ROW + 1)[1:], lasts[0] & (_ROW - 1), out=base[1:], mode="wrap")
    row_base = _powers(np.uint64(pow(int(_BASE), _ROW, 1 << 64)), rows)
    return _WordSums(
        at_start, start_row, inner[1], lasts[1] >> _ROW_BITS, base, row_power, carry, row_base
    )


def _global_prefixes(
    ws: _WordSums, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(prefix at the start of word first, prefix at the end of word last, base power at
    the start of word first)`` of :func:`_prefix`, from :class:`_WordSums` (index arrays:
    what the row-local sums stand for, the row scale and carry put back)."""
    first_row, last_row = ws.start_row[first], ws.end_row[last]
    return (
        ws.carry[first_row] + ws.row_power[first_row] * ws.start[first],
        ws.carry[last_row] + ws.row_power[last_row] * ws.end[last],
        ws.row_base[first_row] * ws.base[first],
    )


def _window_raw(ws: _WordSums, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The unmixed hash of each window from word ``first`` through word ``last`` (index
    arrays): ``(prefix at its end - prefix at its start) * base ** start``, from the
    row-local sums where both ends lie in one row, from the whole sums elsewhere."""
    raw = ws.end[last] - ws.start[first]
    raw *= ws.base[first]
    across = np.flatnonzero(ws.start_row[first] != ws.end_row[last])
    if len(across):
        raw[across] = _whole_raw(ws, first[across], last[across])
    return raw


def _whole_raw(ws: _WordSums, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """:func:`_window_raw` from the whole prefix sums (:func:`_global_prefixes`): for
    windows whose ends lie in two rows."""
    begin, end, base = _global_prefixes(ws, first, last)
    return (end - begin) * base


def batch_grams(
    texts: Sequence[Sequence[str]],
    sizes: Iterable[int],
    whole_below: int = 0,
    gate: Gate | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Window hashes of many examples in one vectorised pass: ``(hashes, example index)``.

    Each example's texts (turns) are normalised; what :func:`turn_grams` hashes of all
    the examples' turns, each window given its example."""
    hashes, turn = turn_grams([t for turns in texts for t in turns], sizes, whole_below, gate)
    owners = np.repeat(
        np.arange(len(texts), dtype=np.int32),
        np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)),
    )
    return hashes, owners[turn]


def turn_grams(
    turns: Sequence[str],
    sizes: Iterable[int],
    whole_below: int = 0,
    gate: Gate | None = None,
    screen: Callable[[np.ndarray], np.ndarray] | None = None,
    folded: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Window hashes of many turns in one vectorised pass: ``(hashes, turn index)``.

    For every n in ``sizes``, the n-word windows of each turn (none spans two turns);
    and the whole-text hash of every turn shorter than ``whole_below`` words. Values
    equal :func:`ngram_hashes` / :func:`whole_hash` of each turn on its own: hashes
    depend on a span's bytes only.

    With ``gate=(g, may_hold)`` (g in ``sizes``), windows longer than g words are hashed
    only where the g-word window starting at the same word passes ``may_hold``. An index
    holding the g-word windows of every text it holds longer windows of loses no match by
    this, and ordinary text, which almost never passes, costs one window size instead of
    all of them.

    With ``screen`` (a test like ``may_hold``), only the windows passing it are returned:
    the g-word windows' test is the gate's, not made twice.

    ``folded``: the turns as :func:`ftprep.similarity.normalize.normalize_text` folded
    them (a batch's memo holds them): :func:`_exact_pieces` reads :func:`normalize` of
    each turn from them, and its words are found without translating or packing the
    bytes (:func:`_piece_words`).
    """
    if folded is None:
        data, starts, ends, turn_of_word = _turn_words(turns)
    else:
        data, starts, ends, turn_of_word = _piece_words(_exact_pieces(turns, folded), turns)
    words = len(starts)
    if not words:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    sums = _word_prefixes(data, starts, ends)
    out_h = [np.zeros(0, dtype=np.uint64)]
    out_o = [np.zeros(0, dtype=np.int64)]
    gated: np.ndarray | None = None  # first words of the g-word windows that passed the gate
    gate_size, gate_test = gate if gate is not None else (0, None)
    ordered = sorted({n for n in sizes if 1 <= n <= words})
    for n in ordered:
        if gated is not None and n > gate_size:
            break
        # every window: slices rather than gathers, hashed in place; the few that span two
        # turns are hashed too and left out after
        count = words - n + 1
        within = turn_of_word[:count] == turn_of_word[n - 1 :]
        hashes = sums.end[n - 1 :] - sums.start[:count]
        hashes *= sums.base[:count]
        across = np.flatnonzero(sums.start_row[:count] != sums.end_row[n - 1 :])
        if len(across):  # (_window_raw on slices)
            hashes[across] = _whole_raw(sums, across, across + (n - 1))
        hashes ^= np.uint64(n)
        _mix64_inplace(hashes, np.empty_like(hashes))
        keep = within
        if gate_test is not None and n == gate_size:
            tested = gate_test(hashes) & within
            gated = np.flatnonzero(tested)
            if screen is not None:
                keep = tested if screen == gate_test else screen(hashes) & within
        elif screen is not None:
            keep = screen(hashes) & within
        out_h.append(hashes[keep])
        out_o.append(turn_of_word[:count][keep])
    longer = [n for n in ordered if n > gate_size]
    if gated is not None and longer and len(gated):
        # the longer windows at the gated words, every size at once (size by size, in
        # order, as the loop above lays its windows out)
        first = np.broadcast_to(gated, (len(longer), len(gated))).reshape(-1)
        size = np.repeat(np.array(longer, dtype=np.int64), len(gated))
        last = first + size - 1
        fits = last < words  # and in one turn:
        fits &= turn_of_word[first] == turn_of_word[np.minimum(last, words - 1)]
        first, size, last = first[fits], size[fits], last[fits]
        hashes = _window_raw(sums, first, last)
        hashes ^= size.astype(np.uint64)
        _mix64_inplace(hashes, np.empty_like(hashes))
        if screen is not None:
            passed = screen(hashes)
            hashes, first = hashes[passed], first[passed]
        out_h.append(hashes)
        out_o.append(turn_of_word[first])
    counts = np.bincount(turn_of_word, minlength=len(turns))
    short = np.flatnonzero((counts > 0) & (counts < whole_below))
    if len(short):
        first_word = (np.cumsum(counts) - counts)[short]
        last_word = first_word + counts[short] - 1
        raw = _window_raw(sums, first_word, last_word)
        raw ^= counts[short].astype(np.uint64)
        whole = mix64(mix64(raw) ^ _WHOLE)
        if screen is not None:
            passed = screen(whole)
            whole, short = whole[passed], short[passed]
        out_h.append(whole)
        out_o.append(short)
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


__all__ = [
    "NORMALIZATION",
    "batch_grams",
    "ngram_hashes",
    "normalize",
    "turn_grams",
    "whole_hash",
    "word_count",
]

"""The words of a batch's ASCII texts as numbers, read with numpy: the screens' word reader.

Several text rules first ask of a text's words a question most texts answer "no" to: does
one of these words occur (``clean.refusal``), does a 3-word phrase occur twice
(``clean.repetition``). Cutting a text into a list of words
costs a Python object per word (about 3 µs for an answer of forty words), more than the
question. Here the texts of a batch are translated by the rule's byte table (the one its
word list is cut with: lower case, what is not a word character made a space) and read
together as bytes: each word (a run of bytes ``str.split`` does not split at) becomes a
64-bit *number* made of its length and its first and last eight bytes.

Equal words always get equal numbers (and words of up to eight bytes, different ones);
two different long words may share one, which only makes a screen let a text through to
the rule it stands in front of, which then decides exactly as before. Only ASCII texts are
read (one byte a character, so the words are those ``text.encode("ascii")
.translate(table).decode("ascii").split()`` gives); a screen passes any other text on.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Sequence, Sized
from typing import NamedTuple, cast

import numpy as np

#: The characters beyond ASCII that ``str.split`` splits at (``str.splitlines`` and the
#: regex ``\s`` at some of them too): a text holding one is not cut into its words at its
#: bytes' white space alone.
WIDE_SPACE = re.compile(
    "[" + "".join(c for c in map(chr, range(0x80, 0x3001)) if c.isspace()) + "]"
)
#: Bytes ``str.split()`` splits an ASCII text at.
_WHITE = b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def byte_class(chars: str) -> np.ndarray:
    """A table of 256 booleans, true at the bytes of ``chars`` (all ASCII)."""
    table = np.zeros(256, dtype=bool)
    table[list(chars.encode("ascii"))] = True
    return table


#: The ASCII white space as a byte table: what ``str.split()`` splits at, and what the
#: regex ``\s`` matches among ASCII characters in a str pattern (the information
#: separators \x1c-\x1f included, unlike in a bytes pattern).
SPACE = byte_class(_WHITE.decode("ascii"))
_SPACED: dict[bytes, bytes] = {}
#: The low ``k`` bytes of a little-endian 64-bit number, for ``k`` = 0..8.
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
#: Odd multipliers that mix the parts of a word's number.
_HEAD, _TAIL, _LENGTH = (
    np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
)
#: Characters read at a time: arrays of some hundred kilobytes stay in the processor's
#: cache (measured: groups of 256 answers, ~64,000 characters, cost a third less than a
#: batch of 2,048 at once).
GROUP = 64_000
#: The first group is smaller: it tells whether screening the batch is worth it.
_FIRST_GROUP = 8_000
#: A screen that rules out less than this share of a group's text (in characters) stops
#: there and lets the batch's other texts through unread: reading a text costs it about
#: half what the rule it stands for costs, so on texts that mostly hold what it looks for
#: (the function words of natural English, a phrase of a long answer said twice) it
#: would only add its cost to the rule's.
WORTH = 0.5


def groups(texts: Sequence[str]) -> Iterator[range]:
    """Consecutive ranges of indices covering ``texts``, each of texts holding some
    :data:`GROUP` characters (the first, ``_FIRST_GROUP``) or a single longer text."""
    ends = list(itertools.accumulate(map(len, texts)))  # characters up to each text's end
    start, n, budget, before = 0, len(texts), _FIRST_GROUP, 0
    while start < n:
        stop = max(start + 1, bisect.bisect_right(ends, before + budget, lo=start))
        yield range(start, stop)
        start, budget, before = stop, GROUP, ends[stop - 1]


def worth_going_on(texts: Sequence[str], ruled_out: Iterable[bool], worth: float = WORTH) -> bool:
    """Whether a screen that ruled out the texts of a group marked in ``ruled_out`` should
    read on: they hold at least ``worth`` (:data:`WORTH` unless the screen costs a
    smaller share of its rule) of the group's characters."""
    lengths = list(map(len, texts))
    return sum(itertools.compress(lengths, ruled_out)) >= worth * sum(lengths)


def _spaced(table: bytes) -> bytes:
    """``table`` followed by every white space byte to a space: the words stay, and a
    word is then a run of bytes other than 0x20."""
    spaced = _SPACED.get(table)
    if spaced is None:
        spaced = _SPACED[table] = bytes(0x20 if b in _WHITE else b for b in table)
    return spaced


class Needles(NamedTuple):
    """Words a screen looks for, as numbers (sorted), the length of the longest, and per
    value of :data:`_TOP_BITS` top bits of a number, which needle has them: its index,
    -1 when none does, :data:`_SEVERAL` when more than one do. One lookup there rules
    out nearly every word and names the one needle it may be (a sorted search costs some
    70 ns a word; it is left to the rare top bits shared by two needles)."""

    numbers: np.ndarray
    longest: int
    slot: np.ndarray


#: The top bits of a word's number index :attr:`Needles.slot` (the multiplications mix
#: every byte of the word into them).
_TOP_BITS = 16
_SHIFT = np.uint64(64 - _TOP_BITS)
#: :attr:`Needles.slot` of top bits that several needles share.
_SEVERAL = -2


def _cut(
    texts: Sequence[bytes] | Sequence[str], table: bytes
) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The texts (encoded, or all ASCII) joined by single spaces, translated by ``table``
    and padded with eight spaces at both ends, and the offsets there where each word
    starts and ends."""
    pad = b" " * 8
    data = pad + _joined(texts).translate(_spaced(table)) + pad
    starts, ends = word_spans(np.frombuffer(data, dtype=np.uint8) == 0x20)
    return data, starts, ends


def _joined(texts: Sequence[bytes] | Sequence[str]) -> bytes:
    """``texts`` joined by single spaces, as bytes: encoded texts as they are, texts that
    are all ASCII encoded once, joined (the same bytes as each encoded, then joined,
    without an encoding call and a bytes object per text)."""
    if texts and isinstance(texts[0], str):
        return " ".join(cast("Sequence[str]", texts)).encode("ascii")
    return b" ".join(cast("Sequence[bytes]", texts))


def word_spans(gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each word of a byte buffer starts and ends, given which of its bytes are gaps
    (``gap``, a bool per byte; the buffer begins and ends with a gap): the words are the
    runs of non-gap bytes. Every batch word reader cuts its buffer with this."""
    edges = np.flatnonzero(gap[1:] != gap[:-1]) + 1  # where a word starts or ends
    return edges[0::2], edges[1::2]


def word_bytes(data: bytes, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The first ``min(length, 8)`` bytes of ``data`` from each offset as a little-endian
    64-bit number (the rest zero), read for all offsets at once through one strided view;
    ``data`` must hold eight bytes from every offset (pad it); ``lengths`` are not
    negative."""
    eights = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    return eights[offsets] & _LOW_BYTES[np.minimum(lengths, 8)]


def _numbers(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The number of each word of ``data`` (from :func:`_cut`)."""
    lengths = ends - starts
    number = word_bytes(data, starts, lengths) * _HEAD + lengths.astype(np.uint64) * _LENGTH
    long = np.flatnonzero(lengths > 8)  # the last eight bytes too (most words are shorter)
    if len(long):
        number[long] += word_bytes(data, ends[long] - 8, lengths[long]) * _TAIL
    return number


def _firsts(texts: Sequence[Sized]) -> np.ndarray:
    """Where each text starts in the joined buffer (see :func:`_cut`), and last where a
    text after them would."""
    return np.cumsum([8] + [len(text) + 1 for text in texts])


def _owners(firsts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The index of the text of each word starting at ``starts`` (``firsts``:
    :func:`_firsts`)."""
    return np.searchsorted(firsts, starts, side="right") - 1


class WordCut(NamedTuple):
    """The words of a batch's ASCII texts (:func:`cut_words`): the texts' own bytes, joined
    by single spaces and padded with eight spaces at both ends, and for each word (in
    order) where it starts there, the index of its text and its number."""

    raw: np.ndarray
    starts: np.ndarray
    owner: np.ndarray
    number: np.ndarray


def cut_words(texts: Sequence[bytes], table: bytes) -> WordCut:
    """:func:`word_numbers` of texts already encoded (``texts``), with their bytes and the
    words' places in them, for a screen that also asks what stands between the words
    (line and sentence ends). Bytes the table leaves alone (0x80 and above, in UTF-8 the
    bytes of every non-ASCII character) are word bytes: a caller that passes UTF-8
    makes sure its words are cut at ASCII white space only."""
    pad = b" " * 8
    raw = pad + b" ".join(texts) + pad
    data = raw.translate(_spaced(table))  # as :func:`_cut` makes it (spaces stay)
    starts, ends = word_spans(np.frombuffer(data, dtype=np.uint8) == 0x20)
    number = _numbers(data, starts, ends)
    owner = _owners(_firsts(texts), starts)
    return WordCut(np.frombuffer(raw, dtype=np.uint8), starts, owner, number)


def word_numbers(texts: Sequence[str], table: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, number)``: for each word of ``texts`` (all ASCII), in order, the index of
    its text and its number."""
    data, starts, ends = _cut(texts, table)
    return _owners(_firsts(texts), starts), _numbers(data, starts, ends)


def numbers_of(words: Collection[str], table: bytes) -> Needles:
    """``words`` (ASCII, each one word under ``table``) as :class:`Needles`."""
    data, starts, ends = _cut([" ".join(sorted(words))], table)
    numbers = np.unique(_numbers(data, starts, ends))
    # 128 KB of int16 where the needles are fewer than 32,767 (every screen's are)
    kind = np.int16 if len(numbers) < np.iinfo(np.int16).max else np.int32
    slot = np.full(1 << _TOP_BITS, -1, dtype=kind)
    for index, top in enumerate((numbers >> _SHIFT).astype(np.intp).tolist()):
        slot[top] = index if slot[top] == -1 else _SEVERAL
    return Needles(numbers, int(max(ends - starts, default=0)), slot)


def or_by_owner(size: int, owner: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Per owner ``0 .. size - 1``: the OR of the ``bits`` of its entries (int64), for
    entries in owner order (words found text after text), each owner's run OR-ed by one
    ``reduceat`` (``bitwise_or.at`` costs ~20 ns an entry, and screens asking about
    common words find many)."""
    out = np.zeros(size, dtype=np.int64)
    if len(owner):
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out[owner[first]] = np.bitwise_or.reduceat(bits, first)
    return out


class Hits(NamedTuple):
    """The words of a batch's ASCII texts that have a number of some :class:`Needles`
    (:func:`hits`): per such word, its text, the index of its number among the
    needles' and its length; and, when asked for, per text, the bytes of all its words,
    and per such word its place among all the words and the first bytes of the word after
    it (``follow``: for a screen that asks which words stand next to each other)."""

    owner: np.ndarray
    needle: np.ndarray
    length: np.ndarray
    word_bytes: np.ndarray | None
    at: np.ndarray | None = None
    after: np.ndarray | None = None


def hits(
    texts: Sequence[bytes] | Sequence[str],
    table: bytes,
    needles: Needles,
    sizes: bool = False,
    follow: bool = False,
) -> Hits:
    """The :class:`Hits` of ``needles`` in ``texts`` (encoded: bytes the table leaves
    alone, 0x80 and above, are word bytes; or all ASCII, not encoded), in order
    (``sizes``: with the bytes of each text's words; ``follow``: with each hit's index
    among the words, consecutive for words next to each other, and the first eight bytes
    of the word after it in its text, as :func:`word_bytes` reads them, 0 where its text
    has none). A word of up to eight bytes whose length is its needle's is that needle:
    its number is its bytes times an odd number plus its length times another, one
    number per word."""
    data, starts, ends = _cut(texts, table)
    lengths = ends - starts
    # where each text starts in ``data``, and where one would after the last
    firsts = _firsts(texts)
    text_bytes = None
    if sizes:  # the words' bytes up to each text's first word, differenced
        before = np.concatenate(([0], np.cumsum(lengths)))[np.searchsorted(starts, firsts)]
        text_bytes = np.diff(before)
    short = np.flatnonzero(lengths <= needles.longest)
    numbers = _numbers(data, starts[short], ends[short])
    slot = needles.slot[(numbers >> _SHIFT).astype(np.intp)]
    maybe = np.flatnonzero(slot != -1)
    at = slot[maybe].astype(np.intp)
    several = np.flatnonzero(at == _SEVERAL)
    if len(several):  # top bits of more than one needle: which, by a sorted search
        among = np.searchsorted(needles.numbers, numbers[maybe[several]])
        among[among == len(needles.numbers)] = 0  # beyond the last: surely not that one
        at[several] = among
    found = needles.numbers[at] == numbers[maybe]
    words = short[maybe[found]]
    owner = _owners(firsts, starts[words])
    if not follow:
        return Hits(owner, at[found], lengths[words], text_bytes)
    # the word after each hit, when there is one and it is of the same text (texts are
    # joined by one space: the first word of the next text follows the last of this one)
    nxt = np.minimum(words + 1, len(starts) - 1)
    there = (words + 1 < len(starts)) & (starts[nxt] < firsts[owner + 1] - 1)
    after = np.where(there, word_bytes(data, starts[nxt], lengths[nxt]), np.uint64(0))
    return Hits(owner, at[found], lengths[words], text_bytes, words, after)


__all__ = [
    "GROUP",
    "SPACE",
    "WIDE_SPACE",
    "WORTH",
    "Hits",
    "Needles",
    "WordCut",
    "byte_class",
    "cut_words",
    "groups",
    "hits",
    "numbers_of",
    "or_by_owner",
    "word_numbers",
    "worth_going_on",
]

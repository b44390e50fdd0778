"""Near-duplicate detection in linear time: one-permutation MinHash + LSH, in numpy.

Shingles are the 5-byte windows of the normalised UTF-8 text (robust to light edits in
short chat turns, where word 5-grams would be too few); for Chinese, Japanese, Thai and
other scripts written without spaces, 3-character windows of the code points. Each shingle
is hashed once (splitmix64) and dropped into one of ``BINS`` bins by its top bits; a bin
keeps its minimum (one-permutation hashing, Li et al. 2012). That costs O(text bytes) rather than
O(shingles × permutations) for classic MinHash, with the same Jaccard estimator: the share of
bins that agree among bins not empty in both. Values are kept as 16 bits (256 bytes per
example), so a million examples need ~256 MB.

Candidate pairs come from LSH banding (``bands`` × ``rows`` bins hashed per band; equal band
hashes collide), each candidate is verified against the threshold on the signatures, and
connected components of verified pairs are the near-duplicate groups. Cost grows linearly
with the data except within very large buckets, where pairs are chained (sorted neighbours),
not enumerated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ftprep.components import connected_components
from ftprep.similarity.scripts import has_unsegmented

BINS = 128
SHINGLE = 5
#: Shingle width, in characters, for scripts written without spaces (a Chinese word is one
#: to three characters, so three characters play the part of the 5-byte window).
CHAR_SHINGLE = 3
_CHAR_TAG = np.uint64(1 << 63)
EMPTY = np.uint16(0xFFFF)
#: Shingles hashed per step: the scratch arrays stay in cache and are reused.
_CHUNK = 1 << 15
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fast, well-distributed, deterministic 64-bit hash."""
    h = (h + _M1) & np.uint64(0xFFFFFFFFFFFFFFFF)
    h = (h ^ (h >> np.uint64(30))) * _M2
    h = (h ^ (h >> np.uint64(27))) * _M3
    return h ^ (h >> np.uint64(31))


def _mix64_inplace(h: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """:func:`mix64` computed in place (``h`` is overwritten and returned; ``scratch`` holds
    at least as many values): the same values without a new array per step, which matters
    on the millions of shingles of a batch."""
    t = scratch[: len(h)]
    h += _M1
    np.right_shift(h, np.uint64(30), out=t)
    h ^= t
    h *= _M2
    np.right_shift(h, np.uint64(27), out=t)
    h ^= t
    h *= _M3
    np.right_shift(h, np.uint64(31), out=t)
    h ^= t
    return h


def _window_owners(lens: np.ndarray, k: int, rows: np.ndarray, dummy: int) -> np.ndarray:
    """Owner row of every window position of texts laid end to end, ``k - 1`` padding units
    after each: a text of ``u`` units owns its first ``max(u - k + 1, 1)`` positions (none
    when empty); the positions whose window reaches into the padding belong to ``dummy``.

    Owners are 32-bit while ``dummy`` fits (always, for a batch): the repeat writes one
    value per byte of text, and half the bytes written is a quarter of its time."""
    n = len(lens)
    nwin = np.where(lens > 0, np.maximum(lens - k + 1, 1), 0)
    owner = np.empty(2 * n, dtype=np.int32 if dummy < 2**31 else np.int64)
    owner[0::2] = rows
    owner[1::2] = dummy
    count = np.empty(2 * n, dtype=np.int64)
    count[0::2] = nwin
    count[1::2] = lens + (k - 1) - nwin
    return np.repeat(owner, count)


def _byte_windows(encoded: list[bytes], k: int) -> np.ndarray:
    """The ``k``-byte window (big-endian, ``k`` ≤ 8) at every position of the texts laid
    end to end with ``k - 1`` zero bytes after each: one unaligned 8-byte read per position
    and a shift, instead of ``k`` shifted passes."""
    pad = b"\0" * (k - 1)
    return _buffer_windows(pad.join(encoded) + pad, k)


def _buffer_windows(buf: bytes, k: int) -> np.ndarray:
    """:func:`_byte_windows` of texts already laid end to end in ``buf`` (``k - 1`` zero
    bytes after each)."""
    positions = len(buf)
    buf += b"\0" * 7
    view = np.ndarray((positions,), dtype=">u8", buffer=buf, strides=(1,))
    windows = view.astype(np.uint64)
    windows >>= np.uint64(64 - 8 * k)
    return windows


def _unit_windows(units: np.ndarray, k: int, bits: int, positions: int) -> np.ndarray:
    """The ``k``-unit window (``bits`` per unit) at each of the first ``positions``
    positions of ``units`` (which holds at least ``positions + k - 1`` units)."""
    wide = units.astype(np.uint64)
    windows = wide[:positions].copy()
    for j in range(1, k):
        windows <<= np.uint64(bits)
        windows |= wide[j : j + positions]
    return windows


def _code_point_windows(texts: list[str], k: int) -> np.ndarray:
    """The ``k``-code-point window (21 bits each) at every position of the texts laid end to
    end with ``k - 1`` zero code points after each."""
    pad = "\0" * (k - 1)
    joined = (pad.join(texts) + pad + pad).encode("utf-32-le", "surrogatepass")
    units = np.frombuffer(joined, dtype=np.uint32)
    return _unit_windows(units, k, 21, len(units) - (k - 1))


def signatures_of_sets(
    owners: Sequence[int] | np.ndarray, hashes: Sequence[int] | np.ndarray, n: int, bins: int
) -> np.ndarray:
    """One-permutation MinHash of ``n`` sets given as (owner row, element hash) pairs (lists
    or arrays): an (n, bins) uint16 array, EMPTY where a row has no element in a bin."""
    return set_signatures(
        np.asarray(owners, dtype=np.int64), np.asarray(hashes, dtype=np.uint64), n, bins
    )


def set_signatures(owners: np.ndarray, hashes: np.ndarray, n: int, bins: int) -> np.ndarray:
    """:func:`signatures_of_sets` of (owner row, element hash) pairs given as arrays (an
    element repeated in a set changes nothing: a bin keeps a minimum)."""
    sig = np.full(n * bins, EMPTY, dtype=np.uint16)
    if len(hashes):
        column, value = _bins_values(hashes, bins)
        np.minimum.at(sig, owners.astype(np.int64) * bins + column, value)
    return sig.reshape(n, bins)


def _bins_values(hashes: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Each element hash's bin (the top bits of its mix) and value (the low 16 bits, EMPTY
    taken as 0xFFFE), the one-permutation MinHash of :func:`set_signatures`."""
    mixed = mix64(np.asarray(hashes, dtype=np.uint64))
    column = (mixed >> np.uint64(64 - int(np.log2(bins)))).astype(np.int64)
    value = (mixed & np.uint64(0xFFFF)).astype(np.uint16)
    value[value == EMPTY] = 0xFFFE
    return column, value


def id_set_signatures(
    owners: np.ndarray, ids: np.ndarray, element_hashes: np.ndarray, n: int, bins: int
) -> np.ndarray:
    """:func:`set_signatures` of (owner row, element id) pairs whose elements' hashes are
    ``element_hashes[ids]``: each distinct element's bin and value are computed once (a
    batch's words: thousands of distinct ones, a hundred thousand (row, word) pairs) and
    gathered per pair, instead of mixing every pair's hash. The same signatures."""
    sig = np.full(n * bins, EMPTY, dtype=np.uint16)
    if len(ids):
        column, value = _bins_values(element_hashes, bins)
        np.minimum.at(sig, owners.astype(np.int64) * bins + column[ids], value[ids])
    return sig.reshape(n, bins)


def signatures(
    texts: Sequence[str], bins: int = BINS, k: int = SHINGLE, chars: int = CHAR_SHINGLE
) -> np.ndarray:
    """One-permutation MinHash signatures: a (len(texts), bins) uint16 array.

    Shingles are ``k``-byte windows of the UTF-8 text; for a text holding characters of a
    script written without spaces (Chinese, Japanese, Thai…), ``chars``-character windows
    of its code points instead (bytes would cut characters apart, and a 5-byte window is
    less than two Chinese characters). A text shorter than one window is one (padded)
    shingle; an empty text is all EMPTY. Each text's signature depends on its own text
    alone.

    The whole batch is one buffer: the texts laid end to end (padding after each), a window
    at every position, hashed in one pass; windows that are no shingle of their text go to
    a spare row that is dropped, so no per-text selection is needed.
    """
    n = len(texts)
    if n == 0:
        return np.full((0, bins), EMPTY, dtype=np.uint16)
    dummy = n * bins
    bases, values = [], []
    # All-ASCII texts (most batches): one join and one encode for the whole batch, the
    # same bytes as the texts encoded one by one and joined, and no text is wide
    pad = "\0" * (k - 1)
    joined = pad.join(texts) + pad if k <= 8 else ""
    none = np.zeros(0, dtype=np.int64)
    if k <= 8 and joined.isascii():
        return _ascii_signatures(texts, joined, (none, none, none), bins, bins, k)[0]
    # a batch with a few other texts: its ASCII ones still take the one-buffer path (the
    # texts of each kind told apart by masks: np.setdiff1d of index lists cost as much as
    # hashing the ends of a batch's prompts)
    is_ascii = np.fromiter(map(str.isascii, texts), dtype=bool, count=n)
    plain = np.flatnonzero(is_ascii).tolist() if k <= 8 else []
    wide = [i for i in np.flatnonzero(~is_ascii).tolist() if has_unsegmented(texts[i])]
    rest = ~is_ascii if k <= 8 else np.ones(n, dtype=bool)
    rest[wide] = False
    narrow = np.flatnonzero(rest)
    if len(narrow):
        encoded = [texts[i].encode("utf-8", "surrogatepass") for i in narrow.tolist()]
        if k <= 8:
            windows = _byte_windows(encoded, k)
        else:
            zeros = b"\0" * (k - 1)
            units = np.frombuffer(zeros.join(encoded) + zeros + zeros, dtype=np.uint8)
            windows = _unit_windows(units, k, 8, len(units) - (k - 1))
        lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        bases.append(_window_owners(lens, k, narrow * bins, dummy))
        values.append(windows)
    if wide:
        chosen = [texts[i] for i in wide]
        lens = np.fromiter(map(len, chosen), dtype=np.int64, count=len(chosen))
        bases.append(_window_owners(lens, chars, np.asarray(wide, dtype=np.int64) * bins, dummy))
        values.append(_code_point_windows(chosen, chars) | _CHAR_TAG)  # never a byte window
    sig = np.full(dummy + bins, EMPTY, dtype=np.uint16)
    if values:
        windows = values[0] if len(values) == 1 else np.concatenate(values)
        base = bases[0] if len(bases) == 1 else np.concatenate(bases)
        shift = np.uint64(64 - int(np.log2(bins)))
        scratch = np.empty(min(len(windows), _CHUNK), dtype=np.uint64)
        for start in range(0, len(windows), _CHUNK):
            h = _mix64_inplace(windows[start : start + _CHUNK], scratch)
            slot = np.right_shift(h, shift, out=scratch[: len(h)]).view(np.int64)
            slot += base[start : start + _CHUNK]
            value = h.astype(np.uint16)
            np.minimum(value, np.uint16(0xFFFE), out=value)  # EMPTY stays free for "no shingle"
            np.minimum.at(sig, slot, value)
    out = sig[:dummy].reshape(n, bins)
    if plain:
        chosen = [texts[i] for i in plain]
        joined = pad.join(chosen) + pad
        out[plain] = _ascii_signatures(chosen, joined, (none, none, none), bins, bins, k)[0]
    return out


def signatures_with_pieces(
    texts: Sequence[str],
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray],
    bins: int = BINS,
    piece_bins: int = 32,
    k: int = SHINGLE,
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`signatures` of ASCII ``texts`` (``bins``) and, from the same hashed windows,
    of pieces of them (``piece_bins``, which divides ``bins``); None when a text is not
    ASCII.

    ``pieces``: (text index, start, end) arrays, in the texts' order and not overlapping,
    each at least ``k`` characters long: piece ``p``'s row is :func:`signatures` of
    ``texts[index[p]][start[p]:end[p]]``, its windows being the text's windows inside it.

    Each window is hashed and kept once, by the piece holding it or else by its text's
    other windows: a text's signature is the bin-wise minimum of those of its pieces and
    of the rest, and a piece's ``piece_bins`` signature is its ``bins`` one folded (a
    window's slot among ``piece_bins`` is its slot among ``bins`` divided by their ratio,
    its value the same). The pieces cost a little bookkeeping, no hashing of their own."""
    pad = "\0" * (k - 1)
    joined = pad.join(texts) + pad
    if not texts or k > 8 or bins % piece_bins or not joined.isascii():
        return None
    return _ascii_signatures(texts, joined, pieces, bins, piece_bins, k)


def _ascii_signatures(
    texts: Sequence[str],
    joined: str,
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray],
    bins: int,
    piece_bins: int,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`signatures_with_pieces` of ASCII ``texts`` (at least one), ``joined`` being
    them laid end to end with ``k - 1`` NUL characters after each."""
    n = len(texts)
    index, start, end = pieces
    m = len(index)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    buf = joined.encode("ascii")
    total = len(buf)
    # Who keeps the window at each position: runs that start where a text's windows start
    # (the text's rest), a piece starts (the piece), a piece ends (the text's rest again),
    # the text's windows end (the padding: a spare row); at one position the later kind
    # of the later text wins (the runs before it are empty).
    text_at = np.cumsum(lens + (k - 1)) - (lens + (k - 1))
    nwin = np.where(lens > 0, np.maximum(lens - k + 1, 1), 0)
    piece_at = text_at[index] + start
    piece_end = piece_at + (end - start - (k - 1))
    rows = n + m
    dummy = rows * bins
    position = np.concatenate([text_at, piece_end, piece_at, text_at + nwin])
    kind = np.repeat(np.arange(4), [n, m, m, n])
    text = np.concatenate([np.arange(n), index, index, np.arange(n)])
    owner = np.concatenate([np.arange(n), index, n + np.arange(m), np.full(n, rows)]) * bins
    # a text's events before the next's (without padding, k = 1, a text ends where the
    # next starts)
    order = np.lexsort((kind, text, position))
    position, owner = position[order], owner[order]
    run_end = np.r_[position[1:], total]
    owner = owner.astype(np.int32 if dummy < 2**31 else np.int64)
    shift = np.uint64(64 - int(np.log2(bins)))
    sig = np.full(dummy + bins, EMPTY, dtype=np.uint16)
    # Windows and owners are made a chunk at a time, next to their hashing: the arrays a
    # step reads stay in cache instead of a whole batch's being written out first.
    view = np.ndarray((total,), dtype=">u8", buffer=buf + b"\0" * 7, strides=(1,))
    windows = np.empty(min(total, _CHUNK), dtype=np.uint64)
    scratch = np.empty_like(windows)
    for first in range(0, total, _CHUNK):
        last = min(first + _CHUNK, total)
        h = windows[: last - first]
        np.copyto(h, view[first:last])
        h >>= np.uint64(64 - 8 * k)
        _mix64_inplace(h, scratch)
        a = int(np.searchsorted(position, first, side="right")) - 1
        b = int(np.searchsorted(position, last, side="left"))
        sizes = np.minimum(run_end[a:b], last) - np.maximum(position[a:b], first)
        slot = np.right_shift(h, shift, out=scratch[: len(h)]).view(np.int64)
        slot += np.repeat(owner[a:b], sizes)
        value = h.astype(np.uint16)
        np.minimum(value, np.uint16(0xFFFE), out=value)  # EMPTY stays free for "no shingle"
        np.minimum.at(sig, slot, value)
    kept = sig[:dummy].reshape(rows, bins)
    out, piece_sig = kept[:n], kept[n:]
    if m:
        # each text's pieces, j-th piece of every text at once (a text has a few)
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        counts = np.diff(np.r_[starts, m])
        for j in range(int(counts.max())):
            has = counts > j
            held = index[starts[has]]
            out[held] = np.minimum(out[held], piece_sig[starts[has] + j])
    ratio = bins // piece_bins
    folded = piece_sig[:, 0::ratio]
    for j in range(1, ratio):
        folded = np.minimum(folded, piece_sig[:, j::ratio])
    return np.ascontiguousarray(out), np.ascontiguousarray(folded)


_BYTES = np.uint64(0x0101010101010101)


def _count_rows(mask: np.ndarray) -> np.ndarray:
    """``np.count_nonzero(mask, axis=-1)``, faster on the short rows of signature pairs.

    A row of a C-contiguous boolean array is bytes of 0 or 1, so it reads as uint64 words
    of eight flags: the words of a row are added (byte by byte, without carries while a row
    has at most 255 bins) and each sum's eight bytes added by one multiplication. Numpy's
    reduction along a 32- or 64-long axis cost three times as much (the same counts)."""
    width = mask.shape[-1]
    if mask.ndim != 2 or width % 8 or width > 255 or not mask.flags.c_contiguous:
        return np.count_nonzero(mask, axis=-1)
    words = mask.view(np.uint64)
    total = words[:, 0].copy()
    for column in range(1, width // 8):
        total += words[:, column]
    total *= _BYTES
    total >>= np.uint64(56)
    return total.view(np.int64)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature rows ``a[i]`` and ``b[i]``.

    Two bins are both empty exactly when they are equal and ``a``'s is empty, so one
    comparison of the rows and one of ``a`` with EMPTY give both counts (counted eight
    bins at a time, :func:`_count_rows`): this runs on millions of candidate pairs."""
    equal = a == b
    equal_counts = _count_rows(equal)
    equal &= a == EMPTY
    both_empty = _count_rows(equal)
    informative = a.shape[-1] - both_empty
    match = equal_counts - both_empty
    return np.where(informative > 0, match / np.maximum(informative, 1), 0.0)


def _count_words(words: np.ndarray) -> np.ndarray:
    """Per row, the flags set in uint64 ``words`` of eight boolean flags each (at most 255
    flags a row), as :func:`_count_rows` counts them."""
    total = words[:, 0].copy()
    for column in range(1, words.shape[1]):
        total += words[:, column]
    total *= _BYTES
    total >>= np.uint64(56)
    return total.view(np.int64)


def similarity_in_rows(a: np.ndarray, b: np.ndarray, first: int, bins: int) -> np.ndarray:
    """:func:`similarity` of the sketches that rows ``a[i]`` and ``b[i]`` hold at uint16
    columns ``first`` to ``first + bins`` (both multiples of 8), the rows being a
    C-contiguous payload (a table's rows gathered, or contiguous slices of them).

    The same counts and the same division as :func:`similarity` of the sliced sketches,
    but the comparisons run over whole contiguous rows and the counts read the sketch's
    eight-flag words: comparing a strided slice of each row cost twice as much, and
    :func:`~ftprep.checks.clean.contradictions.candidate_pairs` asks this of millions of
    neighbours on templated data."""
    if first % 8 or bins % 8:
        raise ValueError("the sketch must start and end on a multiple of 8 columns")
    a16 = np.ascontiguousarray(a).view(np.uint16)
    b16 = np.ascontiguousarray(b).view(np.uint16)
    words = slice(first // 8, (first + bins) // 8)
    equal = a16 == b16
    equal_counts = _count_words(equal.view(np.uint64)[:, words])
    equal &= a16 == EMPTY
    both_empty = _count_words(equal.view(np.uint64)[:, words])
    informative = bins - both_empty
    match = equal_counts - both_empty
    return np.where(informative > 0, match / np.maximum(informative, 1), 0.0)


#: Pairs verified per step: bounds the temporaries to a few tens of MB whatever the number
#: of candidates (templated data can produce millions).
PAIR_CHUNK = 65_536


def pair_similarity(
    sig: np.ndarray, pairs: np.ndarray, other: np.ndarray | None = None
) -> np.ndarray:
    """Estimated Jaccard of ``sig[i]`` and ``(other or sig)[j]`` for each (i, j), in chunks."""
    right = sig if other is None else other
    out = np.empty(len(pairs), dtype=np.float64)
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        out[start : start + len(chunk)] = similarity(sig[chunk[:, 0]], right[chunk[:, 1]])
    return out


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-D integer array (sorted distinct values), by sorting a copy and
    dropping repeats: the same result, several times faster than the hash table recent numpy
    uses for integers when, as for the millions of candidate-pair codes, most values are
    distinct."""
    out = np.sort(values)
    if len(out) > 1:
        out = out[np.r_[True, out[1:] != out[:-1]]]
    return out


def _value_ranks(values: np.ndarray, bits: int) -> np.ndarray | None:
    """Each of ``values``' (uint64) rank among its distinct values (equal values, equal
    ranks; order kept), or None when two distinct values share their top ``64 - bits``
    bits (then the caller sorts them another way).

    One ``np.sort`` of the values with their low ``bits`` bits replaced by the position
    (``len(values) <= 2 ** bits``) orders them by value, positions breaking ties, several
    times faster than an argsort; two values apart only in the bits replaced would be
    misordered, which the check below sees."""
    n = len(values)
    low = np.uint64((1 << bits) - 1)
    packed = values & ~low
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    order = (packed & low).astype(np.intp)
    ordered = values[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    if np.any(new[1:] & ((packed[1:] ^ packed[:-1]) <= low)):
        return None
    ranks = np.empty(n, dtype=np.uint64)
    ranks[order] = np.cumsum(new, dtype=np.uint64) - np.uint64(1)  # below 2 ** bits
    return ranks


def neighbour_orders(by_band: np.ndarray) -> Iterator[np.ndarray]:
    """For each band ``b`` of ``by_band`` ((bands, n) uint64 hashes), the order
    ``np.lexsort((by_band[(b + 1) % bands], by_band[b]))``: by the band's hash, then the
    next band's, then position.

    The two hashes are replaced by their ranks (:func:`_value_ranks`, once per band),
    which with the position fit one uint64 while ``n <= 2 ** 21``: one ``np.sort`` of those
    gives the same order as ``np.lexsort`` in a third of its time (the sort of the
    near-contradiction candidates, 16 bands of 100,000 rows). Larger tables, and the
    rare band whose hashes the ranks cannot tell apart, are lexsorted."""
    bands, n = by_band.shape
    bits = max(int(n - 1).bit_length(), 1)
    fits = 3 * bits <= 64
    low = np.uint64((1 << bits) - 1)
    position = np.arange(n, dtype=np.uint64)
    first = _value_ranks(by_band[0], bits) if fits else None
    ranks = first
    for b in range(bands):
        nxt = (b + 1) % bands
        following = first if nxt == 0 else (_value_ranks(by_band[nxt], bits) if fits else None)
        if ranks is None or following is None:
            yield np.lexsort((by_band[nxt], by_band[b]))
        else:
            packed = ranks << np.uint64(2 * bits)
            packed |= following << np.uint64(bits)
            packed |= position
            packed.sort()
            yield (packed & low).astype(np.intp)
        ranks = following


#: Rows whose band hashes :func:`band_hashes` mixes at a time (256 KB of hashes at 16 bands).
_BAND_ROWS = 2048


def mix64_rows(h: np.ndarray) -> np.ndarray:
    """:func:`mix64` of a 2-D uint64 array, in place (``h`` is overwritten and returned), a
    block of :data:`_BAND_ROWS` rows at a time so that each block stays in cache through
    the steps: the same values, without the four table-sized temporaries."""
    scratch = np.empty((min(len(h), _BAND_ROWS), *h.shape[1:]), dtype=np.uint64)
    for start in range(0, len(h), _BAND_ROWS):
        _mix64_inplace(h[start : start + _BAND_ROWS], scratch)
    return h


def band_hashes(sig: np.ndarray, bands: int) -> np.ndarray:
    """(n, bands) uint64: a hash of each band of ``BINS // bands`` consecutive bins."""
    n, width = sig.shape
    rows = width // bands
    out = np.zeros((n, bands), dtype=np.uint64)
    # Mixed in place, a block of rows at a time: the block and its scratch stay in cache
    # through every step, instead of each step streaming the whole table (twice as fast
    # at 100,000 rows; the same values).
    scratch = np.empty((min(n, _BAND_ROWS), bands), dtype=np.uint64)
    for start in range(0, n, _BAND_ROWS):
        part = out[start : start + _BAND_ROWS]
        block = sig[start : start + _BAND_ROWS]
        for r in range(rows):
            part ^= block[:, r : rows * bands : rows][:, :bands]
            _mix64_inplace(part, scratch)
    return out


@dataclass
class BandBuckets:
    """The LSH buckets of a signature table's rows, band by band, as :func:`candidate_pairs`
    sorted them: per band, the rows of the buckets holding two rows or more (bucket after
    bucket, each in ascending row order) and where each bucket begins.

    Kept so that the near duplicates across a split (:func:`cross_pairs_in_buckets`) need
    no second hashing and sorting of every row, once per plan the split refines: that was
    most of the split plan's time, after the last batch. Rows alone in their bucket are
    left out (they pair with nothing), so the memory follows the rows that collide."""

    rows: list[np.ndarray] = field(default_factory=list)
    starts: list[np.ndarray] = field(default_factory=list)

    @property
    def entries(self) -> int:
        """Rows listed, over all bands (5 bytes each)."""
        return sum(len(r) for r in self.rows)

    def add(self, informative: np.ndarray, order: np.ndarray, equal: np.ndarray) -> None:
        """Add one band: ``order`` sorts ``informative``'s band hashes, ``equal[i]`` says
        whether sorted entries ``i`` and ``i + 1`` share a bucket."""
        shared = np.zeros(len(order), dtype=bool)
        shared[:-1] |= equal
        shared[1:] |= equal
        kept = np.flatnonzero(shared)
        self.rows.append(informative[order[kept]].astype(np.int32))
        self.starts.append(~np.r_[False, equal][kept])


def candidate_pairs(
    sig: np.ndarray,
    bands: int = 16,
    split_at: int | None = None,
    buckets: BandBuckets | None = None,
) -> np.ndarray:
    """Pairs of rows that share at least one band, as an (m, 2) int64 array (i < j).

    Rows with an all-empty signature never pair. Within a bucket, sorted neighbours are
    paired (a chain), which keeps the cost linear while preserving connectivity. With
    ``split_at``, only the pairs with ``i < split_at <= j`` are kept (see
    :func:`_bucket_pairs`). ``buckets``, when given, receives every band's buckets.
    """
    informative = np.flatnonzero((sig != EMPTY).any(axis=1))
    if len(informative) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    return _bucket_pairs(band_hashes(sig[informative], bands), informative, split_at, buckets)


def _bucket_pairs(
    bh: np.ndarray,
    informative: np.ndarray,
    split_at: int | None,
    buckets: BandBuckets | None = None,
) -> np.ndarray:
    """The chained pairs of rows sharing a band hash (``bh``: one row per ``informative``
    row), sorted and distinct. With ``split_at``, each band keeps only its pairs with
    ``i < split_at <= j`` before they are gathered: the same pairs as filtering the result,
    without holding the others (on templated data, most of them). ``buckets``, when given,
    receives every band's buckets (:class:`BandBuckets`)."""
    pairs = []
    by_band = np.ascontiguousarray(bh.T)  # each band's hashes contiguous: sorted sooner
    for b in range(bh.shape[1]):
        order = np.argsort(by_band[b], kind="stable")
        keys = by_band[b][order]
        equal = keys[1:] == keys[:-1]
        if buckets is not None:
            buckets.add(informative, order, equal)
        same = np.flatnonzero(equal)
        if len(same):
            band = informative[np.stack([order[same], order[same + 1]], axis=1)]
            band.sort(axis=1)
            if split_at is not None:
                band = band[(band[:, 0] < split_at) & (band[:, 1] >= split_at)]
            pairs.append(band)
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    # Distinct pairs in (i, j) order, as np.unique(..., axis=0) gives them, through one
    # int64 code per pair (i * n + j): sorting integers, not rows, ten times faster.
    found = np.concatenate(pairs)
    if len(found) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    n = np.int64(found.max()) + 1
    codes = sorted_unique(found[:, 0] * n + found[:, 1])
    return np.stack([codes // n, codes % n], axis=1)


def near_duplicate_pairs(
    sig: np.ndarray, threshold: float, bands: int = 16, buckets: BandBuckets | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Verified pairs (estimated Jaccard ≥ ``threshold``) and their similarities
    (``buckets``, when given, receives the LSH buckets: :class:`BandBuckets`)."""
    pairs = candidate_pairs(sig, bands, buckets=buckets)
    if len(pairs) == 0:
        return pairs, np.zeros(0)
    sims = pair_similarity(sig, pairs)
    similar = sims >= threshold
    return pairs[similar], sims[similar]


def groups_from_pairs(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label per row (singletons get their own label)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return connected_components(n, pairs[:, 0], pairs[:, 1])


def cross_pairs(
    sig_a: np.ndarray, sig_b: np.ndarray, threshold: float, bands: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Near-duplicate pairs (row in a, row in b) between two signature sets (leakage)."""
    rows_a, rows_b = np.arange(len(sig_a)), np.arange(len(sig_b))
    return cross_pairs_of_rows(sig_a, rows_a, sig_b, rows_b, threshold, bands)


#: Rows whose band hashes are computed at a time by :func:`cross_pairs_of_rows`.
ROW_CHUNK = 65536


def cross_pairs_of_rows(
    sig_a: np.ndarray,
    rows_a: np.ndarray,
    sig_b: np.ndarray,
    rows_b: np.ndarray,
    threshold: float,
    bands: int = 16,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cross_pairs` of ``sig_a[rows_a]`` and ``sig_b[rows_b]`` (pairs of positions
    in ``rows_a`` and ``rows_b``), without copying those rows: band hashes are computed a
    chunk of rows at a time and candidates verified on the rows themselves. The split
    compares train with validation this way; copying their signatures (and the copy of
    both that pairing them took) was the driver's peak memory (~85 MB at 100,000)."""
    na = len(rows_a)
    parts = ((sig_a, np.asarray(rows_a), 0), (sig_b, np.asarray(rows_b), na))
    informative_parts, hash_parts = [], []
    for sig, rows, offset in parts:
        for start in range(0, len(rows), ROW_CHUNK):
            block = sig[rows[start : start + ROW_CHUNK]]
            keep = np.flatnonzero((block != EMPTY).any(axis=1))
            informative_parts.append(keep + (offset + start))
            hash_parts.append(band_hashes(block[keep], bands))
    informative = np.concatenate(informative_parts) if informative_parts else np.zeros(0, int)
    if len(informative) < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    pairs = _bucket_pairs(np.concatenate(hash_parts), informative.astype(np.int64), na)
    if len(pairs) == 0:
        return pairs, np.zeros(0)
    pairs[:, 1] -= na
    sims = pair_similarity(
        sig_a,
        np.stack([np.asarray(rows_a)[pairs[:, 0]], np.asarray(rows_b)[pairs[:, 1]]], 1),
        sig_b,
    )
    similar = sims >= threshold
    return pairs[similar], sims[similar]


def cross_pairs_in_buckets(
    buckets: BandBuckets,
    sig: np.ndarray,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`cross_pairs_of_rows` of ``sig[rows_a]`` and ``sig[rows_b]`` (the same pairs,
    in the same order, with the same similarities), read from ``buckets`` (the table
    ``sig``'s buckets for the same number of bands) instead of hashing and sorting the rows
    again; None when ``rows_a`` and ``rows_b`` are not ascending and disjoint.

    Why the same: :func:`cross_pairs_of_rows` puts ``rows_a`` before ``rows_b`` and sorts each
    band's hashes stably, so a bucket lists its ``a`` rows then its ``b`` rows, each in
    ascending order, and the one chained pair crossing from ``a`` to ``b`` is the bucket's
    last ``a`` row with its first ``b`` row. The buckets here list each bucket's rows in
    ascending order too, so those two are its largest ``a`` row and its smallest ``b`` row."""
    rows_a, rows_b = np.asarray(rows_a, dtype=np.int64), np.asarray(rows_b, dtype=np.int64)
    side = np.zeros(len(sig), dtype=np.int8)
    side[rows_a] = 1
    side[rows_b] += 2
    if np.any(side == 3) or np.any(np.diff(rows_a) <= 0) or np.any(np.diff(rows_b) <= 0):
        return None
    found = []
    for rows, starts in zip(buckets.rows, buckets.starts, strict=True):
        if len(rows) == 0:
            continue
        where = side[rows]
        bucket = np.cumsum(starts)
        a = np.flatnonzero(where == 1)
        b = np.flatnonzero(where == 2)
        if len(a) == 0 or len(b) == 0:
            continue
        last_a = a[np.r_[bucket[a][1:] != bucket[a][:-1], True]]
        first_b = b[np.r_[True, bucket[b][1:] != bucket[b][:-1]]]
        _, ia, ib = np.intersect1d(
            bucket[last_a], bucket[first_b], assume_unique=True, return_indices=True
        )
        if len(ia):
            found.append((rows[last_a[ia]], rows[first_b[ib]]))
    if not found:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    left = np.searchsorted(rows_a, np.concatenate([f[0] for f in found]))
    right = np.searchsorted(rows_b, np.concatenate([f[1] for f in found]))
    width = np.int64(len(rows_b))
    codes = sorted_unique(left.astype(np.int64) * width + right)
    pairs = np.stack([codes // width, codes % width], axis=1)
    sims = pair_similarity(sig, np.stack([rows_a[pairs[:, 0]], rows_b[pairs[:, 1]]], 1), sig)
    similar = sims >= threshold
    return pairs[similar], sims[similar]

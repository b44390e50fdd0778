"""Fingerprints of evaluation items: n-gram hashes, not texts, in a versioned file.

An item part (a GSM8K question, its reference solution, a HumanEval prompt, one row of a
team's golden set) is stored as the hashes of its normalised word n-grams, so a ``.fp``
file can be shared without sharing the evaluation set it describes. A part shorter than
``n`` words but at least :data:`WINDOW_MIN` long is stored as one window of its own length
(found anywhere in a turn); a shorter one (eval sets allow 4 words) as the hash of its whole
text, matching only a turn that is that text after normalisation: a short phrase inside a
longer turn is not a copy. A part shorter than ``min_words`` is not stored at all.

Every part of at least :data:`WINDOW_MIN` words also stores its 5-word windows (layer 1):
a lightly edited copy loses the long windows around each edit but keeps most short ones.

The file is a NumPy ``.npz`` read with ``allow_pickle=False``: a JSON header (format
version, n, normalisation version, sources with provenance, one entry per item part) and
arrays: sorted ``hashes``, the part (``owners``) and ``layers`` of each hash, and each
part's ``totals`` of windows per layer.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ftprep.contamination.ngrams import (
    NORMALIZATION,
    ngram_hashes,
    normalize,
    whole_hash,
    word_count,
)
from ftprep.errors import InputError

FORMAT = "ftprep-fingerprint"
VERSION = 1
#: The field's window (GPT-3, OLMo, NeMo Curator task decontamination).
DEFAULT_N = 13
#: Parts shorter than this are not fingerprinted: common phrases must not fire.
DEFAULT_MIN_WORDS = 8
#: Parts at least this long match as a window anywhere in a turn; shorter ones only whole.
WINDOW_MIN = 8
#: The short windows of layer 1 (edited copies).
SHORT_N = 5
#: Slots of :attr:`Fingerprint.screen` (16M: 2 MB; ~2% of misses pass it at 300K hashes).
SCREEN_SIZE = 1 << 24


@dataclass(frozen=True)
class Part:
    """One fingerprinted text: its benchmark or eval set, item id, which part, and where."""

    source: str
    item: str
    part: str
    words: int
    location: str | None = None  # "file:line" for a team's eval set


@dataclass
class Fingerprint:
    """Hashes of item parts (see the module docstring)."""

    n: int
    min_words: int
    parts: list[Part]
    hashes: np.ndarray  # uint64, sorted
    owners: np.ndarray  # int32: the part each hash belongs to
    layers: np.ndarray  # uint8: 0 = n-word windows (or whole text), 1 = 5-word windows
    totals: np.ndarray  # int32 (parts, 2): windows per part and layer
    sources: list[dict[str, Any]] = field(default_factory=list)

    @functools.cached_property
    def screen(self) -> np.ndarray:
        """A bitmap of the hashes' low bits, eight slots a byte (slot ``s`` is bit ``s % 8``
        of byte ``s // 8``): almost every window of ordinary text misses it, so only the
        few that hit are looked up in the sorted array (a random-access ``searchsorted``
        over millions of windows was half the matching time). Packed, it is 2 MB, which
        stays in cache where a byte per slot (16 MB) did not: a third of the lookup time."""
        slot = (self.hashes & np.uint64(SCREEN_SIZE - 1)).astype(np.int64)
        screen = np.zeros(SCREEN_SIZE // 8, dtype=np.uint8)
        # each slot's bit set in place (no array of a byte per slot, 16 MB, to pack), by
        # plain scatters rather than the unbuffered ``np.bitwise_or.at`` (twice as slow,
        # once per worker): where a byte is named twice in one scatter one write wins, so
        # the bits found missing after it are set again, a few times over fewer and fewer
        byte, bit = slot >> 3, np.left_shift(1, slot & 7).astype(np.uint8)
        while len(byte):
            screen[byte] |= bit
            missing = (screen[byte] & bit) == 0
            byte, bit = byte[missing], bit[missing]
        return screen

    def may_hold(self, hashes: np.ndarray) -> np.ndarray:
        """Where ``hashes`` pass :attr:`screen` (a superset of those in the index)."""
        slot = (hashes & np.uint64(SCREEN_SIZE - 1)).astype(np.int64)
        return (self.screen[slot >> 3] >> (slot & 7).astype(np.uint8)) & 1 != 0

    @functools.cached_property
    def short_gated(self) -> bool:
        """Whether every part stored as windows also has its :data:`SHORT_N`-word windows
        (as :func:`build` stores them): a longer window can then only match where its
        first five words do, so matching hashes the longer windows only there."""
        windowed = np.fromiter((p.words >= WINDOW_MIN for p in self.parts), dtype=bool)
        return bool(np.all(self.totals[windowed, 1] > 0)) if len(self.parts) else True

    @functools.cached_property
    def window_sizes(self) -> tuple[int, ...]:
        """Window lengths an example must be hashed at: ``n``, 5, and short parts' lengths
        (learnt once: every batch asks, and the parts are thousands)."""
        short = {p.words for p in self.parts if WINDOW_MIN <= p.words < self.n}
        return tuple(sorted({self.n, SHORT_N} | short))

    @functools.cached_property
    def whole_below(self) -> int:
        """Turns shorter than this are also hashed whole (when any part is stored whole)."""
        return WINDOW_MIN if any(p.words < WINDOW_MIN for p in self.parts) else 0

    def items_per_source(self) -> dict[str, int]:
        out: dict[str, set[str]] = {}
        for p in self.parts:
            out.setdefault(p.source, set()).add(p.item)
        return {k: len(v) for k, v in sorted(out.items())}


def build(
    texts: Iterable[tuple[Part, str]],
    *,
    n: int = DEFAULT_N,
    min_words: int = DEFAULT_MIN_WORDS,
    sources: Sequence[dict[str, Any]] = (),
) -> Fingerprint:
    """Fingerprint ``(part, text)`` pairs; parts shorter than ``min_words`` are skipped."""
    parts: list[Part] = []
    chunks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    layers: list[np.ndarray] = []
    totals: list[tuple[int, int]] = []
    for part, text in texts:
        norm = normalize(text)
        words = word_count(norm)
        if words < min_words:
            continue
        short = np.zeros(0, dtype=np.uint64)
        if words >= WINDOW_MIN:
            size = min(words, n)
            grams = ngram_hashes(norm, [size, SHORT_N])
            long, short = np.unique(grams[size]), np.unique(grams[SHORT_N])
        else:
            long = np.array([whole_hash(norm)], dtype=np.uint64)
        index = len(parts)
        parts.append(Part(part.source, part.item, part.part, words, part.location))
        chunks += [long, short]
        owners.append(np.full(len(long) + len(short), index, dtype=np.int32))
        layers += [np.zeros(len(long), dtype=np.uint8), np.ones(len(short), dtype=np.uint8)]
        totals.append((len(long), len(short)))
    return _sorted(
        n,
        min_words,
        parts,
        np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint64),
        np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32),
        np.concatenate(layers) if layers else np.zeros(0, dtype=np.uint8),
        np.asarray(totals, dtype=np.int32).reshape(-1, 2),
        list(sources),
    )


def _sorted(
    n: int,
    min_words: int,
    parts: list[Part],
    hashes: np.ndarray,
    owners: np.ndarray,
    layers: np.ndarray,
    totals: np.ndarray,
    sources: list[dict[str, Any]],
) -> Fingerprint:
    order = np.lexsort((layers, owners, hashes))
    return Fingerprint(
        n=n,
        min_words=min_words,
        parts=parts,
        hashes=hashes[order],
        owners=owners[order].astype(np.int32),
        layers=layers[order].astype(np.uint8),
        totals=totals.astype(np.int32),
        sources=sources,
    )


def merge(prints: Sequence[Fingerprint]) -> Fingerprint:
    """One index over several fingerprints (all must use the same ``n``)."""
    if not prints:
        return build([])
    ns = {p.n for p in prints}
    if len(ns) > 1:
        raise InputError("fingerprints", f"mixed n-gram sizes {sorted(ns)}: rebuild with one -n")
    if len(prints) == 1:
        return prints[0]
    parts: list[Part] = []
    owners = []
    for p in prints:
        owners.append(p.owners + len(parts))
        parts += p.parts
    return _sorted(
        prints[0].n,
        min(p.min_words for p in prints),
        parts,
        np.concatenate([p.hashes for p in prints]),
        np.concatenate(owners),
        np.concatenate([p.layers for p in prints]),
        np.concatenate([p.totals for p in prints]),
        [s for p in prints for s in p.sources],
    )


def dumps(fp: Fingerprint) -> bytes:
    """The ``.fp`` file's bytes (deterministic for the same fingerprint)."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "n": fp.n,
        "min_words": fp.min_words,
        "normalization": NORMALIZATION,
        "sources": fp.sources,
        "parts": [[p.source, p.item, p.part, p.words, p.location] for p in fp.parts],
    }
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        header=np.array(json.dumps(header, sort_keys=True, ensure_ascii=False)),
        hashes=fp.hashes,
        owners=fp.owners,
        layers=fp.layers,
        totals=fp.totals,
    )
    return buf.getvalue()


def load(path: Path) -> Fingerprint:
    """Read a ``.fp`` file; anything else is an error naming the file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(data["header"].item())  # str() of the array formats it
            hashes, owners, totals = data["hashes"], data["owners"], data["totals"]
            layers = data["layers"]
    except FileNotFoundError:
        raise InputError(str(path), "no such fingerprint file") from None
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            str(path),
            f"not an ftprep fingerprint file ({exc}); create one with `ftprep fingerprint`",
        ) from None
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise InputError(str(path), f"not a version-{VERSION} ftprep fingerprint file")
    if header.get("normalization") != NORMALIZATION:
        raise InputError(
            str(path), "made by another ftprep version: recreate it with `ftprep fingerprint`"
        )
    parts = [Part(s, i, p, int(w), loc) for s, i, p, w, loc in header["parts"]]
    sizes_agree = len(owners) == len(hashes) == len(layers) and totals.shape == (len(parts), 2)
    if hashes.dtype != np.uint64 or not sizes_agree:
        raise InputError(str(path), "corrupt fingerprint file (array sizes disagree)")
    return Fingerprint(
        n=int(header["n"]),
        min_words=int(header["min_words"]),
        parts=parts,
        hashes=hashes,
        owners=owners.astype(np.int32),
        layers=layers.astype(np.uint8),
        totals=totals.astype(np.int32),
        sources=list(header.get("sources", [])),
    )


__all__ = [
    "DEFAULT_MIN_WORDS",
    "DEFAULT_N",
    "Fingerprint",
    "Part",
    "build",
    "dumps",
    "load",
    "merge",
]

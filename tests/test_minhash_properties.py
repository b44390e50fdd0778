"""The batch MinHash (one buffer for every text of a batch, chunked hashing) equals a plain
per-text reference written from the definition, bit for bit, on any texts: empty, shorter
than a shingle, NUL bytes, accents, CJK and Thai (character shingles), emoji, lone
surrogates, and mixes of those in one batch.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.similarity import minhash
from ftprep.similarity.minhash import EMPTY, mix64, signatures
from ftprep.similarity.scripts import has_unsegmented

MASK64 = (1 << 64) - 1


def reference_signature(text: str, bins: int, k: int, chars: int) -> np.ndarray:
    """One text's signature straight from the definition: every window of ``k`` bytes (or
    ``chars`` code points for unsegmented scripts), a text shorter than one window padded
    with zeros, each hashed once; a bin keeps its smallest 16-bit value."""
    if not text.isascii() and has_unsegmented(text):
        units, width, bits, tag = [ord(c) for c in text], chars, 21, 1 << 63
    else:
        units, width, bits, tag = list(text.encode("utf-8", "surrogatepass")), k, 8, 0
    sig = np.full(bins, EMPTY, dtype=np.uint16)
    if not units:
        return sig
    padded = units + [0] * (width - 1)
    for start in range(max(len(units) - width + 1, 1)):
        window = 0
        for unit in padded[start : start + width]:
            window = ((window << bits) | unit) & MASK64  # a window wider than 64 bits wraps
        h = int(mix64(np.array([window | tag], dtype=np.uint64))[0])
        slot = h >> (64 - bins.bit_length() + 1)
        sig[slot] = min(int(sig[slot]), min(h & 0xFFFF, 0xFFFE))
    return sig


PIECES = ["a", "b", "Z", " ", "\n", "\0", "é", "ß", "中", "文字", "ไทย", "😀", "\ud800", "ab c"]
texts_strategy = st.lists(
    st.one_of(
        st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
        st.text(max_size=40),
    ),
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(texts=texts_strategy, bins=st.sampled_from([32, 64, 128]),
       widths=st.sampled_from([(5, 3), (1, 1), (8, 2), (9, 4)]))  # fmt: skip
def test_batch_signatures_equal_reference(
    texts: list[str], bins: int, widths: tuple[int, int]
) -> None:
    k, chars = widths
    got = signatures(texts, bins=bins, k=k, chars=chars)
    assert got.dtype == np.uint16 and got.shape == (len(texts), bins)
    for row, text in enumerate(texts):
        assert np.array_equal(got[row], reference_signature(text, bins, k, chars)), text


def test_chunks_do_not_change_signatures(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Hashing in steps of a few shingles gives the same signatures as one step."""
    texts = ["hello world, " * 40, "", "中文句子测试" * 9, "x", "naïve café " * 7]
    whole = signatures(texts)
    monkeypatch.setattr(minhash, "_CHUNK", 7)
    assert np.array_equal(signatures(texts), whole)
    for row, text in enumerate(texts):
        assert np.array_equal(whole[row], reference_signature(text, 128, 5, 3))

"""The per-batch shortcuts of the answer profile give the values of the plain rules they
replaced (so speeding them up never changes a finding)."""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean import answer_profile
from ftprep.features import FeatureContext
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.normalize import normalize_text

_PIECES = ["Paris", "in", "2024", "the", "3.5%", "x12", " ", ". ", "\n", "{", "Bob", "é",
           "Straße", "ÉCOLE", "cats", "cat", "a", "yes", "No", "!", "\t", "ﬁ"]  # fmt: skip
_ANSWER = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=50).map("".join),
    st.text(max_size=40),
)


def _batch(answers: list[str]) -> list[ChatExample]:
    where = SourceLocation(source="x", line=1)
    return [
        ChatExample(
            messages=[Message(role="user", content="Q?"), Message(role="assistant", content=a)],
            location=where,
        )
        for a in answers
    ]


def _bloom_as_before(text: str) -> list[int] | None:
    """The 256-bit word filter as it was computed: four 64-bit words, one bit per distinct
    word (``None``: the answer has no filter)."""
    kind, _ = answer_profile.classify(text, None)
    words = normalize_text(text.strip()).split()
    if kind not in (answer_profile.LABEL, answer_profile.FREE) or len(words) > 40:
        return None
    bits = [0, 0, 0, 0]
    for w in set(words):
        bit = zlib.crc32(w.encode("utf-8", "surrogatepass")) & 0xFF
        bits[bit >> 6] |= 1 << (bit & 63)
    return bits


@settings(max_examples=300, deadline=None)
@given(st.lists(_ANSWER, min_size=1, max_size=8))
def test_answer_word_filter_is_the_per_word_rule(answers: list[str]) -> None:
    cols = answer_profile.answer_profile_feature(_batch(answers), FeatureContext(encoding=None))
    bloom = cols["answer_bloom"]
    assert isinstance(bloom, np.ndarray) and bloom.dtype == np.uint64
    for i, text in enumerate(answers):
        expected = _bloom_as_before(text)
        assert bloom[i].tolist() == (expected if expected is not None else [0, 0, 0, 0])
